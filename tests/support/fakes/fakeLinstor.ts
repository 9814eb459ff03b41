/**
 * A fake LINSTOR controller REST API on 127.0.0.1, modelling LINSTOR v1.33.3 (what Piraeus Operator 2.10.7 and 2.10.8
 * deploy) where the program and its runbooks depend on it, missing states included. Sources are linstor-server at tag
 * v1.33.3 (1ff3a1ea) unless said otherwise; `docs/rest_v1_openapi.yaml` gives the shapes.
 *
 * - Serialization: every JSON class is `@JsonInclude(NON_EMPTY)` (controller/.../rest/v1/serializer/JsonGenTypes.java),
 *   so empty `flags`, `props` and lists are absent, not `[]`: readers must cope.
 * - `GET /v1/view/resources`: a replica on a satellite that is not ONLINE is listed WITHOUT `state` and WITHOUT
 *   `volumes[].state` (Json.apiToResourceWithVolumes / apiToVolumeState read the connected satellite's reported state
 *   only; EventProcessor.connectionClosed drops it on disconnect). Diskless replicas carry the flags of every set
 *   flag bit (FlagsHelper.toStringList): DRBD_DISKLESS → DISKLESS+DRBD_DISKLESS; TIE_BREAKER → DISKLESS+DRBD_DISKLESS+
 *   TIE_BREAKER (core/objects/Resource.java Flags). Filters `?nodes=` and `?resources=`.
 * - `GET /v1/nodes`: `type` is the enum name (SATELLITE), `connection_status` one of ConnectionStatus; node flags
 *   DELETE, EVICTED (= DELETE|2, so listed as DELETE+EVICTED), EVACUATE (core/objects/Node.java). No LOST flag: lost
 *   removes the node.
 * - `GET /v1/resource-groups`: `select_filter.place_count` is omitted when unset (the REST object "does not add
 *   defaults"); LINSTOR's own default is 2 (AutoSelectorConfig). DfltRscGrp exists with 2.
 * - `DELETE /v1/nodes/{n}/lost` (CtrlNodeLostApiCallHandler): refused while the satellite is connected
 *   (FAIL_EXISTS_NODE_CONN "Node '%s' still connected, please use the 'DelNode' api."); otherwise deletes the node,
 *   its resources and its snapshots at once.
 * - `PUT /v1/nodes/{n}/evacuate` (CtrlNodeApiCallHandler.evacuateNodeInTrasaction): sets EVACUATE on the node and its
 *   resources. A replica that is not verifiably UpToDate (always the case on an offline satellite) is just deleted,
 *   its snapshots shipped first (`CopyAllSnapsOnEvacuate` default true) — both need the satellite, so on an OFFLINE
 *   node the resources keep DELETE and the snapshots stay: evacuation never drains (CtrlRscDeleteApiHelper "This
 *   prevents deleting database entries when the node is offline"). On an ONLINE node the fake completes it.
 * - `DELETE /v1/nodes/{n}` (CtrlNodeDeleteApiCallHandler): no effect on an EVICTED node (WARN_NODE_EVICTED); refused
 *   while it holds the last diskful replica of a resource (FAIL_NODE_HAS_USED_RSC); marks node and resources DELETE,
 *   and the node disappears only once it holds nothing (deleteNodeIfEmpty), i.e. at once when ONLINE, never when not.
 * - `POST /v1/resource-definitions/{rd}/autoplace` (CtrlRscAutoPlaceApiCallHandler): merges the request's filter over
 *   the group's, places `place_count − diskful replicas not DELETE/EVICTED/EVACUATE` more on ONLINE nodes without one,
 *   honouring `replicas_on_different` (zone = node prop `Aux/topology.kubernetes.io/zone`, as the operator syncs it);
 *   FAIL_NOT_ENOUGH_NODES when it cannot. A new replica resyncs (Inconsistent) for `resyncPolls` polls, and only while
 *   some diskful peer is UpToDate.
 * - Errors: the body is a list of ApiCallRc; HTTP 404 for FAIL_NOT_FOUND_* (300–399), else 500 for MASK_ERROR
 *   (controller/.../rest/v1/utils/ApiCallRcRestUtils.java); warnings and successes answer 200/201.
 *
 * Scenarios: `everyPoll(steps)` applies `steps[i]` at the i-th `GET /v1/nodes` (the first request of each of the
 * gate's polls; the last state then holds); `onRequest` runs before every request.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { serveOnLoopback } from "./loopback";

export type ConnectionStatus =
    | "OFFLINE"
    | "CONNECTED"
    | "ONLINE"
    | "VERSION_MISMATCH"
    | "FULL_SYNC_FAILED"
    | "AUTHENTICATION_ERROR"
    | "UNKNOWN"
    | "HOSTNAME_MISMATCH"
    | "OTHER_CONTROLLER"
    | "AUTHENTICATED"
    | "NO_STLT_CONN";

export const ZONE_PROP = "Aux/topology.kubernetes.io/zone";

export interface FakeNode {
    name: string;
    type: "SATELLITE" | "CONTROLLER" | "COMBINED" | "AUXILIARY";
    connection_status: ConnectionStatus;
    flags: string[];
    props: Record<string, string>;
}

export interface FakeReplica {
    resource: string;
    node: string;
    kind: "diskful" | "diskless" | "tiebreaker";
    /** What the satellite reports for each volume while it is ONLINE. */
    diskState: string;
    flags: string[];
    /** Polls until a resyncing replica reports UpToDate. */
    syncPollsLeft?: number;
}

export interface FakeResourceGroup {
    name: string;
    place_count?: number;
    replicas_on_different?: string[];
    storage_pool?: string;
}

export interface FakeSnapshot {
    name: string;
    resource: string;
    nodes: string[];
}

export interface FakeLinstorWorld {
    nodes: { name: string; zone?: string; status?: ConnectionStatus; flags?: string[]; type?: FakeNode["type"] }[];
    groups: FakeResourceGroup[];
    /** Resource definitions with their replicas. */
    resources: {
        name: string;
        group: string;
        flags?: string[];
        volumes?: number;
        replicas: { node: string; kind?: FakeReplica["kind"]; diskState?: string; flags?: string[] }[];
    }[];
    snapshots?: FakeSnapshot[];
    /** Polls a placed replica needs to resync. Default 2. */
    resyncPolls?: number;
}

/** ApiCallRc return codes (linstor-common consts.json at ab276708): mask | code. */
const MASK = { error: 0xc000000000000000n, warn: 0x8000000000000000n, info: 0x4000000000000000n, success: 0n };
export const RC = {
    FAIL_NOT_FOUND_NODE: 300,
    FAIL_NOT_FOUND_RSC_DFN: 301,
    FAIL_EXISTS_NODE_CONN: 506,
    FAIL_NODE_HAS_USED_RSC: 233,
    FAIL_NOT_ENOUGH_NODES: 996,
    FAIL_INVLD_PLACE_COUNT: 219,
    WARN_NOT_FOUND: 3000,
    WARN_NODE_EVICTED: 1017,
    INFO_NOOP: 10007,
    CREATED: 1,
    DELETED: 2,
    MODIFIED: 3,
} as const;

interface ApiCallRc {
    ret_code: bigint;
    message: string;
    cause?: string;
    correction?: string;
}

function rc(kind: keyof typeof MASK, code: number, message: string, extra: Partial<ApiCallRc> = {}): ApiCallRc {
    return { ret_code: BigInt.asIntN(64, MASK[kind] | BigInt(code)), message, ...extra };
}

/** JSON with int64 return codes written as numbers (JavaScript numbers cannot hold them). */
function json(value: unknown): string {
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

const DISKLESS_FLAGS = { diskful: [], diskless: ["DISKLESS", "DRBD_DISKLESS"], tiebreaker: ["DISKLESS", "DRBD_DISKLESS", "TIE_BREAKER"] };

export class FakeLinstor {
    readonly nodes = new Map<string, FakeNode>();
    readonly groups = new Map<string, FakeResourceGroup>();
    readonly definitions = new Map<string, { name: string; group: string; flags: string[]; volumes: number }>();
    replicas: FakeReplica[] = [];
    snapshots: FakeSnapshot[] = [];
    readonly requests: { method: string; path: string; status: number }[] = [];
    onRequest: (method: string, path: string) => void = () => undefined;
    url = "";
    private server?: Server;
    private polls = 0;
    private steps: ((f: FakeLinstor) => void)[] = [];
    private readonly resyncPolls: number;

    constructor(world: FakeLinstorWorld) {
        this.resyncPolls = world.resyncPolls ?? 2;
        for (const n of world.nodes) this.addNode(n.name, n.zone, n.status ?? "ONLINE", n.flags ?? [], n.type ?? "SATELLITE");
        this.groups.set("DfltRscGrp", { name: "DfltRscGrp", place_count: 2 });
        for (const g of world.groups) this.groups.set(g.name, { ...g });
        for (const r of world.resources) {
            this.definitions.set(r.name, { name: r.name, group: r.group, flags: [...(r.flags ?? [])], volumes: r.volumes ?? 1 });
            for (const p of r.replicas) {
                this.replicas.push({
                    resource: r.name,
                    node: p.node,
                    kind: p.kind ?? "diskful",
                    diskState: p.diskState ?? (p.kind && p.kind !== "diskful" ? "Diskless" : "UpToDate"),
                    flags: [...(p.flags ?? [])],
                });
            }
        }
        this.snapshots = (world.snapshots ?? []).map((s) => ({ ...s, nodes: [...s.nodes] }));
    }

    addNode(name: string, zone?: string, status: ConnectionStatus = "ONLINE", flags: string[] = [], type: FakeNode["type"] = "SATELLITE"): FakeNode {
        const node: FakeNode = { name, type, connection_status: status, flags: [...flags], props: zone ? { [ZONE_PROP]: zone } : {} };
        this.nodes.set(name, node);
        return node;
    }

    /** The instance behind `node` is gone: its satellite disconnects. */
    disconnect(node: string): void {
        this.nodes.get(node)!.connection_status = "OFFLINE";
    }

    replicasOf(resource: string): FakeReplica[] {
        return this.replicas.filter((r) => r.resource === resource);
    }

    /** Applies `steps[i]` at the i-th poll (GET /v1/nodes); the state after the last step holds. */
    everyPoll(steps: ((f: FakeLinstor) => void)[]): this {
        this.steps = steps;
        return this;
    }

    async start(): Promise<string> {
        const { server, port } = await serveOnLoopback((req, res, body) => this.handle(req, res, body));
        this.server = server;
        this.url = `http://127.0.0.1:${port}`;
        return this.url;
    }

    async stop(): Promise<void> {
        await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }

    // ---- state transitions -------------------------------------------------------------------------------------

    private online(node: string): boolean {
        return this.nodes.get(node)?.connection_status === "ONLINE";
    }

    /** One poll of time: resyncing replicas progress while a diskful peer is UpToDate on an ONLINE node. */
    private tick(): void {
        const step = this.steps[Math.min(this.polls, this.steps.length - 1)];
        this.polls++;
        step?.(this);
        for (const r of this.replicas) {
            if (r.syncPollsLeft === undefined || !this.online(r.node)) continue;
            const source = this.replicasOf(r.resource).some(
                (p) =>
                    p !== r &&
                    p.kind === "diskful" &&
                    p.diskState === "UpToDate" &&
                    p.syncPollsLeft === undefined &&
                    this.online(p.node) &&
                    !p.flags.includes("DELETE"),
            );
            if (!source) continue;
            r.syncPollsLeft--;
            if (r.syncPollsLeft <= 0) {
                r.diskState = "UpToDate";
                delete r.syncPollsLeft;
            }
        }
        // A satellite that is ONLINE carries out pending deletions; an offline one cannot.
        this.replicas = this.replicas.filter((r) => !(r.flags.includes("DELETE") && this.online(r.node)));
        for (const node of [...this.nodes.values()]) {
            if (
                node.flags.includes("DELETE") &&
                !node.flags.includes("EVICTED") &&
                this.online(node.name) &&
                !this.replicas.some((r) => r.node === node.name) &&
                !this.snapshots.some((s) => s.nodes.includes(node.name))
            ) {
                this.nodes.delete(node.name);
            }
        }
    }

    private lost(name: string): { status: number; body: ApiCallRc[] } {
        const node = this.nodes.get(name);
        if (!node)
            return {
                status: 200,
                body: [rc("warn", RC.WARN_NOT_FOUND, `Deletion of node '${name}' had no effect.`, { cause: `Node '${name}' does not exist.` })],
            };
        if (node.connection_status === "ONLINE") {
            return { status: 500, body: [rc("error", RC.FAIL_EXISTS_NODE_CONN, `Node '${name}' still connected, please use the 'DelNode' api.`)] };
        }
        this.replicas = this.replicas.filter((r) => r.node !== name);
        for (const s of this.snapshots) s.nodes = s.nodes.filter((n) => n !== name);
        this.snapshots = this.snapshots.filter((s) => s.nodes.length > 0);
        this.nodes.delete(name);
        return { status: 200, body: [rc("success", RC.DELETED, `Node '${name}' deleted.`)] };
    }

    private evacuate(name: string): { status: number; body: ApiCallRc[] } {
        const node = this.nodes.get(name);
        if (!node) return { status: 404, body: [rc("error", RC.FAIL_NOT_FOUND_NODE, `Node '${name}' not found.`)] };
        if (!node.flags.includes("EVACUATE")) node.flags.push("EVACUATE");
        for (const r of this.replicas.filter((x) => x.node === name)) {
            for (const f of ["EVACUATE", "DELETE"]) if (!r.flags.includes(f)) r.flags.push(f);
        }
        if (this.online(name)) {
            // A live satellite ships its snapshots and deletes its replicas; replacements are placed elsewhere.
            const affected = [...new Set(this.replicas.filter((r) => r.node === name && r.kind === "diskful").map((r) => r.resource))];
            this.replicas = this.replicas.filter((r) => r.node !== name);
            for (const s of this.snapshots) s.nodes = s.nodes.filter((n) => n !== name);
            for (const rd of affected) this.autoplace(rd, {});
        }
        return { status: 200, body: [rc("success", RC.MODIFIED, `Node '${name}' is being evacuated.`)] };
    }

    private deleteNode(name: string): { status: number; body: ApiCallRc[] } {
        const node = this.nodes.get(name);
        if (!node) return { status: 200, body: [rc("warn", RC.WARN_NOT_FOUND, `Deletion of node '${name}' had no effect.`)] };
        if (node.flags.includes("EVICTED")) {
            return {
                status: 200,
                body: [
                    rc("warn", RC.WARN_NODE_EVICTED, `Deletion of node '${name}' had no effect.`, {
                        correction: "Use node lost command to delete an evicted node.",
                    }),
                ],
            };
        }
        const lastDiskful = this.replicas
            .filter((r) => r.node === name && r.kind === "diskful")
            .some((r) => !this.replicasOf(r.resource).some((p) => p !== r && p.kind === "diskful" && !p.flags.includes("DELETE")));
        if (lastDiskful)
            return {
                status: 500,
                body: [rc("error", RC.FAIL_NODE_HAS_USED_RSC, "Cannot delete node, because it has in use or last diskful resources.")],
            };
        if (!node.flags.includes("DELETE")) node.flags.push("DELETE");
        for (const r of this.replicas.filter((x) => x.node === name)) if (!r.flags.includes("DELETE")) r.flags.push("DELETE");
        if (this.online(name)) {
            this.replicas = this.replicas.filter((r) => r.node !== name);
            if (!this.snapshots.some((s) => s.nodes.includes(name))) this.nodes.delete(name);
        }
        return { status: 200, body: [rc("success", RC.DELETED, `Node '${name}' marked for deletion.`)] };
    }

    private autoplace(rd: string, request: { select_filter?: { place_count?: number } }): { status: number; body: ApiCallRc[] } {
        const def = this.definitions.get(rd);
        if (!def) return { status: 404, body: [rc("error", RC.FAIL_NOT_FOUND_RSC_DFN, `Resource definition '${rd}' not found.`)] };
        const group = this.groups.get(def.group) ?? { name: def.group };
        const want = request.select_filter?.place_count ?? group.place_count ?? 2;
        const counted = this.replicasOf(rd).filter(
            (r) =>
                r.kind === "diskful" &&
                !r.flags.some((f) => ["DELETE", "EVICTED", "EVACUATE"].includes(f)) &&
                !this.nodes.get(r.node)?.flags.includes("EVACUATE"),
        );
        const more = want - counted.length;
        if (more < 0)
            return {
                status: 500,
                body: [rc("error", RC.FAIL_INVLD_PLACE_COUNT, `The resource '${rd}' is already deployed on more nodes than the place count.`)],
            };
        if (more === 0) return { status: 201, body: [rc("info", RC.INFO_NOOP, `Resource '${rd}' was already deployed on ${counted.length} nodes.`)] };
        const zoneOf = (n: string) => this.nodes.get(n)?.props[ZONE_PROP];
        const spread = (group.replicas_on_different ?? []).length > 0;
        const usedZones = new Set(counted.map((r) => zoneOf(r.node)));
        const chosen: string[] = [];
        for (const node of this.nodes.values()) {
            if (chosen.length === more) break;
            if (node.type !== "SATELLITE" || node.connection_status !== "ONLINE" || node.flags.length > 0) continue;
            if (this.replicasOf(rd).some((r) => r.node === node.name && r.kind === "diskful")) continue;
            if (spread && (usedZones.has(zoneOf(node.name)) || chosen.some((c) => zoneOf(c) === zoneOf(node.name)))) continue;
            chosen.push(node.name);
        }
        if (chosen.length < more) {
            return {
                status: 500,
                body: [rc("error", RC.FAIL_NOT_ENOUGH_NODES, `Not enough available nodes for '${rd}': need ${more}, found ${chosen.length}.`)],
            };
        }
        for (const node of chosen) {
            // A tie-breaker on the chosen node becomes the diskful replica.
            this.replicas = this.replicas.filter((r) => !(r.resource === rd && r.node === node));
            this.replicas.push({ resource: rd, node, kind: "diskful", diskState: "Inconsistent", flags: [], syncPollsLeft: this.resyncPolls });
        }
        return { status: 201, body: chosen.map((n) => rc("success", RC.CREATED, `Resource '${rd}' successfully autoplaced on node '${n}'.`)) };
    }

    // ---- REST views ----------------------------------------------------------------------------------------------

    private nodeView(n: FakeNode) {
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

    private replicaView(r: FakeReplica) {
        const def = this.definitions.get(r.resource)!;
        const online = this.online(r.node);
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

    private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
        const url = new URL(req.url ?? "/", "http://x");
        const method = req.method ?? "GET";
        this.onRequest(method, url.pathname);
        const send = (status: number, payload: unknown) => {
            this.requests.push({ method, path: `${url.pathname}${url.search}`, status });
            res.writeHead(status, { "content-type": "application/json" });
            res.end(json(payload));
        };
        const filter = (name: string) =>
            url.searchParams
                .getAll(name)
                .flatMap((v) => v.split(","))
                .filter(Boolean);
        const p = url.pathname;
        let m: RegExpExecArray | null;
        if (method === "GET" && p === "/v1/nodes") {
            this.tick();
            return send(
                200,
                [...this.nodes.values()].map((n) => this.nodeView(n)),
            );
        }
        if (method === "GET" && (m = /^\/v1\/nodes\/([^/]+)$/.exec(p))) {
            const node = this.nodes.get(decodeURIComponent(m[1]));
            return node ? send(200, this.nodeView(node)) : send(404, [rc("error", RC.FAIL_NOT_FOUND_NODE, `Node '${m[1]}' not found.`)]);
        }
        if (method === "GET" && p === "/v1/resource-groups") {
            return send(
                200,
                [...this.groups.values()].map((g) =>
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
                [...this.definitions.values()].map((d) =>
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
                this.replicas
                    .filter((r) => (nodes.length === 0 || nodes.includes(r.node)) && (rscs.length === 0 || rscs.includes(r.resource)))
                    .map((r) => this.replicaView(r)),
            );
        }
        if (method === "GET" && p === "/v1/view/snapshots") {
            const nodes = filter("nodes");
            return send(
                200,
                this.snapshots
                    .filter((s) => nodes.length === 0 || s.nodes.some((n) => nodes.includes(n)))
                    .map((s) =>
                        nonEmpty({
                            name: s.name,
                            resource_name: s.resource,
                            nodes: s.nodes,
                            flags: ["SUCCESSFUL"],
                            snapshots: s.nodes.map((n) => ({ snapshot_name: s.name, node_name: n, create_timestamp: 1767225600000 })),
                        }),
                    ),
            );
        }
        const reply = (r: { status: number; body: ApiCallRc[] }) => send(r.status, r.body);
        if (method === "DELETE" && (m = /^\/v1\/nodes\/([^/]+)\/lost$/.exec(p))) return reply(this.lost(decodeURIComponent(m[1])));
        if (method === "DELETE" && (m = /^\/v1\/nodes\/([^/]+)$/.exec(p))) return reply(this.deleteNode(decodeURIComponent(m[1])));
        if (method === "PUT" && (m = /^\/v1\/nodes\/([^/]+)\/evacuate$/.exec(p))) return reply(this.evacuate(decodeURIComponent(m[1])));
        if (method === "POST" && (m = /^\/v1\/resource-definitions\/([^/]+)\/autoplace$/.exec(p))) {
            let request: { select_filter?: { place_count?: number } } = {};
            try {
                request = body ? JSON.parse(body) : {};
            } catch {
                return send(400, [rc("error", 0, "Invalid JSON")]);
            }
            return reply(this.autoplace(decodeURIComponent(m[1]), request));
        }
        return send(404, [rc("error", 0, `${method} ${p}: not modelled by the fake`)]);
    }
}
