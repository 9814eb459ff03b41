/**
 * Settings, defaults and validation of DrbdMonitoring. Pure: no resources.
 * Validation throws ConfigError naming `key(field)` before the component registers anything.
 */
import type * as pulumi from "@pulumi/pulumi";
import { isIpv4Cidr, isOpenToWorld } from "../shared/validation";
import { ConfigError } from "../shared/errors";
import type { ScheduledJob } from "../shared/schedule";
import type { KeyOf } from "../linstorCluster/settings";

export const GRAFANA_SERVICE_TYPES = ["ClusterIP", "LoadBalancer"] as const;
export type GrafanaServiceType = (typeof GRAFANA_SERVICE_TYPES)[number];

/** Plain settings of DrbdMonitoring; the stack's config keys use the same names. */
export interface MonitoringSettings {
    /** Namespace of Prometheus, Alertmanager, Grafana and the rules. Default "monitoring". */
    readonly monitoringNamespace: string;
    /** kube-prometheus-stack chart version (exact). Default 88.5.3. */
    readonly kubePrometheusStackVersion: string;
    /** Install no chart; create only monitors, rules and the dashboard for an operator already in the cluster. Default false. */
    readonly useExistingPrometheusOperator: boolean;
    /** Extra labels on every monitor, rule and dashboard, to match an existing operator's selectors. Default {}. */
    readonly monitoringExtraLabels: Readonly<Record<string, string>>;
    /** Prometheus retention as a Prometheus duration. Default "15d". */
    readonly prometheusRetention: string;
    /** Prometheus PVC size (Mi/Gi/Ti). Default "50Gi". */
    readonly prometheusStorageSize: string;
    readonly prometheusCpuRequest: string;
    readonly prometheusMemoryRequest: string;
    /** Alertmanager PVC size, keeps silences across restarts. Default "2Gi". */
    readonly alertmanagerStorageSize: string;
    /** Alert when a LINSTOR storage pool is fuller than this percentage (1..99). Default 80. */
    readonly storagePoolFullPercent: number;
    /** Slack incoming-webhook URL (a Pulumi secret); must start with https://hooks.slack.com/. */
    readonly alertSlackWebhookUrl?: pulumi.Input<string>;
    /** Slack channel override, e.g. "#storage-alerts" (default: the webhook's channel). */
    readonly alertSlackChannel?: string;
    /** E-mail routing through SMTP (e.g. Amazon SES): recipients, sender, host:port, login. */
    readonly alertEmailTo?: string;
    readonly alertEmailFrom?: string;
    readonly alertSmtpSmarthost?: string;
    readonly alertSmtpUsername?: string;
    /** SMTP password (a Pulumi secret). */
    readonly alertSmtpPassword?: pulumi.Input<string>;
    /** Grafana admin password (a Pulumi secret); default a generated 32-character password. */
    readonly grafanaAdminPassword?: pulumi.Input<string>;
    /** ClusterIP (default; use port-forward) or LoadBalancer limited to `grafanaLoadBalancerSourceRanges`. */
    readonly grafanaServiceType: GrafanaServiceType;
    readonly grafanaLoadBalancerSourceRanges: readonly string[];
    /** Allow 0.0.0.0/0 in `grafanaLoadBalancerSourceRanges`. Default false. */
    readonly allowGrafanaFromAnywhere: boolean;
}

export const MONITORING_DEFAULTS = {
    monitoringNamespace: "monitoring",
    kubePrometheusStackVersion: "88.5.3",
    useExistingPrometheusOperator: false,
    prometheusRetention: "15d",
    prometheusStorageSize: "50Gi",
    prometheusCpuRequest: "250m",
    prometheusMemoryRequest: "1Gi",
    alertmanagerStorageSize: "2Gi",
    storagePoolFullPercent: 80,
    grafanaServiceType: "ClusterIP" as GrafanaServiceType,
    allowGrafanaFromAnywhere: false,
    /** Replica count of the StorageClass the Prometheus and Alertmanager PVCs use. */
    prometheusStorageReplicas: 2,
};

export const KUBE_PROMETHEUS_STACK_REPO = "https://prometheus-community.github.io/helm-charts";

/** How Prometheus finds Jenkins (a ServiceMonitor of ours, or the Jenkins chart's own). */
export interface JenkinsScrapeArgs {
    /** Namespace Jenkins runs in; Prometheus discovers monitors there. */
    readonly namespace: string;
    /** Create our ServiceMonitor. Set false when the Jenkins chart's `controller.prometheus.enabled` makes one. Default true. */
    readonly createServiceMonitor?: boolean;
    /** Labels of the Jenkins controller Service. Default the chart's: component jenkins-controller, instance jenkins. */
    readonly serviceSelector?: Readonly<Record<string, string>>;
    /** Service port name. Default "http" (jenkinsci/helm-charts: charts/jenkins/templates/jenkins-controller-svc.yaml). */
    readonly port?: string;
    /** Metrics path of the Prometheus plugin. Default "/prometheus". */
    readonly path?: string;
    /**
     * `job` label of the Jenkins target, used by the JenkinsDown alert. Our ServiceMonitor sets it; the chart's
     * ServiceMonitor leaves it as the Service name (the chart's fullname, "jenkins" for release "jenkins"). Default "jenkins".
     */
    readonly job?: string;
}

export const JENKINS_SCRAPE_DEFAULTS = {
    createServiceMonitor: true,
    serviceSelector: { "app.kubernetes.io/component": "jenkins-controller", "app.kubernetes.io/instance": "jenkins" },
    port: "http",
    path: "/prometheus",
    job: "jenkins",
};

/** Label the snapshot schedule puts on its VolumeSnapshots; its value names the schedule. */
export const SNAPSHOT_SCHEDULE_LABEL = "ha-jenkins-eks.io/snapshot-schedule";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
/** Prometheus duration (prometheus/common model.ParseDuration units). */
const PROM_DURATION = /^[1-9]\d*(ms|s|m|h|d|w|y)$/;
const SIZE = /^[1-9]\d*(Mi|Gi|Ti)$/;
const CPU = /^([1-9]\d*m|\d+(\.\d+)?)$/;
const MEMORY = /^[1-9]\d*(Mi|Gi)$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;
const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;
export const SLACK_WEBHOOK_PREFIX = "https://hooks.slack.com/";

/** Throws when a Slack webhook URL is not an https://hooks.slack.com/ URL; never echoes the (secret) value. */
export function validateSlackWebhookUrl(url: string, key: string): void {
    if (!url.startsWith(SLACK_WEBHOOK_PREFIX) || /\s/.test(url) || url.length <= SLACK_WEBHOOK_PREFIX.length) {
        throw new ConfigError(key, "(secret value hidden)", `Use a Slack incoming-webhook URL starting with ${SLACK_WEBHOOK_PREFIX}.`);
    }
}

/** Mebibytes in a Kubernetes size such as "50Gi". */
export function sizeMiB(size: string): number {
    const m = /^(\d+)(Mi|Gi|Ti)$/.exec(size);
    if (!m) throw new Error(`not a size: ${size}`);
    return Number(m[1]) * { Mi: 1, Gi: 1024, Ti: 1024 * 1024 }[m[2] as "Mi" | "Gi" | "Ti"];
}

/**
 * Prometheus' size-based retention at 85% of the volume: time-based retention alone lets a busy
 * cluster fill the PVC, and a full TSDB stops ingesting (and so alerting).
 */
export function retentionSizeFor(storageSize: string): string {
    return `${Math.floor(sizeMiB(storageSize) * 0.85)}MiB`;
}

export function isEmailRoutingConfigured(s: MonitoringSettings): boolean {
    return [s.alertEmailTo, s.alertEmailFrom, s.alertSmtpSmarthost, s.alertSmtpUsername, s.alertSmtpPassword]
        .some((v) => v !== undefined);
}

/** Validation shared by the stack config and the component. */
export function validateMonitoringSettings(s: MonitoringSettings, key: KeyOf): void {
    if (!DNS_LABEL.test(s.monitoringNamespace)) {
        throw new ConfigError(key("monitoringNamespace"), s.monitoringNamespace, "Use a Kubernetes namespace name (DNS label).");
    }
    if (!SEMVER.test(s.kubePrometheusStackVersion)) {
        throw new ConfigError(key("kubePrometheusStackVersion"), s.kubePrometheusStackVersion,
            "Pin an exact chart version such as 88.5.3 (no ranges, no 'latest').");
    }
    for (const [k, v] of Object.entries(s.monitoringExtraLabels)) {
        if (!LABEL_KEY.test(k) || !LABEL_VALUE.test(v)) {
            throw new ConfigError(key("monitoringExtraLabels"), { [k]: v }, "Each entry must be a valid Kubernetes label key and value.");
        }
    }
    if (!PROM_DURATION.test(s.prometheusRetention)) {
        throw new ConfigError(key("prometheusRetention"), s.prometheusRetention,
            'Use a Prometheus duration: a positive integer and one unit of ms, s, m, h, d, w, y (e.g. "15d").');
    }
    for (const field of ["prometheusStorageSize", "alertmanagerStorageSize"] as const) {
        if (!SIZE.test(s[field])) {
            throw new ConfigError(key(field), s[field], 'Use a positive size in Mi, Gi or Ti, e.g. "50Gi".');
        }
    }
    if (sizeMiB(s.prometheusStorageSize) < 1024) {
        throw new ConfigError(key("prometheusStorageSize"), s.prometheusStorageSize, "Prometheus needs at least 1Gi.");
    }
    if (!CPU.test(s.prometheusCpuRequest)) {
        throw new ConfigError(key("prometheusCpuRequest"), s.prometheusCpuRequest, 'Use a CPU quantity such as "250m" or "1".');
    }
    if (!MEMORY.test(s.prometheusMemoryRequest)) {
        throw new ConfigError(key("prometheusMemoryRequest"), s.prometheusMemoryRequest, 'Use a memory quantity in Mi or Gi, e.g. "1Gi".');
    }
    if (!Number.isInteger(s.storagePoolFullPercent) || s.storagePoolFullPercent < 1 || s.storagePoolFullPercent > 99) {
        throw new ConfigError(key("storagePoolFullPercent"), s.storagePoolFullPercent, "Must be a whole percentage from 1 to 99.");
    }
    if (typeof s.alertSlackWebhookUrl === "string") validateSlackWebhookUrl(s.alertSlackWebhookUrl, key("alertSlackWebhookUrl"));
    if (s.alertSlackChannel !== undefined && !/^[#@]?[a-z0-9][a-z0-9._-]{0,79}$/.test(s.alertSlackChannel)) {
        throw new ConfigError(key("alertSlackChannel"), s.alertSlackChannel, 'Use a Slack channel such as "#storage-alerts".');
    }
    if (s.alertSlackChannel !== undefined && s.alertSlackWebhookUrl === undefined) {
        throw new ConfigError(key("alertSlackWebhookUrl"), undefined, "alertSlackChannel needs the secret alertSlackWebhookUrl too.");
    }
    validateEmail(s, key);
    if (!GRAFANA_SERVICE_TYPES.includes(s.grafanaServiceType)) {
        throw new ConfigError(key("grafanaServiceType"), s.grafanaServiceType, `Allowed: ${GRAFANA_SERVICE_TYPES.join(", ")}.`);
    }
    for (const cidr of s.grafanaLoadBalancerSourceRanges) {
        if (!isIpv4Cidr(cidr)) {
            throw new ConfigError(key("grafanaLoadBalancerSourceRanges"), cidr, "Each entry must be an IPv4 CIDR such as 203.0.113.0/24.");
        }
        if (isOpenToWorld(cidr) && !s.allowGrafanaFromAnywhere) {
            throw new ConfigError(key("grafanaLoadBalancerSourceRanges"), cidr,
                "Refusing to open Grafana to the internet; list your own CIDRs, or set allowGrafanaFromAnywhere: true.");
        }
    }
    if (s.grafanaServiceType === "LoadBalancer" && s.grafanaLoadBalancerSourceRanges.length === 0) {
        throw new ConfigError(key("grafanaLoadBalancerSourceRanges"), [],
            "A Grafana LoadBalancer needs the CIDRs allowed to reach it (e.g. your office or VPN range).");
    }
    if (s.useExistingPrometheusOperator) {
        if (s.alertSlackWebhookUrl !== undefined || isEmailRoutingConfigured(s)) {
            throw new ConfigError(key(s.alertSlackWebhookUrl !== undefined ? "alertSlackWebhookUrl" : "alertEmailTo"), "(set)",
                "With useExistingPrometheusOperator the existing Alertmanager routes alerts; configure routing there and unset this key.");
        }
        if (s.grafanaServiceType !== "ClusterIP") {
            throw new ConfigError(key("grafanaServiceType"), s.grafanaServiceType,
                "With useExistingPrometheusOperator no Grafana is installed; leave it ClusterIP.");
        }
    }
}

function validateEmail(s: MonitoringSettings, key: KeyOf): void {
    if (!isEmailRoutingConfigured(s)) return;
    const to = s.alertEmailTo ?? "";
    const recipients = to.split(",").map((r) => r.trim());
    if (!s.alertEmailTo || recipients.some((r) => !EMAIL.test(r))) {
        throw new ConfigError(key("alertEmailTo"), s.alertEmailTo, "E-mail routing needs alertEmailTo: one or more comma-separated addresses.");
    }
    if (!s.alertEmailFrom || !EMAIL.test(s.alertEmailFrom)) {
        throw new ConfigError(key("alertEmailFrom"), s.alertEmailFrom, "E-mail routing needs alertEmailFrom: the sender address.");
    }
    if (!s.alertSmtpSmarthost || !HOST_PORT.test(s.alertSmtpSmarthost)) {
        throw new ConfigError(key("alertSmtpSmarthost"), s.alertSmtpSmarthost,
            "E-mail routing needs alertSmtpSmarthost as host:port, e.g. email-smtp.us-west-2.amazonaws.com:587.");
    }
    if ((s.alertSmtpUsername === undefined) !== (s.alertSmtpPassword === undefined)) {
        throw new ConfigError(key(s.alertSmtpUsername === undefined ? "alertSmtpUsername" : "alertSmtpPassword"), undefined,
            "Set both alertSmtpUsername and the secret alertSmtpPassword, or neither.");
    }
}

/** Validation of the arguments only the stack/lead passes (not config keys). */
export function validateMonitoringWiring(args: {
    readonly namePrefix: string;
    readonly linstorNamespace: string;
    readonly storageClassNames: Readonly<Record<number, string>>;
    readonly prometheusStorageClassName?: string;
    readonly useExistingPrometheusOperator: boolean;
    readonly jenkins?: JenkinsScrapeArgs;
    readonly schedules?: readonly ScheduledJob[];
}, key: KeyOf): void {
    if (!/^[a-z][a-z0-9-]{1,22}$/.test(args.namePrefix)) {
        throw new ConfigError(key("namePrefix"), args.namePrefix, "Use 2–23 lowercase letters, digits or '-', starting with a letter.");
    }
    if (!DNS_LABEL.test(args.linstorNamespace)) {
        throw new ConfigError(key("linstorNamespace"), args.linstorNamespace, "Use a Kubernetes namespace name.");
    }
    const classes = Object.entries(args.storageClassNames);
    if (classes.length === 0 || classes.some(([r, n]) => !/^[1-9]$/.test(r) || !DNS_LABEL.test(n))) {
        throw new ConfigError(key("storageClassNames"), args.storageClassNames,
            "Give the LINSTOR StorageClass name of every replica count (LinstorCluster.storageClassNames).");
    }
    if (!args.useExistingPrometheusOperator && (!args.prometheusStorageClassName || !DNS_LABEL.test(args.prometheusStorageClassName))) {
        throw new ConfigError(key("prometheusStorageClassName"), args.prometheusStorageClassName,
            "Prometheus needs a LINSTOR StorageClass for its volume.");
    }
    const j = args.jenkins;
    if (j !== undefined) {
        if (!DNS_LABEL.test(j.namespace)) throw new ConfigError(key("jenkins.namespace"), j.namespace, "Use a Kubernetes namespace name.");
        if (j.path !== undefined && !j.path.startsWith("/")) throw new ConfigError(key("jenkins.path"), j.path, 'The metrics path starts with "/".');
        if (j.serviceSelector !== undefined && Object.keys(j.serviceSelector).length === 0) {
            throw new ConfigError(key("jenkins.serviceSelector"), j.serviceSelector, "An empty selector would match every Service in the namespace.");
        }
    }
    (args.schedules ?? []).forEach((job, i) => {
        const at = (field: string) => key(`schedules[${i}].${field}`);
        if (!DNS_LABEL.test(job.namespace)) throw new ConfigError(at("namespace"), job.namespace, "Use a Kubernetes namespace name.");
        if (!DNS_LABEL.test(job.name)) throw new ConfigError(at("name"), job.name, "Use the CronJob's name (a DNS-1123 label).");
        if (!Number.isInteger(job.intervalSeconds) || job.intervalSeconds < 60) {
            throw new ConfigError(at("intervalSeconds"), job.intervalSeconds, "Must be whole seconds, at least 60.");
        }
        if (job.volumeSnapshotLabel !== undefined && !LABEL_KEY.test(job.volumeSnapshotLabel)) {
            throw new ConfigError(at("volumeSnapshotLabel"), job.volumeSnapshotLabel, "Use a Kubernetes label key.");
        }
    });
    if ((args.schedules ?? []).filter((s) => s.volumeSnapshotLabel !== undefined).length > 1) {
        throw new ConfigError(key("schedules"), args.schedules, "At most one snapshot schedule (volumeSnapshotLabel) per cluster.");
    }
}

/** The StorageClass of `replicas`, or a ConfigError naming the key when the cluster offers none. */
export function storageClassFor(replicas: number, classNames: Readonly<Record<number, string>>, key: string): string {
    const name = classNames[replicas];
    if (name === undefined) {
        throw new ConfigError(key, replicas,
            `No LINSTOR StorageClass with ${replicas} replicas; choose one of ${Object.keys(classNames).join(", ")} (storageClassReplicas).`);
    }
    return name;
}
