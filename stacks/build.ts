/** Builders shared by the primary and DR stacks: config → components, no copy-paste between stacks. */
import * as pulumi from "@pulumi/pulumi";
import { HaJenkins } from "../components/haJenkins";
import { chartFullname } from "../components/lib/jenkinsValues";
import { LinstorCluster, LinstorClusterArgs } from "../components/linstorCluster";
import { validateLinstorClusterSettings } from "../components/lib/linstorClusterArgs";
import { projectKey, StackConfig, validateAcrossSections } from "./config";
import { DrbdMonitoring } from "../components/drbdMonitoring";
import { storageClassFor } from "../components/lib/monitoringArgs";
import { jenkinsConfigKey } from "./settings/jenkins";
import { guardUpgrade } from "./upgradeGuard";
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

/** Helm release name of Jenkins in every stack (so its Service and pod are `jenkins`, `jenkins-0`). */
export const JENKINS_RELEASE = "jenkins";

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
        releaseName: JENKINS_RELEASE,
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

/** DrbdMonitoring for the stack's cluster, or undefined when `monitoringEnabled` is false. */
export function buildMonitoring(cfg: StackConfig, cluster: LinstorCluster, opts: {
    readonly jenkinsNamespace: string;
    /** Seconds between scheduled snapshots, for the stale-backup alert; undefined when nothing is scheduled. */
    readonly snapshotIntervalSeconds?: number;
}): DrbdMonitoring | undefined {
    if (!cfg.monitoring.monitoringEnabled) return undefined;
    const { monitoringEnabled: _on, prometheusStorageReplicas, ...settings } = cfg.monitoring;
    return new DrbdMonitoring(`${cfg.namePrefix}-monitoring`, {
        ...settings,
        namePrefix: cfg.namePrefix,
        linstorNamespace: cluster.linstorNamespace,
        storageClassNames: cluster.storageClassNames,
        prometheusStorageClassName: settings.useExistingPrometheusOperator ? undefined
            : storageClassFor(prometheusStorageReplicas, cluster.storageClassNames, projectKey("prometheusStorageReplicas")),
        // HaJenkins turns on the chart's own ServiceMonitor (and the prometheus plugin); ours would duplicate it.
        jenkins: { namespace: opts.jenkinsNamespace, createServiceMonitor: false, job: chartFullname(JENKINS_RELEASE) },
        snapshots: opts.snapshotIntervalSeconds === undefined ? undefined : { intervalSeconds: opts.snapshotIntervalSeconds },
        dependsOn: cluster.storageReady,
        keyOf: projectKey,
    }, { providers: [cluster.provider] });
}

/** Monitoring outputs (absent when monitoring is off). */
export function monitoringOutputs(monitoring: DrbdMonitoring | undefined) {
    return monitoring === undefined ? {} : {
        monitoringNamespace: monitoring.namespace,
        grafanaAdminPassword: monitoring.grafanaAdminPassword,
        grafanaService: monitoring.services?.grafana.name,
        alertmanagerService: monitoring.services?.alertmanager.name,
    };
}
