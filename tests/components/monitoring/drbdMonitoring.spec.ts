/** DrbdMonitoring by default: the kube-prometheus-stack release, the monitors, the alert rules and dashboard, the provider. */
import * as k8s from "@pulumi/kubernetes";
import { expect } from "chai";
import { alertRuleGroups } from "../../../components/monitoring/alertRules";
import { ofType, one, recorded } from "../../support/mocks";
import { build, CLASSES, PM, RELEASE, RULE, SECRET, SM, snapshotJob, values, WRAP } from "./fixtures";

describe("DrbdMonitoring", () => {
    describe("kube-prometheus-stack", () => {
        before(async () => {
            await build();
        });

        it("installs the pinned chart from the prometheus-community repo into a baseline namespace", () => {
            const r = one(RELEASE);
            expect(r.inputs.chart).to.equal("kube-prometheus-stack");
            expect(r.inputs.version).to.equal("88.5.3");
            expect(r.inputs.repositoryOpts).to.deep.equal({ repo: "https://prometheus-community.github.io/helm-charts" });
            expect(r.inputs.namespace).to.equal("monitoring");
            expect(r.inputs.name).to.equal("kube-prometheus-stack");
            expect(r.inputs.skipAwait).to.equal(false);
            const ns = one("kubernetes:core/v1:Namespace", "monitoring");
            expect(ns.inputs.metadata.name).to.equal("monitoring");
            expect(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).to.equal("baseline");
        });

        it("selects every monitor and rule, but only in the monitoring, LINSTOR and Jenkins namespaces", () => {
            const spec = values().prometheus.prometheusSpec;
            for (const kind of ["serviceMonitor", "podMonitor", "rule"]) {
                expect(spec[`${kind}SelectorNilUsesHelmValues`], kind).to.equal(false);
                expect(spec[`${kind}NamespaceSelector`], kind).to.deep.equal({
                    matchExpressions: [
                        {
                            key: "kubernetes.io/metadata.name",
                            operator: "In",
                            values: ["jenkins", "monitoring", "monitoring-node-exporter", "piraeus-datastore"],
                        },
                    ],
                });
            }
        });

        it("keeps Prometheus data on a LINSTOR class with retention, a size cap and resource requests", () => {
            const spec = values().prometheus.prometheusSpec;
            expect(spec.storageSpec).to.deep.equal({
                volumeClaimTemplate: {
                    spec: {
                        storageClassName: "linstor-csi-lvm-thin-r2",
                        accessModes: ["ReadWriteOnce"],
                        resources: { requests: { storage: "50Gi" } },
                    },
                },
            });
            expect(spec.retention).to.equal("15d");
            expect(spec.retentionSize).to.equal("43520MiB");
            expect(spec.resources).to.deep.equal({ requests: { cpu: "250m", memory: "1Gi" } });
            expect(values().alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName).to.equal("linstor-csi-lvm-thin-r2");
        });

        it("turns off EKS control-plane scrapes that can never succeed", () => {
            for (const c of ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"])
                expect(values()[c], c).to.deep.equal({ enabled: false });
        });

        it("feeds Alertmanager and Grafana from our Secrets, so no secret passes through Helm values", () => {
            const r = one(RELEASE);
            expect(r.inputs.values).to.not.have.property(WRAP);
            expect(JSON.stringify(r.inputs.values)).to.not.contain("generated-");
            const am = values().alertmanager.alertmanagerSpec;
            expect(am.useExistingSecret).to.equal(true);
            expect(am.configSecret).to.equal(one(SECRET, "alertmanager").inputs.metadata.name);
            expect(values().grafana.admin).to.deep.equal({
                existingSecret: one(SECRET, "grafana").inputs.metadata.name,
                userKey: "admin-user",
                passwordKey: "admin-password",
            });
        });

        it("exports VolumeSnapshot state through kube-state-metrics with read access to VolumeSnapshots only", () => {
            const ksm = values()["kube-state-metrics"];
            expect(ksm.customResourceState.enabled).to.equal(true);
            expect(ksm.customResourceState.config.spec.resources[0].groupVersionKind.kind).to.equal("VolumeSnapshot");
            expect(ksm.rbac.extraRules).to.deep.equal([
                { apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshots"], verbs: ["list", "watch"] },
            ]);
        });
    });

    describe("monitors", () => {
        before(async () => {
            await build();
        });

        it("scrape the LINSTOR controller Service on port api, /metrics", () => {
            const sm = one(SM, "linstor-controller");
            expect(sm.inputs.metadata.namespace).to.equal("piraeus-datastore");
            expect(sm.inputs.spec.selector).to.deep.equal({ matchLabels: { "app.kubernetes.io/component": "linstor-controller" } });
            expect(sm.inputs.spec.endpoints[0]).to.include({ port: "api", path: "/metrics", scheme: "http" });
            expect(sm.inputs.spec.endpoints[0].relabelings).to.deep.equal([
                { action: "replace", targetLabel: "job", replacement: "linstor-controller" },
            ]);
        });

        it("scrape every satellite's drbd-reactor on port prometheus, labelled by node", () => {
            const pm = one(PM, "linstor-satellite");
            expect(pm.inputs.metadata.namespace).to.equal("piraeus-datastore");
            expect(pm.inputs.spec.selector).to.deep.equal({ matchLabels: { "app.kubernetes.io/component": "linstor-satellite" } });
            const ep = pm.inputs.spec.podMetricsEndpoints[0];
            expect(ep).to.include({ port: "prometheus", path: "/metrics" });
            expect(ep.relabelings).to.deep.include({ action: "replace", sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node" });
            expect(ep.relabelings).to.deep.include({ action: "replace", targetLabel: "job", replacement: "linstor-satellite" });
        });

        it("scrape Jenkins' /prometheus on the chart's controller Service port http", () => {
            const sm = one(SM, "jenkins");
            expect(sm.inputs.metadata.namespace).to.equal("jenkins");
            expect(sm.inputs.spec.selector.matchLabels).to.deep.equal({
                "app.kubernetes.io/component": "jenkins-controller",
                "app.kubernetes.io/instance": "jenkins",
            });
            expect(sm.inputs.spec.endpoints[0]).to.include({ port: "http", path: "/prometheus" });
        });

        it("leave Jenkins to the chart's ServiceMonitor when asked, still alerting on its job", async () => {
            await build({ jenkins: { namespace: "ci", createServiceMonitor: false, job: "ci-jenkins" } });
            expect(ofType(SM).map((s) => s.inputs.metadata.name)).to.deep.equal(["hje-linstor-controller"]);
            const jenkinsRules = one(RULE).inputs.spec.groups.find((g: any) => g.name === "jenkins.rules");
            expect(jenkinsRules.rules[0].expr).to.equal('up{job="ci-jenkins"} == 0 or absent(up{job="ci-jenkins"})');
            expect(values().prometheus.prometheusSpec.serviceMonitorNamespaceSelector.matchExpressions[0].values).to.include("ci");
        });
    });

    describe("rules and dashboard", () => {
        before(async () => {
            await build({ storagePoolFullPercent: 70, schedules: [snapshotJob(900)] });
        });

        it("registers every alert group in one PrometheusRule in the monitoring namespace", () => {
            const rule = one(RULE);
            expect(rule.inputs.metadata.namespace).to.equal("monitoring");
            expect(rule.inputs.spec.groups).to.deep.equal(
                alertRuleGroups({
                    storagePoolFullPercent: 70,
                    storageClassNames: CLASSES,
                    jenkinsJob: "jenkins",
                    snapshots: { intervalSeconds: 900 },
                    cronJobs: [snapshotJob(900)],
                    linstorNamespace: "piraeus-datastore",
                }),
            );
            const all = rule.inputs.spec.groups.flatMap((g: any) => g.rules);
            expect(all.find((r: any) => r.alert === "VolumeSnapshotTooOld").expr).to.match(/ > 1800$/);
        });

        it("provisions our dashboard as a ConfigMap the Grafana sidecar picks up", () => {
            const cm = one("kubernetes:core/v1:ConfigMap", "dashboard");
            expect(cm.inputs.metadata.namespace).to.equal("monitoring");
            expect(cm.inputs.metadata.labels.grafana_dashboard).to.equal("1");
            const dashboard = JSON.parse(cm.inputs.data["drbd-linstor.json"]);
            expect(dashboard.uid).to.equal("hje-drbd-linstor");
            expect(dashboard.panels.length).to.be.greaterThan(10);
            expect(values().grafana.sidecar.dashboards).to.include({ label: "grafana_dashboard", labelValue: "1" });
        });
    });

    it("passes the caller's Kubernetes provider to every child", async () => {
        const provider = new k8s.Provider("hje-test-k8s", { kubeconfig: "{}" });
        await build({}, { providers: [provider] });
        const children = recorded.filter((r) => r.type.startsWith("kubernetes:") && r.type !== "pulumi:providers:kubernetes");
        expect(children.length).to.be.greaterThan(6);
        for (const c of children) expect(c.provider, c.name).to.contain("hje-test-k8s");
    });
});
