/** Builders shared by the primary and DR stacks: config → components, no copy-paste between stacks. */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { HaJenkins, validateHaJenkinsArgs } from "../components/jenkins";
import { chartFullname, homeClaimName, jenkinsNamespaceMetadata } from "../components/jenkins/values";
import { LinstorCluster, type LinstorClusterArgs } from "../components/linstorCluster";
import { operatorChart } from "../components/linstorCluster/operator";
import { validateLinstorClusterSettings } from "../components/linstorCluster/settings";
import { nodeAmiToRun } from "../components/linstorCluster/versions";
import { LinstorDbBackup, validateLinstorDbBackup } from "../components/linstorDbBackup";
import {
    describeLinstorDbBackupSchedule,
    linstorDbBackupLifecycleRule,
    validateLinstorDbBackupSettings,
} from "../components/linstorDbBackup/settings";
import { DrbdMonitoring, validateDrbdMonitoringArgs } from "../components/monitoring";
import { storageClassFor } from "../components/monitoring/settings";
import { ConfigError } from "../components/shared/errors";
import type { ScheduledJob } from "../components/shared/schedule";
import { S3SnapshotShipping, validateS3SnapshotShippingArgs } from "../components/snapshots";
import { describeSnapshotSchedule } from "../components/snapshots/schedule";
import { type BucketSource, type S3SnapshotSettings, validateS3SnapshotSettings } from "../components/snapshots/settings";
import { projectKey, type StackConfig, validateAcrossSections } from "./config";
import { jenkinsClaimGiB } from "./config/dataPool";
import { jenkinsConfigKey } from "./config/jenkins";
import { guardUpgrade } from "./upgradeGuard";
import { resolveAvailabilityZones } from "./zones";

/** LinstorCluster arguments of a stack, with errors naming the stack's config keys. */
export function linstorClusterArgs(cfg: StackConfig, availabilityZones: string[]): LinstorClusterArgs {
    const { azCount: _azCount, ...cluster } = cfg.cluster;
    // The kubeconfig acts as the same identity as the AWS provider (the last role of an assume-role chain).
    const roleArn = cfg.awsCredentials.assumeRoles?.at(-1)?.roleArn;
    return {
        ...cluster,
        availabilityZones,
        region: cfg.region,
        namePrefix: cfg.namePrefix,
        kubeconfigAwsProfile: cfg.awsCredentials.profile,
        kubeconfigAwsRoleArn: typeof roleArn === "string" ? roleArn : undefined,
    };
}

/**
 * A private-only endpoint is reachable only from networks that already reach the VPC. A VPC this stack is about to
 * create is reached by nothing yet (no VPN, peering or runner can be attached to it before it exists), so the first
 * deployment would hang at the first Kubernetes object. Later deployments may go private once such a path exists.
 */
function refuseUnreachablePrivateEndpoint(args: LinstorClusterArgs): void {
    if (args.apiPublicAccessCidrs.length > 0 || args.vpcId !== undefined) return;
    throw new ConfigError(
        projectKey("apiPublicAccessCidrs"),
        [],
        "A first deployment into a VPC this stack creates cannot use a private-only API endpoint: nothing reaches that VPC " +
            `yet. Set ${projectKey("apiPublicAccessCidrs")} for the first deployment (and drop it once your VPN, peering or ` +
            `runner reaches the VPC), or deploy into an existing VPC (${projectKey("vpcId")}, ${projectKey("privateSubnetIds")}).`,
    );
}

/** Builds the LinstorCluster of a stack from its config (shared by the primary and DR stacks). */
export async function buildLinstorCluster(cfg: StackConfig, validateMore: () => void = () => undefined): Promise<LinstorCluster> {
    const args = linstorClusterArgs(cfg, await resolveAvailabilityZones(cfg));
    // Config errors first (nothing registered), then the upgrade guard (registers only a read-only self-reference).
    validateLinstorClusterSettings(args, projectKey);
    validateAcrossSections(cfg);
    validateMore();
    const deployed = await guardUpgrade(cfg, args.availabilityZones);
    if (deployed.kubernetesVersion === undefined && cfg.upgradeGuards) refuseUnreachablePrivateEndpoint(args);
    // Parallel node groups are for a stack's first creation only (a DR recovery racing the clock): once it has been
    // deployed, and whenever that cannot be known (upgradeGuards off), every rollout replaces one AZ at a time.
    const firstCreation = cfg.upgradeGuards && deployed.kubernetesVersion === undefined;
    return new LinstorCluster(cfg.namePrefix, {
        ...args,
        nodeAmiId: nodeAmiToRun(cfg.cluster.nodeAmiId, deployed, cfg.cluster.kubernetesVersion),
        serialNodeGroupRollout: args.serialNodeGroupRollout || !firstCreation,
    });
}

/** Cluster outputs both stacks export. */
export function clusterOutputs(cfg: StackConfig, cluster: LinstorCluster) {
    return {
        role: cfg.role,
        region: cfg.region,
        clusterName: cluster.clusterName,
        availabilityZones: cluster.availabilityZones,
        kubeconfig: cluster.kubeconfig,
        storageClassNames: cluster.storageClassNames,
        linstorNamespace: cluster.linstorNamespace,
        nodeAmiId: cluster.nodeAmiId,
    };
}

/** Helm release name of Jenkins in every stack (so its Service and pod are `jenkins`, `jenkins-0`). */
export const JENKINS_RELEASE = "jenkins";

/** Options a stack passes to build HaJenkins on a LinstorCluster. */
export interface JenkinsPlacement {
    /** Claim restored from a snapshot (origin restore, DR); default: a new protected claim. */
    readonly existingClaim?: string;
    /** The namespace the stack created (buildJenkinsNamespace). */
    readonly namespace: k8s.core.v1.Namespace;
    readonly monitoringEnabled: boolean;
    /** The chart's ServiceMonitor (default: with monitoring); false when monitoring makes Jenkins' (the DR stack). */
    readonly chartServiceMonitor?: boolean;
    /** Seconds the first start may wait for a claim being restored (HaJenkins.restoreWaitSeconds). */
    readonly restoreWaitSeconds?: number;
    readonly dependsOn?: pulumi.Resource[];
}

/** HaJenkins on the stack's LinstorCluster, with errors naming the stack's `jenkins*` keys. */
export function buildJenkins(cfg: StackConfig, cluster: LinstorCluster, placement: JenkinsPlacement): HaJenkins {
    const { adminPassword, ...settings } = cfg.jenkins;
    const args = {
        ...settings,
        releaseName: JENKINS_RELEASE,
        adminPassword,
        storageClassName: cluster.storageClassNames[settings.storageClassReplicas],
        existingClaim: placement.existingClaim,
        createNamespace: false,
        monitoringEnabled: placement.monitoringEnabled,
        ...(placement.chartServiceMonitor !== undefined ? { chartServiceMonitor: placement.chartServiceMonitor } : {}),
        ...(placement.restoreWaitSeconds !== undefined ? { restoreWaitSeconds: placement.restoreWaitSeconds } : {}),
        protect: cfg.cluster.protectStatefulResources,
    };
    // The component's own check, with errors naming the stack's keys (the component would name HaJenkins.<field>).
    validateHaJenkinsArgs(args, (f) => projectKey(jenkinsConfigKey(f)));
    return new HaJenkins(`${cfg.namePrefix}-jenkins`, args, {
        provider: cluster.provider,
        dependsOn: [...cluster.storageReady, placement.namespace, ...(placement.dependsOn ?? [])],
    });
}

/** Jenkins outputs both stacks export (the DR stack reads the primary's). */
export function jenkinsOutputs(jenkins: HaJenkins) {
    return {
        jenkinsUrl: jenkins.url,
        jenkinsAdminUser: jenkins.adminUser,
        jenkinsAdminPassword: jenkins.adminPassword,
        jenkinsNamespace: jenkins.namespace,
        jenkinsPvcName: jenkins.pvcName,
        jenkinsServiceName: jenkins.serviceName,
        jenkinsStorageClassName: jenkins.storageClassName,
        jenkinsStorageSize: jenkins.storageSize,
        jenkinsSettings: jenkins.settings,
    };
}

/** DrbdMonitoring for the stack's cluster, or undefined when `monitoringEnabled` is false. */
export function buildMonitoring(
    cfg: StackConfig,
    cluster: LinstorCluster,
    opts: {
        readonly jenkinsNamespace: string;
        /** The stack's scheduled jobs as their components describe them (undefined entries: not scheduled here). */
        readonly schedules: readonly (ScheduledJob | undefined)[];
        /** Monitoring makes Jenkins' ServiceMonitor itself (when the chart's is off). Default false. */
        readonly jenkinsServiceMonitor?: boolean;
        /** Whether a Jenkins runs to scrape and alert on (not in a warm standby). Default true. */
        readonly jenkinsRuns?: boolean;
    },
): DrbdMonitoring | undefined {
    if (!cfg.monitoring.monitoringEnabled) return undefined;
    const { monitoringEnabled: _on, prometheusStorageReplicas, ...settings } = cfg.monitoring;
    const args = {
        ...settings,
        namePrefix: cfg.namePrefix,
        linstorNamespace: cluster.linstorNamespace,
        storageClassNames: cluster.storageClassNames,
        prometheusStorageClassName: settings.useExistingPrometheusOperator
            ? undefined
            : storageClassFor(prometheusStorageReplicas, cluster.storageClassNames, projectKey("prometheusStorageReplicas")),
        // HaJenkins turns on the chart's own ServiceMonitor (and the prometheus plugin); ours would duplicate it, unless
        // the chart's is off (the DR stack, whose Jenkins does not wait for the CRDs).
        jenkins:
            opts.jenkinsRuns === false
                ? undefined
                : {
                      namespace: opts.jenkinsNamespace,
                      createServiceMonitor: opts.jenkinsServiceMonitor ?? false,
                      job: chartFullname(JENKINS_RELEASE),
                  },
        schedules: opts.schedules.filter((s): s is ScheduledJob => s !== undefined),
        expectedStorageNodes: cfg.cluster.nodesPerAz * cluster.availabilityZones.length,
    };
    validateDrbdMonitoringArgs(args, projectKey);
    return new DrbdMonitoring(`${cfg.namePrefix}-monitoring`, args, { providers: [cluster.provider], dependsOn: cluster.storageReady });
}

/** Monitoring outputs (absent when monitoring is off). */
export function monitoringOutputs(monitoring: DrbdMonitoring | undefined) {
    return monitoring === undefined
        ? {}
        : {
              monitoringNamespace: monitoring.namespace,
              grafanaAdminPassword: monitoring.grafanaAdminPassword,
              grafanaService: monitoring.services?.grafana.name,
              alertmanagerService: monitoring.services?.alertmanager.name,
          };
}

/**
 * The stack creates the Jenkins namespace itself (HaJenkins gets `createNamespace: false`): the snapshot
 * schedule and a restored claim live there and must exist before Jenkins does.
 */
export function buildJenkinsNamespace(cfg: StackConfig, cluster: LinstorCluster): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(
        `${cfg.namePrefix}-jenkins-namespace`,
        {
            metadata: jenkinsNamespaceMetadata(cfg.jenkins.namespace),
        },
        // Deleting it deletes JENKINS_HOME's claim in it (protected, retained): the same protection, and kept in the cluster
        // when the program stops declaring it.
        { provider: cluster.provider, protect: cfg.cluster.protectStatefulResources, retainOnDelete: true },
    );
}

/** The bucket a primary creates (its config always resolves one; see readSnapshotConfig). */
export function primaryBucket(cfg: StackConfig): BucketSource {
    if (cfg.snapshots.bucket === undefined) throw new Error("a primary stack always resolves its snapshot bucket (readSnapshotConfig)");
    const db = cfg.linstorDbBackup;
    // The LINSTOR DB backup owns its retention rule; the bucket's one lifecycle configuration carries it.
    return db.linstorDbBackupEnabled
        ? { create: { ...cfg.snapshots.bucket.create, prefixRules: [linstorDbBackupLifecycleRule(db)] } }
        : cfg.snapshots.bucket;
}

/** S3SnapshotShipping settings of a stack for a given bucket. */
export function snapshotSettings(cfg: StackConfig, bucket: BucketSource): S3SnapshotSettings {
    const { bucket: _configured, ...settings } = cfg.snapshots;
    return { ...settings, bucket, namePrefix: cfg.namePrefix, protect: cfg.cluster.protectStatefulResources, tags: cfg.cluster.tags };
}

/** Validates the primary's snapshot settings (before any resource exists). */
export function validatePrimarySnapshots(cfg: StackConfig): void {
    validateS3SnapshotSettings(snapshotSettings(cfg, primaryBucket(cfg)), { clusterRegion: cfg.region }, projectKey);
    if (cfg.linstorDbBackup.linstorDbBackupEnabled) validateLinstorDbBackupSettings(cfg.linstorDbBackup, projectKey);
}

/** The primary's scheduled LINSTOR database backup into the snapshot bucket; undefined when disabled. */
export function buildLinstorDbBackup(cfg: StackConfig, cluster: LinstorCluster, snapshots: S3SnapshotShipping): LinstorDbBackup | undefined {
    const { linstorDbBackupEnabled, ...settings } = cfg.linstorDbBackup;
    if (!linstorDbBackupEnabled) return undefined;
    const args = {
        ...settings,
        namePrefix: cfg.namePrefix,
        // LinstorCluster names the EKS cluster after namePrefix.
        clusterName: cfg.namePrefix,
        linstorNamespace: cluster.linstorNamespace,
        passphraseSecretName: cluster.passphraseSecretName,
        bucket: { name: snapshots.bucketName, arn: snapshots.bucketArn, region: snapshots.bucketRegion, kmsKeyArn: snapshots.kmsKeyArn },
        tags: cfg.cluster.tags,
    };
    validateLinstorDbBackup(args, projectKey);
    return new LinstorDbBackup(`${cfg.namePrefix}-linstor-db-backup`, args, { providers: [cluster.provider], dependsOn: cluster.storageReady });
}

/** LINSTOR database backup outputs (absent when disabled). */
export function linstorDbBackupOutputs(backup: LinstorDbBackup | undefined) {
    return backup === undefined
        ? {}
        : {
              linstorDbBackupLocation: backup.location,
              linstorDbBackupSchedule: backup.schedule,
              linstorDbBackupRetentionDays: backup.retentionDays,
              linstorDbBackupAccessKeyId: backup.currentAccessKeyId,
              linstorDbBackupRestoreCommand: backup.restoreCommand,
          };
}

/** The primary's snapshot shipping of the Jenkins volume (`claimReady`: what creates the claim it snapshots). */
/** An AWS provider for another region that uses the stack's own credential settings. */
export function regionalProvider(cfg: StackConfig, region: string): aws.Provider {
    const c = cfg.awsCredentials;
    return new aws.Provider(`${cfg.namePrefix}-aws-${region}`, {
        region: region as aws.Region,
        ...(c.profile !== undefined ? { profile: c.profile } : {}),
        ...(c.sharedCredentialsFiles !== undefined ? { sharedCredentialsFiles: c.sharedCredentialsFiles } : {}),
        ...(c.allowedAccountIds !== undefined ? { allowedAccountIds: c.allowedAccountIds } : {}),
        ...(c.assumeRoles !== undefined ? { assumeRoles: c.assumeRoles as aws.types.input.ProviderAssumeRole[] } : {}),
    });
}

export function buildPrimarySnapshots(
    cfg: StackConfig,
    cluster: LinstorCluster,
    opts: {
        readonly namespace: k8s.core.v1.Namespace;
        readonly claimReady: pulumi.Resource[];
        /** UID of Jenkins' own claim (absent when restoring: the restored claim's is used). */
        readonly claimUid?: pulumi.Input<string>;
    },
): S3SnapshotShipping {
    const bucket = primaryBucket(cfg);
    const args = {
        ...snapshotSettings(cfg, bucket),
        linstorCsiVersion: cluster.linstorCsiVersion,
        clusterRegion: cfg.region,
        linstorNamespace: cluster.linstorNamespace,
        passphraseSecretName: cluster.passphraseSecretName,
        restoreStorageClassName: cluster.storageClassNames[cfg.jenkins.storageClassReplicas],
        jenkins: {
            namespace: cfg.jenkins.namespace,
            pvcName: homeClaimName(JENKINS_RELEASE),
            storageSize: cfg.jenkins.storageSize,
            claimUid: opts.claimUid,
        },
    };
    validateS3SnapshotShippingArgs(args, projectKey);
    const bucketProvider = "create" in bucket ? regionalProvider(cfg, bucket.create.region) : undefined;
    return new S3SnapshotShipping(`${cfg.namePrefix}-snapshots`, args, {
        providers: [cluster.provider],
        bucketProvider,
        // Every child waits for LINSTOR, the Jenkins namespace and (snapshotting Jenkins' own claim) that claim.
        dependsOn: [...cluster.storageReady, opts.namespace, ...opts.claimReady],
    });
}

/** Snapshot outputs the DR stack and operators read. */
export function snapshotOutputs(snapshots: S3SnapshotShipping) {
    return {
        snapshotBucketName: snapshots.bucketName,
        snapshotBucketRegion: snapshots.bucketRegion,
        snapshotBucketArn: snapshots.bucketArn,
        snapshotKmsKeyArn: snapshots.kmsKeyArn,
        linstorRemoteName: snapshots.linstorRemoteName,
        snapshotClassName: snapshots.snapshotClassName,
        onDemandSnapshotClassName: snapshots.onDemandSnapshotClassName,
        snapshotClassParameters: snapshots.snapshotClassParameters,
        snapshotAccessKeyId: snapshots.currentAccessKeyId,
        latestSnapshotHandle: snapshots.latestSnapshotHandle,
        latestSnapshotName: snapshots.onDemandSnapshotName,
        restoredClaimName: snapshots.restoredClaimName,
    };
}

/** The snapshot schedule as S3SnapshotShipping describes it to monitoring (undefined when none runs). */
export function snapshotSchedule(cfg: StackConfig): ScheduledJob | undefined {
    // The CronJob runs next to LINSTOR (scheduleResources.ts), in the operator chart's namespace.
    return describeSnapshotSchedule(cfg.snapshots, operatorChart(cfg.cluster.linstorDistribution).namespace, jenkinsClaimGiB(cfg));
}

/** The LINSTOR database backup as LinstorDbBackup describes it to monitoring (undefined when off). */
export function linstorDbBackupSchedule(cfg: StackConfig, cluster: LinstorCluster): ScheduledJob | undefined {
    return cfg.linstorDbBackup.linstorDbBackupEnabled ? describeLinstorDbBackupSchedule(cfg.linstorDbBackup, cluster.linstorNamespace) : undefined;
}
