/**
 * Build agents in their own namespace (the chart's `agent.namespace`, jenkinsci/helm-charts charts/jenkins at
 * jenkins-5.9.53: templates/rbac.yaml puts the schedule-agents Role and RoleBinding in `jenkins.agent.namespace`), so the
 * controller's account has no pod or claim rights beside JENKINS_HOME, and fenced by NetworkPolicies.
 */
import { expect } from "chai";
import { agentNamespaceName } from "../../../components/jenkins/agents";
import { dependsOn, ofType } from "../../support/mocks";
import { build, release, values } from "./fixtures";

const NS = "kubernetes:core/v1:Namespace";
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const policy = (name: string) => ofType(POLICY).find((p) => p.inputs.metadata.name === name)!;

describe("HaJenkins: build agents in their own namespace", () => {
    before(async () => {
        await build();
    });

    it("launches agents in jenkins-agents (the chart then grants the controller pod and claim rights only there)", () => {
        expect(values().agent).to.deep.equal({ namespace: "jenkins-agents" });
        expect(values().agent.namespace).to.not.equal(release().inputs.namespace);
    });

    it("creates that namespace with Pod Security baseline enforced, restricted reported, before the release", () => {
        const ns = ofType(NS).find((n) => n.inputs.metadata.name === "jenkins-agents")!;
        expect(ns.inputs.metadata.labels).to.include({
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
        });
        expect(dependsOn(release(), ns)).to.equal(true);
        for (const name of ["default-deny", "agent-egress"]) expect(dependsOn(release(), policy(name)), name).to.equal(true);
    });

    it("denies all traffic in and out of the agents' namespace by default", () => {
        expect(policy("default-deny").inputs.metadata.namespace).to.equal("jenkins-agents");
        expect(policy("default-deny").inputs.spec).to.deep.equal({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    });

    it("lets agents reach only the controller (8080, 50000), DNS and addresses outside private ranges", () => {
        const spec = policy("agent-egress").inputs.spec;
        expect(policy("agent-egress").inputs.metadata.namespace).to.equal("jenkins-agents");
        expect(spec.policyTypes).to.deep.equal(["Egress"]);
        expect(spec).to.not.have.property("ingress");
        const [controller, dns, outside] = spec.egress;
        // The chart's controller pod labels and ports (values.yaml: componentName jenkins-controller, agentListenerPort 50000).
        expect(controller).to.deep.equal({
            to: [
                {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "jenkins" } },
                    podSelector: { matchLabels: { "app.kubernetes.io/component": "jenkins-controller", "app.kubernetes.io/instance": "jenkins" } },
                },
            ],
            ports: [
                { protocol: "TCP", port: 8080 },
                { protocol: "TCP", port: 50000 },
            ],
        });
        expect(dns.to[0].namespaceSelector.matchLabels).to.deep.equal({ "kubernetes.io/metadata.name": "kube-system" });
        expect(dns.ports.map((p: { protocol: string; port: number }) => `${p.protocol}/${p.port}`)).to.deep.equal(["UDP/53", "TCP/53"]);
        expect(outside).to.deep.equal({
            to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"] } }],
        });
        expect(spec.egress).to.have.length(3);
    });

    it("keeps the agents' namespace a DNS label", () => {
        expect(agentNamespaceName("jenkins")).to.equal("jenkins-agents");
        const long = agentNamespaceName("j".repeat(63));
        expect(long).to.have.length(63);
        expect(long).to.match(/^j+-agents$/);
        expect(agentNamespaceName(`${"a".repeat(55)}-x`)).to.equal(`${"a".repeat(55)}-agents`);
    });
});
