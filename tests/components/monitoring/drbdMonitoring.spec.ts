import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as yaml from "js-yaml";
import { DrbdMonitoring, type DrbdMonitoringArgs } from "../../../components/monitoring";
import { alertRuleGroups } from "../../../components/monitoring/alertRules";
import { MONITORING_DEFAULTS, storageClassFor } from "../../../components/monitoring/settings";
import { ConfigError } from "../../../components/shared/errors";
import type { ScheduledJob } from "../../../components/shared/schedule";
import { loadConfig } from "../../../stacks/config";
import { thrown } from "../../support/fixtures";
import { isSecret, ofType, one, outputValue, recorded, resetRecords, settle, unsecret, useStack } from "../../support/mocks";

const CLASSES = { 1: "linstor-csi-lvm-thin-r1", 2: "linstor-csi-lvm-thin-r2", 3: "linstor-csi-lvm-thin-r3" };
const RELEASE = "kubernetes:helm.sh/v3:Release";
const SM = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const PM = "kubernetes:monitoring.coreos.com/v1:PodMonitor";
const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const SECRET = "kubernetes:core/v1:Secret";
const WRAP = "4dabf18193072939515e22adb298388d";

/** The snapshot schedule as S3SnapshotShipping describes itself to monitoring. */
function snapshotJob(intervalSeconds: number): ScheduledJob {
    return {
        namespace: "jenkins",
        name: "jenkins-snapshots",
        intervalSeconds,
        purpose: "Jenkins snapshot schedule",
        volumeSnapshotLabel: "ha-jenkins-eks.io/snapshot-schedule",
    };
}

function args(overrides: Partial<DrbdMonitoringArgs> = {}): DrbdMonitoringArgs {
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

async function build(overrides: Partial<DrbdMonitoringArgs> = {}, opts?: pulumi.ComponentResourceOptions) {
    resetRecords();
    const monitoring = new DrbdMonitoring("hje-test", args(overrides), opts);
    await settle();
    return monitoring;
}

const values = () => one(RELEASE).inputs.values;

describe("DrbdMonitoring", () => {
    describe("kube-prometheus-stack", () => {
        before(async () => {
            await build();
        });

        it("installs the pinned chart from the prometheus-community repo into a privileged namespace", () => {
            const r = one(RELEASE);
            expect(r.inputs.chart).to.equal("kube-prometheus-stack");
            expect(r.inputs.version).to.equal("88.5.3");
            expect(r.inputs.repositoryOpts).to.deep.equal({ repo: "https://prometheus-community.github.io/helm-charts" });
            expect(r.inputs.namespace).to.equal("monitoring");
            expect(r.inputs.name).to.equal("kube-prometheus-stack");
            expect(r.inputs.skipAwait).to.equal(false);
            const ns = one("kubernetes:core/v1:Namespace");
            expect(ns.inputs.metadata.name).to.equal("monitoring");
            expect(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).to.equal("privileged");
        });

        it("selects every monitor and rule, but only in the monitoring, LINSTOR and Jenkins namespaces", () => {
            const spec = values().prometheus.prometheusSpec;
            for (const kind of ["serviceMonitor", "podMonitor", "rule"]) {
                expect(spec[`${kind}SelectorNilUsesHelmValues`], kind).to.equal(false);
                expect(spec[`${kind}NamespaceSelector`], kind).to.deep.equal({
                    matchExpressions: [
                        { key: "kubernetes.io/metadata.name", operator: "In", values: ["jenkins", "monitoring", "piraeus-datastore"] },
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

    describe("alert routing", () => {
        it("delivers the Slack webhook only inside a secret Alertmanager Secret", async () => {
            const url = "https://hooks.slack.com/services/T000/B000/XXXX";
            const m = await build({ alertSlackWebhookUrl: pulumi.secret(url), alertSlackChannel: "#storage" });
            const secret = one(SECRET, "alertmanager");
            expect(secret.inputs.stringData).to.have.property(WRAP);
            const config = yaml.load(unsecret<any>(secret.inputs.stringData)["alertmanager.yaml"]) as any;
            expect(config.route.receiver).to.equal("notify");
            expect(config.receivers[1].slack_configs[0]).to.include({ api_url: url, channel: "#storage" });
            expect(JSON.stringify(one(RELEASE).inputs)).to.not.contain("hooks.slack.com");
            expect(m.alertRouting).to.equal("slack");
        });

        it("keeps a webhook given as a plain string secret too", async () => {
            await build({ alertSlackWebhookUrl: "https://hooks.slack.com/services/T1/B1/PLAIN" });
            expect(one(SECRET, "alertmanager").inputs.stringData).to.have.property(WRAP);
        });

        it("keeps alerts visible in Alertmanager only (null receiver) when nothing is configured", async () => {
            const m = await build();
            const config = yaml.load(unsecret<any>(one(SECRET, "alertmanager").inputs.stringData)["alertmanager.yaml"]) as any;
            expect(config.route.receiver).to.equal("null");
            expect(config.receivers).to.deep.equal([{ name: "null" }]);
            expect(m.alertRouting).to.equal("none");
        });

        it("routes by e-mail with the SMTP password kept secret", async () => {
            const m = await build({
                alertEmailTo: "ops@example.com",
                alertEmailFrom: "alerts@example.com",
                alertSmtpSmarthost: "email-smtp.us-west-2.amazonaws.com:587",
                alertSmtpUsername: "AKIAEXAMPLE",
                alertSmtpPassword: pulumi.secret("smtp-pw"),
            });
            const secret = one(SECRET, "alertmanager");
            expect(secret.inputs.stringData).to.have.property(WRAP);
            const config = yaml.load(unsecret<any>(secret.inputs.stringData)["alertmanager.yaml"]) as any;
            expect(config.receivers[1].email_configs[0]).to.include({ to: "ops@example.com", auth_password: "smtp-pw", require_tls: true });
            expect(m.alertRouting).to.equal("email");
        });
    });

    describe("Grafana", () => {
        it("generates an admin password, stores it in a Secret and exports it as a secret", async () => {
            const m = await build();
            const secret = one(SECRET, "grafana");
            expect(secret.inputs.stringData).to.have.property(WRAP);
            expect(unsecret<any>(secret.inputs.stringData)).to.deep.equal({
                "admin-user": "admin",
                "admin-password": "generated-hje-test-grafana-admin",
            });
            expect(one("random:index/randomPassword:RandomPassword").inputs.length).to.equal(32);
            expect(await isSecret(m.grafanaAdminPassword!)).to.equal(true);
            expect(m.ready).to.have.length(1);
            expect(m.services!.grafana).to.deep.equal({ name: "kube-prometheus-stack-grafana", port: 80 });
            expect(await outputValue(m.grafanaAdminPassword!)).to.equal("generated-hje-test-grafana-admin");
        });

        it("uses a configured admin password instead of generating one", async () => {
            await build({ grafanaAdminPassword: pulumi.secret("from-config") });
            expect(ofType("random:index/randomPassword:RandomPassword")).to.have.length(0);
            expect(unsecret<any>(one(SECRET, "grafana").inputs.stringData)["admin-password"]).to.equal("from-config");
        });

        it("is ClusterIP unless a LoadBalancer with source ranges is asked for", async () => {
            await build();
            expect(values().grafana.service).to.deep.equal({ type: "ClusterIP" });
            await build({ grafanaServiceType: "LoadBalancer", grafanaLoadBalancerSourceRanges: ["198.51.100.0/24"] });
            expect(values().grafana.service).to.deep.equal({ type: "LoadBalancer", loadBalancerSourceRanges: ["198.51.100.0/24"] });
        });

        it("refuses a world-open LoadBalancer unless opted in", async () => {
            resetRecords();
            const e = thrown(
                () => new DrbdMonitoring("bad", args({ grafanaServiceType: "LoadBalancer", grafanaLoadBalancerSourceRanges: ["0.0.0.0/0"] })),
            );
            expect(e).to.be.instanceOf(ConfigError);
            expect(e.message).to.match(/DrbdMonitoring\.grafanaLoadBalancerSourceRanges: "0\.0\.0\.0\/0"\. Refusing/);
            expect(recorded).to.have.length(0);
            await build({ grafanaServiceType: "LoadBalancer", grafanaLoadBalancerSourceRanges: ["0.0.0.0/0"], allowGrafanaFromAnywhere: true });
            expect(values().grafana.service.loadBalancerSourceRanges).to.deep.equal(["0.0.0.0/0"]);
        });
    });

    describe("with an existing Prometheus Operator", () => {
        it("installs no chart and creates only monitors, rules and the dashboard, with the operator's labels", async () => {
            const m = await build({
                useExistingPrometheusOperator: true,
                monitoringExtraLabels: { release: "prom" },
                prometheusStorageClassName: undefined,
            });
            expect(ofType(RELEASE)).to.have.length(0);
            expect(ofType("kubernetes:core/v1:Namespace")).to.have.length(0);
            expect(ofType(SECRET)).to.have.length(0);
            expect(ofType("random:index/randomPassword:RandomPassword")).to.have.length(0);
            const created = [...ofType(SM), ...ofType(PM), ...ofType(RULE), ...ofType("kubernetes:core/v1:ConfigMap")];
            expect(created).to.have.length(5);
            for (const r of created) expect(r.inputs.metadata.labels.release, r.name).to.equal("prom");
            expect(m.grafanaAdminPassword).to.equal(undefined);
            expect(m.ready).to.deep.equal([]);
            expect(m.kubeStateMetricsSnapshotConfig).to.contain("kind: CustomResourceStateMetrics");
        });

        it("rejects alert routing it could not apply", () => {
            const e = thrown(
                () =>
                    new DrbdMonitoring(
                        "x",
                        args({ useExistingPrometheusOperator: true, alertSlackWebhookUrl: "https://hooks.slack.com/services/a" }),
                    ),
            );
            expect(e.message).to.contain("DrbdMonitoring.alertSlackWebhookUrl");
        });
    });

    it("passes the caller's Kubernetes provider to every child", async () => {
        const provider = new k8s.Provider("hje-test-k8s", { kubeconfig: "{}" });
        await build({}, { providers: [provider] });
        const children = recorded.filter((r) => r.type.startsWith("kubernetes:") && r.type !== "pulumi:providers:kubernetes");
        expect(children.length).to.be.greaterThan(6);
        for (const c of children) expect(c.provider, c.name).to.contain("hje-test-k8s");
    });

    describe("validation", () => {
        const cases: [string, Partial<DrbdMonitoringArgs>, RegExp][] = [
            ["threshold 0", { storagePoolFullPercent: 0 }, /storagePoolFullPercent: 0\. Must be an integer from 1 to 99 \(percent\)/],
            ["threshold 100", { storagePoolFullPercent: 100 }, /storagePoolFullPercent: 100\./],
            ["retention in words", { prometheusRetention: "15 days" }, /prometheusRetention: "15 days"\. Use a Prometheus duration/],
            ["retention without unit", { prometheusRetention: "15" }, /prometheusRetention/],
            [
                "size in GB",
                { prometheusStorageSize: "50GB" },
                /prometheusStorageSize: "50GB"\. Use a positive whole Kubernetes quantity such as "50Gi" \(Mi, Gi, Ti\), at least 1Gi/,
            ],
            ["tiny Prometheus volume", { prometheusStorageSize: "512Mi" }, /at least 1Gi/],
            ["alertmanager size", { alertmanagerStorageSize: "0Gi" }, /alertmanagerStorageSize/],
            ["LoadBalancer without ranges", { grafanaServiceType: "LoadBalancer" }, /grafanaLoadBalancerSourceRanges: \[\]/],
            ["bad CIDR", { grafanaServiceType: "LoadBalancer", grafanaLoadBalancerSourceRanges: ["10.0.0.1/8"] }, /IPv4 CIDR/],
            ["chart version range", { kubePrometheusStackVersion: "^88" }, /kubePrometheusStackVersion/],
            ["no Prometheus class", { prometheusStorageClassName: undefined }, /prometheusStorageClassName/],
            ["incomplete e-mail", { alertEmailTo: "ops@example.com" }, /alertEmailFrom/],
            ["snapshot interval", { schedules: [snapshotJob(10)] }, /schedules\[0\]\.intervalSeconds: 10/],
            ["two snapshot schedules", { schedules: [snapshotJob(900), snapshotJob(3600)] }, /At most one snapshot schedule/],
        ];
        for (const [title, overrides, message] of cases) {
            it(`rejects ${title} before registering anything`, () => {
                resetRecords();
                const e = thrown(() => new DrbdMonitoring("bad", args(overrides)));
                expect(e).to.be.instanceOf(ConfigError);
                expect(e.message).to.match(message);
                expect(recorded).to.have.length(0);
            });
        }

        it("rejects a non-Slack webhook without echoing it", () => {
            const e = thrown(() => new DrbdMonitoring("bad", args({ alertSlackWebhookUrl: "http://evil.example/secret-token" })));
            expect(e.message).to.contain("https://hooks.slack.com/");
            expect(e.message).to.not.contain("secret-token");
        });

        it("names a missing StorageClass replica count", () => {
            expect(() => storageClassFor(5, CLASSES, "ha-jenkins-eks:prometheusStorageReplicas")).to.throw(
                /prometheusStorageReplicas: 5\. No LINSTOR StorageClass/,
            );
            expect(storageClassFor(2, CLASSES, "k")).to.equal("linstor-csi-lvm-thin-r2");
        });
    });
});

describe("monitoring stack config", () => {
    const K = (key: string) => `ha-jenkins-eks:${key}`;
    const read = (config: Record<string, string>, secretKeys: string[] = []) => {
        useStack("dev", { "aws:region": "us-west-2", ...config }, secretKeys);
        // The reader parses types; loadConfig runs DrbdMonitoring's own validation on what it read, naming the keys.
        return loadConfig().monitoring;
    };
    after(() => useStack("dev", { "aws:region": "us-west-2" }));

    it("applies the documented defaults: on, chart 88.5.3, ClusterIP Grafana, no routing", () => {
        const c = read({});
        expect(c).to.include({
            monitoringEnabled: true,
            monitoringNamespace: "monitoring",
            kubePrometheusStackVersion: "88.5.3",
            useExistingPrometheusOperator: false,
            prometheusRetention: "15d",
            prometheusStorageSize: "50Gi",
            prometheusStorageReplicas: 2,
            storagePoolFullPercent: 80,
            grafanaServiceType: "ClusterIP",
            allowGrafanaFromAnywhere: false,
        });
        expect(c.alertSlackWebhookUrl).to.equal(undefined);
        expect(c.grafanaAdminPassword).to.equal(undefined);
    });

    it("reads the webhook and passwords as secrets", async () => {
        const c = read(
            {
                [K("alertSlackWebhookUrl")]: "https://hooks.slack.com/services/T/B/C",
                [K("grafanaAdminPassword")]: "pw",
                [K("monitoringExtraLabels")]: '{"release":"prom"}',
            },
            [K("alertSlackWebhookUrl"), K("grafanaAdminPassword")],
        );
        expect(await isSecret(c.alertSlackWebhookUrl as pulumi.Output<string>)).to.equal(true);
        expect(await isSecret(c.grafanaAdminPassword as pulumi.Output<string>)).to.equal(true);
        expect(c.monitoringExtraLabels).to.deep.equal({ release: "prom" });
    });

    const bad: [string, Record<string, string>, RegExp][] = [
        [
            "a non-Slack webhook",
            { [K("alertSlackWebhookUrl")]: "https://example.com/hook" },
            /ha-jenkins-eks:alertSlackWebhookUrl: "\(secret value hidden\)"/,
        ],
        ["a threshold of 100", { [K("storagePoolFullPercent")]: "100" }, /ha-jenkins-eks:storagePoolFullPercent: 100/],
        ["a bad retention", { [K("prometheusRetention")]: "2 weeks" }, /ha-jenkins-eks:prometheusRetention/],
        ["a bad size", { [K("prometheusStorageSize")]: "50G" }, /ha-jenkins-eks:prometheusStorageSize/],
        [
            "an open Grafana",
            { [K("grafanaServiceType")]: "LoadBalancer", [K("grafanaLoadBalancerSourceRanges")]: '["0.0.0.0/0"]' },
            /ha-jenkins-eks:grafanaLoadBalancerSourceRanges: "0\.0\.0\.0\/0"/,
        ],
        [
            "an unknown service type",
            { [K("grafanaServiceType")]: "NodePort" },
            /ha-jenkins-eks:grafanaServiceType: "NodePort"\. Allowed: ClusterIP, LoadBalancer/,
        ],
    ];
    for (const [title, config, message] of bad) {
        it(`names the key of ${title}`, () => {
            expect(() =>
                read(
                    config,
                    Object.keys(config).filter((k) => k.endsWith("WebhookUrl")),
                ),
            ).to.throw(ConfigError, message);
        });
    }
});

describe("DrbdMonitoring settings (library use, no stack config)", () => {
    const refusals: [Partial<DrbdMonitoringArgs>, string, RegExp][] = [
        // Range checked only when read from stack config before.
        [{ storagePoolFullPercent: 100 }, "storagePoolFullPercent", /from 1 to 99/],
        [{ prometheusMemoryRequest: "lots" }, "prometheusMemoryRequest", /Kubernetes quantity such as "1Gi"/],
        [{ prometheusCpuRequest: "1Gi" }, "prometheusCpuRequest", /such as "250m" \(plain or m\)/],
        [{ monitoringExtraLabels: { "bad key!": "x" } }, "monitoringExtraLabels", /label key and value/],
        [{ useExistingPrometheusOperator: "no" as never }, "useExistingPrometheusOperator", /true or false/],
        [{ jenkins: { namespace: "jenkins", port: "prometheus-metrics" } }, "jenkins.port", /at most 15/],
        [{ schedules: [{ ...snapshotJob(3600), purpose: " " }] }, "schedules[0].purpose", /what the job protects/],
        [{ storageClassNames: { 3: "Linstor_R3" } }, "storageClassNames", /StorageClass name of every replica count/],
    ];
    for (const [overrides, field, message] of refusals) {
        it(`refuses ${JSON.stringify(overrides).slice(0, 90)}, naming DrbdMonitoring.${field}`, async () => {
            resetRecords();
            const e = thrown(() => new DrbdMonitoring("lib", args(overrides))) as ConfigError;
            expect(e).to.be.instanceOf(ConfigError);
            expect(e.key).to.equal(`DrbdMonitoring.${field}`);
            expect(e.message).to.match(message);
            await settle();
            expect(recorded).to.have.length(0);
        });
    }
});
