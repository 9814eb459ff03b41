/** DrbdMonitoring next to an existing Prometheus Operator: no chart, only monitors, rules and the dashboard. */
import { expect } from "chai";
import { DrbdMonitoring } from "../../../components/monitoring";
import { thrown } from "../../support/fixtures";
import { ofType } from "../../support/mocks";
import { args, build, PM, RELEASE, RULE, SECRET, SM } from "./fixtures";

describe("DrbdMonitoring", () => {
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
});
