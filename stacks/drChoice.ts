/**
 * Which backup the DR stack restores, chosen ONCE and kept:
 * 1. `restoreSnapshotHandle` pins one; it must be in the bucket and complete.
 * 2. Else the choice this stack recorded (its output `restoredBackup`, pinned or not) stands as long as
 *    `restoreSelection` is the one it was made under: an unrelated `pulumi up` never restores again because a newer
 *    backup appeared.
 * 3. Else the newest complete backup of a claim in the Jenkins namespace (backupCatalog.ts), read from the bucket, of
 *    one LINSTOR cluster. Which backups are the Jenkins claim's (claimFilter): those whose meta carries the claim's
 *    namespace (`Aux/csi.storage.k8s.io/pvc/namespace`, set by linstor-csi from csi-provisioner's
 *    `--extra-create-metadata`), and those of the primary's Jenkins resource, its output `jenkinsLinstorResource` (live
 *    or recorded), whatever their metas say: a volume provisioned without the properties (an imported PV, a
 *    controller run without the flag) is found by name, even beside older backups that carry them, and a recorded
 *    resource that is no longer the claim's cannot hide newer backups that carry them. `restoreSourceResource` names
 *    the resource explicitly and overrides both. Backups without the properties and no resource to match them: a
 *    ConfigError naming both, never a silent start without Jenkins. Fails closed when the bucket cannot say which cluster is the live one: two clusters whose
 *    backups of the claim overlap in time (an old primary that came back and ships its stale claim beside the DR copy's,
 *    the failback case), or backups of the cluster the primary stack itself replaced (its `restoredBackup.clusterId`)
 *    newer than that restore. Then a ConfigError names `restoreSourceClusterId`, which pins the cluster.
 * A new choice gets new object names (restoreNames: derived from the backup id), so it never changes the immutable
 * `snapshotHandle` of an existing VolumeSnapshotContent nor replaces the protected claim; releasing the old restore is
 * the runbook's step (stacks/ops/README.md).
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../components/shared/errors";
import {
    type BackupFilter,
    type BucketReader,
    backupHandle,
    backupNameKey,
    type CatalogResult,
    type ChosenBackup,
    type ClusterSpan,
    newestCompleteBackup,
    PVC_NAMESPACE_PROP,
    parseHandle,
    type ResourceHead,
    resourceHeads,
    spansOf,
} from "../components/snapshots/backupCatalog";
import { projectKey } from "./config";
import type { DrConfig } from "./config/dr";
import type { RestoredBackup } from "./outputs";

export interface ChoiceContext {
    readonly dr: DrConfig;
    /** What this stack recorded last time. */
    readonly recorded?: RestoredBackup;
    /** What the primary stack restored, when it is itself a DR stack (failback): its source cluster is the stale one. */
    readonly primaryRestored?: RestoredBackup;
    /** The LINSTOR remote name in this cluster (the handle's host). */
    readonly remote: string;
    readonly jenkinsNamespace: string;
    /** `restoreSourceResource`: the LINSTOR resource whose backups are the Jenkins claim's, whatever their metas say. */
    readonly sourceResource?: string;
    /** The primary's `jenkinsLinstorResource` (live or recorded): used when no backup carries the claim properties. */
    readonly primaryResource?: string;
    /** The bucket, described for messages. */
    readonly bucket: string;
    /** Reads the bucket; only called when a choice has to be made. */
    readonly reader: () => BucketReader;
}

export interface BackupChoice {
    /** Undefined when the bucket holds no complete backup (the stack then comes up without Jenkins). */
    readonly backup?: RestoredBackup;
    /** How it was chosen, for the log. */
    readonly how: "pinned" | "kept" | "newest" | "none";
    /**
     * Each link's snapshot and bytes when the bucket was read for this choice (not for a kept one): the restore gate reports
     * which links it downloaded, and the drill measures those bytes (stacks/ops/restoreMeasure.ts). Not recorded.
     */
    readonly links?: readonly { readonly snapshot: string; readonly bytes: number }[];
}

function record(c: ChosenBackup, remote: string, selection: number, pinned: boolean): RestoredBackup {
    const b = c.backup;
    return {
        id: b.id,
        resource: b.resource,
        snapshot: b.snapshot,
        handle: backupHandle(remote, b),
        startTimestamp: b.startTimestamp,
        chainLength: c.chain.length,
        chainBytes: c.chainBytes,
        volumeBytes: b.volumeBytes,
        ...(b.clusterId !== undefined ? { clusterId: b.clusterId } : {}),
        selection,
        pinned,
    };
}

/** What the catalog said, for an error or a warning. */
function found(r: CatalogResult): string {
    const parts = r.rejected.slice(0, 3).map((x) => `${x.id}: ${x.reason}`);
    if (r.rejected.length > 3) parts.push(`${r.rejected.length - 3} more`);
    if (r.withoutMeta.length > 0) parts.push(`${r.withoutMeta.length} shipment(s) without a meta object (running or failed)`);
    return parts.length > 0 ? ` Passed over: ${parts.join("; ")}.` : "";
}

/** Chooses the backup (see the header). Throws a ConfigError for a pinned backup that is missing or incomplete. */
export async function chooseBackup(c: ChoiceContext): Promise<BackupChoice> {
    const { dr, recorded } = c;
    if (dr.restoreSnapshotHandle !== undefined) {
        const pin = parseHandle(dr.restoreSnapshotHandle);
        const matches = (b: { resource: string; snapshot: string }) =>
            b.snapshot === pin.snapshot && (pin.resource === undefined || b.resource === pin.resource);
        if (recorded?.pinned && matches(recorded)) return kept(recorded);
        // A pinned backup may be of any claim: the operator chose it.
        const r = await newestCompleteBackup(c.reader(), {}, matches).catch(readError(c));
        const chosen = r.chosen;
        if (chosen === undefined) {
            throw new ConfigError(
                projectKey("restoreSnapshotHandle"),
                dr.restoreSnapshotHandle,
                `No complete backup of this snapshot is in the bucket ${c.bucket} (its meta object, every data object and its whole chain must be there).` +
                    `${found(r)} List them with \`linstor backup list <remote>\`, or unset this key to restore the newest complete one.`,
            );
        }
        return { backup: record(chosen, c.remote, dr.restoreSelection, true), how: "pinned", links: chosen.links };
    }
    // A pin removed later keeps what it restored too: only raising restoreSelection chooses again.
    if (recorded !== undefined && recorded.selection === dr.restoreSelection) return kept(recorded);
    const reader = c.reader();
    const heads = await resourceHeads(reader).catch(readError(c));
    const claim = claimFilter(c, heads);
    const clusterId = await sourceCluster(c, spansOf(heads, claim.filter), claim.what);
    const r = await newestCompleteBackup(reader, { ...claim.filter, ...(clusterId !== undefined ? { clusterId } : {}) }).catch(readError(c));
    if (r.chosen === undefined) {
        void pulumi.log.warn(
            `The bucket ${c.bucket} holds no complete backup of ${claim.what}.${found(r)} ` +
                "The DR stack comes up without Jenkins (cluster, LINSTOR and its S3 remote); the next `pulumi up` looks again.",
        );
        return { how: "none" };
    }
    return { backup: record(r.chosen, c.remote, dr.restoreSelection, false), how: "newest", links: r.chosen.links };
}

/**
 * The resources a warm standby's restore check verifies: the Jenkins claim's, of `clusterId` when given, else of the
 * cluster that shipped last (LINSTOR's backup list, which the check reads, names no claim). None found: the check
 * takes the newest backup of any resource, with a warning; a new claim in the primary needs a `pulumi up` here.
 */
export async function standbyOrigins(c: ChoiceContext, clusterId?: string): Promise<string[]> {
    const heads = await resourceHeads(c.reader()).catch(readError(c));
    const claim = claimFilter(c, heads);
    const spans = spansOf(heads, claim.filter);
    const span = clusterId !== undefined ? spans.find((s) => s.clusterId === clusterId) : spans[0];
    if (span === undefined) {
        void pulumi.log.warn(
            `The bucket ${c.bucket} holds no backup of ${claim.what}${clusterId ? ` from cluster ${clusterId}` : ""}: ` +
                "the restore check verifies the newest backup of any resource until a `pulumi up` finds one.",
        );
        return [];
    }
    return [...span.resources].sort();
}

/** Which backups are the Jenkins claim's (see the header), and how to say so in messages. */
export function claimFilter(c: ChoiceContext, heads: readonly ResourceHead[]): { readonly filter: BackupFilter; readonly what: string } {
    const described = heads.map(
        (h) => `${h.resource} (${h.head.pvcNamespace === undefined ? "no claim properties" : `namespace ${h.head.pvcNamespace}`})`,
    );
    const found = described.length > 10 ? [...described.slice(0, 10), `${described.length - 10} more`] : described;
    if (c.sourceResource !== undefined) {
        if (!heads.some((h) => h.resource === c.sourceResource)) {
            const all = heads.length === 0 ? "" : ` It holds backups of: ${found.join(", ")}.`;
            throw new ConfigError(
                projectKey("restoreSourceResource"),
                c.sourceResource,
                `The bucket ${c.bucket} holds no readable backup of this LINSTOR resource.${all} Name the Jenkins claim's resource ` +
                    "(the primary's output jenkinsLinstorResource, or its PV's spec.csi.volumeHandle), or unset the key to match by the claim's namespace.",
            );
        }
        return { filter: { resource: c.sourceResource }, what: `the LINSTOR resource ${c.sourceResource} (restoreSourceResource)` };
    }
    const byNamespace = { filter: { pvcNamespace: c.jenkinsNamespace }, what: `a claim in namespace ${c.jenkinsNamespace}` };
    if (c.primaryResource !== undefined) {
        return {
            filter: { pvcNamespace: c.jenkinsNamespace, orResource: c.primaryResource },
            what: `a claim in namespace ${c.jenkinsNamespace} or the primary's Jenkins resource ${c.primaryResource}`,
        };
    }
    if (heads.some((h) => h.head.pvcNamespace === c.jenkinsNamespace)) return byNamespace;
    if (!heads.some((h) => h.head.pvcNamespace === undefined)) return byNamespace;
    throw new ConfigError(
        projectKey("restoreSourceResource"),
        undefined,
        `No backup in the bucket ${c.bucket} says which claim it is of (${PVC_NAMESPACE_PROP} = ${c.jenkinsNamespace} is missing from every meta; ` +
            `resources: ${found.join(", ")}), and the primary's Jenkins resource is not known (its output jenkinsLinstorResource: ` +
            "set primaryStack to a primary deployed by this program, or restore once with it so this stack records it). " +
            "Set restoreSourceResource to the Jenkins claim's LINSTOR resource (on the primary: kubectl -n <Jenkins namespace> get pvc <claim> " +
            "-o jsonpath='{.spec.volumeName}'), or pin a backup with restoreSnapshotHandle.",
    );
}

/** A kept choice older than this is worth a warning: a DR stack left deployed after a drill keeps the drill's backup. */
export const KEPT_BACKUP_WARN_HOURS = 24;

/** The warning for a kept backup that started more than KEPT_BACKUP_WARN_HOURS before `now`, if any. */
export function keptBackupWarning(b: RestoredBackup, now = Date.now()): string | undefined {
    const hours = (now - b.startTimestamp) / 3_600_000;
    if (!(hours > KEPT_BACKUP_WARN_HOURS)) return undefined;
    return (
        `This stack keeps the backup it restored before, ${b.id}, which started ${Math.floor(hours)} h ago. If this is a real ` +
        "fail-over (not the drill that chose it), raise restoreSelection to restore the newest complete backup (runbook)."
    );
}

function kept(b: RestoredBackup): BackupChoice {
    const warning = keptBackupWarning(b);
    if (warning !== undefined) void pulumi.log.warn(warning);
    return { backup: b, how: "kept" };
}

/** `yyyyMMdd_HHmmss` of a key's `back_…` time, for messages. */
function when(backupTime: string): string {
    return backupTime.slice("back_".length);
}

/**
 * The cluster to restore from: `restoreSourceClusterId` when set (it must have shipped the claim), else none (any) when
 * the bucket is unambiguous; a ConfigError naming the key when it is not (see the header).
 */
async function sourceCluster(c: ChoiceContext, spans: readonly ClusterSpan[], what: string): Promise<string | undefined> {
    const key = projectKey("restoreSourceClusterId");
    const list = spans.map((s) => `${s.clusterId} (${s.resources.join(", ")}: ${when(s.first)}…${when(s.last)} UTC)`).join("; ");
    const pinned = c.dr.restoreSourceClusterId;
    if (pinned !== undefined) {
        if (spans.some((s) => s.clusterId === pinned)) return pinned;
        throw new ConfigError(
            key,
            pinned,
            `No backup of ${what} in the bucket ${c.bucket} was shipped by this LINSTOR cluster. ` + `Clusters that shipped one: ${list || "none"}.`,
        );
    }
    const [newest, ...others] = spans;
    if (newest === undefined) return undefined;
    const stale = c.primaryRestored?.clusterId;
    const restoredAt = c.primaryRestored ? parseHandleTime(c.primaryRestored.id) : undefined;
    const replacedShipsAgain = spans.find((s) => s.clusterId === stale && restoredAt !== undefined && s.last > restoredAt);
    const overlapping = others.filter((s) => s.last >= newest.first);
    if (replacedShipsAgain === undefined && overlapping.length === 0) return undefined;
    const why =
        replacedShipsAgain !== undefined
            ? `the cluster ${stale}, which the primary stack replaced (it restored that cluster's backup of ${when(restoredAt as string)} UTC), ` +
              `shipped backups after that restore: an old primary that came back still snapshots its stale claim into this bucket`
            : "more than one LINSTOR cluster shipped backups of the claim over the same time, so the newest backup need not be the live Jenkins'";
    throw new ConfigError(
        key,
        undefined,
        `Refusing to choose a backup from the bucket ${c.bucket}: ${why}. Clusters: ${list}. Stop the stale cluster's schedule ` +
            '(kubectl -n <LINSTOR namespace, e.g. piraeus-datastore> patch cronjob jenkins-snapshots -p \'{"spec":{"suspend":true}}\' on it), then set ' +
            "restoreSourceClusterId to the cluster of the Jenkins that ran last (the failback runbook, stacks/ops/README.md, says how to find it).",
    );
}

/** The `back_…` time of a backup id. */
function parseHandleTime(id: string): string | undefined {
    return /_(back_\d{8}_\d{6})/.exec(id)?.[1];
}

/** A bucket that cannot be read (no rights, no such bucket) stops the stack with what to fix. */
function readError(c: ChoiceContext) {
    return (e: Error): never => {
        throw new ConfigError(
            projectKey(c.dr.restoreBucketName !== undefined ? "restoreBucketName" : "primaryStack"),
            c.bucket,
            `The DR stack reads the bucket to choose a backup and could not: ${e.message}. The identity running Pulumi needs ` +
                "s3:ListBucket and s3:GetObject on it and kms:Decrypt on its key.",
        );
    };
}

/** The names of what restores `backup`: VolumeSnapshot and claim `jenkins-dr-<UTC start>-<hash of the id>`. */
export function restoreNames(backup: Pick<RestoredBackup, "id">): {
    readonly key: string;
    readonly snapshotName: string;
    readonly claimName: string;
} {
    const key = backupNameKey(backup.id);
    const name = `jenkins-dr-${key}`;
    return { key, snapshotName: name, claimName: name };
}
