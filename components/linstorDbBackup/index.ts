import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PASSPHRASE_KEY } from "../linstorCluster/operator";
import type { KeyOf } from "../linstorCluster/settings";
import { dependencies, requireKubernetesProvider } from "../shared/componentOptions";
import type { ScheduledJob } from "../shared/schedule";
import { BACKUP_LABELS, linstorDbBackupCronJobSpec, linstorDbBackupUserPolicy, linstorDbClusterRules, linstorDbNamespaceRules } from "./exportJob";
import {
    BACKUP_NAME,
    backupCredentialsSecretName,
    backupKeyGenerations,
    backupKeyPrefix,
    describeLinstorDbBackupSchedule,
    type LinstorDbBackupInput,
    validateLinstorDbBackupArgs,
    withLinstorDbBackupDefaults,
} from "./settings";

/** The snapshot bucket's coordinates (S3SnapshotShipping's outputs). */
export interface LinstorDbBackupBucket {
    /** The bucket's name (S3SnapshotShipping.bucketName). */
    readonly name: pulumi.Input<string>;
    /** Its ARN (S3SnapshotShipping.bucketArn). */
    readonly arn: pulumi.Input<string>;
    /** Its region (S3SnapshotShipping.bucketRegion). */
    readonly region: string;
    /** The bucket's SSE-KMS key; required (unset → ConfigError; an Output resolving to nothing fails the deployment). */
    readonly kmsKeyArn: pulumi.Input<string | undefined>;
}

/**
 * LinstorDbBackup's settings (each field with a default optional: the component fills it) and where it runs. The
 * Kubernetes provider comes in the resource options (`providers`); `dependsOn` (LinstorCluster.storageReady: the CRDs
 * are LINSTOR's) holds the CronJob and what it reads back.
 */
export interface LinstorDbBackupArgs extends LinstorDbBackupInput {
    /** Prefix of cluster-wide names (ClusterRole, IAM user), same as LinstorCluster's. */
    readonly namePrefix: string;
    /** S3 key segment of this cluster's archives: `linstor-db/<clusterName>/` (the EKS cluster name). */
    readonly clusterName: string;
    /** Namespace of LINSTOR (LinstorCluster.linstorNamespace); the CronJob runs there. */
    readonly linstorNamespace: string;
    /** LINSTOR's master-passphrase Secret (LinstorCluster.passphraseSecretName); backed up, never created here. */
    readonly passphraseSecretName: string;
    readonly bucket: LinstorDbBackupBucket;
    readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Validates LinstorDbBackup's arguments as its constructor does, each unset setting at its default; errors name
 * `key(field)` (default `LinstorDbBackup.<field>`). A caller with its own key names (the stacks) calls it first.
 */
export function validateLinstorDbBackup(args: LinstorDbBackupArgs, key: KeyOf = (f) => `LinstorDbBackup.${f}`): void {
    const { namePrefix, clusterName, linstorNamespace, passphraseSecretName, bucket, tags, ...given } = args;
    validateLinstorDbBackupArgs(
        { ...withLinstorDbBackupDefaults(given), namePrefix, clusterName, linstorNamespace, passphraseSecretName, bucket, tags },
        key,
    );
}

function requireKmsKey(arn: string | undefined): string {
    if (!arn) {
        throw new Error("LinstorDbBackup needs the snapshot bucket's SSE-KMS key (bucket.kmsKeyArn); an SSE-S3 bucket is not supported.");
    }
    return arn;
}

/**
 * A daily off-cluster copy of the LINSTOR database (the `internal.linstor.linbit.com` resources) and its
 * master-passphrase Secret, uploaded to the snapshot bucket under `linstor-db/<cluster>/` with SSE-KMS by a
 * write-only IAM user whose keys rotate like the S3 remote's. Read-only RBAC on exactly those resources.
 * Retention is the bucket's lifecycle rule (`CreateBucketSettings.linstorDbBackupRetentionDays`).
 */
export class LinstorDbBackup extends pulumi.ComponentResource {
    /** Namespace of the export CronJob (LINSTOR's). */
    readonly namespace: string;
    /** The export CronJob's name. */
    readonly cronJobName: string;
    /** Its cron schedule (UTC). */
    readonly schedule: string;
    /** The export CronJob as monitoring watches it (DrbdMonitoring `schedules`). */
    readonly watchedSchedule: ScheduledJob;
    /** Days an archive is kept in the bucket. */
    readonly retentionDays: number;
    /** `linstor-db/<cluster>/`. */
    readonly keyPrefix: string;
    /** `s3://<bucket>/linstor-db/<cluster>/`: where the archives (`<UTC stamp>.tar.gz` + `.sha256`) go. */
    readonly location: pulumi.Output<string>;
    /** IAM user that uploads the archives (this prefix only). */
    readonly iamUserName: pulumi.Output<string>;
    /** Access key ID of the current generation (not secret). */
    readonly currentAccessKeyId: pulumi.Output<string>;
    /** Secret of the current key generation in `namespace`. */
    readonly credentialsSecretName: string;
    /** The restore script's invocation for the newest archive (dry run; add --apply to execute). */
    readonly restoreCommand: pulumi.Output<string>;

    constructor(name: string, args: LinstorDbBackupArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before registering anything, so bad input never leaves a half-created stack.
        validateLinstorDbBackup(args);
        requireKubernetesProvider("LinstorDbBackup", opts);
        const { namePrefix, clusterName, linstorNamespace: ns, passphraseSecretName, bucket, tags, ...given } = args;
        // The defaults of every unset field, filled here once: everything below reads `s`.
        const s = withLinstorDbBackupDefaults(given);
        super("ha-jenkins-eks:index:LinstorDbBackup", name, {}, opts);
        // Children inherit the Kubernetes provider from `providers`; the CronJob and what it reads wait for `dependsOn`.
        const k8s$ = { parent: this };
        const storageReady = dependencies(opts);
        this.namespace = ns;
        this.cronJobName = BACKUP_NAME;
        this.schedule = s.linstorDbBackupSchedule;
        this.watchedSchedule = describeLinstorDbBackupSchedule(s, ns);
        this.retentionDays = s.linstorDbBackupRetentionDays;
        this.keyPrefix = backupKeyPrefix(clusterName);
        this.location = pulumi.interpolate`s3://${bucket.name}/${this.keyPrefix}`;
        const restoreFlags =
            `--region ${bucket.region} --prefix ${this.keyPrefix} --latest --namespace ${ns} ` + `--passphrase-secret ${passphraseSecretName}`;
        this.restoreCommand = pulumi.interpolate`components/linstorDbBackup/restoreLinstorDb.sh --bucket ${bucket.name} ${restoreFlags}`;
        const kmsKeyArn = pulumi.output(bucket.kmsKeyArn).apply(requireKmsKey);

        const user = new aws.iam.User(
            `${name}-uploader`,
            {
                name: `${namePrefix}-linstor-db-backup`,
                path: "/ha-jenkins-eks/",
                tags: { ...tags, "ha-jenkins-eks:purpose": "linstor-db-backup" },
            },
            { parent: this },
        );
        this.iamUserName = user.name;
        const policy = new aws.iam.UserPolicy(
            `${name}-upload`,
            {
                name: "linstor-db-backup-upload",
                user: user.name,
                policy: pulumi.all([bucket.arn, kmsKeyArn]).apply(([bucketArn, key]) =>
                    JSON.stringify(
                        linstorDbBackupUserPolicy({
                            bucketArn,
                            bucketRegion: bucket.region,
                            kmsKeyArn: key,
                            clusterName,
                        }),
                    ),
                ),
            },
            { parent: this },
        );

        const secrets = backupKeyGenerations(s).map((generation) => {
            // Named by generation: a bump creates the new key beside the old one instead of replacing it.
            const key = new aws.iam.AccessKey(`${name}-g${generation}`, { user: user.name }, { parent: this });
            const secret = new k8s.core.v1.Secret(
                `${name}-credentials-g${generation}`,
                {
                    metadata: {
                        name: backupCredentialsSecretName(generation),
                        namespace: ns,
                        labels: { ...BACKUP_LABELS, "ha-jenkins-eks.io/key-generation": String(generation) },
                    },
                    type: "Opaque",
                    // Immutable, so a rotation is always a new Secret under a new name.
                    immutable: true,
                    stringData: { AWS_ACCESS_KEY_ID: key.id, AWS_SECRET_ACCESS_KEY: key.secret },
                },
                { ...k8s$, dependsOn: [policy, ...storageReady], deleteBeforeReplace: true },
            );
            return { key, secret };
        });
        const current = secrets[secrets.length - 1];
        this.currentAccessKeyId = current.key.id;
        this.credentialsSecretName = backupCredentialsSecretName(s.linstorDbBackupAccessKeyGeneration);

        const metadata = { name: BACKUP_NAME, namespace: ns, labels: BACKUP_LABELS };
        const inNamespace = { ...k8s$, dependsOn: storageReady };
        const account = new k8s.core.v1.ServiceAccount(
            `${name}-account`,
            {
                metadata,
                automountServiceAccountToken: false,
            },
            inNamespace,
        );
        const subjects = [{ kind: "ServiceAccount", name: BACKUP_NAME, namespace: ns }];
        const role = new k8s.rbac.v1.Role(
            `${name}-secret-reader`,
            {
                metadata,
                rules: linstorDbNamespaceRules(passphraseSecretName),
            },
            inNamespace,
        );
        const roleBinding = new k8s.rbac.v1.RoleBinding(
            `${name}-secret-reader`,
            {
                metadata,
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: BACKUP_NAME },
                subjects,
            },
            { ...k8s$, dependsOn: [role, account] },
        );
        const clusterRoleName = `${namePrefix}-${BACKUP_NAME}`;
        const clusterRole = new k8s.rbac.v1.ClusterRole(
            `${name}-db-reader`,
            {
                metadata: { name: clusterRoleName, labels: BACKUP_LABELS },
                rules: linstorDbClusterRules(),
            },
            k8s$,
        );
        const clusterRoleBinding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-db-reader`,
            {
                metadata: { name: clusterRoleName, labels: BACKUP_LABELS },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRoleName },
                subjects,
            },
            { ...k8s$, dependsOn: [clusterRole, account] },
        );

        new k8s.batch.v1.CronJob(
            `${name}-schedule`,
            {
                metadata,
                spec: pulumi.all([bucket.name, kmsKeyArn]).apply(([bucketName, key]) =>
                    linstorDbBackupCronJobSpec({
                        schedule: s.linstorDbBackupSchedule,
                        kubectlImage: s.linstorDbBackupKubectlImage,
                        awsCliImage: s.linstorDbBackupAwsCliImage,
                        namespace: ns,
                        serviceAccountName: BACKUP_NAME,
                        passphraseSecretName,
                        passphraseKey: PASSPHRASE_KEY,
                        clusterName,
                        bucket: bucketName,
                        bucketRegion: bucket.region,
                        kmsKeyArn: key,
                        credentialsSecretName: this.credentialsSecretName,
                    }),
                ),
            },
            { ...k8s$, dependsOn: [current.secret, roleBinding, clusterRoleBinding, ...storageReady] },
        );

        this.registerOutputs({
            location: this.location,
            schedule: this.schedule,
            retentionDays: this.retentionDays,
            iamUserName: this.iamUserName,
            currentAccessKeyId: this.currentAccessKeyId,
            credentialsSecretName: this.credentialsSecretName,
            restoreCommand: this.restoreCommand,
        });
    }
}
