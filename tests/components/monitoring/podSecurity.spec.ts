/**
 * DrbdMonitoring's least privilege: Pod Security "privileged" only where node-exporter runs, Grafana's RBAC namespaced
 * (no ClusterRole: grafana 12.11.1 templates/clusterrole.yaml renders one only without rbac.namespaced or with extra
 * cluster rules), and Prometheus admitted to LINSTOR's controller metrics only.
 */
import { expect } from "chai";
import { controllerMetricsNetworkPolicySpec, satelliteMetricsNetworkPolicySpec } from "../../../components/linstorCluster/networkPolicy";
import { nodeExporterNamespace } from "../../../components/monitoring/values";
import { dependsOn, ofType, one } from "../../support/mocks";
import { build, RELEASE, values } from "./fixtures";

const NS = "kubernetes:core/v1:Namespace";
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const policy = (name: string) => ofType(POLICY).find((r) => r.inputs.metadata.name === name)!;
const PROMETHEUS_PEER = {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
    podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
};

describe("DrbdMonitoring: least privilege", () => {
    before(async () => {
        await build();
    });

    it("enforces baseline on the monitoring namespace and runs node-exporter alone in a privileged one", () => {
        const labels = (name: string) => ofType(NS).find((n) => n.inputs.metadata.name === name)!.inputs.metadata.labels;
        expect(labels("monitoring")).to.include({
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
        });
        expect(labels("monitoring-node-exporter")).to.include({ "pod-security.kubernetes.io/enforce": "privileged" });
        expect(values()["prometheus-node-exporter"]).to.deep.equal({ namespaceOverride: "monitoring-node-exporter" });
        const exporter = ofType(NS).find((n) => n.inputs.metadata.name === "monitoring-node-exporter")!;
        expect(dependsOn(one(RELEASE), exporter)).to.equal(true);
        // Its ServiceMonitor lands there too: Prometheus must discover it.
        expect(values().prometheus.prometheusSpec.serviceMonitorNamespaceSelector.matchExpressions[0].values).to.include("monitoring-node-exporter");
    });

    it("keeps node-exporter's namespace a DNS label", () => {
        expect(nodeExporterNamespace("m".repeat(63))).to.have.length(63);
        expect(nodeExporterNamespace(`${"a".repeat(48)}-x`)).to.equal(`${"a".repeat(48)}-node-exporter`);
    });

    it("keeps Grafana's RBAC in its namespace: no ClusterRole on Secrets", () => {
        expect(values().grafana.rbac).to.deep.equal({ namespaced: true });
        expect(values().grafana.rbac).to.not.have.property("extraClusterRoleRules");
        expect(values().grafana.sidecar.dashboards.searchNamespace).to.deep.equal(["monitoring"]);
    });

    it("takes kube-state-metrics' cluster-wide read of every Secret away (its secrets collector)", () => {
        expect(values()["kube-state-metrics"].collectorsExclude).to.deep.equal(["secrets"]);
    });

    it("admits Prometheus pods of the monitoring namespace to LINSTOR's controller metrics port, and nothing else", () => {
        const controller = policy("linstor-controller-metrics");
        expect(controller.inputs.metadata).to.include({ namespace: "piraeus-datastore" });
        expect(controller.inputs.spec).to.deep.equal(controllerMetricsNetworkPolicySpec("monitoring"));
        const rule = controller.inputs.spec.ingress[0];
        expect(rule.ports).to.deep.equal([{ protocol: "TCP", port: 3370 }]);
        expect(rule.from).to.deep.equal([PROMETHEUS_PEER]);
    });

    it("admits the same Prometheus pods to drbd-reactor's port on the satellites (the PodMonitor's port 9942), and nothing else", () => {
        const satellites = policy("linstor-satellite-metrics");
        expect(satellites.inputs.metadata).to.include({ namespace: "piraeus-datastore" });
        expect(satellites.inputs.spec).to.deep.equal({
            podSelector: { matchLabels: { "app.kubernetes.io/component": "linstor-satellite" } },
            policyTypes: ["Ingress"],
            ingress: [{ from: [PROMETHEUS_PEER], ports: [{ protocol: "TCP", port: 9942 }] }],
        });
        expect(ofType(POLICY)).to.have.length(2);
    });

    it("adds the metrics policy with an existing Prometheus operator too (no namespaces of its own then)", async () => {
        await build({ useExistingPrometheusOperator: true, prometheusStorageClassName: undefined });
        expect(policy("linstor-controller-metrics").inputs.spec).to.deep.equal(controllerMetricsNetworkPolicySpec("monitoring"));
        expect(policy("linstor-satellite-metrics").inputs.spec).to.deep.equal(satelliteMetricsNetworkPolicySpec("monitoring"));
        expect(ofType(NS)).to.have.length(0);
        await build();
    });
});
