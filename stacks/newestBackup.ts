/**
 * The primary's convenience output: the newest complete backup of its Jenkins claim in its bucket, as of this
 * `pulumi up` (backupCatalog.ts, the rule the DR stack applies itself). Only a convenience: backups keep coming between
 * two runs, and the DR stack never depends on it. The bucket is read after it exists; a failed read only warns.
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

export function newestBackupOutputs(source: BackupSource, jenkinsNamespace: string) {
    const newest = source.bucketName.apply(async (bucket): Promise<BackupSummary | undefined> => {
        try {
            const r = await newestCompleteBackup(s3BucketReader(bucket, source.bucketRegion), { pvcNamespace: jenkinsNamespace });
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
