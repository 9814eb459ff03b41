/**
 * Which backup the DR stack restores, chosen ONCE and kept:
 * 1. `restoreSnapshotHandle` pins one; it must be in the bucket and complete.
 * 2. Else the choice this stack recorded (its output `restoredBackup`, pinned or not) stands as long as
 *    `restoreSelection` is the one it was made under: an unrelated `pulumi up` never restores again because a newer
 *    backup appeared.
 * 3. Else the newest complete backup of a claim in the Jenkins namespace (backupCatalog.ts), read from the bucket.
 * A new choice gets new object names (restoreNames: derived from the backup id), so it never changes the immutable
 * `snapshotHandle` of an existing VolumeSnapshotContent nor replaces the protected claim; releasing the old restore is
 * the runbook's step (stacks/ops/README.md).
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../components/shared/errors";
import {
    type BucketReader,
    backupHandle,
    backupNameKey,
    type CatalogResult,
    type ChosenBackup,
    newestCompleteBackup,
    parseHandle,
} from "../components/snapshots/backupCatalog";
import { projectKey } from "./config";
import type { DrConfig } from "./config/dr";
import type { RestoredBackup } from "./outputs";

export interface ChoiceContext {
    readonly dr: DrConfig;
    /** What this stack recorded last time. */
    readonly recorded?: RestoredBackup;
    /** The LINSTOR remote name in this cluster (the handle's host). */
    readonly remote: string;
    readonly jenkinsNamespace: string;
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
    const filter = { pvcNamespace: c.jenkinsNamespace };
    if (dr.restoreSnapshotHandle !== undefined) {
        const pin = parseHandle(dr.restoreSnapshotHandle);
        const matches = (b: { resource: string; snapshot: string }) =>
            b.snapshot === pin.snapshot && (pin.resource === undefined || b.resource === pin.resource);
        if (recorded?.pinned && matches(recorded)) return { backup: recorded, how: "kept" };
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
        return { backup: record(chosen, c.remote, dr.restoreSelection, true), how: "pinned" };
    }
    // A pin removed later keeps what it restored too: only raising restoreSelection chooses again.
    if (recorded !== undefined && recorded.selection === dr.restoreSelection) return { backup: recorded, how: "kept" };
    const r = await newestCompleteBackup(c.reader(), filter).catch(readError(c));
    if (r.chosen === undefined) {
        void pulumi.log.warn(
            `The bucket ${c.bucket} holds no complete backup of a claim in namespace ${c.jenkinsNamespace}.${found(r)} ` +
                "The DR stack comes up without Jenkins (cluster, LINSTOR and its S3 remote); the next `pulumi up` looks again.",
        );
        return { how: "none" };
    }
    return { backup: record(r.chosen, c.remote, dr.restoreSelection, false), how: "newest" };
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
