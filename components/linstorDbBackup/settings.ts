/**
 * LinstorDbBackup's settings: Args, defaults and validation, plus what the settings tell other components (its
 * schedule for monitoring, its bucket rule) and the names derived from them (key prefix, credential Secrets).
 * What the export Job runs and may do (script, CronJob spec, RBAC rules, upload policy) is in exportJob.ts.
 */
import { cronProblem, maxScheduleGapSeconds } from "../shared/cron";
import { type Filled, withDefaults } from "../shared/defaults";
import type { ScheduledJob } from "../shared/schedule";
import { check, type FieldRules, type KeyOf, validateFields } from "../shared/validation";
import type { LifecycleRule } from "../snapshots/lifecycle";
import { LINSTOR_DB_BACKUP_PREFIX, liveGenerations } from "../snapshots/settings";

/** Name of the CronJob, its ServiceAccount and Role, and the stem of the credential Secrets. */
export const BACKUP_NAME = "linstor-db-backup";

/** LinstorDbBackup's settings as its Args take them: each field with a default is optional. Field names equal the stack config keys. */
export interface LinstorDbBackupInput {
    /** Five-field cron expression in UTC. Default daily `30 2 * * *`. */
    readonly linstorDbBackupSchedule?: string;
    /** Days a backup stays current before the bucket's lifecycle rule expires it. Default 30. */
    readonly linstorDbBackupRetentionDays?: number;
    /** Pinned kubectl image with bash, jq, tar, gzip and sha256sum (exports and packs). Default registry.k8s.io/kubectl:v1.35.1. */
    readonly linstorDbBackupKubectlImage?: string;
    /** Pinned AWS CLI v2 image (uploads). Default public.ecr.aws/aws-cli/aws-cli:2.32.9. */
    readonly linstorDbBackupAwsCliImage?: string;
    /** Current access-key generation (≥1); bump it to rotate. Default 1. */
    readonly linstorDbBackupAccessKeyGeneration?: number;
    /** Generations up to this one are deleted; set it to `generation-1` once a backup ran with the new key. */
    readonly linstorDbBackupAccessKeyRetiredGeneration?: number;
}

/** What LinstorDbBackup fills in for each of its own fields left unset (no stack-only key: see LINSTOR_DB_BACKUP_DEFAULTS). */
export const LINSTOR_DB_BACKUP_SETTINGS_DEFAULTS = {
    linstorDbBackupSchedule: "30 2 * * *",
    linstorDbBackupRetentionDays: 30,
    // kubernetes/kubernetes: build/server-image/kubectl/Dockerfile (debian-base + bash, jq, coreutils; tar, gzip from the base).
    linstorDbBackupKubectlImage: "registry.k8s.io/kubectl:v1.35.1",
    // aws/aws-cli release 2.32.9 (.changes/2.32.9.json); the official image is published per release.
    linstorDbBackupAwsCliImage: "public.ecr.aws/aws-cli/aws-cli:2.32.9",
    linstorDbBackupAccessKeyGeneration: 1,
} satisfies Partial<LinstorDbBackupInput>;

/** The stack's defaults: LinstorDbBackup's own, plus the stack-only switch `linstorDbBackupEnabled`. */
export const LINSTOR_DB_BACKUP_DEFAULTS = { linstorDbBackupEnabled: true, ...LINSTOR_DB_BACKUP_SETTINGS_DEFAULTS };

/** Plain, fully-resolved settings of LinstorDbBackup: every field with a default is set. */
export type LinstorDbBackupSettings = Filled<LinstorDbBackupInput, typeof LINSTOR_DB_BACKUP_SETTINGS_DEFAULTS>;

/** The settings with every field left unset (or explicitly undefined) at its default. */
export function withLinstorDbBackupDefaults(given: LinstorDbBackupInput): LinstorDbBackupSettings {
    return withDefaults(LINSTOR_DB_BACKUP_SETTINGS_DEFAULTS, given);
}

/** One rule per field: a library user and a stack user get the same checks. */
export const LINSTOR_DB_BACKUP_RULES: FieldRules<LinstorDbBackupSettings> = {
    linstorDbBackupSchedule: (v, c) => {
        c.cron(v);
        // A schedule that fires less than monthly (e.g. 0 0 29 2 *: leap days) is no backup schedule; a monthly one is the rarest.
        const gap = maxScheduleGapSeconds(v);
        if (gap !== undefined && gap > 31 * 86400) {
            c.fail(v, `It can leave ${Math.ceil(gap / 86400)} days between backups; schedule one at least monthly (e.g. "0 3 * * *", daily).`);
        }
    },
    linstorDbBackupRetentionDays: (v, c, s) => {
        c.integer(v, { min: 1, max: 36500 }, "(days)");
        const gap = cronProblem(s.linstorDbBackupSchedule) === undefined ? maxScheduleGapSeconds(s.linstorDbBackupSchedule) : undefined;
        const gapDays = Math.ceil((gap ?? 0) / 86400);
        if (v <= gapDays) {
            c.fail(
                v,
                `The schedule can leave ${gapDays} day(s) between backups; keep them longer than that (at least ${gapDays + 1}), ` +
                    "or a gap would leave no current backup.",
            );
        }
    },
    linstorDbBackupKubectlImage: (v, c) => c.pinnedImage(v, "it needs bash, jq, tar, gzip and sha256sum"),
    linstorDbBackupAwsCliImage: (v, c) => c.pinnedImage(v, "it is an AWS CLI v2 image"),
    linstorDbBackupAccessKeyGeneration: (v, c) => c.integer(v, { min: 1 }),
    linstorDbBackupAccessKeyRetiredGeneration: (v, c, s, key) =>
        c.retiredGeneration(v, s.linstorDbBackupAccessKeyGeneration, key("linstorDbBackupAccessKeyGeneration")),
};

/**
 * Validates the settings as LinstorDbBackup takes them, each unset field at its default (as the component fills it);
 * throws ConfigError naming `key(field)` before any resource exists.
 */
export function validateLinstorDbBackupSettings(given: LinstorDbBackupInput, key: KeyOf): void {
    validateFields(withLinstorDbBackupDefaults(given), LINSTOR_DB_BACKUP_RULES, key);
}

/** What LinstorDbBackup takes besides its settings (the data of LinstorDbBackupArgs). */
export interface LinstorDbBackupPlacement {
    readonly namePrefix: string;
    readonly clusterName: string;
    readonly linstorNamespace: string;
    readonly passphraseSecretName: string;
    readonly bucket: { readonly region: string; readonly kmsKeyArn: unknown };
    readonly tags?: Readonly<Record<string, string>>;
}

/** Validates LinstorDbBackup's arguments: its settings and everything else it takes. */
export function validateLinstorDbBackupArgs(a: LinstorDbBackupSettings & LinstorDbBackupPlacement, key: KeyOf): void {
    validateLinstorDbBackupSettings(a, key);
    check(key, "namePrefix").namePrefix(a.namePrefix);
    // The S3 key segment of the archives: the EKS cluster name.
    check(key, "clusterName").matches(
        a.clusterName,
        /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/,
        "Use an EKS cluster name: letters, digits, '-' and '_', at most 100, starting with a letter or digit.",
    );
    check(key, "linstorNamespace").dnsLabel(a.linstorNamespace);
    check(key, "passphraseSecretName").dnsLabel(a.passphraseSecretName);
    // Named after the snapshot outputs that feed them.
    if (a.bucket.kmsKeyArn === undefined || a.bucket.kmsKeyArn === "") {
        check(key, "snapshotKmsKeyArn").fail(
            a.bucket.kmsKeyArn,
            "The LINSTOR database backup needs the snapshot bucket's SSE-KMS key; SSE-S3 buckets are not supported.",
        );
    }
    check(key, "snapshotBucketRegion").awsRegion(a.bucket.region);
    check(key, "tags").ifSet.stringMap(a.tags);
}

/** How the backup's CronJob describes itself to monitoring. */
export function describeLinstorDbBackupSchedule(s: Pick<LinstorDbBackupSettings, "linstorDbBackupSchedule">, linstorNamespace: string): ScheduledJob {
    return {
        namespace: linstorNamespace,
        name: BACKUP_NAME,
        purpose: "LINSTOR database backup",
        intervalSeconds: maxScheduleGapSeconds(s.linstorDbBackupSchedule) ?? 86400,
    };
}

/**
 * The bucket rule that keeps backups for `linstorDbBackupRetentionDays` (pass it to the bucket's `prefixRules`).
 * Expired backups become noncurrent versions, removed after the bucket's noncurrent-version window: the
 * backup job itself never needs s3:DeleteObject.
 */
export function linstorDbBackupLifecycleRule(s: Pick<LinstorDbBackupSettings, "linstorDbBackupRetentionDays">): LifecycleRule {
    return {
        id: "expire-linstor-db-backups",
        status: "Enabled",
        filter: { prefix: `${LINSTOR_DB_BACKUP_PREFIX}/` },
        expiration: { days: s.linstorDbBackupRetentionDays },
    };
}

/** Generations whose access key and Secret exist (same rotation as the S3 remote's keys). */
export function backupKeyGenerations(s: LinstorDbBackupSettings): number[] {
    return liveGenerations(s.linstorDbBackupAccessKeyGeneration, s.linstorDbBackupAccessKeyRetiredGeneration);
}

/** `linstor-db/<cluster>/`: every archive of one cluster, and all its credentials may write. */
export function backupKeyPrefix(clusterName: string): string {
    return `${LINSTOR_DB_BACKUP_PREFIX}/${clusterName}/`;
}

/** Name of the immutable Secret holding one generation's AWS access key. */
export function backupCredentialsSecretName(generation: number): string {
    return `${BACKUP_NAME}-aws-g${generation}`;
}
