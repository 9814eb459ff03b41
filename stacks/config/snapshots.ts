import {
    AWS_REGION, CreateBucketSettings, DEFAULT_BUCKET_REGIONS, OBJECT_LOCK_MODES, ObjectLockMode, S3_SNAPSHOT_DEFAULTS as D,
    S3SnapshotSettings,
} from "../../components/snapshots/settings";
import { ConfigReader } from "./reader";

/** Snapshot settings of the primary stack; the stack adds `namePrefix` and `protect`. */
export type SnapshotConfig = Omit<S3SnapshotSettings, "namePrefix" | "protect" | "tags" | "bucket"> & {
    /** The bucket the primary creates; undefined in a DR stack, which only references the primary's. */
    readonly bucket?: { readonly create: CreateBucketSettings };
};

/**
 * Reads the snapshot keys. `snapshotBucketRegion` defaults to a same-geography region other than
 * `clusterRegion` (DEFAULT_BUCKET_REGIONS); where there is none it must be set. Range and format checks
 * that need other settings (cluster region, cron, generations) run in validateS3SnapshotSettings.
 */
export function readSnapshotConfig(r: ConfigReader, clusterRegion?: string, createsBucket = true): SnapshotConfig {
    const explicitRegion = r.optionalString("snapshotBucketRegion", AWS_REGION, "Use an AWS region name such as eu-central-1.");
    const region = explicitRegion ?? (clusterRegion === undefined ? undefined : DEFAULT_BUCKET_REGIONS[clusterRegion]);
    if (region === undefined && createsBucket) {
        r.fail("snapshotBucketRegion", undefined,
            `Set the region of the snapshot bucket; it must differ from the cluster region${clusterRegion ? ` ${clusterRegion}` : ""}.`);
    }
    const lockMode = r.optionalString("snapshotBucketObjectLockMode");
    if (lockMode !== undefined && !OBJECT_LOCK_MODES.includes(lockMode as ObjectLockMode)) {
        r.fail("snapshotBucketObjectLockMode", lockMode, `Allowed: ${OBJECT_LOCK_MODES.join(", ")}.`);
    }
    const lockDays = r.optionalInteger("snapshotBucketObjectLockDays", { min: 1, max: 36500 });
    if ((lockMode === undefined) !== (lockDays === undefined)) {
        r.fail(lockMode === undefined ? "snapshotBucketObjectLockMode" : "snapshotBucketObjectLockDays", lockMode ?? lockDays,
            "Object Lock needs both snapshotBucketObjectLockMode (GOVERNANCE or COMPLIANCE) and snapshotBucketObjectLockDays.");
    }
    return {
        bucket: region === undefined || !createsBucket ? undefined : {
            create: {
                region: region as string,
                name: r.optionalString("snapshotBucketName"),
                noncurrentVersionExpirationDays: r.integer("snapshotBucketNoncurrentVersionDays", D.snapshotBucketNoncurrentVersionDays, { min: 1, max: 36500 }),
                abortIncompleteMultipartUploadDays: r.integer("snapshotBucketAbortMultipartDays", D.snapshotBucketAbortMultipartDays, { min: 1, max: 36500 }),
                expireCurrentObjectsAfterDays: r.optionalInteger("snapshotBucketExpireCurrentObjectsDays", { min: 1, max: 36500 }),
                objectLock: lockMode === undefined ? undefined : { mode: lockMode as ObjectLockMode, days: lockDays as number },
                accessLogBucket: r.optionalString("snapshotBucketAccessLogBucket"),
                accessLogPrefix: r.string("snapshotBucketAccessLogPrefix", D.snapshotBucketAccessLogPrefix),
            },
        },
        linstorRemoteName: r.optionalString("linstorRemoteName"),
        snapshotClassName: r.string("snapshotClassName", D.snapshotClassName),
        snapshotAllowIncremental: r.boolean("snapshotAllowIncremental", D.snapshotAllowIncremental),
        snapshotMaxIncrements: r.integer("snapshotMaxIncrements", D.snapshotMaxIncrements, { min: 0, max: 10000 }),
        snapshotFullAfter: r.optionalString("snapshotFullAfter"),
        s3AccessKeyGeneration: r.integer("s3AccessKeyGeneration", D.s3AccessKeyGeneration, { min: 1 }),
        s3AccessKeyRetiredGeneration: r.optionalInteger("s3AccessKeyRetiredGeneration", { min: 0 }),
        installSnapshotController: r.boolean("installSnapshotController", D.installSnapshotController),
        snapshotControllerChartVersion: r.string("snapshotControllerChartVersion", D.snapshotControllerChartVersion),
        snapshotControllerReplicas: r.integer("snapshotControllerReplicas", D.snapshotControllerReplicas, { min: 1, max: 5 }),
        snapshotScheduleEnabled: r.boolean("snapshotScheduleEnabled", D.snapshotScheduleEnabled),
        snapshotSchedule: r.string("snapshotSchedule", D.snapshotSchedule),
        snapshotRetention: r.integer("snapshotRetention", D.snapshotRetention, { min: 1, max: 1000 }),
        snapshotJobImage: r.string("snapshotJobImage", D.snapshotJobImage),
        snapshotReadyTimeoutSeconds: r.integer("snapshotReadyTimeoutSeconds", D.snapshotReadyTimeoutSeconds, { min: 60, max: 86400 }),
        snapshotPruneDeletesBackups: r.boolean("snapshotPruneDeletesBackups", D.snapshotPruneDeletesBackups),
        onDemandSnapshotName: r.optionalString("onDemandSnapshotName"),
        restoreFromSnapshot: r.optionalString("restoreFromSnapshot"),
    };
}
