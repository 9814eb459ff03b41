/**
 * Settings, defaults and validation of S3SnapshotShipping. Pure: no resources, so everything here is
 * checked before the component registers anything (a bad value never leaves a half-built bucket).
 */
import { cronProblem, maxScheduleGapSeconds } from "../shared/cron";
import { type Filled, withDefaults } from "../shared/defaults";
import { ARNS, type Check, check, type FieldRules, type KeyOf, validateFields } from "../shared/validation";
import type { LifecycleRule } from "./lifecycle";
import { MAX_LOCAL_SNAPSHOTS_PER_REPLICA, retentionFootprint } from "./retention";
import { SNAPSHOT_NAME_PREFIX } from "./schedule";

// Choices as `as const` objects (name → value): the package schema turns them into enums (analyzer.js extractEnumMembers).
/** S3 Object Lock retention mode. */
export const ObjectLockMode = { GOVERNANCE: "GOVERNANCE", COMPLIANCE: "COMPLIANCE" } as const;
export type ObjectLockMode = (typeof ObjectLockMode)[keyof typeof ObjectLockMode];
export const OBJECT_LOCK_MODES = Object.values(ObjectLockMode);
/** readWrite ships and prunes backups; restoreOnly can only list and read them (DR stack). */
export const BucketAccess = { readWrite: "readWrite", restoreOnly: "restoreOnly" } as const;
export type BucketAccess = (typeof BucketAccess)[keyof typeof BucketAccess];
export const BUCKET_ACCESS = Object.values(BucketAccess);

/** S3 Object Lock default retention of a created bucket. */
export interface ObjectLockSettings {
    readonly mode: ObjectLockMode;
    readonly days: number;
}

/** A bucket this component creates and hardens, in a region other than the cluster's (each field with a default optional). */
export interface CreateBucketInput {
    /** Bucket region (config `snapshotBucketRegion`); must differ from the cluster region. */
    readonly region: string;
    /** Bucket name (`snapshotBucketName`); default `<namePrefix>-snapshots-<region>-<8 hex chars>`. */
    readonly name?: string;
    /** Days a replaced or deleted backup object is kept as a noncurrent version. Default 30. */
    readonly noncurrentVersionExpirationDays?: number;
    /** Days after which an unfinished multipart upload is aborted. Default 7. */
    readonly abortIncompleteMultipartUploadDays?: number;
    /** Expire current objects after N days (off by default; see README before enabling). */
    readonly expireCurrentObjectsAfterDays?: number;
    /**
     * Lifecycle rules other components own for their own key prefixes (LinstorDbBackup's retention:
     * `linstorDbBackupLifecycleRule`). S3 keeps one lifecycle configuration per bucket, so they are added to it.
     */
    readonly prefixRules?: LifecycleRule[];
    /** S3 Object Lock default retention (off by default; LINSTOR compatibility unverified). */
    readonly objectLock?: ObjectLockSettings;
    /** Existing bucket (same region) receiving server access logs; off when unset. */
    readonly accessLogBucket?: string;
    /** Key prefix of the access logs. Default `snapshot-bucket/`. */
    readonly accessLogPrefix?: string;
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

/** The bucket with a created bucket's defaults filled in: one of the two. */
export type BucketSource = { readonly create: CreateBucketSettings } | { readonly existing: ExistingBucket };

/** What S3SnapshotShipping and SnapshotBucket fill in for each field of a created bucket left unset. */
export const CREATE_BUCKET_DEFAULTS = {
    noncurrentVersionExpirationDays: 30,
    abortIncompleteMultipartUploadDays: 7,
    accessLogPrefix: "snapshot-bucket/",
} satisfies Partial<CreateBucketInput>;

/** A created bucket's settings with every field that has a default set. */
export type CreateBucketSettings = Filled<CreateBucketInput, typeof CREATE_BUCKET_DEFAULTS>;

/**
 * Where backups go, as S3SnapshotShipping takes it: exactly one of the two (plain data with optional fields rather
 * than a union, which the package schema cannot express).
 */
export interface BucketSourceInput {
    /** A bucket to create and harden, in another region than the cluster. */
    readonly create?: CreateBucketInput;
    /** A bucket someone else owns (e.g. the primary stack's), only referenced. */
    readonly existing?: ExistingBucket;
}

/** The bucket's settings with every field left unset (or explicitly undefined) at its default. */
export function withCreateBucketDefaults(given: CreateBucketInput): CreateBucketSettings {
    return withDefaults(CREATE_BUCKET_DEFAULTS, given);
}

/** The bucket source with a created bucket's defaults filled in (anything else is returned for validation to judge). */
export function withBucketDefaults(given: BucketSourceInput): BucketSource {
    if (typeof given !== "object" || given === null) return given;
    const { create, existing } = given;
    if (create !== undefined && existing === undefined) return { create: withCreateBucketDefaults(create) };
    if (existing !== undefined && create === undefined) return { existing };
    // Neither or both: left for validation to refuse (S3_SNAPSHOT_RULES.bucket).
    return { ...(create !== undefined ? { create } : {}), ...(existing !== undefined ? { existing } : {}) } as unknown as BucketSource;
}

/** S3SnapshotShipping's settings as its Args take them (each field with a default optional). Field names equal the stack config keys, except the bucket. */
export interface S3SnapshotInput {
    /** Prefix of every resource name (same as LinstorCluster's). */
    readonly namePrefix: string;
    /** A bucket to create (in another region than the cluster) or an existing one to reference. */
    readonly bucket: BucketSourceInput;
    /** LINSTOR remote name; default `s3-<bucket region>`. */
    readonly linstorRemoteName?: string;
    /** VolumeSnapshotClass name. Default `linstor-csi-s3`. */
    readonly snapshotClassName?: string;
    /** Ship only the changes since the previous backup. Default true. */
    readonly snapshotAllowIncremental?: boolean;
    /**
     * linstor-csi also forces a full backup after this many increments (0: no count bound). Default 0: chains are
     * bounded by age (`snapshotFullAfter`), which the schedule itself enforces.
     */
    readonly snapshotMaxIncrements?: number;
    /**
     * Go duration: the schedule takes a full backup (its full class) when its newest ready full is this old, and the
     * incremental class carries it as linstor-csi's `full-snapshot-after`. Default `24h`: a chain, and a daily point, a day.
     */
    readonly snapshotFullAfter?: string;
    /** Current access-key generation (≥1); bump it to rotate. Default 1. */
    readonly s3AccessKeyGeneration?: number;
    /** Generations up to this one are deleted; set it to `generation-1` once LINSTOR uses the new key. */
    readonly s3AccessKeyRetiredGeneration?: number;
    /** Install the snapshot controller and its CRDs (skip if the cluster already has one). Default true. */
    readonly installSnapshotController?: boolean;
    /** Exact version of the piraeus snapshot-controller chart (it ships the CRDs). Default 5.2.0. */
    readonly snapshotControllerChartVersion?: string;
    /** Controller replicas (leader election; a standby survives a zone loss). Default 2. */
    readonly snapshotControllerReplicas?: number;
    /** Run the scheduled snapshot CronJob. Default true. */
    readonly snapshotScheduleEnabled?: boolean;
    /** Five-field cron expression in UTC. Default every 5 minutes (region RPO ≤ 15 min: components/rto). */
    readonly snapshotSchedule?: string;
    /** Keep every scheduled snapshot younger than this many hours (and the chain it builds on). Default 48. */
    readonly snapshotRetentionHours?: number;
    /** Also keep the newest ready full of each UTC day for this many days (0: none). Default 7. */
    readonly snapshotDailyRetentionDays?: number;
    /**
     * GiB of JENKINS_HOME rewritten per hour (distinct blocks): what each local snapshot pins in the thin pools and each
     * increment ships. Sizes the data pool check, the region RPO and the backup cost of the offline plan. Default 0.25.
     */
    readonly snapshotExpectedChurnGiBPerHour?: number;
    /** Pinned kubectl image with bash and jq. Default registry.k8s.io/kubectl:v1.35.1. */
    readonly snapshotJobImage?: string;
    /**
     * LINSTOR snapshots of the Jenkins volume kept locally after each run: the newest this many scheduled ones (the next
     * increment's base and a margin); older ones live on in S3 only. 0: keep every kept snapshot locally (then the
     * retention must fit MAX_LOCAL_SNAPSHOTS_PER_REPLICA). Default 2.
     */
    readonly snapshotLocalSnapshots?: number;
    /** Pinned image with curl and a POSIX shell that deletes the trimmed local snapshots. Default docker.io/curlimages/curl:8.16.0. */
    readonly snapshotTrimImage?: string;
    /** Seconds the job waits for its snapshot to be shipped. Default 2700. */
    readonly snapshotReadyTimeoutSeconds?: number;
    /** Pruning also deletes the S3 backup and LINSTOR's local snapshot (not only Kubernetes objects). Default true. */
    readonly snapshotPruneDeletesBackups?: boolean;
    /** Declare a VolumeSnapshot of the Jenkins volume with this name. */
    readonly onDemandSnapshotName?: string;
    /** Restore the Jenkins volume from this VolumeSnapshot (in the Jenkins namespace) into a new claim. */
    readonly restoreFromSnapshot?: string;
    /** Protect the bucket, its KMS key and the snapshot CRDs from `pulumi destroy`. Default true. */
    readonly protect?: boolean;
    readonly tags: Readonly<Record<string, string>>;
}

/** What S3SnapshotShipping fills in for each of its own fields left unset (its bucket's: CREATE_BUCKET_DEFAULTS). */
export const S3_SNAPSHOT_SETTINGS_DEFAULTS = {
    snapshotClassName: "linstor-csi-s3",
    snapshotAllowIncremental: true,
    snapshotMaxIncrements: 0,
    snapshotFullAfter: "24h",
    s3AccessKeyGeneration: 1,
    installSnapshotController: true,
    // piraeusdatastore/helm-charts: charts/snapshot-controller/Chart.yaml (appVersion v8.6.0, ships the CRDs).
    snapshotControllerChartVersion: "5.2.0",
    snapshotControllerReplicas: 2,
    snapshotScheduleEnabled: true,
    snapshotSchedule: "*/5 * * * *",
    snapshotRetentionHours: 48,
    snapshotDailyRetentionDays: 7,
    snapshotExpectedChurnGiBPerHour: 0.25,
    // Official image: bash, jq, coreutils on debian-base (kubernetes/kubernetes: build/server-image/kubectl/Dockerfile).
    snapshotJobImage: "registry.k8s.io/kubectl:v1.35.1",
    snapshotLocalSnapshots: 2,
    snapshotTrimImage: "docker.io/curlimages/curl:8.16.0",
    snapshotReadyTimeoutSeconds: 2700,
    snapshotPruneDeletesBackups: true,
    protect: true,
} satisfies Partial<S3SnapshotInput>;

const { protect: _protect, ...shippingDefaults } = S3_SNAPSHOT_SETTINGS_DEFAULTS;
/**
 * The stack's defaults by config key: the bucket's under their `snapshotBucket*` keys, S3SnapshotShipping's own
 * except `protect` (the stack's `protectStatefulResources`).
 */
export const S3_SNAPSHOT_DEFAULTS = {
    snapshotBucketNoncurrentVersionDays: CREATE_BUCKET_DEFAULTS.noncurrentVersionExpirationDays,
    snapshotBucketAbortMultipartDays: CREATE_BUCKET_DEFAULTS.abortIncompleteMultipartUploadDays,
    snapshotBucketAccessLogPrefix: CREATE_BUCKET_DEFAULTS.accessLogPrefix,
    ...shippingDefaults,
};

/** Plain, fully-resolved settings: every field with a default is set, the bucket's included. */
export type S3SnapshotSettings = Omit<Filled<S3SnapshotInput, typeof S3_SNAPSHOT_SETTINGS_DEFAULTS>, "bucket"> & { readonly bucket: BucketSource };

/** The settings with every field left unset (or explicitly undefined) at its default, the bucket's included. */
export function withS3SnapshotDefaults(given: S3SnapshotInput): S3SnapshotSettings {
    const s = withDefaults(S3_SNAPSHOT_SETTINGS_DEFAULTS, given);
    return { ...s, bucket: withBucketDefaults(given.bucket) };
}

/** Key prefix (without the trailing '/') of LINSTOR database backups in the snapshot bucket. */
export const LINSTOR_DB_BACKUP_PREFIX = "linstor-db";

/** Go duration subset accepted by linstor-csi's full-snapshot-after (time.ParseDuration). */
const GO_DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Same-geography fallback regions for the bucket when `snapshotBucketRegion` is not set. */
export const DEFAULT_BUCKET_REGIONS: Readonly<Record<string, string>> = {
    "us-east-1": "us-west-2",
    "us-east-2": "us-west-2",
    "us-west-1": "us-east-2",
    "us-west-2": "us-east-2",
    "ca-central-1": "ca-west-1",
    "eu-west-1": "eu-central-1",
    "eu-west-2": "eu-west-1",
    "eu-west-3": "eu-central-1",
    "eu-central-1": "eu-west-1",
    "eu-north-1": "eu-central-1",
    "eu-south-1": "eu-central-1",
    "ap-northeast-1": "ap-northeast-3",
    "ap-northeast-3": "ap-northeast-1",
    "ap-southeast-2": "ap-southeast-4",
    "ap-south-1": "ap-south-2",
};

export function bucketRegion(bucket: BucketSource): string {
    return "create" in bucket ? bucket.create.region : bucket.existing.region;
}

export function bucketAccess(bucket: BucketSource): BucketAccess {
    return "create" in bucket ? "readWrite" : (bucket.existing.access ?? "restoreOnly");
}

export function remoteName(s: Pick<S3SnapshotSettings, "linstorRemoteName" | "bucket">): string {
    return s.linstorRemoteName ?? `s3-${bucketRegion(s.bucket)}`;
}

/** The generated bucket name; `suffix` is a stable random hex string kept in state. */
export function defaultBucketName(namePrefix: string, region: string, suffix: string): string {
    return `${namePrefix}-snapshots-${region}-${suffix}`;
}

/**
 * Why the generated bucket name would be refused by S3 (its `xn--`/`sthree-` prefix comes from namePrefix), or
 * undefined. The 8 hex characters of the suffix never make a name invalid, so any placeholder stands in for them.
 */
export function defaultBucketNameProblem(namePrefix: string, region: string): string | undefined {
    // A malformed region is the region rule's to report, not the prefix's.
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) return undefined;
    const name = defaultBucketName(namePrefix, region, "00000000");
    const problem = bucketNameProblem(name);
    return problem === undefined
        ? undefined
        : `The default bucket name ${name.replace(/0{8}$/, "<8 hex>")} would be refused: ${problem} Choose another prefix or set the bucket name.`;
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

const DAYS = { min: 1, max: 36500 };
/**
 * Floors the policy pack's snapshot-bucket-protected rule enforces by default (policy/rules/bucket.ts
 * MIN_EXPIRATION_DAYS / MIN_WHOLE_BUCKET_EXPIRATION_DAYS): refused here first, so a value the program accepts never
 * fails the pack. Old versions are the backups' undo; a bucket-wide expiry is a last-resort backstop.
 */
const NONCURRENT_DAYS = { min: 7, max: 36500 };
const WHOLE_BUCKET_EXPIRY_DAYS = { min: 90, max: 36500 };
const bucketName = (name: string | undefined, c: Check): void => {
    const problem = name === undefined ? undefined : bucketNameProblem(name);
    if (problem) c.fail(name, problem);
};

/** Prefix rules are well formed, unique, and not overtaken by a shorter bucket-wide expiration. */
function prefixRules(rules: readonly LifecycleRule[] | undefined, c: Check, b: CreateBucketSettings, key: KeyOf): void {
    (rules ?? []).forEach((rule, i) => {
        const prefix = rule.filter.prefix;
        if (prefix === undefined || !/^[a-z0-9][a-z0-9._-]*\/$/.test(prefix)) {
            check(key, `prefixRules[${i}].filter.prefix`).fail(prefix, "A prefix rule applies to one key prefix ending in '/', e.g. linstor-db/.");
        }
        const days = rule.expiration?.days;
        if (days !== undefined && b.expireCurrentObjectsAfterDays !== undefined && b.expireCurrentObjectsAfterDays < days) {
            check(key, "expireCurrentObjectsAfterDays").fail(
                b.expireCurrentObjectsAfterDays,
                `It expires every object sooner than rule ${rule.id} keeps ${prefix} (${days} days); raise it to at least ${days} or shorten that retention.`,
            );
        }
    });
    const ids = (rules ?? []).map((r) => r.id);
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate !== undefined) c.fail(duplicate, "Each prefix rule needs its own id.");
}

/** The bucket S3SnapshotShipping creates (`bucket.create.<field>`). */
export const CREATE_BUCKET_RULES: FieldRules<CreateBucketSettings> = {
    // Must differ from the cluster's region: validateS3SnapshotSettings.
    region: (v, c) => c.awsRegion(v),
    name: (v, c) => bucketName(v, c),
    noncurrentVersionExpirationDays: (v, c) => c.integer(v, NONCURRENT_DAYS, "(days; the policy pack's minExpirationDays)"),
    abortIncompleteMultipartUploadDays: (v, c) => c.integer(v, DAYS, "(days)"),
    expireCurrentObjectsAfterDays: (v, c) => c.ifSet.integer(v, WHOLE_BUCKET_EXPIRY_DAYS, "(days; the policy pack's minWholeBucketExpirationDays)"),
    prefixRules: (v, c, b, key) => prefixRules(v, c, b, key),
    objectLock: (v, _c, _b, key) => {
        if (v === undefined) return;
        check(key, "objectLock.mode").oneOf(v.mode, OBJECT_LOCK_MODES);
        check(key, "objectLock.days").integer(v.days, DAYS, "(days)");
    },
    accessLogBucket: (v, c, b) => {
        bucketName(v, c);
        if (v !== undefined && v === b.name) c.fail(v, "A bucket must not log into itself.");
    },
    accessLogPrefix: (v, c) => c.matches(v, /^[A-Za-z0-9][A-Za-z0-9!_.*'()/-]{0,1023}$/, "Use an S3 key prefix such as snapshot-bucket/."),
};

/** A bucket someone else owns (`bucket.existing.<field>`; in DR, the primary stack's outputs). */
export const EXISTING_BUCKET_RULES: FieldRules<ExistingBucket> = {
    name: (v, c) => {
        c.matches(v, /./, "Name the bucket.");
        bucketName(v, c);
    },
    region: (v, c) => c.awsRegion(v),
    // SSE-KMS keys live in the bucket's region.
    kmsKeyArn: (v, c, b) => c.ifSet.arn(v, ARNS.kmsKey, { name: b.region, why: `The bucket's KMS key must be in its region ${b.region}.` }),
    access: (v, c) => c.ifSet.oneOf(v, BUCKET_ACCESS),
};

const SNAPSHOT_NAME = (v: string | undefined, c: Check) => c.ifSet.dnsLabel(v, { why: "a VolumeSnapshot name" });

/** One rule per field: a library user and a stack user get the same checks (cross-field checks follow). */
export const S3_SNAPSHOT_RULES: FieldRules<S3SnapshotSettings> = {
    namePrefix: (v, c, s) => {
        c.namePrefix(v);
        const create = typeof s.bucket === "object" && s.bucket !== null && "create" in s.bucket ? s.bucket.create : undefined;
        const problem = create?.name === undefined && create?.region !== undefined ? defaultBucketNameProblem(v, create.region) : undefined;
        if (problem) c.fail(v, problem);
    },
    bucket: (v, c, _s, key) => {
        if (typeof v !== "object" || v === null) c.fail(v, "Give either { create: … } or { existing: … }.");
        if ("create" in v && "existing" in v) c.fail(v, "Give either { create: … } or { existing: … }, not both.");
        if ("create" in v) validateFields(v.create, CREATE_BUCKET_RULES, (f) => key(`bucket.create.${f}`));
        else if ("existing" in v) validateFields(v.existing, EXISTING_BUCKET_RULES, (f) => key(`bucket.existing.${f}`));
        else c.fail(v, "Give either { create: … } or { existing: … }.");
    },
    // LINSTOR remote names pass a hostname check; the name also goes into a Secret name (≤ 63).
    linstorRemoteName: (v, c) => c.ifSet.dnsLabel(v, { maxLength: 40, letterFirst: true }),
    snapshotClassName: (v, c) => c.dnsLabel(v),
    snapshotAllowIncremental: (v, c) => c.boolean(v),
    snapshotMaxIncrements: (v, c) => c.integer(v, { min: 0, max: 10000 }, "(0: no count bound)"),
    // With full-only backups a non-default value is refused in validateS3SnapshotSettings.
    snapshotFullAfter: (v, c) => {
        if (!parseGoDurationSeconds(v)) c.fail(v, "Use a positive Go duration in hours/minutes/seconds, e.g. 24h or 168h.");
    },
    s3AccessKeyGeneration: (v, c) => c.integer(v, { min: 1 }),
    s3AccessKeyRetiredGeneration: (v, c, s, key) => c.retiredGeneration(v, s.s3AccessKeyGeneration, key("s3AccessKeyGeneration")),
    installSnapshotController: (v, c) => c.boolean(v),
    snapshotControllerChartVersion: (v, c) => c.exactVersion(v, S3_SNAPSHOT_SETTINGS_DEFAULTS.snapshotControllerChartVersion),
    snapshotControllerReplicas: (v, c) => c.integer(v, { min: 1, max: 5 }),
    snapshotScheduleEnabled: (v, c) => c.boolean(v),
    snapshotSchedule: (v, c) => c.cron(v),
    snapshotRetentionHours: (v, c) => c.integer(v, { min: 1, max: 8760 }, "(hours every scheduled snapshot is kept)"),
    snapshotDailyRetentionDays: (v, c) => c.integer(v, { min: 0, max: 3660 }, "(days a daily full is kept)"),
    snapshotExpectedChurnGiBPerHour: (v, c) => {
        if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || v > 1024) {
            c.fail(v, "Use the GiB of JENKINS_HOME rewritten per hour, > 0 and ≤ 1024, e.g. 0.25 (components/snapshots/README.md: measuring churn).");
        }
    },
    snapshotJobImage: (v, c) => c.pinnedImage(v, "it needs bash and jq"),
    snapshotLocalSnapshots: (v, c) => c.integer(v, { min: 0, max: 16 }, "(local snapshots kept after each run; 0: all)"),
    snapshotTrimImage: (v, c) => c.pinnedImage(v, "it needs curl and a POSIX shell"),
    snapshotReadyTimeoutSeconds: (v, c) => c.integer(v, { min: 60, max: 86400 }, "(seconds)"),
    snapshotPruneDeletesBackups: (v, c) => c.boolean(v),
    onDemandSnapshotName: (v, c, s) => {
        SNAPSHOT_NAME(v, c);
        if (v !== undefined && v === s.restoreFromSnapshot) {
            c.fail(v, "Must differ from restoreFromSnapshot: the on-demand snapshot is taken of the restored claim.");
        }
        // The prune account may change (and so delete) the contents of snapshots named like the schedule's
        // (scheduleResources.ts pruneGuardPolicySpec): an on-demand backup must stay out of its reach.
        if (typeof v === "string" && v.startsWith(`${SNAPSHOT_NAME_PREFIX}-`)) {
            c.fail(v, `Must not start with "${SNAPSHOT_NAME_PREFIX}-", the scheduled snapshots' prefix, which the schedule may prune.`);
        }
    },
    restoreFromSnapshot: SNAPSHOT_NAME,
    protect: (v, c) => c.boolean(v),
    tags: (v, c) => c.stringMap(v),
};

/** The image of the Job that registers a foreign bucket as LINSTOR's S3 remote (S3SnapshotShippingArgs.remoteJobImage). */
export function validateRemoteJobImage(image: string | undefined, key: KeyOf): void {
    check(key, "remoteJobImage").ifSet.pinnedImage(image, "it needs curl and a POSIX shell");
}

export interface ValidationContext {
    /** Region of the cluster the component deploys into. */
    readonly clusterRegion: string;
}

/**
 * Validates the settings as S3SnapshotShipping takes them, each unset field at its default (as the component fills
 * it): every field (S3_SNAPSHOT_RULES; the bucket's as `bucket.create.<field>` or `bucket.existing.<field>`), then
 * what depends on several. Throws ConfigError naming `key(field)`.
 */
export function validateS3SnapshotSettings(given: S3SnapshotInput, ctx: ValidationContext, key: KeyOf): void {
    const s = withS3SnapshotDefaults(given);
    validateFields(s, S3_SNAPSHOT_RULES, key);
    if ("create" in s.bucket && s.bucket.create.region === ctx.clusterRegion) {
        check(key, "bucket.create.region").fail(
            s.bucket.create.region,
            `Must differ from the cluster region ${ctx.clusterRegion}: backups in the same region do not survive a regional outage.`,
        );
    }
    // A value other than the default contradicts full-only backups (the default itself is simply unused then).
    if (!s.snapshotAllowIncremental && s.snapshotFullAfter !== S3_SNAPSHOT_SETTINGS_DEFAULTS.snapshotFullAfter) {
        check(key, "snapshotFullAfter").fail(
            s.snapshotFullAfter,
            `Only incremental backups form chains to bound; with ${key("snapshotAllowIncremental")} false every backup is full. Remove it.`,
        );
    }
    if ("create" in s.bucket && s.bucket.create.expireCurrentObjectsAfterDays !== undefined) {
        refuseExpiringKeptBackups(s, s.bucket.create.expireCurrentObjectsAfterDays, key);
    }
    refuseTooManyLocalSnapshots(s, key);
}

/** The hard limit on LINSTOR snapshots per replica (retention.ts MAX_LOCAL_SNAPSHOTS_PER_REPLICA). */
function refuseTooManyLocalSnapshots(s: S3SnapshotSettings, key: KeyOf): void {
    const local = retentionFootprint(s, 1)?.localSnapshots ?? 0;
    if (local <= MAX_LOCAL_SNAPSHOTS_PER_REPLICA) return;
    check(key, "snapshotLocalSnapshots").fail(
        s.snapshotLocalSnapshots,
        `With it the retention keeps up to ${local} LINSTOR snapshots on every replica of the Jenkins volume; at most ` +
            `${MAX_LOCAL_SNAPSHOTS_PER_REPLICA} are allowed (each is a thin LV in LVM's metadata area, an I/O suspension and ` +
            `dozens of LINSTOR objects). Use 1–16 (S3 keeps the retention, the thin pools only the newest), or shorten ` +
            `${key("snapshotRetentionHours")}, ${key("snapshotFullAfter")}, ${key("snapshotDailyRetentionDays")} or ${key("snapshotSchedule")}.`,
    );
}

/**
 * S3 expires a current object by its age, whatever builds on it: the expiration must come after the oldest backup the
 * retention keeps or a kept increment builds on (retention.ts oldestKeptHours), or a kept backup would lose its data
 * or its chain's full. One more day, as S3 runs lifecycle rules once a day (rounding to the next midnight UTC).
 */
function refuseExpiringKeptBackups(s: S3SnapshotSettings, days: number, key: KeyOf): void {
    const footprint = retentionFootprint(s, 1);
    const keptHours = footprint?.oldestKeptHours ?? 0;
    const needed = Math.ceil(keptHours / 24) + 1;
    if (days >= needed) return;
    check(key, "bucket.create.expireCurrentObjectsAfterDays").fail(
        days,
        `The retention keeps backups (and the fulls kept increments build on) up to ${Math.ceil(keptHours)} h old; expiring ` +
            `current objects sooner deletes data a kept backup needs. Use at least ${needed} days, shorten ` +
            `${key("snapshotDailyRetentionDays")}, ${key("snapshotRetentionHours")} or ${key("snapshotFullAfter")}, or leave expiration off.`,
    );
}
