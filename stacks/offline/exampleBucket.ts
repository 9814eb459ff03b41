/**
 * The snapshot bucket as the offline plan assumes it: it cannot list a real one, so every bucket holds one complete
 * backup of a Jenkins claim (`jenkins/jenkins-home`), in LINSTOR's layout (components/snapshots/backupCatalog.ts, the
 * names and meta fields of linstor-server v1.33.3). A DR stack then plans its restore; the plan discloses the guess.
 */
import type { MockBucket } from "./mockCloud";

const RESOURCE = "pvc-00000000-0000-4000-8000-0ff11e000000";
const SNAPSHOT = "snapshot-00000000-0000-4000-8000-0ff11e000000";
const BACKUP_ID = `${RESOURCE}_back_20260101_000000^${SNAPSHOT}`;
const DATA_KEY = `${RESOURCE}_00000_back_20260101_000000^${SNAPSHOT}`;

/** The handle of the example backup through `remote` (to pin it offline with restoreSnapshotHandle). */
export const exampleBackupHandle = (remote: string): string => `s3://${remote}/${RESOURCE}/${SNAPSHOT}`;

export function exampleBucket(volumeGiB = 20): MockBucket {
    const start = Date.UTC(2026, 0, 1);
    const meta = {
        rscName: RESOURCE,
        nodeName: "offline",
        startTimestamp: start,
        finishTimestamp: start + 600_000,
        basedOn: null,
        rscDfn: {
            rscDfnProps: { "Aux/csi.storage.k8s.io/pvc/name": "jenkins-home", "Aux/csi.storage.k8s.io/pvc/namespace": "jenkins" },
            vlmDfns: { "0": { size: volumeGiB * 2 ** 20 } },
        },
        backups: { "0": [{ name: DATA_KEY, finishedTimestamp: start + 600_000, node: "offline" }] },
        clusterId: "offline",
    };
    const objects = new Map<string, Buffer | number>([
        [`${BACKUP_ID}.meta`, Buffer.from(JSON.stringify(meta))],
        [DATA_KEY, volumeGiB * 2 ** 30],
    ]);
    return {
        keys: () => [...objects.keys()],
        object: (key) => {
            const o = objects.get(key);
            return Buffer.isBuffer(o) ? o : undefined;
        },
        size: (key) => {
            const o = objects.get(key);
            return o === undefined ? undefined : Buffer.isBuffer(o) ? o.length : o;
        },
    };
}
