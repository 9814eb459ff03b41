/**
 * RTO accounting of a fail-over drill. The drill records raw events (first time each was observed,
 * in ms since the failure was injected); this module turns them into the five phases users compare
 * with the RTO model: detection, fencing, reschedule, volume attach, Jenkins start. Pure.
 */

/** Raw signals the drill polls for. */
export const EVENT_KINDS = [
    "nodeNotReady", // Node Ready condition False/Unknown (node-monitor-grace-period, 40 s on EKS)
    "nodeDeleted", // Node object gone (EKS removes Nodes of terminated instances)
    "lostQuorumTaint", // HA Controller tainted the node drbd.linbit.com/lost-quorum
    "oldPodTerminating", // old pod got a deletionTimestamp (eviction or HA Controller)
    "oldPodGone", // old pod object removed (force-deleted)
    "oldAttachmentGone", // VolumeAttachment of the PV to the old node removed
    "newPodScheduled", // a pod with a new UID is bound to a node
    "volumeAttached", // VolumeAttachment of the PV to the new node reports attached
    "containerStarted", // the new pod's Jenkins container is running
    "jenkinsHttp200", // GET /login answered 200 from the new pod
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface DrillEvent {
    readonly kind: EventKind;
    /** Milliseconds since the failure was injected. */
    readonly atMs: number;
    readonly detail: string;
}

export const PHASES = ["detection", "fencing", "reschedule", "volumeAttach", "jenkinsStart"] as const;
export type PhaseName = (typeof PHASES)[number];

export const PHASE_LABELS: Record<PhaseName, string> = {
    detection: "detection",
    fencing: "fencing",
    reschedule: "reschedule",
    volumeAttach: "volume attach",
    jenkinsStart: "Jenkins start",
};

/** Which events end each phase; the earliest observed one counts. */
const PHASE_SIGNALS: Record<PhaseName, readonly EventKind[]> = {
    // The first sign that any controller noticed: Kubernetes (NotReady) or DRBD via the HA Controller.
    detection: ["nodeNotReady", "nodeDeleted", "lostQuorumTaint", "oldPodTerminating", "oldPodGone", "oldAttachmentGone"],
    // The old pod can no longer hold the volume: force-deleted, its attachment removed, or the node tainted.
    fencing: ["lostQuorumTaint", "oldPodGone", "oldAttachmentGone"],
    reschedule: ["newPodScheduled"],
    // Attachment reported by the CSI attacher; a started container proves it too (e.g. without RBAC on VolumeAttachments).
    volumeAttach: ["volumeAttached", "containerStarted"],
    jenkinsStart: ["jenkinsHttp200"],
};

export interface PhaseResult {
    readonly phase: PhaseName;
    /** When the phase's first signal was observed (ms since injection), undefined if never. */
    readonly endsAtMs?: number;
    /** Time on the critical path attributed to this phase; 0 if it overlapped an earlier one. */
    readonly durationMs?: number;
    readonly signal?: DrillEvent;
}

export interface RtoBreakdown {
    readonly phases: readonly PhaseResult[];
    /** Injection → Jenkins answering; undefined when Jenkins never came back. */
    readonly totalMs?: number;
    /** Phases whose signal came before an earlier phase's (e.g. the HA Controller fenced before NotReady). */
    readonly overlaps: readonly string[];
}

function firstOf(events: readonly DrillEvent[], kinds: readonly EventKind[]): DrillEvent | undefined {
    return events.filter((e) => kinds.includes(e.kind)).sort((a, b) => a.atMs - b.atMs)[0];
}

/**
 * Phases on the critical path: each phase ends at its first signal and starts where the previous
 * phases ended, so the durations add up to the total even when signals arrive out of order.
 */
export function accountPhases(events: readonly DrillEvent[]): RtoBreakdown {
    let reached = 0;
    const overlaps: string[] = [];
    const phases = PHASES.map((phase): PhaseResult => {
        const signal = firstOf(events, PHASE_SIGNALS[phase]);
        if (signal === undefined) return { phase };
        const durationMs = Math.max(0, signal.atMs - reached);
        if (signal.atMs < reached) {
            overlaps.push(`${PHASE_LABELS[phase]} (${seconds(signal.atMs)}) completed before the earlier phases (${seconds(reached)})`);
        }
        reached = Math.max(reached, signal.atMs);
        return { phase, endsAtMs: signal.atMs, durationMs, signal };
    });
    const done = phases[phases.length - 1];
    return { phases, totalMs: done.endsAtMs, overlaps };
}

export function seconds(ms: number): string {
    return `${(ms / 1000).toFixed(1)} s`;
}

/** The phase table and the raw event timeline, as printed by the drill. */
export function formatBreakdown(b: RtoBreakdown, events: readonly DrillEvent[], pollMs: number): string {
    const lines: string[] = [];
    lines.push(
        b.totalMs === undefined
            ? "Measured RTO: Jenkins did not answer again before the timeout."
            : `Measured RTO: ${seconds(b.totalMs)} (failure injected → HTTP 200 on /login), polled every ${seconds(pollMs)}.`,
    );
    lines.push(`  ${"phase".padEnd(14)} ${"ends at".padStart(9)} ${"duration".padStart(9)}  signal`);
    for (const p of b.phases) {
        lines.push(
            `  ${PHASE_LABELS[p.phase].padEnd(14)} ${(p.endsAtMs === undefined ? "—" : seconds(p.endsAtMs)).padStart(9)} ` +
                `${(p.durationMs === undefined ? "—" : seconds(p.durationMs)).padStart(9)}  ${p.signal?.detail ?? "not observed"}`,
        );
    }
    for (const o of b.overlaps) lines.push(`  note: ${o}`);
    lines.push("  events:");
    for (const e of [...events].sort((x, y) => x.atMs - y.atMs)) lines.push(`    ${seconds(e.atMs).padStart(9)}  ${e.kind}: ${e.detail}`);
    return lines.join("\n");
}
