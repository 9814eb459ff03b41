import { MONITORING_DEFAULTS as D, type MonitoringSettings } from "../../components/monitoring/settings";
import type { ConfigReader } from "./reader";

/** Monitoring settings of a stack: the DrbdMonitoring settings plus the on/off switch and the PVC replica count. */
export type MonitoringConfig = MonitoringSettings & {
    /** Deploy DrbdMonitoring. Default true. */
    readonly monitoringEnabled: boolean;
    /** Replica count of the LINSTOR StorageClass for the Prometheus/Alertmanager volumes. Default 2. */
    readonly prometheusStorageReplicas: number;
};

/** Reads the monitoring keys (types only; loadConfig runs DrbdMonitoring's own validation on them at once). */
export function readMonitoringConfig(r: ConfigReader): MonitoringConfig {
    return {
        monitoringEnabled: r.boolean("monitoringEnabled", true),
        monitoringNamespace: r.string("monitoringNamespace", D.monitoringNamespace),
        kubePrometheusStackVersion: r.string("kubePrometheusStackVersion", D.kubePrometheusStackVersion),
        useExistingPrometheusOperator: r.boolean("useExistingPrometheusOperator", D.useExistingPrometheusOperator),
        crdUpgradeKubectlImage: r.string("crdUpgradeKubectlImage", D.crdUpgradeKubectlImage),
        crdUpgradeBusyboxImage: r.string("crdUpgradeBusyboxImage", D.crdUpgradeBusyboxImage),
        monitoringExtraLabels: r.stringMap("monitoringExtraLabels"),
        prometheusRetention: r.string("prometheusRetention", D.prometheusRetention),
        prometheusStorageSize: r.string("prometheusStorageSize", D.prometheusStorageSize),
        prometheusStorageReplicas: r.integer("prometheusStorageReplicas", D.prometheusStorageReplicas),
        prometheusCpuRequest: r.string("prometheusCpuRequest", D.prometheusCpuRequest),
        prometheusMemoryRequest: r.string("prometheusMemoryRequest", D.prometheusMemoryRequest),
        alertmanagerStorageSize: r.string("alertmanagerStorageSize", D.alertmanagerStorageSize),
        storagePoolFullPercent: r.integer("storagePoolFullPercent", D.storagePoolFullPercent),
        alertSlackWebhookUrl: r.secret("alertSlackWebhookUrl"),
        alertSlackChannel: r.optionalString("alertSlackChannel"),
        alertEmailTo: r.optionalString("alertEmailTo"),
        alertEmailFrom: r.optionalString("alertEmailFrom"),
        alertSmtpSmarthost: r.optionalString("alertSmtpSmarthost"),
        alertSmtpUsername: r.optionalString("alertSmtpUsername"),
        alertSmtpPassword: r.secret("alertSmtpPassword"),
        grafanaAdminPassword: r.secret("grafanaAdminPassword"),
        grafanaServiceType: r.choice("grafanaServiceType", D.grafanaServiceType),
        grafanaLoadBalancerSourceRanges: r.stringList("grafanaLoadBalancerSourceRanges", []),
        allowGrafanaFromAnywhere: r.boolean("allowGrafanaFromAnywhere", D.allowGrafanaFromAnywhere),
    };
}
