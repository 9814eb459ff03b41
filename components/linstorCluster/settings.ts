import type * as pulumi from "@pulumi/pulumi";
import { type Filled, withDefaults } from "../shared/defaults";
import { pythonTooOld } from "../shared/imageVersions";
import {
    ARNS,
    type Check,
    check,
    type FieldRules,
    instanceFamilyProblem,
    isLinstorName,
    isNonPublicIpv4Cidr,
    type KeyOf,
    NOT_CHECKED,
    validateAll,
    validateFields,
} from "../shared/validation";
import { PIRAEUS_OPERATOR_RELEASES } from "./operatorReleases";
import { defaultMetadataVolumeGiB, externalMetadataMiB, instanceMemoryMiB, LINSTOR_DEFAULT_PEER_SLOTS, requiredNodeMemoryMiB } from "./sizing";
import { storageClassSpec } from "./storageClasses";

// Choices as `as const` objects (name → value): the package schema turns them into enums (analyzer.js extractEnumMembers).
/** Open Piraeus images, or LINBIT SDS from drbd.io. */
export const LinstorDistribution = { piraeus: "piraeus", linbit: "linbit" } as const;
export type LinstorDistribution = (typeof LinstorDistribution)[keyof typeof LinstorDistribution];
export const LINSTOR_DISTRIBUTIONS = Object.values(LinstorDistribution);
/** What the operator does in LINSTOR when a storage node's Kubernetes Node disappears. */
export const SatelliteDeletionPolicy = { Evacuate: "Evacuate", Retain: "Retain", Delete: "Delete" } as const;
export type SatelliteDeletionPolicy = (typeof SatelliteDeletionPolicy)[keyof typeof SatelliteDeletionPolicy];
export const SATELLITE_DELETION_POLICIES = Object.values(SatelliteDeletionPolicy);
/** NAT gateways of a new VPC: one per AZ, or a single one. */
export const NatGatewayStrategy = { OnePerAz: "OnePerAz", Single: "Single" } as const;
export type NatGatewayStrategy = (typeof NatGatewayStrategy)[keyof typeof NatGatewayStrategy];
export const NAT_GATEWAY_STRATEGIES = Object.values(NatGatewayStrategy);
/** EBS volume type of a node volume. */
export const EbsVolumeType = { gp3: "gp3", gp2: "gp2", io1: "io1", io2: "io2" } as const;
export type EbsVolumeType = (typeof EbsVolumeType)[keyof typeof EbsVolumeType];

/** EBS limits per volume type (size GiB, provisioned IOPS, gp3 throughput MiB/s). */
export const EBS_LIMITS = {
    gp3: { minGiB: 1, maxGiB: 65536, iops: [3000, 80000], iopsPerGiB: 500, throughput: [125, 2000] },
    gp2: { minGiB: 1, maxGiB: 16384 },
    io1: { minGiB: 4, maxGiB: 16384, iops: [100, 64000], iopsPerGiB: 50 },
    io2: { minGiB: 4, maxGiB: 65536, iops: [100, 256000], iopsPerGiB: 1000 },
} as const satisfies Record<EbsVolumeType, unknown>;
/** Types the metadata volume may use: no provisioned IOPS to configure. */
export const METADATA_VOLUME_TYPES: readonly EbsVolumeType[] = ["gp3", "gp2"];
export const EBS_VOLUME_TYPES = Object.keys(EBS_LIMITS) as EbsVolumeType[];

/**
 * LinstorCluster's settings as its Args take them: each field with a default is optional (the component fills it).
 * The stack's config keys use the same names.
 */
export interface LinstorClusterInput {
    /** Prefix of every resource name; keeps stacks from colliding. */
    readonly namePrefix: string;
    /** AWS region of the cluster. */
    readonly region: string;
    /** The availability zones to span, at least 3 distinct ones in `region`. */
    readonly availabilityZones: string[];
    /** Storage nodes per AZ (one managed node group per AZ). Default 1. */
    readonly nodesPerAz?: number;
    /**
     * AMI of the storage nodes. Default: the recommended EKS AL2023 AMI of `kubernetesVersion` (SSM), which the
     * stacks then keep until `kubernetesVersion` changes, so a new AWS release never rolls the nodes by itself.
     */
    readonly nodeAmiId?: string;
    /** EC2 instance type of storage nodes. Default m6i.large. */
    readonly instanceType?: string;
    /** Memory of `instanceType` in MiB, only needed when it cannot be derived from the type name. */
    readonly instanceMemoryMiB?: number;
    /** Root volume of each node. Default 50 GiB. */
    readonly rootVolumeSizeGiB?: number;
    /** EBS volume backing the LINSTOR data pool. Defaults: 200 GiB gp3 (holds the default Jenkins, Prometheus and snapshot retention: poolBudget.ts), 3000 IOPS, 125 MiB/s. */
    readonly dataVolumeSizeGiB?: number;
    readonly dataVolumeType?: EbsVolumeType;
    readonly dataVolumeIops?: number;
    readonly dataVolumeThroughputMiBps?: number;
    /** EBS volume backing external DRBD metadata. Default: derived from data size and peer slots. */
    readonly metadataVolumeSizeGiB?: number;
    /** EBS type of the metadata volume: gp3 or gp2. Default gp3. */
    readonly metadataVolumeType?: EbsVolumeType;
    /** KMS key for the node EBS volumes; default the account's EBS key (still encrypted). */
    readonly ebsKmsKeyArn?: string;
    /** Upper bound of DRBD volumes per node, for per-volume metadata overhead. Default 100. */
    readonly maxVolumesPerNode?: number;
    /** Bitmap slots LINSTOR reserves per new resource (`PeerSlotsNewResource`). Default 7. */
    readonly drbdPeerSlots?: number;
    /** Kubernetes minor version. Default "1.35". */
    readonly kubernetesVersion?: string;
    /**
     * Versions of the EKS managed add-ons (e.g. `v1.12.4-eksbuild.1`). Default: the version EKS marks as default for
     * `kubernetesVersion` at each deployment (aws.eks.getAddonVersion): they follow the Kubernetes version, and EKS may
     * also move that default within a version, so pin them to freeze them.
     */
    readonly coreDnsAddonVersion?: string;
    readonly kubeProxyAddonVersion?: string;
    readonly vpcCniAddonVersion?: string;
    readonly podIdentityAgentAddonVersion?: string;
    readonly ebsCsiDriverAddonVersion?: string;
    /** New VPC CIDR (ignored with `vpcId`). Default 10.0.0.0/16. */
    readonly vpcCidr?: string;
    /** NAT gateways of a new VPC. Default OnePerAz, so an AZ outage does not cut egress. */
    readonly natGateways?: NatGatewayStrategy;
    /** Use an existing VPC instead: its ID, and one private subnet per AZ in `availabilityZones` order. */
    readonly vpcId?: string;
    readonly privateSubnetIds?: string[];
    readonly publicSubnetIds?: string[];
    /**
     * How the deployer (and CI) reach the Kubernetes API: at least one of the three `api*` lists must be set.
     * Public endpoint: CIDRs allowed to reach it (e.g. your office or CI egress IP as /32). Empty: no public endpoint.
     */
    readonly apiPublicAccessCidrs: string[];
    /**
     * Private endpoint: CIDRs admitted on 443 to the cluster security group, for networks routed into the VPC
     * (a VPN, a peered or transit-attached VPC of a CI runner).
     */
    readonly apiPrivateAccessCidrs: string[];
    /** Private endpoint: security groups admitted on 443 (a runner or bastion inside the VPC). */
    readonly apiPrivateAccessSecurityGroupIds: string[];
    /** Allow ranges that together cover the whole internet in the `api*Cidrs` lists. Default false. */
    readonly allowApiAccessFromAnywhere?: boolean;
    /** IAM role ARNs granted cluster-admin through EKS access entries. */
    readonly clusterAdminRoleArns: string[];
    /** IMDSv2 hop limit: 1 keeps pods off the node's instance credentials. Default 1. */
    readonly imdsHopLimit?: number;
    /** Open Piraeus images, or LINBIT SDS from drbd.io (a subscription). Never switched in place. Default piraeus. */
    readonly linstorDistribution?: LinstorDistribution;
    /** Exact version of the Piraeus operator chart. Default 2.10.8 (linstor-csi 1.11.3; operatorReleases.ts). */
    readonly piraeusOperatorChartVersion?: string;
    /** Exact version of the LINBIT SDS operator chart. Default 2.10.0. */
    readonly linbitOperatorChartVersion?: string;
    /** drbd.io registry login, required for the LINBIT distribution. */
    readonly drbdIoUsername?: string;
    /** drbd.io registry password (a Pulumi secret), required for the LINBIT distribution. */
    readonly drbdIoPassword?: pulumi.Input<string>;
    /** Replica counts to offer as StorageClasses `<prefix>-r<n>`. Default [1, 2, 3]. */
    readonly storageClassReplicas?: number[];
    /** Class name prefix, at most 36 characters (it also names the LINSTOR resource groups, ≤ 48). Default linstor-csi-lvm-thin. */
    readonly storageClassPrefix?: string;
    /** DRBD `disk-flushes: no` and `md-flushes: no`: safe only on storage with a non-volatile write cache. Default false. */
    readonly drbdDisableFlushes?: boolean;
    /** DRBD `max-buffers` of every class. Default 10000. */
    readonly drbdMaxBuffers?: number;
    /**
     * What the operator does in LINSTOR when a storage node's Kubernetes Node disappears (on EKS: its instance was
     * terminated). Default Delete (`linstor node lost`, completes once the node is offline); Retain leaves an OFFLINE
     * node to remove by hand; Evacuate is refused: it never completes for a terminated instance (operator.ts).
     */
    readonly satelliteDeletionPolicy?: SatelliteDeletionPolicy;
    /** Seconds a DRBD resource may lack quorum before the HA Controller moves its pods. Default 5 (upstream). */
    readonly haControllerFailOverTimeoutSeconds?: number;
    /** Seconds between the HA Controller's DRBD status polls. Default 5 (upstream). */
    readonly haControllerDrbdStatusIntervalSeconds?: number;
    /**
     * Node groups depend on each other so a rollout replaces one AZ at a time (quorum holds); this also
     * makes their first creation sequential. False creates them in parallel; the stacks honour that only for a
     * stack's first creation (a DR recovery) and roll one AZ at a time once it is deployed. Default true.
     */
    readonly serialNodeGroupRollout?: boolean;
    /** With a serial rollout, hold each next AZ until every DRBD replica is UpToDate again. Default true. */
    readonly nodeRolloutResyncGate?: boolean;
    /**
     * Pinned image with python3 (3.8 or later, standard library only) of the resync gate Job. Default
     * docker.io/library/python:3.13.15-slim-trixie.
     */
    readonly resyncGateImage?: string;
    /**
     * How long the gate waits for DRBD before it fails and stops the rollout. Default 7200 s. Pulumi waits for the Job
     * that long plus margins (customTimeouts), not its default 10 minutes.
     */
    readonly resyncGateTimeoutSeconds?: number;
    /** Seconds the LINSTOR and CSI controllers tolerate a not-ready/unreachable node (Kubernetes default 300). Default 30. */
    readonly linstorControllerTolerationSeconds?: number;
    /** Protect stateful resources (KMS key, LINSTOR passphrase) from `pulumi destroy`. Default true. */
    readonly protectStatefulResources?: boolean;
    readonly tags: Readonly<Record<string, string>>;
}

/** What LinstorCluster fills in for each of its own fields left unset (no stack-only key: see LINSTOR_CLUSTER_DEFAULTS). */
export const LINSTOR_CLUSTER_SETTINGS_DEFAULTS = {
    nodesPerAz: 1,
    instanceType: "m6i.large",
    rootVolumeSizeGiB: 50,
    dataVolumeSizeGiB: 200,
    dataVolumeType: "gp3" as EbsVolumeType,
    dataVolumeIops: 3000,
    dataVolumeThroughputMiBps: 125,
    metadataVolumeType: "gp3" as EbsVolumeType,
    maxVolumesPerNode: 100,
    drbdPeerSlots: LINSTOR_DEFAULT_PEER_SLOTS,
    kubernetesVersion: "1.35",
    vpcCidr: "10.0.0.0/16",
    natGateways: "OnePerAz" as NatGatewayStrategy,
    allowApiAccessFromAnywhere: false,
    imdsHopLimit: 1,
    linstorDistribution: "piraeus" as LinstorDistribution,
    piraeusOperatorChartVersion: "2.10.8",
    linbitOperatorChartVersion: "2.10.0",
    storageClassReplicas: [1, 2, 3],
    storageClassPrefix: "linstor-csi-lvm-thin",
    drbdDisableFlushes: false,
    drbdMaxBuffers: 10000,
    satelliteDeletionPolicy: "Delete" as SatelliteDeletionPolicy,
    haControllerFailOverTimeoutSeconds: 5,
    haControllerDrbdStatusIntervalSeconds: 5,
    protectStatefulResources: true,
    serialNodeGroupRollout: true,
    nodeRolloutResyncGate: true,
    // docker-library/official-images library/python (commit e04d486, 2026-08-10): "Tags: 3.13.15-slim-trixie, ...".
    // Debian (glibc), not Alpine (musl): the gate tells "LINSTOR not installed" (NXDOMAIN) from a DNS outage by the
    // resolver's error, and the tests exercise glibc's.
    resyncGateImage: "docker.io/library/python:3.13.15-slim-trixie",
    resyncGateTimeoutSeconds: 7200,
    linstorControllerTolerationSeconds: 30,
} satisfies Partial<LinstorClusterInput>;

/** The stack's defaults: LinstorCluster's own, plus `azCount` (how many zones to look up when none are configured). */
export const LINSTOR_CLUSTER_DEFAULTS = { ...LINSTOR_CLUSTER_SETTINGS_DEFAULTS, azCount: 3 };

/** Plain, fully-resolved settings of a LinstorCluster: every field with a default is set. */
export type LinstorClusterSettings = Filled<LinstorClusterInput, typeof LINSTOR_CLUSTER_SETTINGS_DEFAULTS>;

/** The settings with every field left unset (or explicitly undefined) at its default. */
export function withLinstorClusterDefaults(given: LinstorClusterInput): LinstorClusterSettings {
    return withDefaults(LINSTOR_CLUSTER_SETTINGS_DEFAULTS, given);
}

export type { KeyOf };

/** The metadata volume size in effect: configured, or derived from the data volume. */
export function effectiveMetadataVolumeGiB(s: LinstorClusterSettings): number {
    return s.metadataVolumeSizeGiB ?? defaultMetadataVolumeGiB(s.dataVolumeSizeGiB, s.drbdPeerSlots, s.maxVolumesPerNode);
}

/** The largest replica count any class asks for. */
export function maxReplicas(s: Pick<LinstorClusterSettings, "storageClassReplicas">): number {
    return Math.max(...s.storageClassReplicas);
}

const SUBNET = (id: string, entry: Check) => entry.awsId(id, "subnet");
/** An EC2 instance type: a family (letters, a generation digit, attributes) and a size AWS uses. */
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\d[a-z0-9-]*\.(nano|micro|small|medium|large|xlarge|\d{1,3}xlarge|metal(-\d{1,3}xl)?)$/;
/** An EKS add-on version as `aws eks describe-addon-versions` lists it. */
const ADDON_VERSION = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;
const ADDON_VERSION_HELP = "Use an exact EKS add-on version such as v1.12.4-eksbuild.1 (aws eks describe-addon-versions), or leave it unset.";

/**
 * EKS admits nobody to the API by default: a private-only endpoint is reachable only from inside the VPC, which the
 * same `pulumi up` creates, and the cluster security group admits only itself (pulumi-eks cluster.ts). So the
 * deployer's way in is a required choice.
 */
const API_REACHABILITY_HELP = (key: KeyOf) =>
    `Choose how pulumi and kubectl reach the Kubernetes API: ${key("apiPublicAccessCidrs")} (a public endpoint for ` +
    `these CIDRs only, e.g. your egress IP as /32), or a private endpoint with ${key("apiPrivateAccessCidrs")} ` +
    `(networks routed into the VPC: VPN, peering) or ${key("apiPrivateAccessSecurityGroupIds")} (a runner or bastion in the VPC).`;
const SECONDS = "(seconds)";

/** Why `satelliteDeletionPolicy: Evacuate` is refused (details and sources: operator.ts `SatelliteSpecArgs`). */
export const EVACUATE_ON_EKS =
    "Evacuate never completes on EKS: the operator evacuates a satellite only after its Kubernetes Node is gone, which on " +
    "EKS means the instance and its EBS volumes are gone, and then waits for LINSTOR to ship the node's snapshots away and " +
    "delete its resources through that satellite, forever (a stuck LinstorSatellite finalizer, an OFFLINE node whose dead " +
    "replicas still count as peers). Use Delete (`linstor node lost`, the default) or Retain (remove the OFFLINE node by hand).";

/** One rule per field: a library user and a stack user get the same checks (cross-field checks follow). */
export const LINSTOR_CLUSTER_RULES: FieldRules<LinstorClusterSettings> = {
    namePrefix: (v, c) => c.namePrefix(v),
    region: (v, c) => c.awsRegion(v),
    availabilityZones: (azs, c, s) => {
        // The exact form <region><letter> (no Local or Wavelength Zones); the stack also checks each exists (stacks/zones.ts).
        c.list(azs, (az, entry) => entry.availabilityZone(az, s.region));
        if (new Set(azs).size !== azs.length || azs.length < 3) {
            c.fail(azs, "Need at least 3 distinct availability zones: DRBD quorum and the HA Controller need a third zone to break ties.");
        }
    },
    nodesPerAz: (v, c) => c.integer(v, { min: 1, max: 20 }),
    nodeAmiId: (v, c) => c.ifSet.awsId(v, "ami"),
    instanceType: (v, c) => {
        c.matches(v, INSTANCE_TYPE, "Use an EC2 instance type: family and size, such as m6i.large or r7g.2xlarge.");
        const problem = instanceFamilyProblem(v);
        if (problem) c.fail(v, problem);
    },
    instanceMemoryMiB: (v, c, s) => {
        c.ifSet.integer(v, { min: 512 }, "(MiB)");
        const derived = instanceMemoryMiB(s.instanceType);
        if (v !== undefined && derived !== undefined && v !== derived) {
            c.fail(
                v,
                `${s.instanceType} has ${derived} MiB (sizing.ts derives it from the type); remove this key, it is only for types it cannot derive.`,
            );
        }
    },
    rootVolumeSizeGiB: (v, c) => c.integer(v, { min: 20, max: 16384 }, "(GiB)"),
    // Per-type EBS bounds of size, IOPS and throughput: validateVolume.
    dataVolumeSizeGiB: (v, c) => c.integer(v, { min: 1 }, "(GiB)"),
    dataVolumeType: (v, c) => c.oneOf(v, EBS_VOLUME_TYPES),
    dataVolumeIops: (v, c) => c.ifSet.integer(v, { min: 1 }),
    dataVolumeThroughputMiBps: (v, c) => c.ifSet.integer(v, { min: 1 }, "(MiB/s)"),
    metadataVolumeSizeGiB: (v, c) => c.ifSet.integer(v, { min: 1 }, "(GiB)"),
    metadataVolumeType: (v, c) => c.oneOf(v, METADATA_VOLUME_TYPES, "DRBD metadata is small; io1/io2 would need provisioned IOPS"),
    ebsKmsKeyArn: (v, c, s) =>
        c.ifSet.arn(v, ARNS.kmsKeyOrAlias, { name: s.region, why: `EBS volumes need a KMS key in the cluster's region ${s.region}.` }),
    maxVolumesPerNode: (v, c) => c.integer(v, { min: 1, max: 10000 }),
    // At least replicas − 1: checked with storageClassReplicas below.
    drbdPeerSlots: (v, c) => c.integer(v, { min: 0, max: 31 }),
    kubernetesVersion: (v, c) => c.kubernetesVersion(v),
    coreDnsAddonVersion: (v, c) => c.ifSet.matches(v, ADDON_VERSION, ADDON_VERSION_HELP),
    kubeProxyAddonVersion: (v, c) => c.ifSet.matches(v, ADDON_VERSION, ADDON_VERSION_HELP),
    vpcCniAddonVersion: (v, c) => c.ifSet.matches(v, ADDON_VERSION, ADDON_VERSION_HELP),
    podIdentityAgentAddonVersion: (v, c) => c.ifSet.matches(v, ADDON_VERSION, ADDON_VERSION_HELP),
    ebsCsiDriverAddonVersion: (v, c) => c.ifSet.matches(v, ADDON_VERSION, ADDON_VERSION_HELP),
    vpcCidr: (v, c) => c.cidr(v),
    natGateways: (v, c) => c.oneOf(v, NAT_GATEWAY_STRATEGIES),
    vpcId: (v, c) => c.ifSet.awsId(v, "vpc"),
    privateSubnetIds: (v, c) => c.ifSet.list(v, SUBNET, { unique: true }),
    publicSubnetIds: (v, c, s, key) => {
        c.ifSet.list(v, SUBNET, { unique: true });
        // Nodes in a public subnet would get a route to the internet gateway; the load balancers' subnets would hold nodes.
        const shared = (v ?? []).filter((id) => s.privateSubnetIds?.includes(id));
        if (shared.length > 0) c.fail(v, `${shared.join(", ")} also in ${key("privateSubnetIds")}: public and private subnets must be distinct.`);
    },
    apiPublicAccessCidrs: (v, c, s, key) => {
        c.sourceRanges(v, { allowed: s.allowApiAccessFromAnywhere, key: key("allowApiAccessFromAnywhere"), what: "the Kubernetes API" });
        // EKS accepts at most 40 public access CIDRs (UpdateClusterConfig publicAccessCidrs).
        if (v.length > 40)
            c.fail(v, `EKS takes at most 40 public access CIDRs; this list has ${v.length}. Summarize them, or use a private endpoint.`);
        // The public endpoint sees clients by their public address: a private range there admits nobody.
        const internal = v.find(isNonPublicIpv4Cidr);
        if (internal !== undefined) {
            c.fail(
                v,
                `${internal} is a private or special-use range, which never reaches the public endpoint: list public CIDRs here, and private ones in ${key("apiPrivateAccessCidrs")}.`,
            );
        }
    },
    apiPrivateAccessCidrs: (v, c, s, key) =>
        c.sourceRanges(v, { allowed: s.allowApiAccessFromAnywhere, key: key("allowApiAccessFromAnywhere"), what: "the Kubernetes API" }),
    apiPrivateAccessSecurityGroupIds: (v, c) => c.list(v, (id, entry) => entry.awsId(id, "sg"), { unique: true }),
    allowApiAccessFromAnywhere: (v, c) => c.boolean(v),
    // EKS takes one access entry per principal: a second one for the same role fails late (ResourceInUseException).
    clusterAdminRoleArns: (v, c) => c.list(v, (arn, entry) => entry.arn(arn, ARNS.iamRole), { unique: true }),
    imdsHopLimit: (v, c) => c.oneOf(v, [1, 2], "1: pods cannot reach the node's credentials; 2: pods need IMDS"),
    linstorDistribution: (v, c) => c.oneOf(v, LINSTOR_DISTRIBUTIONS),
    piraeusOperatorChartVersion: (v, c) => {
        c.exactVersion(v, LINSTOR_CLUSTER_SETTINGS_DEFAULTS.piraeusOperatorChartVersion);
        // The program must know which LINSTOR and linstor-csi a release deploys (snapshot keys, property tables).
        if (!Object.hasOwn(PIRAEUS_OPERATOR_RELEASES, v)) {
            c.fail(
                v,
                `Not a release this program knows (operatorReleases.ts: ${Object.keys(PIRAEUS_OPERATOR_RELEASES).join(", ")}); ` +
                    "a new one needs a row there, read from the release's image config.",
            );
        }
    },
    linbitOperatorChartVersion: (v, c) => c.exactVersion(v, LINSTOR_CLUSTER_SETTINGS_DEFAULTS.linbitOperatorChartVersion),
    drbdIoUsername: (v, c) => c.ifSet.matches(v, /^\S+$/, "Use your drbd.io user name."),
    // A secret Input: only its presence is checked (with linstorDistribution, below).
    drbdIoPassword: NOT_CHECKED,
    storageClassReplicas: (v, c, s) =>
        c.list(
            v,
            (replicas, entry) =>
                entry.integer(
                    replicas,
                    { min: 1, max: s.availabilityZones.length },
                    "(replicas are spread over distinct zones: at most the number of AZs)",
                ),
            { nonEmpty: true, unique: true },
        ),
    storageClassPrefix: (v, c) =>
        c.dnsLabel(v, {
            maxLength: 36,
            letterFirst: true,
            why: "it also names the LINSTOR resource groups <prefix>-r<n>-<8-char hash>, which have at most 48 characters",
        }),
    drbdDisableFlushes: (v, c) => c.boolean(v),
    drbdMaxBuffers: (v, c) => c.integer(v, { min: 32, max: 131072 }),
    satelliteDeletionPolicy: (v, c) => {
        if (v === "Evacuate") c.fail(v, EVACUATE_ON_EKS);
        c.oneOf(
            v,
            SATELLITE_DELETION_POLICIES.filter((p) => p !== "Evacuate"),
            "Evacuate is refused: it never completes on EKS",
        );
    },
    haControllerFailOverTimeoutSeconds: (v, c) => c.integer(v, { min: 1, max: 300 }, SECONDS),
    haControllerDrbdStatusIntervalSeconds: (v, c) => c.integer(v, { min: 1, max: 300 }, SECONDS),
    serialNodeGroupRollout: (v, c) => c.boolean(v),
    nodeRolloutResyncGate: (v, c) => c.boolean(v),
    resyncGateImage: (v, c) => {
        c.pinnedImage(v, "it runs the gate with python3 (3.8 or later, standard library only)");
        // The minimum resyncGate.ts states for RESYNC_GATE_SCRIPT (python3 ≥ 3.8, standard library only).
        const problem = v === undefined ? undefined : pythonTooOld(v, { major: 3, minor: 8 });
        if (problem) c.fail(v, problem);
    },
    resyncGateTimeoutSeconds: (v, c) => c.integer(v, { min: 300, max: 86400 }, SECONDS),
    linstorControllerTolerationSeconds: (v, c) => c.integer(v, { min: 0, max: 300 }, SECONDS),
    protectStatefulResources: (v, c) => c.boolean(v),
    tags: (v, c) => c.awsTags(v),
};

/**
 * IOPS and throughput the data volume's type ignores (gp2 has neither, io1/io2 no throughput): the launch template
 * leaves them out, so a value given for them would silently not apply. Judged on what was given, before defaults.
 */
function refuseIgnoredVolumeSettings(given: LinstorClusterInput, s: LinstorClusterSettings, key: KeyOf): void {
    const limits = EBS_LIMITS[s.dataVolumeType] ?? {};
    if (given.dataVolumeIops !== undefined && !("iops" in limits)) {
        check(key, "dataVolumeIops").fail(
            given.dataVolumeIops,
            `A ${s.dataVolumeType} volume has no provisioned IOPS; remove it, or use gp3, io1 or io2.`,
        );
    }
    if (given.dataVolumeThroughputMiBps !== undefined && !("throughput" in limits)) {
        check(key, "dataVolumeThroughputMiBps").fail(
            given.dataVolumeThroughputMiBps,
            `Only gp3 takes a provisioned throughput; a ${s.dataVolumeType} volume ignores it. Remove it, or use gp3.`,
        );
    }
}

function validateVolume(s: LinstorClusterSettings, prefix: "data" | "metadata", key: KeyOf): void {
    const type = s[`${prefix}VolumeType`];
    const limits = EBS_LIMITS[type];
    const size = prefix === "data" ? s.dataVolumeSizeGiB : effectiveMetadataVolumeGiB(s);
    if (!Number.isInteger(size) || size < limits.minGiB || size > limits.maxGiB) {
        check(key, `${prefix}VolumeSizeGiB`).fail(size, `A ${type} volume must be a whole number of GiB from ${limits.minGiB} to ${limits.maxGiB}.`);
    }
    if (prefix !== "data") return;
    const iops = s.dataVolumeIops;
    if (iops !== undefined && "iops" in limits) {
        const [min, max] = limits.iops;
        const perGiB = limits.iopsPerGiB;
        if (iops < min || iops > max || iops > size * perGiB) {
            check(key, "dataVolumeIops").fail(
                iops,
                `A ${type} volume takes ${min} to ${max} IOPS and at most ${perGiB} IOPS per GiB (${size * perGiB} for ${size} GiB).`,
            );
        }
    }
    const throughput = s.dataVolumeThroughputMiBps;
    if (throughput !== undefined && "throughput" in limits) {
        const [min, max] = limits.throughput;
        const perIops = Math.floor((iops ?? min) / 4);
        if (throughput < min || throughput > max || throughput > perIops) {
            check(key, "dataVolumeThroughputMiBps").fail(
                throughput,
                `gp3 throughput must be ${min} to ${max} MiB/s and at most IOPS/4 (${perIops}).`,
            );
        }
    }
}

/**
 * Validates the settings as LinstorCluster takes them, each unset field at its default (as the component fills it):
 * every field (LINSTOR_CLUSTER_RULES), then what depends on several: EBS limits per type, DRBD metadata and memory,
 * LINSTOR names, credentials and subnets. Throws a ConfigError naming `key(field)`.
 */
export function validateLinstorClusterSettings(given: LinstorClusterInput, key: KeyOf): void {
    const s = withLinstorClusterDefaults(given);
    validateAll([() => validateFields(s, LINSTOR_CLUSTER_RULES, key), () => refuseIgnoredVolumeSettings(given, s, key)]);
    if (s.linstorDistribution === "linbit" && (!s.drbdIoUsername || s.drbdIoPassword === undefined)) {
        check(key, s.drbdIoUsername ? "drbdIoPassword" : "drbdIoUsername").fail(
            undefined,
            "The LINBIT distribution pulls from drbd.io: set drbdIoUsername and the secret drbdIoPassword (pulumi config set --secret).",
        );
    }
    if (s.apiPublicAccessCidrs.length + s.apiPrivateAccessCidrs.length + s.apiPrivateAccessSecurityGroupIds.length === 0) {
        check(key, "apiPublicAccessCidrs").fail([], API_REACHABILITY_HELP(key));
    }
    if (s.vpcId !== undefined && (s.privateSubnetIds ?? []).length !== s.availabilityZones.length) {
        check(key, "privateSubnetIds").fail(
            s.privateSubnetIds ?? [],
            `With vpcId, give exactly one private subnet per availability zone (${s.availabilityZones.length}), in the order of availabilityZones.`,
        );
    }
    if (s.drbdPeerSlots < maxReplicas(s) - 1) {
        check(key, "drbdPeerSlots").fail(s.drbdPeerSlots, `Must be from ${maxReplicas(s) - 1} (replicas − 1) to 31.`);
    }
    validateVolume(s, "data", key);
    validateVolume(s, "metadata", key);
    for (const replicas of s.storageClassReplicas) {
        const group = storageClassSpec({
            namePrefix: s.storageClassPrefix,
            replicas,
            dataPool: "data",
            metadataPool: "drbdmeta",
            tuning: { disableFlushes: s.drbdDisableFlushes, maxBuffers: s.drbdMaxBuffers },
        }).resourceGroup;
        if (!isLinstorName(group)) {
            check(key, "storageClassPrefix").fail(
                s.storageClassPrefix,
                `LINSTOR resource-group names (here ${group}) must start with a letter and have at most 48 characters: use a prefix of at most 36.`,
            );
        }
    }
    const neededMetaMiB = externalMetadataMiB(s.dataVolumeSizeGiB, s.drbdPeerSlots, s.maxVolumesPerNode);
    const metaGiB = effectiveMetadataVolumeGiB(s);
    if (metaGiB * 1024 < neededMetaMiB) {
        check(key, "metadataVolumeSizeGiB").fail(
            metaGiB,
            `External metadata for ${s.dataVolumeSizeGiB} GiB of data with ${s.drbdPeerSlots} peer slots and up to ` +
                `${s.maxVolumesPerNode} volumes needs ${neededMetaMiB} MiB; use at least ${Math.ceil(neededMetaMiB / 1024)} GiB or leave it unset.`,
        );
    }
    const memory =
        s.instanceMemoryMiB ??
        instanceMemoryMiB(s.instanceType) ??
        check(key, "instanceMemoryMiB").fail(
            undefined,
            `Cannot derive the memory of instance type ${s.instanceType}; set instanceMemoryMiB to its memory in MiB.`,
        );
    const required = requiredNodeMemoryMiB(s.dataVolumeSizeGiB, maxReplicas(s));
    if (memory < required) {
        check(key, "instanceType").fail(
            s.instanceType,
            `It has ${memory} MiB; a storage node with ${s.dataVolumeSizeGiB} GiB at ${maxReplicas(s)} replicas needs at least ` +
                `${required} MiB (DRBD bitmaps + node baseline). Choose a larger type, e.g. m6i.large.`,
        );
    }
}
