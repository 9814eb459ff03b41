/**
 * The EKS managed add-ons of the cluster and what they are configured with. Pure builders; the component wires them.
 *
 * CoreDNS: with `skipDefaultNodeGroup` and no CoreDNS add-on, pulumi-eks leaves the self-managed bootstrap Deployment
 * (pulumi/pulumi-eks v4.3.0 nodejs/eks/cluster/cluster.ts): both replicas land on the first node of the first zone
 * (the node groups come up one AZ at a time) and are never upgraded. linstor-csi reaches the LINSTOR controller by
 * its Service name, so losing that zone would stall attaches. The managed add-on replaces it (OVERWRITE) once every
 * node group exists: created earlier it would wait in DEGRADED for nodes (the provider's create waits up to 20 min).
 */

/** Add-on names as EKS knows them. */
export const ADDONS = {
    coreDns: "coredns",
    kubeProxy: "kube-proxy",
    vpcCni: "vpc-cni",
    podIdentityAgent: "eks-pod-identity-agent",
    ebsCsiDriver: "aws-ebs-csi-driver",
} as const;
export type AddonKey = keyof typeof ADDONS;

/** The EBS CSI controller's ServiceAccount, which its Pod Identity association names (aws-ebs-csi-driver add-on). */
export const EBS_CSI_SERVICE_ACCOUNT = { namespace: "kube-system", name: "ebs-csi-controller-sa" };
export const EBS_CSI_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy";

/**
 * The plain EBS gp3 class (not default; Retain like every class here): the storage benchmark's baseline, and a
 * non-replicated single-AZ volume for what does not need DRBD. EKS creates no gp3 class of its own.
 */
export const EBS_GP3_CLASS = "gp3";
export function ebsGp3Parameters(kmsKeyArn: string | undefined): Record<string, string> {
    return { type: "gp3", encrypted: "true", ...(kmsKeyArn !== undefined ? { kmsKeyId: kmsKeyArn } : {}) };
}

/** Trust policy of a role that EKS Pod Identity hands to a ServiceAccount (AWS EKS Pod Identity docs). */
export function podIdentityTrustPolicy(): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
    };
}

/**
 * CoreDNS spread one replica per zone, never more than one unavailable at a time: an AZ outage leaves the other
 * zones' replicas answering. Keys from the add-on's configuration schema (replicaCount, topologySpreadConstraints,
 * podDisruptionBudget; `aws eks describe-addon-configuration --addon-name coredns`).
 */
export function coreDnsConfiguration(zoneCount: number): Record<string, unknown> {
    return {
        replicaCount: zoneCount,
        topologySpreadConstraints: [
            {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "DoNotSchedule",
                labelSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
        ],
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    };
}
