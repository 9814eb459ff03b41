import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { dependencies, Hidden, requireKubernetesProvider } from "../shared/componentOptions";
import { ConfigError } from "../shared/errors";
import { ARNS } from "../shared/formats";
import type { ScheduledJob } from "../shared/schedule";
import { check, type KeyOf, parseQuantity } from "../shared/validation";
import { SnapshotBucket } from "./bucket";
import { ensureRemoteJob, snapshotController } from "./controller";
import { linstorS3Credentials } from "./credentials";
import { refuseIgnoredSnapshotKeys } from "./csiSupport";
import { SnapshotRestore, validateSnapshotRestoreArgs } from "./restore";
import {
    credentialsSecretName,
    describeSnapshotSchedule,
    LINSTOR_CSI_DRIVER,
    legacySnapshotHandle,
    linstorResourceOfClaim,
    ON_DEMAND_LABEL,
    restoredClaimName,
    SNAPSHOT_API,
    s3SnapshotHandle,
    snapshotClassNames,
    snapshotClassParameters,
    snapshotterSecretParameters,
    volumeSnapshotFromClaim,
} from "./schedule";
import { snapshotSchedule } from "./scheduleResources";
import {
    bucketRegion,
    maxScheduleGapSeconds,
    remoteName,
    type S3SnapshotInput,
    type S3SnapshotSettings,
    validateRemoteJobImage,
    validateS3SnapshotSettings,
    withS3SnapshotDefaults,
} from "./settings";

/**
 * The Jenkins volume to protect. What must exist first (the namespace, the claim) goes in `dependsOn`: every child,
 * the restore claim, CronJob, RBAC and on-demand snapshot included, waits for it.
 */
export interface JenkinsVolume {
    readonly namespace: string;
    /** The claim Jenkins uses today (replaced by the restored claim when `restoreFromSnapshot` is set). */
    readonly pvcName: string;
    /** Size of a restored claim, e.g. `50Gi` (at least the snapshot's size). */
    readonly storageSize: string;
    /** UID of that claim (the PersistentVolumeClaim's metadata.uid), for the current-format snapshot handle. */
    readonly claimUid?: pulumi.Input<string>;
}

/**
 * S3SnapshotShipping's settings (each field with a default optional: the component fills it) and where it ships from.
 * The Kubernetes provider comes in the resource options (`providers`); so does an AWS provider for the IAM user, and
 * `dependsOn` (LinstorCluster.storageReady, the Jenkins namespace and claim) holds every child back.
 */
export interface S3SnapshotShippingArgs extends S3SnapshotInput {
    /** Region of the cluster; a bucket created here must be elsewhere. */
    readonly clusterRegion: string;
    /** Namespace of LINSTOR and linstor-csi (LinstorCluster.linstorNamespace). */
    readonly linstorNamespace: string;
    /** LINSTOR's existing master-passphrase Secret (S3 remotes require it); never created here. */
    readonly passphraseSecretName: string;
    /** The 3-replica StorageClass for a restored claim; required with `restoreFromSnapshot`. */
    readonly restoreStorageClassName?: string;
    /** Needed for scheduled/on-demand snapshots and origin restores; omit for a restore-only (DR) setup. */
    readonly jenkins?: JenkinsVolume;
    /**
     * Register the bucket as LINSTOR's S3 remote with a Job (pinned image with curl and sh) before anything restores
     * from it. linstor-csi registers remotes only from its class watcher, never on the restore path
     * (pkg/driver/volumesnapshotclass_watcher.go), so a cluster that restores a foreign backup (DR) sets this.
     */
    readonly remoteJobImage?: string;
    /**
     * The linstor-csi version the cluster runs (`LinstorCluster.linstorCsiVersion`). When given, snapshot settings that
     * version would ignore (`snapshotMaxIncrements` / `snapshotFullAfter` before 1.11.3) are refused (csiSupport.ts).
     */
    readonly linstorCsiVersion?: string;
    /**
     * AWS named profile of the provider the component creates for a created bucket's region (not with `bucketProvider`).
     * That provider reads no stack config (`aws:profile`, `aws:assumeRoles`): without this and `bucketAwsRoleArn` it
     * uses the ambient AWS credentials (environment, default profile, instance role).
     */
    readonly bucketAwsProfile?: string;
    /** IAM role that provider assumes (sts:AssumeRole), e.g. the role of the stack's `aws:assumeRoles`. */
    readonly bucketAwsRoleArn?: string;
}

/** S3SnapshotShipping's resource options: the usual ones, plus one for TypeScript callers. */
export interface S3SnapshotShippingOptions extends pulumi.ComponentResourceOptions {
    /**
     * AWS provider of a created bucket's region (TypeScript only). Default: one the component creates for that region
     * with `bucketAwsProfile` / `bucketAwsRoleArn`, else the ambient AWS credentials. An AWS provider in `providers`
     * serves the IAM user (global) only.
     */
    readonly bucketProvider?: aws.Provider;
}

/** What S3SnapshotShipping keeps for TypeScript callers only (shared/componentOptions.ts). */
const handles = new Hidden<{ snapshotClass: k8s.apiextensions.CustomResource; restore?: SnapshotRestore; remoteReady: pulumi.Resource[] }>();

/** SnapshotRestore fields → the settings that feed them, so errors name what the user set. */
const RESTORE_KEYS: Record<string, string> = {
    size: "jenkinsStorageSize",
    storageClassName: "restoreStorageClassName",
    namespace: "jenkinsNamespace",
    claimName: "restoreFromSnapshot",
};

/** SnapshotBucket's fields as S3SnapshotShipping's keys (`settings.<field>` is `bucket.create.<field>`). */
const bucketKeyOf =
    (key: KeyOf): KeyOf =>
    (f) =>
        key(f.startsWith("settings.") ? `bucket.create.${f.slice("settings.".length)}` : f === "provider" ? "bucketProvider" : f);

/** The arguments with every setting's default filled in. */
type FilledArgs = Omit<S3SnapshotShippingArgs, keyof S3SnapshotInput> & S3SnapshotSettings;

const DEFAULT_KEY: KeyOf = (f) => `S3SnapshotShipping.${f}`;

/**
 * Validates S3SnapshotShipping's arguments as its constructor does, each unset setting at its default; errors name
 * `key(field)` (default `S3SnapshotShipping.<field>`). A caller with its own key names (the stacks) calls it first.
 */
export function validateS3SnapshotShippingArgs(given: S3SnapshotShippingArgs, key: KeyOf = DEFAULT_KEY): void {
    validateArgs({ ...given, ...withS3SnapshotDefaults(given) }, key);
}

function validateArgs(a: FilledArgs, key: KeyOf): void {
    check(key, "clusterRegion").awsRegion(a.clusterRegion);
    validateS3SnapshotSettings(a, { clusterRegion: a.clusterRegion }, key);
    if (a.linstorCsiVersion !== undefined) refuseIgnoredSnapshotKeys(a, a.linstorCsiVersion, `linstor-csi ${a.linstorCsiVersion}`, key);
    check(key, "linstorNamespace").dnsLabel(a.linstorNamespace);
    check(key, "passphraseSecretName").dnsLabel(a.passphraseSecretName);
    check(key, "restoreStorageClassName").ifSet.dnsSubdomain(a.restoreStorageClassName);
    validateRemoteJobImage(a.remoteJobImage, key);
    check(key, "bucketAwsProfile").ifSet.matches(a.bucketAwsProfile, /^[A-Za-z0-9_.@+=,-]{1,64}$/, "An AWS CLI profile name.");
    check(key, "bucketAwsRoleArn").ifSet.arn(a.bucketAwsRoleArn, ARNS.iamRole);
    for (const f of ["bucketAwsProfile", "bucketAwsRoleArn"] as const) {
        if (a[f] !== undefined && !("create" in a.bucket))
            throw new ConfigError(key(f), a[f], "Only with bucket.create: an existing bucket is only referenced, through no provider of its own.");
    }
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
    /** The bucket the backups go to (created or existing). */
    readonly bucketName: pulumi.Output<string>;
    /** Its ARN. */
    readonly bucketArn: pulumi.Output<string>;
    /** Its region (never the cluster's when created here). */
    readonly bucketRegion: string;
    /** KMS key of the bucket's default encryption (undefined for an existing SSE-S3 bucket). */
    readonly kmsKeyArn: pulumi.Output<string | undefined>;
    /** LINSTOR's S3 remote for the bucket (`s3-<region>`). */
    readonly linstorRemoteName: string;
    /** The schedule's incremental VolumeSnapshotClass. */
    readonly snapshotClassName: string;
    /** The full class the schedule starts each chain with (`<snapshotClassName>-full`). */
    readonly fullSnapshotClassName: string;
    /** The full class of on-demand and restore-point snapshots (`<snapshotClassName>-on-demand`): no chain, no local copy. */
    readonly onDemandSnapshotClassName: string;
    /** The class's `snap.linstor.csi.linbit.com/*` parameters, without the credentials Secret. */
    readonly snapshotClassParameters: pulumi.Output<Record<string, string>>;
    /** Secret of the current key generation, in `credentialsNamespace`. */
    readonly credentialsSecretName: string;
    /** Namespace of the remote's credentials Secret (LINSTOR's). */
    readonly credentialsNamespace: string;
    /** The current generation's credentials Secret (access key, secret key) linstor-csi reads. */
    readonly credentialsSecret: k8s.core.v1.Secret;
    /** IAM user whose keys LINSTOR ships with (this bucket only). */
    readonly iamUserName: pulumi.Output<string>;
    /** Access key ID of the current generation (not secret); what `linstor remote modify` must be given. */
    readonly currentAccessKeyId: pulumi.Output<string>;
    /** LINSTOR's master-passphrase Secret the remote needs (LinstorCluster's). */
    readonly passphraseSecretName: string;
    /** The claim that is snapshotted (the restored one when restoring). */
    readonly jenkinsClaimName?: string;
    /** Hand this to Jenkins as `existingClaim` when set. */
    readonly restoredClaimName?: string;
    /** The snapshot CronJob's name; undefined without a schedule. */
    readonly scheduleName?: string;
    /** Longest gap between scheduled snapshots in seconds: the worst-case RPO (undefined without a schedule). */
    readonly snapshotIntervalSeconds?: number;
    /** The schedule as monitoring watches it (DrbdMonitoring `schedules`); undefined without a schedule. */
    readonly watchedSchedule?: ScheduledJob;
    /** The declared on-demand VolumeSnapshot; undefined without one. */
    readonly onDemandSnapshotName?: string;
    /** Legacy handle `snapshot-<uid>` of the declared on-demand snapshot; undefined without one (see README). */
    readonly latestSnapshotHandle: pulumi.Output<string | undefined>;

    /** The S3 VolumeSnapshotClass (TypeScript only). */
    get snapshotClass(): k8s.apiextensions.CustomResource {
        return handles.get(this).snapshotClass;
    }
    /** The restore of the Jenkins volume, with `restoreFromSnapshot` (TypeScript only). */
    get restore(): SnapshotRestore | undefined {
        return handles.get(this).restore;
    }
    /** What a restore from this bucket waits for: the class, its credentials and (with `remoteJobImage`) the remote Job (TypeScript only). */
    get remoteReady(): pulumi.Resource[] {
        return handles.get(this).remoteReady;
    }

    constructor(name: string, args: S3SnapshotShippingArgs, opts?: S3SnapshotShippingOptions) {
        // The defaults of every unset setting (the bucket's included), filled here once: everything below reads `s`.
        const s: FilledArgs = { ...args, ...withS3SnapshotDefaults(args) };
        const key = DEFAULT_KEY;
        // Validate before registering anything, so bad input never leaves a half-created stack.
        validateArgs(s, key);
        requireKubernetesProvider("S3SnapshotShipping", opts);
        const { bucketProvider, ...resourceOpts } = opts ?? {};
        const bucketCredentials = {
            profile: s.bucketAwsProfile,
            assumeRoles: s.bucketAwsRoleArn === undefined ? undefined : [{ roleArn: s.bucketAwsRoleArn }],
        };
        if (bucketProvider !== undefined && (s.bucketAwsProfile ?? s.bucketAwsRoleArn) !== undefined)
            throw new ConfigError(
                key("bucketAwsProfile"),
                s.bucketAwsProfile ?? s.bucketAwsRoleArn,
                "Not with bucketProvider: give that provider the credentials.",
            );
        super("ha-jenkins-eks:index:S3SnapshotShipping", name, {}, resourceOpts);
        // Children inherit the Kubernetes provider from `providers`; they all wait for `dependsOn`.
        const k8s$ = { parent: this };
        const waitFor = dependencies(opts);
        const storageReady = waitFor;
        this.bucketRegion = bucketRegion(s.bucket);
        this.linstorRemoteName = remoteName(s);
        this.snapshotClassName = s.snapshotClassName;
        this.passphraseSecretName = s.passphraseSecretName;
        this.credentialsNamespace = s.linstorNamespace;

        if ("create" in s.bucket) {
            // An explicit provider reads no `aws:*` stack config: the credentials are the inputs' (or the ambient ones).
            const provider =
                bucketProvider ??
                new aws.Provider(`${name}-${this.bucketRegion}`, { region: this.bucketRegion, ...bucketCredentials }, { parent: this });
            const bucket = new SnapshotBucket(
                `${name}-bucket`,
                {
                    namePrefix: s.namePrefix,
                    settings: s.bucket.create,
                    provider,
                    protect: s.protect,
                    tags: s.tags,
                    // Checked above already: should it ever fail here, it names the same keys.
                    keyOf: bucketKeyOf(key),
                },
                { parent: this },
            );
            this.bucketName = bucket.bucketName;
            this.bucketArn = bucket.bucketArn;
            this.kmsKeyArn = bucket.kmsKeyArn;
        } else {
            const existing = s.bucket.existing;
            const partition = existing.kmsKeyArn?.split(":")[1] ?? "aws";
            this.bucketName = pulumi.output(existing.name);
            this.bucketArn = pulumi.output(`arn:${partition}:s3:::${existing.name}`);
            this.kmsKeyArn = pulumi.output(existing.kmsKeyArn);
        }

        const credentials = linstorS3Credentials(k8s$, name, s, {
            remoteName: this.linstorRemoteName,
            linstorNamespace: s.linstorNamespace,
            bucketArn: this.bucketArn,
            kmsKeyArn: this.kmsKeyArn,
            bucketRegion: this.bucketRegion,
            storageReady,
        });
        const current = credentials.currentSecret;
        this.iamUserName = credentials.iamUserName;
        this.credentialsSecret = current;
        this.credentialsSecretName = credentialsSecretName(this.linstorRemoteName, s.s3AccessKeyGeneration);
        this.currentAccessKeyId = credentials.currentAccessKeyId;

        const controller = s.installSnapshotController ? [snapshotController(k8s$, name, s)] : [];
        this.snapshotClassParameters = this.bucketName.apply((bucket) =>
            snapshotClassParameters({
                remoteName: this.linstorRemoteName,
                bucket,
                region: this.bucketRegion,
                allowIncremental: s.snapshotAllowIncremental,
                maxIncrements: s.snapshotMaxIncrements,
                fullSnapshotAfter: s.snapshotFullAfter,
            }),
        );
        const classNames = snapshotClassNames(s.snapshotClassName);
        this.fullSnapshotClassName = classNames.full;
        this.onDemandSnapshotClassName = classNames.onDemand;
        // The same remote three ways: the schedule's increments, the fulls that start its chains, and on-demand/restore-
        // point fulls. Those keep their local copy until the schedule trims it (snapshotJob.ts LOCAL_TRIM_JQ): LINSTOR
        // bases the next scheduled increment on whatever was last started to the remote (linstor-server 1.33.3
        // getIncrementalBase), so dropping it (`delete-local`) would force an extra full and strip the base of
        // increments queued behind it (CtrlSnapshotDeleteApiCallHandler). Without the trim they drop it as before.
        const volumeSnapshotClass = (suffix: string, className: string, parameters: pulumi.Output<Record<string, string>>) =>
            new k8s.apiextensions.CustomResource(
                `${name}${suffix}`,
                {
                    apiVersion: SNAPSHOT_API,
                    kind: "VolumeSnapshotClass",
                    metadata: { name: className, labels: { "ha-jenkins-eks.io/linstor-remote": this.linstorRemoteName } },
                    driver: LINSTOR_CSI_DRIVER,
                    // Deleting a Kubernetes object never deletes a backup; only the schedule's pruning opts in.
                    deletionPolicy: "Retain",
                    parameters: parameters.apply((p) => ({
                        ...p,
                        ...snapshotterSecretParameters(this.credentialsSecretName, s.linstorNamespace),
                    })),
                },
                { ...k8s$, dependsOn: [current, credentials.readerBinding, ...controller, ...storageReady] },
            );
        const fullParameters = (deleteLocal: boolean) =>
            this.bucketName.apply((bucket) =>
                snapshotClassParameters({
                    remoteName: this.linstorRemoteName,
                    bucket,
                    region: this.bucketRegion,
                    allowIncremental: false,
                    maxIncrements: 0,
                    deleteLocal,
                }),
            );
        const snapshotClass = volumeSnapshotClass("-class", classNames.incremental, this.snapshotClassParameters);
        const fullClass = volumeSnapshotClass("-full-class", classNames.full, fullParameters(false));
        const onDemandClass = volumeSnapshotClass("-on-demand-class", classNames.onDemand, fullParameters(s.snapshotLocalSnapshots === 0));

        const remoteReady: pulumi.Resource[] = [current, snapshotClass];
        let restore: SnapshotRestore | undefined;
        if (s.remoteJobImage !== undefined) {
            remoteReady.push(
                ensureRemoteJob(k8s$, {
                    namePrefix: s.namePrefix,
                    linstorNamespace: s.linstorNamespace,
                    remoteName: this.linstorRemoteName,
                    bucketRegion: this.bucketRegion,
                    snapshotClassParameters: this.snapshotClassParameters,
                    credentialsSecretName: this.credentialsSecretName,
                    image: s.remoteJobImage,
                    dependsOn: [current, snapshotClass, ...storageReady],
                }),
            );
        }

        let latestHandle: pulumi.Output<string | undefined> = pulumi.output(undefined);
        const jenkins = s.jenkins;
        if (jenkins) {
            let claim = jenkins.pvcName;
            const claimReady: pulumi.Resource[] = [...waitFor];
            if (s.restoreFromSnapshot !== undefined) {
                restore = new SnapshotRestore(
                    `${name}-restore`,
                    {
                        namespace: jenkins.namespace,
                        claimName: restoredClaimName(s.restoreFromSnapshot),
                        storageClassName: s.restoreStorageClassName as string,
                        size: jenkins.storageSize,
                        source: { volumeSnapshotName: s.restoreFromSnapshot },
                        keyOf: (f) => key(RESTORE_KEYS[f] ?? f),
                        dependsOn: [snapshotClass, ...waitFor],
                        protect: s.protect,
                    },
                    { parent: this },
                );
                claim = restore.claimName;
                this.restoredClaimName = claim;
                claimReady.push(restore.claim);
            }
            this.jenkinsClaimName = claim;
            if (s.snapshotScheduleEnabled) {
                this.scheduleName = snapshotSchedule(k8s$, name, s, {
                    namespace: jenkins.namespace,
                    namespaceReady: waitFor,
                    claim,
                    credentialsSecretName: this.credentialsSecretName,
                    credentialsNamespace: s.linstorNamespace,
                    jobNamespace: s.linstorNamespace,
                    jobNamespaceReady: storageReady,
                    snapshotClasses: [snapshotClass, fullClass],
                });
                this.snapshotIntervalSeconds = maxScheduleGapSeconds(s.snapshotSchedule);
                this.watchedSchedule = describeSnapshotSchedule(s, s.linstorNamespace, (parseQuantity(jenkins.storageSize) ?? 0) / 2 ** 30);
            }
            if (s.onDemandSnapshotName !== undefined) {
                this.onDemandSnapshotName = s.onDemandSnapshotName;
                const snapshot = new k8s.apiextensions.CustomResource(
                    `${name}-on-demand`,
                    volumeSnapshotFromClaim({
                        name: s.onDemandSnapshotName,
                        namespace: jenkins.namespace,
                        className: classNames.onDemand,
                        pvcName: claim,
                        labels: { [ON_DEMAND_LABEL]: "on-demand" },
                    }),
                    { ...k8s$, dependsOn: [onDemandClass, ...claimReady] },
                );
                // s3://<remote>/pvc-<claim UID>/snapshot-<VolumeSnapshot UID>; the bare legacy name when the claim's UID is unknown.
                const claimUid = restore ? restore.claim.metadata.uid : pulumi.output(jenkins.claimUid);
                latestHandle = pulumi.all([snapshot.metadata.uid, claimUid]).apply(([uid, pvcUid]) => {
                    if (!uid) return undefined;
                    return pvcUid
                        ? s3SnapshotHandle(this.linstorRemoteName, linstorResourceOfClaim(pvcUid), legacySnapshotHandle(uid))
                        : legacySnapshotHandle(uid);
                });
            }
        }
        this.latestSnapshotHandle = latestHandle;
        handles.set(this, { snapshotClass, restore, remoteReady });

        this.registerOutputs({
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            bucketRegion: this.bucketRegion,
            kmsKeyArn: this.kmsKeyArn,
            linstorRemoteName: this.linstorRemoteName,
            snapshotClassName: this.snapshotClassName,
            onDemandSnapshotClassName: this.onDemandSnapshotClassName,
            snapshotClassParameters: this.snapshotClassParameters,
            credentialsSecretName: this.credentialsSecretName,
            currentAccessKeyId: this.currentAccessKeyId,
            restoredClaimName: this.restoredClaimName,
            latestSnapshotHandle: this.latestSnapshotHandle,
        });
    }
}
