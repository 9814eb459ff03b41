/**
 * Build agents in a namespace of their own, away from JENKINS_HOME. With `agent.namespace` set, the jenkins chart
 * (jenkinsci/helm-charts charts/jenkins at jenkins-5.9.53) creates its `<fullname>-schedule-agents` Role and RoleBinding
 * (create/delete pods and persistentvolumeclaims, bound to the controller's ServiceAccount) in that namespace only
 * (templates/rbac.yaml via `jenkins.agent.namespace`, templates/_helpers.tpl), and the kubernetes cloud launches agents
 * there. So no pod of a build can use the controller's account, delete or mount the jenkins-home claim, or make a
 * claim from its snapshots: those live in the Jenkins namespace, where the account has no such rights any more. The
 * chart does not create the namespace. Agents reach the controller by the namespace-qualified names the chart renders
 * (`jenkinsUrl` http://<fullname>.<ns>.svc…:<servicePort>, `jenkinsTunnel` <fullname>-agent.<ns>.svc…:50000).
 */
import type { types } from "@pulumi/kubernetes";
import { controllerSelector, JENKINS_HTTP_PORT } from "./values";

type NetworkPolicySpec = types.input.networking.v1.NetworkPolicySpec;

/** The chart's `controller.agentListenerPort` default (values.yaml at jenkins-5.9.53); the program keeps it. */
export const AGENT_LISTENER_PORT = 50000;

/** Private and link-local ranges: the VPC (LINSTOR, satellites, nodes, other pods) and the instance metadata service. */
export const AGENT_EGRESS_EXCEPT = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"] as const;

/** `<jenkins namespace>-agents`, kept a DNS label (≤ 63). */
export function agentNamespaceName(jenkinsNamespace: string): string {
    return `${jenkinsNamespace.slice(0, 63 - "-agents".length).replace(/-+$/, "")}-agents`;
}

/**
 * Pod Security `baseline` enforced (no privileged, host namespaces or host paths: a build cannot reach the node),
 * `restricted` reported: the default agent pod and common build images (root, default capabilities) do not meet it.
 */
export function agentNamespaceMetadata(name: string) {
    return {
        name,
        labels: {
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
            "app.kubernetes.io/part-of": "ha-jenkins-eks",
        },
    };
}

/** Deny everything in and out of the agents' namespace (the next policy adds what agents need). */
export function agentDefaultDenySpec(): NetworkPolicySpec {
    return { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
}

/**
 * What an agent may reach: the Jenkins controller pod (HTTP and the inbound agent port), cluster DNS, and addresses
 * outside private ranges (source repositories, package registries; through the NAT gateways). Nothing in the VPC
 * otherwise: no LINSTOR controller or satellite, no node, no instance metadata (the node role's credentials).
 */
export function agentEgressSpec(jenkinsNamespace: string, releaseName: string): NetworkPolicySpec {
    const ns = (name: string) => ({ matchLabels: { "kubernetes.io/metadata.name": name } });
    return {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
            {
                to: [{ namespaceSelector: ns(jenkinsNamespace), podSelector: { matchLabels: controllerSelector(releaseName) } }],
                ports: [
                    { protocol: "TCP", port: JENKINS_HTTP_PORT },
                    { protocol: "TCP", port: AGENT_LISTENER_PORT },
                ],
            },
            {
                // CoreDNS as EKS runs it (k8s-app=kube-dns in kube-system).
                to: [{ namespaceSelector: ns("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                ports: [
                    { protocol: "UDP", port: 53 },
                    { protocol: "TCP", port: 53 },
                ],
            },
            { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...AGENT_EGRESS_EXCEPT] } }] },
        ],
    };
}
