/**
 * The primary's convenience output: the newest complete backup of its Jenkins claim in its bucket, as of this
 * `pulumi up` (backupCatalog.ts). Only a convenience: backups keep coming between two runs, and the DR stack never
 * depends on it. The bucket is read after it exists; a failed read only warns.
 *
 * It runs on every preview and up, so it reads as little as can prove the answer (review L7): the primary knows its
 * claim's LINSTOR resource (`pvc-<claim UID>`), so only that resource's metas are candidates (told by their keys), and
 * the catalog follows the newest one's `basedOn` chain link by link with a few reads ahead, stopping at the first
 * complete backup: one listing, a GET per link of that chain (+ ≤ 8 read ahead) and a HEAD per data object, bounded by
 * the chain length the snapshot classes allow (`snapshotFullAfter`, `snapshotMaxIncrements`), never by the bucket.
 * Kept on rather than opt-in: at S3's request prices that is a fraction of a cent a run, it needs no key, and the
 * runbook's "what would DR restore now?" is answered without reading the bucket by hand. Before the claim's UID is
 * known (first preview) it falls back to the namespace rule the DR stack applies.
 */
import * as pulumi from "@pulumi/pulumi";
import { backupHandle, newestCompleteBackup } from "../components/snapshots/backupCatalog";
import { s3BucketReader } from "../components/snapshots/bucketReader";
import type { BackupSummary } from "./outputs";

export interface BackupSource {
    readonly bucketName: pulumi.Output<string>;
    readonly bucketRegion: string;
    readonly linstorRemoteName: string;
}

export function newestBackupOutputs(source: BackupSource, jenkinsNamespace: string, jenkinsResource?: pulumi.Input<string | undefined>) {
    const newest = pulumi.all([source.bucketName, jenkinsResource]).apply(async ([bucket, resource]): Promise<BackupSummary | undefined> => {
        try {
            const filter = resource ? { resource } : { pvcNamespace: jenkinsNamespace };
            const r = await newestCompleteBackup(s3BucketReader(bucket, source.bucketRegion), filter);
            if (r.chosen === undefined) return undefined;
            const b = r.chosen.backup;
            return {
                id: b.id,
                resource: b.resource,
                snapshot: b.snapshot,
                handle: backupHandle(source.linstorRemoteName, b),
                startTimestamp: b.startTimestamp,
                chainLength: r.chosen.chain.length,
                chainBytes: r.chosen.chainBytes,
                volumeBytes: b.volumeBytes,
                ...(b.clusterId !== undefined ? { clusterId: b.clusterId } : {}),
            };
        } catch (e) {
            void pulumi.log.warn(`Could not read the bucket ${bucket} for the newestBackup output: ${(e as Error).message}`);
            return undefined;
        }
    });
    return { newestBackup: newest, newestBackupHandle: newest.apply((b) => b?.handle) };
}
