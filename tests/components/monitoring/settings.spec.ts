/** DrbdMonitoring refusing invalid arguments before registering anything, each error naming its field. */
import { expect } from "chai";
import { DrbdMonitoring, type DrbdMonitoringArgs } from "../../../components/monitoring";
import { storageClassFor } from "../../../components/monitoring/settings";
import { ConfigError } from "../../../components/shared/errors";
import { thrown } from "../../support/fixtures";
import { recorded, resetRecords, settle } from "../../support/mocks";
import { args, CLASSES, snapshotJob } from "./fixtures";

describe("DrbdMonitoring", () => {
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
            it(`rejects ${title} before registering anything`, async () => {
                resetRecords();
                const e = thrown(() => new DrbdMonitoring("bad", args(overrides)));
                expect(e).to.be.instanceOf(ConfigError);
                expect(e.message).to.match(message);
                // Registrations arrive asynchronously: without waiting, a resource registered before the throw is not seen yet.
                await settle();
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
