/**
 * A pure simulation of the schedule's hourly VolumeSnapshots shipped to S3 by linstor-csi, pruned by the CronJob, as
 * linstor-csi v1.11.2 and v1.11.3 (and later) behave. Time is in whole hours.
 *
 * Upstream behaviour modelled (research note /tmp/research/linstor.md §2):
 * - Parameters: piraeusdatastore/linstor-csi `pkg/volume/snapshot_params.go`. v1.11.2 (2327edf5) parses type,
 *   delete-local, allow-incremental, remote-name, s3-*, linstor-target-*; any other `snap.linstor.csi.linbit.com/*`
 *   key hits `default: log.WithField("key", k).Warn("ignoring unknown snapshot parameter key")` and is ignored.
 *   v1.11.3 (bab63b37) also parses `max-increments` (`strconv.Atoi`, < 0 is an error, 0 = no limit) and
 *   `full-snapshot-after` (`time.ParseDuration`). This fake keeps its own key lists on purpose: the spec checks the
 *   program's table (components/linstorCluster/operatorReleases.ts) against them.
 * - Incremental or full: with allow-incremental every backup after the first is based on the previous one. v1.11.3
 *   `reconcileBackup` → `backupChainExhausted()` / `incrementChainLength()` walks `based_on_id` from the newest
 *   successful backup back to its full and forces `Incremental: false` when increments ≥ max-increments or the full
 *   started ≥ full-snapshot-after ago.
 * - Deleting (`pkg/client/linstor.go` `SnapDelete`): v1.11.2 calls `Backup.DeleteAll{ID}` without cascade; LINSTOR
 *   1.33.3 refuses a backup that a newer one is based on (`CtrlBackupApiCallHandler.java`, `FAIL_DEPENDEND_BACKUP`:
 *   "... is referencing it. Use --cascading to delete recursively"); the CSI returns the error, keeps the local
 *   snapshot, and the external-snapshotter retries. v1.11.3 lists all backups of the resource, and when one of its own
 *   is still a `based_on_id` of another it returns a retryable "still the base of a newer incremental backup;
 *   deferring deletion" error before calling LINSTOR. Either way the VolumeSnapshot stays Terminating until a retry
 *   succeeds (csi-snapshotter retries with backoff up to 5 minutes; here: until no progress, before each hourly run).
 * - The CronJob (components/snapshots/schedule.ts SNAPSHOT_SCRIPT): creates one VolumeSnapshot, waits for readyToUse,
 *   lists the schedule's snapshots that are ready and not being deleted (`deletionTimestamp == null`), newest first,
 *   and deletes all beyond `RETENTION` (with the content patched to `deletionPolicy: Delete`).
 */

export const SNAP = "snap.linstor.csi.linbit.com";

const PARSED_BY_1_11_2 = [
    "type",
    "delete-local",
    "allow-incremental",
    "remote-name",
    "s3-endpoint",
    "s3-bucket",
    "s3-signing-region",
    "s3-use-path-style",
    "linstor-target-url",
    "linstor-target-cluster-id",
    "linstor-target-storage-pool",
];

/** Keys each modelled linstor-csi version parses (after the prefix); see the header. 1.11.3 adds two. */
export const FAKE_CSI_PARSED_KEYS: Readonly<Record<FakeCsiVersion, readonly string[]>> = {
    "1.11.2": PARSED_BY_1_11_2,
    "1.11.3": [...PARSED_BY_1_11_2, "max-increments", "full-snapshot-after"],
};

export type FakeCsiVersion = "1.11.2" | "1.11.3";

interface Backup {
    readonly id: string;
    readonly basedOn?: string;
    readonly startHour: number;
}

interface Snapshot {
    readonly name: string;
    readonly createdHour: number;
    readonly backupId: string;
    terminatingSince?: number;
}

/** Go `time.ParseDuration` for the h/m/s forms the program writes, in hours. */
function goDurationHours(d: string): number {
    const units: Record<string, number> = { h: 1, m: 1 / 60, s: 1 / 3600 };
    const parts = [...d.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join("") !== d) throw new Error(`time: invalid duration "${d}"`);
    return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]], 0);
}

export class FakeCsiBackups {
    /** Backups in the S3 remote, by id. */
    readonly backups = new Map<string, Backup>();
    /** Warnings linstor-csi logged. */
    readonly warnings: string[] = [];
    /** Errors deletes returned (LINSTOR's or the CSI's deferral). */
    readonly deleteErrors: string[] = [];
    /** How many backups are based on each backup (LINSTOR's based_on references). */
    private readonly dependents = new Map<string, number>();
    private readonly allowIncremental: boolean;
    private readonly maxIncrements: number;
    private readonly fullAfterHours?: number;

    constructor(
        readonly version: FakeCsiVersion,
        params: Record<string, string>,
    ) {
        let allowIncremental = false;
        let maxIncrements = 0;
        let fullAfterHours: number | undefined;
        for (const [k, v] of Object.entries(params)) {
            if (!k.startsWith(`${SNAP}/`)) continue; // other namespaces: Debug log only
            const key = k.slice(SNAP.length + 1);
            if (!FAKE_CSI_PARSED_KEYS[version].includes(key)) {
                this.warnings.push(`ignoring unknown snapshot parameter key ${k}`);
                continue;
            }
            if (key === "allow-incremental") allowIncremental = v === "true";
            if (key === "max-increments") {
                maxIncrements = Number.parseInt(v, 10);
                if (!Number.isInteger(maxIncrements) || maxIncrements < 0) throw new Error(`invalid max-increments ${v}`);
            }
            if (key === "full-snapshot-after") fullAfterHours = goDurationHours(v);
        }
        this.allowIncremental = allowIncremental;
        this.maxIncrements = maxIncrements;
        this.fullAfterHours = fullAfterHours;
    }

    /** Ships a backup of the volume at `hour`; returns its id. */
    ship(hour: number, newest: Backup | undefined): string {
        const id = `backup-${hour}`;
        let incremental = this.allowIncremental && newest !== undefined;
        if (incremental && newest !== undefined && this.version !== "1.11.2") {
            // backupChainExhausted(): walk based_on back to the full.
            let increments = 0;
            let b: Backup = newest;
            while (b.basedOn !== undefined) {
                increments++;
                b = this.backups.get(b.basedOn) as Backup;
            }
            if (this.maxIncrements > 0 && increments >= this.maxIncrements) incremental = false;
            if (this.fullAfterHours !== undefined && hour - b.startHour >= this.fullAfterHours) incremental = false;
        }
        const basedOn = incremental ? newest?.id : undefined;
        this.backups.set(id, { id, basedOn, startHour: hour });
        if (basedOn !== undefined) this.dependents.set(basedOn, (this.dependents.get(basedOn) ?? 0) + 1);
        return id;
    }

    /** SnapDelete of the snapshot's backup: true when it is gone, false when the delete failed (to be retried). */
    delete(backupId: string): boolean {
        const referenced = (this.dependents.get(backupId) ?? 0) > 0;
        if (referenced && this.version === "1.11.2") {
            this.deleteErrors.push(`failed to delete backup ${backupId}: FAIL_DEPENDEND_BACKUP ... Use --cascading to delete recursively`);
            return false;
        }
        if (referenced) {
            this.deleteErrors.push(`backup ${backupId} is still the base of a newer incremental backup; deferring deletion`);
            return false;
        }
        const basedOn = this.backups.get(backupId)?.basedOn;
        if (basedOn !== undefined) this.dependents.set(basedOn, (this.dependents.get(basedOn) ?? 1) - 1);
        this.backups.delete(backupId);
        return true;
    }
}

export interface HourSample {
    readonly hour: number;
    /** Backups in S3 (every one of them also pins a local snapshot on each replica). */
    readonly backups: number;
    /** VolumeSnapshots being deleted. */
    readonly terminating: number;
    /** Hours the oldest Terminating VolumeSnapshot has waited (0 when none). */
    readonly oldestTerminatingHours: number;
}

/** Runs the hourly schedule for `hours` against `csi`, returning one sample per hour after the CronJob ran. */
export function simulateHourlySchedule(csi: FakeCsiBackups, retention: number, hours: number): HourSample[] {
    const snapshots: Snapshot[] = [];
    const samples: HourSample[] = [];
    let newest: Backup | undefined;
    for (let hour = 0; hour < hours; hour++) {
        // csi-snapshotter retries failed deletes with exponential backoff capped at 5 minutes (`--retry-interval-max`,
        // default 5m), so within the hour between two runs a chain drains as far as it can: retry until no progress.
        for (let progress = true; progress; ) {
            progress = false;
            for (const s of snapshots.filter((x) => x.terminatingSince !== undefined)) {
                if (csi.delete(s.backupId)) {
                    snapshots.splice(snapshots.indexOf(s), 1);
                    progress = true;
                }
            }
        }
        // The CronJob: create, ready, prune ready non-terminating beyond retention (newest first).
        const backupId = csi.ship(hour, newest);
        newest = csi.backups.get(backupId);
        snapshots.push({ name: `jenkins-home-${hour}`, createdHour: hour, backupId });
        const ready = snapshots.filter((s) => s.terminatingSince === undefined).sort((a, b) => b.createdHour - a.createdHour);
        for (const old of ready.slice(retention)) {
            old.terminatingSince = hour;
            if (csi.delete(old.backupId)) snapshots.splice(snapshots.indexOf(old), 1);
        }
        const terminating = snapshots.filter((s) => s.terminatingSince !== undefined);
        samples.push({
            hour,
            backups: csi.backups.size,
            terminating: terminating.length,
            oldestTerminatingHours: terminating.reduce((m, s) => Math.max(m, hour - (s.terminatingSince as number)), 0),
        });
    }
    return samples;
}
