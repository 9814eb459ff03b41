/**
 * DRBD sizing rules, as pure functions.
 *
 * DRBD keeps one bitmap per peer: 1 bit per 4 KiB block, i.e. 32 KiB per GiB of data per peer
 * (= 32 MiB per TiB per peer). That bitmap lives in RAM for each *connected peer*, and on disk in
 * the metadata for each *peer slot*. LINSTOR reserves 7 peer slots per new resource by default
 * (LINBIT/linstor-server InternalApiConsts, property `PeerSlotsNewResource`), so on-disk metadata is
 * 7 × 32 MiB per TiB = 224 MiB per TiB — seven times the 2022 reference architecture's "32 MiB per TiB per peer" rule.
 * We size external metadata for the peer slots actually reserved, which is the safe rule.
 */

/** Bitmap bytes per GiB of data per peer (1 bit per 4 KiB). */
export const BITMAP_KIB_PER_GIB_PER_PEER = 32;
/** LINSTOR's default `PeerSlotsNewResource`. */
export const LINSTOR_DEFAULT_PEER_SLOTS = 7;
/** Activity log (32 KiB) + superblock (4 KiB) per volume, rounded up to LVM's 4 MiB extent. */
export const METADATA_PER_VOLUME_OVERHEAD_MIB = 4;
/** Memory we assume the node needs besides DRBD: kubelet/system reserve, VPC CNI, LINSTOR satellite, CSI node. */
export const NODE_BASELINE_MEMORY_MIB = 3072;
/** Smallest EBS volume we will create for the metadata pool, as in the 2022 reference architecture. */
export const MIN_METADATA_VOLUME_GIB = 4;

/** RAM DRBD needs on one node for its bitmaps when `dataGiB` of replicated data sits there with `replicas` copies. */
export function drbdBitmapMemoryMiB(dataGiB: number, replicas: number): number {
    const peers = Math.max(replicas - 1, 0);
    return Math.ceil((dataGiB * BITMAP_KIB_PER_GIB_PER_PEER * peers) / 1024);
}

/** Minimum memory a storage node must have for DRBD plus the baseline node overhead. */
export function requiredNodeMemoryMiB(dataGiB: number, replicas: number): number {
    return NODE_BASELINE_MEMORY_MIB + drbdBitmapMemoryMiB(dataGiB, replicas);
}

/**
 * External metadata needed for `dataGiB` of data in at most `maxVolumes` volumes, each with
 * `peerSlots` bitmap slots (not just current peers): bitmaps + per-volume overhead.
 */
export function externalMetadataMiB(dataGiB: number, peerSlots: number, maxVolumes: number): number {
    const bitmapMiB = Math.ceil((dataGiB * BITMAP_KIB_PER_GIB_PER_PEER * peerSlots) / 1024);
    return bitmapMiB + maxVolumes * METADATA_PER_VOLUME_OVERHEAD_MIB;
}

/** Default metadata EBS volume size: the requirement with 25 % headroom, at least 4 GiB. */
export function defaultMetadataVolumeGiB(dataGiB: number, peerSlots: number, maxVolumes: number): number {
    const neededGiB = (externalMetadataMiB(dataGiB, peerSlots, maxVolumes) * 1.25) / 1024;
    return Math.max(MIN_METADATA_VOLUME_GIB, Math.ceil(neededGiB));
}

/** Vendor memory per vCPU (GiB) by instance family class letter. */
const GIB_PER_VCPU: Record<string, number> = { c: 2, m: 4, r: 8, x: 16, z: 8, i: 8 };
/** vCPUs by size name; `Nxlarge` is handled as 4·N. */
const VCPUS_BY_SIZE: Record<string, number> = { medium: 1, large: 2, xlarge: 4 };
/** Burstable t3/t3a/t4g sizes do not follow the ratio above. */
const BURSTABLE_MIB: Record<string, number> = {
    nano: 512,
    micro: 1024,
    small: 2048,
    medium: 4096,
    large: 8192,
    xlarge: 16384,
    "2xlarge": 32768,
};

/**
 * Memory of an EC2 instance type in MiB, derived from the type's name for the common families
 * (c/m/r/x/z/i and burstable t). Returns `undefined` for anything it cannot derive, so the
 * caller asks the user for `instanceMemoryMiB` instead of guessing.
 */
export function instanceMemoryMiB(instanceType: string): number | undefined {
    const match = /^([a-z])(\d+)([a-z-]*)\.([a-z0-9]+)$/.exec(instanceType);
    if (!match) return undefined;
    const [, family, , , size] = match;
    if (family === "t") return BURSTABLE_MIB[size];
    const ratio = GIB_PER_VCPU[family];
    if (ratio === undefined) return undefined;
    const multiple = /^(\d+)xlarge$/.exec(size);
    const vcpus = multiple ? 4 * Number(multiple[1]) : VCPUS_BY_SIZE[size];
    if (vcpus === undefined) return undefined;
    return vcpus * ratio * 1024;
}

/** vCPUs of an EC2 instance type, for the families instanceMemoryMiB derives; `undefined` otherwise. */
export function instanceVcpus(instanceType: string): number | undefined {
    const match = /^([a-z])(\d+)([a-z-]*)\.([a-z0-9]+)$/.exec(instanceType);
    if (!match || instanceMemoryMiB(instanceType) === undefined) return undefined;
    const [, family, , , size] = match;
    // Burstable t3/t3a/t4g: 2 vCPUs up to large, then 4 and 8.
    if (family === "t") return { xlarge: 4, "2xlarge": 8 }[size] ?? 2;
    const multiple = /^(\d+)xlarge$/.exec(size);
    return multiple ? 4 * Number(multiple[1]) : VCPUS_BY_SIZE[size];
}

/** Graviton families carry a `g` right after the generation digit (m7g, c6gn, r8g …). */
export function instanceArchitecture(instanceType: string): "x86_64" | "arm64" {
    return /^[a-z]+\d+g[a-z]*\./.test(instanceType) ? "arm64" : "x86_64";
}
