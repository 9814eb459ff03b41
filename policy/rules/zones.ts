/**
 * Rule: three availability zones, counted from what the stack registers — never from how many subnets it uses.
 *
 * Zones are counted where nodes run: a group whose minimum or desired size is 0 proves no zone, and a group
 * spanning more zones than it keeps nodes proves only as many zones as it has nodes, not which (so it adds nothing
 * to the other groups' zones). A node group's zones are the zones of its subnets, as the stack's `aws:ec2/subnet:Subnet` resources (awsx's VPC
 * children, the program's own subnets, or subnets it reads with `aws.ec2.Subnet.get`) state them; a launch template
 * pinning `placement.availabilityZone` overrides them; an autoscaling group may name its zones itself. A subnet
 * whose zone the stack does not show (an existing subnet ID) proves nothing. pulumi-eks gives a node group
 * without `subnetIds`/`nodeSubnetIds` the cluster's subnets (pulumi-eks 4.3 nodes/nodegroup.ts).
 *
 * During a preview, the IDs of subnets about to be created, and so the node groups' subnet lists, are unknown: the
 * rule then reports what it knows and, if the known zones fall short, gives up with CrossGuard's advisory
 * "can't run during preview"; the stack rule runs again at the end of `pulumi up`, where falling short is mandatory.
 * Failing every first preview instead would block every new stack.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { cannotJudgeYet, configValue, isString, isUnknown, type Props, snapshot, strings } from "../props";
import { isPlainObject } from "./helmValues";
import { list, ofTypes, TYPES } from "./shared";

interface Evidence {
    /** Zones where a node is certain to run. */
    readonly zones: Set<string>;
    /** Groups spanning more zones than they have nodes: nodes in that many zones, which ones unknown. */
    readonly floating: { readonly group: string; readonly nodes: number }[];
    /** Groups that may run no node at all. */
    readonly empty: string[];
    /** Subnet IDs whose zone the stack does not show. */
    readonly unproven: Set<string>;
    /** What a preview does not know yet. */
    readonly pending: string[];
}

/** Subnet ID → zone, from every subnet the stack registers or reads. */
function subnetZones(resources: PolicyResource[], pending: string[]): Map<string, string> {
    const zones = new Map<string, string>();
    for (const subnet of ofTypes(resources, TYPES.subnet)) {
        const id = snapshot(() => subnet.props.id);
        // A subnet created without a zone gets one from AWS: unknown until it exists.
        const zone = snapshot(() => subnet.props.availabilityZone ?? subnet.props.availabilityZoneId);
        if (isUnknown(id) || isUnknown(zone)) pending.push(`subnet ${subnet.name}`);
        else if (isString(id) && isString(zone)) zones.set(id, zone);
    }
    return zones;
}

const childOf = (resources: PolicyResource[], parent: PolicyResource, types: readonly string[]) =>
    resources.some((r) => types.includes(r.type) && r.parent?.urn === parent.urn);

/** The subnets a pulumi-eks node group without its own list falls back to: the cluster's. */
function clusterSubnets(resources: PolicyResource[]): unknown {
    for (const c of ofTypes(resources, TYPES.eksCluster)) {
        const own = snapshot(() => c.props.subnetIds);
        if (own !== undefined) return own;
        const priv = snapshot(() => c.props.privateSubnetIds);
        const pub = snapshot(() => c.props.publicSubnetIds);
        if (isUnknown(priv) || isUnknown(pub)) return priv;
        if (priv !== undefined || pub !== undefined) return [...strings(pub), ...strings(priv)];
    }
    for (const c of ofTypes(resources, TYPES.awsEksCluster)) return snapshot(() => c.props.vpcConfig?.subnetIds);
    return undefined;
}

/** The zone a launch template pins its instances to, if it does. */
function pinnedZone(group: PolicyResource, resources: PolicyResource[]): string | undefined {
    const ref = snapshot(() => group.props.launchTemplate);
    const id = isPlainObject(ref) ? ref.id : undefined;
    if (!isString(id)) return undefined;
    const template = ofTypes(resources, TYPES.launchTemplate).find((t) => snapshot(() => t.props.id) === id);
    const zone = template ? snapshot(() => template.props.placement?.availabilityZone) : undefined;
    return isString(zone) ? zone : undefined;
}

/**
 * The fewest nodes a group keeps: its minimum and desired size, whichever is lower (the autoscaler may go down to the
 * minimum). pulumi-eks fills in minSize 1 / desired 2 for its components (4.3 nodes/nodegroup.ts: 970-973, 2101-2105);
 * the AWS resources require their sizes, so one missing there proves no node.
 */
function fewestNodes(group: PolicyResource): number | typeof UNKNOWN_SIZE {
    const props = group.props as Props;
    const managed = group.type === TYPES.managedNodeGroup || group.type === TYPES.awsNodeGroup;
    const sizes = managed
        ? [snapshot(() => props.scalingConfig?.minSize), snapshot(() => props.scalingConfig?.desiredSize)]
        : [snapshot(() => props.minSize), snapshot(() => props.desiredCapacity)];
    if (sizes.some(isUnknown) || isUnknown(snapshot(() => props.scalingConfig))) return UNKNOWN_SIZE;
    const pulumiEks = group.type === TYPES.managedNodeGroup || TYPES.selfManagedNodeGroups.includes(group.type as never);
    const [min, desired] = sizes.map((v) => (v === undefined || v === null ? undefined : Number(v)));
    const known = [min ?? (pulumiEks ? 1 : 0), desired].filter((v): v is number => v !== undefined);
    return Math.min(...known.map((v) => (Number.isFinite(v) ? v : 0)));
}
const UNKNOWN_SIZE = Symbol("size unknown");

function groupEvidence(group: PolicyResource, resources: PolicyResource[], subnets: Map<string, string>, into: Evidence): void {
    const nodes = fewestNodes(group);
    if (nodes === UNKNOWN_SIZE) {
        into.pending.push(`the size of node group ${group.name}`);
        return;
    }
    if (nodes < 1) {
        into.empty.push(group.name);
        return;
    }
    const zones = new Set<string>();
    const pinned = pinnedZone(group, resources);
    if (pinned) {
        into.zones.add(pinned);
        return;
    }
    const props = group.props as Props;
    let ids: unknown;
    if (group.type === TYPES.autoScalingGroup) {
        const azs = snapshot(() => props.availabilityZones);
        if (isUnknown(azs)) into.pending.push(`autoscaling group ${group.name}`);
        for (const z of strings(azs)) zones.add(z);
        ids = snapshot(() => props.vpcZoneIdentifiers);
    } else {
        const key = TYPES.selfManagedNodeGroups.includes(group.type as never) ? "nodeSubnetIds" : "subnetIds";
        ids = snapshot(() => props[key]);
        if (ids === undefined && group.type !== TYPES.awsNodeGroup) ids = clusterSubnets(resources);
    }
    if (isUnknown(ids) || (Array.isArray(ids) && ids.some(isUnknown))) {
        into.pending.push(`the subnets of node group ${group.name}`);
        return;
    }
    for (const id of strings(ids)) {
        const zone = subnets.get(id);
        if (zone) zones.add(zone);
        else into.unproven.add(id);
    }
    // An autoscaling group spreads its instances evenly over its zones, so it reaches each only with a node per zone.
    if (nodes >= zones.size) for (const z of zones) into.zones.add(z);
    else into.floating.push({ group: group.name, nodes });
}

/** Distinct zones certain to hold a node: the attributed ones, or a group whose nodes float over more zones, whichever is more. */
const provenZoneCount = (e: Evidence) => Math.max(e.zones.size, ...e.floating.map((f) => f.nodes));

export const nodesSpanZones: StackValidationPolicy = {
    name: "eks-nodes-span-three-azs",
    description:
        "The EKS node groups keep nodes in at least three distinct availability zones, proven from the zones of the subnets the stack registers (not from how many subnets it uses) and the groups' minimum and desired sizes.",
    configSchema: {
        properties: {
            minAvailabilityZones: { type: "integer", minimum: 2, default: 3, description: "Fewest distinct AZs allowed." },
        },
    },
    validateStack: (args, report) => {
        const min = configValue(args.getConfig<Record<string, unknown>>(), "minAvailabilityZones", 3);
        const { resources } = args;
        const clusters = ofTypes(resources, TYPES.eksCluster, TYPES.awsEksCluster);
        // A real preview shows a pulumi-eks group's aws:eks/nodeGroup:NodeGroup or autoscaling group: judge that, not the component.
        const groups = [
            ...ofTypes(resources, TYPES.managedNodeGroup).filter((g) => !childOf(resources, g, [TYPES.awsNodeGroup])),
            ...ofTypes(resources, ...TYPES.selfManagedNodeGroups).filter((g) => !childOf(resources, g, [TYPES.autoScalingGroup])),
            ...ofTypes(resources, TYPES.awsNodeGroup, TYPES.autoScalingGroup),
        ];
        if (clusters.length === 0 && groups.length === 0) args.notApplicable("This stack has no EKS cluster.");
        const fix =
            `List at least ${min} zones of the region in ha-jenkins-eks:availabilityZones (or set azCount ≥ ${min}), ` +
            "one node group per zone: DRBD quorum and the HA Controller need a third zone to break ties.";
        const anchor = (clusters[0] ?? groups[0]).urn;
        const nodes: Evidence = { zones: new Set(), floating: [], empty: [], unproven: new Set(), pending: [] };
        const subnets = subnetZones(resources, nodes.pending);

        // The VPC alone: the zones the stack builds subnets in.
        const vpcZones = new Set(subnets.values());
        for (const vpc of ofTypes(resources, TYPES.vpc)) for (const z of strings(snapshot(() => vpc.props.availabilityZoneNames))) vpcZones.add(z);
        if (vpcZones.size > 0 && vpcZones.size < min) {
            report(`The VPC's subnets span ${vpcZones.size} availability zone(s) (${list(vpcZones)}), fewer than ${min}. ${fix}`, anchor);
        }
        if (groups.length === 0) {
            report(`The EKS cluster has no node groups, so no storage node runs in any zone. ${fix}`, anchor);
            return;
        }
        for (const group of groups) groupEvidence(group, resources, subnets, nodes);
        const count = provenZoneCount(nodes);
        if (count >= min) return;
        const unproven =
            (nodes.unproven.size > 0
                ? ` The zone of ${list(nodes.unproven)} is not shown by this stack, so it proves nothing: create the subnets in this ` +
                  "program, or read them with aws.ec2.Subnet.get so their availabilityZone is part of the stack."
                : "") +
            (nodes.empty.length > 0
                ? ` Node group(s) ${list(nodes.empty)} may run no node (minimum or desired size 0), so their zones do not count.`
                : "") +
            (nodes.floating.length > 0
                ? ` ${nodes.floating.map((f) => `${f.group} keeps ${f.nodes} node(s) over more zones than that`).join("; ")}: ` +
                  "which zones they land in is not known, so give each zone its own node group of at least one node."
                : "");
        if (nodes.pending.length > 0) {
            cannotJudgeYet(
                `the node groups run in ${count} proven availability zone(s) (${list(nodes.zones)}) so far; ` +
                    `${nodes.pending.join(", ")} not known yet — judged again at the end of pulumi up, where fewer than ${min} zones fails.${unproven}`,
            );
        }
        report(`The node groups run in ${count} proven availability zone(s) (${list(nodes.zones)}), fewer than ${min}.${unproven} ${fix}`, anchor);
    },
};
