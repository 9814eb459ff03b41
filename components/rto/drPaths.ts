/**
 * The DR RTO, cold and warm. A restore downloads the chain: the full backup and every increment after it, one shipment
 * per backup (linstor-server v1.33.3 CtrlBackupRestoreApiCallHandler), so a cold restore grows with the chain the
 * schedule builds (one increment per gap until the next full, `snapshotFullAfter`). LINSTOR skips every link already
 * downloaded into the target resource definition ("finds the first snapshot that has already been downloaded during a
 * previous restore"), and the warm standby's download step keeps the newest complete backup downloaded
 * (components/snapshots/restoreDownload.ts, every 5 minutes by default), so a warm fail-over downloads only what the
 * step can have missed. The worst case: a new full that completed just after the step's last run, or that the step is
 * still fetching (LINSTOR refuses a second restore into the same resource definition while one runs, so the fail-over
 * waits for it: at most the same full), plus the increments of one download interval. A full ships once per
 * `snapshotFullAfter`, so most fail-overs download only those increments (the caveat says how long that takes).
 *
 * In restore mode the DR stack's restore gate has LINSTOR download exactly the chosen backup before the claim exists and
 * polls it (every RESTORE_GATE_POLL_SECONDS), so the CSI restore that follows finds the chain local: one local link, no
 * csi-provisioner retry back-off. Pinning the backup the restore check verified (its ConfigMap, runbook) downloads
 * nothing, at the price of that backup's age in RPO. Throughput and the per-link cost are the ones the waits assume
 * (components/snapshots/restoreTiming.ts RESTORE_ESTIMATE); the warm path's caveat names the throughput below which its
 * worst case misses `drTargetSeconds`, which the DR drill measures.
 */
import { RESTORE_ESTIMATE } from "../snapshots/restoreTiming";
import { RTO_DEFAULTS, type RtoInputs } from "./inputs";
import { jenkinsStart, type Path, type Phase, path, round } from "./paths";

/** Per link of a chain: one LINSTOR shipment per backup (the estimate the waits share; measure with a DR drill). */
export const RESTORE_PER_BACKUP_SECONDS = RESTORE_ESTIMATE.perLinkSeconds;

/** Backups in the longest chain the schedule builds (1 when every backup is full or nothing is scheduled). */
export function chainBackups(i: RtoInputs): number {
    if (i.snapshotIntervalSeconds === undefined || i.snapshotFullAfterHours <= 0) return 1;
    return 1 + Math.ceil((i.snapshotFullAfterHours * 3600) / i.snapshotIntervalSeconds);
}

function incrementGiB(i: RtoInputs): number {
    return i.snapshotIntervalSeconds === undefined ? 0 : Math.min(i.restoreSizeGiB, (i.snapshotChurnGiBPerHour * i.snapshotIntervalSeconds) / 3600);
}

/** Increments shipped during one interval of the download step (none when nothing is scheduled or every backup is full). */
function incrementsPerDownload(i: RtoInputs): number {
    if (i.snapshotIntervalSeconds === undefined || i.snapshotFullAfterHours <= 0) return 0;
    return Math.min(chainBackups(i) - 1, Math.ceil(i.restoreDownloadIntervalSeconds / i.snapshotIntervalSeconds));
}

/** What the restore gate has LINSTOR download: `gib` over `links` links, seen done at its next poll. */
interface GateDownload {
    readonly gib: number;
    readonly links: number;
    readonly what: string;
}

/** The gate's seconds apart from the download itself (links and poll): what no throughput shortens. */
function gateFixedSeconds(i: RtoInputs, d: GateDownload): number {
    return d.links * i.restorePerLinkSeconds + i.restoreGatePollSeconds;
}

function gatePhase(i: RtoInputs, d: GateDownload): Phase {
    const download = (d.gib * 1024) / i.restoreThroughputMiBps;
    const poll = `seen by the gate's poll within ${i.restoreGatePollSeconds} s`;
    return {
        name: "restore gate",
        seconds: round(download + gateFixedSeconds(i, d)),
        basis:
            d.links === 0
                ? `${d.what}: nothing to download, ${poll}`
                : `${d.what}: ${round(d.gib)} GiB from S3 at ${i.restoreThroughputMiBps} MiB/s + ${d.links} link(s) × ` +
                  `${i.restorePerLinkSeconds} s each (estimates shared with the restore waits; measure both in a DR drill), ${poll}`,
    };
}

/** The CSI restore once the gate is done: the claim from a snapshot whose chain is local. */
function csiRestorePhase(i: RtoInputs): Phase {
    return {
        name: "CSI restore",
        seconds: i.restorePerLinkSeconds,
        basis: "the claim from the backup the gate downloaded: one local link, no download (estimate shared with the restore waits)",
    };
}

/** Jenkins' first start in a cluster built on demand: its pre-pull DaemonSet, if any, starts with it. */
function coldStart(i: RtoInputs): Phase {
    return jenkinsStart({ ...i, imagePullSeconds: Math.max(i.imagePullSeconds, RTO_DEFAULTS.imagePullSeconds) });
}

/**
 * Jenkins' first start on the warm standby: with jenkinsPrePullImage the standby runs the same pre-pull DaemonSet as
 * Jenkins would (stacks/drStandby.ts), so imagePullSeconds is 0 there as on the primary.
 */
function warmStart(i: RtoInputs): Phase {
    const start = jenkinsStart(i);
    return i.imagePullSeconds === 0
        ? { ...start, basis: `image pre-pulled by the standby's DaemonSet (jenkinsPrePullImage); ${start.basis}` }
        : start;
}

/**
 * The lowest S3 → LINSTOR rate (MiB/s, rounded up to 0.1) at which a warm fail-over that downloads `d` still meets
 * `drTargetSeconds`; undefined when the rest of the path alone exceeds the target (no rate is enough).
 */
export function breakEvenMiBps(i: RtoInputs, d: GateDownload, restSeconds: number): number | undefined {
    const left = i.drTargetSeconds - restSeconds - gateFixedSeconds(i, d);
    if (left <= 0) return undefined;
    return Math.ceil(((d.gib * 1024) / left) * 10) / 10;
}

export interface DrPaths {
    readonly cold: Path;
    readonly warm: Path;
    readonly warmVerified: Path;
    /** The rate below which `warm` misses `drTargetSeconds` (undefined: missed at any rate). */
    readonly warmBreakEvenMiBps: number | undefined;
}

export function drRtoPaths(i: RtoInputs): DrPaths {
    const backups = chainBackups(i);
    const missed = incrementsPerDownload(i);
    const chainGiB = i.restoreSizeGiB + (backups - 1) * incrementGiB(i);
    const cold = path("DR (cluster created on demand)", [
        { name: "EKS cluster", seconds: i.eksCreateSeconds, basis: `control plane creation (estimate ${i.eksCreateSeconds / 60} min)` },
        { name: "node groups", seconds: i.nodeGroupsSeconds, basis: `three managed node groups (estimate ${i.nodeGroupsSeconds / 60} min)` },
        {
            name: "storage stack",
            seconds: i.storageStackSeconds,
            basis: `Piraeus operator, DRBD module build, satellites, snapshot controller, S3 remote (estimate ${i.storageStackSeconds / 60} min)`,
        },
        gatePhase(i, { gib: chainGiB, links: backups, what: `the whole chain, a full of ${i.restoreSizeGiB} GiB and ${backups - 1} increments` }),
        csiRestorePhase(i),
        coldStart(i),
    ]);
    const pulumiUp: Phase = {
        name: "pulumi up",
        seconds: i.drPulumiUpSeconds,
        basis: `choosing the backup, starting the restore gate's Job, the restore objects and the Jenkins release on the running cluster (estimate ${i.drPulumiUpSeconds} s)`,
    };
    const interval = `${round(i.restoreDownloadIntervalSeconds / 60)}-minute`;
    const start = warmStart(i);
    const csi = csiRestorePhase(i);
    const rest = pulumiUp.seconds + csi.seconds + start.seconds;
    const worst: GateDownload = {
        gib: i.restoreSizeGiB + missed * incrementGiB(i),
        links: 1 + missed,
        what:
            `what the download step can have missed, at worst a new full it has not fetched yet (or is still fetching: the gate ` +
            `waits for it) and ${missed} increment(s) of its ${interval} interval`,
    };
    // Without a new full in the window: the increments of one interval only.
    const usual = gatePhase(i, { gib: missed * incrementGiB(i), links: missed, what: "" });
    const usualSeconds = round(rest + usual.seconds);
    const breakEven = breakEvenMiBps(i, worst, rest);
    const target = `${round(i.drTargetSeconds / 60)}-minute target`;
    const holds =
        breakEven === undefined
            ? `Misses the ${target} at any S3 rate (the rest of the path alone takes longer)`
            : `The worst case holds the ${target} while LINSTOR reads ≥ ${breakEven} MiB/s from S3 (estimate ` +
              `${i.restoreThroughputMiBps} MiB/s, a documented ceiling: measure with the DR drill)`;
    const warm = path(
        "DR warm standby (drMode: standby, then restore)",
        [pulumiUp, gatePhase(i, worst), csi, start],
        `restores the newest complete backup: RPO as the region RPO. Worst case shown (a new full, once per snapshotFullAfter); ` +
            `without one in the window ${usualSeconds} s (${(usualSeconds / 60).toFixed(1)} min). ${holds}. ` +
            "Pinning the backup the restore check verified downloads nothing (runbook)",
    );
    const gapMinutes = round(((i.snapshotIntervalSeconds ?? 0) + i.restoreCheckIntervalSeconds) / 60);
    const warmVerified = path(
        "DR warm standby, the backup the restore check verified pinned (runbook)",
        [pulumiUp, gatePhase(i, { gib: 0, links: 0, what: "its chain is already downloaded" }), csi, start],
        `RPO: that backup's age, up to the check interval + a snapshot gap (${gapMinutes} min) plus its shipping time`,
    );
    return { cold, warm, warmVerified, warmBreakEvenMiBps: breakEven };
}
