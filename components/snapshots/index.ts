import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../shared/errors";
import { jobAwaitTimeouts } from "../shared/jobs";
import type { ScheduledJob } from "../shared/schedule";
import { check, type KeyOf } from "../shared/validation";
import { SnapshotBucket } from "./bucket";
import { linstorS3UserPolicy } from "./iamPolicies";
import { REMOTE_JOB_DEADLINE_SECONDS, remoteJobSpec } from "./remoteJob";
import { SnapshotRestore, validateSnapshotRestoreArgs } from "./restore";
import {
    CONTENT_PRUNE_RULES,
    CSI_CONTROLLER_SERVICE_ACCOUNT,
    credentialsSecretName,
    describeSnapshotSchedule,
    LINSTOR_CSI_DRIVER,
    legacySnapshotHandle,
    linstorResourceOfClaim,
    ON_DEMAND_LABEL,
    restoredClaimName,
    S3_CREDENTIALS_SECRET_TYPE,
    SCHEDULE_LABEL,
    SCHEDULE_NAME,
    SNAP_PARAM,
    SNAPSHOT_API,
    SNAPSHOT_CONTROLLER_CHART,
    SNAPSHOT_ROLE_RULES,
    s3SnapshotHandle,
    snapshotClassParameters,
    snapshotControllerValues,
    snapshotCronJobSpec,
    snapshotterSecretParameters,
    volumeSnapshotFromClaim,
} from "./schedule";
import {
    bucketAccess,
    bucketRegion,
    liveGenerations,
    maxScheduleGapSeconds,
    remoteName,
    type S3SnapshotSettings,
    validateRemoteJobImage,
    validateS3SnapshotSettings,
} from "./settings";

/** The Jenkins volume to protect, and what must exist before objects in its namespace are created. */
export interface JenkinsVolume {
    readonly namespace: string;
    /** The claim Jenkins uses today (replaced by the restored claim when `restoreFromSnapshot` is set). */
    readonly pvcName: string;
    /** Size of a restored claim, e.g. `50Gi` (at least the snapshot's size). */
    readonly storageSize: string;
    /** Resources that create the namespace (restore claim, CronJob and RBAC wait for them). */
    readonly namespaceReady?: pulumi.Resource[];
    /** Resources after which the claim exists (the on-demand snapshot waits for them). */
    readonly claimReady?: pulumi.Resource[];
    /** UID of that claim (the PersistentVolumeClaim's metadata.uid), for the current-format snapshot handle. */
    readonly claimUid?: pulumi.Input<string>;
}

export interface S3SnapshotShippingArgs extends S3SnapshotSettings {
    /** Region of the cluster; a bucket created here must be elsewhere. */
    readonly clusterRegion: string;
    readonly k8sProvider: k8s.Provider;
    /** Namespace of LINSTOR and linstor-csi (LinstorCluster.linstorNamespace). */
    readonly linstorNamespace: string;
    /** LINSTOR's existing master-passphrase Secret (S3 remotes require it); never created here. */
    readonly passphraseSecretName: string;
    /** dependsOn before using LINSTOR (LinstorCluster.storageReady). */
    readonly storageReady?: pulumi.Resource[];
    /** The 3-replica StorageClass for a restored claim; required with `restoreFromSnapshot`. */
    readonly restoreStorageClassName?: string;
    /** Needed for scheduled/on-demand snapshots and origin restores; omit for a restore-only (DR) setup. */
    readonly jenkins?: JenkinsVolume;
    /** AWS provider for the bucket region; default one is created from `bucket.*.region`. */
    readonly bucketProvider?: aws.Provider;
    /**
     * Register the bucket as LINSTOR's S3 remote with a Job (pinned image with curl and sh) before anything restores
     * from it. linstor-csi registers remotes only from its class watcher, never on the restore path
     * (pkg/driver/volumesnapshotclass_watcher.go), so a cluster that restores a foreign backup (DR) sets this.
     */
    readonly remoteJobImage?: string;
    /** Names the key to fix in validation errors; default `S3SnapshotShipping.<field>`. */
    readonly keyOf?: KeyOf;
}

/** SnapshotRestore fields → the settings that feed them, so errors name what the user set. */
const RESTORE_KEYS: Record<string, string> = {
    size: "jenkinsStorageSize",
    storageClassName: "restoreStorageClassName",
    namespace: "jenkinsNamespace",
    claimName: "restoreFromSnapshot",
};

function validateArgs(a: S3SnapshotShippingArgs, key: KeyOf): void {
    check(key, "clusterRegion").awsRegion(a.clusterRegion);
    validateS3SnapshotSettings(a, { clusterRegion: a.clusterRegion }, key);
    check(key, "linstorNamespace").dnsLabel(a.linstorNamespace);
    check(key, "passphraseSecretName").dnsLabel(a.passphraseSecretName);
    check(key, "restoreStorageClassName").ifSet.dnsSubdomain(a.restoreStorageClassName);
    validateRemoteJobImage(a.remoteJobImage, key);
    const needsJenkins = a.snapshotScheduleEnabled
        ? "snapshotScheduleEnabled"
        : a.onDemandSnapshotName !== undefined
          ? "onDemandSnapshotName"
          : a.restoreFromSnapshot !== undefined
            ? "restoreFromSnapshot"
            : undefined;
    if (needsJenkins && a.jenkins === undefined) {
        throw new ConfigError(
            key(needsJenkins),
            a[needsJenkins],
            "Snapshots of Jenkins need the Jenkins volume (args.jenkins); disable it for a restore-only setup.",
        );
    }
    if (a.jenkins) {
        check(key, "jenkinsNamespace").dnsLabel(a.jenkins.namespace);
        check(key, "jenkinsPvcName").dnsLabel(a.jenkins.pvcName);
    }
    if (a.restoreFromSnapshot !== undefined && a.jenkins) {
        if (a.restoreStorageClassName === undefined) {
            throw new ConfigError(key("restoreStorageClassName"), undefined, "Restoring needs the 3-replica StorageClass for the new claim.");
        }
        validateSnapshotRestoreArgs(
            {
                provider: a.k8sProvider,
                namespace: a.jenkins.namespace,
                claimName: restoredClaimName(a.restoreFromSnapshot),
                storageClassName: a.restoreStorageClassName,
                size: a.jenkins.storageSize,
                source: { volumeSnapshotName: a.restoreFromSnapshot },
            },
            (f) => key(RESTORE_KEYS[f] ?? f),
        );
    }
}

/**
 * LINSTOR volume snapshots shipped to a hardened S3 bucket in another region: the CSI snapshot
 * controller, the bucket (or a reference to an existing one), least-privilege static credentials with
 * gap-free rotation, the S3 VolumeSnapshotClass, a snapshot schedule with pruning, an on-demand
 * snapshot, and restore of the Jenkins volume into a new claim.
 */
export class S3SnapshotShipping extends pulumi.ComponentResource {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;
    readonly bucketRegion: string;
    /** KMS key of the bucket's default encryption (undefined for an existing SSE-S3 bucket). */
    readonly kmsKeyArn: pulumi.Output<string | undefined>;
    readonly linstorRemoteName: string;
    readonly snapshotClassName: string;
    /** The class's `snap.linstor.csi.linbit.com/*` parameters, without the credentials Secret. */
    readonly snapshotClassParameters: pulumi.Output<Record<string, string>>;
    readonly snapshotClass: k8s.apiextensions.CustomResource;
    /** Secret of the current key generation, in `credentialsNamespace`. */
    readonly credentialsSecretName: string;
    readonly credentialsNamespace: string;
    readonly credentialsSecret: k8s.core.v1.Secret;
    readonly iamUserName: pulumi.Output<string>;
    /** Access key ID of the current generation (not secret); what `linstor remote modify` must be given. */
    readonly currentAccessKeyId: pulumi.Output<string>;
    readonly passphraseSecretName: string;
    /** The claim that is snapshotted (the restored one when restoring). */
    readonly jenkinsClaimName?: string;
    readonly restore?: SnapshotRestore;
    /** Hand this to Jenkins as `existingClaim` when set. */
    readonly restoredClaimName?: string;
    readonly scheduleName?: string;
    /** Longest gap between scheduled snapshots in seconds: the worst-case RPO (undefined without a schedule). */
    readonly snapshotIntervalSeconds?: number;
    /** The schedule as monitoring watches it (DrbdMonitoring `schedules`); undefined without a schedule. */
    readonly watchedSchedule?: ScheduledJob;
    readonly onDemandSnapshotName?: string;
    /** Legacy handle `snapshot-<uid>` of the declared on-demand snapshot; undefined without one (see README). */
    readonly latestSnapshotHandle: pulumi.Output<string | undefined>;
    /** What a restore from this bucket waits for: the class, its credentials and (with `remoteJobImage`) the remote Job. */
    readonly remoteReady: pulumi.Resource[];

    constructor(name: string, args: S3SnapshotShippingArgs, opts?: pulumi.ComponentResourceOptions) {
        validateArgs(args, args.keyOf ?? ((f) => `S3SnapshotShipping.${f}`));
        super("ha-jenkins-eks:index:S3SnapshotShipping", name, {}, opts);
        const k8s$ = { parent: this, provider: args.k8sProvider };
        const storageReady = args.storageReady ?? [];
        this.bucketRegion = bucketRegion(args.bucket);
        this.linstorRemoteName = remoteName(args);
        this.snapshotClassName = args.snapshotClassName;
        this.passphraseSecretName = args.passphraseSecretName;
        this.credentialsNamespace = args.linstorNamespace;

        if ("create" in args.bucket) {
            const provider = args.bucketProvider ?? new aws.Provider(`${name}-${this.bucketRegion}`, { region: this.bucketRegion }, { parent: this });
            const bucket = new SnapshotBucket(
                `${name}-bucket`,
                {
                    namePrefix: args.namePrefix,
                    settings: args.bucket.create,
                    provider,
                    protect: args.protect,
                    tags: args.tags,
                },
                { parent: this },
            );
            this.bucketName = bucket.bucketName;
            this.bucketArn = bucket.bucketArn;
            this.kmsKeyArn = bucket.kmsKeyArn;
        } else {
            const existing = args.bucket.existing;
            const partition = existing.kmsKeyArn?.split(":")[1] ?? "aws";
            this.bucketName = pulumi.output(existing.name);
            this.bucketArn = pulumi.output(`arn:${partition}:s3:::${existing.name}`);
            this.kmsKeyArn = pulumi.output(existing.kmsKeyArn);
        }

        const generations = liveGenerations(args.s3AccessKeyGeneration, args.s3AccessKeyRetiredGeneration);
        const user = new aws.iam.User(
            `${name}-linstor`,
            {
                name: `${args.namePrefix}-linstor-s3`,
                path: "/ha-jenkins-eks/",
                tags: { ...args.tags, "ha-jenkins-eks:purpose": "linstor-s3-remote" },
            },
            { parent: this },
        );
        this.iamUserName = user.name;
        const policy = new aws.iam.UserPolicy(
            `${name}-linstor`,
            {
                name: "linstor-s3-backups",
                user: user.name,
                policy: pulumi.all([this.bucketArn, this.kmsKeyArn]).apply(([bucketArn, kmsKeyArn]) =>
                    JSON.stringify(
                        linstorS3UserPolicy({
                            bucketArn,
                            kmsKeyArn,
                            bucketRegion: this.bucketRegion,
                            access: bucketAccess(args.bucket),
                        }),
                    ),
                ),
            },
            { parent: this },
        );
        const secrets = generations.map((generation) => {
            // Named by generation: a bump creates the new key next to the old one instead of replacing it.
            const key = new aws.iam.AccessKey(`${name}-linstor-g${generation}`, { user: user.name }, { parent: this });
            const secret = new k8s.core.v1.Secret(
                `${name}-credentials-g${generation}`,
                {
                    metadata: {
                        name: credentialsSecretName(this.linstorRemoteName, generation),
                        namespace: args.linstorNamespace,
                        labels: {
                            "ha-jenkins-eks.io/linstor-remote": this.linstorRemoteName,
                            "ha-jenkins-eks.io/key-generation": String(generation),
                        },
                    },
                    type: S3_CREDENTIALS_SECRET_TYPE,
                    // Immutable, so a rotation is always a new Secret under a new name.
                    immutable: true,
                    stringData: { "access-key": key.id, "secret-key": key.secret },
                },
                { ...k8s$, dependsOn: [policy, ...storageReady], deleteBeforeReplace: true },
            );
            return { key, secret };
        });
        const current = secrets[secrets.length - 1];
        this.credentialsSecret = current.secret;
        this.credentialsSecretName = credentialsSecretName(this.linstorRemoteName, args.s3AccessKeyGeneration);
        this.currentAccessKeyId = current.key.id;

        const readerName = `linstor-s3-credentials-${this.linstorRemoteName}`;
        const reader = new k8s.rbac.v1.Role(
            `${name}-credentials-reader`,
            {
                metadata: { name: readerName, namespace: args.linstorNamespace },
                rules: [
                    {
                        apiGroups: [""],
                        resources: ["secrets"],
                        verbs: ["get"],
                        resourceNames: generations.map((g) => credentialsSecretName(this.linstorRemoteName, g)),
                    },
                ],
            },
            { ...k8s$, dependsOn: storageReady },
        );
        const readerBinding = new k8s.rbac.v1.RoleBinding(
            `${name}-credentials-reader`,
            {
                metadata: { name: readerName, namespace: args.linstorNamespace },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: readerName },
                subjects: [{ kind: "ServiceAccount", name: CSI_CONTROLLER_SERVICE_ACCOUNT, namespace: args.linstorNamespace }],
            },
            { ...k8s$, dependsOn: [reader] },
        );

        const controller = args.installSnapshotController ? [this.snapshotController(name, args, k8s$)] : [];
        this.snapshotClassParameters = this.bucketName.apply((bucket) =>
            snapshotClassParameters({
                remoteName: this.linstorRemoteName,
                bucket,
                region: this.bucketRegion,
                allowIncremental: args.snapshotAllowIncremental,
                maxIncrements: args.snapshotMaxIncrements,
                fullSnapshotAfter: args.snapshotFullAfter,
            }),
        );
        this.snapshotClass = new k8s.apiextensions.CustomResource(
            `${name}-class`,
            {
                apiVersion: SNAPSHOT_API,
                kind: "VolumeSnapshotClass",
                metadata: { name: args.snapshotClassName, labels: { "ha-jenkins-eks.io/linstor-remote": this.linstorRemoteName } },
                driver: LINSTOR_CSI_DRIVER,
                // Deleting a Kubernetes object never deletes a backup; only the schedule's pruning opts in.
                deletionPolicy: "Retain",
                parameters: this.snapshotClassParameters.apply((p) => ({
                    ...p,
                    ...snapshotterSecretParameters(this.credentialsSecretName, args.linstorNamespace),
                })),
            },
            { ...k8s$, dependsOn: [current.secret, readerBinding, ...controller, ...storageReady] },
        );

        this.remoteReady = [current.secret, this.snapshotClass];
        if (args.remoteJobImage !== undefined) this.remoteReady.push(this.ensureRemoteJob(args, k8s$, current.secret, storageReady));

        let latestHandle: pulumi.Output<string | undefined> = pulumi.output(undefined);
        const jenkins = args.jenkins;
        if (jenkins) {
            let claim = jenkins.pvcName;
            const claimReady: pulumi.Resource[] = [...(jenkins.claimReady ?? [])];
            if (args.restoreFromSnapshot !== undefined) {
                this.restore = new SnapshotRestore(
                    `${name}-restore`,
                    {
                        provider: args.k8sProvider,
                        namespace: jenkins.namespace,
                        claimName: restoredClaimName(args.restoreFromSnapshot),
                        storageClassName: args.restoreStorageClassName as string,
                        size: jenkins.storageSize,
                        source: { volumeSnapshotName: args.restoreFromSnapshot },
                        keyOf: args.keyOf,
                        dependsOn: [this.snapshotClass, ...(jenkins.namespaceReady ?? [])],
                        protect: args.protect,
                    },
                    { parent: this },
                );
                claim = this.restore.claimName;
                this.restoredClaimName = claim;
                claimReady.push(this.restore.claim);
            }
            this.jenkinsClaimName = claim;
            if (args.snapshotScheduleEnabled) {
                this.scheduleName = this.schedule(name, args, jenkins, claim, k8s$);
                this.snapshotIntervalSeconds = maxScheduleGapSeconds(args.snapshotSchedule);
                this.watchedSchedule = describeSnapshotSchedule(args, jenkins.namespace);
            }
            if (args.onDemandSnapshotName !== undefined) {
                this.onDemandSnapshotName = args.onDemandSnapshotName;
                const snapshot = new k8s.apiextensions.CustomResource(
                    `${name}-on-demand`,
                    volumeSnapshotFromClaim({
                        name: args.onDemandSnapshotName,
                        namespace: jenkins.namespace,
                        className: args.snapshotClassName,
                        pvcName: claim,
                        labels: { [ON_DEMAND_LABEL]: "on-demand" },
                    }),
                    { ...k8s$, dependsOn: [this.snapshotClass, ...claimReady] },
                );
                // s3://<remote>/pvc-<claim UID>/snapshot-<VolumeSnapshot UID>; the bare legacy name when the claim's UID is unknown.
                const claimUid = this.restore ? this.restore.claim.metadata.uid : pulumi.output(jenkins.claimUid);
                latestHandle = pulumi.all([snapshot.metadata.uid, claimUid]).apply(([uid, pvcUid]) => {
                    if (!uid) return undefined;
                    return pvcUid
                        ? s3SnapshotHandle(this.linstorRemoteName, linstorResourceOfClaim(pvcUid), legacySnapshotHandle(uid))
                        : legacySnapshotHandle(uid);
                });
            }
        }
        this.latestSnapshotHandle = latestHandle;

        this.registerOutputs({
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            bucketRegion: this.bucketRegion,
            kmsKeyArn: this.kmsKeyArn,
            linstorRemoteName: this.linstorRemoteName,
            snapshotClassName: this.snapshotClassName,
            snapshotClassParameters: this.snapshotClassParameters,
            credentialsSecretName: this.credentialsSecretName,
            currentAccessKeyId: this.currentAccessKeyId,
            restoredClaimName: this.restoredClaimName,
            latestSnapshotHandle: this.latestSnapshotHandle,
        });
    }

    /** The idempotent Job that registers the remote in LINSTOR when it is missing (remoteJob.ts). */
    private ensureRemoteJob(
        args: S3SnapshotShippingArgs,
        k8s$: pulumi.CustomResourceOptions,
        secret: pulumi.Resource,
        storageReady: pulumi.Resource[],
    ): pulumi.Resource {
        return new k8s.batch.v1.Job(
            `${args.namePrefix}-ensure-linstor-remote`,
            {
                metadata: { name: `ensure-remote-${this.linstorRemoteName}`.slice(0, 63), namespace: args.linstorNamespace },
                spec: this.snapshotClassParameters.apply((p) =>
                    remoteJobSpec({
                        linstorNamespace: args.linstorNamespace,
                        remoteName: this.linstorRemoteName,
                        bucket: p[`${SNAP_PARAM}/s3-bucket`],
                        region: this.bucketRegion,
                        endpoint: p[`${SNAP_PARAM}/s3-endpoint`],
                        usePathStyle: p[`${SNAP_PARAM}/s3-use-path-style`] === "true",
                        credentialsSecretName: this.credentialsSecretName,
                        image: args.remoteJobImage as string,
                    }),
                ),
                // Created by the DR stack at top level before it moved here: keep its identity.
            },
            {
                ...k8s$,
                dependsOn: [secret, this.snapshotClass, ...storageReady],
                aliases: [{ parent: pulumi.rootStackResource }],
                customTimeouts: jobAwaitTimeouts(REMOTE_JOB_DEADLINE_SECONDS),
            },
        );
    }

    /** The CSI snapshot controller and its CRDs; protected, because uninstalling the chart removes the CRDs. */
    private snapshotController(name: string, args: S3SnapshotShippingArgs, k8s$: pulumi.CustomResourceOptions): pulumi.Resource {
        const ns = new k8s.core.v1.Namespace(
            `${name}-snapshot-controller`,
            {
                metadata: { name: SNAPSHOT_CONTROLLER_CHART.namespace, labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
            },
            k8s$,
        );
        return new k8s.helm.v3.Release(
            `${name}-snapshot-controller`,
            {
                name: SNAPSHOT_CONTROLLER_CHART.releaseName,
                chart: SNAPSHOT_CONTROLLER_CHART.chart,
                version: args.snapshotControllerChartVersion,
                repositoryOpts: { repo: SNAPSHOT_CONTROLLER_CHART.repo },
                namespace: SNAPSHOT_CONTROLLER_CHART.namespace,
                values: snapshotControllerValues(args.snapshotControllerReplicas),
                skipAwait: false,
                timeout: 600,
            },
            { ...k8s$, dependsOn: [ns], protect: args.protect },
        );
    }

    /** The CronJob and its least-privilege identity in the Jenkins namespace. */
    private schedule(name: string, args: S3SnapshotShippingArgs, jenkins: JenkinsVolume, claim: string, k8s$: pulumi.CustomResourceOptions): string {
        const ns = jenkins.namespace;
        const inNamespace = { ...k8s$, dependsOn: jenkins.namespaceReady ?? [] };
        const metadata = { name: SCHEDULE_NAME, namespace: ns, labels: { [SCHEDULE_LABEL]: SCHEDULE_NAME } };
        const account = new k8s.core.v1.ServiceAccount(`${name}-schedule`, { metadata }, inNamespace);
        const role = new k8s.rbac.v1.Role(`${name}-schedule`, { metadata, rules: SNAPSHOT_ROLE_RULES }, inNamespace);
        const subjects = [{ kind: "ServiceAccount", name: SCHEDULE_NAME, namespace: ns }];
        const bindings: pulumi.Resource[] = [
            new k8s.rbac.v1.RoleBinding(
                `${name}-schedule`,
                {
                    metadata,
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: SCHEDULE_NAME },
                    subjects,
                },
                { ...k8s$, dependsOn: [role, account] },
            ),
        ];
        if (args.snapshotPruneDeletesBackups) {
            const clusterName = `${args.namePrefix}-${SCHEDULE_NAME}-prune`;
            const clusterRole = new k8s.rbac.v1.ClusterRole(
                `${name}-schedule-prune`,
                {
                    metadata: { name: clusterName },
                    rules: CONTENT_PRUNE_RULES,
                },
                k8s$,
            );
            bindings.push(
                new k8s.rbac.v1.ClusterRoleBinding(
                    `${name}-schedule-prune`,
                    {
                        metadata: { name: clusterName },
                        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterName },
                        subjects,
                    },
                    { ...k8s$, dependsOn: [clusterRole, account] },
                ),
            );
        }
        new k8s.batch.v1.CronJob(
            `${name}-schedule`,
            {
                metadata,
                spec: snapshotCronJobSpec({
                    schedule: args.snapshotSchedule,
                    image: args.snapshotJobImage,
                    namespace: ns,
                    pvcName: claim,
                    snapshotClassName: args.snapshotClassName,
                    retention: args.snapshotRetention,
                    readyTimeoutSeconds: args.snapshotReadyTimeoutSeconds,
                    pruneDeletesBackups: args.snapshotPruneDeletesBackups,
                    credentialsSecretName: this.credentialsSecretName,
                    credentialsNamespace: args.linstorNamespace,
                    serviceAccountName: SCHEDULE_NAME,
                }),
            },
            { ...k8s$, dependsOn: [this.snapshotClass, ...bindings] },
        );
        return SCHEDULE_NAME;
    }
}
