/**
 * Reads what this stack last deployed (its own outputs, through a StackReference to itself),
 * refuses version changes EKS or the LINSTOR operator cannot perform, and hands back what it ran
 * (e.g. the node AMI to keep). On a first deployment there
 * are no outputs and nothing to check.
 */
import * as pulumi from "@pulumi/pulumi";
import { checkUpgrade, DeployedVersions } from "../components/linstorCluster/versions";
import { projectKey, StackConfig } from "./config";

/** Versions a stack exports so the next run can guard its upgrade. */
export function deployedVersionOutputs(cfg: StackConfig) {
    return {
        kubernetesVersion: cfg.cluster.kubernetesVersion,
        linstorDistribution: cfg.cluster.linstorDistribution,
        linstorOperatorChartVersion: operatorChartVersion(cfg),
    };
}

function operatorChartVersion(cfg: StackConfig): string {
    return cfg.cluster.linstorDistribution === "linbit"
        ? cfg.cluster.linbitOperatorChartVersion
        : cfg.cluster.piraeusOperatorChartVersion;
}

/** Checks the requested versions against the last deployment and returns what that deployment ran. */
export async function guardUpgrade(cfg: StackConfig): Promise<DeployedVersions> {
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
    checkUpgrade(deployed, deployedVersionOutputs(cfg), projectKey);
    return deployed;
}
