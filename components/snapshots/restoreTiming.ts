/**
 * How long a restore from S3 takes and may take. The assumption, documented once here: LINSTOR downloads the whole
 * chain, the full backup first and then each increment in turn, one shipment per backup (linstor-server v1.33.3
 * CtrlBackupRestoreApiCallHandler, "3a. Follow the metadata chain" then one restore per link), at a rate and with a
 * cost per link that are ESTIMATES, one constant each (RESTORE_ESTIMATE), shared by the RTO model
 * (components/rto/drPaths.ts: what a recovery is expected to take) and by the waits that must outlast a restore (the
 * Jenkins release on a claim being restored, the restore check's Job), which allow RESTORE_WAIT_MARGIN times as long:
 * a timeout that fires while LINSTOR is still downloading turns a slow but working recovery into a failed `pulumi up`.
 * Measure both in a DR drill (stacks/ops/README.md "DR drill") and correct them here.
 */

export const RESTORE_ESTIMATE = {
    /** S3 → LINSTOR download rate in MiB/s (one stream per link, decompressed into a thin LV; estimate). */
    throughputMiBps: 50,
    /**
     * Per link of the chain on top of its download: snapshot definition, controller ↔ satellite rounds, the snapshot
     * LV, the S3 session, LINSTOR's database writes on the Kubernetes backend (estimate; 10–30 s is plausible).
     */
    perLinkSeconds: 30,
};

/** How many times the estimate the waits allow. */
export const RESTORE_WAIT_MARGIN = 2;

export const RESTORE_TIMING_DEFAULTS = {
    /** Slowest download rate the waits allow for (config `restoreThroughputMiBps`'s default): 25 MiB/s. */
    throughputMiBps: RESTORE_ESTIMATE.throughputMiBps / RESTORE_WAIT_MARGIN,
    /** Start-up of each backup's shipment in the chain the waits allow for: 60 s. */
    perBackupSeconds: RESTORE_ESTIMATE.perLinkSeconds * RESTORE_WAIT_MARGIN,
};

/**
 * The check's default schedule: hourly, off the full hour. Each run creates and removes a scratch DRBD resource, PV
 * and pod: every 5 minutes would be 288 a day of churn in the DR cluster and LINSTOR's database for a proof an hour
 * gives as well. What keeps a warm fail-over's download short is the download step instead (below); restoreCheck.ts is the check.
 */
export const RESTORE_CHECK_DEFAULT_SCHEDULE = "17 * * * *";

/**
 * The download step's default schedule: every 5 minutes, the backups' default cadence. A run with nothing new asks
 * LINSTOR for a list and one snapshot; restoreDownload.ts is the step, components/rto/drPaths.ts what it saves.
 */
export const RESTORE_DOWNLOAD_DEFAULT_SCHEDULE = "*/5 * * * *";

export interface RestoreSize {
    /** Bytes of every data object of the chain (the S3 objects a restore downloads). */
    readonly chainBytes: number;
    /** Backups in the chain: the full one and its increments. */
    readonly chainLength: number;
}

/** Seconds to allow a restore of `size` (rounded up to whole minutes). */
export function restoreSeconds(size: RestoreSize, throughputMiBps = RESTORE_TIMING_DEFAULTS.throughputMiBps): number {
    const download = size.chainBytes / (throughputMiBps * 2 ** 20);
    const seconds = download + Math.max(1, size.chainLength) * RESTORE_TIMING_DEFAULTS.perBackupSeconds;
    return Math.ceil(seconds / 60) * 60;
}

/**
 * An upper bound of a chain when only its limits are known (the restore check, before any backup is chosen): a full
 * backup no larger than the volume, and `maxIncrements` increments of at most `incrementBytes` each.
 */
export function restoreSizeBound(volumeBytes: number, maxIncrements: number, incrementBytes: number): RestoreSize {
    return { chainBytes: volumeBytes + maxIncrements * incrementBytes, chainLength: maxIncrements + 1 };
}
