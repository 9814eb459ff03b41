/** The monitoring part of the stack config: documented defaults, secrets, refusals naming the key. */
import type * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ConfigError } from "../../../components/shared/errors";
import { loadConfig } from "../../../stacks/config";
import { isSecret, useStack } from "../../support/mocks";
import { QUICK_START_API_ACCESS } from "../../support/stacks";

describe("monitoring stack config", () => {
    const K = (key: string) => `ha-jenkins-eks:${key}`;
    const read = (config: Record<string, string>, secretKeys: string[] = []) => {
        // Every stack must say how it reaches the Kubernetes API (loadConfig checks the whole stack at once).
        useStack("dev", { "aws:region": "us-west-2", ...QUICK_START_API_ACCESS, ...config }, secretKeys);
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
            /ha-jenkins-eks:grafanaLoadBalancerSourceRanges: \["0\.0\.0\.0\/0"\]\. Refusing to open Grafana to the internet/,
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
