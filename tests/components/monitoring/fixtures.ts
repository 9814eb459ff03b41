/** What the DrbdMonitoring component specs share: valid arguments with the defaults, a fresh component under the mock. */
import type * as pulumi from "@pulumi/pulumi";
import { DrbdMonitoring, type DrbdMonitoringArgs } from "../../../components/monitoring";
import { MONITORING_DEFAULTS } from "../../../components/monitoring/settings";
import type { ScheduledJob } from "../../../components/shared/schedule";
import { withKube } from "../../support/kubeProvider";
import { one, resetRecords, settle } from "../../support/mocks";

export const CLASSES = { 1: "linstor-csi-lvm-thin-r1", 2: "linstor-csi-lvm-thin-r2", 3: "linstor-csi-lvm-thin-r3" };
export const RELEASE = "kubernetes:helm.sh/v3:Release";
export const SM = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
export const PM = "kubernetes:monitoring.coreos.com/v1:PodMonitor";
export const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
export const SECRET = "kubernetes:core/v1:Secret";
/** The key the mock monitor wraps secret values in. */
export const WRAP = "4dabf18193072939515e22adb298388d";

/** The snapshot schedule as S3SnapshotShipping describes itself to monitoring. */
export function snapshotJob(intervalSeconds: number): ScheduledJob {
    return {
        namespace: "jenkins",
        name: "jenkins-snapshots",
        intervalSeconds,
        purpose: "Jenkins snapshot schedule",
        volumeSnapshotLabel: "ha-jenkins-eks.io/snapshot-schedule",
    };
}

/** Valid DrbdMonitoring arguments with the documented defaults; specs override single fields. */
export function args(overrides: Partial<DrbdMonitoringArgs> = {}): DrbdMonitoringArgs {
    const { prometheusStorageReplicas: _replicas, ...defaults } = MONITORING_DEFAULTS;
    return {
        ...defaults,
        monitoringExtraLabels: {},
        grafanaLoadBalancerSourceRanges: [],
        namePrefix: "hje-test",
        linstorNamespace: "piraeus-datastore",
        storageClassNames: CLASSES,
        prometheusStorageClassName: CLASSES[2],
        jenkins: { namespace: "jenkins" },
        schedules: [snapshotJob(3600)],
        ...overrides,
    };
}

/** A fresh DrbdMonitoring under the shared mock, its registrations settled. */
export async function build(overrides: Partial<DrbdMonitoringArgs> = {}, opts?: pulumi.ComponentResourceOptions) {
    resetRecords();
    const monitoring = new DrbdMonitoring("hje-test", args(overrides), withKube(opts));
    await settle();
    return monitoring;
}

/** The kube-prometheus-stack release's values. */
export const values = () => one(RELEASE).inputs.values;
