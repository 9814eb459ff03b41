import {
    type CreateBucketSettings,
    S3_SNAPSHOT_DEFAULTS as D,
    DEFAULT_BUCKET_REGIONS,
    type ObjectLockMode,
    type S3SnapshotSettings,
} from "../../components/snapshots/settings";
import type { ConfigReader } from "./reader";

/** Snapshot settings of the primary stack; the stack adds `namePrefix` and `protect`. */
export type SnapshotConfig = Omit<S3SnapshotSettings, "namePrefix" | "protect" | "tags" | "bucket"> & {
    /** The bucket the primary creates; undefined in a DR stack, which only references the primary's. */
    readonly bucket?: { readonly create: CreateBucketSettings };
};

/**
 * Reads the snapshot keys (types only). `snapshotBucketRegion` defaults to a same-geography region other than
 * `clusterRegion` (DEFAULT_BUCKET_REGIONS); where there is none it must be set. Every range and format check runs
 * in validateS3SnapshotSettings, which the stack calls before registering anything.
 */
export function readSnapshotConfig(r: ConfigReader, clusterRegion?: string, createsBucket = true): SnapshotConfig {
    const explicitRegion = r.optionalString("snapshotBucketRegion");
    const region = explicitRegion ?? (clusterRegion === undefined ? undefined : DEFAULT_BUCKET_REGIONS[clusterRegion]);
    if (region === undefined && createsBucket && !r.isSet("snapshotBucketRegion")) {
        r.report(
            "snapshotBucketRegion",
            undefined,
            `Set the region of the snapshot bucket; it must differ from the cluster region${clusterRegion ? ` ${clusterRegion}` : ""}.`,
        );
    }
    // Two keys for one optional setting (bucket.create.objectLock): both or neither; the error names the missing one.
    const lockMode = r.optionalString("snapshotBucketObjectLockMode");
    const lockDays = r.optionalInteger("snapshotBucketObjectLockDays");
    if ((lockMode === undefined) !== (lockDays === undefined)) {
        const [missing, given] =
            lockMode === undefined
                ? ["snapshotBucketObjectLockMode", "snapshotBucketObjectLockDays"]
                : ["snapshotBucketObjectLockDays", "snapshotBucketObjectLockMode"];
        if (!r.isSet(missing)) {
            r.report(
                missing,
                undefined,
                `${given} is set: Object Lock needs both snapshotBucketObjectLockMode (GOVERNANCE or COMPLIANCE) and snapshotBucketObjectLockDays.`,
            );
        }
    }
    // Read in every role (a DR stack refuses them as contradictions: it creates no bucket).
    const create = {
        name: r.optionalString("snapshotBucketName"),
        noncurrentVersionExpirationDays: r.integer("snapshotBucketNoncurrentVersionDays", D.snapshotBucketNoncurrentVersionDays),
        abortIncompleteMultipartUploadDays: r.integer("snapshotBucketAbortMultipartDays", D.snapshotBucketAbortMultipartDays),
        expireCurrentObjectsAfterDays: r.optionalInteger("snapshotBucketExpireCurrentObjectsDays"),
        objectLock: lockMode === undefined || lockDays === undefined ? undefined : { mode: lockMode as ObjectLockMode, days: lockDays },
        accessLogBucket: r.optionalString("snapshotBucketAccessLogBucket"),
        accessLogPrefix: r.string("snapshotBucketAccessLogPrefix", D.snapshotBucketAccessLogPrefix),
    };
    return {
        bucket: region === undefined || !createsBucket ? undefined : { create: { region, ...create } },
        linstorRemoteName: r.optionalString("linstorRemoteName"),
        snapshotClassName: r.string("snapshotClassName", D.snapshotClassName),
        snapshotAllowIncremental: r.boolean("snapshotAllowIncremental", D.snapshotAllowIncremental),
        snapshotMaxIncrements: r.integer("snapshotMaxIncrements", D.snapshotMaxIncrements),
        snapshotFullAfter: r.string("snapshotFullAfter", D.snapshotFullAfter),
        s3AccessKeyGeneration: r.integer("s3AccessKeyGeneration", D.s3AccessKeyGeneration),
        s3AccessKeyRetiredGeneration: r.optionalInteger("s3AccessKeyRetiredGeneration"),
        installSnapshotController: r.boolean("installSnapshotController", D.installSnapshotController),
        snapshotControllerChartVersion: r.string("snapshotControllerChartVersion", D.snapshotControllerChartVersion),
        snapshotControllerReplicas: r.integer("snapshotControllerReplicas", D.snapshotControllerReplicas),
        snapshotScheduleEnabled: r.boolean("snapshotScheduleEnabled", D.snapshotScheduleEnabled),
        snapshotSchedule: r.string("snapshotSchedule", D.snapshotSchedule),
        snapshotRetentionHours: r.integer("snapshotRetentionHours", D.snapshotRetentionHours),
        snapshotDailyRetentionDays: r.integer("snapshotDailyRetentionDays", D.snapshotDailyRetentionDays),
        snapshotExpectedChurnGiBPerHour: r.decimal("snapshotExpectedChurnGiBPerHour", D.snapshotExpectedChurnGiBPerHour),
        snapshotJobImage: r.string("snapshotJobImage", D.snapshotJobImage),
        snapshotLocalSnapshots: r.integer("snapshotLocalSnapshots", D.snapshotLocalSnapshots),
        snapshotTrimImage: r.string("snapshotTrimImage", D.snapshotTrimImage),
        snapshotReadyTimeoutSeconds: r.integer("snapshotReadyTimeoutSeconds", D.snapshotReadyTimeoutSeconds),
        snapshotPruneDeletesBackups: r.boolean("snapshotPruneDeletesBackups", D.snapshotPruneDeletesBackups),
        onDemandSnapshotName: r.optionalString("onDemandSnapshotName"),
        restoreFromSnapshot: r.optionalString("restoreFromSnapshot"),
    };
}
