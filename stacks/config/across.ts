/**
 * Checks between sections, after each section validated itself: what no single component can see. Each returns its
 * problems (ConfigErrors naming the key to fix) so loadConfig reports them with all the others at once.
 */

import { agentNamespaceName } from "../../components/jenkins/agents";
import { cpuCores, memoryBytes } from "../../components/jenkins/settings";
import { operatorChart } from "../../components/linstorCluster/operator";
import { operatorRelease } from "../../components/linstorCluster/operatorReleases";
import { LINSTOR_DISTRIBUTIONS } from "../../components/linstorCluster/settings";
import { instanceMemoryMiB, instanceVcpus } from "../../components/linstorCluster/sizing";
import { nodeExporterNamespace } from "../../components/monitoring/values";
import { ConfigError } from "../../components/shared/errors";
import { parseArn, SYSTEM_NAMESPACES, validateAll } from "../../components/shared/validation";
import { refuseIgnoredSnapshotKeys } from "../../components/snapshots/csiSupport";
import { SNAPSHOT_CONTROLLER_CHART } from "../../components/snapshots/schedule";
import { validateDataPool } from "./dataPool";
import type { StackConfig } from "./index";
import { jenkinsConfigKey } from "./jenkins";
import { fullKey, projectKey } from "./naming";

/**
 * Namespaces the stack creates must be distinct and not the cluster's own: two components in one namespace would
 * fight over it (one Namespace object, two owners; Pod Security labels of one applied to the other), and the
 * program's namespaces (LINSTOR's, the snapshot controller's) hold credentials a build pod must not share.
 */
export function namespaceProblems(cfg: StackConfig): ConfigError[] {
    const fixed = new Map<string, string>([
        ...SYSTEM_NAMESPACES.map((ns): [string, string] => [ns, "the cluster's own"]),
        ...LINSTOR_DISTRIBUTIONS.map((d): [string, string] => [operatorChart(d).namespace, "LINSTOR's (and its database backup's)"]),
        ...(cfg.snapshots.installSnapshotController ? [[SNAPSHOT_CONTROLLER_CHART.namespace, "the snapshot controller's"] as [string, string]] : []),
    ]);
    const jenkins = cfg.jenkins.namespace;
    const chosen: { key: string; ns: string; what: string; value: string }[] = [
        { key: jenkinsConfigKey("namespace"), ns: jenkins, what: "Jenkins'", value: jenkins },
        // HaJenkins creates its build agents' namespace beside it (components/jenkins/agents.ts).
        { key: jenkinsConfigKey("namespace"), ns: agentNamespaceName(jenkins), what: "the build agents'", value: jenkins },
    ];
    if (cfg.monitoring.monitoringEnabled && !cfg.monitoring.useExistingPrometheusOperator) {
        // DrbdMonitoring creates two: its own and node-exporter's beside it (values.ts nodeExporterNamespace), both from this key.
        const monitoring = cfg.monitoring.monitoringNamespace;
        chosen.push({ key: "monitoringNamespace", ns: monitoring, what: "monitoring's", value: monitoring });
        chosen.push({ key: "monitoringNamespace", ns: nodeExporterNamespace(monitoring), what: "node-exporter's", value: monitoring });
    }
    const problems: ConfigError[] = [];
    chosen.forEach((c, i) => {
        const owner = fixed.get(c.ns) ?? chosen.slice(0, i).find((other) => other.ns === c.ns)?.what;
        if (owner === undefined) return;
        const which = c.ns === c.value ? "This namespace" : `It puts ${c.what.replace(/'s?$/, "")} in ${c.ns}, which`;
        problems.push(new ConfigError(fullKey(c.key), c.value, `${which} is already ${owner}: give each component a namespace of its own.`));
    });
    return problems;
}

/**
 * What kubelet on an EKS node always keeps from pods (awslabs/amazon-eks-ami nodeadm/internal/kubelet/config.go):
 * kube-reserved memory is 255 MiB + 11 MiB per max pod (getMemoryMebibytesToReserve) plus the 100Mi
 * memory.available eviction threshold; only the fixed 355 MiB is counted, as max pods depends on the ENIs. CPU is
 * 6 % of the first core, 1 % of the second, 0.5 % of the next two, 0.25 % of the rest (getCPUMillicoresToReserve).
 * DaemonSets (LINSTOR's satellite, CNI, node-exporter) take more, so a request past this bound can never schedule.
 */
export const NODE_RESERVED_MEMORY_MIB = 255 + 100;
export function nodeReservedCpuMillicores(vcpus: number): number {
    const band = (from: number, to: number) => Math.max(0, Math.min(vcpus, to) - from) * 1000;
    return band(0, 1) * 0.06 + band(1, 2) * 0.01 + band(2, 4) * 0.005 + band(4, Number.POSITIVE_INFINITY) * 0.0025;
}

/** Jenkins' CPU and memory requests must fit what one node of instanceType can allocate to pods. */
export function nodeFitProblems(cfg: StackConfig): ConfigError[] {
    const { cluster, jenkins } = cfg;
    const problems: ConfigError[] = [];
    const memoryMiB = cluster.instanceMemoryMiB ?? instanceMemoryMiB(cluster.instanceType);
    const requestMiB = (memoryBytes(jenkins.memoryRequest) ?? 0) / 2 ** 20;
    if (memoryMiB !== undefined && requestMiB > memoryMiB - NODE_RESERVED_MEMORY_MIB) {
        problems.push(
            new ConfigError(
                fullKey(jenkinsConfigKey("memoryRequest")),
                jenkins.memoryRequest,
                `A ${cluster.instanceType} node has ${memoryMiB} MiB, of which at most ${memoryMiB - NODE_RESERVED_MEMORY_MIB} MiB ` +
                    `are allocatable to pods (EKS kube-reserved and eviction threshold): the controller could never be scheduled. ` +
                    `Request less (with room for LINSTOR's satellite) or choose a larger instanceType.`,
            ),
        );
    }
    const vcpus = instanceVcpus(cluster.instanceType);
    const requestCores = cpuCores(jenkins.cpuRequest) ?? 0;
    if (vcpus !== undefined && requestCores * 1000 > vcpus * 1000 - nodeReservedCpuMillicores(vcpus)) {
        const allocatable = Math.floor(vcpus * 1000 - nodeReservedCpuMillicores(vcpus));
        problems.push(
            new ConfigError(
                fullKey(jenkinsConfigKey("cpuRequest")),
                jenkins.cpuRequest,
                `A ${cluster.instanceType} node has ${vcpus} vCPUs, of which at most ${allocatable}m are allocatable to pods ` +
                    `(EKS kube-reserved): the controller could never be scheduled. Request less or choose a larger instanceType.`,
            ),
        );
    }
    return problems;
}

/**
 * The checks between sections: Jenkins and Prometheus need classes the cluster offers, the namespaces are distinct,
 * the NLB's certificate is in the stack's region, and the snapshot class carries only keys the chosen linstor-csi
 * parses. (What LINSTOR's data pools must hold is dataPool.ts's.) Throws one ConfigError listing every problem.
 */
export function validateAcrossSections(cfg: StackConfig): void {
    const { cluster, jenkins, monitoring } = cfg;
    const offered = `one of the StorageClasses this stack creates (storageClassReplicas: ${cluster.storageClassReplicas.join(", ")})`;
    const problems: ConfigError[] = [...namespaceProblems(cfg), ...nodeFitProblems(cfg)];
    if (
        monitoring.monitoringEnabled &&
        !monitoring.useExistingPrometheusOperator &&
        !cluster.storageClassReplicas.includes(monitoring.prometheusStorageReplicas)
    ) {
        problems.push(new ConfigError(fullKey("prometheusStorageReplicas"), monitoring.prometheusStorageReplicas, `Prometheus needs ${offered}.`));
    }
    if (!cluster.storageClassReplicas.includes(jenkins.storageClassReplicas)) {
        problems.push(new ConfigError(fullKey(jenkinsConfigKey("storageClassReplicas")), jenkins.storageClassReplicas, `Jenkins needs ${offered}.`));
    }
    const certificateRegion = jenkins.tlsCertificateArn === undefined ? undefined : parseArn(jenkins.tlsCertificateArn)?.region;
    if (certificateRegion !== undefined && certificateRegion !== cfg.region) {
        problems.push(
            new ConfigError(
                fullKey(jenkinsConfigKey("tlsCertificateArn")),
                jenkins.tlsCertificateArn,
                `An NLB can only use an ACM certificate from its own region ${cfg.region} (this one is in ${certificateRegion}).`,
            ),
        );
    }
    // The schedule's VolumeSnapshotClass must carry only keys the linstor-csi of the chosen operator release parses.
    const linbit = cluster.linstorDistribution === "linbit";
    const chartKey = linbit ? "linbitOperatorChartVersion" : "piraeusOperatorChartVersion";
    const chartVersion = linbit ? cluster.linbitOperatorChartVersion : cluster.piraeusOperatorChartVersion;
    const csi = operatorRelease(cluster.linstorDistribution, chartVersion)?.linstorCsi;
    validateAll([
        () => {
            if (problems.length > 0) throw ConfigError.all(problems);
        },
        () => refuseIgnoredSnapshotKeys(cfg.snapshots, csi, `${projectKey(chartKey)} ${chartVersion}`, projectKey),
        // Everything on LINSTOR and the local snapshots the retention keeps, against one node's data pool.
        () => validateDataPool(cfg),
    ]);
}
