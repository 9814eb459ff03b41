/** Rules: three availability zones. */
import type { StackValidationPolicy } from "@pulumi/policy";
import { configValue, isString, known, strings } from "../props";
import { list, ofTypes, TYPES } from "./shared";

/**
 * Subnets (awsx VPC inputs, or real `aws:ec2/subnet:Subnet`s) and managed node groups span ≥ N AZs. A node group's
 * subnet counts as its AZ when the subnet is in the stack; otherwise (an existing VPC, or a mocked evaluation) each
 * distinct subnet counts as one zone — the program requires one private subnet per configured AZ.
 */
export const nodesSpanZones: StackValidationPolicy = {
    name: "eks-nodes-span-three-azs",
    description: "The VPC subnets and the EKS managed node groups span at least three distinct availability zones.",
    configSchema: {
        properties: {
            minAvailabilityZones: { type: "integer", minimum: 2, default: 3, description: "Fewest distinct AZs allowed." },
        },
    },
    validateStack: (args, report) => {
        const min = configValue(args.getConfig<Record<string, unknown>>(), "minAvailabilityZones", 3);
        const clusters = ofTypes(args.resources, TYPES.eksCluster, TYPES.awsEksCluster);
        const groups = ofTypes(args.resources, TYPES.managedNodeGroup, TYPES.awsNodeGroup);
        if (clusters.length === 0 && groups.length === 0) args.notApplicable("This stack has no EKS cluster.");
        const vpcZones = new Set<string>();
        const subnetZone = new Map<string, string>();
        for (const vpc of ofTypes(args.resources, TYPES.vpc))
            strings(known(() => vpc.props.availabilityZoneNames)).forEach((z) => {
                vpcZones.add(z);
            });
        for (const subnet of ofTypes(args.resources, TYPES.subnet)) {
            const zone = known(() => subnet.props.availabilityZone) ?? known(() => subnet.props.availabilityZoneId);
            if (!isString(zone)) continue;
            vpcZones.add(zone);
            const id = known(() => subnet.props.id);
            if (isString(id)) subnetZone.set(id, zone);
        }
        const fix =
            `List at least ${min} zones of the region in ha-jenkins-eks:availabilityZones (or set azCount ≥ ${min}), ` +
            "one managed node group per zone: DRBD quorum and the HA Controller need a third zone to break ties.";
        const anchor = (clusters[0] ?? groups[0]).urn;
        if (vpcZones.size > 0 && vpcZones.size < min) {
            report(`The VPC's subnets span ${vpcZones.size} availability zone(s) (${list(vpcZones)}), fewer than ${min}. ${fix}`, anchor);
        }
        if (clusters.length > 0 && groups.length === 0) {
            report(`The EKS cluster has no managed node groups, so no storage node runs in any zone. ${fix}`, anchor);
            return;
        }
        const covered = new Set<string>();
        let judged = 0;
        for (const group of groups) {
            // Unknown until the VPC exists, and absent from the outputs of the pulumi-eks component itself
            // (its aws:eks/nodeGroup:NodeGroup child carries them); such groups are judged when known.
            const ids = known(() => group.props.subnetIds);
            if (!Array.isArray(ids)) continue;
            judged++;
            for (const id of strings(ids)) covered.add(subnetZone.get(id) ?? `subnet ${id}`);
        }
        if (judged > 0 && covered.size < min) {
            report(`The managed node groups run in ${covered.size} availability zone(s) (${list(covered)}), fewer than ${min}. ${fix}`, anchor);
        }
    },
};
