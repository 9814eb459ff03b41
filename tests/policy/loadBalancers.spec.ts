/** policy/rules/loadBalancers.ts: no load balancer open to the internet, Services and chart values alike. */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as P from "../../policy/policies";
import { resource, violations } from "../support/policyHarness";
import { T } from "./fixtures";

describe("no-open-load-balancers", () => {
    const rule = P.noOpenLoadBalancers;
    const service = (spec: Record<string, unknown>, annotations: Record<string, string> = {}) =>
        resource(T.service, { metadata: { name: "web", namespace: "apps", annotations }, spec: { type: "LoadBalancer", ...spec } });
    const jenkins = (controller: Record<string, unknown>) =>
        resource(T.helmRelease, { name: "jenkins", chart: "jenkins", namespace: "jenkins", values: { controller, persistence: {} } });
    const monitoring = (values: Record<string, unknown>) =>
        resource(T.helmRelease, { name: "kube-prometheus-stack", chart: "kube-prometheus-stack", namespace: "monitoring", values });

    it("passes restricted, internal and ClusterIP services", async () => {
        expect(
            await violations(rule, [
                service({ loadBalancerSourceRanges: ["203.0.113.0/24"] }),
                service({}, { "service.beta.kubernetes.io/aws-load-balancer-internal": "true" }),
                service({ loadBalancerClass: "service.k8s.aws/nlb" }, { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" }),
                service(
                    {},
                    {
                        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
                        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
                        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
                    },
                ),
                service({ type: "ClusterIP" }),
                jenkins({ serviceType: "ClusterIP" }),
                jenkins({ serviceType: "LoadBalancer", loadBalancerSourceRanges: ["198.51.100.0/24"] }),
                monitoring({ grafana: { service: { type: "ClusterIP" } } }),
            ]),
        ).to.deep.equal([]);
    });

    it("fails a Service without source ranges or open to 0.0.0.0/0", async () => {
        const found = await violations(rule, [service({}), service({ loadBalancerSourceRanges: ["10.0.0.0/8", "0.0.0.0/0"] })]);
        expect(found).to.have.length(2);
        expect(found[0]).to.match(/LoadBalancer Service web is open to the internet: it has no loadBalancerSourceRanges/);
        expect(found[1]).to.match(
            /are open to the internet: 10\.0\.0\.0\/8, 0\.0\.0\.0\/0 together admit 100 % of the public IPv4 space\. List the client CIDRs/,
        );
    });

    it("fails Jenkins and monitoring releases whose chart values render an open load balancer", async () => {
        const found = await violations(rule, [
            jenkins({ serviceType: "LoadBalancer" }), // the chart's default ranges are [0.0.0.0/0]
            jenkins({ serviceType: "LoadBalancer", loadBalancerSourceRanges: [] }),
            monitoring({ grafana: { service: { type: "LoadBalancer", loadBalancerSourceRanges: ["::/0"] } } }),
            monitoring({ prometheus: { thanosServiceExternal: { enabled: true } } }),
        ]);
        expect(found).to.have.length(4);
        expect(found[0]).to.match(
            /Helm release jenkins \(jenkins\) renders an internet-facing LoadBalancer from controller: its loadBalancerSourceRanges are open to the internet: 0\.0\.0\.0\/0/,
        );
        expect(found[1]).to.match(/from controller: it has no loadBalancerSourceRanges.*Set controller\.loadBalancerSourceRanges/);
        expect(found[2]).to.match(
            /kube-prometheus-stack\) renders .* from grafana\.service: its loadBalancerSourceRanges are open to the internet: ::\/0/,
        );
        expect(found[3]).to.match(/from prometheus\.thanosServiceExternal/);
    });

    it("trusts the scheme annotation only on Services the AWS Load Balancer Controller owns (review H2)", async () => {
        const scheme = { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" };
        const found = await violations(rule, [
            service({}, scheme), // EKS's cloud controller ignores -scheme: internet-facing
            service({}, { ...scheme, "service.beta.kubernetes.io/aws-load-balancer-type": "external" }), // no target type: not the LBC's
            service(
                { loadBalancerClass: "service.k8s.aws/nlb" },
                {
                    ...scheme,
                    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
                    "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
                },
            ),
            service({}, { "service.beta.kubernetes.io/aws-load-balancer-internal": "false" }),
            jenkins({ serviceType: "LoadBalancer", serviceAnnotations: scheme }),
        ]);
        expect(found).to.have.length(5);
        expect(found[0]).to.match(
            /Service web is open to the internet: it has no loadBalancerSourceRanges.*aws-load-balancer-internal: "true", which EKS's cloud controller honours/,
        );
        expect(found[4]).to.match(/Helm release jenkins \(jenkins\) renders .* from controller: .*0\.0\.0\.0\/0/);
        // The cloud controller takes any value but "false" and "" as internal; the LBC a Go bool.
        expect(await violations(rule, [service({}, { "service.beta.kubernetes.io/aws-load-balancer-internal": "0.0.0.0/0" })])).to.deep.equal([]);
        expect(
            await violations(rule, [
                service(
                    {},
                    { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb-ip", "service.beta.kubernetes.io/aws-load-balancer-internal": "yes" },
                ),
            ]),
        ).to.have.length(1);
    });

    it("knows the Jenkins agent listener and kube-prometheus-stack's other Services (review H2)", async () => {
        const found = await violations(rule, [
            jenkins({ agentListenerServiceType: "LoadBalancer" }), // chart default ranges [0.0.0.0/0]
            jenkins({ agentListenerServiceType: "LoadBalancer", agentListenerEnabled: false }),
            jenkins({ agentListenerServiceType: "LoadBalancer", agentListenerLoadBalancerSourceRanges: ["198.51.100.0/24"] }),
            monitoring({ prometheusOperator: { service: { type: "LoadBalancer" } } }),
            monitoring({ "kube-state-metrics": { service: { type: "LoadBalancer" } } }),
            monitoring({ "prometheus-node-exporter": { service: { type: "LoadBalancer", loadBalancerSourceRanges: ["198.51.100.0/24"] } } }),
            monitoring({ prometheus: { servicePerReplica: { enabled: true, type: "LoadBalancer" } } }),
            monitoring({ alertmanager: { servicePerReplica: { enabled: false, type: "LoadBalancer" } } }),
            monitoring({ alertmanager: { servicePerReplica: { enabled: true, type: "LoadBalancer" } } }),
        ]);
        expect(found).to.have.length(6);
        expect(found[0]).to.match(
            /from controller: its loadBalancerSourceRanges are open .*0\.0\.0\.0\/0.*Set controller\.agentListenerLoadBalancerSourceRanges/,
        );
        expect(found[1]).to.match(/from prometheusOperator\.service/);
        expect(found[2]).to.match(/from kube-state-metrics\.service/);
        expect(found[3]).to.match(/from prometheus-node-exporter\.service: .*renders no source ranges there/);
        expect(found[4]).to.match(/from prometheus\.servicePerReplica/);
        expect(found[5]).to.match(/from alertmanager\.servicePerReplica/);
    });

    it("judges the whole list by the address space it covers: halves of the internet add up", async () => {
        const found = await violations(rule, [
            service({ loadBalancerSourceRanges: ["0.0.0.0/1", "128.0.0.0/1"] }),
            service({}, { "service.beta.kubernetes.io/load-balancer-source-ranges": "0.0.0.0/1,128.0.0.0/1" }),
            jenkins({ serviceType: "LoadBalancer", loadBalancerSourceRanges: ["0.0.0.0/1", "128.0.0.0/1"] }),
            monitoring({ grafana: { service: { type: "LoadBalancer", loadBalancerSourceRanges: ["::/1", "8000::/1"] } } }),
            service({ loadBalancerSourceRanges: ["203.0.113.0/24", "not-a-cidr"] }),
        ]);
        expect(found).to.have.length(5);
        expect(found[0]).to.match(/0\.0\.0\.0\/1, 128\.0\.0\.0\/1 together admit 100 % of the public IPv4 space/);
        expect(found[1]).to.match(/together admit 100 % of the public IPv4/);
        expect(found[2]).to.match(/Helm release jenkins .* from controller: .*together admit 100 %/);
        expect(found[3]).to.match(/::\/1, 8000::\/1 together admit 100 % of the public IPv6 space/);
        expect(found[4]).to.match(/entries that are not CIDRs \(not-a-cidr\)/);
        // A client list far from 1/16 of the public address space passes.
        expect(await violations(rule, [service({ loadBalancerSourceRanges: ["10.0.0.0/8", "198.51.100.0/24", "2001:db8::/32"] })])).to.deep.equal([]);
    });

    it("judges a chart's values through a v4 Chart and value files, refusing files it cannot read", async () => {
        const v4 = resource(T.helmChartV4, {
            name: "jenkins",
            chart: "jenkins",
            namespace: "jenkins",
            values: { controller: { serviceType: "LoadBalancer" } },
        });
        expect((await violations(rule, [v4])).join()).to.match(/Helm v4 Chart jenkins \(jenkins\) renders an internet-facing LoadBalancer/);
        const files = (asset: pulumi.asset.Asset) =>
            resource(T.helmRelease, { name: "jenkins", chart: "jenkins", namespace: "jenkins", valueYamlFiles: [asset] });
        expect((await violations(rule, [files(new pulumi.asset.FileAsset("lb.yaml"))])).join()).to.match(
            /takes values from file lb\.yaml, which the pack cannot read/,
        );
        expect((await violations(rule, [files(new pulumi.asset.StringAsset("controller:\n  serviceType: LoadBalancer\n"))])).join()).to.match(
            /YAML text/,
        );
        const json = new pulumi.asset.StringAsset(
            JSON.stringify({ controller: { serviceType: "LoadBalancer", loadBalancerSourceRanges: ["0.0.0.0/1", "128.0.0.0/1"] } }),
        );
        expect((await violations(rule, [files(json)])).join()).to.match(/together admit 100 %/);
        expect(await violations(rule, [files(new pulumi.asset.StringAsset("controller:\n  numExecutors: 0\n"))])).to.deep.equal([]);
    });

    it("allows what policy config names", async () => {
        const config = { [rule.name]: { allowedOpenLoadBalancers: ["apps/web", "jenkins"] } };
        expect(await violations(rule, [service({}), jenkins({ serviceType: "LoadBalancer" })], { config })).to.deep.equal([]);
    });
});
