/**
 * How long a restore from S3 may take, for the waits that must outlast it: the Jenkins release that starts on a
 * claim being restored, and the restore check's Job. A timeout that fires while LINSTOR is still downloading turns
 * a slow but working recovery into a failed `pulumi up`, so these bounds are deliberately generous.
 *
 * The assumption, documented once here: LINSTOR downloads the whole chain, the full backup first and then each
 * increment in turn, one shipment per backup (linstor-server v1.33.3 CtrlBackupRestoreApiCallHandler, "3a. Follow the
 * metadata chain" then one restore per link), at no less than `throughputMiBps` (default 25 MiB/s: a quarter of the RTO
 * model's 100 MiB/s estimate, components/rto/inputs.ts), plus `perBackupSeconds` to start each shipment (snapshot
 * definition, satellite daemon, S3 session; an estimate).
 */

export const RESTORE_TIMING_DEFAULTS = {
    /** Slowest download rate the waits allow for (config `restoreThroughputMiBps`). */
    throughputMiBps: 25,
    /** Start-up of each backup's shipment in the chain (estimate). */
    perBackupSeconds: 60,
};

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
