import {
    EBS_VOLUME_TYPES, LINSTOR_CLUSTER_DEFAULTS as D, LINSTOR_DISTRIBUTIONS, LinstorClusterSettings, METADATA_VOLUME_TYPES,
    NAT_GATEWAY_STRATEGIES, SATELLITE_DELETION_POLICIES,
} from "../../components/linstorCluster/settings";
import { ConfigReader } from "./reader";

/** Cluster settings before the availability zones are resolved (they may come from an AWS lookup). */
export type ClusterConfig = Omit<LinstorClusterSettings, "availabilityZones" | "region" | "namePrefix"> & {
    /** Explicit AZs, or undefined to take the first `azCount` available ones of the region. */
    readonly availabilityZones?: readonly string[];
    readonly azCount: number;
};

export function readClusterConfig(r: ConfigReader): ClusterConfig {
    const azs = r.optionalStringList("availabilityZones");
    // An explicit list decides the count (validated as ≥3 distinct zones with the other cluster checks);
    // azCount only applies when zones are looked up (Pulumi.yaml's default for it is always present).
    const azCount = azs?.length ?? r.integer("azCount", D.azCount, { min: 3, max: 6 });
    return {
        availabilityZones: azs,
        azCount,
        nodesPerAz: r.integer("nodesPerAz", D.nodesPerAz, { min: 1, max: 20 }),
        nodeAmiId: r.optionalString("nodeAmiId"),
        instanceType: r.string("instanceType", D.instanceType, /^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "Use an EC2 instance type such as m6i.large."),
        instanceMemoryMiB: r.optionalInteger("instanceMemoryMiB", { min: 512 }),
        rootVolumeSizeGiB: r.integer("rootVolumeSizeGiB", D.rootVolumeSizeGiB, { min: 20, max: 16384 }),
        dataVolumeSizeGiB: r.integer("dataVolumeSizeGiB", D.dataVolumeSizeGiB),
        dataVolumeType: r.oneOf("dataVolumeType", EBS_VOLUME_TYPES, D.dataVolumeType),
        dataVolumeIops: r.integer("dataVolumeIops", D.dataVolumeIops),
        dataVolumeThroughputMiBps: r.integer("dataVolumeThroughputMiBps", D.dataVolumeThroughputMiBps),
        metadataVolumeSizeGiB: r.optionalInteger("metadataVolumeSizeGiB"),
        metadataVolumeType: r.oneOf("metadataVolumeType", METADATA_VOLUME_TYPES, D.metadataVolumeType),
        ebsKmsKeyArn: r.optionalString("ebsKmsKeyArn", /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/, "Use a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)."),
        maxVolumesPerNode: r.integer("maxVolumesPerNode", D.maxVolumesPerNode, { min: 1, max: 10000 }),
        drbdPeerSlots: r.integer("drbdPeerSlots", D.drbdPeerSlots),
        kubernetesVersion: r.string("kubernetesVersion", D.kubernetesVersion),
        vpcCidr: r.string("vpcCidr", D.vpcCidr),
        natGateways: r.oneOf("natGateways", NAT_GATEWAY_STRATEGIES, D.natGateways),
        vpcId: r.optionalString("vpcId", /^vpc-[0-9a-f]{8,17}$/, "Use a VPC ID such as vpc-0123456789abcdef0."),
        privateSubnetIds: r.optionalStringList("privateSubnetIds"),
        publicSubnetIds: r.optionalStringList("publicSubnetIds"),
        apiPublicAccessCidrs: r.stringList("apiPublicAccessCidrs", []),
        allowApiAccessFromAnywhere: r.boolean("allowApiAccessFromAnywhere", false),
        clusterAdminRoleArns: r.stringList("clusterAdminRoleArns", []).map((arn) => {
            if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(arn)) r.fail("clusterAdminRoleArns", arn, "Each entry must be an IAM role ARN.");
            return arn;
        }),
        imdsHopLimit: r.integer("imdsHopLimit", D.imdsHopLimit),
        linstorDistribution: r.oneOf("linstorDistribution", LINSTOR_DISTRIBUTIONS, D.linstorDistribution),
        piraeusOperatorChartVersion: r.string("piraeusOperatorChartVersion", D.piraeusOperatorChartVersion, SEMVER, SEMVER_HELP),
        linbitOperatorChartVersion: r.string("linbitOperatorChartVersion", D.linbitOperatorChartVersion, SEMVER, SEMVER_HELP),
        drbdIoUsername: r.optionalString("drbdIoUsername"),
        drbdIoPassword: r.secret("drbdIoPassword"),
        storageClassReplicas: r.integerList("storageClassReplicas", D.storageClassReplicas, { min: 1, max: 6 }),
        storageClassPrefix: r.string("storageClassPrefix", D.storageClassPrefix, /^[a-z]([a-z0-9-]{0,34}[a-z0-9])?$/,
            "Use at most 36 lowercase letters, digits or '-', starting with a letter (it names LINSTOR resource groups too)."),
        drbdDisableFlushes: r.boolean("drbdDisableFlushes", D.drbdDisableFlushes),
        drbdMaxBuffers: r.integer("drbdMaxBuffers", D.drbdMaxBuffers, { min: 32, max: 131072 }),
        satelliteDeletionPolicy: r.oneOf("satelliteDeletionPolicy", SATELLITE_DELETION_POLICIES, D.satelliteDeletionPolicy),
        haControllerFailOverTimeoutSeconds: r.integer("haControllerFailOverTimeoutSeconds", D.haControllerFailOverTimeoutSeconds),
        haControllerDrbdStatusIntervalSeconds: r.integer("haControllerDrbdStatusIntervalSeconds", D.haControllerDrbdStatusIntervalSeconds),
        protectStatefulResources: r.boolean("protectStatefulResources", D.protectStatefulResources),
        serialNodeGroupRollout: r.boolean("serialNodeGroupRollout", D.serialNodeGroupRollout),
        nodeRolloutResyncGate: r.boolean("nodeRolloutResyncGate", D.nodeRolloutResyncGate),
        resyncGateImage: r.string("resyncGateImage", D.resyncGateImage),
        resyncGateTimeoutSeconds: r.integer("resyncGateTimeoutSeconds", D.resyncGateTimeoutSeconds),
        linstorControllerTolerationSeconds: r.integer("linstorControllerTolerationSeconds", D.linstorControllerTolerationSeconds),
        tags: r.stringMap("tags"),
    };
}

/** Pinned, exact chart versions: no ranges, no "latest". */
export const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
export const SEMVER_HELP = "Pin an exact chart version such as 2.10.7 (no ranges, no 'latest').";
