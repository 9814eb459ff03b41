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

import { LINSTOR_CLUSTER_DEFAULTS } from "../linstorCluster/settings";

const MIB = 2 ** 20;

/**
 * The documented rates that bound ONE restore link's download, in MiB/s, for the defaults (Pulumi.yaml instanceType
 * m6i.large, a gp3 data volume at dataVolumeThroughputMiBps' default). LINSTOR reads each backup of the chain with one
 * GetObject stream (linstor-server v1.33.3 satellite BackupShippingS3Daemon.runRestoring: one `getObject`, 1 MiB reads
 * piped into the command) through `zstd -d | thin_recv <vg>/<snapshot LV>` (BackupShippingS3Service CMD_FORMAT_RECEIVING,
 * LvmThinProvider; the upload is `thin_send | zstd`), so the wire carries compressed bytes and the logical rate is at
 * least the wire rate: equal for incompressible data, the case taken here. What each figure is:
 * - `s3OneRequest` is AWS's SIZING figure for what one request delivers: an expected rate per stream, neither a
 *   ceiling nor a floor (one request may deliver more or less).
 * - The other three are SUSTAINED limits: the instance's network and EBS baselines and the volume's provisioned
 *   throughput. Bursts above them are allowed for minutes (network I/O credits; EBS-optimized "up to" instances burst
 *   for at most 30 minutes a day), so a single 20 GiB download may well run above them; they are taken as the rate a
 *   restore can count on, not as a bound of it.
 */
export const RESTORE_STREAM_RATES_MIBPS = {
    /**
     * AWS, Amazon S3 performance guidelines, "Scale storage connections horizontally": "Make one concurrent request for
     * each 85–90 MB/s of desired network throughput" (docs.aws.amazon.com/AmazonS3/latest/userguide/
     * optimizing-performance-guidelines.html): what one request is expected to deliver, its lower figure, 85 MB/s.
     */
    s3OneRequest: (85 * 1e6) / MIB,
    /**
     * m6i.large baseline network bandwidth 0.781 Gbps, sustained (EC2 instance types, network specifications; "up to
     * 12.5 Gbps" is a burst on network I/O credits; also aws/karpenter-provider-aws zz_generated.bandwidth.go: 781 Mbit/s).
     */
    instanceBaselineNetwork: 0.781e9 / 8 / MIB,
    /**
     * m6i.large EBS-optimized baseline bandwidth 650 Mbps (81.25 MB/s), sustained; "up to 10 Gbps" is a burst of at most
     * 30 minutes a day: every write thin_recv makes to the data volume crosses it (AWS EC2 instance types guide, Amazon
     * EBS specifications, general purpose). Taken from AWS's table as recalled: no stored copy of it could be read here,
     * so it is on the "check on a real cluster" list with the rest of this estimate.
     */
    instanceBaselineEbs: 650e6 / 8 / MIB,
    /** The data volume's gp3 baseline throughput, sustained: thin_recv writes the LV there (LINSTOR_CLUSTER_DEFAULTS.dataVolumeThroughputMiBps). */
    dataVolumeGp3: LINSTOR_CLUSTER_DEFAULTS.dataVolumeThroughputMiBps as number,
} as const;

/** The instance type the rates above are for (the default `instanceType`; a spec keeps them together). */
export const RESTORE_RATES_INSTANCE_TYPE = "m6i.large";

export const RESTORE_ESTIMATE = {
    /**
     * S3 → LINSTOR download rate in MiB/s, one stream per link: the EXPECTED rate of one stream, the lowest of the
     * figures above in whole MiB/s (77, the instance's sustained EBS baseline; AWS's per-request figure gives 81). An
     * estimate, not a bound either way: bursts can make a download faster, TLS, thin_recv's writes or a bucket in
     * another region slower. Unmeasured: the plan prints the warm fail-over at this rate and at the waits' (half of it),
     * and the rate below which it misses its target (components/rto/drPaths.ts); the DR drill measures the real one
     * (stacks/ops/README.md "DR drill").
     */
    throughputMiBps: Math.floor(Math.min(...Object.values(RESTORE_STREAM_RATES_MIBPS))),
    /**
     * Per link of the chain on top of its download: snapshot definition, controller ↔ satellite rounds, the snapshot
     * LV, the S3 session, LINSTOR's database writes on the Kubernetes backend (estimate; 10–30 s is plausible).
     */
    perLinkSeconds: 30,
};

/**
 * How often the restore gate (the DR stack's Job that has LINSTOR download the chosen backup before the claim exists)
 * polls LINSTOR: a finished download is seen at most this much later.
 */
export const RESTORE_GATE_POLL_SECONDS = 5;

/** The label on the restore gate's Job, valued with the backup's key (stacks/drChoice.ts restoreNames): the drill finds it by it. */
export const RESTORE_GATE_LABEL = "ha-jenkins-eks.io/restore-gate";

/** How many times the estimate the waits allow. */
export const RESTORE_WAIT_MARGIN = 2;

export const RESTORE_TIMING_DEFAULTS = {
    /**
     * Slowest download rate the waits allow for (config `restoreThroughputMiBps`'s default, an integer): 38 MiB/s, the
     * estimate ÷ the margin rounded down, so the waits stay at least RESTORE_WAIT_MARGIN times as patient.
     */
    throughputMiBps: Math.floor(RESTORE_ESTIMATE.throughputMiBps / RESTORE_WAIT_MARGIN),
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
