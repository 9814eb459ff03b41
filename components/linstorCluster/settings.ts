import type * as pulumi from "@pulumi/pulumi";
import { isIpv4Cidr, isOpenToWorld } from "../shared/validation";
import { storageClassSpec } from "./storageClasses";
import { ConfigError } from "../shared/errors";
import {
    LINSTOR_DEFAULT_PEER_SLOTS,
    defaultMetadataVolumeGiB,
    externalMetadataMiB,
    instanceMemoryMiB,
    requiredNodeMemoryMiB,
} from "./sizing";

export const LINSTOR_DISTRIBUTIONS = ["piraeus", "linbit"] as const;
export type LinstorDistribution = (typeof LINSTOR_DISTRIBUTIONS)[number];
export const SATELLITE_DELETION_POLICIES = ["Evacuate", "Retain", "Delete"] as const;
export type SatelliteDeletionPolicy = (typeof SATELLITE_DELETION_POLICIES)[number];
export const NAT_GATEWAY_STRATEGIES = ["OnePerAz", "Single"] as const;
export type NatGatewayStrategy = (typeof NAT_GATEWAY_STRATEGIES)[number];

/** EBS limits per volume type (size GiB, provisioned IOPS, gp3 throughput MiB/s). */
export const EBS_LIMITS = {
    gp3: { minGiB: 1, maxGiB: 65536, iops: [3000, 80000], iopsPerGiB: 500, throughput: [125, 2000] },
    gp2: { minGiB: 1, maxGiB: 16384 },
    io1: { minGiB: 4, maxGiB: 16384, iops: [100, 64000], iopsPerGiB: 50 },
    io2: { minGiB: 4, maxGiB: 65536, iops: [100, 256000], iopsPerGiB: 1000 },
} as const;
export type EbsVolumeType = keyof typeof EBS_LIMITS;
/** Types the metadata volume may use: no provisioned IOPS to configure. */
export const METADATA_VOLUME_TYPES: readonly EbsVolumeType[] = ["gp3", "gp2"];
/** LINSTOR object names (LINBIT/linstor-server: ResourceGroupName MAX_LENGTH 48, Checks.nameCheck). */
const LINSTOR_NAME = /^[A-Za-z_][A-Za-z0-9_-]{1,47}$/;
export const EBS_VOLUME_TYPES = Object.keys(EBS_LIMITS) as EbsVolumeType[];

/** Plain, fully-resolved settings of a LinstorCluster (config keys of the stack use the same names). */
export interface LinstorClusterSettings {
    /** Prefix of every resource name; keeps stacks from colliding. */
    readonly namePrefix: string;
    /** AWS region of the cluster. */
    readonly region: string;
    /** The availability zones to span, at least 3 distinct ones in `region`. */
    readonly availabilityZones: readonly string[];
    /** Storage nodes per AZ (one managed node group per AZ). Default 1. */
    readonly nodesPerAz: number;
    /**
     * AMI of the storage nodes. Default: the recommended EKS AL2023 AMI of `kubernetesVersion` (SSM), which the
     * stacks then keep until `kubernetesVersion` changes, so a new AWS release never rolls the nodes by itself.
     */
    readonly nodeAmiId?: string;
    /** EC2 instance type of storage nodes. Default m6i.large. */
    readonly instanceType: string;
    /** Memory of `instanceType` in MiB, only needed when it cannot be derived from the type name. */
    readonly instanceMemoryMiB?: number;
    /** Root volume of each node. Default 50 GiB. */
    readonly rootVolumeSizeGiB: number;
    /** EBS volume backing the LINSTOR data pool. Defaults: 100 GiB gp3, 3000 IOPS, 125 MiB/s. */
    readonly dataVolumeSizeGiB: number;
    readonly dataVolumeType: EbsVolumeType;
    readonly dataVolumeIops?: number;
    readonly dataVolumeThroughputMiBps?: number;
    /** EBS volume backing external DRBD metadata. Default: derived from data size and peer slots. */
    readonly metadataVolumeSizeGiB?: number;
    readonly metadataVolumeType: EbsVolumeType;
    /** KMS key for the node EBS volumes; default the account's EBS key (still encrypted). */
    readonly ebsKmsKeyArn?: string;
    /** Upper bound of DRBD volumes per node, for per-volume metadata overhead. Default 100. */
    readonly maxVolumesPerNode: number;
    /** Bitmap slots LINSTOR reserves per new resource (`PeerSlotsNewResource`). Default 7. */
    readonly drbdPeerSlots: number;
    /** Kubernetes minor version, e.g. "1.35". */
    readonly kubernetesVersion: string;
    /** New VPC CIDR (ignored with `vpcId`). Default 10.0.0.0/16. */
    readonly vpcCidr: string;
    /** NAT gateways of a new VPC. Default OnePerAz, so an AZ outage does not cut egress. */
    readonly natGateways: NatGatewayStrategy;
    /** Use an existing VPC instead: its ID, and one private subnet per AZ in `availabilityZones` order. */
    readonly vpcId?: string;
    readonly privateSubnetIds?: readonly string[];
    readonly publicSubnetIds?: readonly string[];
    /** CIDRs allowed to reach the public API endpoint; empty (default) means a private endpoint only. */
    readonly apiPublicAccessCidrs: readonly string[];
    /** Allow `0.0.0.0/0` in `apiPublicAccessCidrs`. Default false. */
    readonly allowApiAccessFromAnywhere: boolean;
    /** IAM role ARNs granted cluster-admin through EKS access entries. */
    readonly clusterAdminRoleArns: readonly string[];
    /** IMDSv2 hop limit: 1 keeps pods off the node's instance credentials. Default 1. */
    readonly imdsHopLimit: number;
    readonly linstorDistribution: LinstorDistribution;
    readonly piraeusOperatorChartVersion: string;
    readonly linbitOperatorChartVersion: string;
    /** drbd.io registry login, required for the LINBIT distribution. */
    readonly drbdIoUsername?: string;
    /** drbd.io registry password (a Pulumi secret), required for the LINBIT distribution. */
    readonly drbdIoPassword?: pulumi.Input<string>;
    /** Replica counts to offer as StorageClasses `<prefix>-r<n>`. Default [1, 2, 3]. */
    readonly storageClassReplicas: readonly number[];
    readonly storageClassPrefix: string;
    readonly drbdDisableFlushes: boolean;
    readonly drbdMaxBuffers: number;
    /** What the operator does with a satellite whose node disappears. Default Evacuate. */
    readonly satelliteDeletionPolicy: SatelliteDeletionPolicy;
    /** Seconds a DRBD resource may lack quorum before the HA Controller moves its pods. Default 5 (upstream). */
    readonly haControllerFailOverTimeoutSeconds: number;
    /** Seconds between the HA Controller's DRBD status polls. Default 5 (upstream). */
    readonly haControllerDrbdStatusIntervalSeconds: number;
    /**
     * Node groups depend on each other so a rollout replaces one AZ at a time (quorum holds); this also
     * makes their first creation sequential. A DR stack may create them in parallel (false) and switch
     * back to true once live: dependsOn changes never replace anything. Default true.
     */
    readonly serialNodeGroupRollout: boolean;
    /** With a serial rollout, hold each next AZ until every DRBD replica is UpToDate again. Default true. */
    readonly nodeRolloutResyncGate: boolean;
    /** Pinned image (sh + curl) of the resync gate Job. */
    readonly resyncGateImage: string;
    /** How long the gate waits for DRBD before it fails and stops the rollout. Default 7200 s. */
    readonly resyncGateTimeoutSeconds: number;
    /** Seconds the LINSTOR and CSI controllers tolerate a not-ready/unreachable node (Kubernetes default 300). Default 30. */
    readonly linstorControllerTolerationSeconds: number;
    /** Protect stateful resources (KMS key, LINSTOR passphrase) from `pulumi destroy`. Default true. */
    readonly protectStatefulResources: boolean;
    readonly tags: Readonly<Record<string, string>>;
}

export const LINSTOR_CLUSTER_DEFAULTS = {
    nodesPerAz: 1,
    instanceType: "m6i.large",
    rootVolumeSizeGiB: 50,
    dataVolumeSizeGiB: 100,
    dataVolumeType: "gp3" as EbsVolumeType,
    dataVolumeIops: 3000,
    dataVolumeThroughputMiBps: 125,
    metadataVolumeType: "gp3" as EbsVolumeType,
    maxVolumesPerNode: 100,
    drbdPeerSlots: LINSTOR_DEFAULT_PEER_SLOTS,
    kubernetesVersion: "1.35",
    vpcCidr: "10.0.0.0/16",
    natGateways: "OnePerAz" as NatGatewayStrategy,
    imdsHopLimit: 1,
    linstorDistribution: "piraeus" as LinstorDistribution,
    piraeusOperatorChartVersion: "2.10.7",
    linbitOperatorChartVersion: "2.10.0",
    storageClassReplicas: [1, 2, 3],
    storageClassPrefix: "linstor-csi-lvm-thin",
    drbdDisableFlushes: false,
    drbdMaxBuffers: 10000,
    satelliteDeletionPolicy: "Evacuate" as SatelliteDeletionPolicy,
    haControllerFailOverTimeoutSeconds: 5,
    haControllerDrbdStatusIntervalSeconds: 5,
    protectStatefulResources: true,
    serialNodeGroupRollout: true,
    nodeRolloutResyncGate: true,
    resyncGateImage: "docker.io/curlimages/curl:8.16.0",
    resyncGateTimeoutSeconds: 7200,
    linstorControllerTolerationSeconds: 30,
    azCount: 3,
};

/** Maps a settings field to the key a user must fix (a stack config key or a component argument). */
export type KeyOf = (field: string) => string;

export const KUBERNETES_VERSION = /^1\.(\d{2})$/;

/** The metadata volume size in effect: configured, or derived from the data volume. */
export function effectiveMetadataVolumeGiB(s: LinstorClusterSettings): number {
    return s.metadataVolumeSizeGiB ?? defaultMetadataVolumeGiB(s.dataVolumeSizeGiB, s.drbdPeerSlots, s.maxVolumesPerNode);
}

/** The largest replica count any class asks for. */
export function maxReplicas(s: Pick<LinstorClusterSettings, "storageClassReplicas">): number {
    return Math.max(...s.storageClassReplicas);
}

function validateVolume(s: LinstorClusterSettings, prefix: "data" | "metadata", key: KeyOf): void {
    const type = s[`${prefix}VolumeType`];
    const limits = EBS_LIMITS[type];
    if (!limits) throw new ConfigError(key(`${prefix}VolumeType`), type, `Allowed: ${EBS_VOLUME_TYPES.join(", ")}.`);
    const size = prefix === "data" ? s.dataVolumeSizeGiB : effectiveMetadataVolumeGiB(s);
    if (!Number.isInteger(size) || size < limits.minGiB || size > limits.maxGiB) {
        throw new ConfigError(key(`${prefix}VolumeSizeGiB`), size,
            `A ${type} volume must be a whole number of GiB from ${limits.minGiB} to ${limits.maxGiB}.`);
    }
    if (prefix !== "data") return;
    const iops = s.dataVolumeIops;
    if (iops !== undefined && "iops" in limits) {
        const [min, max] = limits.iops;
        const perGiB = limits.iopsPerGiB;
        if (iops < min || iops > max || iops > size * perGiB) {
            throw new ConfigError(key("dataVolumeIops"), iops,
                `A ${type} volume takes ${min} to ${max} IOPS and at most ${perGiB} IOPS per GiB (${size * perGiB} for ${size} GiB).`);
        }
    }
    const throughput = s.dataVolumeThroughputMiBps;
    if (throughput !== undefined && "throughput" in limits) {
        const [min, max] = limits.throughput;
        const perIops = Math.floor((iops ?? min) / 4);
        if (throughput < min || throughput > max || throughput > perIops) {
            throw new ConfigError(key("dataVolumeThroughputMiBps"), throughput,
                `gp3 throughput must be ${min} to ${max} MiB/s and at most IOPS/4 (${perIops}).`);
        }
    }
}

/**
 * Cross-field validation shared by the stack config and the component (for library users).
 * Throws ConfigError naming `key(field)`.
 */
export function validateLinstorClusterSettings(s: LinstorClusterSettings, key: KeyOf): void {
    if (!/^[a-z][a-z0-9-]{1,22}$/.test(s.namePrefix)) {
        throw new ConfigError(key("namePrefix"), s.namePrefix, "Use 2–23 lowercase letters, digits or '-', starting with a letter.");
    }
    const azs = s.availabilityZones;
    if (new Set(azs).size !== azs.length || azs.length < 3) {
        throw new ConfigError(key("availabilityZones"), azs,
            "Need at least 3 distinct availability zones: DRBD quorum and the HA Controller need a third zone to break ties.");
    }
    const foreign = azs.filter((az) => !az.startsWith(s.region));
    if (foreign.length > 0) {
        throw new ConfigError(key("availabilityZones"), azs, `Every zone must be in region ${s.region}; not: ${foreign.join(", ")}.`);
    }
    if (!Number.isInteger(s.nodesPerAz) || s.nodesPerAz < 1) {
        throw new ConfigError(key("nodesPerAz"), s.nodesPerAz, "Each AZ needs at least 1 storage node.");
    }
    for (const r of s.storageClassReplicas) {
        if (!Number.isInteger(r) || r < 1 || r > azs.length) {
            throw new ConfigError(key("storageClassReplicas"), s.storageClassReplicas,
                `Replicas are spread over distinct zones, so each count must be 1..${azs.length} (the number of AZs).`);
        }
    }
    if (s.ebsKmsKeyArn !== undefined && s.ebsKmsKeyArn.split(":")[3] !== s.region) {
        throw new ConfigError(key("ebsKmsKeyArn"), s.ebsKmsKeyArn, `EBS volumes need a KMS key in the cluster's region ${s.region}.`);
    }
    if (s.nodeAmiId !== undefined && !/^ami-[0-9a-f]{8,17}$/.test(s.nodeAmiId)) {
        throw new ConfigError(key("nodeAmiId"), s.nodeAmiId, "Use an AMI ID such as ami-0123456789abcdef0 (an EKS-optimized AL2023 image for kubernetesVersion).");
    }
    if (!KUBERNETES_VERSION.test(s.kubernetesVersion)) {
        throw new ConfigError(key("kubernetesVersion"), s.kubernetesVersion, 'Use a Kubernetes minor version such as "1.35".');
    }
    if (!LINSTOR_DISTRIBUTIONS.includes(s.linstorDistribution)) {
        throw new ConfigError(key("linstorDistribution"), s.linstorDistribution, `Allowed: ${LINSTOR_DISTRIBUTIONS.join(", ")}.`);
    }
    if (s.linstorDistribution === "linbit" && (!s.drbdIoUsername || s.drbdIoPassword === undefined)) {
        throw new ConfigError(key(s.drbdIoUsername ? "drbdIoPassword" : "drbdIoUsername"), undefined,
            "The LINBIT distribution pulls from drbd.io: set drbdIoUsername and the secret drbdIoPassword (pulumi config set --secret).");
    }
    if (!SATELLITE_DELETION_POLICIES.includes(s.satelliteDeletionPolicy)) {
        throw new ConfigError(key("satelliteDeletionPolicy"), s.satelliteDeletionPolicy, `Allowed: ${SATELLITE_DELETION_POLICIES.join(", ")}.`);
    }
    if (!isIpv4Cidr(s.vpcCidr)) {
        throw new ConfigError(key("vpcCidr"), s.vpcCidr, "Use an IPv4 CIDR such as 10.0.0.0/16 (no host bits set).");
    }
    for (const cidr of s.apiPublicAccessCidrs) {
        if (!isIpv4Cidr(cidr)) {
            throw new ConfigError(key("apiPublicAccessCidrs"), cidr, "Each entry must be an IPv4 CIDR such as 203.0.113.0/24.");
        }
        if (isOpenToWorld(cidr) && !s.allowApiAccessFromAnywhere) {
            throw new ConfigError(key("apiPublicAccessCidrs"), cidr,
                "Refusing to open the Kubernetes API to the internet; list your own CIDRs, or set allowApiAccessFromAnywhere: true.");
        }
    }
    if (s.vpcId !== undefined) {
        const subnets = s.privateSubnetIds ?? [];
        if (subnets.length !== azs.length) {
            throw new ConfigError(key("privateSubnetIds"), subnets,
                `With vpcId, give exactly one private subnet per availability zone (${azs.length}), in the order of availabilityZones.`);
        }
    }
    for (const field of ["haControllerFailOverTimeoutSeconds", "haControllerDrbdStatusIntervalSeconds"] as const) {
        if (!Number.isInteger(s[field]) || s[field] < 1 || s[field] > 300) {
            throw new ConfigError(key(field), s[field], "Must be whole seconds from 1 to 300.");
        }
    }
    if (!Number.isInteger(s.linstorControllerTolerationSeconds) || s.linstorControllerTolerationSeconds < 0 ||
        s.linstorControllerTolerationSeconds > 300) {
        throw new ConfigError(key("linstorControllerTolerationSeconds"), s.linstorControllerTolerationSeconds, "Must be whole seconds from 0 to 300.");
    }
    if (!/^[^\s:@]+(:[^\s:@]+)?(@sha256:[0-9a-f]{64})?$/.test(s.resyncGateImage) || /:latest$/.test(s.resyncGateImage) || !/[:@]/.test(s.resyncGateImage)) {
        throw new ConfigError(key("resyncGateImage"), s.resyncGateImage, "Pin an image by tag or digest, e.g. docker.io/curlimages/curl:8.16.0 (not latest).");
    }
    if (!Number.isInteger(s.resyncGateTimeoutSeconds) || s.resyncGateTimeoutSeconds < 300 || s.resyncGateTimeoutSeconds > 86400) {
        throw new ConfigError(key("resyncGateTimeoutSeconds"), s.resyncGateTimeoutSeconds, "Must be whole seconds from 300 to 86400.");
    }
    if (![1, 2].includes(s.imdsHopLimit)) {
        throw new ConfigError(key("imdsHopLimit"), s.imdsHopLimit, "Use 1 (pods cannot reach node credentials) or 2 (pods need IMDS).");
    }
    if (s.drbdPeerSlots < maxReplicas(s) - 1 || s.drbdPeerSlots > 31) {
        throw new ConfigError(key("drbdPeerSlots"), s.drbdPeerSlots, `Must be from ${maxReplicas(s) - 1} (replicas − 1) to 31.`);
    }
    validateVolume(s, "data", key);
    if (!METADATA_VOLUME_TYPES.includes(s.metadataVolumeType)) {
        throw new ConfigError(key("metadataVolumeType"), s.metadataVolumeType,
            `Allowed: ${METADATA_VOLUME_TYPES.join(", ")} (DRBD metadata is small; io1/io2 would need provisioned IOPS).`);
    }
    validateVolume(s, "metadata", key);
    for (const replicas of s.storageClassReplicas) {
        const group = storageClassSpec({ namePrefix: s.storageClassPrefix, replicas, dataPool: "data", metadataPool: "drbdmeta",
            tuning: { disableFlushes: s.drbdDisableFlushes, maxBuffers: s.drbdMaxBuffers } }).resourceGroup;
        if (!LINSTOR_NAME.test(group)) {
            throw new ConfigError(key("storageClassPrefix"), s.storageClassPrefix,
                `LINSTOR resource-group names (here ${group}) must start with a letter and have at most 48 characters: use a prefix of at most 36.`);
        }
    }
    const neededMetaMiB = externalMetadataMiB(s.dataVolumeSizeGiB, s.drbdPeerSlots, s.maxVolumesPerNode);
    const metaGiB = effectiveMetadataVolumeGiB(s);
    if (metaGiB * 1024 < neededMetaMiB) {
        throw new ConfigError(key("metadataVolumeSizeGiB"), metaGiB,
            `External metadata for ${s.dataVolumeSizeGiB} GiB of data with ${s.drbdPeerSlots} peer slots and up to ` +
            `${s.maxVolumesPerNode} volumes needs ${neededMetaMiB} MiB; use at least ${Math.ceil(neededMetaMiB / 1024)} GiB or leave it unset.`);
    }
    const memory = s.instanceMemoryMiB ?? instanceMemoryMiB(s.instanceType);
    if (memory === undefined) {
        throw new ConfigError(key("instanceMemoryMiB"), undefined,
            `Cannot derive the memory of instance type ${s.instanceType}; set instanceMemoryMiB to its memory in MiB.`);
    }
    const required = requiredNodeMemoryMiB(s.dataVolumeSizeGiB, maxReplicas(s));
    if (memory < required) {
        throw new ConfigError(key("instanceType"), s.instanceType,
            `It has ${memory} MiB; a storage node with ${s.dataVolumeSizeGiB} GiB at ${maxReplicas(s)} replicas needs at least ` +
            `${required} MiB (DRBD bitmaps + node baseline). Choose a larger type, e.g. m6i.large.`);
    }
}
