/**
 * What the snapshot retention keeps, in numbers (pure): how many scheduled snapshots live at once, the thin-pool space
 * their local snapshots pin on every replica, how long a kept backup can be, and how long a chain grows. The pruning
 * itself is PRUNE_SELECTION_JQ (snapshotJob.ts); these are its upper bounds for the checks and the offline plan.
 *
 * Model (upper bounds, `c` = snapshotExpectedChurnGiBPerHour, `g` = the schedule's average gap, `F` = snapshotFullAfter):
 * - A chain is one full and its increments; the schedule starts a new one at its first run ≥ F after the last full, so
 *   a chain spans at most F + g.
 * - Kept: every snapshot younger than snapshotRetentionHours (H) and, through its chain, back to its full: a continuous
 *   span of H + F + g. Older: one full per UTC day (or per chain, when chains are longer) for snapshotDailyRetentionDays.
 * - S3 and the thin pools keep different things. S3 keeps all of the above. Locally, each run deletes LINSTOR's copy of
 *   every scheduled snapshot but the newest `snapshotLocalSnapshots` (K) ready ones (snapshotJob.ts LOCAL_TRIM_JQ): an
 *   increment needs only its base locally (linstor-server 1.33.3 CtrlBackupCreateApiCallHandler.getIncrementalBase,
 *   the last snapshot started to the remote), and linstor-csi 1.11.3 restores a backup whose local copy is gone by
 *   downloading it (pkg/client/linstor.go reconcileSnapshot) and deletes it with the local delete's 404 ignored
 *   (SnapDelete `nil404`). Peak per replica: K + 2 (the new one before the trim, one started while an older full ships).
 *   With K = 0 nothing is trimmed and every kept snapshot is local, back to its chain's full.
 * - A local LVM-thin snapshot pins the blocks rewritten between it and the next one (at most the volume): trimmed,
 *   c × (K + 2) × g; untrimmed, c × (H + F + g) for the continuous span and c × its gap for each older daily full.
 * - Pruning drains an expired chain one link per csi-snapshotter retry (linstor-csi 1.11.3 defers a base's delete;
 *   external-snapshotter v8.6.0 cmd/csi-snapshotter/main.go `--retry-interval-max` 5m): up to F / g links × 5 min,
 *   i.e. about one chain, stays in S3 (and, untrimmed, in the thin pools) beside what the retention keeps.
 */
import { maxScheduleGapSeconds, parseCron } from "../shared/cron";
import { parseGoDurationSeconds, type S3SnapshotSettings } from "./settings";

/**
 * Estimates of one shipment to the bucket's region (measure yours: start and finish in `linstor backup list`): LINSTOR
 * uploads one part after another from one node (linstor-server 1.33.3 BackupToS3.putObjectMultipart), 40 MiB/s; and
 * 60 s to snapshot every replica, queue the shipment and for linstor-csi and the job to see it ready.
 */
export const SHIPPING_ESTIMATE = { mibPerSecond: 40, overheadSeconds: 60 } as const;

/** Seconds to ship a full backup of a `volumeGiB` claim (at most the claim: thin_send ships allocated blocks). */
export function fullShippingSeconds(volumeGiB: number): number {
    return Math.round(SHIPPING_ESTIMATE.overheadSeconds + (volumeGiB * 1024) / SHIPPING_ESTIMATE.mibPerSecond);
}

export type RetentionSettings = Pick<
    S3SnapshotSettings,
    | "snapshotScheduleEnabled"
    | "snapshotSchedule"
    | "snapshotAllowIncremental"
    | "snapshotFullAfter"
    | "snapshotRetentionHours"
    | "snapshotDailyRetentionDays"
    | "snapshotExpectedChurnGiBPerHour"
    | "snapshotLocalSnapshots"
>;

/**
 * Hard limit on LINSTOR snapshots per replica of the Jenkins volume. Every one is a thin LV in a VG whose metadata area
 * is LVM's default (linstor-server 1.33.3 LvmCommands.pvCreate/vgCreate pass no --metadatasize; Red Hat: the default
 * "may be too small for volume groups that contain … logical volumes that number in the hundreds"), a DRBD I/O
 * suspension per snapshot and dozens of LINSTOR database objects: single digits to low tens is what LINSTOR is run with.
 */
export const MAX_LOCAL_SNAPSHOTS_PER_REPLICA = 32;

/** csi-snapshotter's default `--retry-interval-max` (external-snapshotter v8.6.0 cmd/csi-snapshotter/main.go). */
export const SNAPSHOTTER_RETRY_MAX_MINUTES = 5;

/** Average runs per day of a cron schedule (over 2026–2029, like maxScheduleGapSeconds); 0 if it never runs. */
export function scheduleRunsPerDay(expr: string): number {
    const parsed = parseCron(expr);
    if (typeof parsed === "string") throw new Error(parsed);
    const [minutes, hours, days, months, weekdays] = parsed.sets;
    const [, , dayRestricted, , weekdayRestricted] = parsed.restricted;
    let runDays = 0;
    let total = 0;
    for (let day = Date.UTC(2026, 0, 1); day < Date.UTC(2030, 0, 1); day += 86400000) {
        total++;
        const d = new Date(day);
        if (!months.has(d.getUTCMonth() + 1)) continue;
        const dom = days.has(d.getUTCDate());
        const dow = weekdays.has(d.getUTCDay());
        if (dayRestricted && weekdayRestricted ? dom || dow : dom && dow) runDays++;
    }
    return (runDays * hours.size * minutes.size) / total;
}

/** Hours after which the schedule starts a new chain with a full (0: every scheduled snapshot is a full). */
export function fullAfterHours(s: Pick<RetentionSettings, "snapshotAllowIncremental" | "snapshotFullAfter">): number {
    return s.snapshotAllowIncremental ? (parseGoDurationSeconds(s.snapshotFullAfter) ?? 0) / 3600 : 0;
}

export interface RetentionFootprint {
    /** Scheduled backups in S3 at once: the kept ones and, while it drains, the expired chain (M1). */
    readonly snapshots: number;
    /** LINSTOR snapshots of the volume on each replica at the peak (trimmed: snapshotLocalSnapshots + 2). */
    readonly localSnapshots: number;
    /** Backups of the expired chain still in S3 while csi-snapshotter drains it, and the hours that takes. */
    readonly draining: { readonly backups: number; readonly hours: number };
    /** Of which full backups. */
    readonly fulls: number;
    /** Thin-pool GiB their local snapshots pin on each replica of the volume. */
    readonly localGiB: number;
    /** GiB the kept backups hold in S3 (current versions). */
    readonly s3GiB: number;
    /** Oldest a kept backup (or a backup a kept one builds on) gets, in hours. */
    readonly oldestKeptHours: number;
    /** Increments in the longest chain (restores download the full and every one of them). */
    readonly maxChainIncrements: number;
    /** Average gap between scheduled snapshots, in hours. */
    readonly gapHours: number;
    /** GiB one increment ships (the churn of one gap, at most the volume). */
    readonly incrementGiB: number;
    /** How the numbers were reached, for error messages and the plan. */
    readonly basis: string;
}

/**
 * The retention's upper bounds for a volume of `volumeGiB` (a full backup and a local snapshot never hold more).
 * Undefined when no schedule runs (then nothing is retained by the schedule).
 */
export function retentionFootprint(s: RetentionSettings, volumeGiB: number): RetentionFootprint | undefined {
    if (!s.snapshotScheduleEnabled) return undefined;
    const perDay = scheduleRunsPerDay(s.snapshotSchedule);
    const maxGapSeconds = maxScheduleGapSeconds(s.snapshotSchedule);
    if (perDay === 0 || maxGapSeconds === undefined) return undefined;
    const c = s.snapshotExpectedChurnGiBPerHour;
    const g = 24 / perDay;
    const F = fullAfterHours(s);
    const H = s.snapshotRetentionHours;
    const chainHours = F === 0 ? 0 : F + g;
    const span = H + chainHours;
    const spanSnapshots = Math.ceil(span / g) + 1;
    const spanFulls = F === 0 ? spanSnapshots : Math.ceil(span / chainHours) + 1;
    // One daily point per UTC day; with chains longer than a day, one per chain.
    const dailyGap = Math.max(24, chainHours);
    const dailyHours = 24 * s.snapshotDailyRetentionDays;
    const daily = Math.max(0, Math.ceil((dailyHours - span) / dailyGap));
    const incrementGiB = Math.min(c * g, volumeGiB);
    const maxChainIncrements = F === 0 ? 0 : Math.ceil(chainHours / g) - 1;
    // An expired chain drains newest first, one link per retry (each ≤ SNAPSHOTTER_RETRY_MAX_MINUTES); a full-only
    // schedule has no links to wait for.
    const drainLinks = maxChainIncrements + 1;
    const draining = { backups: F === 0 ? 0 : drainLinks, hours: F === 0 ? 0 : (maxChainIncrements * SNAPSHOTTER_RETRY_MAX_MINUTES) / 60 };
    const K = s.snapshotLocalSnapshots;
    const untrimmedGiB = Math.min(c * span, spanSnapshots * volumeGiB) + daily * Math.min(c * dailyGap, volumeGiB);
    const localSnapshots = K > 0 ? K + 2 : spanSnapshots + daily + draining.backups;
    const trimmedGiB = Math.min(c * (K + 2) * g, (K + 2) * volumeGiB);
    const localGiB = K > 0 ? trimmedGiB : untrimmedGiB + Math.min(c * chainHours, draining.backups * volumeGiB);
    const fulls = spanFulls + daily;
    const s3GiB =
        fulls * volumeGiB + Math.max(0, spanSnapshots - spanFulls) * incrementGiB + (F === 0 ? 0 : volumeGiB + maxChainIncrements * incrementGiB);
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
        snapshots: spanSnapshots + daily + draining.backups,
        localSnapshots,
        draining,
        fulls,
        localGiB: round(localGiB),
        s3GiB: round(s3GiB),
        oldestKeptHours: Math.max(span, daily > 0 ? dailyHours : 0),
        maxChainIncrements,
        gapHours: g,
        incrementGiB,
        basis:
            K > 0
                ? `${localSnapshots} local snapshots (${K} kept + the new one + one started while a full ships) × ${round(g * 60)} min × ${c} GiB/h churn`
                : `${c} GiB/h churn × (${H} h kept + ${round(chainHours)} h back to a chain's full) = ${round(Math.min(c * span, spanSnapshots * volumeGiB))} GiB` +
                  (daily > 0 ? ` + ${daily} older daily fulls × ${round(Math.min(c * dailyGap, volumeGiB))} GiB` : "") +
                  (draining.backups > 0 ? ` + the chain draining (${draining.backups} links, ${round(draining.hours)} h)` : ""),
    };
}
