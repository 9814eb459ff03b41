/** Block-device mappings and metadata options of the storage-node launch template (pure). */
import type { EbsVolumeType, LinstorClusterSettings } from "./settings";
import { effectiveMetadataVolumeGiB } from "./settings";
import type { PoolDevice } from "./userData";

export const ROOT_DEVICE = "/dev/xvda";
/** Pool devices by their block-device mapping name; user data links them to stable paths. */
export const DATA_DEVICE: PoolDevice = { mappingName: "/dev/sdf", stablePath: "/dev/linstor/data" };
export const METADATA_DEVICE: PoolDevice = { mappingName: "/dev/sdg", stablePath: "/dev/linstor/drbdmeta" };

export interface EbsMapping {
    readonly deviceName: string;
    readonly ebs: {
        readonly volumeSize: number;
        readonly volumeType: EbsVolumeType;
        readonly iops?: number;
        readonly throughput?: number;
        readonly encrypted: "true";
        readonly kmsKeyId?: string;
        readonly deleteOnTermination: "true";
    };
}

function mapping(
    deviceName: string,
    volumeSize: number,
    volumeType: EbsVolumeType,
    kmsKeyId?: string,
    iops?: number,
    throughput?: number,
): EbsMapping {
    const provisionedIops = volumeType === "gp3" || volumeType === "io1" || volumeType === "io2";
    return {
        deviceName,
        ebs: {
            volumeSize,
            volumeType,
            ...(provisionedIops && iops !== undefined ? { iops } : {}),
            ...(volumeType === "gp3" && throughput !== undefined ? { throughput } : {}),
            encrypted: "true",
            ...(kmsKeyId ? { kmsKeyId } : {}),
            // A replacement node resyncs from its peers; a dead node's disk is not worth keeping.
            deleteOnTermination: "true",
        },
    };
}

export function blockDeviceMappings(s: LinstorClusterSettings): EbsMapping[] {
    return [
        mapping(ROOT_DEVICE, s.rootVolumeSizeGiB, "gp3", s.ebsKmsKeyArn),
        mapping(DATA_DEVICE.mappingName, s.dataVolumeSizeGiB, s.dataVolumeType, s.ebsKmsKeyArn, s.dataVolumeIops, s.dataVolumeThroughputMiBps),
        mapping(METADATA_DEVICE.mappingName, effectiveMetadataVolumeGiB(s), s.metadataVolumeType, s.ebsKmsKeyArn),
    ];
}

/** IMDSv2 only; hop limit 1 keeps pods from borrowing the node role's credentials. */
export function metadataOptions(hopLimit: number) {
    return {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: hopLimit,
        instanceMetadataTags: "disabled",
    };
}

/** SSM parameter of the recommended EKS-optimized AL2023 AMI. */
export function al2023AmiParameter(kubernetesVersion: string, architecture: "x86_64" | "arm64"): string {
    return `/aws/service/eks/optimized-ami/${kubernetesVersion}/amazon-linux-2023/${architecture}/standard/recommended/image_id`;
}
