/**
 * What LinstorCluster adds around the EKS cluster itself: the managed add-ons (addons.ts has what they are configured
 * with) and the way into a private API endpoint. Each creates its resources under the component (`parent`), so their
 * URNs are the component's children.
 */
import * as aws from "@pulumi/aws";
import type * as eks from "@pulumi/eks";
import type * as pulumi from "@pulumi/pulumi";
import { ADDONS, type AddonKey, coreDnsConfiguration, EBS_CSI_POLICY_ARN, EBS_CSI_SERVICE_ACCOUNT, podIdentityTrustPolicy } from "./addons";
import type { LinstorClusterSettings } from "./settings";

/** The add-on version to run: configured, else the one EKS marks default for the cluster's Kubernetes version. */
export function addonVersion(parent: pulumi.Resource, args: LinstorClusterSettings, addon: AddonKey): pulumi.Input<string> {
    const configured = args[`${addon}AddonVersion`];
    if (configured !== undefined) return configured;
    return aws.eks.getAddonVersionOutput({ addonName: ADDONS[addon], kubernetesVersion: args.kubernetesVersion, mostRecent: false }, { parent })
        .version;
}

/**
 * CoreDNS in every zone, and the EBS CSI driver (with the Pod Identity agent that hands it its role), once every
 * node group exists: a managed add-on whose pods cannot schedule stays DEGRADED and fails the create (addons.ts).
 */
export function managedAddons(
    parent: pulumi.Resource,
    p: string,
    args: LinstorClusterSettings,
    cluster: eks.Cluster,
    nodeGroups: pulumi.Resource[],
    tags: Record<string, string>,
): { ebsCsiDriver: pulumi.Resource } {
    const addon = (key: AddonKey, extra: Partial<aws.eks.AddonArgs> = {}, dependsOn: pulumi.Resource[] = []) =>
        new aws.eks.Addon(
            `${p}-${ADDONS[key]}`,
            {
                clusterName: cluster.eksCluster.name,
                addonName: ADDONS[key],
                addonVersion: addonVersion(parent, args, key),
                // Take over from the self-managed bootstrap objects, and keep our configuration on updates.
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                tags,
                ...extra,
            },
            { parent, dependsOn: [...nodeGroups, ...dependsOn] },
        );
    addon("coreDns", { configurationValues: JSON.stringify(coreDnsConfiguration(args.availabilityZones.length)) });
    const agent = addon("podIdentityAgent");
    const ebsRole = new aws.iam.Role(`${p}-ebs-csi`, { assumeRolePolicy: JSON.stringify(podIdentityTrustPolicy()), tags }, { parent });
    const ebsPolicy = new aws.iam.RolePolicyAttachment(`${p}-ebs-csi`, { role: ebsRole.name, policyArn: EBS_CSI_POLICY_ARN }, { parent });
    const ebsCsiDriver = addon(
        "ebsCsiDriver",
        {
            podIdentityAssociations: [{ roleArn: ebsRole.arn, serviceAccount: EBS_CSI_SERVICE_ACCOUNT.name }],
        },
        [agent, ebsPolicy],
    );
    return { ebsCsiDriver };
}

/**
 * Ingress on 443 to the cluster security group (attached to the control plane's ENIs) from the networks and
 * security groups the deployer named: the only way into a private endpoint, which otherwise admits only itself.
 */
export function privateApiAccess(parent: pulumi.Resource, p: string, args: LinstorClusterSettings, cluster: eks.Cluster): void {
    const rule = (suffix: string, source: { cidrIpv4: string } | { referencedSecurityGroupId: string }, description: string) =>
        new aws.vpc.SecurityGroupIngressRule(
            `${p}-api-from-${suffix}`,
            {
                securityGroupId: cluster.clusterSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                description,
                ...source,
            },
            { parent },
        );
    // Named after the source, so reordering the list replaces nothing.
    for (const cidr of args.apiPrivateAccessCidrs) rule(cidr.replace(/[./]/g, "-"), { cidrIpv4: cidr }, `Kubernetes API from ${cidr}`);
    for (const sg of args.apiPrivateAccessSecurityGroupIds) rule(sg, { referencedSecurityGroupId: sg }, `Kubernetes API from ${sg}`);
}
