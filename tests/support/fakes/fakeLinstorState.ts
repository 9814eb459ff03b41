/**
 * The fake LINSTOR controller's state model: nodes, resource groups and definitions, replicas and snapshots, and what
 * LINSTOR v1.33.3 does to them when a node is lost, evacuated or deleted, when a resource is autoplaced, and as time
 * passes. What the REST API shows of it, and how answers become HTTP statuses, is in fakeLinstorRest.ts. Sources are
 * linstor-server at tag v1.33.3 (1ff3a1ea) unless said otherwise.
 *
 * - Nodes: `type` is the enum name (SATELLITE), `connection_status` one of ConnectionStatus; node flags DELETE,
 *   EVICTED (= DELETE|2, so listed as DELETE+EVICTED), EVACUATE (core/objects/Node.java). No LOST flag: lost removes
 *   the node.
 * - Resource groups: LINSTOR's own default place count is 2 (AutoSelectorConfig); DfltRscGrp exists with 2.
 */
import type { FakeLinstorBucket } from "./fakeLinstorBucket";

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

/**
 * A satellite's zone: the operator copies the Node's zone label into this property (piraeus-operator
 * pkg/resources/cluster/satellite/linstor-satellite.yaml), and linstor-csi runs with `--property-namespace=Aux/topology`
 * (csi-controller-deployment.yaml), so `replicasOnDifferent: topology.kubernetes.io/zone` becomes this key.
 */
export const ZONE_PROP = "Aux/topology/topology.kubernetes.io/zone";

export interface FakeNode {
    name: string;
    type: "SATELLITE" | "CONTROLLER" | "COMBINED" | "AUXILIARY";
    connection_status: ConnectionStatus;
    flags: string[];
    props: Record<string, string>;
    /** Its storage pools (`GET /v1/view/storage-pools`); a satellite's default: the diskless pool, `data` and `drbdmeta`. */
    pools: string[];
}

/** The storage pools every satellite of the program has: LINSTOR's diskless pool and the operator's two (operator.ts). */
export const SATELLITE_POOLS = ["DfltDisklessStorPool", "data", "drbdmeta"];

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
    /** Being shipped as a backup (its delete is refused) or restored from. */
    busy?: "shipping" | "restoring";
    /**
     * A snapshot received from a backup (fakeLinstorRestore.ts): the snapshot definition's
     * `BackupShipping/Target/ShippingStatus` and `…/BackupSrcRemote` props. `status` undefined: Target keys without a
     * ShippingStatus, which no v1.33.3 path leaves visible (CtrlBackupRestoreApiCallHandler createSnapshotByS3Meta
     * copies the source's props and sets ShippingStatus in one transaction); modelled so readers fail closed on it.
     */
    received?: { remote: string; status?: "Shipping" | "Success" | "Failed" | "Aborting" | "Aborted"; backup: string; start?: number };
}

export interface FakeResourceDefinition {
    name: string;
    group: string;
    flags: string[];
    volumes: number;
}

export interface FakeLinstorWorld {
    nodes: { name: string; zone?: string; status?: ConnectionStatus; flags?: string[]; type?: FakeNode["type"]; pools?: string[] }[];
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
    /** S3 remotes by name, each over a fake bucket (`POST /v1/remotes/{remote}/backups/restore`, fakeLinstorRestore.ts). */
    remotes?: Record<string, FakeLinstorBucket>;
    /** Polls a placed replica needs to resync. Default 2. */
    resyncPolls?: number;
}

/** ApiCallRc return codes (linstor-common consts.json at ab276708): mask | code. */
export const MASK = { error: 0xc000000000000000n, warn: 0x8000000000000000n, info: 0x4000000000000000n, success: 0n };
/** The code bits of a return code (MASK_BITS_CODE) and the object mask backup errors carry (MASK_BACKUP), consts.json. */
export const MASK_BITS_CODE = 0x7fffn;
export const MASK_BACKUP = 0x80000;
export const RC = {
    FAIL_NOT_FOUND_NODE: 300,
    FAIL_NOT_FOUND_RSC_DFN: 301,
    FAIL_EXISTS_NODE_CONN: 506,
    FAIL_NODE_HAS_USED_RSC: 233,
    FAIL_NOT_ENOUGH_NODES: 996,
    FAIL_INVLD_PLACE_COUNT: 219,
    FAIL_IN_USE: 997,
    FAIL_NOT_CONNECTED: 995,
    FAIL_NOT_FOUND_SNAPSHOT: 315,
    FAIL_NOT_FOUND_REMOTE: 321,
    FAIL_INVLD_REQUEST: 234,
    FAIL_INVLD_BACKUP_CONFIG: 238,
    FAIL_EXISTS_SNAPSHOT: 516,
    FAIL_EXISTS_SNAPSHOT_DFN: 514,
    WARN_NOT_FOUND: 3000,
    WARN_NODE_EVICTED: 1017,
    INFO_NOOP: 10007,
    CREATED: 1,
    DELETED: 2,
    MODIFIED: 3,
} as const;

/** One entry of an API call's answer; LINSTOR answers with a list of them. */
export interface ApiCallRc {
    ret_code: bigint;
    message: string;
    cause?: string;
    correction?: string;
}

export function rc(kind: keyof typeof MASK, code: number, message: string, extra: Partial<ApiCallRc> = {}): ApiCallRc {
    return { ret_code: BigInt.asIntN(64, MASK[kind] | BigInt(code)), message, ...extra };
}

export class LinstorState {
    readonly nodes = new Map<string, FakeNode>();
    readonly groups = new Map<string, FakeResourceGroup>();
    readonly definitions = new Map<string, FakeResourceDefinition>();
    replicas: FakeReplica[] = [];
    snapshots: FakeSnapshot[] = [];
    readonly remotes = new Map<string, FakeLinstorBucket>();
    /** S3 meta objects read by `GET /v1/remotes/{remote}/backups` (fakeLinstorRest.ts filteredBucket). */
    metaReads = 0;
    private readonly resyncPolls: number;

    constructor(world: FakeLinstorWorld) {
        this.resyncPolls = world.resyncPolls ?? 2;
        for (const n of world.nodes) this.addNode(n.name, n.zone, n.status ?? "ONLINE", n.flags ?? [], n.type ?? "SATELLITE", n.pools);
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
        for (const [name, bucket] of Object.entries(world.remotes ?? {})) this.remotes.set(name, bucket);
    }

    addNode(
        name: string,
        zone?: string,
        status: ConnectionStatus = "ONLINE",
        flags: string[] = [],
        type: FakeNode["type"] = "SATELLITE",
        pools: string[] = type === "SATELLITE" ? SATELLITE_POOLS : [],
    ): FakeNode {
        const node: FakeNode = {
            name,
            type,
            connection_status: status,
            flags: [...flags],
            props: zone ? { [ZONE_PROP]: zone } : {},
            pools: [...pools],
        };
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

    online(node: string): boolean {
        return this.nodes.get(node)?.connection_status === "ONLINE";
    }

    // ---- state transitions -------------------------------------------------------------------------------------

    /**
     * One poll of time: a new replica resyncs (Inconsistent) for `resyncPolls` polls, and only while some diskful peer
     * is UpToDate on an ONLINE node.
     */
    advance(): void {
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

    /**
     * `DELETE /v1/nodes/{n}/lost` (CtrlNodeLostApiCallHandler): refused while the satellite is connected
     * (FAIL_EXISTS_NODE_CONN "Node '%s' still connected, please use the 'DelNode' api."); otherwise deletes the node,
     * its resources and its snapshots at once.
     */
    lost(name: string): ApiCallRc[] {
        const node = this.nodes.get(name);
        if (!node) return [rc("warn", RC.WARN_NOT_FOUND, `Deletion of node '${name}' had no effect.`, { cause: `Node '${name}' does not exist.` })];
        if (node.connection_status === "ONLINE") {
            return [rc("error", RC.FAIL_EXISTS_NODE_CONN, `Node '${name}' still connected, please use the 'DelNode' api.`)];
        }
        this.replicas = this.replicas.filter((r) => r.node !== name);
        for (const s of this.snapshots) s.nodes = s.nodes.filter((n) => n !== name);
        this.snapshots = this.snapshots.filter((s) => s.nodes.length > 0);
        this.nodes.delete(name);
        return [rc("success", RC.DELETED, `Node '${name}' deleted.`)];
    }

    /**
     * `PUT /v1/nodes/{n}/evacuate` (CtrlNodeApiCallHandler.evacuateNodeInTrasaction): sets EVACUATE on the node and its
     * resources. A replica that is not verifiably UpToDate (always the case on an offline satellite) is just deleted,
     * its snapshots shipped first (`CopyAllSnapsOnEvacuate` default true) — both need the satellite, so on an OFFLINE
     * node the resources keep DELETE and the snapshots stay: evacuation never drains (CtrlRscDeleteApiHelper "This
     * prevents deleting database entries when the node is offline"). On an ONLINE node the fake completes it.
     */
    evacuate(name: string): ApiCallRc[] {
        const node = this.nodes.get(name);
        if (!node) return [rc("error", RC.FAIL_NOT_FOUND_NODE, `Node '${name}' not found.`)];
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
        return [rc("success", RC.MODIFIED, `Node '${name}' is being evacuated.`)];
    }

    /**
     * `DELETE /v1/nodes/{n}` (CtrlNodeDeleteApiCallHandler): no effect on an EVICTED node (WARN_NODE_EVICTED); refused
     * while it holds the last diskful replica of a resource (FAIL_NODE_HAS_USED_RSC); marks node and resources DELETE,
     * and the node disappears only once it holds nothing (deleteNodeIfEmpty), i.e. at once when ONLINE, never when not.
     */
    deleteNode(name: string): ApiCallRc[] {
        const node = this.nodes.get(name);
        if (!node) return [rc("warn", RC.WARN_NOT_FOUND, `Deletion of node '${name}' had no effect.`)];
        if (node.flags.includes("EVICTED")) {
            return [
                rc("warn", RC.WARN_NODE_EVICTED, `Deletion of node '${name}' had no effect.`, {
                    correction: "Use node lost command to delete an evicted node.",
                }),
            ];
        }
        const lastDiskful = this.replicas
            .filter((r) => r.node === name && r.kind === "diskful")
            .some((r) => !this.replicasOf(r.resource).some((p) => p !== r && p.kind === "diskful" && !p.flags.includes("DELETE")));
        if (lastDiskful) return [rc("error", RC.FAIL_NODE_HAS_USED_RSC, "Cannot delete node, because it has in use or last diskful resources.")];
        if (!node.flags.includes("DELETE")) node.flags.push("DELETE");
        for (const r of this.replicas.filter((x) => x.node === name)) if (!r.flags.includes("DELETE")) r.flags.push("DELETE");
        if (this.online(name)) {
            this.replicas = this.replicas.filter((r) => r.node !== name);
            if (!this.snapshots.some((s) => s.nodes.includes(name))) this.nodes.delete(name);
        }
        return [rc("success", RC.DELETED, `Node '${name}' marked for deletion.`)];
    }

    /**
     * `POST /v1/resource-definitions/{rd}/autoplace` (CtrlRscAutoPlaceApiCallHandler): merges the request's filter over
     * the group's, places `place_count − diskful replicas not DELETE/EVICTED/EVACUATE` more on ONLINE nodes without one,
     * honouring `replicas_on_different` (zone = node prop ZONE_PROP, as the operator syncs it);
     * FAIL_NOT_ENOUGH_NODES when it cannot. A new replica resyncs (see `advance`).
     */
    autoplace(rd: string, request: { select_filter?: { place_count?: number } }): ApiCallRc[] {
        const def = this.definitions.get(rd);
        if (!def) return [rc("error", RC.FAIL_NOT_FOUND_RSC_DFN, `Resource definition '${rd}' not found.`)];
        const group = this.groups.get(def.group) ?? { name: def.group };
        const want = request.select_filter?.place_count ?? group.place_count ?? 2;
        const counted = this.replicasOf(rd).filter(
            (r) =>
                r.kind === "diskful" &&
                !r.flags.some((f) => ["DELETE", "EVICTED", "EVACUATE"].includes(f)) &&
                !this.nodes.get(r.node)?.flags.includes("EVACUATE"),
        );
        const more = want - counted.length;
        if (more < 0) return [rc("error", RC.FAIL_INVLD_PLACE_COUNT, `The resource '${rd}' is already deployed on more nodes than the place count.`)];
        if (more === 0) return [rc("info", RC.INFO_NOOP, `Resource '${rd}' was already deployed on ${counted.length} nodes.`)];
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
            return [rc("error", RC.FAIL_NOT_ENOUGH_NODES, `Not enough available nodes for '${rd}': need ${more}, found ${chosen.length}.`)];
        }
        for (const node of chosen) {
            // A tie-breaker on the chosen node becomes the diskful replica.
            this.replicas = this.replicas.filter((r) => !(r.resource === rd && r.node === node));
            this.replicas.push({ resource: rd, node, kind: "diskful", diskState: "Inconsistent", flags: [], syncPollsLeft: this.resyncPolls });
        }
        return chosen.map((n) => rc("success", RC.CREATED, `Resource '${rd}' successfully autoplaced on node '${n}'.`));
    }

    /**
     * DELETE /v1/resource-definitions/{rsc} (CtrlRscDfnDeleteApiCallHandler v1.33.3): WARN_NOT_FOUND when missing;
     * FAIL_EXISTS_SNAPSHOT_DFN while it has snapshots (ensureNoSnapDfns); FAIL_IN_USE only for a resource in use
     * (ensureNoRscInUse; the fake has no "in use", so none is); otherwise it goes WITH every resource it has
     * (truncateRscDfnInTransaction): LINSTOR does not refuse a definition because it has resources.
     */
    deleteDefinition(name: string): ApiCallRc[] {
        if (!this.definitions.has(name)) return [rc("warn", RC.WARN_NOT_FOUND, `Resource definition '${name}' not found.`)];
        if (this.snapshots.some((s) => s.resource === name)) {
            return [rc("error", RC.FAIL_EXISTS_SNAPSHOT_DFN, `Cannot delete resource definition '${name}' because it has snapshots.`)];
        }
        this.replicas = this.replicas.filter((r) => r.resource !== name);
        this.definitions.delete(name);
        return [rc("success", RC.DELETED, `Resource definition '${name}' deleted.`)];
    }

    /**
     * DELETE /v1/resource-definitions/{rsc}/snapshots/{snap} (CtrlSnapshotDeleteApiCallHandler v1.33.3): a missing
     * snapshot is a warning (WARN_NOT_FOUND, "… not found."); any snapshot of a definition a restore runs into is refused
     * (FAIL_IN_USE "… is currently being restored from a backup"), as is one being shipped (FAIL_IN_USE, "… is currently
     * being shipped as a backup"); else it goes from every node, an `Aborted` or `Failed` one too. Nothing here
     * touches S3.
     */
    deleteSnapshot(resource: string, name: string): ApiCallRc[] {
        const s = this.snapshots.find((x) => x.resource === resource && x.name === name);
        const what = `Snapshot '${name}' of resource '${resource}'`;
        if (s === undefined) return [rc("warn", RC.WARN_NOT_FOUND, `${what} not found.`)];
        // BackupInfoManager.restoreContainsRscDfn: ANY restore into the definition (the fake: a link still Shipping).
        if (s.busy === "restoring" || this.snapshots.some((x) => x.resource === resource && x.received?.status === "Shipping"))
            return [rc("error", RC.FAIL_IN_USE, `${what} is currently being restored from a backup. Please wait until the restore is finished`)];
        if (s.busy === "shipping") {
            return [
                rc(
                    "error",
                    RC.FAIL_IN_USE,
                    `${what} is currently being shipped as a backup. Please wait until the shipping is finished or use backup abort --create`,
                ),
            ];
        }
        this.snapshots = this.snapshots.filter((x) => x !== s);
        return [rc("success", RC.DELETED, `${what} deleted.`)];
    }
}
