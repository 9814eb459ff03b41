/**
 * Rule: the EKS API endpoint is not open to the internet.
 *
 * pulumi-eks 4.3 (nodejs/eks/cluster/cluster.ts) passes `endpointPublicAccess`, `endpointPrivateAccess` and
 * `publicAccessCidrs` of `eks:index:Cluster` unchanged into `vpcConfig` of the `aws:eks/cluster:Cluster` it creates
 * (publicAccessCidrs only when given); `endpointPublicAccess` "Default is true". EKS then opens a public endpoint
 * without `publicAccessCidrs` to 0.0.0.0/0. So a mocked evaluation shows the component's inputs, a real preview
 * both those and the child's `vpcConfig` — the same facts in two shapes, each judged.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { type Props, strings } from "../props";
import { exposure } from "./cidr";
import { TYPES } from "./shared";

const FIX =
    "Name the networks that may reach the API in publicAccessCidrs (ha-jenkins-eks:apiPublicAccessCidrs), or reach it " +
    "privately (apiPrivateAccessCidrs / apiPrivateAccessSecurityGroupIds) with endpointPublicAccess false.";

export const eksEndpointRestricted: ResourceValidationPolicy = {
    name: "eks-endpoint-restricted",
    description:
        "The EKS API's public endpoint is off, or open only to listed CIDRs that together admit less than 1/16 of the public IPv4 and of the public IPv6 space (a public endpoint without CIDRs is open to 0.0.0.0/0).",
    validateResource: (args, report) => {
        let settings: Props;
        let keys: string;
        if (args.type === TYPES.eksCluster) {
            settings = args.props;
            keys = "endpointPublicAccess/publicAccessCidrs";
        } else if (args.type === TYPES.awsEksCluster) {
            settings = (args.props.vpcConfig ?? {}) as Props;
            keys = "vpcConfig.endpointPublicAccess/publicAccessCidrs";
        } else return;
        const publicAccess = settings.endpointPublicAccess;
        if (publicAccess === false) return;
        const state = publicAccess === undefined ? "is unset, which means public" : "is true";
        const cidrs = strings(settings.publicAccessCidrs);
        if (cidrs.length === 0) {
            report(
                `EKS cluster ${args.name}'s API endpoint is public (${keys}: the public access ${state}) without CIDRs, so EKS admits 0.0.0.0/0. ${FIX}`,
            );
            return;
        }
        const { open, invalid } = exposure(cidrs);
        if (open) report(`EKS cluster ${args.name}'s public API endpoint is open to the internet: ${open}. ${FIX}`);
        if (invalid.length > 0)
            report(
                `EKS cluster ${args.name}'s publicAccessCidrs has entries that are not CIDRs (${invalid.join(", ")}), so its exposure cannot be judged. ${FIX}`,
            );
    },
};
