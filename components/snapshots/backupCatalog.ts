/**
 * LINSTOR's backups as they lie in the S3 bucket, read without LINSTOR: which ones are complete, and the newest
 * complete backup of a Jenkins claim. The DR stack uses it to pick what to restore by itself, the primary to export
 * its newest backup. Pure parsing and selection over a `BucketReader` (bucketReader.ts reads a real bucket).
 *
 * Upstream, LINBIT/linstor-server at v1.33.3 (1ff3a1ea, the LINSTOR of Piraeus 2.10.8), `server/…/backupshipping/`:
 * - Object names: BackupConsts.java (`back_`, `^`, `.meta`, `yyyyMMdd_HHmmss`), S3MetafileNameInfo.java (meta key
 *   `<rsc>_back_<ts>[<s3Suffix>][^<snap>].meta`, `^<snap>` left out when the snapshot is named like the backup id) and
 *   S3VolumeNameInfo.java (data key `<rsc>[<layerSuffix>]_<vlmNr, 5 digits>_back_<ts>[<s3Suffix>][^<snap>]`). The two
 *   patterns below are theirs.
 * - The meta object is written LAST, only after every volume shipped successfully (satellite
 *   BackupShippingS3Service.preCtrlNotifyBackupShipped: `if (success && !restoring) putObject(s3MetaKey, …)`), as
 *   plain JSON (BackupToS3.putObject/getMetaFile). Data without a meta is a shipment in progress or one that failed.
 * - The meta's fields (BackupMetaDataPojo, filled by BackupShippingUtils.getBackupMetaDataPojo): `rscName`,
 *   `nodeName`, `startTimestamp`/`finishTimestamp` (ms), `basedOn` (the base backup's META KEY, `.meta` included;
 *   null for a full backup), `layerData`, `rscDfn` (`rscDfnProps`, `vlmDfns.<nr>.size` in KiB), `rsc`, `luksInfo`,
 *   `backups` (volume number → [{name: data key, finishedTimestamp, node}]), `clusterId`, `snapDfnUuid`.
 * - "Restorable" as LINSTOR lists it (controller CtrlBackupApiCallHandler.getBackupFromMetadata): every data key the
 *   meta names is in the bucket and parses as a data key of that volume number. A restore then follows `basedOn` down
 *   to the full backup and downloads each one (CtrlBackupRestoreApiCallHandler, "3a. Follow the metadata chain"), so a
 *   backup is complete here only when its whole chain is.
 * - linstor-csi v1.11.3 (bab63b37) restores a backup only with exactly one volume (pkg/client/linstor.go
 *   findS3BackupInRemote: `len(backup.Vlms) != 1` is skipped) and finds it by `origin_rsc` + `origin_snap`, so its
 *   handle is `s3://<remote>/<rsc>/<snap>` (pkg/volume/volume.go SnapshotId.String / ParseSnapshotId: `/<rsc>/<snap>`,
 *   1.11.3 also `/<rsc>/<vlmNr>/<snap>`).
 * - Which claim a backup is of: linstor-csi stores the claim's name and namespace as resource-definition properties
 *   `Aux/csi.storage.k8s.io/pvc/name` and `…/pvc/namespace` (pkg/driver/driver.go CreateVolume, from the parameters
 *   csi-provisioner adds with `--extra-create-metadata`, which the Piraeus operator sets:
 *   pkg/resources/cluster/csi-controller/csi-controller-deployment.yaml), and the meta copies them (`rscDfn.rscDfnProps`).
 */
import { createHash } from "node:crypto";

export const META_SUFFIX = ".meta";
/** S3MetafileNameInfo.META_FILE_PATTERN (Java's `(?:|…)` prefers the empty branch, as JavaScript's does). */
const META_KEY = /^(?<rsc>[a-zA-Z0-9_-]{2,48})_(?<backupId>back_[0-9]{8}_[0-9]{6})(?:|(?<s3Suffix>:?.+?))(?<snap>\^.*)?\.meta$/;
/**
 * S3VolumeNameInfo.BACKUP_VOLUME_PATTERN. Unlike the meta pattern it has no empty-first branch, so for
 * `…_back_<ts>^<snap>` its lazy, optional `s3Suffix` group takes `^<snap>` and `snapName` stays empty, in Java as here:
 * only the resource, volume number and backup time are read from a data key (LINSTOR itself reads only the volume number).
 */
const DATA_KEY =
    /^(?<rsc>[a-zA-Z0-9_-]{2,48})(?<layerSuffix>\..+)?_(?<vlmNr>[0-9]{5})_(?<backupId>back_[0-9]{8}_[0-9]{6})(?<s3Suffix>:?.+?)?(?<snap>\^.*)?$/;
/** Resource-definition properties linstor-csi sets from csi-provisioner's `--extra-create-metadata`. */
export const PVC_NAME_PROP = "Aux/csi.storage.k8s.io/pvc/name";
export const PVC_NAMESPACE_PROP = "Aux/csi.storage.k8s.io/pvc/namespace";
/** Longest chain followed before giving up (a loop or a corrupt bucket). */
const MAX_CHAIN = 10000;
/** Metas read ahead of the link a chain has reached (newestCompleteBackup): a few requests in flight, not the resource's all. */
const PREFETCH = 8;

export interface MetaKeyInfo {
    readonly resource: string;
    /** `back_<yyyyMMdd_HHmmss>`, the backup's start time in UTC. */
    readonly backupTime: string;
    readonly s3Suffix: string;
    /** The LINSTOR snapshot name (the backup time id when the key carries none). */
    readonly snapshot: string;
}

/** Parses a meta key like LINSTOR does; undefined for any other key. */
export function parseMetaKey(key: string): MetaKeyInfo | undefined {
    const m = META_KEY.exec(key);
    if (!m?.groups) return undefined;
    const snap = (m.groups.snap ?? "").replace(/^\^/, "");
    return { resource: m.groups.rsc, backupTime: m.groups.backupId, s3Suffix: m.groups.s3Suffix ?? "", snapshot: snap || m.groups.backupId };
}

export interface DataKeyInfo {
    readonly resource: string;
    readonly volumeNumber: number;
    readonly backupTime: string;
}

/** Parses a volume data key like LINSTOR does; undefined for any other key. */
export function parseDataKey(key: string): DataKeyInfo | undefined {
    const m = DATA_KEY.exec(key);
    if (!m?.groups) return undefined;
    return { resource: m.groups.rsc, volumeNumber: Number(m.groups.vlmNr), backupTime: m.groups.backupId };
}

/** What the program reads from a bucket: keys and objects. Rejections are read errors (not "missing"). */
export interface BucketReader {
    /** Every key of the bucket. */
    listKeys(): Promise<readonly string[]>;
    /** The object's content as text. */
    readText(key: string): Promise<string>;
    /** The object's size in bytes. */
    size(key: string): Promise<number>;
}

/** One backup as its meta object describes it. */
export interface LinstorBackup {
    /** LINSTOR's backup id: the meta key without `.meta` (what `linstor backup list` shows). */
    readonly id: string;
    readonly resource: string;
    readonly snapshot: string;
    /** `back_<yyyyMMdd_HHmmss>` from the key. */
    readonly backupTime: string;
    readonly startTimestamp: number;
    readonly finishTimestamp: number;
    /** The id of the backup this one is an increment of; undefined for a full backup. */
    readonly basedOnId?: string;
    readonly clusterId?: string;
    /** Data keys by volume number, as the meta names them. */
    readonly dataKeys: Readonly<Record<string, readonly string[]>>;
    /** Size of the volume (all volumes) in bytes, from `rscDfn.vlmDfns.*.size` (KiB). */
    readonly volumeBytes: number;
    readonly pvcNamespace?: string;
    readonly pvcName?: string;
}

/** Parses a meta object's JSON; throws with the reason when it is not one. */
export function parseMeta(id: string, key: MetaKeyInfo, text: string): LinstorBackup {
    const j = JSON.parse(text) as Record<string, unknown>;
    const backups = j.backups as Record<string, { name?: unknown }[]> | undefined;
    if (typeof backups !== "object" || backups === null) throw new Error("no `backups` map");
    const dataKeys = Object.fromEntries(Object.entries(backups).map(([nr, list]) => [nr, (list ?? []).map((b) => String(b.name))]));
    const rscDfn = (j.rscDfn ?? {}) as { rscDfnProps?: Record<string, string>; vlmDfns?: Record<string, { size?: number }> };
    const kib = Object.values(rscDfn.vlmDfns ?? {}).reduce((t, v) => t + (typeof v?.size === "number" ? v.size : 0), 0);
    const basedOn = typeof j.basedOn === "string" && j.basedOn !== "" ? j.basedOn : undefined;
    return {
        id,
        resource: key.resource,
        snapshot: key.snapshot,
        backupTime: key.backupTime,
        startTimestamp: Number(j.startTimestamp),
        finishTimestamp: Number(j.finishTimestamp),
        basedOnId: basedOn?.endsWith(META_SUFFIX) ? basedOn.slice(0, -META_SUFFIX.length) : basedOn,
        clusterId: typeof j.clusterId === "string" ? j.clusterId : undefined,
        dataKeys,
        volumeBytes: kib * 1024,
        pvcNamespace: rscDfn.rscDfnProps?.[PVC_NAMESPACE_PROP],
        pvcName: rscDfn.rscDfnProps?.[PVC_NAME_PROP],
    };
}

/** Which backups count: those of a claim in this namespace (any when unset; and, when given, with a name this test accepts). */
export interface BackupFilter {
    readonly pvcNamespace?: string;
    readonly pvcName?: (name: string) => boolean;
    /** Only backups shipped by this LINSTOR cluster (the meta's `clusterId`). */
    readonly clusterId?: string;
    /**
     * Only backups of this LINSTOR resource, told by the key alone (no other resource's meta is read). For volumes
     * whose metas carry no claim properties: the resource is the claim's PV name (`pvc-<claim UID>`).
     */
    readonly resource?: string;
    /** Backups of this LINSTOR resource pass too, whatever their claim properties (a claim's resource known by name). */
    readonly orResource?: string;
}

/** Whether a backup passes the claim part of `filter`: its resource, or its namespace and name. */
function claimMatches(resource: string, b: Pick<LinstorBackup, "pvcNamespace" | "pvcName">, filter: BackupFilter): boolean {
    if (filter.resource !== undefined && resource !== filter.resource) return false;
    if (filter.orResource !== undefined && resource === filter.orResource) return true;
    if (filter.pvcNamespace !== undefined && b.pvcNamespace !== filter.pvcNamespace) return false;
    if (filter.pvcName && !filter.pvcName(b.pvcName ?? "")) return false;
    return true;
}

/** A resource's newest readable meta in the bucket, with the key times of its first and last backup. */
export interface ResourceHead {
    readonly resource: string;
    readonly head: LinstorBackup;
    readonly first: string;
    readonly last: string;
}

/** Whether a resource's head passes the claim part of `filter` (namespace, name, resource). */
function headMatches(h: { readonly resource: string; readonly head: LinstorBackup }, filter: BackupFilter): boolean {
    return claimMatches(h.resource, h.head, filter);
}

/**
 * Every resource with backups in the bucket (`only`: just that one), each with its newest readable meta: a listing
 * and one GET per resource. A resource none of whose metas reads is left out (the choice passes over it too).
 */
export async function resourceHeads(reader: BucketReader, only?: string): Promise<ResourceHead[]> {
    const byResource = new Map<string, { id: string; info: MetaKeyInfo }[]>();
    for (const key of await reader.listKeys()) {
        const info = parseMetaKey(key);
        if (!info || (only !== undefined && info.resource !== only)) continue;
        const list = byResource.get(info.resource) ?? [];
        list.push({ id: key.slice(0, -META_SUFFIX.length), info });
        byResource.set(info.resource, list);
    }
    const heads: ResourceHead[] = [];
    for (const [resource, list] of byResource) {
        list.sort((a, b) => compareNewestFirst(a.id, a.info, b.id, b.info));
        let head: LinstorBackup | undefined;
        for (const { id, info } of list) {
            // A failed read rejects (it says nothing of the backup); an unparsable meta passes on to the next one.
            const text = await reader.readText(`${id}${META_SUFFIX}`);
            try {
                head = parseMeta(id, info, text);
                break;
            } catch {}
        }
        if (head === undefined) continue;
        heads.push({ resource, head, first: (list.at(-1) as { info: MetaKeyInfo }).info.backupTime, last: list[0].info.backupTime });
    }
    return heads;
}

/**
 * One LINSTOR cluster's backups of the filtered claims: the key times of its first and last backup in the bucket and
 * its resources. Two clusters whose spans overlap both shipped the same claims at the same time (an old primary that
 * came back beside its replacement), which a choice by time alone cannot tell apart.
 */
export interface ClusterSpan {
    /** The meta's `clusterId` (LINSTOR's cluster UUID), or `unknown:<resource>` when the meta names none. */
    readonly clusterId: string;
    readonly first: string;
    readonly last: string;
    readonly resources: readonly string[];
}

/**
 * The clusters that shipped backups of the filtered claims (`filter.clusterId` ignored), newest `last` first. Reads one
 * meta per resource (a resource lives in one cluster: linstor-csi names it `pvc-<claim UID>`), its newest readable one;
 * spans come from the keys, so the cost is a listing and a GET per resource. A resource none of whose metas reads is
 * left out (the choice passes over it too).
 */
export async function clusterSpans(reader: BucketReader, filter: BackupFilter): Promise<ClusterSpan[]> {
    return spansOf(await resourceHeads(reader, filter.resource), filter);
}

/** clusterSpans over heads already read. */
export function spansOf(heads: readonly ResourceHead[], filter: BackupFilter): ClusterSpan[] {
    const spans = new Map<string, { first: string; last: string; resources: string[] }>();
    for (const h of heads) {
        if (!headMatches(h, filter)) continue;
        const cluster = h.head.clusterId ?? `unknown:${h.resource}`;
        const s = spans.get(cluster);
        if (s === undefined) spans.set(cluster, { first: h.first, last: h.last, resources: [h.resource] });
        else
            spans.set(cluster, {
                first: [h.first, s.first].sort()[0],
                last: [h.last, s.last].sort()[1],
                resources: [...s.resources, h.resource],
            });
    }
    return [...spans.entries()].map(([clusterId, s]) => ({ clusterId, ...s })).sort((a, b) => b.last.localeCompare(a.last));
}

/** A backup ready to restore: complete, with its chain and what a restore downloads. */
export interface ChosenBackup {
    readonly backup: LinstorBackup;
    /** The backup, then its base, … down to the full backup. */
    readonly chain: readonly LinstorBackup[];
    /** Bytes of every data object of the chain: what a restore downloads. */
    readonly chainBytes: number;
    /** Bytes of each link's data objects, in `chain`'s order: what a restore of only the missing links downloads. */
    readonly links: readonly { readonly snapshot: string; readonly bytes: number }[];
}

/** Why a backup was passed over (newest first), for the error or warning that says what was found. */
export interface Rejection {
    readonly id: string;
    readonly reason: string;
}

export interface CatalogResult {
    readonly chosen?: ChosenBackup;
    readonly rejected: readonly Rejection[];
    /** Backups whose data is in the bucket but whose meta is not (shipping now, or failed). */
    readonly withoutMeta: readonly string[];
}

/** The backup id of a data key's backup (what its meta key would be, without `.meta`). */
function dataKeyBackupId(d: DataKeyInfo, key: string): string {
    const tail = key.slice(key.indexOf(d.backupTime) + d.backupTime.length);
    return `${d.resource}_${d.backupTime}${tail}`;
}

/**
 * Reads the bucket's backups: lists the keys once, then reads metas newest first, only as far as needed (a candidate's
 * chain link by link, `basedOn` after `basedOn`, with PREFETCH older metas of its resource in flight): the first backup
 * that passes `filter` and is complete (its data objects present, its whole `basedOn` chain complete) wins. Cost: one
 * GET per head looked at, one per link of the chain that wins (plus ≤ PREFETCH), one HEAD per data object of it.
 * `wanted` restricts the search to backups it accepts (a pinned backup). A read that fails rejects: the bucket could not
 * be read, which says nothing about its backups.
 */
export async function newestCompleteBackup(
    reader: BucketReader,
    filter: BackupFilter,
    wanted: (b: Pick<LinstorBackup, "id" | "resource" | "snapshot">) => boolean = () => true,
): Promise<CatalogResult> {
    const keys = new Set(await reader.listKeys());
    const metas = new Map<string, MetaKeyInfo>();
    for (const key of keys) {
        const info = parseMetaKey(key);
        if (info) metas.set(key.slice(0, -META_SUFFIX.length), info);
    }
    const withoutMeta = new Set<string>();
    for (const key of keys) {
        const d = parseDataKey(key);
        if (d && !key.endsWith(META_SUFFIX) && !metas.has(dataKeyBackupId(d, key))) withoutMeta.add(dataKeyBackupId(d, key));
    }
    const cache = new Map<string, Promise<LinstorBackup | Error>>();
    const read = (id: string): Promise<LinstorBackup | Error> => {
        let found = cache.get(id);
        if (found === undefined) {
            const info = metas.get(id) as MetaKeyInfo;
            // A read that fails (no rights, a network error) rejects and stops the search: it says nothing of the backup.
            found = reader.readText(`${id}${META_SUFFIX}`).then((text) => {
                try {
                    return parseMeta(id, info, text);
                } catch (e) {
                    return new Error(`its meta object cannot be read (${(e as Error).message})`);
                }
            });
            cache.set(id, found);
        }
        return found;
    };
    // Each resource's metas, newest first: a chain's links are its resource's metas older than its head, in that order.
    const byResource = new Map<string, string[]>();
    for (const [id, info] of [...metas.entries()].sort(([a, x], [b, y]) => compareNewestFirst(a, x, b, y))) {
        byResource.set(info.resource, [...(byResource.get(info.resource) ?? []), id]);
    }
    /**
     * Starts reading the PREFETCH metas of `id`'s resource after it (newest first), the links its chain most likely
     * continues with: the chain is followed link by link with a few reads in flight, so a search reads its chain and at
     * most PREFETCH more, not every older meta of the resource (older chains, dailies).
     */
    const prefetch = (id: string): void => {
        const list = byResource.get((metas.get(id) as MetaKeyInfo).resource) ?? [];
        const at = list.indexOf(id);
        // Awaited (and its failure reported) where the chain reaches it; here only started.
        for (const next of list.slice(at + 1, at + 1 + PREFETCH)) read(next).catch(() => undefined);
    };
    /** The chain from `id` down to its full backup, or why it is not complete. */
    const chainOf = async (id: string): Promise<LinstorBackup[] | string> => {
        const chain: LinstorBackup[] = [];
        for (let next: string | undefined = id; next !== undefined; ) {
            if (chain.length >= MAX_CHAIN || chain.some((b) => b.id === next)) return `its chain loops or exceeds ${MAX_CHAIN} backups`;
            if (!metas.has(next)) return `its base ${next} has no meta object in the bucket`;
            prefetch(next);
            const b = await read(next);
            if (b instanceof Error) return next === id ? b.message : `its base ${next}: ${b.message}`;
            const missing = Object.values(b.dataKeys)
                .flat()
                .filter((k) => !keys.has(k));
            const bad = Object.entries(b.dataKeys).flatMap(([nr, list]) => list.filter((k) => parseDataKey(k)?.volumeNumber !== Number(nr)));
            if (missing.length > 0 || bad.length > 0 || Object.values(b.dataKeys).flat().length === 0) {
                const what =
                    missing.length > 0
                        ? `data object ${missing[0]} is missing`
                        : bad.length > 0
                          ? `data object ${bad[0]} is misnamed`
                          : "names no data";
                return next === id ? what : `its base ${next}: ${what}`;
            }
            chain.push(b);
            next = b.basedOnId;
        }
        return chain;
    };
    const rejected: Rejection[] = [];
    const newestFirst = [...metas.entries()]
        .filter(([id, info]) => (filter.resource === undefined || info.resource === filter.resource) && wanted({ id, ...info }))
        .sort(([a, x], [b, y]) => compareNewestFirst(a, x, b, y));
    for (const [id] of newestFirst) {
        const head = await read(id);
        if (head instanceof Error) {
            rejected.push({ id, reason: head.message });
            continue;
        }
        if (!claimMatches(head.resource, head, filter)) continue;
        if (filter.clusterId !== undefined && head.clusterId !== filter.clusterId) continue;
        if (Object.keys(head.dataKeys).length !== 1) {
            rejected.push({ id, reason: `it has ${Object.keys(head.dataKeys).length} volumes; linstor-csi restores single-volume backups only` });
            continue;
        }
        const chain = await chainOf(id);
        if (typeof chain === "string") {
            rejected.push({ id, reason: chain });
            continue;
        }
        const sizes = await Promise.all(
            chain.map((b) =>
                Promise.all(
                    Object.values(b.dataKeys)
                        .flat()
                        .map((k) => reader.size(k)),
                ),
            ),
        );
        const links = chain.map((b, i) => ({ snapshot: b.snapshot, bytes: sizes[i].reduce((t, n) => t + n, 0) }));
        const chainBytes = links.reduce((t, l) => t + l.bytes, 0);
        return { chosen: { backup: head, chain, chainBytes, links }, rejected, withoutMeta: [...withoutMeta] };
    }
    return { rejected, withoutMeta: [...withoutMeta] };
}

/**
 * Newest start time first (the key's time, ms precision is not in the key), then by id for a stable order. The key's
 * time is rendered in the satellite JVM's default zone (linstor-server v1.33.3 TimeUtils.millisToDate,
 * ZoneId.systemDefault()): the order holds while every shipping satellite runs in one zone, UTC in the Piraeus images
 * (no TZ set). Clusters in different zones would misorder each other's backups (clusterSpans too).
 */
function compareNewestFirst(a: string, x: MetaKeyInfo, b: string, y: MetaKeyInfo): number {
    return y.backupTime.localeCompare(x.backupTime) || b.localeCompare(a);
}

/** The linstor-csi handle of a backup through the LINSTOR remote `remote` (volume 0: the two-part form every 1.11 parses). */
export function backupHandle(remote: string, b: Pick<LinstorBackup, "resource" | "snapshot">): string {
    return `s3://${remote}/${b.resource}/${b.snapshot}`;
}

/** A handle `s3://<remote>/<rsc>[/<vlmNr>]/<snap>` or a bare snapshot name, as linstor-csi parses it. */
export function parseHandle(handle: string): { readonly resource?: string; readonly snapshot: string } {
    const m = /^[sS]3:\/\/[^/]+\/([^/]+)(?:\/\d+)?\/([^/]+)$/.exec(handle);
    return m ? { resource: m[1], snapshot: m[2] } : { snapshot: handle };
}

/**
 * A short, stable, DNS-label-safe key of a backup for the names of what restores it: its UTC start time and a hash
 * of its id, e.g. `20260701-120000-1a2b3c4d`. A different backup gives different names, so a new choice never has to
 * change an immutable field of an existing object.
 */
export function backupNameKey(id: string): string {
    const info = parseMetaKey(`${id}${META_SUFFIX}`);
    const time = info ? info.backupTime.slice("back_".length).replace("_", "-") : "backup";
    return `${time}-${createHash("sha256").update(id).digest("hex").slice(0, 8)}`;
}
