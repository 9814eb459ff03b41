/** DrbdMonitoring's Grafana: the admin password kept secret, the service type, refusing a world-open LoadBalancer. */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { DrbdMonitoring } from "../../../components/monitoring";
import { ConfigError } from "../../../components/shared/errors";
import { thrown } from "../../support/fixtures";
import { isSecret, ofType, one, outputValue, recorded, resetRecords, settle, unsecret } from "../../support/mocks";
import { args, build, SECRET, values, WRAP } from "./fixtures";

describe("DrbdMonitoring", () => {
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
            expect(e.message).to.match(
                /DrbdMonitoring\.grafanaLoadBalancerSourceRanges: \["0\.0\.0\.0\/0"\]\. Refusing to open Grafana to the internet/,
            );
            // Registrations arrive asynchronously: without waiting, a resource registered before the throw is not seen yet.
            await settle();
            expect(recorded).to.have.length(0);
            await build({ grafanaServiceType: "LoadBalancer", grafanaLoadBalancerSourceRanges: ["0.0.0.0/0"], allowGrafanaFromAnywhere: true });
            expect(values().grafana.service.loadBalancerSourceRanges).to.deep.equal(["0.0.0.0/0"]);
        });
    });
});
