/**
 * Settings, defaults and validation of S3SnapshotShipping. Pure: no resources, so everything here is
 * checked before the component registers anything (a bad value never leaves a half-built bucket).
 */
import { cronProblem, maxScheduleGapSeconds } from "../shared/cron";
import { ConfigError } from "../shared/errors";
import type { KeyOf } from "../linstorCluster/settings";
import type { LifecycleRule } from "./lifecycle";

export const OBJECT_LOCK_MODES = ["GOVERNANCE", "COMPLIANCE"] as const;
export type ObjectLockMode = (typeof OBJECT_LOCK_MODES)[number];
export const BUCKET_ACCESS = ["readWrite", "restoreOnly"] as const;
/** readWrite ships and prunes backups; restoreOnly can only list and read them (DR stack). */
export type BucketAccess = (typeof BUCKET_ACCESS)[number];

/** A bucket this component creates and hardens, in a region other than the cluster's. */
export interface CreateBucketSettings {
    /** Bucket region (config `snapshotBucketRegion`); must differ from the cluster region. */
    readonly region: string;
    /** Bucket name (`snapshotBucketName`); default `<namePrefix>-snapshots-<region>-<8 hex chars>`. */
    readonly name?: string;
    /** Days a replaced or deleted backup object is kept as a noncurrent version. Default 30. */
    readonly noncurrentVersionExpirationDays: number;
    /** Days after which an unfinished multipart upload is aborted. Default 7. */
    readonly abortIncompleteMultipartUploadDays: number;
    /** Expire current objects after N days (off by default; see README before enabling). */
    readonly expireCurrentObjectsAfterDays?: number;
    /**
     * Lifecycle rules other components own for their own key prefixes (LinstorDbBackup's retention:
     * `linstorDbBackupLifecycleRule`). S3 keeps one lifecycle configuration per bucket, so they are added to it.
     */
    readonly prefixRules?: readonly LifecycleRule[];
    /** S3 Object Lock default retention (off by default; LINSTOR compatibility unverified). */
    readonly objectLock?: { readonly mode: ObjectLockMode; readonly days: number };
    /** Existing bucket (same region) receiving server access logs; off when unset. */
    readonly accessLogBucket?: string;
    /** Key prefix of the access logs. Default `snapshot-bucket/`. */
    readonly accessLogPrefix: string;
}

/** A bucket someone else owns (e.g. the primary stack's), only referenced. */
export interface ExistingBucket {
    readonly name: string;
    readonly region: string;
    /** KMS key of the bucket's SSE-KMS default encryption; omit for SSE-S3 buckets. */
    readonly kmsKeyArn?: string;
    /** Default restoreOnly. */
    readonly access?: BucketAccess;
}

export type BucketSource = { readonly create: CreateBucketSettings } | { readonly existing: ExistingBucket };

/** Plain, fully-resolved settings. Field names equal the stack config keys, except the bucket union. */
export interface S3SnapshotSettings {
    /** Prefix of every resource name (same as LinstorCluster's). */
    readonly namePrefix: string;
    readonly bucket: BucketSource;
    /** LINSTOR remote name; default `s3-<bucket region>`. */
    readonly linstorRemoteName?: string;
    /** VolumeSnapshotClass name. Default `linstor-csi-s3`. */
    readonly snapshotClassName: string;
    /** Ship only the changes since the previous backup. Default true. */
    readonly snapshotAllowIncremental: boolean;
    /** Force a full backup after this many increments (0 = never). Default 23 (a full per day at hourly). */
    readonly snapshotMaxIncrements: number;
    /** Force a full backup when the chain's full is older than this Go duration, e.g. `168h`. */
    readonly snapshotFullAfter?: string;
    /** Current access-key generation (≥1); bump it to rotate. Default 1. */
    readonly s3AccessKeyGeneration: number;
    /** Generations up to this one are deleted; set it to `generation-1` once LINSTOR uses the new key. */
    readonly s3AccessKeyRetiredGeneration?: number;
    /** Install the snapshot controller and its CRDs (skip if the cluster already has one). Default true. */
    readonly installSnapshotController: boolean;
    readonly snapshotControllerChartVersion: string;
    /** Controller replicas (leader election; a standby survives a zone loss). Default 2. */
    readonly snapshotControllerReplicas: number;
    /** Run the scheduled snapshot CronJob. Default true. */
    readonly snapshotScheduleEnabled: boolean;
    /** Five-field cron expression in UTC. Default hourly `0 * * * *`. */
    readonly snapshotSchedule: string;
    /** Ready scheduled snapshots to keep. Default 48. */
    readonly snapshotRetention: number;
    /** Pinned kubectl image with bash and jq. */
    readonly snapshotJobImage: string;
    /** Seconds the job waits for its snapshot to be shipped. Default 2700. */
    readonly snapshotReadyTimeoutSeconds: number;
    /** Pruning also deletes the S3 backup and LINSTOR's local snapshot (not only Kubernetes objects). Default true. */
    readonly snapshotPruneDeletesBackups: boolean;
    /** Declare a VolumeSnapshot of the Jenkins volume with this name. */
    readonly onDemandSnapshotName?: string;
    /** Restore the Jenkins volume from this VolumeSnapshot (in the Jenkins namespace) into a new claim. */
    readonly restoreFromSnapshot?: string;
    /** Protect the bucket, its KMS key and the snapshot CRDs from `pulumi destroy`. Default true. */
    readonly protect: boolean;
    readonly tags: Readonly<Record<string, string>>;
}

export const S3_SNAPSHOT_DEFAULTS = {
    snapshotBucketNoncurrentVersionDays: 30,
    snapshotBucketAbortMultipartDays: 7,
    snapshotBucketAccessLogPrefix: "snapshot-bucket/",
    snapshotClassName: "linstor-csi-s3",
    snapshotAllowIncremental: true,
    snapshotMaxIncrements: 23,
    s3AccessKeyGeneration: 1,
    installSnapshotController: true,
    // piraeusdatastore/helm-charts: charts/snapshot-controller/Chart.yaml (appVersion v8.6.0, ships the CRDs).
    snapshotControllerChartVersion: "5.2.0",
    snapshotControllerReplicas: 2,
    snapshotScheduleEnabled: true,
    snapshotSchedule: "0 * * * *",
    snapshotRetention: 48,
    // Official image: bash, jq, coreutils on debian-base (kubernetes/kubernetes: build/server-image/kubectl/Dockerfile).
    snapshotJobImage: "registry.k8s.io/kubectl:v1.35.1",
    snapshotReadyTimeoutSeconds: 2700,
    snapshotPruneDeletesBackups: true,
};

/** Key prefix (without the trailing '/') of LINSTOR database backups in the snapshot bucket. */
export const LINSTOR_DB_BACKUP_PREFIX = "linstor-db";

export const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** LINSTOR remote names pass a hostname check; we also need them inside a Secret name (≤63). */
const REMOTE_NAME = /^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/;
/** Go duration subset accepted by linstor-csi's full-snapshot-after (time.ParseDuration). */
const GO_DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const KMS_KEY_ARN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):\d{12}:key\/[0-9a-zA-Z-]+$/;
export const PINNED_IMAGE = /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** Same-geography fallback regions for the bucket when `snapshotBucketRegion` is not set. */
export const DEFAULT_BUCKET_REGIONS: Readonly<Record<string, string>> = {
    "us-east-1": "us-west-2", "us-east-2": "us-west-2", "us-west-1": "us-east-2", "us-west-2": "us-east-2",
    "ca-central-1": "ca-west-1", "eu-west-1": "eu-central-1", "eu-west-2": "eu-west-1", "eu-west-3": "eu-central-1",
    "eu-central-1": "eu-west-1", "eu-north-1": "eu-central-1", "eu-south-1": "eu-central-1",
    "ap-northeast-1": "ap-northeast-3", "ap-northeast-3": "ap-northeast-1", "ap-southeast-2": "ap-southeast-4",
    "ap-south-1": "ap-south-2",
};

export function bucketRegion(bucket: BucketSource): string {
    return "create" in bucket ? bucket.create.region : bucket.existing.region;
}

export function bucketAccess(bucket: BucketSource): BucketAccess {
    return "create" in bucket ? "readWrite" : bucket.existing.access ?? "restoreOnly";
}

export function remoteName(s: Pick<S3SnapshotSettings, "linstorRemoteName" | "bucket">): string {
    return s.linstorRemoteName ?? `s3-${bucketRegion(s.bucket)}`;
}

/** The generated bucket name; `suffix` is a stable random hex string kept in state. */
export function defaultBucketName(namePrefix: string, region: string, suffix: string): string {
    return `${namePrefix}-snapshots-${region}-${suffix}`;
}

/** Access-key generations that exist: the current one and, until retired, the previous one. */
export function liveGenerations(generation: number, retired = Math.max(0, generation - 2)): number[] {
    return [generation - 1, generation].filter((g) => g >= 1 && g > retired);
}

export function parseGoDurationSeconds(value: string): number | undefined {
    const m = GO_DURATION.exec(value);
    if (!m || value === "") return undefined;
    return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** S3 general-purpose bucket naming rules, without dots (they break TLS for virtual-hosted requests). */
export function bucketNameProblem(name: string): string | undefined {
    if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name)) {
        return "Use 3–63 lowercase letters, digits or '-', starting and ending with a letter or digit (no dots).";
    }
    if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(name)) {
        return "S3 reserves this prefix or suffix.";
    }
    return undefined;
}

/** Cron parsing lives with the validation kit (shared/cron.ts); re-exported for the schedule builders. */
export { cronProblem, maxScheduleGapSeconds };

function validateCreateBucket(b: CreateBucketSettings, clusterRegion: string, key: KeyOf): void {
    if (!AWS_REGION.test(b.region)) {
        throw new ConfigError(key("snapshotBucketRegion"), b.region, "Use an AWS region name such as eu-central-1.");
    }
    if (b.region === clusterRegion) {
        throw new ConfigError(key("snapshotBucketRegion"), b.region,
            `Must differ from the cluster region ${clusterRegion}: backups in the same region do not survive a regional outage.`);
    }
    if (b.name !== undefined) {
        const problem = bucketNameProblem(b.name);
        if (problem) throw new ConfigError(key("snapshotBucketName"), b.name, problem);
    }
    const days: [string, number | undefined, boolean][] = [
        ["snapshotBucketNoncurrentVersionDays", b.noncurrentVersionExpirationDays, true],
        ["snapshotBucketAbortMultipartDays", b.abortIncompleteMultipartUploadDays, true],
        ["snapshotBucketExpireCurrentObjectsDays", b.expireCurrentObjectsAfterDays, false],
        ["snapshotBucketObjectLockDays", b.objectLock?.days, b.objectLock !== undefined],
    ];
    for (const [field, value, required] of days) {
        if ((required || value !== undefined) && (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 36500)) {
            throw new ConfigError(key(field), value, "Must be a whole number of days from 1 to 36500.");
        }
    }
    validatePrefixRules(b, key);
    if (b.objectLock && !OBJECT_LOCK_MODES.includes(b.objectLock.mode)) {
        throw new ConfigError(key("snapshotBucketObjectLockMode"), b.objectLock.mode, `Allowed: ${OBJECT_LOCK_MODES.join(", ")}.`);
    }
    if (b.accessLogBucket !== undefined) {
        const problem = bucketNameProblem(b.accessLogBucket) ??
            (b.accessLogBucket === b.name ? "A bucket must not log into itself." : undefined);
        if (problem) throw new ConfigError(key("snapshotBucketAccessLogBucket"), b.accessLogBucket, problem);
    }
}

function validateExistingBucket(b: ExistingBucket, key: KeyOf): void {
    const problem = bucketNameProblem(b.name);
    if (problem) throw new ConfigError(key("snapshotBucketName"), b.name, problem);
    if (!AWS_REGION.test(b.region)) {
        throw new ConfigError(key("snapshotBucketRegion"), b.region, "Use an AWS region name such as eu-central-1.");
    }
    if (b.kmsKeyArn !== undefined) {
        const m = KMS_KEY_ARN.exec(b.kmsKeyArn);
        if (!m || m[2] !== b.region) {
            throw new ConfigError(key("snapshotKmsKeyArn"), b.kmsKeyArn,
                `Use the ARN of the bucket's KMS key (arn:aws:kms:${b.region}:<account>:key/<id>); SSE-KMS keys live in the bucket's region.`);
        }
    }
    if (b.access !== undefined && !BUCKET_ACCESS.includes(b.access)) {
        throw new ConfigError(key("snapshotBucketAccess"), b.access, `Allowed: ${BUCKET_ACCESS.join(", ")}.`);
    }
}

function validateGenerations(s: S3SnapshotSettings, key: KeyOf): void {
    const g = s.s3AccessKeyGeneration;
    if (!Number.isInteger(g) || g < 1) throw new ConfigError(key("s3AccessKeyGeneration"), g, "Must be an integer ≥ 1.");
    const retired = s.s3AccessKeyRetiredGeneration;
    if (retired === undefined) {
        if (g >= 3) {
            // Every earlier rotation ended by retiring the old key; without it, generation g-2's key would still
            // exist and IAM's limit of two keys per user would fail the new key's creation.
            throw new ConfigError(key("s3AccessKeyRetiredGeneration"), retired,
                `At generation ${g}, set it to ${g - 2} (or ${g - 1}). If generation ${g - 2}'s key still exists, first go back to ` +
                `s3AccessKeyGeneration ${g - 1}, set s3AccessKeyRetiredGeneration ${g - 2}, pulumi up, then bump again.`);
        }
        return;
    }
    const min = Math.max(0, g - 2);
    if (!Number.isInteger(retired) || retired < min || retired > g - 1) {
        throw new ConfigError(key("s3AccessKeyRetiredGeneration"), retired,
            `With s3AccessKeyGeneration ${g}, allowed: ${min === g - 1 ? min : `${min} (keep the previous key) or ${g - 1} (delete it)`}; ` +
            "IAM allows two keys per user and the current key can never be retired.");
    }
}

function validateSchedule(s: S3SnapshotSettings, key: KeyOf): void {
    const cron = cronProblem(s.snapshotSchedule) ??
        (maxScheduleGapSeconds(s.snapshotSchedule) === undefined ? "This schedule never runs (no such date)." : undefined);
    if (cron) throw new ConfigError(key("snapshotSchedule"), s.snapshotSchedule, cron);
    if (!Number.isInteger(s.snapshotRetention) || s.snapshotRetention < 1 || s.snapshotRetention > 1000) {
        throw new ConfigError(key("snapshotRetention"), s.snapshotRetention, "Keep at least 1 and at most 1000 scheduled snapshots.");
    }
    validatePinnedImage(s.snapshotJobImage, key("snapshotJobImage"), "it needs bash and jq");
    const t = s.snapshotReadyTimeoutSeconds;
    if (!Number.isInteger(t) || t < 60 || t > 86400) {
        throw new ConfigError(key("snapshotReadyTimeoutSeconds"), t, "Must be whole seconds from 60 to 86400.");
    }
}

export interface ValidationContext {
    /** Region of the cluster the component deploys into. */
    readonly clusterRegion: string;
}

/** Validates settings; throws ConfigError naming `key(field)` (config key names). */
export function validateS3SnapshotSettings(s: S3SnapshotSettings, ctx: ValidationContext, key: KeyOf): void {
    if (!/^[a-z][a-z0-9-]{1,22}$/.test(s.namePrefix)) {
        throw new ConfigError(key("namePrefix"), s.namePrefix, "Use 2–23 lowercase letters, digits or '-', starting with a letter.");
    }
    if ("create" in s.bucket) validateCreateBucket(s.bucket.create, ctx.clusterRegion, key);
    else validateExistingBucket(s.bucket.existing, key);
    const remote = remoteName(s);
    if (!REMOTE_NAME.test(remote)) {
        throw new ConfigError(key("linstorRemoteName"), remote, "Use 1–40 lowercase letters, digits or '-', starting with a letter.");
    }
    if (!DNS_LABEL.test(s.snapshotClassName)) {
        throw new ConfigError(key("snapshotClassName"), s.snapshotClassName, "Use a DNS label (lowercase letters, digits, '-'; ≤63).");
    }
    if (!Number.isInteger(s.snapshotMaxIncrements) || s.snapshotMaxIncrements < 0 || s.snapshotMaxIncrements > 10000) {
        throw new ConfigError(key("snapshotMaxIncrements"), s.snapshotMaxIncrements, "Must be an integer from 0 (unbounded) to 10000.");
    }
    const fullAfter = s.snapshotFullAfter === undefined ? undefined : parseGoDurationSeconds(s.snapshotFullAfter);
    if (s.snapshotFullAfter !== undefined && !fullAfter) {
        throw new ConfigError(key("snapshotFullAfter"), s.snapshotFullAfter, "Use a positive Go duration in hours/minutes/seconds, e.g. 24h or 168h.");
    }
    const chainBounded = s.snapshotMaxIncrements > 0 || fullAfter !== undefined;
    if (s.snapshotAllowIncremental && s.snapshotPruneDeletesBackups && s.snapshotScheduleEnabled && !chainBounded) {
        throw new ConfigError(key("snapshotMaxIncrements"), s.snapshotMaxIncrements,
            "An unbounded incremental chain can never be pruned (linstor-csi keeps every backup another one is based on); " +
            "set snapshotMaxIncrements ≥ 1 or snapshotFullAfter, or snapshotAllowIncremental: false.");
    }
    if ("create" in s.bucket && s.bucket.create.expireCurrentObjectsAfterDays !== undefined && s.snapshotAllowIncremental) {
        const days = s.bucket.create.expireCurrentObjectsAfterDays;
        if (fullAfter === undefined || fullAfter >= days * 86400) {
            throw new ConfigError(key("snapshotBucketExpireCurrentObjectsDays"), days,
                "Expiring current objects would delete the full backup that newer increments depend on; with incremental " +
                `backups also set snapshotFullAfter shorter than ${days} days (e.g. ${Math.max(1, days - 1) * 24}h), or leave expiration off.`);
        }
    }
    validateGenerations(s, key);
    if (!SEMVER.test(s.snapshotControllerChartVersion)) {
        throw new ConfigError(key("snapshotControllerChartVersion"), s.snapshotControllerChartVersion,
            "Pin an exact chart version such as 5.2.0 (no ranges, no 'latest').");
    }
    if (!Number.isInteger(s.snapshotControllerReplicas) || s.snapshotControllerReplicas < 1 || s.snapshotControllerReplicas > 5) {
        throw new ConfigError(key("snapshotControllerReplicas"), s.snapshotControllerReplicas, "Must be an integer from 1 to 5.");
    }
    validateSchedule(s, key);
    for (const field of ["onDemandSnapshotName", "restoreFromSnapshot"] as const) {
        const name = s[field];
        if (name !== undefined && !DNS_LABEL.test(name)) {
            throw new ConfigError(key(field), name, "Use a DNS-1123 label: lowercase letters, digits and '-', at most 63 characters.");
        }
    }
    if (s.onDemandSnapshotName !== undefined && s.onDemandSnapshotName === s.restoreFromSnapshot) {
        throw new ConfigError(key("onDemandSnapshotName"), s.onDemandSnapshotName,
            "Must differ from restoreFromSnapshot: the on-demand snapshot is taken of the restored claim.");
    }
}

export const isDnsLabel = (s: string): boolean => DNS_LABEL.test(s);

/** A container image pinned by exact tag or digest (no `latest`, no untagged name). */
export function validatePinnedImage(image: string, key: string, needs: string): void {
    if (!PINNED_IMAGE.test(image) || !/[:@]/.test(image.split("/").pop() ?? "") || /:latest(@|$)/.test(image)) {
        throw new ConfigError(key, image, `Pin an image by exact tag or digest, e.g. registry.k8s.io/kubectl:v1.35.1 (no 'latest'); ${needs}.`);
    }
}

/** Prefix rules are well formed, unique, and not overtaken by a shorter bucket-wide expiration. */
function validatePrefixRules(b: CreateBucketSettings, key: KeyOf): void {
    const rules = b.prefixRules ?? [];
    rules.forEach((rule, i) => {
        const prefix = rule.filter.prefix;
        if (prefix === undefined || !/^[a-z0-9][a-z0-9._-]*\/$/.test(prefix)) {
            throw new ConfigError(key(`prefixRules[${i}].filter.prefix`), prefix, "A prefix rule applies to one key prefix ending in '/', e.g. linstor-db/.");
        }
        const days = rule.expiration?.days;
        if (days !== undefined && b.expireCurrentObjectsAfterDays !== undefined && b.expireCurrentObjectsAfterDays < days) {
            throw new ConfigError(key("snapshotBucketExpireCurrentObjectsDays"), b.expireCurrentObjectsAfterDays,
                `It expires every object sooner than rule ${rule.id} keeps ${prefix} (${days} days); ` +
                `raise it to at least ${days} or shorten that retention.`);
        }
    });
    const ids = rules.map((r) => r.id);
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate !== undefined) throw new ConfigError(key("prefixRules"), duplicate, "Each prefix rule needs its own id.");
}
