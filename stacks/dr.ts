/**
 * The DR stack: rebuilds the whole platform in a foreign region from the primary stack's outputs and
 * restores Jenkins from the S3 backup. It only reads the primary (StackReference) and its bucket
 * (read/restore IAM rights); it never creates or changes anything of the primary's.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../components/shared/errors";
import { BYTE_SUFFIXES, parseQuantity } from "../components/shared/validation";
import { S3SnapshotShipping } from "../components/snapshots";
import { SnapshotRestore } from "../components/snapshots/restore";
import { isSnapshotHandle } from "../components/snapshots/schedule";
import { type BucketSource, validateS3SnapshotSettings } from "../components/snapshots/settings";
import { projectKey, type StackConfig } from "./config";
import { type DrConfig, REUSED_JENKINS_SETTINGS } from "./config/dr";
import { exportOutputs, type PrimaryStackOutputs, readPrimaryOutputs } from "./outputs";
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

/** Name of the VolumeSnapshot (and claim) the DR stack restores into. */
export const DR_RESTORE_NAME = "jenkins-dr-restore";

const HANDLE_HELP =
    "Find one in the primary cluster with `kubectl get volumesnapshotcontent -o custom-columns=" +
    "NAME:.metadata.name,HANDLE:.status.snapshotHandle,READY:.status.readyToUse`, or in any cluster with LINSTOR: " +
    "`kubectl -n <linstor-namespace> exec deploy/linstor-controller -- linstor backup list <remote>`; then " +
    "`pulumi config set ha-jenkins-eks:restoreSnapshotHandle <handle> -s <dr-stack>`.";

/** The backup to restore: config first, else the primary's latest declared snapshot. */
export function chooseSnapshotHandle(dr: DrConfig, primary: PrimaryStackOutputs): string {
    const handle = dr.restoreSnapshotHandle ?? primary.latestSnapshotHandle;
    if (handle === undefined) {
        throw new ConfigError(
            projectKey("restoreSnapshotHandle"),
            undefined,
            `Neither this key nor the primary stack ${dr.primaryStack}'s output latestSnapshotHandle names a backup. ${HANDLE_HELP}`,
        );
    }
    if (!isSnapshotHandle(handle)) {
        const source = dr.restoreSnapshotHandle !== undefined ? "" : ` (taken from ${dr.primaryStack}'s output latestSnapshotHandle)`;
        throw new ConfigError(
            projectKey("restoreSnapshotHandle"),
            handle,
            `Not a linstor-csi snapshot handle${source}: use s3://<remote>/<resource>/<snapshot> or a bare snapshot-<uuid>. ${HANDLE_HELP}`,
        );
    }
    return handle;
}

/** Checks that need the primary's outputs; all run before the DR cluster is registered. */
export function validateAgainstPrimary(cfg: StackConfig, dr: DrConfig, primary: PrimaryStackOutputs): void {
    if (primary.region === cfg.region) {
        throw new ConfigError(
            "aws:region",
            cfg.region,
            `The DR stack must run in another region than the primary stack ${dr.primaryStack} (${primary.region}).`,
        );
    }
    chooseSnapshotHandle(dr, primary);
    // A restored claim smaller than the backup cannot hold it (the CSI restore fails, or the volume is cut short).
    const backup = parseQuantity(primary.jenkinsStorageSize, BYTE_SUFFIXES);
    const restore = dr.restoreStorageSize === undefined ? undefined : parseQuantity(dr.restoreStorageSize, BYTE_SUFFIXES);
    if (backup !== undefined && restore !== undefined && restore < backup) {
        throw new ConfigError(
            projectKey("restoreStorageSize"),
            dr.restoreStorageSize,
            `The backup is of a ${primary.jenkinsStorageSize} claim (the primary stack ${dr.primaryStack}'s jenkinsStorageSize): restore into at least that much.`,
        );
    }
}

/** The DR stack's Jenkins settings: the primary's for what runs, this stack's for how it is reached. */
export function drJenkinsConfig(cfg: StackConfig, dr: DrConfig, primary: PrimaryStackOutputs): StackConfig["jenkins"] {
    const reused = Object.fromEntries(
        REUSED_JENKINS_SETTINGS.filter((k) => primary.jenkinsSettings[k] !== undefined).map((k) => [k, primary.jenkinsSettings[k]]),
    );
    return { ...cfg.jenkins, ...reused, storageSize: dr.restoreStorageSize ?? primary.jenkinsStorageSize };
}

/** The primary's bucket, referenced only: restore (read) rights, or read/write once DR ships its own snapshots. */
function primaryBucket(primary: PrimaryStackOutputs, dr: DrConfig): BucketSource {
    return {
        existing: {
            name: primary.snapshotBucketName,
            region: primary.snapshotBucketRegion,
            kmsKeyArn: primary.snapshotKmsKeyArn,
            access: dr.drSnapshotsEnabled ? "readWrite" : "restoreOnly",
        },
    };
}

/** The primary's class options (incremental policy) so both clusters describe the same remote alike. */
function classOptions(
    primary: PrimaryStackOutputs,
): Pick<StackConfig["snapshots"], "snapshotAllowIncremental" | "snapshotMaxIncrements" | "snapshotFullAfter"> {
    const p = primary.snapshotClassParameters;
    const get = (k: string) => p[`snap.linstor.csi.linbit.com/${k}`];
    return {
        snapshotAllowIncremental: get("allow-incremental") === "true",
        snapshotMaxIncrements: get("max-increments") === undefined ? 0 : Number(get("max-increments")),
        snapshotFullAfter: get("full-snapshot-after"),
    };
}

export async function deployDr(cfg: StackConfig) {
    const dr = cfg.dr;
    if (dr === undefined) throw new Error("deployDr needs a stack with role dr");
    const reference = new pulumi.StackReference(`${cfg.namePrefix}-primary`, { name: dr.primaryStack });
    const primary = await readPrimaryOutputs(reference, dr.primaryStack);
    validateAgainstPrimary(cfg, dr, primary);
    const handle = chooseSnapshotHandle(dr, primary);
    const drCfg: StackConfig = {
        ...cfg,
        jenkins: drJenkinsConfig(cfg, dr, primary),
        snapshots: {
            ...cfg.snapshots,
            ...classOptions(primary),
            linstorRemoteName: primary.linstorRemoteName,
            snapshotScheduleEnabled: dr.drSnapshotsEnabled && cfg.snapshots.snapshotScheduleEnabled,
            onDemandSnapshotName: dr.drSnapshotsEnabled ? cfg.snapshots.onDemandSnapshotName : undefined,
            restoreFromSnapshot: undefined,
        },
    };
    const bucket = primaryBucket(primary, dr);
    const cluster = await buildLinstorCluster(drCfg, () =>
        validateS3SnapshotSettings(snapshotSettings(drCfg, bucket), { clusterRegion: cfg.region }, projectKey),
    );

    const namespace = buildJenkinsNamespace(drCfg, cluster);
    const shipping = new S3SnapshotShipping(`${cfg.namePrefix}-snapshots`, {
        ...snapshotSettings(drCfg, bucket),
        linstorCsiVersion: cluster.linstorCsiVersion,
        clusterRegion: cfg.region,
        k8sProvider: cluster.provider,
        linstorNamespace: cluster.linstorNamespace,
        passphraseSecretName: cluster.passphraseSecretName,
        storageReady: cluster.storageReady,
        // Snapshots of the restored claim once DR is live (it exists before the schedule's first run).
        jenkins: dr.drSnapshotsEnabled
            ? {
                  namespace: drCfg.jenkins.namespace,
                  pvcName: DR_RESTORE_NAME,
                  storageSize: drCfg.jenkins.storageSize,
                  namespaceReady: [namespace],
              }
            : undefined,
        remoteJobImage: dr.remoteJobImage,
        keyOf: projectKey,
    });
    const restore = new SnapshotRestore(`${cfg.namePrefix}-restore`, {
        provider: cluster.provider,
        namespace: drCfg.jenkins.namespace,
        claimName: DR_RESTORE_NAME,
        storageClassName: cluster.storageClassNames[drCfg.jenkins.storageClassReplicas],
        size: drCfg.jenkins.storageSize,
        source: { fromHandle: { snapshotHandle: handle, snapshotName: DR_RESTORE_NAME, snapshotClassName: shipping.snapshotClassName } },
        dependsOn: [...shipping.remoteReady, namespace],
        protect: cfg.cluster.protectStatefulResources,
        keyOf: projectKey,
    });

    const monitoring = buildMonitoring(drCfg, cluster, {
        jenkinsNamespace: drCfg.jenkins.namespace,
        schedules: [snapshotSchedule(drCfg)],
    });
    const jenkins = buildJenkins(drCfg, cluster, {
        namespace,
        existingClaim: restore.claimName,
        monitoringEnabled: monitoring !== undefined,
        dependsOn: [restore.claim, ...(monitoring?.ready ?? [])],
    });

    return exportOutputs({
        ...clusterOutputs(cfg, cluster),
        primaryStack: dr.primaryStack,
        primaryRegion: primary.region,
        restoredSnapshotHandle: handle,
        /** Restoring where the bucket lives avoids inter-region transfer on the restore path. */
        restoreReadsAcrossRegions: primary.snapshotBucketRegion !== cfg.region,
        ...(dr.drSnapshotsEnabled
            ? snapshotOutputs(shipping)
            : {
                  snapshotBucketName: primary.snapshotBucketName,
                  snapshotBucketRegion: primary.snapshotBucketRegion,
                  linstorRemoteName: primary.linstorRemoteName,
                  snapshotClassParameters: shipping.snapshotClassParameters,
              }),
        ...jenkinsOutputs(jenkins),
        ...monitoringOutputs(monitoring),
        ...deployedVersionOutputs(drCfg, cluster.availabilityZones),
    });
}
