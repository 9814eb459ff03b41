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
 * - A local LVM-thin snapshot pins the blocks rewritten between it and the next kept snapshot (at most the volume), so
 *   the continuous span pins c × (H + F + g) and each older daily full c × its gap. Every replica holds them all.
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
>;

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
    /** Scheduled snapshots kept at once (each one a backup in S3 and a local snapshot on every replica). */
    readonly snapshots: number;
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
    const localGiB = Math.min(c * span, spanSnapshots * volumeGiB) + daily * Math.min(c * dailyGap, volumeGiB);
    const fulls = spanFulls + daily;
    const s3GiB = fulls * volumeGiB + Math.max(0, spanSnapshots - spanFulls) * incrementGiB;
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
        snapshots: spanSnapshots + daily,
        fulls,
        localGiB: round(localGiB),
        s3GiB: round(s3GiB),
        oldestKeptHours: Math.max(span, daily > 0 ? dailyHours : 0),
        maxChainIncrements: F === 0 ? 0 : Math.ceil(chainHours / g) - 1,
        gapHours: g,
        incrementGiB,
        basis:
            `${c} GiB/h churn × (${H} h kept + ${round(chainHours)} h back to a chain's full) = ${round(Math.min(c * span, spanSnapshots * volumeGiB))} GiB` +
            (daily > 0 ? ` + ${daily} older daily fulls × ${round(Math.min(c * dailyGap, volumeGiB))} GiB` : ""),
    };
}
