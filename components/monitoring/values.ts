/**
 * kube-prometheus-stack values and the kube-state-metrics VolumeSnapshot config. Pure builders.
 * Keys verified at prometheus-community/helm-charts kube-prometheus-stack-88.5.3 (values.yaml,
 * templates/prometheus/prometheus.yaml, templates/alertmanager/{alertmanager,secret}.yaml), its subcharts
 * kube-state-metrics 8.4.0 and grafana 12.11.1 (grafana-community/helm-charts).
 */
import { type GrafanaServiceType, retentionSizeFor, SNAPSHOT_SCHEDULE_LABEL, splitImageReference } from "./settings";

/** Helm release name; fixes the Service names users port-forward to. */
export const RELEASE_NAME = "kube-prometheus-stack";
/** Services the chart creates for RELEASE_NAME (fullname = release name when it contains the chart name). */
export const SERVICES: MonitoringServices = {
    grafana: { name: `${RELEASE_NAME}-grafana`, port: 80 },
    alertmanager: { name: `${RELEASE_NAME}-alertmanager`, port: 9093 },
    prometheus: { name: `${RELEASE_NAME}-prometheus`, port: 9090 },
};

/** A Service to port-forward to. */
export interface ServicePort {
    readonly name: string;
    readonly port: number;
}

/** The chart's Services (declared interfaces: DrbdMonitoring's `services` output is in the package schema). */
export interface MonitoringServices {
    readonly grafana: ServicePort;
    readonly alertmanager: ServicePort;
    readonly prometheus: ServicePort;
}
/**
 * node-exporter's namespace beside the monitoring one: the subchart puts its DaemonSet and ServiceMonitor there
 * (prometheus-node-exporter 4.56.1, kube-prometheus-stack 88.5.3's dependency: `namespaceOverride` in
 * templates/_helpers.tpl `prometheus-node-exporter.namespace` and `monitor-namespace`).
 */
export function nodeExporterNamespace(monitoringNamespace: string): string {
    // A DNS label (≤ 63): the monitoring namespace's name cut to fit.
    return `${monitoringNamespace.slice(0, 63 - "-node-exporter".length).replace(/-+$/, "")}-node-exporter`;
}

/** Keys the Grafana chart reads from `grafana.admin.existingSecret` (its defaults). */
export const GRAFANA_ADMIN_KEYS = { user: "admin-user", password: "admin-password" } as const;
/** Label/value the Grafana dashboard sidecar watches (chart defaults kept). */
export const DASHBOARD_LABEL = { key: "grafana_dashboard", value: "1" } as const;

/** kube-state-metrics custom-resource metrics (prefix + "_" + name, kubernetes/kube-state-metrics pkg/customresourcestate). */
const KSM_PREFIX = "kube_customresource";
const CREATED = "volumesnapshot_creation_timestamp_seconds";
const READY = "volumesnapshot_ready_to_use";
export const SNAPSHOT_CREATED_METRIC = `${KSM_PREFIX}_${CREATED}`;
export const SNAPSHOT_READY_METRIC = `${KSM_PREFIX}_${READY}`;

/**
 * kube-state-metrics `CustomResourceStateMetrics` config exposing each VolumeSnapshot's status.creationTime
 * (RFC 3339, parsed to a Unix timestamp) and status.readyToUse, labelled with the value of `scheduleLabel`
 * (docs/metrics/extend/customresourcestate-metrics.md). No upstream component exports snapshot age.
 */
export function snapshotStateMetricsConfig(scheduleLabel: string = SNAPSHOT_SCHEDULE_LABEL): Record<string, unknown> {
    return {
        kind: "CustomResourceStateMetrics",
        spec: {
            resources: [
                {
                    groupVersionKind: { group: "snapshot.storage.k8s.io", version: "v1", kind: "VolumeSnapshot" },
                    metricNamePrefix: KSM_PREFIX,
                    labelsFromPath: {
                        namespace: ["metadata", "namespace"],
                        volumesnapshot: ["metadata", "name"],
                        persistentvolumeclaim: ["spec", "source", "persistentVolumeClaimName"],
                        schedule: ["metadata", "labels", scheduleLabel],
                    },
                    metrics: [
                        {
                            name: CREATED,
                            help: "Unix time the storage system took the snapshot (status.creationTime); absent until set.",
                            each: { type: "Gauge", gauge: { path: ["status", "creationTime"] } },
                        },
                        {
                            name: READY,
                            help: "1 when the snapshot can be restored (status.readyToUse), else 0.",
                            each: { type: "Gauge", gauge: { path: ["status", "readyToUse"], nilIsZero: true } },
                        },
                    ],
                },
            ],
        },
    };
}

export interface MonitoringValuesInput {
    /** Namespaces whose ServiceMonitors, PodMonitors, Probes and PrometheusRules Prometheus reads. */
    readonly discoveryNamespaces: readonly string[];
    readonly monitoringNamespace: string;
    /** Where node-exporter runs (default nodeExporterNamespace): the only pod of the chart that needs Pod Security "privileged". */
    readonly nodeExporterNamespace?: string;
    readonly storageClassName: string;
    readonly prometheusStorageSize: string;
    readonly prometheusRetention: string;
    readonly prometheusCpuRequest: string;
    readonly prometheusMemoryRequest: string;
    readonly alertmanagerStorageSize: string;
    /** Our Secret with `alertmanager.yaml` (the chart's own config Secret is switched off). */
    readonly alertmanagerConfigSecret: string;
    /** Our Secret with the Grafana admin user/password. */
    readonly grafanaAdminSecret: string;
    readonly grafanaServiceType: GrafanaServiceType;
    readonly grafanaLoadBalancerSourceRanges: readonly string[];
    /** Label key on VolumeSnapshots that kube-state-metrics copies into `schedule`. */
    readonly snapshotScheduleLabel: string;
    /** Pinned images of the CRD upgrade Job (full references with a tag). */
    readonly crdUpgradeKubectlImage: string;
    readonly crdUpgradeBusyboxImage: string;
}

/**
 * The chart's CRD upgrade Job (`crds.upgradeJob`, kube-prometheus-stack ≥ 68.4.0; at 88.5.3
 * charts/crds/templates/upgrade/{job,crds,clusterrole,clusterrolebinding,serviceaccount}.yaml). Helm installs the
 * CRDs in charts/crds/crds/ on the first install only and never upgrades them; this Job, a
 * `pre-install,pre-upgrade,pre-rollback` hook, unpacks the chart's own CRDs (files/crds.bz2, the appVersion's
 * prometheus-operator CRDs) with busybox `bzcat` and runs `kubectl apply --server-side --force-conflicts` before the
 * operator is upgraded. Helm waits for a hook Job to complete, up to the Release's `timeout`, and fails the upgrade if
 * it fails (helm v3 pkg/action/hooks.go execHook → WatchUntilReady; pulumi-kubernetes keeps hooks on for install and
 * upgrade, provider/pkg/provider/helm_release.go). Its pods run as 65534, read-only, no capabilities (chart defaults).
 */
export function crdUpgradeJobValues(v: Pick<MonitoringValuesInput, "crdUpgradeKubectlImage" | "crdUpgradeBusyboxImage">): Record<string, unknown> {
    const image = (ref: string) => {
        const parts = splitImageReference(ref);
        if (parts === undefined) throw new Error(`not a tagged image reference: ${ref}`);
        // The tag carries any digest: the template's `sha` switch for busybox tests another key (upgradeJob.image.sha).
        return { ...parts, sha: "", pullPolicy: "IfNotPresent" };
    };
    return {
        enabled: true,
        // Take over fields owned by the manager that created the CRDs (Helm's first install); needed when a schema changes.
        forceConflicts: true,
        // The chart's defaults are busybox:latest and kubectl:<the cluster's version>: never the same image twice.
        image: { busybox: image(v.crdUpgradeBusyboxImage), kubectl: image(v.crdUpgradeKubectlImage) },
        resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "512Mi" } },
    };
}

function pvc(storageClassName: string, size: string) {
    return {
        volumeClaimTemplate: {
            spec: { storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } },
        },
    };
}

export function kubePrometheusStackValues(v: MonitoringValuesInput): Record<string, unknown> {
    const namespaceSelector = {
        matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...new Set(v.discoveryNamespaces)].sort() }],
    };
    return {
        // The CRDs follow the chart version: upgraded before the operator on every chart bump (see crdUpgradeJobValues).
        crds: { enabled: true, upgradeJob: crdUpgradeJobValues(v) },
        // EKS runs these on the managed control plane (or binds kube-proxy metrics to localhost): scraping them
        // fails, and their default rules would page for targets that can never be up.
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeEtcd: { enabled: false },
        kubeProxy: { enabled: false },
        prometheusOperator: {
            resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
        },
        prometheus: {
            prometheusSpec: {
                // false: select every monitor/rule in the selected namespaces, not only ones labelled release=<name>
                // (piraeus-operator docs/how-to/monitoring.md asks for this too).
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                ruleSelectorNilUsesHelmValues: false,
                probeSelectorNilUsesHelmValues: false,
                serviceMonitorNamespaceSelector: namespaceSelector,
                podMonitorNamespaceSelector: namespaceSelector,
                ruleNamespaceSelector: namespaceSelector,
                probeNamespaceSelector: namespaceSelector,
                retention: v.prometheusRetention,
                retentionSize: retentionSizeFor(v.prometheusStorageSize),
                resources: { requests: { cpu: v.prometheusCpuRequest, memory: v.prometheusMemoryRequest } },
                storageSpec: pvc(v.storageClassName, v.prometheusStorageSize),
            },
        },
        alertmanager: {
            alertmanagerSpec: {
                // The routing config carries secrets (Slack webhook, SMTP password): we deliver it as our own
                // Secret instead of Helm values, which Helm would store in its release Secret as well.
                useExistingSecret: true,
                configSecret: v.alertmanagerConfigSecret,
                storage: pvc(v.storageClassName, v.alertmanagerStorageSize),
                resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
            },
        },
        grafana: {
            admin: { existingSecret: v.grafanaAdminSecret, userKey: GRAFANA_ADMIN_KEYS.user, passwordKey: GRAFANA_ADMIN_KEYS.password },
            service:
                v.grafanaServiceType === "LoadBalancer"
                    ? { type: "LoadBalancer", loadBalancerSourceRanges: [...v.grafanaLoadBalancerSourceRanges] }
                    : { type: "ClusterIP" },
            // The dashboard sidecar reads only our namespace (the chart's default is ALL) and the datasource sidecar
            // its own (searchNamespace null), so a Role and RoleBinding in the release namespace suffice: with
            // rbac.namespaced the grafana chart renders no ClusterRole with get/list/watch on every Secret and ConfigMap
            // (grafana-community/helm-charts grafana-12.11.1 templates/clusterrole.yaml, role.yaml, rolebinding.yaml).
            rbac: { namespaced: true },
            sidecar: {
                dashboards: {
                    enabled: true,
                    label: DASHBOARD_LABEL.key,
                    labelValue: DASHBOARD_LABEL.value,
                    searchNamespace: [v.monitoringNamespace],
                },
            },
            resources: { requests: { cpu: "50m", memory: "192Mi" }, limits: { memory: "512Mi" } },
        },
        // hostNetwork, hostPID and hostPath mounts: in a namespace of its own, so the rest of the stack stays "baseline".
        "prometheus-node-exporter": { namespaceOverride: v.nodeExporterNamespace ?? nodeExporterNamespace(v.monitoringNamespace) },
        "kube-state-metrics": {
            // Its default collectors list and watch every Secret of the cluster (ClusterRole `secrets: list, watch`, whole
            // objects): nothing here reads kube_secret_*, so the collector and that right go (kube-state-metrics 8.4.0,
            // kube-prometheus-stack 88.5.3's dependency: `collectorsExclude`, templates/_helpers.tpl, role.yaml).
            collectorsExclude: ["secrets"],
            customResourceState: { enabled: true, config: snapshotStateMetricsConfig(v.snapshotScheduleLabel) },
            rbac: { extraRules: [{ apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshots"], verbs: ["list", "watch"] }] },
            resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
        },
    };
}

/** Plain (already unwrapped) alert routing; the component keeps the resulting YAML secret. */
export interface AlertRouting {
    readonly slackWebhookUrl?: string;
    readonly slackChannel?: string;
    readonly email?: {
        readonly to: string;
        readonly from: string;
        readonly smarthost: string;
        readonly username?: string;
        readonly password?: string;
    };
}

export const RECEIVERS = { none: "null", notify: "notify" } as const;

/**
 * Alertmanager configuration (prometheus.io/docs/alerting/latest/configuration). Without Slack or e-mail every
 * alert goes to the `null` receiver: it stays visible in the Alertmanager UI and API, but nobody is notified.
 */
export function alertmanagerConfig(r: AlertRouting): Record<string, unknown> {
    const notify: Record<string, unknown> = { name: RECEIVERS.notify };
    if (r.slackWebhookUrl !== undefined) {
        notify.slack_configs = [
            {
                api_url: r.slackWebhookUrl,
                ...(r.slackChannel ? { channel: r.slackChannel } : {}),
                send_resolved: true,
                title: "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }})",
                text: "{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook }}\n{{ end }}",
            },
        ];
    }
    if (r.email !== undefined) {
        notify.email_configs = [
            {
                to: r.email.to,
                from: r.email.from,
                smarthost: r.email.smarthost,
                ...(r.email.username !== undefined ? { auth_username: r.email.username, auth_password: r.email.password } : {}),
                require_tls: true,
                send_resolved: true,
            },
        ];
    }
    const routed = r.slackWebhookUrl !== undefined || r.email !== undefined;
    return {
        global: { resolve_timeout: "5m" },
        route: {
            receiver: routed ? RECEIVERS.notify : RECEIVERS.none,
            group_by: ["alertname", "namespace", "name"],
            group_wait: "30s",
            group_interval: "5m",
            repeat_interval: "4h",
            // The chart's always-firing heartbeat alerts are not news.
            routes: [{ receiver: RECEIVERS.none, matchers: ['alertname =~ "Watchdog|InfoInhibitor"'] }],
        },
        inhibit_rules: [
            // The specific alert explains the generic one for the same resource.
            {
                source_matchers: ['alertname = "DrbdConnectionStandAlone"'],
                target_matchers: ['alertname = "DrbdConnectionNotConnected"'],
                equal: ["name", "conn_name", "node"],
            },
            {
                source_matchers: ['alertname = "DrbdNoUpToDateReplica"'],
                target_matchers: ['alertname = "DrbdFewerUpToDateReplicas"'],
                equal: ["name"],
            },
            { source_matchers: ['severity = "critical"'], target_matchers: ['severity = "warning"'], equal: ["alertname", "namespace"] },
        ],
        receivers: routed ? [{ name: RECEIVERS.none }, notify] : [{ name: RECEIVERS.none }],
    };
}
