/** policy/rules/loadBalancers.ts: no load balancer open to the internet, Services and chart values alike. */
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
                service({}, { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" }),
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
        expect(found[1]).to.match(/include 0\.0\.0\.0\/0\. List the client CIDRs in loadBalancerSourceRanges/);
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
            /Helm release jenkins \(jenkins\) renders an internet-facing LoadBalancer from controller: its loadBalancerSourceRanges include 0\.0\.0\.0\/0/,
        );
        expect(found[1]).to.match(/from controller: it has no loadBalancerSourceRanges.*Set controller\.loadBalancerSourceRanges/);
        expect(found[2]).to.match(/kube-prometheus-stack\) renders .* from grafana\.service: its loadBalancerSourceRanges include ::\/0/);
        expect(found[3]).to.match(/from prometheus\.thanosServiceExternal/);
    });

    it("allows what policy config names", async () => {
        const config = { [rule.name]: { allowedOpenLoadBalancers: ["apps/web", "jenkins"] } };
        expect(await violations(rule, [service({}), jenkins({ serviceType: "LoadBalancer" })], { config })).to.deep.equal([]);
    });
});
