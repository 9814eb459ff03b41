/**
 * The fake LINSTOR controller's backup restore (`POST /v1/remotes/{remote}/backups/restore`) over a fake bucket, as
 * linstor-server v1.33.3 answers it (rest/v1/Backups.java restoreBackup, backup/CtrlBackupRestoreApiCallHandler.java
 * restoreBackupInTransaction, createSnapshotByS3Meta, shippingReceivedInTransaction), in the order upstream checks:
 * - neither `last_backup` nor `src_rsc_name`/`src_snap_name`, or `download_only` with `force_restore`: FAIL_INVLD_REQUEST
 *   (validateBackupSelectionParams);
 * - unknown node: FAIL_NOT_FOUND_NODE (404); a satellite not connected: FAIL_NOT_CONNECTED; unknown remote:
 *   FAIL_NOT_FOUND_REMOTE (404);
 * - `last_backup` (`.meta` appended when missing) not in the bucket: FAIL_INVLD_BACKUP_CONFIG;
 * - that meta already being restored: FAIL_IN_USE "The meta-file … is currently being used in a restore";
 * - the chain (`basedOn`, newest first) is cut at the first link whose snapshot already exists in the target resource
 *   definition, WHATEVER ITS STATUS (an Aborted or Failed one too: restoreBackupInTransaction lines 444-483 stop at
 *   `loadSnapshotDfn(...) != null` and read no ShippingStatus), so a new link lands on top of a broken one (on another
 *   node: the download moves there); nothing left: FAIL_EXISTS_SNAPSHOT "The requested backup has already been
 *   downloaded to this cluster";
 * - any restore running into the target resource definition: FAIL_IN_USE "A backup is currently being restored to
 *   resource definition …";
 * - else the target resource definition when missing (getRscDfnForBackupRestore: no resources), a snapshot per
 *   missing link on the node, `BackupShipping/Target/ShippingStatus` = Shipping (and BackupSrcRemote, and
 *   BackupStartTimestamp = the meta's startTimestamp), and an INFO "… in progress." (HTTP 201). Without `download_only` upstream would also restore a
 *   resource on success; the fake refuses that (not modelled).
 * The refusals carry MASK_BACKUP as upstream's do (`ApiConsts.FAIL_IN_USE | ApiConsts.MASK_BACKUP`, …); FAIL_NOT_CONNECTED
 * does not. The download itself is the test's to end: `finishRestores(state, true)` marks every running link Success,
 * `finishRestores(state, false)` fails them and, like shippingReceivedInTransaction, deletes the failed link and every
 * later one of its chain. `nextLink(state, …)` plays one satellite report at a time, as upstream downloads: the oldest
 * running link of each resource definition (the full first, restoreOrder) becomes Success, or Failed with every later
 * link Aborting (shippingReceivedInTransaction marks them so, then deletes them all in a later flux step, which
 * `reapAborted` plays). `restartController` plays a controller restart: running links become `Aborted` and stay
 * (PreConnectInitializer).
 */
import { type ApiCallRc, type LinstorState, MASK_BACKUP, RC, rc } from "./fakeLinstorState";

export interface BackupRestoreBody {
    src_rsc_name?: string;
    src_snap_name?: string;
    last_backup?: string;
    target_rsc_name?: string;
    node_name?: string;
    download_only?: boolean;
    force_restore?: boolean;
}

function metaOf(state: LinstorState, remote: string, key: string): { basedOn: string | null; rscName: string; startTimestamp: number } | undefined {
    const bucket = state.remotes.get(remote);
    if (bucket === undefined || !bucket.has(key)) return undefined;
    return JSON.parse((bucket.object(key) as Buffer).toString("utf8"));
}

/** `<rsc>_back_<time>[suffix][^<snap>]` → the origin snapshot name (the backup time id when no `^snap`). */
function snapshotOf(id: string): string {
    return /\^(.+)$/.exec(id)?.[1] ?? (/_(back_\d{8}_\d{6})/.exec(id)?.[1] as string);
}

export function restoreBackup(state: LinstorState, remote: string, b: BackupRestoreBody): ApiCallRc[] {
    const err = (code: number, message: string) => [rc("error", code, message)];
    if (!b.last_backup && !b.src_rsc_name && !b.src_snap_name) {
        return err(RC.FAIL_INVLD_REQUEST, "One of backup ID, resource name or snapshot name is required, but none was given");
    }
    if (b.download_only && b.force_restore) {
        return err(RC.FAIL_INVLD_REQUEST, "--download-only and --force-restore are mutually exclusive, use at most one of them.");
    }
    if (!b.download_only || !b.last_backup || !b.target_rsc_name) throw new Error("the fake models download_only restores of a named backup only");
    const node = state.nodes.get(b.node_name ?? "");
    if (node === undefined) return err(RC.FAIL_NOT_FOUND_NODE, `Node '${b.node_name}' not found.`);
    if (node.connection_status !== "ONLINE") return err(RC.FAIL_NOT_CONNECTED, `No active connection to satellite '${node.name}'.`);
    if (!state.remotes.has(remote)) return err(RC.FAIL_NOT_FOUND_REMOTE, `Remote '${remote}' not found.`);
    const target = b.target_rsc_name;
    const metaKey = b.last_backup.endsWith(".meta") ? b.last_backup : `${b.last_backup}.meta`;
    if (metaOf(state, remote, metaKey) === undefined) {
        return err(
            RC.FAIL_INVLD_BACKUP_CONFIG | MASK_BACKUP,
            `The target backup ${metaKey} is invalid since it does not exist in the given remote ${remote}.`,
        );
    }
    const running = state.snapshots.filter((s) => s.resource === target && s.received?.status === "Shipping");
    if (running.some((s) => `${s.received?.backup}.meta` === metaKey)) {
        return err(RC.FAIL_IN_USE | MASK_BACKUP, `The meta-file ${metaKey} is currently being used in a restore.`);
    }
    // 3a: the whole chain, newest first, then cut at the first link already here, whatever its status (upstream 444-483).
    const chain: string[] = [];
    for (let key: string | null = metaKey; key !== null; ) {
        const meta = metaOf(state, remote, key);
        if (meta === undefined) return err(RC.FAIL_INVLD_BACKUP_CONFIG, `Failed to parse meta file ${key}`);
        chain.push(key.slice(0, -".meta".length));
        key = meta.basedOn;
    }
    let on = node.name;
    const missing: string[] = [];
    for (const id of chain) {
        const here = state.snapshots.find((s) => s.resource === target && s.name === snapshotOf(id));
        if (here !== undefined) {
            if (!here.nodes.includes(on)) on = here.nodes[0];
            break;
        }
        missing.push(id);
    }
    if (missing.length === 0) {
        return err(
            RC.FAIL_EXISTS_SNAPSHOT | MASK_BACKUP,
            "The requested backup has already been downloaded to this cluster. Please use 'snapshot resource restore' to get a resource.",
        );
    }
    if (running.length > 0) return err(RC.FAIL_IN_USE | MASK_BACKUP, `A backup is currently being restored to resource definition ${target}.`);
    // getRscDfnForBackupRestore: the target's resource definition is created when missing, without resources.
    if (!state.definitions.has(target)) state.definitions.set(target, { name: target, group: "DfltRscGrp", flags: [], volumes: 1 });
    for (const id of missing.reverse()) {
        state.snapshots.push({
            name: snapshotOf(id),
            resource: target,
            nodes: [on],
            busy: "restoring",
            received: { remote, status: "Shipping", backup: id, start: metaOf(state, remote, `${id}.meta`)?.startTimestamp },
        });
    }
    const origin = metaOf(state, remote, metaKey)?.rscName;
    return [rc("info", 0, `Restoring backup of resource ${origin} from remote ${remote} into resource ${target} in progress.`)];
}

/** The satellites report every running download: all Success, or all failed (each failed link and its later ones deleted). */
export function finishRestores(state: LinstorState, success: boolean): void {
    for (const s of state.snapshots) {
        if (s.received?.status !== "Shipping") continue;
        if (success) {
            s.received.status = "Success";
            s.busy = undefined;
        } else s.received.status = "Failed";
    }
    state.snapshots = state.snapshots.filter((s) => s.received?.status !== "Failed");
}

/** One satellite report per resource definition being restored into: its oldest running link succeeds or fails. */
export function nextLink(state: LinstorState, success: boolean): void {
    const seen = new Set<string>();
    for (const s of state.snapshots) {
        if (s.received?.status !== "Shipping" || seen.has(s.resource)) continue;
        seen.add(s.resource);
        if (success) {
            s.received.status = "Success";
            s.busy = undefined;
            continue;
        }
        s.received.status = "Failed";
        // The later links of the same restore (created after it, still Shipping) are aborted with it.
        const later = state.snapshots.slice(state.snapshots.indexOf(s) + 1);
        for (const l of later) if (l.resource === s.resource && l.received?.status === "Shipping") l.received.status = "Aborting";
    }
}

/** The deletion of the failed and aborted links (shippingReceivedInTransaction's later flux step). */
export function reapAborted(state: LinstorState): void {
    state.snapshots = state.snapshots.filter((s) => s.received?.status !== "Failed" && s.received?.status !== "Aborting");
}

/**
 * A controller restart (systemstarter/PreConnectInitializer.java v1.33.3): every receive still `Shipping` becomes
 * `Aborted` (BackupShipping/Target/ShippingStatus) and stays; the in-memory restore map is empty again, so nothing
 * refuses a new restore into the definition, and the chain walk (3a) counts an `Aborted` link as already here.
 */
export function restartController(state: LinstorState): void {
    for (const s of state.snapshots) {
        if (s.received?.status !== "Shipping") continue;
        s.received.status = "Aborted";
        s.busy = undefined;
    }
}

/**
 * The chain `ids` (full first, at least three links) downloaded into its origin resource on a broken base, as upstream
 * lets it happen: a download of `ids[1]` gets its full, then the controller restarts (`ids[1]` stays Aborted); a later
 * download of `ids[2]` (e.g. the restore check's linstor-csi, which cleans nothing first) stops its chain walk at the
 * Aborted link and receives only `ids[2]`, which becomes Success on top of it.
 */
export function brokenBase(state: LinstorState, ids: readonly string[], remote = [...state.remotes.keys()][0], node = "n1"): void {
    const target = metaOf(state, remote, `${ids[0]}.meta`)?.rscName as string;
    restoreBackup(state, remote, { last_backup: ids[1], target_rsc_name: target, node_name: node, download_only: true });
    nextLink(state, true);
    restartController(state);
    const answer = restoreBackup(state, remote, { last_backup: ids[2], target_rsc_name: target, node_name: node, download_only: true });
    if (answer[0].message.indexOf("in progress") < 0) throw new Error(`brokenBase: ${answer[0].message}`);
    finishRestores(state, true);
}
