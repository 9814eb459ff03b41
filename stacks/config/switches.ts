/**
 * Keys a switch makes meaningless: refused naming the key and the switch, never ignored. (This reverses the earlier
 * "a switched-off component keeping its settings is not a contradiction": the issue-14 review showed users read an
 * accepted key as an applied one — e.g. an alert webhook with monitoring off, believing alerts are routed.)
 *
 * A key with a Pulumi.yaml default is always present: it counts as given when it differs from that default
 * (`fallback`); a key without one counts as given when set at all. A secret's value is never shown.
 */
import { JENKINS_DEFAULTS } from "../../components/jenkins/settings";
import { LINSTOR_DB_BACKUP_DEFAULTS } from "../../components/linstorDbBackup/settings";
import { MONITORING_DEFAULTS } from "../../components/monitoring/settings";
import { S3_SNAPSHOT_DEFAULTS } from "../../components/snapshots/settings";
import { jenkinsConfigKey } from "./jenkins";
import { type ConfigReader, isConfigSecret } from "./reader";

/** Key → its Pulumi.yaml default (undefined: none). */
type Dependents = Readonly<Record<string, unknown>>;

const pick = (defaults: Readonly<Record<string, unknown>>, keys: readonly string[]): Dependents =>
    Object.fromEntries(keys.map((k) => [k, defaults[k]]));

const M = MONITORING_DEFAULTS as unknown as Record<string, unknown>;
const MONITORING_KEYS = [
    "monitoringNamespace",
    "kubePrometheusStackVersion",
    "useExistingPrometheusOperator",
    "crdUpgradeKubectlImage",
    "crdUpgradeBusyboxImage",
    "monitoringExtraLabels",
    "prometheusRetention",
    "prometheusStorageSize",
    "prometheusStorageReplicas",
    "prometheusCpuRequest",
    "prometheusMemoryRequest",
    "alertmanagerStorageSize",
    "storagePoolFullPercent",
    "alertSlackWebhookUrl",
    "alertSlackChannel",
    "alertEmailTo",
    "alertEmailFrom",
    "alertSmtpSmarthost",
    "alertSmtpUsername",
    "alertSmtpPassword",
    "grafanaAdminPassword",
    "grafanaServiceType",
    "grafanaLoadBalancerSourceRanges",
    "allowGrafanaFromAnywhere",
];
/** What DrbdMonitoring does not install next to an existing Prometheus operator (monitoring/index.ts `existing`). */
const OWN_STACK_KEYS = [
    "kubePrometheusStackVersion",
    "crdUpgradeKubectlImage",
    "crdUpgradeBusyboxImage",
    "prometheusRetention",
    "prometheusStorageSize",
    "prometheusStorageReplicas",
    "prometheusCpuRequest",
    "prometheusMemoryRequest",
    "alertmanagerStorageSize",
    "grafanaAdminPassword",
    "grafanaLoadBalancerSourceRanges",
    "allowGrafanaFromAnywhere",
];
const L = LINSTOR_DB_BACKUP_DEFAULTS as unknown as Record<string, unknown>;
export const LINSTOR_DB_BACKUP_KEYS = [
    "linstorDbBackupSchedule",
    "linstorDbBackupRetentionDays",
    "linstorDbBackupKubectlImage",
    "linstorDbBackupAwsCliImage",
    "linstorDbBackupAccessKeyGeneration",
    "linstorDbBackupAccessKeyRetiredGeneration",
];
const S = S3_SNAPSHOT_DEFAULTS as unknown as Record<string, unknown>;
const J = JENKINS_DEFAULTS as unknown as Record<string, unknown>;
const LB_FIELDS = ["loadBalancerController", "loadBalancerScheme", "loadBalancerTargetType", "allowOpenLoadBalancer", "tlsCertificateArn"];
const jenkinsKeys = (fields: readonly string[]): Dependents => Object.fromEntries(fields.map((f) => [jenkinsConfigKey(f), J[f]]));

/** One row: when `off(values)` holds, every dependent key given is refused with `why`. */
interface Switch {
    readonly off: (v: SwitchValues) => boolean;
    readonly dependents: Dependents;
    readonly why: string;
}

/** The values the switches read (as read, defaults applied). */
export interface SwitchValues {
    readonly role: string;
    readonly drMode?: string;
    readonly monitoringEnabled: boolean;
    readonly useExistingPrometheusOperator: boolean;
    readonly linstorDbBackupEnabled: boolean;
    readonly snapshotScheduleEnabled: boolean;
    readonly installSnapshotController: boolean;
    readonly jenkinsServiceType: string;
}

export const SWITCHES: readonly Switch[] = [
    {
        off: (v) => !v.monitoringEnabled,
        dependents: pick(M, MONITORING_KEYS),
        why: "monitoringEnabled is false: no monitoring is deployed, so this key does nothing (no alert is routed). Remove it, or set monitoringEnabled to true.",
    },
    {
        off: (v) => v.monitoringEnabled && v.useExistingPrometheusOperator,
        dependents: pick(M, OWN_STACK_KEYS),
        why: "useExistingPrometheusOperator is true: the program installs no Prometheus, Alertmanager or Grafana of its own, so this key does nothing. Remove it (configure your existing stack), or set useExistingPrometheusOperator to false.",
    },
    {
        off: (v) => v.role === "primary" && !v.linstorDbBackupEnabled,
        dependents: pick(L, LINSTOR_DB_BACKUP_KEYS),
        why: "linstorDbBackupEnabled is false: no LINSTOR database backup runs, so this key does nothing. Remove it, or set linstorDbBackupEnabled to true.",
    },
    {
        off: (v) => v.role === "dr",
        dependents: pick(L, LINSTOR_DB_BACKUP_KEYS),
        why: "A DR stack runs no LINSTOR database backup (the primary's is restored from its bucket): set this on the primary stack, or remove it.",
    },
    {
        off: (v) => !v.snapshotScheduleEnabled,
        dependents: pick(S, ["snapshotSchedule"]),
        why: "snapshotScheduleEnabled is false: no scheduled snapshot runs, so this schedule does nothing. Remove it, or set snapshotScheduleEnabled to true.",
    },
    {
        off: (v) => !v.installSnapshotController,
        dependents: pick(S, ["snapshotControllerChartVersion", "snapshotControllerReplicas"]),
        why: "installSnapshotController is false: the program installs no snapshot controller, so this key does nothing. Remove it, or set installSnapshotController to true.",
    },
    {
        off: (v) => v.jenkinsServiceType !== "LoadBalancer" && !(v.role === "dr" && v.drMode === "standby"),
        dependents: jenkinsKeys(LB_FIELDS),
        why: "jenkinsServiceType is not LoadBalancer: no load balancer is created, so this key does nothing. Remove it, or set jenkinsServiceType to LoadBalancer.",
    },
    {
        off: (v) => v.role === "dr" && v.drMode === "standby",
        dependents: jenkinsKeys(["serviceType", "loadBalancerSourceRanges", ...LB_FIELDS]),
        why: "drMode is standby: a warm standby runs no Jenkins (and no load balancer) until it is switched to restore, so this key does nothing now. Remove it, or set drMode to restore.",
    },
    {
        off: (v) => v.role === "dr" && v.drMode !== "standby",
        dependents: { restoreCheckSchedule: undefined, restoreDownloadSchedule: undefined },
        why: "drMode is restore: the restore check and the download step run only on a warm standby (drMode: standby). Remove it, or set drMode to standby.",
    },
];

/** An empty list or map (Pulumi.yaml's `default: []`) gives nothing either. */
const sameAsDefault = (raw: string | undefined, fallback: unknown): boolean =>
    raw === "[]" || raw === "{}" || (fallback !== undefined && (raw === String(fallback) || raw === JSON.stringify(fallback)));

/** Records (via `r.report`) every dependent key given while its switch is off; one problem per key. */
export function reportSwitchedOffKeys(r: ConfigReader, v: SwitchValues): void {
    const reported = new Set<string>();
    for (const s of SWITCHES) {
        if (!s.off(v)) continue;
        for (const [key, fallback] of Object.entries(s.dependents)) {
            if (reported.has(key) || !r.isSet(key)) continue;
            const raw = r.raw(key);
            if (sameAsDefault(raw, fallback)) continue;
            reported.add(key);
            r.report(key, isConfigSecret(r.fullKey(key)) ? "(secret value hidden)" : raw, s.why);
        }
    }
}
