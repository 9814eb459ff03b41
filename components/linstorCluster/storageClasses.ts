import { createHash } from "node:crypto";

/** The CSI driver name of linstor-csi. */
export const LINSTOR_PROVISIONER = "linstor.csi.linbit.com";
const CSI = "linstor.csi.linbit.com/";
/** Current prefix for LINSTOR properties set through a StorageClass (the bare `DrbdOptions/…` keys are deprecated). */
export const PROPERTY_PREFIX = "property.linstor.csi.linbit.com/";
export const ZONE_TOPOLOGY_KEY = "topology.kubernetes.io/zone";

export interface DrbdTuning {
    /**
     * Turn off DRBD disk and metadata flushes. The 2022 reference architecture does this for speed; LINBIT only calls it
     * safe on storage with a battery-backed/non-volatile write cache. Default false (flushes on).
     */
    readonly disableFlushes: boolean;
    /** DRBD `max-buffers`; the 2022 reference architecture uses 10000. */
    readonly maxBuffers: number;
}

export interface StorageClassSpecArgs {
    /** StorageClass name prefix; the class is `<prefix>-r<replicas>`. */
    readonly namePrefix: string;
    readonly replicas: number;
    readonly dataPool: string;
    readonly metadataPool: string;
    readonly tuning: DrbdTuning;
}

export interface StorageClassSpec {
    readonly name: string;
    readonly resourceGroup: string;
    readonly parameters: Record<string, string>;
}

/**
 * Quorum of every class that promises three (or more) replicas, written on its resource group.
 * - `quorum: majority`: set by hand, LINSTOR marks it `Internal/Drbd/QuorumSetBy=user` and stops managing quorum for
 *   these resources (linstor-server v1.33.3 CtrlPropsHelper, CtrlRscAutoQuorumHelper); the HA Controller fails a pod
 *   over only for resources configured exactly `majority` (piraeus-ha-controller v1.3.2
 *   pkg/agent/reconcile_failover.go). `DrbdOptions/auto-quorum`, which this replaced, has done nothing since LINSTOR
 *   1.31.0 (linstorProperties.ts).
 * - `on-no-quorum: suspend-io`, not io-error: a primary cut off from its peers freezes its I/O instead of handing
 *   Jenkins EIO mid-write. Quorum loss stays detectable either way (DRBD reports `quorum:no`; the HA Controller
 *   taints the node and fails the pod over from the side that kept quorum), and the HA Controller is built for
 *   suspend-io: it forces I/O errors on a suspended primary whose pod must stop (reconcile_suspended_pod_termination.go),
 *   and the operator configures suspend-io cluster-wide (piraeus-operator#412, #795).
 * - `on-suspended-primary-outdated: force-secondary`: once that primary reconnects and learns it is outdated, it
 *   becomes secondary and fails the frozen writes instead of hanging (the operator's default too; repeated here so
 *   the class does not depend on it).
 */
export const QUORUM_PROPERTIES: Readonly<Record<string, string>> = {
    "DrbdOptions/Resource/quorum": "majority",
    "DrbdOptions/Resource/on-no-quorum": "suspend-io",
    "DrbdOptions/Resource/on-suspended-primary-outdated": "force-secondary",
};

/** LINSTOR/DRBD options of a class, i.e. what becomes resource-group properties. */
export function drbdProperties(replicas: number, tuning: DrbdTuning): Record<string, string> {
    const props: Record<string, string> = {
        [`${PROPERTY_PREFIX}DrbdOptions/Net/max-buffers`]: String(tuning.maxBuffers),
    };
    if (tuning.disableFlushes) {
        props[`${PROPERTY_PREFIX}DrbdOptions/Disk/disk-flushes`] = "no";
        props[`${PROPERTY_PREFIX}DrbdOptions/Disk/md-flushes`] = "no";
    }
    if (replicas >= 3) {
        Object.assign(props, Object.fromEntries(Object.entries(QUORUM_PROPERTIES).map(([k, v]) => [`${PROPERTY_PREFIX}${k}`, v])));
    }
    return props;
}

/**
 * linstor-csi refuses to change a property of an existing resource group ("cannot change existing
 * property value"), so a class whose options change must land in a *new* resource group. The group
 * name therefore carries a short hash of the options: same options → same (stable) name; new
 * options → new group, existing volumes keep theirs.
 */
export function resourceGroupName(className: string, properties: Record<string, string>): string {
    const canonical = JSON.stringify(
        Object.keys(properties)
            .sort()
            .map((k) => [k, properties[k]]),
    );
    const hash = createHash("sha256").update(canonical).digest("hex").slice(0, 8);
    return `${className}-${hash}`;
}

export function storageClassSpec(args: StorageClassSpecArgs): StorageClassSpec {
    const name = `${args.namePrefix}-r${args.replicas}`;
    const properties = {
        [`${PROPERTY_PREFIX}StorPoolNameDrbdMeta`]: args.metadataPool,
        ...drbdProperties(args.replicas, args.tuning),
    };
    const resourceGroup = resourceGroupName(name, { replicas: String(args.replicas), pool: args.dataPool, ...properties });
    return {
        name,
        resourceGroup,
        parameters: {
            [`${CSI}placementCount`]: String(args.replicas),
            [`${CSI}storagePool`]: args.dataPool,
            [`${CSI}resourceGroup`]: resourceGroup,
            [`${CSI}replicasOnDifferent`]: ZONE_TOPOLOGY_KEY,
            [`${CSI}allowRemoteVolumeAccess`]: "false",
            ...properties,
        },
    };
}
