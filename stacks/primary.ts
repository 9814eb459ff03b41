import { StackConfig } from "./config";
import { buildJenkins, buildLinstorCluster, buildMonitoring, jenkinsOutputs, monitoringOutputs } from "./build";
import { deployedVersionOutputs } from "./upgradeGuard";

/** The primary stack: the HA cluster that runs Jenkins day to day. */
export async function deployPrimary(cfg: StackConfig) {
    const cluster = await buildLinstorCluster(cfg);
    const monitoring = buildMonitoring(cfg, cluster, { jenkinsNamespace: cfg.jenkins.namespace });
    const jenkins = buildJenkins(cfg, cluster, {
        monitoringEnabled: monitoring !== undefined,
        dependsOn: monitoring?.ready,
    });
    return {
        role: cfg.role,
        region: cfg.region,
        clusterName: cluster.clusterName,
        availabilityZones: cluster.availabilityZones,
        kubeconfig: cluster.kubeconfig,
        storageClassNames: cluster.storageClassNames,
        linstorNamespace: cluster.linstorNamespace,
        vpcId: cluster.vpcId,
        ...jenkinsOutputs(jenkins),
        ...monitoringOutputs(monitoring),
        ...deployedVersionOutputs(cfg),
    } satisfies Record<string, unknown>;
}

export type PrimaryOutputs = Awaited<ReturnType<typeof deployPrimary>>;
