/**
 * The naming rule from stack config key to component settings field; stated in stacks/config/index.ts and checked
 * by tests/stacks/config/naming.spec.ts. Pure: no config is read here.
 */
import type { KeyOf } from "../../components/shared/validation";

export const PROJECT = "ha-jenkins-eks";

/** The prefix of each component's keys ("" = the field name is the key). */
export const KEY_PREFIXES = {
    LinstorCluster: "",
    HaJenkins: "jenkins",
    S3SnapshotShipping: "",
    DrbdMonitoring: "",
    LinstorDbBackup: "",
} as const;
export type Component = keyof typeof KEY_PREFIXES;

/** Nested settings with a prefix of their own: the bucket S3SnapshotShipping creates. */
export const NESTED_KEY_PREFIXES: Readonly<Record<string, string>> = {
    "S3SnapshotShipping.bucket.create": "snapshotBucket",
};

/**
 * Fields no key sets: the DR stack takes the bucket it references from the primary stack's outputs (stacks/dr.ts),
 * so errors about them name the output.
 */
export const FROM_PRIMARY_OUTPUTS: Readonly<Record<string, string>> = {
    "S3SnapshotShipping.bucket.existing.name": "snapshotBucketName",
    "S3SnapshotShipping.bucket.existing.region": "snapshotBucketRegion",
    "S3SnapshotShipping.bucket.existing.kmsKeyArn": "snapshotKmsKeyArn",
};

/** The documented exceptions: field (path) → key, where the rule would name a key that does not exist. */
export const KEY_EXCEPTIONS: Readonly<Record<Component, Readonly<Record<string, string>>>> = {
    // The stack's AWS region is the provider's key.
    LinstorCluster: { region: "aws:region" },
    // The stack picks the StorageClass by its replica count.
    HaJenkins: { storageClassName: "jenkinsStorageClassReplicas" },
    S3SnapshotShipping: {
        // One switch protects every stateful resource of the stack.
        protect: "protectStatefulResources",
        // Shorter keys than the S3 lifecycle terms the fields keep.
        "bucket.create.noncurrentVersionExpirationDays": "snapshotBucketNoncurrentVersionDays",
        "bucket.create.abortIncompleteMultipartUploadDays": "snapshotBucketAbortMultipartDays",
        "bucket.create.expireCurrentObjectsAfterDays": "snapshotBucketExpireCurrentObjectsDays",
    },
    // Like HaJenkins: the StorageClass by its replica count.
    DrbdMonitoring: { prometheusStorageClassName: "prometheusStorageReplicas" },
    LinstorDbBackup: {},
};

/**
 * Keys of the stack itself, which no component field takes: the stack's role and provider settings, how many zones
 * to look up, switches that decide whether a component is built at all, and the DR stack's inputs.
 */
export const STACK_ONLY_KEYS: readonly string[] = [
    "role",
    "azCount",
    "upgradeGuards",
    "monitoringEnabled",
    "prometheusStorageReplicas",
    "linstorDbBackupEnabled",
    "primaryStack",
    "restoreSnapshotHandle",
    "restoreStorageSize",
    "drSnapshotsEnabled",
    "drMode",
    "restoreSelection",
    "restoreSourceClusterId",
    "restoreSourceResource",
    "restoreReleaseChain",
    "restoreBucketName",
    "restoreBucketRegion",
    "restoreBucketKmsKeyArn",
    "restoreThroughputMiBps",
    "restoreCheckSchedule",
    "restoreDownloadSchedule",
    "aws:profile",
    "aws:sharedCredentialsFiles",
    "aws:allowedAccountIds",
    "aws:assumeRoles",
];

/** `prefix` followed by each part with its first letter capitalized (the prefix "" keeps the first part as is). */
function joinKey(prefix: string, parts: readonly string[]): string {
    return parts.reduce((key, part) => (key === "" ? part : `${key}${part[0].toUpperCase()}${part.slice(1)}`), prefix);
}

/** The config key (without the project namespace) of a component's settings field or field path, by the rule. */
export function configKey(component: Component, field: string): string {
    const exception = KEY_EXCEPTIONS[component][field];
    if (exception !== undefined) return exception;
    const path = `${component}.${field}`;
    const nested = Object.keys(NESTED_KEY_PREFIXES).find((p) => path.startsWith(`${p}.`));
    if (nested !== undefined) return joinKey(NESTED_KEY_PREFIXES[nested], path.slice(nested.length + 1).split("."));
    return joinKey(KEY_PREFIXES[component], [field]);
}

/** A key as a user writes it in `Pulumi.<stack>.yaml`: project keys with the project namespace. */
export const fullKey = (key: string): string => (key.includes(":") ? key : `${PROJECT}:${key}`);

/** What a stack error names for a component's field: its config key, or the primary stack's output it came from. */
function stackKey(component: Component, field: string): string {
    const output = FROM_PRIMARY_OUTPUTS[`${component}.${field}`];
    return output === undefined ? fullKey(configKey(component, field)) : `output ${output} of the primary stack (${fullKey("primaryStack")})`;
}

/** The stack's KeyOf for a component: errors about a field name the config key to fix. */
export const stackKeyOf =
    (component: Component): KeyOf =>
    (field) =>
        stackKey(component, field);

const UNPREFIXED = (Object.keys(KEY_PREFIXES) as Component[]).filter((c) => KEY_PREFIXES[c] === "");

/**
 * Full config key of a project key, and the stack's KeyOf of every component without a prefix (LinstorCluster,
 * S3SnapshotShipping, DrbdMonitoring, LinstorDbBackup): by the rule their fields are their keys, so one KeyOf
 * serves them all; a field that is an exception or nested in one of them gets its key from that component (no
 * two of them map one field differently: naming.spec.ts).
 */
export const projectKey: KeyOf = (field) => UNPREFIXED.map((c) => stackKey(c, field)).find((key) => key !== fullKey(field)) ?? fullKey(field);
