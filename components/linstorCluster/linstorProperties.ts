/**
 * Every LINSTOR/DRBD property the program writes, with the LINSTOR versions that accept it, and the linstor-csi
 * StorageClass parameter keys it uses. A test scans what the component registers and checks each key against
 * these tables for the LINSTOR the pinned operator deploys (operatorReleases.ts `OPERATOR_BUNDLED_IMAGES`).
 *
 * Where the rules come from (LINSTOR v1.33.3 = linstor-server tag 1ff3a1ea, its `linstor-common` submodule at
 * ab276708):
 * - LINSTOR refuses a key that is not whitelisted for the object, and a value its rule rejects
 *   (`FAIL_INVLD_PROP`: controller/.../CtrlPropsHelper.java `fillProperties`, "Invalid property key" /
 *   "Invalid property(...) value"). A resource group is checked against the resource-definition whitelist
 *   (CtrlRscGrpApiCallHandler.java passes `LinStorObject.RSC_DFN`).
 * - The static whitelist is linstor-common `properties.json` (objects `controller`, `resource-definition`); the DRBD
 *   options are generated from linstor-common `drbdsetup.xml` (`gendrbdoptions.py`: `resource-options` →
 *   `DrbdOptions/Resource`, `new-peer` → `DrbdOptions/Net`, `disk-options` → `DrbdOptions/Disk`, for both objects).
 * - Value rules: `BooleanProperty` accepts `(?i)(yes|no)`; numeric options their `<min>`–`<max>`; `handler` and
 *   `numeric-or-symbol` options their listed symbols (server/.../api/prop/*.java).
 * - First versions were read from the same files at the linstor-common commit each linstor-server tag pins.
 */
import { compareSemver } from "./versions";

/** Where the program writes a property: the controller (LinstorCluster.spec.properties) or a resource group (a StorageClass `property.` key). */
export type LinstorObject = "controller" | "resource-group";

export interface LinstorPropertyRule {
    readonly key: string;
    readonly objects: readonly LinstorObject[];
    /** The values LINSTOR accepts, as written in its whitelist. */
    readonly values: string;
    readonly valid: (value: string) => boolean;
    /** First LINSTOR version that accepts the key on those objects. */
    readonly since: string;
    /** First LINSTOR version where the key no longer works (refused or without effect); absent: still current. */
    readonly until?: string;
    readonly why: string;
    readonly source: string;
}

const range = (min: number, max: number) => (v: string) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max;
const oneOf =
    (...allowed: string[]) =>
    (v: string) =>
        allowed.includes(v);
const DRBDSETUP = "linstor-common drbdsetup.xml";
const PROPERTIES = "linstor-common properties.json";

/** The properties this program writes. */
export const LINSTOR_PROPERTIES: readonly LinstorPropertyRule[] = [
    {
        key: "PeerSlotsNewResource",
        objects: ["controller"],
        values: "1–31",
        valid: range(1, 31),
        since: "1.0.0",
        why: "drbdPeerSlots when it differs from LINSTOR's default 7 (LinstorCluster.spec.properties)",
        source: `${PROPERTIES} peer_slots_new_resource (controller, resource-definition)`,
    },
    {
        key: "StorPoolNameDrbdMeta",
        objects: ["resource-group"],
        values: "a storage-pool name or .internal",
        valid: (v) => /^(|\.internal|[a-zA-Z0-9_][a-zA-Z0-9_-]{2,47})$/.test(v),
        since: "1.0.0",
        why: "external DRBD metadata in the drbdmeta pool, every class",
        source: `${PROPERTIES} storage_pool_drbd_meta_name`,
    },
    {
        key: "DrbdOptions/Net/max-buffers",
        objects: ["resource-group"],
        values: "32–131072",
        valid: range(32, 131072),
        since: "1.0.0",
        why: "drbdMaxBuffers, every class",
        source: `${DRBDSETUP} new-peer max-buffers`,
    },
    {
        key: "DrbdOptions/Disk/disk-flushes",
        objects: ["resource-group"],
        values: "yes | no",
        valid: (v) => /^(yes|no)$/i.test(v),
        since: "1.0.0",
        why: "drbdDisableFlushes: true",
        source: `${DRBDSETUP} disk-options disk-flushes (boolean)`,
    },
    {
        key: "DrbdOptions/Disk/md-flushes",
        objects: ["resource-group"],
        values: "yes | no",
        valid: (v) => /^(yes|no)$/i.test(v),
        since: "1.0.0",
        why: "drbdDisableFlushes: true",
        source: `${DRBDSETUP} disk-options md-flushes (boolean)`,
    },
    {
        key: "DrbdOptions/Resource/quorum",
        objects: ["resource-group"],
        values: "off | majority | all | 1–32",
        valid: (v) => oneOf("off", "majority", "all")(v) || range(1, 32)(v),
        since: "1.0.0",
        why:
            "classes of 3 or more replicas: majority quorum, which the HA Controller requires to fail over " +
            "(piraeus-ha-controller v1.3.2 pkg/agent/reconcile_failover.go: `Quorum != QuorumMajority` → no fail-over)",
        source: `${DRBDSETUP} resource-options quorum (numeric-or-symbol)`,
    },
    {
        key: "DrbdOptions/Resource/on-no-quorum",
        objects: ["resource-group"],
        values: "io-error | suspend-io",
        valid: oneOf("io-error", "suspend-io"),
        since: "1.0.0",
        why: "classes of 3 or more replicas: suspend-io (see storageClasses.ts)",
        source: `${DRBDSETUP} resource-options on-no-quorum (handler)`,
    },
    {
        key: "DrbdOptions/Resource/on-suspended-primary-outdated",
        objects: ["resource-group"],
        values: "disconnect | force-secondary",
        valid: oneOf("disconnect", "force-secondary"),
        since: "1.19.0",
        why: "classes of 3 or more replicas: a suspended primary that lost the election becomes secondary and fails its frozen I/O",
        source: `${DRBDSETUP} resource-options on-suspended-primary-outdated (handler); absent from the drbdsetup.xml of 1.18.x`,
    },
];

/**
 * Keys the program must not write any more, with why. `DrbdOptions/auto-quorum` is still whitelisted at 1.33.3,
 * answers WARN_DEPRECATED ("... is deprecated, please use DrbdOptions/Resource/quorum", CtrlPropsHelper.java) and
 * does nothing: linstor-common properties.json `drbd_auto_quorum` "DEPRECATED and not functional anymore, will be
 * removed in 1.35.0"; LINSTOR CHANGELOG 1.31.0 "Auto-quorum: Reworked auto-quorum property behaviour, property was
 * removed and auto-quorum is now managed through the drbd option quorum".
 */
export const RETIRED_LINSTOR_PROPERTIES: readonly LinstorPropertyRule[] = [
    {
        key: "DrbdOptions/auto-quorum",
        objects: ["controller", "resource-group"],
        values: "io-error | suspend-io | disabled",
        valid: oneOf("io-error", "suspend-io", "disabled"),
        since: "1.2.0",
        until: "1.31.0",
        why: "no effect from 1.31.0 (quorum is managed through DrbdOptions/Resource/quorum); to be refused from 1.35.0",
        source: `${PROPERTIES} drbd_auto_quorum; linstor-server CHANGELOG.md [1.31.0]`,
    },
];

/** Why `key = value` written on `object` does not work on LINSTOR `version`, or undefined when it does. */
export function linstorPropertyProblem(key: string, value: string, object: LinstorObject, version: string): string | undefined {
    const retired = RETIRED_LINSTOR_PROPERTIES.find((r) => r.key === key);
    if (retired) return `${key} is retired: ${retired.why}.`;
    const rule = LINSTOR_PROPERTIES.find((r) => r.key === key);
    if (!rule) return `${key} is not in the table of properties the program may write (components/linstorCluster/linstorProperties.ts).`;
    if (!rule.objects.includes(object)) return `${key} is not written on the ${object} (table: ${rule.objects.join(", ")}).`;
    if (compareSemver(version, rule.since) < 0) return `${key} needs LINSTOR ${rule.since} or later; the operator deploys ${version}.`;
    if (rule.until !== undefined && compareSemver(version, rule.until) >= 0)
        return `${key} stops working in LINSTOR ${rule.until}; the operator deploys ${version}.`;
    if (!rule.valid(value)) return `${key} = "${value}" is not a valid value (LINSTOR accepts ${rule.values}).`;
    return undefined;
}

/**
 * The keys linstor-csi parses in its own namespace (`linstor.csi.linbit.com/<key>`, compared lower case), v1.11.2
 * and v1.11.3 alike: piraeusdatastore/linstor-csi pkg/volume/parameter.go `paramKey` (enumer). Any other key in that
 * namespace fails the volume ("invalid parameter"); `property.linstor.csi.linbit.com/<key>` is copied verbatim into
 * the resource group's properties (`case linstor.PropertyNamespace`), so LINSTOR's whitelist above decides.
 */
export const LINSTOR_CSI_PARAMETER_KEYS_1_11 = [
    "allowremotevolumeaccess",
    "autoplace",
    "clientlist",
    "disklessonremaining",
    "disklessstoragepool",
    "donotplacewithregex",
    "encryption",
    "fsopts",
    "layerlist",
    "mountopts",
    "nodelist",
    "placementcount",
    "placementpolicy",
    "replicasondifferent",
    "replicasonsame",
    "sizekib",
    "storagepool",
    "postmountxfsopts",
    "resourcegroup",
    "usepvcname",
    "overprovision",
    "xreplicasondifferent",
    "nfsconfigtemplate",
    "nfsservicename",
    "nfssquash",
    "nfsrecoveryvolumesize",
] as const;
