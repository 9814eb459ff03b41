import type * as pulumi from "@pulumi/pulumi";
import type { HaJenkins } from "../components/jenkins";
import type { S3SnapshotShipping } from "../components/snapshots";
import { linstorResourceOfClaim } from "../components/snapshots/schedule";
import type { StackConfig } from "./config";
import { newestBackupOutputs } from "./newestBackup";
import { exportOutputs } from "./outputs";
import { deployedVersionOutputs } from "./upgradeGuard";
import {
    buildJenkins,
    buildJenkinsNamespace,
    buildLinstorCluster,
    buildLinstorDbBackup,
    buildMonitoring,
    buildPrimarySnapshots,
    clusterOutputs,
    jenkinsOutputs,
    linstorDbBackupOutputs,
    linstorDbBackupSchedule,
    monitoringOutputs,
    snapshotOutputs,
    snapshotSchedule,
    validatePrimarySnapshots,
} from "./wiring";

/** The primary stack: the HA cluster that runs Jenkins day to day. */
export async function deployPrimary(cfg: StackConfig) {
    const cluster = await buildLinstorCluster(cfg, () => validatePrimarySnapshots(cfg));
    const namespace = buildJenkinsNamespace(cfg, cluster);
    const monitoring = buildMonitoring(cfg, cluster, {
        jenkinsNamespace: cfg.jenkins.namespace,
        schedules: [snapshotSchedule(cfg), linstorDbBackupSchedule(cfg, cluster)],
    });
    const jenkinsOn = (existingClaim: string | undefined, dependsOn: pulumi.Resource[]) =>
        buildJenkins(cfg, cluster, {
            namespace,
            existingClaim,
            monitoringEnabled: monitoring !== undefined,
            dependsOn: [...dependsOn, ...(monitoring?.ready ?? [])],
        });
    // A restore must exist before Jenkins starts on it; otherwise Jenkins' own claim exists before it is snapshotted.
    let jenkins: HaJenkins;
    let snapshots: S3SnapshotShipping;
    if (cfg.snapshots.restoreFromSnapshot !== undefined) {
        snapshots = buildPrimarySnapshots(cfg, cluster, { namespace, claimReady: [] });
        jenkins = jenkinsOn(snapshots.restoredClaimName, snapshots.restore ? [snapshots.restore] : []);
    } else {
        jenkins = jenkinsOn(undefined, []);
        snapshots = buildPrimarySnapshots(cfg, cluster, {
            namespace,
            claimReady: jenkins.pvc ? [jenkins.pvc] : [],
            claimUid: jenkins.pvc?.metadata.uid,
        });
    }
    const linstorDbBackup = buildLinstorDbBackup(cfg, cluster, snapshots);
    // The claim Jenkins runs on (the restored one with restoreFromSnapshot): its LINSTOR resource is `pvc-<UID>`.
    const claimUid = snapshots.restore?.claim.metadata.uid ?? jenkins.pvc?.metadata.uid;
    const jenkinsLinstorResource = claimUid?.apply((uid) => (uid ? linstorResourceOfClaim(uid) : undefined));
    return exportOutputs({
        ...clusterOutputs(cfg, cluster),
        vpcId: cluster.vpcId,
        ...jenkinsOutputs(jenkins),
        ...snapshotOutputs(snapshots),
        ...(jenkinsLinstorResource !== undefined ? { jenkinsLinstorResource } : {}),
        ...newestBackupOutputs(snapshots, cfg.jenkins.namespace, jenkinsLinstorResource),
        ...linstorDbBackupOutputs(linstorDbBackup),
        ...monitoringOutputs(monitoring),
        ...deployedVersionOutputs(cfg, cluster.availabilityZones),
    });
}

export type PrimaryOutputs = Awaited<ReturnType<typeof deployPrimary>>;
