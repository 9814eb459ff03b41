/**
 * Reads what this stack last deployed (its own outputs, through a StackReference to itself),
 * refuses version changes EKS or the LINSTOR operator cannot perform, and hands back what it ran
 * (e.g. the node AMI to keep). On a first deployment there
 * are no outputs and nothing to check.
 */
import * as pulumi from "@pulumi/pulumi";
import { checkUpgrade, type DeployedVersions } from "../components/linstorCluster/versions";
import { ConfigError } from "../components/shared/errors";
import { projectKey, type StackConfig } from "./config";

/** Versions a stack exports so the next run can guard its upgrade. */
export function deployedVersionOutputs(cfg: StackConfig, availabilityZones: readonly string[]) {
    return {
        kubernetesVersion: cfg.cluster.kubernetesVersion,
        linstorDistribution: cfg.cluster.linstorDistribution,
        linstorOperatorChartVersion: operatorChartVersion(cfg),
        storageNetwork: storageNetwork(cfg, availabilityZones),
        storageNodes: storageNodes(cfg),
    };
}

/**
 * The settings that shape the storage nodes (JSON): a change adds or removes nodes (`nodesPerAz`) or rolls every one of
 * them (a new launch-template version: instance type, AMI, volumes, IMDS). Kept as an output so the next run can refuse
 * such a change when nothing would wait for DRBD between zones, and a shrinking volume.
 */
export function storageNodes(cfg: StackConfig): string {
    const c = cfg.cluster;
    return JSON.stringify({
        nodesPerAz: c.nodesPerAz,
        kubernetesVersion: c.kubernetesVersion,
        nodeAmiId: c.nodeAmiId ?? null,
        instanceType: c.instanceType,
        rootVolumeSizeGiB: c.rootVolumeSizeGiB,
        dataVolumeSizeGiB: c.dataVolumeSizeGiB,
        dataVolumeType: c.dataVolumeType,
        dataVolumeIops: c.dataVolumeIops ?? null,
        dataVolumeThroughputMiBps: c.dataVolumeThroughputMiBps ?? null,
        metadataVolumeSizeGiB: c.metadataVolumeSizeGiB ?? null,
        metadataVolumeType: c.metadataVolumeType,
        ebsKmsKeyArn: c.ebsKmsKeyArn ?? null,
        imdsHopLimit: c.imdsHopLimit,
    });
}

/**
 * Every change that replaces or removes storage nodes must go through the resync gate (nodeGroups.ts): each zone's gate
 * holds the next zone until its own nodes are back to `nodesPerAz` in LINSTOR and every replica is UpToDate again.
 * Refused on a deployed stack: such a change with `nodeRolloutResyncGate: false` (the zones would roll back to back),
 * and a pool volume smaller than deployed (the new nodes could not take over their zone's replicas: the gate would stop
 * the rollout with a zone short of one).
 */
export function checkStorageNodes(deployed: string | undefined, requested: string, resyncGate: boolean): void {
    if (deployed === undefined || deployed === requested) return;
    const before = JSON.parse(deployed) as Record<string, unknown>;
    const after = JSON.parse(requested) as Record<string, unknown>;
    for (const k of ["dataVolumeSizeGiB", "metadataVolumeSizeGiB"]) {
        if (typeof before[k] === "number" && typeof after[k] === "number" && (after[k] as number) < (before[k] as number)) {
            throw new ConfigError(
                projectKey(k),
                after[k],
                `The storage nodes run ${before[k]} GiB volumes. A smaller one would roll every node onto a pool that may not hold ` +
                    "the replicas it must take over: LINSTOR could not place them and the rollout would stop with a zone short of a " +
                    `replica. Keep at least ${before[k]} (volumes only grow); to shrink, build a new stack and move Jenkins with a ` +
                    "snapshot restore (stacks/ops/README.md). upgradeGuards: false skips this check.",
            );
        }
    }
    const changed = Object.keys(after).filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null));
    if (changed.length === 0 || resyncGate) return;
    throw new ConfigError(
        projectKey("nodeRolloutResyncGate"),
        false,
        `Changing ${changed.map((k) => projectKey(k)).join(", ")} replaces or removes storage nodes, and with the resync gate off ` +
            "nothing waits for DRBD to rebuild a zone's replicas before the next zone loses its node: two zones could lose a " +
            `replica of the same volume. Set ${projectKey("nodeRolloutResyncGate")} to true (the default) for this update, or keep ` +
            "the deployed values. upgradeGuards: false skips this check.",
    );
}

/** The settings whose change replaces storage node groups (their subnets): kept as an output to refuse such a change. */
export function storageNetwork(cfg: StackConfig, availabilityZones: readonly string[]): string {
    const c = cfg.cluster;
    return JSON.stringify({
        availabilityZones,
        vpcId: c.vpcId ?? null,
        privateSubnetIds: c.privateSubnetIds ?? null,
        vpcCidr: c.vpcId === undefined ? c.vpcCidr : null,
    });
}

/**
 * A change of the node groups' subnets replaces every storage node group: Pulumi creates the new groups (the resync
 * gates pass at once, the old nodes still hold every replica) and deletes all the old ones together at the end of the
 * update, so DRBD would lose every replica on them at once. Refused on a deployed stack.
 */
export function checkStorageNetwork(deployed: string | undefined, requested: string): void {
    if (deployed === undefined || deployed === requested) return;
    const before = JSON.parse(deployed) as Record<string, unknown>;
    const after = JSON.parse(requested) as Record<string, unknown>;
    const changed = Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    if (changed.length === 0) return;
    const key = changed[0] === "availabilityZones" ? projectKey("availabilityZones") : projectKey(changed[0]);
    throw new ConfigError(
        key,
        after[changed[0]],
        `This stack runs its storage nodes in ${JSON.stringify(before[changed[0]])}. Changing ${changed.join(", ")} replaces every ` +
            "storage node group at once (new groups first, all old ones deleted together at the end): DRBD would lose every " +
            "replica on them. Keep the deployed value, or build a new stack and move Jenkins with a snapshot restore " +
            "(stacks/ops/README.md); upgradeGuards: false skips this check.",
    );
}

function operatorChartVersion(cfg: StackConfig): string {
    return cfg.cluster.linstorDistribution === "linbit" ? cfg.cluster.linbitOperatorChartVersion : cfg.cluster.piraeusOperatorChartVersion;
}

/** Checks the requested versions against the last deployment and returns what that deployment ran. */
export async function guardUpgrade(cfg: StackConfig, availabilityZones: readonly string[]): Promise<DeployedVersions> {
    if (!cfg.upgradeGuards) return {};
    const self = new pulumi.StackReference(`${cfg.namePrefix}-self`, {
        name: `${pulumi.getOrganization()}/${cfg.project}/${cfg.stack}`,
    });
    const read = async (name: keyof DeployedVersions) => {
        const details = await self.getOutputDetails(name);
        return (details.value ?? details.secretValue) as string | undefined;
    };
    const deployed: DeployedVersions = {
        kubernetesVersion: await read("kubernetesVersion"),
        linstorDistribution: await read("linstorDistribution"),
        linstorOperatorChartVersion: await read("linstorOperatorChartVersion"),
        nodeAmiId: await read("nodeAmiId"),
    };
    const requested = deployedVersionOutputs(cfg, availabilityZones);
    checkUpgrade(deployed, requested, projectKey);
    checkStorageNetwork((await self.getOutputDetails("storageNetwork")).value as string | undefined, requested.storageNetwork);
    checkStorageNodes(
        (await self.getOutputDetails("storageNodes")).value as string | undefined,
        requested.storageNodes,
        cfg.cluster.nodeRolloutResyncGate ?? true,
    );
    return deployed;
}
