import * as pulumi from "@pulumi/pulumi";
import type { JenkinsSettings } from "../../components/jenkins/settings";
import { ConfigError } from "../../components/shared/errors";
import { parseArn, type QuantityRule } from "../../components/shared/validation";
import { RESTORE_TIMING_DEFAULTS } from "../../components/snapshots/restoreTiming";
import { isSnapshotHandle } from "../../components/snapshots/schedule";
import { PROJECT } from "./naming";
import type { ConfigReader } from "./reader";

/** Jenkins settings the DR copy takes from the primary: what runs, not how it is reached in this region. */
export const REUSED_JENKINS_SETTINGS: readonly (keyof JenkinsSettings)[] = [
    "namespace",
    "chartVersion",
    "imageRegistry",
    "imageRepository",
    "imageTag",
    "adminUser",
    "tolerationSeconds",
    "startupProbePeriodSeconds",
    "startupProbeFailureThreshold",
    "cpuRequest",
    "cpuLimit",
    "memoryRequest",
    "memoryLimit",
    "blockVoluntaryDisruptions",
    "pluginSource",
    "plugins",
    "prometheusPluginVersion",
    "cascConfigScripts",
];

/** What a DR stack runs: `restore` (the default) restores a backup and runs Jenkins; `standby` keeps the cluster warm. */
export const DR_MODES = ["restore", "standby"] as const;
export type DrMode = (typeof DR_MODES)[number];

/** Settings only the DR stack reads. */
export interface DrConfig {
    /**
     * Fully qualified name of the primary stack, `<org>/<project>/<stack>`, read (when it has outputs) for its bucket,
     * Jenkins settings and class options, and recorded in this stack's own outputs. Optional: the DR stack also runs on
     * what it recorded, or on `restoreBucket*` alone.
     */
    readonly primaryStack?: string;
    /** `restore` (default): restore a backup and run Jenkins. `standby`: cluster, LINSTOR, remote and the restore check. */
    readonly drMode: DrMode;
    /** Pin this backup (a linstor-csi handle or bare snapshot name); default: the newest complete one in the bucket. */
    readonly restoreSnapshotHandle?: string;
    /** Raise it to choose the newest complete backup again (new restore objects); the choice is kept otherwise. Default 1. */
    readonly restoreSelection: number;
    /**
     * Restore only backups this LINSTOR cluster shipped (the meta's `clusterId`). Needed when more than one cluster
     * shipped the Jenkins claim at the same time (an old primary that came back): the choice refuses until it is set.
     */
    readonly restoreSourceClusterId?: string;
    /**
     * The LINSTOR resource whose backups are the Jenkins claim's, whatever their metas say; default: the backups whose
     * meta carries the Jenkins namespace and those of the primary's `jenkinsLinstorResource` (stacks/drChoice.ts).
     */
    readonly restoreSourceResource?: string;
    /** The bucket to restore from when no primary outputs (live or recorded) name it, or to override them. */
    readonly restoreBucketName?: string;
    readonly restoreBucketRegion?: string;
    /** The bucket's SSE-KMS key (the DR IAM user needs kms:Decrypt on it). */
    readonly restoreBucketKmsKeyArn?: string;
    /** Size of the restored Jenkins claim (≥ the backup); default: the primary's `jenkinsStorageSize`, else the backup's. */
    readonly restoreStorageSize?: string;
    /** Slowest S3 download rate the restore's waits allow for, MiB/s (components/snapshots/restoreTiming.ts). Default 25. */
    readonly restoreThroughputMiBps: number;
    /** When the warm standby's restore check runs (cron, UTC); default: the stack's `snapshotSchedule`. */
    readonly restoreCheckSchedule?: string;
    /** When the warm standby's download-only step runs (cron, UTC); default every 5 minutes (restoreDownload.ts). */
    readonly restoreDownloadSchedule?: string;
    /** Image of the Job that ensures LINSTOR's S3 remote exists (needs sh + curl). */
    readonly remoteJobImage: string;
    /**
     * Once the DR copy is the live Jenkins, ship its snapshots to the same bucket (read/write rights, the
     * schedule on the restored claim) and export what a failback stack reads. Default false: restore only.
     */
    readonly drSnapshotsEnabled: boolean;
    /**
     * After a restore, once the restored claim is in use, delete the chain downloaded into snapshots of the origin
     * resource (and its then empty resource definition): components/snapshots/releaseChain.ts. Default true.
     */
    readonly restoreReleaseChain: boolean;
}

export const DR_DEFAULTS = {
    remoteJobImage: "docker.io/curlimages/curl:8.16.0",
    drMode: "restore" as DrMode,
    restoreSelection: 1,
    restoreThroughputMiBps: RESTORE_TIMING_DEFAULTS.throughputMiBps,
};

/** Keys only a DR stack reads (a primary that sets one is told: contradictions.ts). */
export const DR_ONLY_KEYS = [
    "primaryStack",
    "restoreSnapshotHandle",
    "restoreStorageSize",
    "restoreSelection",
    "restoreSourceClusterId",
    "restoreSourceResource",
    "restoreBucketName",
    "restoreBucketRegion",
    "restoreBucketKmsKeyArn",
    "restoreThroughputMiBps",
    "restoreCheckSchedule",
    "restoreDownloadSchedule",
    "drMode",
] as const;

/** Reads the DR keys (types only; drConfigChecks checks them, S3SnapshotShipping's validation the image). Every stack reads them. */
export function readDrConfig(r: ConfigReader): DrConfig {
    return {
        primaryStack: r.optionalString("primaryStack"),
        drMode: r.choice<DrMode>("drMode", DR_DEFAULTS.drMode),
        restoreSnapshotHandle: r.optionalString("restoreSnapshotHandle"),
        restoreSelection: r.integer("restoreSelection", DR_DEFAULTS.restoreSelection),
        restoreSourceClusterId: r.optionalString("restoreSourceClusterId"),
        restoreSourceResource: r.optionalString("restoreSourceResource"),
        restoreBucketName: r.optionalString("restoreBucketName"),
        restoreBucketRegion: r.optionalString("restoreBucketRegion"),
        restoreBucketKmsKeyArn: r.optionalString("restoreBucketKmsKeyArn"),
        restoreStorageSize: r.optionalString("restoreStorageSize"),
        restoreThroughputMiBps: r.integer("restoreThroughputMiBps", DR_DEFAULTS.restoreThroughputMiBps),
        restoreCheckSchedule: r.optionalString("restoreCheckSchedule"),
        restoreDownloadSchedule: r.optionalString("restoreDownloadSchedule"),
        remoteJobImage: r.string("remoteJobImage", DR_DEFAULTS.remoteJobImage),
        drSnapshotsEnabled: r.boolean("drSnapshotsEnabled", false),
        restoreReleaseChain: r.boolean("restoreReleaseChain", true),
    };
}

/** The DR keys' own checks, one per entry (loadConfig runs them all and reports every problem at once). */
export function drConfigChecks(dr: DrConfig, r: ConfigReader, storageSize: QuantityRule): (() => void)[] {
    return [
        () =>
            r
                .check("primaryStack")
                .ifSet.matches(
                    dr.primaryStack,
                    /^[^/\s]+\/[^/\s]+\/[^/\s]+$/,
                    "Use the primary's fully qualified stack name <org>/<project>/<stack>, e.g. acme/ha-jenkins-eks/dev.",
                ),
        () => r.check("drMode").oneOf(dr.drMode, DR_MODES),
        () =>
            r.check("restoreSourceClusterId").ifSet.matches(
                dr.restoreSourceClusterId,
                // LINSTOR's Cluster/LocalID is a UUID (linstor-server InternalApiConsts.KEY_CLUSTER_LOCAL_ID, read back with
                // UUID.fromString); backupCatalog.ts lists a meta without one as unknown:<resource>.
                /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|unknown:[A-Za-z0-9_][A-Za-z0-9_-]*)$/i,
                "Use the LINSTOR cluster UUID the refusal lists (the `clusterId` of a backup's meta object, `linstor controller list-properties | grep Cluster/LocalID`), or unknown:<resource> as listed for a meta without one.",
            ),
        () =>
            r
                .check("restoreSourceResource")
                // linstor-csi's own rule for the names it gives resources (pkg/client/linstor.go validResourceName, v1.11.3).
                .ifSet.matches(
                    dr.restoreSourceResource,
                    /^[A-Za-z_][A-Za-z0-9_-]{1,47}$/,
                    "Use a LINSTOR resource name such as pvc-<claim UID> (the Jenkins PV's spec.csi.volumeHandle on the primary).",
                ),
        () => r.check("restoreSelection").integer(dr.restoreSelection, { min: 1 }, "(raise it by one to choose the newest backup again)"),
        () => r.check("restoreThroughputMiBps").integer(dr.restoreThroughputMiBps, { min: 1, max: 10000 }, "(MiB/s)"),
        () => r.check("restoreCheckSchedule").ifSet.cron(dr.restoreCheckSchedule),
        () => r.check("restoreDownloadSchedule").ifSet.cron(dr.restoreDownloadSchedule),
        // Becomes the restored Jenkins' storageSize.
        () => r.check("restoreStorageSize").ifSet.quantity(dr.restoreStorageSize, storageSize),
        () => {
            if (dr.restoreSnapshotHandle !== undefined && !isSnapshotHandle(dr.restoreSnapshotHandle)) {
                r.fail("restoreSnapshotHandle", dr.restoreSnapshotHandle, `Not a linstor-csi snapshot handle. ${HANDLE_FORMS}`);
            }
        },
        () => r.check("restoreBucketRegion").ifSet.awsRegion(dr.restoreBucketRegion),
        () => {
            if (dr.restoreBucketName !== undefined && dr.restoreBucketRegion === undefined) {
                r.fail("restoreBucketRegion", undefined, "Name the region of restoreBucketName (S3 needs it to reach the bucket).");
            }
            // Named after the stray key (the one given), which is what the user wrote.
            if (dr.restoreBucketName === undefined) {
                const stray = (["restoreBucketRegion", "restoreBucketKmsKeyArn"] as const).filter((k) => dr[k] !== undefined);
                if (stray.length > 0) {
                    throw ConfigError.all(
                        stray.map(
                            (k) =>
                                new ConfigError(
                                    r.fullKey(k),
                                    dr[k],
                                    "It describes the bucket restoreBucketName names, which is not set: set restoreBucketName too, or remove it.",
                                ),
                        ),
                    );
                }
            }
        },
        () => {
            // SSE-KMS objects are decrypted with a key of the bucket's region.
            const arn = dr.restoreBucketKmsKeyArn === undefined ? undefined : parseArn(dr.restoreBucketKmsKeyArn);
            if (arn !== undefined && dr.restoreBucketRegion !== undefined && arn.region !== dr.restoreBucketRegion) {
                r.fail(
                    "restoreBucketKmsKeyArn",
                    dr.restoreBucketKmsKeyArn,
                    `The bucket is in restoreBucketRegion ${dr.restoreBucketRegion}; its KMS key must be a key of that region, not ${arn.region}.`,
                );
            }
        },
        () => {
            const self = `${PROJECT}/${pulumi.getStack()}`;
            if (dr.primaryStack !== undefined && dr.primaryStack.split("/").slice(1).join("/") === self) {
                r.fail("primaryStack", dr.primaryStack, "This is the DR stack itself: name the primary stack it takes over from.");
            }
        },
        () => {
            if (dr.drMode === "standby" && dr.restoreSnapshotHandle !== undefined) {
                r.fail(
                    "restoreSnapshotHandle",
                    dr.restoreSnapshotHandle,
                    "A standby restores nothing; pin the backup when you fail over (drMode: restore), or remove it.",
                );
            }
            if (dr.drMode === "standby" && dr.drSnapshotsEnabled) {
                r.fail("drSnapshotsEnabled", true, "A standby runs no Jenkins to snapshot; turn it on once the DR copy is live (drMode: restore).");
            }
        },
    ];
}

/** linstor-csi's handle forms (pkg/volume/volume.go ParseSnapshotId at v1.11.3; schedule.ts isSnapshotHandle). */
export const HANDLE_FORMS =
    "Use s3://<remote>/<resource>/<snapshot> (VolumeSnapshotContent status.snapshotHandle, or from `linstor backup list <remote>`: " +
    "s3://<remote>/<origin resource>/<origin snapshot>) or a bare LINSTOR snapshot name such as snapshot-<uuid>.";
