/**
 * Settings, defaults and validation of DrbdMonitoring. Pure: no resources.
 * Validation throws ConfigError naming `key(field)` before the component registers anything.
 */
import type * as pulumi from "@pulumi/pulumi";
import { type Filled, withDefaults } from "../shared/defaults";
import { ConfigError } from "../shared/errors";
import type { ScheduledJob } from "../shared/schedule";
import {
    BYTE_SUFFIXES,
    Check,
    CPU_SUFFIXES,
    check,
    type FieldRules,
    isDnsSubdomain,
    type KeyOf,
    NOT_CHECKED,
    parseQuantity,
    validateFields,
} from "../shared/validation";

/** How Grafana's Service is reached (an `as const` object: the package schema makes it an enum). */
export const GrafanaServiceType = { ClusterIP: "ClusterIP", LoadBalancer: "LoadBalancer" } as const;
export type GrafanaServiceType = (typeof GrafanaServiceType)[keyof typeof GrafanaServiceType];
export const GRAFANA_SERVICE_TYPES = Object.values(GrafanaServiceType);

/** DrbdMonitoring's settings as its Args take them: each field with a default is optional. The stack's config keys use the same names. */
export interface MonitoringInput {
    /** Namespace of Prometheus, Alertmanager, Grafana and the rules. Default "monitoring". */
    readonly monitoringNamespace?: string;
    /** kube-prometheus-stack chart version (exact). Default 88.5.3. */
    readonly kubePrometheusStackVersion?: string;
    /** Install no chart; create only monitors, rules and the dashboard for an operator already in the cluster. Default false. */
    readonly useExistingPrometheusOperator?: boolean;
    /**
     * Images of the chart's CRD upgrade Job (`crds.upgradeJob`, a Helm pre-install/pre-upgrade hook that server-side
     * applies the chart's CRDs, which Helm itself never upgrades): kubectl, and busybox for `bzcat`. Full references
     * with a tag (the chart writes `<registry>/<repository>:<tag>`; a digest may follow the tag).
     * Defaults registry.k8s.io/kubectl:v1.35.1 and docker.io/library/busybox:1.37.0 (the chart's own are floating).
     */
    readonly crdUpgradeKubectlImage?: string;
    readonly crdUpgradeBusyboxImage?: string;
    /** Extra labels on every monitor, rule and dashboard, to match an existing operator's selectors. Default {}. */
    readonly monitoringExtraLabels?: Readonly<Record<string, string>>;
    /** Prometheus retention as a Prometheus duration. Default "15d". */
    readonly prometheusRetention?: string;
    /** Prometheus PVC size (Mi/Gi/Ti). Default "50Gi". */
    readonly prometheusStorageSize?: string;
    /** Prometheus' CPU request (Kubernetes quantity). Default "250m". */
    readonly prometheusCpuRequest?: string;
    /** Prometheus' memory request (Kubernetes quantity). Default "1Gi". */
    readonly prometheusMemoryRequest?: string;
    /** Alertmanager PVC size, keeps silences across restarts. Default "2Gi". */
    readonly alertmanagerStorageSize?: string;
    /** Alert when a LINSTOR storage pool is fuller than this percentage (1..99). Default 80. */
    readonly storagePoolFullPercent?: number;
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
    readonly grafanaServiceType?: GrafanaServiceType;
    readonly grafanaLoadBalancerSourceRanges: string[];
    /** Allow 0.0.0.0/0 in `grafanaLoadBalancerSourceRanges`. Default false. */
    readonly allowGrafanaFromAnywhere?: boolean;
}

/** What DrbdMonitoring fills in for each of its own fields left unset (no stack-only key: see MONITORING_DEFAULTS). */
export const MONITORING_SETTINGS_DEFAULTS = {
    monitoringNamespace: "monitoring",
    kubePrometheusStackVersion: "88.5.3",
    useExistingPrometheusOperator: false,
    // kubectl within one minor of the cluster (kubernetesVersion 1.35); busybox 1.37.0 has bzcat.
    crdUpgradeKubectlImage: "registry.k8s.io/kubectl:v1.35.1",
    crdUpgradeBusyboxImage: "docker.io/library/busybox:1.37.0",
    monitoringExtraLabels: {},
    prometheusRetention: "15d",
    prometheusStorageSize: "50Gi",
    prometheusCpuRequest: "250m",
    prometheusMemoryRequest: "1Gi",
    alertmanagerStorageSize: "2Gi",
    storagePoolFullPercent: 80,
    grafanaServiceType: "ClusterIP" as GrafanaServiceType,
    allowGrafanaFromAnywhere: false,
} satisfies Partial<MonitoringInput>;

/** The stack's defaults: DrbdMonitoring's own, plus the stack-only `prometheusStorageReplicas`. */
export const MONITORING_DEFAULTS = {
    ...MONITORING_SETTINGS_DEFAULTS,
    /** Replica count of the StorageClass the Prometheus and Alertmanager PVCs use. */
    prometheusStorageReplicas: 2,
};

/** Plain, fully-resolved settings of DrbdMonitoring: every field with a default is set. */
export type MonitoringSettings = Filled<MonitoringInput, typeof MONITORING_SETTINGS_DEFAULTS>;

/** The settings with every field left unset (or explicitly undefined) at its default. */
export function withMonitoringDefaults(given: MonitoringInput): MonitoringSettings {
    return withDefaults(MONITORING_SETTINGS_DEFAULTS, given);
}

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

/** Prometheus duration (prometheus/common model.ParseDuration units). */
const PROM_DURATION = /^[1-9]\d*(ms|s|m|h|d|w|y)$/;
/** Volume sizes in whole Mi/Gi/Ti (Prometheus' size-based retention is derived from them). */
const SIZE_SUFFIXES = ["Mi", "Gi", "Ti"];
const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;
const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;
export const SLACK_WEBHOOK_PREFIX = "https://hooks.slack.com/";

/** Throws when a Slack webhook URL is not an https://hooks.slack.com/ URL; never echoes the (secret) value. */
export function validateSlackWebhookUrl(url: string, key: string): void {
    if (!url.startsWith(SLACK_WEBHOOK_PREFIX) || /\s/.test(url) || url.length <= SLACK_WEBHOOK_PREFIX.length) {
        new Check(key).fail("(secret value hidden)", `Use a Slack incoming-webhook URL starting with ${SLACK_WEBHOOK_PREFIX}.`);
    }
}

/** Mebibytes in a Kubernetes size such as "50Gi". */
export function sizeMiB(size: string): number {
    const bytes = parseQuantity(size, SIZE_SUFFIXES);
    if (bytes === undefined) throw new Error(`not a size: ${size}`);
    return bytes / 2 ** 20;
}

/**
 * Prometheus' size-based retention at 85% of the volume: time-based retention alone lets a busy
 * cluster fill the PVC, and a full TSDB stops ingesting (and so alerting).
 */
export function retentionSizeFor(storageSize: string): string {
    return `${Math.floor(sizeMiB(storageSize) * 0.85)}MiB`;
}

export function isEmailRoutingConfigured(s: MonitoringSettings): boolean {
    return [s.alertEmailTo, s.alertEmailFrom, s.alertSmtpSmarthost, s.alertSmtpUsername, s.alertSmtpPassword].some((v) => v !== undefined);
}

/**
 * A pinned image reference split the way kube-prometheus-stack's templates join it (`<registry>/<repository>:<tag>`,
 * charts/crds/templates/upgrade/job.yaml at 88.5.3); the tag keeps a digest that follows it. Undefined without a tag.
 */
export function splitImageReference(ref: string): { registry: string; repository: string; tag: string } | undefined {
    const at = ref.indexOf("@");
    const name = at < 0 ? ref : ref.slice(0, at);
    const slash = name.indexOf("/");
    const colon = name.lastIndexOf(":");
    if (slash < 0 || colon < name.lastIndexOf("/")) return undefined;
    return { registry: name.slice(0, slash), repository: name.slice(slash + 1, colon), tag: name.slice(colon + 1) + (at < 0 ? "" : ref.slice(at)) };
}

function chartImage(v: string, c: Check, needs: string): void {
    c.pinnedImage(v, `with ${needs}`);
    if (splitImageReference(v) === undefined) {
        c.fail(v, "Give a tag (a digest may follow it): the chart writes <registry>/<repository>:<tag>, e.g. registry.k8s.io/kubectl:v1.35.1.");
    }
}

/** A rule that applies only when alerts are routed by e-mail. */
const forEmail = (rule: (v: string | undefined, c: Check) => void) => (v: string | undefined, c: Check, s: MonitoringSettings) => {
    if (isEmailRoutingConfigured(s)) rule(v, c);
};

/** One rule per field: a library user and a stack user get the same checks. */
export const MONITORING_RULES: FieldRules<MonitoringSettings> = {
    monitoringNamespace: (v, c, s) => (s.useExistingPrometheusOperator ? c.dnsLabel(v) : c.namespace(v)),
    kubePrometheusStackVersion: (v, c) => c.exactVersion(v, MONITORING_SETTINGS_DEFAULTS.kubePrometheusStackVersion),
    useExistingPrometheusOperator: (v, c, s, key) => {
        c.boolean(v);
        if (!v) return;
        if (s.alertSlackWebhookUrl !== undefined || isEmailRoutingConfigured(s)) {
            check(key, s.alertSlackWebhookUrl !== undefined ? "alertSlackWebhookUrl" : "alertEmailTo").fail(
                "(set)",
                `With ${key("useExistingPrometheusOperator")} the existing Alertmanager routes alerts; configure routing there and unset this key.`,
            );
        }
        if (s.grafanaServiceType !== "ClusterIP") {
            check(key, "grafanaServiceType").fail(
                s.grafanaServiceType,
                `With ${key("useExistingPrometheusOperator")} no Grafana is installed; leave it ClusterIP.`,
            );
        }
    },
    crdUpgradeKubectlImage: (v, c) => chartImage(v, c, "kubectl"),
    crdUpgradeBusyboxImage: (v, c) => chartImage(v, c, "sh and bzcat"),
    monitoringExtraLabels: (v, c) => c.labels(v),
    prometheusRetention: (v, c) =>
        c.matches(v, PROM_DURATION, 'Use a Prometheus duration: a positive integer and one unit of ms, s, m, h, d, w, y (e.g. "15d").'),
    prometheusStorageSize: (v, c) => c.quantity(v, { suffixes: SIZE_SUFFIXES, whole: true, min: "1Gi", example: "50Gi" }),
    prometheusCpuRequest: (v, c) => c.quantity(v, { suffixes: CPU_SUFFIXES, example: "250m" }),
    prometheusMemoryRequest: (v, c) => c.quantity(v, { suffixes: BYTE_SUFFIXES, example: "1Gi" }),
    alertmanagerStorageSize: (v, c) => c.quantity(v, { suffixes: SIZE_SUFFIXES, whole: true, example: "2Gi" }),
    storagePoolFullPercent: (v, c) => c.integer(v, { min: 1, max: 99 }, "(percent)"),
    // A secret Input: checked when given as plain text (the stack checks its secret's plain text when reading it).
    alertSlackWebhookUrl: (v, c) => {
        if (typeof v === "string") validateSlackWebhookUrl(v, c.key);
    },
    alertSlackChannel: (v, c, s, key) => {
        c.ifSet.matches(v, /^[#@]?[a-z0-9][a-z0-9._-]{0,79}$/, 'Use a Slack channel such as "#storage-alerts".');
        if (v !== undefined && s.alertSlackWebhookUrl === undefined) {
            check(key, "alertSlackWebhookUrl").fail(undefined, `${key("alertSlackChannel")} needs the secret ${key("alertSlackWebhookUrl")} too.`);
        }
    },
    alertEmailTo: forEmail((v, c) => c.matches(v, /^[^,]+(,[^,]+)*$/, "E-mail routing needs alertEmailTo: one or more comma-separated addresses.")),
    alertEmailFrom: forEmail((v, c) => c.matches(v, EMAIL, "E-mail routing needs alertEmailFrom: the sender address.")),
    alertSmtpSmarthost: forEmail((v, c) => {
        c.matches(v, HOST_PORT, "E-mail routing needs alertSmtpSmarthost as host:port, e.g. email-smtp.us-west-2.amazonaws.com:587.");
        const port = Number(v?.split(":")[1]);
        if (port < 1 || port > 65535) c.fail(v, "The port must be from 1 to 65535 (SMTP: 25, 465 or 587).");
    }),
    alertSmtpUsername: (v, c, s, key) => {
        c.ifSet.matches(v, /^\S+$/, "Use the SMTP user name.");
        // Credentials without the rest of e-mail routing: named after what was given (the stray key), not only what is missing.
        if (s.alertSmtpSmarthost === undefined && (v !== undefined || s.alertSmtpPassword !== undefined)) {
            const why = `SMTP credentials are used only with e-mail routing: set ${key("alertEmailTo")}, ${key("alertEmailFrom")} and ${key("alertSmtpSmarthost")} too, or remove it.`;
            const stray: ConfigError[] = [];
            if (v !== undefined) stray.push(new ConfigError(key("alertSmtpUsername"), v, why));
            if (s.alertSmtpPassword !== undefined) stray.push(new ConfigError(key("alertSmtpPassword"), "(secret value hidden)", why));
            throw ConfigError.all(stray);
        }
        if ((v === undefined) !== (s.alertSmtpPassword === undefined)) {
            check(key, v === undefined ? "alertSmtpUsername" : "alertSmtpPassword").fail(
                undefined,
                "Set both alertSmtpUsername and the secret alertSmtpPassword, or neither.",
            );
        }
    },
    // Secret Inputs: presence is checked with alertSmtpUsername; Grafana's password is generated when unset.
    alertSmtpPassword: NOT_CHECKED,
    grafanaAdminPassword: NOT_CHECKED,
    grafanaServiceType: (v, c) => c.oneOf(v, GRAFANA_SERVICE_TYPES),
    grafanaLoadBalancerSourceRanges: (v, c, s, key) => {
        c.sourceRanges(v, { allowed: s.allowGrafanaFromAnywhere, key: key("allowGrafanaFromAnywhere"), what: "Grafana" });
        if (s.grafanaServiceType === "LoadBalancer" && v.length === 0) {
            c.fail(v, "A Grafana LoadBalancer needs the CIDRs allowed to reach it (e.g. your office or VPN range).");
        }
        if (s.grafanaServiceType !== "LoadBalancer" && v.length > 0) {
            c.fail(v, `Only a load balancer has source ranges: remove them, or set ${key("grafanaServiceType")} to LoadBalancer.`);
        }
    },
    allowGrafanaFromAnywhere: (v, c) => c.boolean(v),
};

/**
 * Validates the settings as DrbdMonitoring takes them, each unset field at its default (as the component fills it);
 * throws ConfigError naming `key(field)` before anything is registered.
 */
export function validateMonitoringSettings(given: MonitoringInput, key: KeyOf): void {
    const s = withMonitoringDefaults(given);
    validateFields(s, MONITORING_RULES, key);
    // Each address of the list (the rule above checked that the list is there).
    for (const to of isEmailRoutingConfigured(s) ? (s.alertEmailTo ?? "").split(",").map((r) => r.trim()) : []) {
        check(key, "alertEmailTo").matches(to, EMAIL, "E-mail routing needs alertEmailTo: one or more comma-separated addresses.");
    }
}

/** What DrbdMonitoring takes besides its settings (the data of DrbdMonitoringArgs). */
export interface MonitoringWiring {
    readonly namePrefix: string;
    readonly linstorNamespace: string;
    readonly storageClassNames: Readonly<Record<number, string>>;
    readonly prometheusStorageClassName?: string;
    readonly useExistingPrometheusOperator: boolean;
    readonly jenkins?: JenkinsScrapeArgs;
    readonly schedules?: readonly ScheduledJob[];
}

const JENKINS_SCRAPE_RULES: FieldRules<JenkinsScrapeArgs> = {
    namespace: (v, c) => c.dnsLabel(v),
    createServiceMonitor: (v, c) => c.ifSet.boolean(v),
    serviceSelector: (v, c) => {
        c.ifSet.labels(v);
        if (v !== undefined && Object.keys(v).length === 0) c.fail(v, "An empty selector would match every Service in the namespace.");
    },
    // A Service port name (IANA_SVC_NAME: at most 15 characters).
    port: (v, c) => c.ifSet.dnsLabel(v, { maxLength: 15, letterFirst: true }),
    path: (v, c) => c.ifSet.matches(v, /^\/\S*$/, 'The metrics path starts with "/".'),
    job: (v, c) => c.ifSet.matches(v, /^\S+$/, "Use the job label of the Jenkins target."),
};

const SCHEDULE_RULES: FieldRules<ScheduledJob> = {
    namespace: (v, c) => c.dnsLabel(v),
    name: (v, c) => c.dnsLabel(v, { why: "the CronJob's name" }),
    intervalSeconds: (v, c) => c.integer(v, { min: 60 }, "(seconds)"),
    slackSeconds: (v, c) => c.ifSet.integer(v, { min: 0 }, "(seconds)"),
    alertOnFailedRun: (v, c) => c.ifSet.boolean(v),
    purpose: (v, c) => c.matches(v, /\S/, "Say what the job protects, e.g. LINSTOR database backup."),
    volumeSnapshotLabel: (v, c) => c.ifSet.labelKey(v),
};

/** Validation of the arguments only the stack (or a library user's own wiring) passes, not settings. */
export function validateMonitoringWiring(args: MonitoringWiring, key: KeyOf): void {
    check(key, "namePrefix").namePrefix(args.namePrefix);
    check(key, "linstorNamespace").dnsLabel(args.linstorNamespace);
    const classes = Object.entries(args.storageClassNames);
    if (classes.length === 0 || classes.some(([r, n]) => !/^[1-9]$/.test(r) || !isDnsSubdomain(n))) {
        check(key, "storageClassNames").fail(
            args.storageClassNames,
            "Give the LINSTOR StorageClass name of every replica count (LinstorCluster.storageClassNames).",
        );
    }
    if (!args.useExistingPrometheusOperator && args.prometheusStorageClassName === undefined) {
        check(key, "prometheusStorageClassName").fail(undefined, "Prometheus needs a LINSTOR StorageClass for its volume.");
    }
    check(key, "prometheusStorageClassName").ifSet.dnsSubdomain(args.prometheusStorageClassName);
    if (args.jenkins !== undefined) validateFields(args.jenkins, JENKINS_SCRAPE_RULES, (f) => key(`jenkins.${f}`));
    (args.schedules ?? []).forEach((job, i) => {
        validateFields(job, SCHEDULE_RULES, (f) => key(`schedules[${i}].${f}`));
    });
    if ((args.schedules ?? []).filter((s) => s.volumeSnapshotLabel !== undefined).length > 1) {
        check(key, "schedules").fail(args.schedules, "At most one snapshot schedule (volumeSnapshotLabel) per cluster.");
    }
}

/** The StorageClass of `replicas`, or a ConfigError naming the key when the cluster offers none. */
export function storageClassFor(replicas: number, classNames: Readonly<Record<number, string>>, key: string): string {
    const name = classNames[replicas];
    if (name === undefined) {
        new Check(key).fail(
            replicas,
            `No LINSTOR StorageClass with ${replicas} replicas; choose one of ${Object.keys(classNames).join(", ")} (storageClassReplicas).`,
        );
    }
    return name;
}
