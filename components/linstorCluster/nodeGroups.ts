/**
 * LinstorCluster's storage nodes: the launch template, one managed node group per AZ and the resync gate Jobs that
 * hold a rollout between zones (resyncGate.ts has the Job itself). Each creates its resources under the component
 * (`parent`), so their URNs are the component's children.
 */
import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { al2023AmiParameter, blockDeviceMappings, DATA_DEVICE, METADATA_DEVICE, metadataOptions } from "./launchTemplate";
import { operatorChart, STORAGE_NODE_LABEL } from "./operator";
import { RESYNC_GATE_DEFAULTS, resyncGateCustomTimeouts, resyncGateJobSpec } from "./resyncGate";
import type { LinstorClusterSettings } from "./settings";
import { instanceArchitecture } from "./sizing";
import { buildNodeUserData } from "./userData";

/** What the storage node groups are built in and wait for. */
export interface StorageNodesContext {
    /** The component: parent of every resource. */
    readonly parent: pulumi.Resource;
    /** The cluster's Kubernetes provider (for the resync gate Jobs). */
    readonly provider: k8s.Provider;
    readonly cluster: eks.Cluster;
    readonly nodeRole: aws.iam.Role;
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly tags: Record<string, string>;
    /** What the first node group (every group, without a serial rollout) waits for. */
    readonly dependsOn: pulumi.Resource[];
    readonly linstorNamespace: k8s.core.v1.Namespace;
    /** Our Jobs' client certificate for LINSTOR's API (apiTls.ts): the gates mount it. */
    readonly apiClientSecret: k8s.core.v1.Secret;
}

/** One managed node group per AZ, so every zone always holds a replica-capable node. */
export function storageNodes(
    p: string,
    args: LinstorClusterSettings,
    ctx: StorageNodesContext,
): { groups: eks.ManagedNodeGroup[]; nodeAmiId: pulumi.Output<string> } {
    const { parent, cluster, tags, dependsOn } = ctx;
    const imageId =
        args.nodeAmiId !== undefined
            ? pulumi.output(args.nodeAmiId)
            : aws.ssm.getParameterOutput(
                  {
                      name: al2023AmiParameter(args.kubernetesVersion, instanceArchitecture(args.instanceType)),
                  },
                  { parent },
              ).value;
    const core = cluster.core.cluster;
    const userData = pulumi
        .all([core.name, core.endpoint, core.certificateAuthority.data, core.kubernetesNetworkConfig.serviceIpv4Cidr])
        .apply(([name, endpoint, ca, cidr]) =>
            Buffer.from(
                buildNodeUserData({
                    clusterName: name,
                    apiServerEndpoint: endpoint,
                    certificateAuthority: ca,
                    serviceCidr: cidr,
                    devices: [DATA_DEVICE, METADATA_DEVICE],
                    labels: [{ key: STORAGE_NODE_LABEL, value: "true" }],
                }),
            ).toString("base64"),
        );
    const template = new aws.ec2.LaunchTemplate(
        `${p}-storage-node`,
        {
            description: "EKS storage node for LINSTOR: data + DRBD metadata EBS volumes, kernel headers, IMDSv2",
            imageId,
            instanceType: args.instanceType,
            userData,
            blockDeviceMappings: blockDeviceMappings(args),
            metadataOptions: metadataOptions(args.imdsHopLimit),
            updateDefaultVersion: true,
            tagSpecifications: [
                { resourceType: "instance", tags },
                { resourceType: "volume", tags },
            ],
            tags,
        },
        { parent },
    );
    // Each group waits for the previous one — and, with the resync gate, for DRBD to have rebuilt every
    // replica after it — so a new launch template rolls out one AZ at a time and never takes a second
    // replica away while one is still resyncing. The surge node (maxSize = n + 1) joins before the old
    // one leaves, so evacuation has a target in the same zone.
    const groups: eks.ManagedNodeGroup[] = [];
    const previous = (i: number): pulumi.Resource[] => {
        if (i === 0 || !args.serialNodeGroupRollout) return dependsOn;
        if (!args.nodeRolloutResyncGate) return [groups[i - 1]];
        return [resyncGate(p, args, ctx, args.availabilityZones[i - 1], template, groups[i - 1])];
    };
    args.availabilityZones.forEach((az, i) => {
        groups.push(
            new eks.ManagedNodeGroup(
                `${p}-storage-${az}`,
                {
                    cluster,
                    // A prefix, not a fixed name: a replacement (new subnet, role, template) creates the new group
                    // before it deletes the old one, which a fixed name would refuse ("already exists").
                    nodeGroupNamePrefix: `${p}-storage-${az}-`,
                    nodeRole: ctx.nodeRole,
                    subnetIds: ctx.privateSubnetIds.apply((ids) => [ids[i]]),
                    scalingConfig: { minSize: args.nodesPerAz, desiredSize: args.nodesPerAz, maxSize: args.nodesPerAz + 1 },
                    launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
                    labels: { [STORAGE_NODE_LABEL]: "true" },
                    tags,
                },
                { parent, dependsOn: previous(i) },
            ),
        );
    });
    // A gate behind the last zone too: `pulumi up` ends only once every replica is back, so the next change
    // (another rollout, a lowered nodesPerAz) never starts on a degraded cluster.
    if (args.serialNodeGroupRollout && args.nodeRolloutResyncGate) {
        const last = args.availabilityZones.length - 1;
        resyncGate(p, args, ctx, args.availabilityZones[last], template, groups[last]);
    }
    return { groups, nodeAmiId: imageId };
}

/**
 * A Job, named after the launch-template version so every rollout runs a new one, that passes only
 * when all DRBD replicas are UpToDate again after `group` rolled (see resyncGate.ts).
 */
export function resyncGate(
    p: string,
    args: LinstorClusterSettings,
    ctx: Pick<StorageNodesContext, "parent" | "provider" | "linstorNamespace" | "apiClientSecret">,
    az: string,
    template: aws.ec2.LaunchTemplate,
    group: eks.ManagedNodeGroup,
): k8s.batch.v1.Job {
    const { linstorNamespace } = ctx;
    return new k8s.batch.v1.Job(
        `${p}-resync-gate-${az}`,
        {
            metadata: {
                // A new name re-runs the gate: every launch-template version (AMI, instance type, user data) and every
                // change of nodesPerAz, which removes or adds storage nodes in place without a new template.
                name: template.latestVersion.apply((v) => `resync-gate-${az}-v${v}-n${args.nodesPerAz}`),
                namespace: linstorNamespace.metadata.name,
                labels: { "app.kubernetes.io/component": "drbd-resync-gate" },
            },
            spec: resyncGateJobSpec({
                linstorNamespace: operatorChart(args.linstorDistribution).namespace,
                image: args.resyncGateImage,
                // The zone that just rolled must hold exactly nodesPerAz storage nodes in LINSTOR: a scale-in or a replacement
                // is over only once the old node is gone and the new one is in, not when EKS reports the group updated.
                zone: az,
                nodesPerZone: args.nodesPerAz,
                stableSeconds: RESYNC_GATE_DEFAULTS.stableSeconds,
                timeoutSeconds: args.resyncGateTimeoutSeconds,
                pollSeconds: RESYNC_GATE_DEFAULTS.pollSeconds,
            }),
        },
        {
            parent: ctx.parent,
            provider: ctx.provider,
            dependsOn: [group, linstorNamespace, ctx.apiClientSecret],
            // Pulumi's own Job wait is 10 minutes; the gate may run for resyncGateTimeoutSeconds.
            customTimeouts: resyncGateCustomTimeouts(args.resyncGateTimeoutSeconds),
        },
    );
}
