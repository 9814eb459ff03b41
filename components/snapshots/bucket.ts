import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { KMS_MAX_DELETION_WINDOW_DAYS } from "../shared/kms";
import { type FieldRules, type KeyOf, NOT_CHECKED, validateFields } from "../shared/validation";
import { tlsOnlyBucketPolicy } from "./iamPolicies";
import { lifecycleRules } from "./lifecycle";
import { CREATE_BUCKET_RULES, type CreateBucketInput, defaultBucketName, defaultBucketNameProblem, withCreateBucketDefaults } from "./settings";

export interface SnapshotBucketArgs {
    /** Prefix of the generated bucket name and the key description (S3SnapshotShipping's namePrefix). */
    readonly namePrefix: string;
    /** The bucket's settings; each field with a default is optional (the component fills it). */
    readonly settings: CreateBucketInput;
    /** AWS provider for `settings.region`; every resource here lives in that region. */
    readonly provider: aws.Provider;
    /** Protect the bucket and its KMS key from `pulumi destroy`. */
    readonly protect: boolean;
    readonly tags: Readonly<Record<string, string>>;
    /** Names the key to fix in validation errors; default `SnapshotBucket.<field>` (`SnapshotBucket.settings.<field>`). */
    readonly keyOf?: KeyOf;
}

const SNAPSHOT_BUCKET_RULES: FieldRules<SnapshotBucketArgs> = {
    namePrefix: (v, c, a) => {
        c.namePrefix(v);
        const problem =
            a.settings?.name === undefined && a.settings?.region !== undefined ? defaultBucketNameProblem(v, a.settings.region) : undefined;
        if (problem) c.fail(v, problem);
    },
    settings: (v, c, _a, key) => {
        if (typeof v !== "object" || v === null || Array.isArray(v)) c.fail(v, "Give the bucket's settings: at least its region.");
        // The same checks as S3SnapshotShipping's `bucket.create`, on the settings with their defaults filled in.
        validateFields(withCreateBucketDefaults(v), CREATE_BUCKET_RULES, (f) => key(`settings.${f}`));
    },
    provider: (v, c) => {
        if (!aws.Provider.isInstance(v)) {
            c.fail(
                v === undefined ? undefined : "(not an aws.Provider)",
                "Give an aws.Provider for settings.region: every bucket resource lives there.",
            );
        }
    },
    protect: (v, c) => c.boolean(v),
    tags: (v, c) => c.stringMap(v),
    keyOf: NOT_CHECKED,
};

/** Validates SnapshotBucket's arguments before anything is registered; errors name `key(field)`. */
export function validateSnapshotBucketArgs(a: SnapshotBucketArgs, key: KeyOf): void {
    validateFields(a, SNAPSHOT_BUCKET_RULES, key);
}

/**
 * The hardened backup bucket (AWS S3 security best practices, FSBP S3.x): Block Public Access, ACLs off,
 * versioning, SSE-KMS with a bucket key and a dedicated rotating key, TLS-only policy, lifecycle,
 * optional Object Lock and access logging. Never `forceDestroy`.
 */
export class SnapshotBucket extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;
    readonly kmsKeyArn: pulumi.Output<string>;
    readonly region: string;

    constructor(name: string, args: SnapshotBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        // The defaults of every unset field, filled here once: everything below reads `s`.
        const s = withCreateBucketDefaults(args.settings);
        // Validate before registering anything, so bad input never leaves a half-created bucket.
        validateSnapshotBucketArgs({ ...args, settings: s }, args.keyOf ?? ((f) => `SnapshotBucket.${f}`));
        super("ha-jenkins-eks:index:SnapshotBucket", name, {}, opts);
        const p = args.namePrefix;
        const tags = { ...args.tags, "ha-jenkins-eks:purpose": "linstor-snapshots" };
        const aws$ = { parent: this, provider: args.provider };
        this.region = s.region;

        // A random suffix kept in state: globally unique, stable across updates, and no account ID in the name.
        const bucketName =
            s.name !== undefined
                ? pulumi.output(s.name)
                : new random.RandomId(`${name}-suffix`, { byteLength: 4 }, { parent: this }).hex.apply((hex) => defaultBucketName(p, s.region, hex));

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `SSE-KMS key of the LINSTOR snapshot bucket of ${p} (${s.region})`,
                enableKeyRotation: true,
                // The longest window KMS allows: a key scheduled for deletion by mistake can be cancelled for 30 days.
                deletionWindowInDays: KMS_MAX_DELETION_WINDOW_DAYS,
                tags,
            },
            // Every backup and LINSTOR database archive is encrypted with it, and the bucket outlives a destroy whenever it
            // holds any object version (no forceDestroy): the key is never scheduled for deletion by Pulumi, protected or
            // not. Delete it by hand once nothing encrypted with it remains (README: tear a trial stack down).
            { ...aws$, protect: args.protect, retainOnDelete: true },
        );
        this.kmsKeyArn = key.arn;

        const bucket = new aws.s3.Bucket(
            `${name}-bucket`,
            {
                bucket: bucketName,
                // Object Lock can only be switched on when the bucket is created.
                ...(s.objectLock ? { objectLockEnabled: true } : {}),
                tags,
            },
            // After its key: a destroy deletes the bucket first and stops there while it still holds data.
            { ...aws$, protect: args.protect, dependsOn: [key] },
        );
        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;

        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            {
                bucket: bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            aws$,
        );
        const ownership = new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            {
                bucket: bucket.id,
                rule: { objectOwnership: "BucketOwnerEnforced" },
            },
            { ...aws$, dependsOn: [publicAccess] },
        );
        const versioning = new aws.s3.BucketVersioning(
            `${name}-versioning`,
            {
                bucket: bucket.id,
                versioningConfiguration: { status: "Enabled" },
            },
            aws$,
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn },
                        // One data key per bucket instead of a KMS call per object: cheaper and fewer throttles.
                        bucketKeyEnabled: true,
                        blockedEncryptionTypes: ["SSE-C"],
                    },
                ],
            },
            aws$,
        );
        new aws.s3.BucketPolicy(
            `${name}-policy`,
            {
                bucket: bucket.id,
                policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))),
            },
            { ...aws$, dependsOn: [publicAccess, ownership] },
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            {
                bucket: bucket.id,
                rules: lifecycleRules(s),
            },
            { ...aws$, dependsOn: [versioning] },
        );
        if (s.objectLock) {
            new aws.s3.BucketObjectLockConfiguration(
                `${name}-object-lock`,
                {
                    bucket: bucket.id,
                    rule: { defaultRetention: { mode: s.objectLock.mode, days: s.objectLock.days } },
                },
                { ...aws$, dependsOn: [versioning] },
            );
        }
        if (s.accessLogBucket !== undefined) {
            new aws.s3.BucketLogging(
                `${name}-access-logs`,
                {
                    bucket: bucket.id,
                    targetBucket: s.accessLogBucket,
                    targetPrefix: s.accessLogPrefix,
                },
                aws$,
            );
        }

        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, kmsKeyArn: this.kmsKeyArn });
    }
}
