import * as pulumi from "@pulumi/pulumi";
import { HaJenkins } from "../components/haJenkins";
import { LinstorCluster, LinstorClusterArgs } from "../components/linstorCluster";
import { validateLinstorClusterSettings } from "../components/lib/linstorClusterArgs";
import { projectKey, StackConfig, validateAcrossSections } from "./config";
import { jenkinsConfigKey } from "./settings/jenkins";
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
    validateAcrossSections(cfg);
    await guardUpgrade(cfg);
    return new LinstorCluster(cfg.namePrefix, args);
}

/** Options a stack passes to build HaJenkins on a LinstorCluster. */
export interface JenkinsPlacement {
    /** Claim restored from a snapshot (origin restore, DR); default: a new protected claim. */
    readonly existingClaim?: string;
    readonly createNamespace?: boolean;
    readonly monitoringEnabled: boolean;
    readonly dependsOn?: pulumi.Resource[];
}

/** HaJenkins on the stack's LinstorCluster, with errors naming the stack's `jenkins*` keys. */
export function buildJenkins(cfg: StackConfig, cluster: LinstorCluster, placement: JenkinsPlacement): HaJenkins {
    const { adminPassword, ...settings } = cfg.jenkins;
    return new HaJenkins(`${cfg.namePrefix}-jenkins`, {
        ...settings,
        adminPassword,
        storageClassName: cluster.storageClassNames[settings.storageClassReplicas],
        existingClaim: placement.existingClaim,
        createNamespace: placement.createNamespace,
        monitoringEnabled: placement.monitoringEnabled,
        protect: cfg.cluster.protectStatefulResources,
        dependsOn: [...cluster.storageReady, ...(placement.dependsOn ?? [])],
        keyOf: (f) => projectKey(jenkinsConfigKey(f)),
    }, { provider: cluster.provider });
}

/** Jenkins outputs both stacks export (the DR stack reads the primary's). */
export function jenkinsOutputs(jenkins: HaJenkins) {
    return {
        jenkinsUrl: jenkins.url,
        jenkinsAdminUser: jenkins.adminUser,
        jenkinsAdminPassword: jenkins.adminPassword,
        jenkinsNamespace: jenkins.namespace,
        jenkinsPvcName: jenkins.pvcName,
        jenkinsStorageClassName: jenkins.storageClassName,
        jenkinsStorageSize: jenkins.storageSize,
        jenkinsSettings: jenkins.settings,
    };
}

/** The primary stack: the HA cluster that runs Jenkins day to day. */
export async function deployPrimary(cfg: StackConfig) {
    const cluster = await buildLinstorCluster(cfg);
    const jenkins = buildJenkins(cfg, cluster, { monitoringEnabled: false });
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
        ...deployedVersionOutputs(cfg),
    } satisfies Record<string, unknown>;
}

export type PrimaryOutputs = Awaited<ReturnType<typeof deployPrimary>>;
