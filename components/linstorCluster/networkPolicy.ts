/**
 * Who may reach LINSTOR's API: a NetworkPolicy selecting the controller pod admits only the pods that call it, so a
 * Jenkins build pod (or anything else in the cluster) cannot. Pure builder; the component registers it.
 *
 * The API clients of piraeus-operator v2.10.8, each by its pod label `app.kubernetes.io/component` in the LINSTOR
 * namespace (pkg/resources/cluster/*: controller, csi-controller, csi-node, affinity-controller, nfs-server; the
 * operator's own pod from the chart's selectorLabels, charts/piraeus/templates/_helpers.tpl): the operator, the CSI
 * controller and nodes, the affinity controller and the NFS server (each gets `LS_CONTROLLERS`), the controller itself
 * (`kubectl exec … linstor` goes through the Service back to it), and our Jobs (resync gates, ensure-remote Job) by
 * API_CLIENT_LABEL. The HA controller and the satellites never call the API (no `LS_CONTROLLERS`; the controller
 * connects to the satellites, not the reverse). Prometheus' scrape of `/metrics` on 3370 is admitted by DrbdMonitoring
 * with a policy of its own (policies add up). Kubelet probes come from the node's own address, which the VPC CNI's
 * network policy agent always admits (aws/aws-network-policy-agent#56). The LINBIT distribution's operator pod is
 * `linstor-operator`.
 */
import type { types } from "@pulumi/kubernetes";
import { API_CLIENT_LABEL, LINSTOR_API_PORTS } from "./apiTls";

type NetworkPolicySpec = types.input.networking.v1.NetworkPolicySpec;

export const COMPONENT_LABEL = "app.kubernetes.io/component";
export const CONTROLLER_COMPONENT = "linstor-controller";

/** The operator-managed pods that call the API (both distributions' operator pods). */
export const API_CLIENT_COMPONENTS = [
    "piraeus-operator",
    "linstor-operator",
    CONTROLLER_COMPONENT,
    "linstor-csi-controller",
    "linstor-csi-node",
    "linstor-affinity-controller",
    "linstor-csi-nfs-server",
] as const;

/** spec of the policy that makes the controller default-deny for ingress except from its API clients (on HTTPS). */
export function controllerNetworkPolicySpec(): NetworkPolicySpec {
    return {
        podSelector: { matchLabels: { [COMPONENT_LABEL]: CONTROLLER_COMPONENT } },
        policyTypes: ["Ingress"],
        ingress: [
            {
                from: [
                    { podSelector: { matchExpressions: [{ key: COMPONENT_LABEL, operator: "In", values: [...API_CLIENT_COMPONENTS] }] } },
                    { podSelector: { matchLabels: { [API_CLIENT_LABEL.key]: API_CLIENT_LABEL.value } } },
                ],
                ports: [{ protocol: "TCP", port: LINSTOR_API_PORTS.https }],
            },
        ],
    };
}

/** spec of a policy admitting Prometheus pods of `monitoringNamespace` to the controller's metrics port (plain HTTP). */
export function controllerMetricsNetworkPolicySpec(monitoringNamespace: string): NetworkPolicySpec {
    return {
        podSelector: { matchLabels: { [COMPONENT_LABEL]: CONTROLLER_COMPONENT } },
        policyTypes: ["Ingress"],
        ingress: [
            {
                from: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": monitoringNamespace } },
                        // prometheus-operator labels every Prometheus pod it runs app.kubernetes.io/name=prometheus.
                        podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
                    },
                ],
                ports: [{ protocol: "TCP", port: LINSTOR_API_PORTS.http }],
            },
        ],
    };
}
