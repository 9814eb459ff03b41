import {
    LINSTOR_CLUSTER_DEFAULTS as D,
    type EbsVolumeType,
    type LinstorClusterSettings,
    type LinstorDistribution,
    type NatGatewayStrategy,
    type SatelliteDeletionPolicy,
} from "../../components/linstorCluster/settings";
import type { ConfigReader } from "./reader";

/** Cluster settings before the availability zones are resolved (they may come from an AWS lookup). */
export type ClusterConfig = Omit<
    LinstorClusterSettings,
    "availabilityZones" | "region" | "namePrefix" | "dataVolumeIops" | "dataVolumeThroughputMiBps"
> & {
    /** Unset unless configured (LinstorCluster fills the gp3 baseline and refuses them where the type ignores them). */
    readonly dataVolumeIops?: number;
    readonly dataVolumeThroughputMiBps?: number;
    /** Explicit AZs, or undefined to take the first `azCount` available ones of the region. */
    readonly availabilityZones?: readonly string[];
    readonly azCount: number;
};

/** Reads the LinstorCluster keys (types only: LinstorCluster validates every value). */
export function readClusterConfig(r: ConfigReader): ClusterConfig {
    const azs = r.optionalStringList("availabilityZones");
    // An explicit list decides the count (validated as ≥3 distinct zones with the other cluster checks); azCount only
    // applies when zones are looked up, and setting both is refused (contradictions.ts).
    const lookedUp = r.integer("azCount", D.azCount);
    const azCount = azs?.length ?? lookedUp;
    return {
        availabilityZones: azs,
        azCount,
        nodesPerAz: r.integer("nodesPerAz", D.nodesPerAz),
        nodeAmiId: r.optionalString("nodeAmiId"),
        instanceType: r.string("instanceType", D.instanceType),
        instanceMemoryMiB: r.optionalInteger("instanceMemoryMiB"),
        rootVolumeSizeGiB: r.integer("rootVolumeSizeGiB", D.rootVolumeSizeGiB),
        dataVolumeSizeGiB: r.integer("dataVolumeSizeGiB", D.dataVolumeSizeGiB),
        dataVolumeType: r.choice<EbsVolumeType>("dataVolumeType", D.dataVolumeType),
        // Unset unless configured: LinstorCluster fills the gp3 baseline, and refuses them on a type that ignores them.
        dataVolumeIops: r.optionalInteger("dataVolumeIops"),
        dataVolumeThroughputMiBps: r.optionalInteger("dataVolumeThroughputMiBps"),
        metadataVolumeSizeGiB: r.optionalInteger("metadataVolumeSizeGiB"),
        metadataVolumeType: r.choice<EbsVolumeType>("metadataVolumeType", D.metadataVolumeType),
        ebsKmsKeyArn: r.optionalString("ebsKmsKeyArn"),
        maxVolumesPerNode: r.integer("maxVolumesPerNode", D.maxVolumesPerNode),
        drbdPeerSlots: r.integer("drbdPeerSlots", D.drbdPeerSlots),
        kubernetesVersion: r.string("kubernetesVersion", D.kubernetesVersion),
        vpcCidr: r.string("vpcCidr", D.vpcCidr),
        natGateways: r.choice<NatGatewayStrategy>("natGateways", D.natGateways),
        vpcId: r.optionalString("vpcId"),
        privateSubnetIds: r.optionalStringList("privateSubnetIds"),
        publicSubnetIds: r.optionalStringList("publicSubnetIds"),
        apiPublicAccessCidrs: r.stringList("apiPublicAccessCidrs", []),
        coreDnsAddonVersion: r.optionalString("coreDnsAddonVersion"),
        kubeProxyAddonVersion: r.optionalString("kubeProxyAddonVersion"),
        vpcCniAddonVersion: r.optionalString("vpcCniAddonVersion"),
        podIdentityAgentAddonVersion: r.optionalString("podIdentityAgentAddonVersion"),
        ebsCsiDriverAddonVersion: r.optionalString("ebsCsiDriverAddonVersion"),
        apiPrivateAccessCidrs: r.stringList("apiPrivateAccessCidrs", []),
        apiPrivateAccessSecurityGroupIds: r.stringList("apiPrivateAccessSecurityGroupIds", []),
        allowApiAccessFromAnywhere: r.boolean("allowApiAccessFromAnywhere", false),
        clusterAdminRoleArns: r.stringList("clusterAdminRoleArns", []),
        imdsHopLimit: r.integer("imdsHopLimit", D.imdsHopLimit),
        linstorDistribution: r.choice<LinstorDistribution>("linstorDistribution", D.linstorDistribution),
        piraeusOperatorChartVersion: r.string("piraeusOperatorChartVersion", D.piraeusOperatorChartVersion),
        linbitOperatorChartVersion: r.string("linbitOperatorChartVersion", D.linbitOperatorChartVersion),
        drbdIoUsername: r.optionalString("drbdIoUsername"),
        drbdIoPassword: r.secret("drbdIoPassword"),
        storageClassReplicas: r.integerList("storageClassReplicas", D.storageClassReplicas),
        storageClassPrefix: r.string("storageClassPrefix", D.storageClassPrefix),
        drbdDisableFlushes: r.boolean("drbdDisableFlushes", D.drbdDisableFlushes),
        drbdMaxBuffers: r.integer("drbdMaxBuffers", D.drbdMaxBuffers),
        satelliteDeletionPolicy: r.choice<SatelliteDeletionPolicy>("satelliteDeletionPolicy", D.satelliteDeletionPolicy),
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
