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
import { SATELLITE_PORTS } from "./internalTls";

type NetworkPolicySpec = types.input.networking.v1.NetworkPolicySpec;

export const COMPONENT_LABEL = "app.kubernetes.io/component";
export const CONTROLLER_COMPONENT = "linstor-controller";
export const SATELLITE_COMPONENT = "linstor-satellite";

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

/** The Prometheus pods of `monitoringNamespace`. */
function prometheusPeer(monitoringNamespace: string) {
    return {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": monitoringNamespace } },
        // prometheus-operator labels every Prometheus pod it runs app.kubernetes.io/name=prometheus.
        podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
    };
}

/** spec of a policy admitting Prometheus pods of `monitoringNamespace` to the controller's metrics port (plain HTTP). */
export function controllerMetricsNetworkPolicySpec(monitoringNamespace: string): NetworkPolicySpec {
    return {
        podSelector: { matchLabels: { [COMPONENT_LABEL]: CONTROLLER_COMPONENT } },
        policyTypes: ["Ingress"],
        ingress: [
            {
                from: [prometheusPeer(monitoringNamespace)],
                ports: [{ protocol: "TCP", port: LINSTOR_API_PORTS.http }],
            },
        ],
    };
}

/**
 * DRBD's replication ports: LINSTOR's `TcpPortAutoRange` default (linstor-server v1.33.3; the program sets no other).
 * `endPort` is GA since Kubernetes 1.25 and carried by the VPC CNI's PolicyEndpoints ports.
 */
export const DRBD_PORTS = { first: 7000, last: 7999 } as const;

/** drbd-reactor's Prometheus port on each satellite (piraeus-operator pkg/resources/satellite/satellite/daemonset.yaml). */
export const SATELLITE_METRICS_PORT = 9942;

/**
 * The satellites admit only the controller on the satellite protocol and only other satellites on DRBD's ports; so a
 * build pod can neither pose as the controller nor speak DRBD to a replica. Satellites run on the pod network (the
 * operator's DaemonSet sets no hostNetwork; docs/how-to/drbd-host-networking.md is the opt-in this program does not
 * take), so the policy applies to them. Kubelet probes come from the node's address, always admitted by the VPC CNI.
 */
export function satelliteNetworkPolicySpec(): NetworkPolicySpec {
    const satellites = { podSelector: { matchLabels: { [COMPONENT_LABEL]: SATELLITE_COMPONENT } } };
    return {
        podSelector: satellites.podSelector,
        policyTypes: ["Ingress"],
        ingress: [
            {
                // Plain 3366 too: while satellites roll onto TLS the controller still reaches the ones not yet restarted.
                from: [{ podSelector: { matchLabels: { [COMPONENT_LABEL]: CONTROLLER_COMPONENT } } }],
                ports: [
                    { protocol: "TCP", port: SATELLITE_PORTS.plain },
                    { protocol: "TCP", port: SATELLITE_PORTS.ssl },
                ],
            },
            { from: [satellites], ports: [{ protocol: "TCP", port: DRBD_PORTS.first, endPort: DRBD_PORTS.last }] },
        ],
    };
}

/** spec of a policy admitting Prometheus pods of `monitoringNamespace` to drbd-reactor's metrics on the satellites. */
export function satelliteMetricsNetworkPolicySpec(monitoringNamespace: string): NetworkPolicySpec {
    return {
        podSelector: { matchLabels: { [COMPONENT_LABEL]: SATELLITE_COMPONENT } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [prometheusPeer(monitoringNamespace)], ports: [{ protocol: "TCP", port: SATELLITE_METRICS_PORT }] }],
    };
}
