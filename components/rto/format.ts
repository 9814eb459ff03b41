/** The RTO/RPO report as text. */

import type { RtoReport } from "./model";
import { type Path, round } from "./paths";

function fmt(s: number): string {
    return s >= 120 ? `${round(s)} s (${(s / 60).toFixed(1)} min)` : `${round(s)} s`;
}

function formatPath(p: Path): string[] {
    const lines = [`  ${p.label}: ${fmt(p.totalSeconds)}`];
    for (const ph of p.phases) lines.push(`    ${ph.name.padEnd(24)} ${fmt(ph.seconds).padStart(18)}  ${ph.basis}`);
    if (p.caveat) lines.push(`    caveat: ${p.caveat}`);
    return lines;
}

/** The report as text, for the offline plan and the README. */
export function formatRtoReport(r: RtoReport): string {
    const lines = [
        "RTO/RPO model: each path's worst-case timing at the estimated rates and durations, not an upper bound (estimates are " +
            "marked; the DR path is also shown at the restore waits' slower rate) — measure yours with npm run drill:failover and drill:dr",
        "",
        "Node fail-over RTO:",
    ];
    for (const p of Object.values(r.nodeFailover)) lines.push(...formatPath(p));
    lines.push("", "AZ fail-over RTO:", ...formatPath(r.azFailover.best), ...formatPath(r.azFailover.worst));
    lines.push("", `In-region RPO: 0 s — ${r.inRegionRpo.phases[0].basis}.`);
    lines.push(r.regionRpo ? `Region RPO: ${fmt(r.regionRpo.totalSeconds)}` : "Region RPO: unbounded — no snapshot schedule runs.");
    if (r.regionRpo) for (const ph of r.regionRpo.phases) lines.push(`    ${ph.name.padEnd(24)} ${fmt(ph.seconds).padStart(18)}  ${ph.basis}`);
    const other = r.drRto === r.dr.warm ? r.dr.cold : r.dr.warm;
    lines.push(
        "",
        "DR RTO (after the decision to fail over; excludes the time to decide), this stack's first:",
        ...formatPath(r.drRto),
        ...formatPath(other),
        ...formatPath(r.dr.warmVerified),
    );
    lines.push(
        "",
        `Target ${r.inputs.targetSeconds} s: storage ${r.meetsTarget.storage ? "met" : "missed"}, ` +
            `Jenkins after node fail-over ${r.meetsTarget.nodeFailover ? "met" : "missed"}, worst-case AZ fail-over ${r.meetsTarget.azFailover ? "met" : "missed"}.`,
    );
    for (const f of r.findings) lines.push(`  - ${f}`);
    return lines.join("\n");
}
