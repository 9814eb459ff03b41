/**
 * A fake S3 bucket holding LINSTOR backups in LINSTOR's own layout, with the failure states a real bucket shows.
 * Sources: LINBIT/linstor-server at v1.33.3 (1ff3a1ea), the LINSTOR of Piraeus 2.10.8.
 *
 * - Keys: S3MetafileNameInfo.toString() `<rsc>_<backupId><s3Suffix>[^<snap>].meta` and S3VolumeNameInfo.toString()
 *   `String.format("%s%s_%05d_%s%s", rsc, layerSuffix, vlmNr, backupId, s3Suffix)` + `^<snap>` (the `^<snap>` part
 *   only when the snapshot is not named like the backup id), backupId `back_` + `yyyyMMdd_HHmmss` of the start time
 *   (server/…/backupshipping/BackupConsts.java, in UTC as the satellite's TimeUtils.millisToDate renders it).
 * - Order: every volume is uploaded (multipart, BackupShippingS3Daemon), and only when all succeeded does the
 *   satellite write the meta object (BackupShippingS3Service.preCtrlNotifyBackupShipped, `if (success && !restoring)`).
 *   `shipData` alone is a shipment still running or one that failed; `ship` is a complete one.
 * - Meta JSON: BackupMetaDataPojo's @JsonProperty names, filled as BackupShippingUtils.getBackupMetaDataPojo does
 *   (basedOn = the base's meta key WITH `.meta`; rscDfn.rscDfnProps = the resource definition's properties, where
 *   linstor-csi v1.11.3 keeps `Aux/csi.storage.k8s.io/pvc/{name,namespace}` (pkg/driver/driver.go CreateVolume);
 *   vlmDfns.<nr>.size in KiB; backups: volume number → [{name, finishedTimestamp, node}]; clusterId = the cluster's
 *   LinStor.PROP_KEY_CLUSTER_ID). Jackson writes Map<Integer,…> keys as strings.
 * - Reads answer like S3 through the AWS provider's data sources (stacks/offline/mockCloud.ts): a missing key is a 404.
 * Damage done after the fact (an object deleted by hand or by a lifecycle rule) is `deleteObject`.
 */
import type { MockBucket } from "../../../stacks/offline/mockCloud";

export interface ShipOptions {
    /** LINSTOR resource name: linstor-csi names it after the PV, `pvc-<claim UID>`. */
    readonly resource: string;
    /** LINSTOR snapshot name: `snapshot-<VolumeSnapshot UID>` through csi-snapshotter. */
    readonly snapshot: string;
    /** Start time (UTC); the key's backup id is its `yyyyMMdd_HHmmss`. */
    readonly start: Date;
    /** Seconds the shipment took. Default 120. */
    readonly seconds?: number;
    /** The backup id this one is an increment of (its meta key without `.meta`). */
    readonly basedOn?: string;
    readonly clusterId?: string;
    readonly pvcNamespace?: string;
    readonly pvcName?: string;
    /** Volume size in GiB (the meta's vlmDfns size). Default 50. */
    readonly volumeGiB?: number;
    /** Size of each volume's data object in bytes (compressed stream). Default 1 GiB for a full, 64 MiB for an increment. */
    readonly dataBytes?: number;
    /** Volumes of the resource. Default 1 (a linstor-csi volume). */
    readonly volumes?: number;
    /** BackupShipping/S3Suffix of the satellites (none by default). */
    readonly s3Suffix?: string;
}

export const PRIMARY_CLUSTER_ID = "7c1d2f6e-0000-4000-8000-00000000c1a1";

function backupIdOf(start: Date): string {
    const p = (n: number, w = 2) => String(n).padStart(w, "0");
    return `back_${start.getUTCFullYear()}${p(start.getUTCMonth() + 1)}${p(start.getUTCDate())}_${p(start.getUTCHours())}${p(start.getUTCMinutes())}${p(start.getUTCSeconds())}`;
}

/** S3MetafileNameInfo.toFullBackupId(): the id `linstor backup list` shows. */
export function linstorBackupId(o: Pick<ShipOptions, "resource" | "snapshot" | "start" | "s3Suffix">): string {
    const backupId = backupIdOf(o.start);
    return `${o.resource}_${backupId}${o.s3Suffix ?? ""}${o.snapshot !== backupId ? `^${o.snapshot}` : ""}`;
}

/**
 * S3VolumeNameInfo.toString() with an empty layer suffix: LINSTOR ships only the data device (RscLayerSuffixes
 * .shouldSuffixBeShipped; the external DRBD metadata our classes use, `.meta`, "will be recreated anyways"), so a
 * volume has one data key whatever its metadata placement.
 */
export function linstorDataKey(o: Pick<ShipOptions, "resource" | "snapshot" | "start" | "s3Suffix">, volumeNumber = 0): string {
    const backupId = backupIdOf(o.start);
    return `${o.resource}_${String(volumeNumber).padStart(5, "0")}_${backupId}${o.s3Suffix ?? ""}${o.snapshot !== backupId ? `^${o.snapshot}` : ""}`;
}

export class FakeLinstorBucket implements MockBucket {
    private readonly objects = new Map<string, Buffer | { readonly length: number }>();
    /** Every read (GetObject), for tests that check how much was read. */
    readonly reads: string[] = [];
    /** Every size lookup (HeadObject). */
    readonly heads: string[] = [];

    constructor(readonly name: string) {}

    object(key: string): Buffer | undefined {
        this.reads.push(key);
        const o = this.objects.get(key);
        if (o === undefined) return undefined;
        // Data objects are stored by size only (their content is never read here).
        if (!Buffer.isBuffer(o)) throw new Error(`the fake keeps no content of data object ${key}`);
        return o;
    }

    size(key: string): number | undefined {
        this.heads.push(key);
        return this.objects.get(key)?.length;
    }

    keys(): readonly string[] {
        return [...this.objects.keys()];
    }

    has(key: string): boolean {
        return this.objects.has(key);
    }

    /** Any other object (the LINSTOR database backups share the bucket under linstor-db/). */
    putOther(key: string, body = "x"): void {
        this.objects.set(key, Buffer.from(body));
    }

    deleteObject(key: string): void {
        if (!this.objects.delete(key)) throw new Error(`no object ${key}`);
    }

    /** Uploads the volumes' data only: a shipment still running, or one that failed before its meta was written. */
    shipData(o: ShipOptions): string[] {
        const full = o.basedOn === undefined;
        const keys = Array.from({ length: o.volumes ?? 1 }, (_v, nr) => linstorDataKey(o, nr));
        for (const k of keys) this.objects.set(k, { length: o.dataBytes ?? (full ? 2 ** 30 : 64 * 2 ** 20) });
        return keys;
    }

    /** A complete shipment: the data, then the meta. Returns the backup id. */
    ship(o: ShipOptions): string {
        const keys = this.shipData(o);
        const id = linstorBackupId(o);
        const start = o.start.getTime();
        const finish = start + (o.seconds ?? 120) * 1000;
        const kib = (o.volumeGiB ?? 50) * 2 ** 20;
        const vlmNrs = keys.map((_k, nr) => String(nr));
        const meta = {
            rscName: o.resource,
            nodeName: "ip-10-0-1-23.us-west-2.compute.internal",
            startTimestamp: start,
            finishTimestamp: finish,
            basedOn: o.basedOn === undefined ? null : `${o.basedOn}.meta`,
            layerData: { kind: "DRBD", rscNameSuffix: "", children: [{ kind: "STORAGE", rscNameSuffix: "" }] },
            rscDfn: {
                props: null,
                snapDfnProps: {},
                rscDfnProps: {
                    ...(o.pvcName !== undefined ? { "Aux/csi.storage.k8s.io/pvc/name": o.pvcName } : {}),
                    ...(o.pvcNamespace !== undefined ? { "Aux/csi.storage.k8s.io/pvc/namespace": o.pvcNamespace } : {}),
                    "Aux/csi-provisioning-completed-by": "linstor-csi/v1.11.3",
                    "DrbdOptions/Resource/quorum": "majority",
                },
                flags: 0,
                vlmDfns: Object.fromEntries(vlmNrs.map((nr) => [nr, { props: null, snapVlmDfnProps: {}, vlmDfnProps: {}, flags: 0, size: kib }])),
            },
            rsc: { props: null, snapProps: {}, rscProps: {}, flags: 0, vlms: {} },
            luksInfo: null,
            backups: Object.fromEntries(keys.map((k, nr) => [String(nr), [{ name: k, finishedTimestamp: finish, node: "ip-10-0-1-23" }]])),
            clusterId: o.clusterId ?? PRIMARY_CLUSTER_ID,
            snapDfnUuid: `uuid-${o.snapshot}`,
        };
        this.objects.set(`${id}.meta`, Buffer.from(JSON.stringify(meta)));
        return id;
    }
}

/** One claim's hourly chain in the bucket: a full backup and `increments` increments after it. Returns the ids, oldest first. */
export function shipChain(
    bucket: FakeLinstorBucket,
    o: Omit<ShipOptions, "snapshot" | "start" | "basedOn"> & { readonly start: Date; readonly increments: number; readonly stepMinutes?: number },
): string[] {
    const ids: string[] = [];
    for (let i = 0; i <= o.increments; i++) {
        const start = new Date(o.start.getTime() + i * (o.stepMinutes ?? 60) * 60_000);
        const snapshot = `snapshot-${o.resource.slice(4, 12)}-0000-4000-8000-${String(i).padStart(12, "0")}`;
        ids.push(bucket.ship({ ...o, snapshot, start, basedOn: ids.at(-1) }));
    }
    return ids;
}

/**
 * `GET /v1/remotes/{remote}/backups` of a LINSTOR controller over this bucket (a DR cluster, so no local snapshot
 * definitions), as linstor-server v1.33.3 answers it: CtrlBackupApiCallHandler.listBackups makes one entry per meta
 * (getBackupFromMetadata: success true, shipping false, restorable only when every data key it names is in the bucket,
 * vlms = the data keys that are, based_on_id = the meta's `basedOn`, `.meta` included) and one per data key no meta
 * claims (getBackupFromVolumeKey without a snapshot definition: shipping and success null, restorable false; its
 * S3VolumeNameInfo parse takes `^<snap>` as the s3 suffix, so origin_snap is the backup time id); rest/v1
 * serializer/Json.apiToBackup keys the map by id; nulls are left out (JsonInclude NON_EMPTY).
 */
export function linstorBackupList(bucket: FakeLinstorBucket): { linstor: Record<string, Record<string, unknown>> } {
    const keys = new Set(bucket.keys());
    const linstor: Record<string, Record<string, unknown>> = {};
    const claimed = new Set<string>();
    for (const key of keys) {
        const m = /^(.+)_(back_\d{8}_\d{6})(.*)\.meta$/.exec(key);
        if (!m) continue;
        const meta = JSON.parse((bucket.object(key) as Buffer).toString("utf8"));
        const id = key.slice(0, -".meta".length);
        const named: [string, string][] = Object.entries(meta.backups).flatMap(([nr, list]) =>
            (list as { name: string }[]).map((b) => [nr, b.name] as [string, string]),
        );
        for (const [, k] of named) claimed.add(k);
        const snap = /\^(.*)$/.exec(m[3])?.[1] ?? m[2];
        linstor[id] = {
            id,
            start_timestamp: meta.startTimestamp,
            finished_timestamp: meta.finishTimestamp,
            origin_rsc: m[1],
            origin_snap: snap,
            origin_node: meta.nodeName,
            success: true,
            shipping: false,
            restorable: named.every(([, k]) => keys.has(k)),
            vlms: named.filter(([, k]) => keys.has(k)).map(([nr, k]) => ({ vlm_nr: Number(nr), s3: { key: k } })),
            s3: { meta_name: key },
            ...(meta.basedOn ? { based_on_id: meta.basedOn } : {}),
        };
    }
    for (const key of keys) {
        const m = /^(.+)_(\d{5})_(back_\d{8}_\d{6})(.*)$/.exec(key);
        if (!m || key.endsWith(".meta") || claimed.has(key)) continue;
        const id = `${m[1]}_${m[3]}${m[4]}`;
        linstor[id] = { id, origin_rsc: m[1], origin_snap: m[3], restorable: false, vlms: [{ vlm_nr: Number(m[2]), s3: { key } }] };
    }
    return { linstor };
}

/** The dev stack's Jenkins claim as LINSTOR names its resource (the mock's claim UID for `hje-dev-jenkins-home`). */
export const DEV_JENKINS_RESOURCE = "pvc-11111111-0000-4000-8000-686a652d6465";

/**
 * The primary's bucket as the DR specs find it: a day of hourly backups of Jenkins' claim (a full at 00:00 and 23
 * increments), a shipment still running after the last one, and the LINSTOR database backups beside them. Returns the
 * bucket and the ids, oldest first.
 */
export function primaryBucket(name: string): { bucket: FakeLinstorBucket; ids: string[] } {
    const bucket = new FakeLinstorBucket(name);
    const ids = shipChain(bucket, {
        resource: DEV_JENKINS_RESOURCE,
        pvcNamespace: "jenkins",
        pvcName: "jenkins-home",
        volumeGiB: 20,
        start: new Date("2026-07-01T00:00:00Z"),
        increments: 23,
    });
    bucket.shipData({ resource: DEV_JENKINS_RESOURCE, snapshot: "snapshot-in-flight", start: new Date("2026-07-02T00:00:00Z"), basedOn: ids.at(-1) });
    bucket.putOther("linstor-db/hje-dev/20260701T020000Z.tar.gz");
    return { bucket, ids };
}

/**
 * An old primary that came back after a fail-over: its cluster's snapshot CronJob runs again on the stale claim and
 * ships into the same bucket, with the same claim namespace and name in the meta (the rscDfn props linstor-csi set
 * when the claim was provisioned) and its own `clusterId`. LINSTOR bases the first increment on the snapshot named by
 * `BackupShipping/Source/<remote>/LastStartedOrQueued`, which still exists on that cluster
 * (CtrlBackupCreateApiCallHandler.getIncrementalBase, v1.33.3), so the stale chain continues the old one.
 * Returns the stale backups' ids, oldest first.
 */
export function stalePrimaryResumes(
    bucket: FakeLinstorBucket,
    o: { readonly lastPrimaryBackup: string; readonly start: Date; readonly backups: number; readonly stepMinutes?: number },
): string[] {
    const ids: string[] = [];
    for (let i = 0; i < o.backups; i++) {
        const start = new Date(o.start.getTime() + i * (o.stepMinutes ?? 60) * 60_000);
        const snapshot = `snapshot-5ta1e000-0000-4000-8000-${String(i).padStart(12, "0")}`;
        ids.push(
            bucket.ship({
                resource: DEV_JENKINS_RESOURCE,
                pvcNamespace: "jenkins",
                pvcName: "jenkins-home",
                volumeGiB: 20,
                clusterId: PRIMARY_CLUSTER_ID,
                snapshot,
                start,
                basedOn: ids.at(-1) ?? o.lastPrimaryBackup,
            }),
        );
    }
    return ids;
}
