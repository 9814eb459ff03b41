/**
 * The DR stack: rebuilds the whole platform in another region and restores Jenkins from the S3 backups, needing
 * nothing from the primary at recovery time. It finds the newest complete backup in the bucket itself and keeps that
 * choice (drChoice.ts); it reads the primary's outputs when they are there and otherwise what it recorded of them, or
 * the `restoreBucket*` keys (drSources.ts). It never creates or changes anything of the primary's.
 *
 * `drMode: restore` (default) restores and runs Jenkins; `drMode: standby` keeps the cluster, LINSTOR and the S3
 * remote warm, with a scheduled restore check (components/snapshots/restoreCheck.ts): a fail-over is then
 * `pulumi config set drMode restore` and one `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../components/shared/errors";
import { BYTE_SUFFIXES, parseQuantity } from "../components/shared/validation";
import { S3SnapshotShipping, validateS3SnapshotShippingArgs } from "../components/snapshots";
import { s3BucketReader } from "../components/snapshots/bucketReader";
import { ReleaseChain } from "../components/snapshots/releaseChain";
import { SnapshotRestore } from "../components/snapshots/restore";
import { RESTORE_CHECK_NAME, RestoreCheck } from "../components/snapshots/restoreCheck";
import { RESTORE_DOWNLOAD_NAME, RestoreDownload } from "../components/snapshots/restoreDownload";
import { RestoreGate } from "../components/snapshots/restoreGate";
import { restoreSeconds } from "../components/snapshots/restoreTiming";
import { linstorResourceOfClaim } from "../components/snapshots/schedule";
import { type BucketSource, type ExistingBucket, remoteName, validateS3SnapshotSettings } from "../components/snapshots/settings";
import { projectKey, type StackConfig } from "./config";
import { type DrConfig, REUSED_JENKINS_SETTINGS } from "./config/dr";
import { type ChoiceContext, chooseBackup, restoreNames, standbyOrigins } from "./drChoice";
import { readOwnRecord, readPrimary, restoreBucket } from "./drSources";
import { restoreCheckArgs, restoreDownloadArgs, standbyImagePrePull } from "./drStandby";
import { exportOutputs, type PrimaryStackOutputs, type RestoredBackup } from "./outputs";
import { deployedVersionOutputs } from "./upgradeGuard";
import {
    buildJenkins,
    buildJenkinsNamespace,
    buildLinstorCluster,
    buildMonitoring,
    clusterOutputs,
    jenkinsOutputs,
    monitoringOutputs,
    snapshotOutputs,
    snapshotSchedule,
    snapshotSettings,
} from "./wiring";

export { REUSED_JENKINS_SETTINGS };

const GiB = 2 ** 30;

/** Checks against the primary (live or recorded); they run before the DR cluster is registered. */
export function validateAgainstPrimary(cfg: StackConfig, dr: DrConfig, primary: PrimaryStackOutputs | undefined): void {
    if (primary !== undefined && primary.region === cfg.region) {
        throw new ConfigError(
            "aws:region",
            cfg.region,
            `The DR stack must run in another region than the primary stack ${dr.primaryStack ?? "it restores"} (${primary.region}).`,
        );
    }
}

/**
 * The size of the restored claim: `restoreStorageSize` if set (refused when smaller than the backup), else the larger
 * of the primary's `jenkinsStorageSize` (or this stack's) and the backup's volume, in whole GiB.
 */
export function restoredClaimSize(cfg: StackConfig, dr: DrConfig, primary: PrimaryStackOutputs | undefined, backup?: RestoredBackup): string {
    const backupBytes = Math.max(backup?.volumeBytes ?? 0, parseQuantity(primary?.jenkinsStorageSize ?? "0", BYTE_SUFFIXES) ?? 0);
    if (dr.restoreStorageSize !== undefined) {
        const wanted = parseQuantity(dr.restoreStorageSize, BYTE_SUFFIXES) ?? 0;
        if (wanted < backupBytes) {
            const of =
                backup !== undefined && backup.volumeBytes >= backupBytes
                    ? `backup ${backup.id}`
                    : `the primary's jenkinsStorageSize (${primary?.jenkinsStorageSize})`;
            throw new ConfigError(
                projectKey("restoreStorageSize"),
                dr.restoreStorageSize,
                `The volume to restore is ${Math.ceil(backupBytes / GiB)} Gi (${of}): restore into at least that much.`,
            );
        }
        return dr.restoreStorageSize;
    }
    const own = parseQuantity(primary?.jenkinsStorageSize ?? cfg.jenkins.storageSize, BYTE_SUFFIXES) ?? 0;
    return `${Math.ceil(Math.max(own, backupBytes) / GiB)}Gi`;
}

/** The DR stack's Jenkins settings: the primary's for what runs (when known), this stack's for how it is reached. */
export function drJenkinsConfig(cfg: StackConfig, primary: PrimaryStackOutputs | undefined, storageSize: string): StackConfig["jenkins"] {
    const theirs = primary?.jenkinsSettings ?? {};
    const reused = Object.fromEntries(REUSED_JENKINS_SETTINGS.filter((k) => theirs[k] !== undefined).map((k) => [k, theirs[k]]));
    return { ...cfg.jenkins, ...reused, storageSize };
}

/** The primary's class options (incremental policy), so both clusters describe the same remote alike. */
function classOptions(
    cfg: StackConfig,
    primary: PrimaryStackOutputs | undefined,
): Pick<StackConfig["snapshots"], "snapshotAllowIncremental" | "snapshotMaxIncrements" | "snapshotFullAfter"> {
    if (primary === undefined) return cfg.snapshots;
    const p = primary.snapshotClassParameters;
    const get = (k: string) => p[`snap.linstor.csi.linbit.com/${k}`];
    return {
        snapshotAllowIncremental: get("allow-incremental") === "true",
        snapshotMaxIncrements: get("max-increments") === undefined ? 0 : Number(get("max-increments")),
        snapshotFullAfter: get("full-snapshot-after") ?? cfg.snapshots.snapshotFullAfter,
    };
}

export async function deployDr(cfg: StackConfig) {
    const dr = cfg.dr;
    if (dr === undefined) throw new Error("deployDr needs a stack with role dr");
    // 1. What to work from: this stack's own record, the primary (live or recorded), the bucket.
    const own = await readOwnRecord(cfg);
    const source = await readPrimary(cfg, dr, own);
    const primary = source.primary;
    validateAgainstPrimary(cfg, dr, primary);
    const existing: ExistingBucket = restoreBucket(dr, source);
    const bucket: BucketSource = { existing };
    const jenkinsNamespace = drJenkinsConfig(cfg, primary, cfg.jenkins.storageSize).namespace;
    const remote = primary?.linstorRemoteName ?? remoteName({ linstorRemoteName: cfg.snapshots.linstorRemoteName, bucket });

    // 2. Which backup: pinned, kept, or the newest complete one in the bucket (standby chooses none).
    const choiceContext: ChoiceContext = {
        dr,
        recorded: own.restoredBackup,
        primaryRestored: primary?.restoredBackup,
        remote,
        jenkinsNamespace,
        sourceResource: dr.restoreSourceResource,
        primaryResource: primary?.jenkinsLinstorResource,
        bucket: `${existing.name} (${existing.region})`,
        reader: () => s3BucketReader(existing.name, existing.region),
    };
    const choice = dr.drMode === "restore" ? await chooseBackup(choiceContext) : { how: "none" as const };
    const backup = choice.backup;
    const size = restoredClaimSize(cfg, dr, primary, backup);
    const drCfg: StackConfig = {
        ...cfg,
        jenkins: drJenkinsConfig(cfg, primary, size),
        snapshots: {
            ...cfg.snapshots,
            ...classOptions(cfg, primary),
            linstorRemoteName: remote,
            snapshotScheduleEnabled: backup !== undefined && dr.drSnapshotsEnabled && cfg.snapshots.snapshotScheduleEnabled,
            onDemandSnapshotName: backup !== undefined && dr.drSnapshotsEnabled ? cfg.snapshots.onDemandSnapshotName : undefined,
            restoreFromSnapshot: undefined,
        },
    };
    if (backup !== undefined) void pulumi.log.info(`Restoring backup ${backup.id} (${choice.how}; ${backup.chainLength} in its chain).`);
    const names = backup === undefined ? undefined : restoreNames(backup);
    // The standby checks the Jenkins claim's backups only: their resources, from one meta per resource in the bucket.
    const origins = dr.drMode === "standby" ? await standbyOrigins(choiceContext, dr.restoreSourceClusterId) : [];
    const checkArgs = dr.drMode === "standby" ? restoreCheckArgs(drCfg, dr, remote, origins) : undefined;
    const downloadArgs = dr.drMode === "standby" ? restoreDownloadArgs(drCfg, dr, remote, origins) : undefined;

    // 3. The cluster, after every check above and the components' own.
    const cluster = await buildLinstorCluster(drCfg, () =>
        validateS3SnapshotSettings(snapshotSettings(drCfg, bucket), { clusterRegion: cfg.region }, projectKey),
    );
    const namespace = buildJenkinsNamespace(drCfg, cluster);
    const shippingArgs = {
        ...snapshotSettings(drCfg, bucket),
        linstorCsiVersion: cluster.linstorCsiVersion,
        clusterRegion: cfg.region,
        linstorNamespace: cluster.linstorNamespace,
        passphraseSecretName: cluster.passphraseSecretName,
        // Snapshots of the restored claim once DR is live (it exists before the schedule's first run).
        jenkins:
            names !== undefined && dr.drSnapshotsEnabled
                ? { namespace: drCfg.jenkins.namespace, pvcName: names.claimName, storageSize: drCfg.jenkins.storageSize }
                : undefined,
        remoteJobImage: dr.remoteJobImage,
    };
    validateS3SnapshotShippingArgs(shippingArgs, projectKey);
    const shipping = new S3SnapshotShipping(`${cfg.namePrefix}-snapshots`, shippingArgs, {
        providers: [cluster.provider],
        dependsOn: [...cluster.storageReady, namespace],
    });

    // 4a. Standby: the restore check proves every new backup restores (and keeps the chain downloaded).
    const check =
        checkArgs === undefined
            ? undefined
            : new RestoreCheck(
                  `${cfg.namePrefix}-restore-check`,
                  checkArgs({ linstorNamespace: cluster.linstorNamespace, storageClassName: smallestClass(cluster.storageClassNames) }),
                  { provider: cluster.provider, dependsOn: shipping.remoteReady },
              );
    // 4a'. Standby: the download step keeps the newest backup's chain in LINSTOR (a fail-over fetches only what it missed).
    const download =
        downloadArgs === undefined
            ? undefined
            : new RestoreDownload(`${cfg.namePrefix}-restore-download`, downloadArgs({ linstorNamespace: cluster.linstorNamespace }), {
                  provider: cluster.provider,
                  dependsOn: shipping.remoteReady,
              });
    // 4a''. Standby: the DR Jenkins' images kept on every storage node, so the fail-over's first start pulls nothing.
    if (dr.drMode === "standby") standbyImagePrePull(drCfg, { provider: cluster.provider, dependsOn: [namespace] });
    // 4b. Restore: the gate first (a Job Pulumi awaits: LINSTOR downloads exactly the chosen backup before the claim
    // exists, so linstor-csi finds it local instead of retrying CreateVolume with back-off; restoreGate.ts), then new
    // objects for each backup chosen (their names carry its id), then Jenkins on the claim.
    // Only while this backup's restore is new (this stack has not recorded it as restored yet, so a failed gate runs
    // again on the next `up`): once the content and claim exist, a gate would only download the chain again (a Job
    // changed by a new image is replaced and runs anew), and fail for good when retention has since deleted the
    // backup from S3. Pulumi deletes the finished Job on the next `up`.
    const gate =
        backup === undefined || names === undefined || own.restoredBackup?.id === backup.id
            ? undefined
            : new RestoreGate(
                  `${cfg.namePrefix}-restore-gate-${names.key}`,
                  {
                      linstorNamespace: cluster.linstorNamespace,
                      remoteName: remote,
                      // Each link's bytes, so the gate reports what it downloaded and the drill measures those (restoreMeasure.ts).
                      backup: { ...backup, ...(choice.links !== undefined ? { links: choice.links } : {}) },
                      key: names.key,
                      image: drCfg.snapshots.snapshotJobImage,
                      curlImage: dr.remoteJobImage,
                      throughputMiBps: dr.restoreThroughputMiBps,
                  },
                  { provider: cluster.provider, dependsOn: shipping.remoteReady },
              );
    const restore =
        backup === undefined || names === undefined
            ? undefined
            : new SnapshotRestore(`${cfg.namePrefix}-restore-${names.key}`, {
                  provider: cluster.provider,
                  namespace: drCfg.jenkins.namespace,
                  claimName: names.claimName,
                  storageClassName: cluster.storageClassNames[drCfg.jenkins.storageClassReplicas],
                  size: drCfg.jenkins.storageSize,
                  source: {
                      fromHandle: { snapshotHandle: backup.handle, snapshotName: names.snapshotName, snapshotClassName: shipping.snapshotClassName },
                  },
                  dependsOn: [...shipping.remoteReady, namespace, ...(gate !== undefined ? [gate.job] : [])],
                  protect: cfg.cluster.protectStatefulResources,
                  keyOf: projectKey,
              });
    const monitoring = buildMonitoring(drCfg, cluster, {
        jenkinsNamespace: drCfg.jenkins.namespace,
        schedules: [snapshotSchedule(drCfg), check?.watchedSchedule, download?.watchedSchedule],
        // The DR Jenkins does not wait for monitoring: its ServiceMonitor is monitoring's own, made once the CRDs exist.
        jenkinsServiceMonitor: true,
        jenkinsRuns: backup !== undefined,
    });
    const jenkins =
        restore === undefined || backup === undefined
            ? undefined
            : buildJenkins(drCfg, cluster, {
                  namespace,
                  existingClaim: restore.claimName,
                  monitoringEnabled: monitoring !== undefined,
                  chartServiceMonitor: false,
                  // After the gate the chain is local, so the claim normally binds in seconds. The wait still allows a
                  // whole chain: it is a limit, not a delay (it costs nothing when the restore is quick), and linstor-csi
                  // downloads again if the local copy went missing in between (an operator's delete, an aborted link;
                  // the standby's restore check skips its pruning while a restore gate Job exists). Shortening it would
                  // turn that slow but working recovery into a failed `pulumi up`.
                  restoreWaitSeconds: restoreSeconds(backup, dr.restoreThroughputMiBps),
                  dependsOn: [restore.claim],
              });
    // 5. Once Jenkins runs on the restored claim, release the chain downloaded into the origin's snapshots
    // (releaseChain.ts). Not on the run that turns a standby into a restore: its download step and restore check are
    // deleted only at the end of that run and could fetch the chain again after the release; the next `pulumi up`
    // releases it (runbook). The recorded drMode is not proof enough (a failed fail-over may have recorded `restore`
    // while those schedules remain), so the Job itself waits for them to be gone and refuses while they exist.
    const restoredResource = restore?.claim.metadata.uid.apply(linstorResourceOfClaim);
    if (jenkins !== undefined && restore !== undefined && names !== undefined && restoredResource !== undefined && backup !== undefined) {
        if (dr.restoreReleaseChain && own.drMode !== "standby") {
            new ReleaseChain(
                `${cfg.namePrefix}-release-chain-${names.key}`,
                {
                    linstorNamespace: cluster.linstorNamespace,
                    claimNamespace: drCfg.jenkins.namespace,
                    claimName: restore.claimName,
                    restoredPvName: restoredResource,
                    originResources: [backup.resource],
                    restoreKey: names.key,
                    standbySchedules: [RESTORE_DOWNLOAD_NAME, RESTORE_CHECK_NAME],
                    image: drCfg.snapshots.snapshotJobImage,
                    curlImage: dr.remoteJobImage,
                },
                { provider: cluster.provider, dependsOn: [jenkins] },
            );
        } else if (dr.restoreReleaseChain) {
            void pulumi.log.info(
                `The chain downloaded into ${backup.resource} is released by the next \`pulumi up\` (after the standby's schedules are gone).`,
            );
        }
    }

    return exportOutputs({
        ...clusterOutputs(cfg, cluster),
        drMode: dr.drMode,
        ...(dr.primaryStack !== undefined ? { primaryStack: dr.primaryStack } : {}),
        ...(primary !== undefined ? { primaryRegion: primary.region, primaryRecord: primary } : {}),
        /** Restoring where the bucket lives avoids inter-region transfer on the restore path. */
        restoreReadsAcrossRegions: existing.region !== cfg.region,
        ...(backup !== undefined && dr.drSnapshotsEnabled
            ? snapshotOutputs(shipping)
            : {
                  snapshotBucketName: existing.name,
                  snapshotBucketRegion: existing.region,
                  ...(existing.kmsKeyArn !== undefined ? { snapshotKmsKeyArn: existing.kmsKeyArn } : {}),
                  linstorRemoteName: remote,
                  snapshotClassName: shipping.snapshotClassName,
                  snapshotClassParameters: shipping.snapshotClassParameters,
              }),
        // No output waits on the Jenkins release: Node registers the stack's outputs only once every one resolved
        // (@pulumi/pulumi runtime/stack.js), so one such output would keep a failed fail-over from recording its choice
        // (restoredBackup), and the next `up` would choose again (pulumi/pulumi#15754 tests/integration/
        // stack_outputs_resource_error). The URL is the one known before the release (publicUrl or in-cluster).
        ...(jenkins !== undefined ? { ...jenkinsOutputs(jenkins), jenkinsUrl: jenkins.urlBeforeRelease } : {}),
        ...(backup !== undefined && restore !== undefined
            ? {
                  restoredBackup: backup,
                  restoredSnapshotHandle: backup.handle,
                  restoredClaimName: restore.claimName,
                  restoredClaimUrn: restore.claim.urn,
                  jenkinsLinstorResource: restoredResource,
              }
            : {}),
        ...monitoringOutputs(monitoring),
        ...deployedVersionOutputs(drCfg, cluster.availabilityZones),
    });
}

/** The class with the fewest replicas (a scratch claim needs no redundancy). */
function smallestClass(classes: Record<number, string>): string {
    const replicas = Object.keys(classes)
        .map(Number)
        .sort((a, b) => a - b);
    return classes[replicas[0]];
}
