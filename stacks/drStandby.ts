/**
 * The warm standby's restore check as the DR stack configures it: hourly unless `restoreCheckSchedule` says otherwise
 * (RESTORE_CHECK_DEFAULT_SCHEDULE), a scratch claim as large as the restored Jenkins claim, and a deadline that
 * covers downloading a whole chain (its first run, and the first after each new full backup; later runs fetch only
 * the increments since the last one).
 */
import { BYTE_SUFFIXES, maxScheduleGapSeconds, parseQuantity } from "../components/shared/validation";
import type { RestoreCheckArgs } from "../components/snapshots/restoreCheck";
import { RESTORE_CHECK_DEFAULT_SCHEDULE, type RestoreSize, restoreSeconds, restoreSizeBound } from "../components/snapshots/restoreTiming";
import { parseGoDurationSeconds } from "../components/snapshots/settings";
import type { StackConfig } from "./config";
import type { DrConfig } from "./config/dr";

/** Scratch claim, mount, read and clean-up on top of the download (estimate). */
export const RESTORE_CHECK_OVERHEAD_SECONDS = 600;

/**
 * The longest chain the schedule can build, as a bound: with `snapshotMaxIncrements` that many increments, else one per
 * schedule gap for `snapshotFullAfter` (every backup is full when incremental backups are off), each at most the
 * expected churn of one gap.
 */
export function chainBound(s: StackConfig["snapshots"], volumeBytes: number): RestoreSize {
    const gap = maxScheduleGapSeconds(s.snapshotSchedule) ?? 3600;
    const fullAfter = s.snapshotFullAfter === undefined ? undefined : parseGoDurationSeconds(s.snapshotFullAfter);
    const increments = !s.snapshotAllowIncremental
        ? 0
        : s.snapshotMaxIncrements > 0
          ? s.snapshotMaxIncrements
          : fullAfter !== undefined
            ? Math.ceil(fullAfter / gap)
            : 0;
    const incrementBytes = Math.min(volumeBytes, s.snapshotExpectedChurnGiBPerHour * (gap / 3600) * 2 ** 30);
    return restoreSizeBound(volumeBytes, increments, incrementBytes);
}

/** The restore check's arguments once the cluster names its LINSTOR namespace and scratch class. */
export function restoreCheckArgs(cfg: StackConfig, dr: DrConfig, remote: string, originResources: readonly string[] = []) {
    const volumeBytes = parseQuantity(cfg.jenkins.storageSize, BYTE_SUFFIXES) ?? 0;
    const deadlineSeconds = restoreSeconds(chainBound(cfg.snapshots, volumeBytes), dr.restoreThroughputMiBps) + RESTORE_CHECK_OVERHEAD_SECONDS;
    return (where: { readonly linstorNamespace: string; readonly storageClassName: string }): RestoreCheckArgs => ({
        linstorNamespace: where.linstorNamespace,
        remoteName: remote,
        snapshotClassName: cfg.snapshots.snapshotClassName,
        storageClassName: where.storageClassName,
        size: cfg.jenkins.storageSize,
        schedule: dr.restoreCheckSchedule ?? RESTORE_CHECK_DEFAULT_SCHEDULE,
        image: cfg.snapshots.snapshotJobImage,
        curlImage: dr.remoteJobImage,
        deadlineSeconds,
        originResources,
    });
}
