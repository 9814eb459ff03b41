/**
 * The fake LINSTOR controller's REST surface over its state (fakeLinstorState.ts): the routes the program and its
 * runbooks call, the JSON views they read and the HTTP status of each answer. Sources are linstor-server at tag
 * v1.33.3 (1ff3a1ea) unless said otherwise; `docs/rest_v1_openapi.yaml` gives the shapes.
 *
 * - Serialization: every JSON class is `@JsonInclude(NON_EMPTY)` (controller/.../rest/v1/serializer/JsonGenTypes.java),
 *   so empty `flags`, `props` and lists are absent, not `[]`: readers must cope.
 * - Errors: the body is a list of ApiCallRc; HTTP 404 for codes 300–399 (FAIL_NOT_FOUND_*), 403 for 400–499
 *   (FAIL_ACC_DENIED_*), else 500 (controller/.../rest/v1/utils/ApiCallRcRestUtils.java `toResponse`: the first error
 *   entry decides, by `ret_code & MASK_BITS_CODE`); warnings and
 *   successes answer the endpoint's success status: 201 for autoplace (rest/v1/AutoPlace.java `CREATED`), 200 for
 *   the others; a body that is not JSON answers 400 (`handleJsonParseException`).
 */
import { type FakeLinstorBucket, linstorBackupList } from "./fakeLinstorBucket";
import { type BackupRestoreBody, restoreBackup } from "./fakeLinstorRestore";
import {
    type ApiCallRc,
    type FakeNode,
    type FakeReplica,
    type FakeSnapshot,
    type LinstorState,
    MASK,
    MASK_BITS_CODE,
    RC,
    rc,
} from "./fakeLinstorState";

/**
 * A snapshot as `GET /v1/view/snapshots` and `GET /v1/resource-definitions/{rsc}/snapshots/{snap}` show it; one received
 * from a backup carries the snapshot definition's `BackupShipping/Target/*` props, which linstor-csi v1.11.3 reads for
 * readiness (pkg/client/linstor.go GetSnapshotRemoteAndReadiness).
 */
function snapshotView(s: FakeSnapshot) {
    return nonEmpty({
        name: s.name,
        resource_name: s.resource,
        nodes: s.nodes,
        flags: ["SUCCESSFUL"],
        snapshot_definition_props: s.received
            ? {
                  "BackupShipping/Target/BackupSrcRemote": s.received.remote,
                  ...(s.received.status !== undefined ? { "BackupShipping/Target/ShippingStatus": s.received.status } : {}),
                  // The meta's startTimestamp (CtrlBackupRestoreApiCallHandler createSnapshotByS3Meta, KEY_BACKUP_START_TIMESTAMP).
                  ...(s.received.start !== undefined ? { "BackupShipping/Target/BackupStartTimestamp": String(s.received.start) } : {}),
              }
            : undefined,
        snapshots: s.nodes.map((n) => ({ snapshot_name: s.name, node_name: n, create_timestamp: 1767225600000 })),
    });
}

/** JSON with int64 return codes written as numbers (JavaScript numbers cannot hold them). */
export function json(value: unknown): string {
    return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `@@${v}@@` : v)).replace(/"@@(-?\d+)@@"/g, "$1");
}

/** Drops empty arrays, objects and strings, like Jackson's NON_EMPTY. */
function nonEmpty<T extends Record<string, unknown>>(o: T): Partial<T> {
    return Object.fromEntries(
        Object.entries(o).filter(
            ([, v]) =>
                v !== undefined &&
                v !== null &&
                v !== "" &&
                !(Array.isArray(v) && v.length === 0) &&
                !(typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0),
        ),
    ) as Partial<T>;
}

/**
 * ApiCallRcRestUtils.toResponse: the first error entry decides, by `ret_code & MASK_BITS_CODE` (object masks such as
 * MASK_BACKUP stripped): 300–399 NOT_FOUND, 400–499 and FAIL_SIGN_IN FORBIDDEN, else 500 (the fake has no sign-in).
 */
function statusOf(answer: ApiCallRc[], successStatus: 200 | 201): number {
    const error = answer.find((e) => (e.ret_code & MASK.error) === MASK.error);
    if (error === undefined) return successStatus;
    const code = Number(BigInt.asUintN(64, error.ret_code) & MASK_BITS_CODE);
    return code >= 300 && code <= 399 ? 404 : code >= 400 && code <= 499 ? 403 : 500;
}

/**
 * The bucket as `GET /v1/remotes/{remote}/backups?rsc_name=&snap_name=` sees it (CtrlBackupApiCallHandler.listBackups
 * v1.33.3): `rsc_name` is the S3 listing's prefix (CtrlBackupApiHelper.getAllS3Keys → BackupToS3.listObjects
 * `withPrefix`), and a meta whose snapshot name (S3MetafileNameInfo: after `^`, else the backup time id) is not
 * `snap_name` is skipped BEFORE it is read (getBackupFromMetadata); every meta read counts in `state.metaReads`. Data
 * keys all stay (a meta's `restorable` looks them up).
 */
function filteredBucket(state: LinstorState, bucket: FakeLinstorBucket, rscName: string, snapName: string): FakeLinstorBucket {
    const snapOf = (meta: string) => /\^(.+)\.meta$/.exec(meta)?.[1] ?? /_(back_\d{8}_\d{6})/.exec(meta)?.[1];
    const keys = bucket
        .keys()
        .filter((k) => k.startsWith(rscName) && (snapName === "" || !k.endsWith(".meta") || snapOf(k)?.toLowerCase() === snapName));
    return {
        keys: () => keys,
        has: (k: string) => keys.includes(k),
        object: (k: string) => {
            if (k.endsWith(".meta")) state.metaReads++;
            return bucket.object(k);
        },
    } as unknown as FakeLinstorBucket;
}

/** `GET /v1/nodes`: `type` is the enum name, `connection_status` one of ConnectionStatus, flags as set. */
function nodeView(n: FakeNode) {
    return nonEmpty({
        name: n.name,
        type: n.type,
        flags: n.flags,
        props: n.props,
        connection_status: n.connection_status,
        uuid: `uuid-${n.name}`,
        storage_providers: ["DISKLESS", "LVM_THIN"],
        resource_layers: ["DRBD", "STORAGE"],
    });
}

/**
 * Diskless replicas carry the flags of every set flag bit (FlagsHelper.toStringList): DRBD_DISKLESS → DISKLESS+
 * DRBD_DISKLESS; TIE_BREAKER → DISKLESS+DRBD_DISKLESS+TIE_BREAKER (core/objects/Resource.java Flags).
 */
const DISKLESS_FLAGS = { diskful: [], diskless: ["DISKLESS", "DRBD_DISKLESS"], tiebreaker: ["DISKLESS", "DRBD_DISKLESS", "TIE_BREAKER"] };

/**
 * `GET /v1/view/resources`: a replica on a satellite that is not ONLINE is listed WITHOUT `state` and WITHOUT
 * `volumes[].state` (Json.apiToResourceWithVolumes / apiToVolumeState read the connected satellite's reported state
 * only; EventProcessor.connectionClosed drops it on disconnect).
 */
function replicaView(state: LinstorState, r: FakeReplica) {
    const def = state.definitions.get(r.resource)!;
    const online = state.online(r.node);
    const volumes = Array.from({ length: def.volumes }, (_v, i) =>
        nonEmpty({
            volume_number: i,
            storage_pool_name: r.kind === "diskful" ? "data" : "DfltDisklessStorPool",
            provider_kind: r.kind === "diskful" ? "LVM_THIN" : "DISKLESS",
            device_path: `/dev/drbd${1000 + i}`,
            allocated_size_kib: r.kind === "diskful" ? 1048576 : 0,
            // No state unless the satellite is connected and has reported it ("" = not reported yet).
            state: online && r.diskState ? { disk_state: r.diskState } : undefined,
        }),
    );
    return nonEmpty({
        name: r.resource,
        node_name: r.node,
        flags: [...DISKLESS_FLAGS[r.kind], ...r.flags],
        layer_object: { type: "DRBD", children: [{ type: "STORAGE" }] },
        state: online ? { in_use: false } : undefined,
        uuid: `uuid-${r.resource}-${r.node}`,
        volumes,
    });
}

export interface RestRequest {
    method: string;
    url: URL;
    body: string;
}

export interface RestAnswer {
    status: number;
    payload: unknown;
}

/**
 * Answers one request from `state`. `poll` runs at every `GET /v1/nodes` before the answer is built (the fake's
 * clock: the first request of each of the resync gate's polls).
 */
export function routeLinstorRequest(state: LinstorState, { method, url, body }: RestRequest, poll: () => void): RestAnswer {
    const send = (status: number, payload: unknown): RestAnswer => ({ status, payload });
    const reply = (answer: ApiCallRc[], successStatus: 200 | 201 = 200) => send(statusOf(answer, successStatus), answer);
    // Filters `?nodes=` and `?resources=`, repeated or comma-separated.
    const filter = (name: string) =>
        url.searchParams
            .getAll(name)
            .flatMap((v) => v.split(","))
            .filter(Boolean);
    const p = url.pathname;
    let m: RegExpExecArray | null;
    if (method === "GET" && p === "/v1/nodes") {
        poll();
        return send(
            200,
            [...state.nodes.values()].map((n) => nodeView(n)),
        );
    }
    if (method === "GET" && (m = /^\/v1\/nodes\/([^/]+)$/.exec(p))) {
        const node = state.nodes.get(decodeURIComponent(m[1]));
        return node ? send(200, nodeView(node)) : reply([rc("error", RC.FAIL_NOT_FOUND_NODE, `Node '${m[1]}' not found.`)]);
    }
    if (method === "GET" && p === "/v1/resource-groups") {
        // `select_filter.place_count` is omitted when unset: the REST object "does not add defaults".
        return send(
            200,
            [...state.groups.values()].map((g) =>
                nonEmpty({
                    name: g.name,
                    uuid: `uuid-${g.name}`,
                    select_filter: nonEmpty({
                        place_count: g.place_count,
                        storage_pool: g.storage_pool,
                        replicas_on_different: g.replicas_on_different ?? [],
                    }),
                }),
            ),
        );
    }
    if (method === "GET" && p === "/v1/resource-definitions") {
        return send(
            200,
            [...state.definitions.values()].map((d) =>
                nonEmpty({
                    name: d.name,
                    resource_group_name: d.group,
                    flags: d.flags,
                    uuid: `uuid-${d.name}`,
                    layer_data: [{ type: "DRBD" }, { type: "STORAGE" }],
                }),
            ),
        );
    }
    if (method === "GET" && p === "/v1/view/resources") {
        const nodes = filter("nodes");
        const rscs = filter("resources");
        return send(
            200,
            state.replicas
                .filter((r) => (nodes.length === 0 || nodes.includes(r.node)) && (rscs.length === 0 || rscs.includes(r.resource)))
                .map((r) => replicaView(state, r)),
        );
    }
    if (method === "GET" && p === "/v1/view/storage-pools") {
        // docs/rest_v1_openapi.yaml viewStoragePools: filters `nodes` and `storage_pools`; every node's pools, connected or not.
        const nodes = filter("nodes");
        const pools = filter("storage_pools");
        return send(
            200,
            [...state.nodes.values()].flatMap((n) =>
                n.pools
                    .filter((sp) => (nodes.length === 0 || nodes.includes(n.name)) && (pools.length === 0 || pools.includes(sp)))
                    .map((sp) => ({
                        storage_pool_name: sp,
                        node_name: n.name,
                        provider_kind: sp === "DfltDisklessStorPool" ? "DISKLESS" : sp === "drbdmeta" ? "LVM" : "LVM_THIN",
                        uuid: `uuid-${n.name}-${sp}`,
                    })),
            ),
        );
    }
    if (method === "GET" && p === "/v1/view/snapshots") {
        const nodes = filter("nodes");
        const rscs = filter("resources");
        return send(
            200,
            state.snapshots
                .filter((s) => (nodes.length === 0 || s.nodes.some((n) => nodes.includes(n))) && (rscs.length === 0 || rscs.includes(s.resource)))
                .map(snapshotView),
        );
    }
    if (method === "GET" && (m = /^\/v1\/resource-definitions\/([^/]+)\/snapshots\/([^/]+)$/.exec(p))) {
        const [rsc, snap] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
        const s = state.snapshots.find((x) => x.resource === rsc && x.name === snap);
        return s
            ? send(200, snapshotView(s))
            : reply([rc("error", RC.FAIL_NOT_FOUND_SNAPSHOT, `Snapshot '${snap}' of resource '${rsc}' not found.`)]);
    }
    if (method === "GET" && (m = /^\/v1\/remotes\/([^/]+)\/backups$/.exec(p))) {
        const bucket = state.remotes.get(decodeURIComponent(m[1]));
        if (bucket === undefined) return reply([rc("error", RC.FAIL_NOT_FOUND_REMOTE, `Remote '${m[1]}' not found.`)]);
        const snapName = (url.searchParams.get("snap_name") ?? "").toLowerCase();
        const list = linstorBackupList(filteredBucket(state, bucket, url.searchParams.get("rsc_name") ?? "", snapName));
        // A data key without a read meta is listed only when its snapshot name (S3VolumeNameInfo: the backup time id) matches.
        const kept = Object.entries(list.linstor).filter(([, b]) => snapName === "" || String(b.origin_snap).toLowerCase() === snapName);
        return send(200, { linstor: Object.fromEntries(kept) });
    }
    if (method === "POST" && (m = /^\/v1\/remotes\/([^/]+)\/backups\/restore$/.exec(p))) {
        let request: BackupRestoreBody;
        try {
            request = JSON.parse(body);
        } catch {
            return send(400, [rc("error", 0, "Invalid JSON")]);
        }
        // rest/v1/Backups.java restoreBackup: CREATED unless an error entry.
        return reply(restoreBackup(state, decodeURIComponent(m[1]), request), 201);
    }
    if (method === "DELETE" && (m = /^\/v1\/resource-definitions\/([^/]+)\/snapshots\/([^/]+)$/.exec(p))) {
        return reply(state.deleteSnapshot(decodeURIComponent(m[1]), decodeURIComponent(m[2])));
    }
    if (method === "DELETE" && (m = /^\/v1\/resource-definitions\/([^/]+)$/.exec(p))) return reply(state.deleteDefinition(decodeURIComponent(m[1])));
    if (method === "DELETE" && (m = /^\/v1\/nodes\/([^/]+)\/lost$/.exec(p))) return reply(state.lost(decodeURIComponent(m[1])));
    if (method === "DELETE" && (m = /^\/v1\/nodes\/([^/]+)$/.exec(p))) return reply(state.deleteNode(decodeURIComponent(m[1])));
    if (method === "PUT" && (m = /^\/v1\/nodes\/([^/]+)\/evacuate$/.exec(p))) return reply(state.evacuate(decodeURIComponent(m[1])));
    if (method === "POST" && (m = /^\/v1\/resource-definitions\/([^/]+)\/autoplace$/.exec(p))) {
        let request: { select_filter?: { place_count?: number } } = {};
        try {
            request = body ? JSON.parse(body) : {};
        } catch {
            return send(400, [rc("error", 0, "Invalid JSON")]);
        }
        return reply(state.autoplace(decodeURIComponent(m[1]), request), 201);
    }
    return send(404, [rc("error", 0, `${method} ${p}: not modelled by the fake`)]);
}
