import { LinstorCluster, LinstorClusterArgs } from "../components/linstorCluster";
import { validateLinstorClusterSettings } from "../components/lib/linstorClusterArgs";
import { projectKey, StackConfig } from "./config";
import { deployedVersionOutputs, guardUpgrade } from "./upgradeGuard";
import { resolveAvailabilityZones } from "./zones";

/** LinstorCluster arguments of a stack, with errors naming the stack's config keys. */
export function linstorClusterArgs(cfg: StackConfig, availabilityZones: string[]): LinstorClusterArgs {
    const { azCount: _azCount, ...cluster } = cfg.cluster;
    return { ...cluster, availabilityZones, region: cfg.region, namePrefix: cfg.namePrefix, keyOf: projectKey };
}

/** Builds the LinstorCluster of a stack from its config (shared by the primary and DR stacks). */
export async function buildLinstorCluster(cfg: StackConfig): Promise<LinstorCluster> {
    const args = linstorClusterArgs(cfg, await resolveAvailabilityZones(cfg));
    // Config errors first (nothing registered), then the upgrade guard (registers only a read-only self-reference).
    validateLinstorClusterSettings(args, projectKey);
    await guardUpgrade(cfg);
    return new LinstorCluster(cfg.namePrefix, args);
}

/** The primary stack: the HA cluster that runs Jenkins day to day. */
export async function deployPrimary(cfg: StackConfig) {
    const cluster = await buildLinstorCluster(cfg);
    return {
        role: cfg.role,
        region: cfg.region,
        clusterName: cluster.clusterName,
        availabilityZones: cluster.availabilityZones,
        kubeconfig: cluster.kubeconfig,
        storageClassNames: cluster.storageClassNames,
        linstorNamespace: cluster.linstorNamespace,
        vpcId: cluster.vpcId,
        ...deployedVersionOutputs(cfg),
    } satisfies Record<string, unknown>;
}

export type PrimaryOutputs = Awaited<ReturnType<typeof deployPrimary>>;
