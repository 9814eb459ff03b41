/** Version comparison and upgrade guard rails (pure). */
import { ConfigError } from "../shared/errors";

/** Compares exact semver strings (pre-release sorts before its release). */
export function compareSemver(a: string, b: string): number {
    const parse = (v: string) => {
        const [core, pre] = v.replace(/^v/, "").split("-", 2);
        return { nums: core.split(".").map(Number), pre };
    };
    const x = parse(a);
    const y = parse(b);
    for (let i = 0; i < 3; i++) {
        const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
        if (d !== 0) return Math.sign(d);
    }
    if (x.pre === y.pre) return 0;
    if (x.pre === undefined) return 1;
    if (y.pre === undefined) return -1;
    return x.pre < y.pre ? -1 : 1;
}

export function kubernetesMinor(version: string): number {
    return Number(version.split(".")[1]);
}

/** What the last deployment of this stack ran (its own outputs); fields absent on a first deployment. */
export interface DeployedVersions {
    readonly kubernetesVersion?: string;
    readonly linstorDistribution?: string;
    readonly linstorOperatorChartVersion?: string;
    /** AMI the storage nodes last ran. */
    readonly nodeAmiId?: string;
}

export interface RequestedVersions {
    readonly kubernetesVersion: string;
    readonly linstorDistribution: string;
    readonly linstorOperatorChartVersion: string;
}

/**
 * EKS upgrades the control plane one minor version at a time and never downgrades; the LINSTOR
 * operator's CRDs and database migrations only go forward. Refuse anything else before it starts.
 */
export function checkUpgrade(deployed: DeployedVersions, requested: RequestedVersions, key: (field: string) => string): void {
    if (deployed.kubernetesVersion) {
        const from = kubernetesMinor(deployed.kubernetesVersion);
        const to = kubernetesMinor(requested.kubernetesVersion);
        if (to < from) {
            throw new ConfigError(
                key("kubernetesVersion"),
                requested.kubernetesVersion,
                `The cluster runs ${deployed.kubernetesVersion}; EKS cannot downgrade.`,
            );
        }
        if (to > from + 1) {
            throw new ConfigError(
                key("kubernetesVersion"),
                requested.kubernetesVersion,
                `The cluster runs ${deployed.kubernetesVersion}; upgrade one minor version at a time (next: 1.${from + 1}).`,
            );
        }
    }
    const sameOperator = deployed.linstorDistribution === requested.linstorDistribution;
    if (
        deployed.linstorOperatorChartVersion &&
        sameOperator &&
        compareSemver(requested.linstorOperatorChartVersion, deployed.linstorOperatorChartVersion) < 0
    ) {
        const field = requested.linstorDistribution === "linbit" ? "linbitOperatorChartVersion" : "piraeusOperatorChartVersion";
        throw new ConfigError(
            key(field),
            requested.linstorOperatorChartVersion,
            `The cluster runs operator chart ${deployed.linstorOperatorChartVersion}; operator downgrades are not supported (CRDs and LINSTOR's database only migrate forward).`,
        );
    }
    if (deployed.linstorDistribution && !sameOperator) {
        throw new ConfigError(
            key("linstorDistribution"),
            requested.linstorDistribution,
            `The cluster runs ${deployed.linstorDistribution}; switching distributions in place is not supported — follow the README's migration runbook.`,
        );
    }
}

/**
 * The AMI to run: the configured one; else the one last deployed while the Kubernetes version stays the
 * same (a new "recommended" AMI in SSM must not roll every node on an unrelated `pulumi up`); else
 * undefined, meaning "look up the recommended AMI for this version".
 */
export function nodeAmiToRun(configured: string | undefined, deployed: DeployedVersions, kubernetesVersion: string): string | undefined {
    if (configured !== undefined) return configured;
    return deployed.kubernetesVersion === kubernetesVersion ? deployed.nodeAmiId : undefined;
}
