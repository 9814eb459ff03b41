/** DrbdMonitoring as a library user builds it: only the fields without a default, no MONITORING_DEFAULTS spread. */
import { expect } from "chai";
import { DrbdMonitoring, type DrbdMonitoringArgs } from "../../../components/monitoring";
import {
    MONITORING_DEFAULTS,
    MONITORING_SETTINGS_DEFAULTS,
    validateMonitoringSettings,
    withMonitoringDefaults,
} from "../../../components/monitoring/settings";
import { ConfigError } from "../../../components/shared/errors";
import { thrown } from "../../support/fixtures";
import { withKube } from "../../support/kubeProvider";
import { one, recorded, resetRecords, settle } from "../../support/mocks";
import { CLASSES, RELEASE, args as stackLikeArgs, values } from "./fixtures";

/** Every field DrbdMonitoring has no default for (and the class Prometheus needs without an existing operator). */
const REQUIRED: DrbdMonitoringArgs = {
    namePrefix: "hje-test",
    linstorNamespace: "piraeus-datastore",
    storageClassNames: CLASSES,
    prometheusStorageClassName: CLASSES[2],
    grafanaLoadBalancerSourceRanges: [],
};

async function buildWith(args: DrbdMonitoringArgs): Promise<DrbdMonitoring> {
    resetRecords();
    const monitoring = new DrbdMonitoring("hje-test", args, withKube());
    await settle();
    return monitoring;
}

/** What the defaults show in the recorded resources. */
function expectDefaultsApplied(monitoring: DrbdMonitoring): void {
    expect(monitoring.namespace).to.equal("monitoring");
    const release = one(RELEASE);
    expect(release.inputs.chart).to.equal("kube-prometheus-stack");
    expect(release.inputs.version).to.equal("88.5.3");
    expect(release.inputs.namespace).to.equal("monitoring");
    const spec = values().prometheus.prometheusSpec;
    expect(spec.retention).to.equal("15d");
    expect(spec.storageSpec.volumeClaimTemplate.spec.resources).to.deep.equal({ requests: { storage: "50Gi" } });
    expect(spec.resources).to.deep.equal({ requests: { cpu: "250m", memory: "1Gi" } });
    expect(values().alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.resources).to.deep.equal({ requests: { storage: "2Gi" } });
    expect(values().grafana.service).to.deep.equal({ type: "ClusterIP" });
    expect(values().crds.upgradeJob.image.kubectl).to.include({ registry: "registry.k8s.io", repository: "kubectl", tag: "v1.35.1" });
    expect(values().crds.upgradeJob.image.busybox).to.include({ registry: "docker.io", repository: "library/busybox", tag: "1.37.0" });
    // monitoringExtraLabels {}: only our own label on the monitors.
    expect(one("kubernetes:monitoring.coreos.com/v1:PodMonitor").inputs.metadata.labels).to.deep.equal({
        "app.kubernetes.io/part-of": "ha-jenkins-eks",
    });
    expect(JSON.stringify(one("kubernetes:monitoring.coreos.com/v1:PrometheusRule").inputs.spec)).to.contain(
        "(linstor_storage_pool_capacity_total_bytes > 0)) > 80",
    );
}

describe("DrbdMonitoring (library use: only the fields without a default)", () => {
    it("fills every documented default, as the stack passes them, and no stack-only key", () => {
        const settings = { grafanaLoadBalancerSourceRanges: [] };
        // The fixtures' arguments are what the stack passes: every setting spelled out.
        const {
            namePrefix: _p,
            linstorNamespace: _l,
            storageClassNames: _c,
            prometheusStorageClassName: _s,
            jenkins: _j,
            schedules: _sc,
            ...stack
        } = stackLikeArgs();
        const filled = withMonitoringDefaults(settings);
        expect(filled).to.deep.equal(stack);
        expect(filled).to.not.have.property("prometheusStorageReplicas");
        expect(MONITORING_SETTINGS_DEFAULTS).to.not.have.property("prometheusStorageReplicas");
        expect(MONITORING_DEFAULTS.prometheusStorageReplicas).to.equal(2);
        validateMonitoringSettings(settings, (f) => `DrbdMonitoring.${f}`);
    });

    it("builds kube-prometheus-stack with the defaults applied", async () => {
        expectDefaultsApplied(await buildWith(REQUIRED));
    });

    it("takes an explicit undefined as unset: the default stays", async () => {
        const undefinedDefaults = Object.fromEntries(Object.keys(MONITORING_SETTINGS_DEFAULTS).map((k) => [k, undefined]));
        expectDefaultsApplied(await buildWith({ ...REQUIRED, ...undefinedDefaults }));
    });

    it("still refuses a bad value, naming DrbdMonitoring.<field>, with nothing registered", async () => {
        resetRecords();
        const e = thrown(() => new DrbdMonitoring("lib", { ...REQUIRED, storagePoolFullPercent: 100 }));
        expect(e).to.be.instanceOf(ConfigError);
        expect(e.message).to.contain("DrbdMonitoring.storagePoolFullPercent");
        await settle();
        expect(recorded, "nothing registered").to.have.length(0);
    });
});
