import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as yaml from "js-yaml";
import { controllerMetricsNetworkPolicySpec, satelliteMetricsNetworkPolicySpec } from "../linstorCluster/networkPolicy";
import type { KeyOf } from "../linstorCluster/settings";
import { dependencies, Hidden, requireKubernetesProvider } from "../shared/componentOptions";
import type { WatchedScheduleInput } from "../shared/schedule";
import { alertRuleGroups, JOBS } from "./alertRules";
import { DASHBOARD_FILE, drbdDashboard } from "./dashboard";
import {
    isEmailRoutingConfigured,
    JENKINS_SCRAPE_DEFAULTS,
    type JenkinsScrapeArgs,
    KUBE_PROMETHEUS_STACK_REPO,
    type MonitoringInput,
    type MonitoringSettings,
    SNAPSHOT_SCHEDULE_LABEL,
    validateMonitoringSettings,
    validateMonitoringWiring,
    validateSlackWebhookUrl,
    withMonitoringDefaults,
} from "./settings";
import {
    alertmanagerConfig,
    DASHBOARD_LABEL,
    GRAFANA_ADMIN_KEYS,
    kubePrometheusStackValues,
    type MonitoringServices,
    nodeExporterNamespace,
    RELEASE_NAME,
    SERVICES,
    snapshotStateMetricsConfig,
} from "./values";

/**
 * DrbdMonitoring's settings (each field with a default optional: the component fills it) and what it watches. The
 * Kubernetes provider comes in the resource options (`providers`); `dependsOn` holds every child back
 * (LinstorCluster.storageReady for the Prometheus volumes and LINSTOR's namespace, plus HaJenkins when our Jenkins
 * ServiceMonitor goes into its namespace).
 */
export interface DrbdMonitoringArgs extends MonitoringInput {
    /** Prefix of every Pulumi resource name (LinstorCluster's namePrefix). */
    readonly namePrefix: string;
    /** Namespace of the LINSTOR controller and satellites (LinstorCluster.linstorNamespace). */
    readonly linstorNamespace: string;
    /** StorageClass name by replica count ("1", "2", "3": LinstorCluster.storageClassNames); sets the expected UpToDate replicas. */
    readonly storageClassNames: Record<string, string>;
    /** LINSTOR StorageClass of the Prometheus and Alertmanager volumes; required unless useExistingPrometheusOperator. */
    readonly prometheusStorageClassName?: string;
    /** Scrape and alert on Jenkins; omitted → no Jenkins monitor, namespace discovery or alert. */
    readonly jenkins?: JenkinsScrapeArgs;
    /**
     * Scheduled jobs to watch, as their components describe them (S3SnapshotShipping.describeSchedule,
     * LinstorDbBackup.describeSchedule): each must keep succeeding; one with `volumeSnapshotLabel` also gets the
     * snapshot-age alerts.
     */
    readonly schedules?: WatchedScheduleInput[];
    /** Storage nodes the cluster should have (LinstorCluster: nodesPerAz × zones): alert when fewer satellites are ONLINE. */
    readonly expectedStorageNodes?: number;
}

/**
 * Validates DrbdMonitoring's arguments as its constructor does, each unset setting at its default; errors name
 * `key(field)` (default `DrbdMonitoring.<field>`). A caller with its own key names (the stacks) calls it first.
 */
export function validateDrbdMonitoringArgs(args: DrbdMonitoringArgs, key: KeyOf = (f) => `DrbdMonitoring.${f}`): void {
    const {
        namePrefix,
        linstorNamespace,
        storageClassNames,
        prometheusStorageClassName,
        jenkins,
        schedules,
        expectedStorageNodes: _n,
        ...given
    } = args;
    const s = withMonitoringDefaults(given);
    validateMonitoringSettings(s, key);
    validateMonitoringWiring(
        {
            namePrefix,
            linstorNamespace,
            storageClassNames,
            prometheusStorageClassName,
            useExistingPrometheusOperator: s.useExistingPrometheusOperator,
            jenkins,
            schedules,
        },
        key,
    );
}

/** What DrbdMonitoring keeps for TypeScript callers only (shared/componentOptions.ts). */
const handles = new Hidden<{ ready: pulumi.Resource[] }>();

const PART_OF = { "app.kubernetes.io/part-of": "ha-jenkins-eks" };
const RULE_NAME = "hje-drbd-linstor";

/**
 * Prometheus, Alertmanager and Grafana (kube-prometheus-stack) watching DRBD, LINSTOR, Jenkins and the
 * snapshot schedule — or, with `useExistingPrometheusOperator`, only the monitors, rules and dashboard.
 */
export class DrbdMonitoring extends pulumi.ComponentResource {
    /** Namespace of Prometheus, Alertmanager, Grafana, the rules and the dashboard. */
    readonly namespace: string;
    /** Helm release name; undefined with an existing operator. */
    readonly releaseName?: string;
    /** Grafana admin password (secret); undefined with an existing operator. */
    readonly grafanaAdminPassword?: pulumi.Output<string>;
    /** Services to port-forward to (chart mode). */
    readonly services?: MonitoringServices;
    /** Name of the PrometheusRule holding every alert. */
    readonly ruleName: string;
    /** Where alerts go: "slack", "email", "slack+email" or "none" (visible in Alertmanager only). */
    readonly alertRouting: string;
    /** kube-state-metrics customResourceState config for VolumeSnapshots, to add to an existing kube-state-metrics. */
    readonly kubeStateMetricsSnapshotConfig: string;

    /** Depend on these before creating monitoring.coreos.com objects elsewhere (the chart's CRDs; empty with an existing operator; TypeScript only). */
    get ready(): pulumi.Resource[] {
        return handles.get(this).ready;
    }

    constructor(name: string, args: DrbdMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        const key: KeyOf = (f) => `DrbdMonitoring.${f}`;
        // Validate before registering anything, so bad input never leaves a half-created stack.
        validateDrbdMonitoringArgs(args, key);
        requireKubernetesProvider("DrbdMonitoring", opts);
        const {
            namePrefix: p,
            linstorNamespace,
            storageClassNames,
            prometheusStorageClassName,
            jenkins: j,
            schedules,
            expectedStorageNodes,
            ...given
        } = args;
        // The defaults of every unset field, filled here once: everything below reads `s`.
        const s = withMonitoringDefaults(given);
        super("ha-jenkins-eks:index:DrbdMonitoring", name, {}, opts);
        // Children inherit the Kubernetes provider from `providers`; they all wait for `dependsOn`.
        const waitFor = dependencies(opts);
        const ns = s.monitoringNamespace;
        const existing = s.useExistingPrometheusOperator;
        const jenkins =
            j === undefined
                ? undefined
                : {
                      namespace: j.namespace,
                      createServiceMonitor: j.createServiceMonitor ?? JENKINS_SCRAPE_DEFAULTS.createServiceMonitor,
                      serviceSelector: j.serviceSelector ?? JENKINS_SCRAPE_DEFAULTS.serviceSelector,
                      port: j.port ?? JENKINS_SCRAPE_DEFAULTS.port,
                      path: j.path ?? JENKINS_SCRAPE_DEFAULTS.path,
                      job: j.job ?? JENKINS_SCRAPE_DEFAULTS.job,
                  };
        const snapshotSchedule = schedules?.find((job) => job.volumeSnapshotLabel !== undefined);
        const scheduleLabel = snapshotSchedule?.volumeSnapshotLabel ?? SNAPSHOT_SCHEDULE_LABEL;
        const labels = { ...PART_OF, ...s.monitoringExtraLabels };
        this.namespace = ns;
        this.ruleName = RULE_NAME;
        this.alertRouting =
            [s.alertSlackWebhookUrl !== undefined ? "slack" : "", isEmailRoutingConfigured(s) ? "email" : ""].filter((r) => r !== "").join("+") ||
            "none";
        this.kubeStateMetricsSnapshotConfig = yaml.dump(snapshotStateMetricsConfig(scheduleLabel));

        let crdsReady: pulumi.Resource[] = [];
        if (!existing) {
            const release = this.stack(p, { ...s, linstorNamespace, prometheusStorageClassName }, jenkins?.namespace, scheduleLabel, key, waitFor);
            this.releaseName = RELEASE_NAME;
            this.services = SERVICES;
            this.grafanaAdminPassword = release.grafanaAdminPassword;
            crdsReady = [release.release];
        }
        handles.set(this, { ready: crdsReady });
        const crOpts = { parent: this, dependsOn: [...crdsReady, ...waitFor] };

        // LINSTOR's controller admits only its API clients (linstorCluster/networkPolicy.ts): Prometheus scrapes its
        // /metrics on the plain port, admitted here (NetworkPolicies add up).
        new k8s.networking.v1.NetworkPolicy(
            `${p}-linstor-metrics`,
            {
                metadata: { name: "linstor-controller-metrics", namespace: linstorNamespace, labels },
                spec: controllerMetricsNetworkPolicySpec(ns),
            },
            { parent: this, dependsOn: waitFor },
        );
        // Likewise the satellites admit only the controller and each other: drbd-reactor's metrics are admitted here.
        new k8s.networking.v1.NetworkPolicy(
            `${p}-linstor-satellite-metrics`,
            {
                metadata: { name: "linstor-satellite-metrics", namespace: linstorNamespace, labels },
                spec: satelliteMetricsNetworkPolicySpec(ns),
            },
            { parent: this, dependsOn: waitFor },
        );

        new k8s.apiextensions.CustomResource(
            `${p}-linstor-controller-monitor`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "ServiceMonitor",
                metadata: { name: "hje-linstor-controller", namespace: linstorNamespace, labels },
                spec: {
                    // piraeus-operator pkg/resources/cluster/controller/controller-service.yaml: port "api" (3370).
                    selector: { matchLabels: { "app.kubernetes.io/component": "linstor-controller" } },
                    namespaceSelector: { matchNames: [linstorNamespace] },
                    endpoints: [
                        {
                            port: "api",
                            path: "/metrics",
                            scheme: "http",
                            interval: "30s",
                            relabelings: [{ action: "replace", targetLabel: "job", replacement: JOBS.controller }],
                        },
                    ],
                },
            },
            crOpts,
        );

        new k8s.apiextensions.CustomResource(
            `${p}-linstor-satellite-monitor`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PodMonitor",
                metadata: { name: "hje-linstor-satellite", namespace: linstorNamespace, labels },
                spec: {
                    // piraeus-operator pkg/resources/satellite/satellite/daemonset.yaml: drbd-reactor port "prometheus" (9942).
                    selector: { matchLabels: { "app.kubernetes.io/component": "linstor-satellite" } },
                    namespaceSelector: { matchNames: [linstorNamespace] },
                    podMetricsEndpoints: [
                        {
                            port: "prometheus",
                            path: "/metrics",
                            scheme: "http",
                            interval: "30s",
                            relabelings: [
                                { action: "replace", sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node" },
                                { action: "replace", targetLabel: "job", replacement: JOBS.satellite },
                            ],
                        },
                    ],
                },
            },
            crOpts,
        );

        if (jenkins?.createServiceMonitor) {
            new k8s.apiextensions.CustomResource(
                `${p}-jenkins-monitor`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "ServiceMonitor",
                    metadata: { name: "hje-jenkins", namespace: jenkins.namespace, labels },
                    spec: {
                        selector: { matchLabels: { ...jenkins.serviceSelector } },
                        namespaceSelector: { matchNames: [jenkins.namespace] },
                        endpoints: [
                            {
                                port: jenkins.port,
                                path: jenkins.path,
                                scheme: "http",
                                interval: "60s",
                                relabelings: [{ action: "replace", targetLabel: "job", replacement: jenkins.job }],
                            },
                        ],
                    },
                },
                crOpts,
            );
        }

        new k8s.apiextensions.CustomResource(
            `${p}-drbd-alerts`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: RULE_NAME, namespace: ns, labels },
                spec: {
                    groups: alertRuleGroups({
                        storagePoolFullPercent: s.storagePoolFullPercent,
                        storageClassNames,
                        jenkinsJob: jenkins?.job,
                        snapshots:
                            snapshotSchedule === undefined
                                ? undefined
                                : { intervalSeconds: snapshotSchedule.intervalSeconds, slackSeconds: snapshotSchedule.slackSeconds, scheduleLabel },
                        cronJobs: schedules,
                        expectedSatellites: expectedStorageNodes,
                        linstorNamespace,
                    }),
                },
            },
            crOpts,
        );

        new k8s.core.v1.ConfigMap(
            `${p}-drbd-dashboard`,
            {
                metadata: { name: "hje-drbd-linstor-dashboard", namespace: ns, labels: { ...labels, [DASHBOARD_LABEL.key]: DASHBOARD_LABEL.value } },
                data: {
                    [DASHBOARD_FILE]: JSON.stringify(drbdDashboard({ storagePoolFullPercent: s.storagePoolFullPercent, jenkinsJob: jenkins?.job })),
                },
            },
            { parent: this, dependsOn: crdsReady },
        );

        this.registerOutputs({
            namespace: this.namespace,
            releaseName: this.releaseName,
            grafanaAdminPassword: this.grafanaAdminPassword,
            ruleName: this.ruleName,
            alertRouting: this.alertRouting,
        });
    }

    /** Namespace, secrets and the kube-prometheus-stack release. */
    private stack(
        p: string,
        args: MonitoringSettings & Pick<DrbdMonitoringArgs, "linstorNamespace" | "prometheusStorageClassName">,
        jenkinsNamespace: string | undefined,
        scheduleLabel: string,
        key: KeyOf,
        waitFor: pulumi.Resource[],
    ) {
        const ns = args.monitoringNamespace;
        const parent = { parent: this };
        const namespace = new k8s.core.v1.Namespace(
            `${p}-monitoring`,
            {
                // Nothing here needs host access (node-exporter runs next door): "baseline" enforced, "restricted" reported.
                metadata: {
                    name: ns,
                    labels: {
                        ...PART_OF,
                        "pod-security.kubernetes.io/enforce": "baseline",
                        "pod-security.kubernetes.io/warn": "restricted",
                        "pod-security.kubernetes.io/audit": "restricted",
                    },
                },
            },
            parent,
        );
        // node-exporter reads the host (hostNetwork, hostPID, hostPath): the one "privileged" namespace of monitoring.
        const exporterNamespace = new k8s.core.v1.Namespace(
            `${p}-node-exporter`,
            { metadata: { name: nodeExporterNamespace(ns), labels: { ...PART_OF, "pod-security.kubernetes.io/enforce": "privileged" } } },
            parent,
        );
        const inNs = { parent: this, dependsOn: [namespace] };

        const password =
            args.grafanaAdminPassword !== undefined
                ? pulumi.output(args.grafanaAdminPassword)
                : new random.RandomPassword(`${p}-grafana-admin`, { length: 32, special: false }, parent).result;
        const grafanaAdminPassword = pulumi.secret(password);
        const grafanaSecret = new k8s.core.v1.Secret(
            `${p}-grafana-admin`,
            {
                metadata: { name: "hje-grafana-admin", namespace: ns, labels: PART_OF },
                type: "Opaque",
                stringData: pulumi.secret(
                    grafanaAdminPassword.apply((pw) => ({ [GRAFANA_ADMIN_KEYS.user]: "admin", [GRAFANA_ADMIN_KEYS.password]: pw })),
                ),
            },
            inNs,
        );

        const email = isEmailRoutingConfigured(args);
        const config = pulumi.all([args.alertSlackWebhookUrl, args.alertSmtpPassword]).apply(([slack, smtpPassword]) => {
            // A webhook that arrives as a secret Output can only be checked here.
            if (slack !== undefined) validateSlackWebhookUrl(slack, key("alertSlackWebhookUrl"));
            return yaml.dump(
                alertmanagerConfig({
                    slackWebhookUrl: slack,
                    slackChannel: args.alertSlackChannel,
                    email: email
                        ? {
                              to: args.alertEmailTo!,
                              from: args.alertEmailFrom!,
                              smarthost: args.alertSmtpSmarthost!,
                              username: args.alertSmtpUsername,
                              password: smtpPassword,
                          }
                        : undefined,
                }),
                { lineWidth: -1 },
            );
        });
        const configSecretName = "hje-alertmanager-config";
        const alertmanagerSecret = new k8s.core.v1.Secret(
            `${p}-alertmanager-config`,
            {
                metadata: { name: configSecretName, namespace: ns, labels: PART_OF },
                type: "Opaque",
                stringData: pulumi.secret(config.apply((c) => ({ "alertmanager.yaml": c }))),
            },
            inNs,
        );

        const values = kubePrometheusStackValues({
            discoveryNamespaces: [ns, nodeExporterNamespace(ns), args.linstorNamespace, ...(jenkinsNamespace ? [jenkinsNamespace] : [])],
            monitoringNamespace: ns,
            nodeExporterNamespace: nodeExporterNamespace(ns),
            storageClassName: args.prometheusStorageClassName!,
            prometheusStorageSize: args.prometheusStorageSize,
            prometheusRetention: args.prometheusRetention,
            prometheusCpuRequest: args.prometheusCpuRequest,
            prometheusMemoryRequest: args.prometheusMemoryRequest,
            alertmanagerStorageSize: args.alertmanagerStorageSize,
            alertmanagerConfigSecret: configSecretName,
            grafanaAdminSecret: "hje-grafana-admin",
            grafanaServiceType: args.grafanaServiceType,
            grafanaLoadBalancerSourceRanges: args.grafanaLoadBalancerSourceRanges,
            snapshotScheduleLabel: scheduleLabel,
            crdUpgradeKubectlImage: args.crdUpgradeKubectlImage,
            crdUpgradeBusyboxImage: args.crdUpgradeBusyboxImage,
        });
        const release = new k8s.helm.v3.Release(
            `${p}-kube-prometheus-stack`,
            {
                name: RELEASE_NAME,
                chart: "kube-prometheus-stack",
                version: args.kubePrometheusStackVersion,
                repositoryOpts: { repo: KUBE_PROMETHEUS_STACK_REPO },
                namespace: ns,
                values,
                // Wait for the operator (and its CRDs) before monitors and rules are created. Helm gives each wait this
                // timeout: each pre-install/pre-upgrade hook (the CRD upgrade Job: image pulls and one apply, about a
                // minute), then the release's resources. pulumi-kubernetes applies no customTimeouts to a Release.
                skipAwait: false,
                timeout: 900,
            },
            { parent: this, dependsOn: [namespace, exporterNamespace, grafanaSecret, alertmanagerSecret, ...waitFor] },
        );
        return { release, grafanaAdminPassword };
    }
}
