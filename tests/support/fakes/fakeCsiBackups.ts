/**
 * A simulation of Jenkins snapshots shipped to S3 by linstor-csi and LINSTOR, and pruned by the schedule's CronJob,
 * as linstor-csi v1.11.2 and v1.11.3 (and later) behave. Time is in minutes.
 *
 * Upstream behaviour modelled (research note /tmp/research/linstor.md §2, read at the tags):
 * - Class parameters: piraeusdatastore/linstor-csi `pkg/volume/snapshot_params.go`. v1.11.2 (2327edf5) parses type,
 *   delete-local, allow-incremental, remote-name, s3-*, linstor-target-*; any other `snap.linstor.csi.linbit.com/*`
 *   key hits `default: log.WithField("key", k).Warn("ignoring unknown snapshot parameter key")` and is ignored.
 *   v1.11.3 (bab63b37) also parses `max-increments` (`strconv.Atoi`, < 0 an error, 0 = no limit) and
 *   `full-snapshot-after` (`time.ParseDuration`). This fake keeps its own key lists on purpose: a spec checks the
 *   program's table (components/linstorCluster/operatorReleases.ts) against them.
 * - Which backup an increment builds on: LINSTOR's, not the CSI's. linstor-server v1.33.3
 *   `CtrlBackupCreateApiCallHandler.getIncrementalBase` takes the snapshot last started to that remote
 *   (`KEY_BACKUP_LAST_STARTED_OR_QUEUED`, whatever class it came from) and makes a full backup instead when that
 *   snapshot is gone locally ("previous snapshot ... has already been deleted. Creating a full backup instead").
 * - Forced fulls: v1.11.3 `reconcileBackup` → `backupChainExhausted()` / `incrementChainLength()` walks `based_on_id`
 *   from the newest successful backup of the resource back to its full, and asks for `Incremental: false` when
 *   increments ≥ max-increments or the full started ≥ full-snapshot-after ago.
 * - `delete-local` (`pkg/driver/driver.go` maybeDeleteLocalSnapshot): once the backup is ready, the local snapshot is
 *   deleted; the backup stays.
 * - Deleting (`pkg/client/linstor.go` `SnapDelete`): v1.11.2 calls `Backup.DeleteAll{ID}` without cascade and LINSTOR
 *   1.33.3 refuses a backup a newer one is based on (`CtrlBackupApiCallHandler.java`, `FAIL_DEPENDEND_BACKUP`: "... is
 *   referencing it. Use --cascading to delete recursively"); v1.11.3 lists the resource's backups and, when its own is
 *   still a `based_on_id` of another, returns a retryable "still the base of a newer incremental backup; deferring
 *   deletion" error before calling LINSTOR. Either way the local snapshot stays and the VolumeSnapshot stays
 *   Terminating until a retry succeeds (csi-snapshotter retries with backoff capped at 5 minutes: here, until no
 *   progress, before each run). On success the local snapshot goes too.
 * - The CronJob (components/snapshots/snapshotJob.ts SNAPSHOT_SCRIPT): a full (the full class, label kind=full) when
 *   the newest ready full is FULL_AFTER old, else an incremental one; then it deletes what PRUNE_SELECTION_JQ (run by
 *   the real jq, `select` below) chooses from the VolumeSnapshots as `kubectl get -o json` lists them; with a trim, it
 *   then deletes the local LINSTOR snapshots LOCAL_TRIM_JQ (`trim` below) names (TRIM_SCRIPT).
 * - A local snapshot deleted behind linstor-csi's back (the trim): LINSTOR's delete of a missing one is WARN_NOT_FOUND
 *   (CtrlSnapshotDeleteApiCallHandler); the next increment's base, if it was the one deleted, is gone, so LINSTOR makes
 *   a full (above); linstor-csi 1.11.3 `SnapDelete` ignores the local 404 (`nil404`) after deleting the backup, and
 *   LINSTOR deletes a backup by its S3 keys, the snapshot definition only if it exists (CtrlBackupApiCallHandler);
 *   a restore finds no local snapshot and downloads the backup's chain into the origin resource
 *   (`reconcileSnapshot` → Backup.Restore DownloadOnly; LINSTOR skips links already there), `restore` below.
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

export interface FakeBackup {
    readonly id: string;
    readonly snapshot: string;
    /** Mutable: LINSTOR strips a queued backup's base when that snapshot is deleted (it then ships as a full). */
    basedOn?: string;
    readonly startMinute: number;
    /** When the shipment starts (after the one it is queued behind) and is done (`readyToUse`). */
    readonly shipStartMinute: number;
    readonly readyMinute: number;
}

interface ClassParams {
    readonly allowIncremental: boolean;
    readonly deleteLocal: boolean;
    readonly maxIncrements: number;
    readonly fullAfterMinutes?: number;
}

/** Go `time.ParseDuration` for the h/m/s forms the program writes, in minutes. */
function goDurationMinutes(d: string): number {
    const units: Record<string, number> = { h: 60, m: 1, s: 1 / 60 };
    const parts = [...d.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join("") !== d) throw new Error(`time: invalid duration "${d}"`);
    return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]], 0);
}

/** linstor-csi and LINSTOR for one volume and one S3 remote. */
export class FakeCsiBackups {
    /** Backups in the S3 remote, by id. */
    readonly backups = new Map<string, FakeBackup>();
    /** LINSTOR's local snapshots (on every replica). */
    readonly local = new Set<string>();
    /** Warnings linstor-csi logged. */
    readonly warnings: string[] = [];
    /** Errors deletes returned (LINSTOR's or the CSI's deferral). */
    readonly deleteErrors: string[] = [];
    private readonly classes = new Map<string, ClassParams>();
    /** KEY_BACKUP_LAST_STARTED_OR_QUEUED of the remote: the snapshot the next increment builds on. */
    private lastStarted?: string;

    constructor(
        readonly version: FakeCsiVersion,
        classes: Record<string, Record<string, string>>,
    ) {
        for (const [name, params] of Object.entries(classes)) this.classes.set(name, this.parse(params));
    }

    private parse(params: Record<string, string>): ClassParams {
        let allowIncremental = false;
        let deleteLocal = false;
        let maxIncrements = 0;
        let fullAfterMinutes: number | undefined;
        for (const [k, v] of Object.entries(params)) {
            if (!k.startsWith(`${SNAP}/`)) continue; // other namespaces: Debug log only
            const key = k.slice(SNAP.length + 1);
            if (!FAKE_CSI_PARSED_KEYS[this.version].includes(key)) {
                this.warnings.push(`ignoring unknown snapshot parameter key ${k}`);
                continue;
            }
            if (key === "allow-incremental") allowIncremental = v === "true";
            if (key === "delete-local") deleteLocal = v === "true";
            if (key === "max-increments") {
                maxIncrements = Number.parseInt(v, 10);
                if (!Number.isInteger(maxIncrements) || maxIncrements < 0) throw new Error(`invalid max-increments ${v}`);
            }
            if (key === "full-snapshot-after") fullAfterMinutes = goDurationMinutes(v);
        }
        return { allowIncremental, deleteLocal, maxIncrements, fullAfterMinutes };
    }

    /** The chain of `backupId` back to its full (newest first). */
    chainOf(backupId: string): FakeBackup[] {
        const chain: FakeBackup[] = [];
        for (let b = this.backups.get(backupId); b !== undefined; b = b.basedOn ? this.backups.get(b.basedOn) : undefined) chain.push(b);
        return chain;
    }

    /** CreateSnapshot of `snapshot` with `className` at `minute`: LINSTOR's snapshot and its shipment (ready at once). */
    create(minute: number, snapshot: string, className: string, shipMinutes = 0): FakeBackup {
        const p = this.classes.get(className);
        if (p === undefined) throw new Error(`no VolumeSnapshotClass ${className}`);
        const base = this.lastStarted !== undefined && this.local.has(this.lastStarted) ? this.lastStarted : undefined;
        let incremental = p.allowIncremental && base !== undefined;
        if (incremental && this.version !== "1.11.2" && (p.maxIncrements > 0 || p.fullAfterMinutes !== undefined)) {
            // backupChainExhausted(): from the newest successful backup back to its full.
            const newest = [...this.backups.values()].sort((a, b) => b.startMinute - a.startMinute)[0];
            const chain = newest === undefined ? [] : this.chainOf(newest.id);
            const increments = Math.max(0, chain.length - 1);
            const fullStart = chain.at(-1)?.startMinute;
            if (p.maxIncrements > 0 && increments >= p.maxIncrements) incremental = false;
            if (p.fullAfterMinutes !== undefined && fullStart !== undefined && minute - fullStart >= p.fullAfterMinutes) incremental = false;
        }
        // A backup with a base still shipping is queued behind it (CtrlBackupCreateApiCallHandler `queueAnyways`); a
        // full ships at once.
        const baseReady = incremental ? (this.backups.get(`back-${base}`)?.readyMinute ?? minute) : minute;
        const shipStartMinute = Math.max(minute, baseReady);
        const backup: FakeBackup = {
            id: `back-${snapshot}`,
            snapshot,
            startMinute: minute,
            shipStartMinute,
            readyMinute: shipStartMinute + shipMinutes,
            ...(incremental ? { basedOn: `back-${base}` } : {}),
        };
        this.backups.set(backup.id, backup);
        this.lastStarted = snapshot;
        this.local.add(snapshot);
        // delete-local once the backup is ready (driver.go maybeDeleteLocalSnapshot); `advance` does it for later ones.
        if (p.deleteLocal && shipMinutes === 0) this.local.delete(snapshot);
        else if (p.deleteLocal) this.pendingDeleteLocal.push(backup);
        return backup;
    }

    private readonly pendingDeleteLocal: FakeBackup[] = [];

    /**
     * Time passes to `minute`: each pending `delete-local` of a backup now ready runs, through LINSTOR's snapshot delete,
     * which first strips the snapshot as the base of every backup still queued on it (linstor-server 1.33.3
     * CtrlSnapshotDeleteApiCallHandler "remove snapDfn from backupQueueItems where it is a prevSnap"): those ship as fulls.
     */
    advance(minute: number): void {
        for (const b of this.pendingDeleteLocal.filter((x) => x.readyMinute <= minute)) {
            this.pendingDeleteLocal.splice(this.pendingDeleteLocal.indexOf(b), 1);
            this.local.delete(b.snapshot);
            for (const q of this.backups.values()) if (q.basedOn === b.id && q.shipStartMinute >= b.readyMinute) delete q.basedOn;
        }
    }

    /** LINSTOR's snapshot delete through the REST API (the trim): S3 untouched; a missing snapshot is only a warning. */
    deleteLocal(snapshot: string): "deleted" | "not-found" {
        return this.local.delete(snapshot) ? "deleted" : "not-found";
    }

    /**
     * A volume restored from the snapshot's VolumeSnapshot (linstor-csi reconcileSnapshot): the local snapshot when there
     * is one, else its backup's chain downloaded (links already local are skipped). Returns the links downloaded.
     */
    restore(snapshot: string): number {
        if (this.local.has(snapshot)) return 0;
        const backup = this.backups.get(`back-${snapshot}`);
        if (backup === undefined) throw new Error(`snapshot '${snapshot}' not found`);
        const missing = this.chainOf(backup.id).filter((b) => !this.local.has(b.snapshot));
        for (const b of missing) this.local.add(b.snapshot);
        return missing.length;
    }

    /** SnapDelete of the snapshot's backup: true when it is gone, false when the delete failed (to be retried). */
    delete(snapshot: string): boolean {
        const id = `back-${snapshot}`;
        const referenced = [...this.backups.values()].some((b) => b.basedOn === id);
        if (referenced && this.version === "1.11.2") {
            this.deleteErrors.push(`failed to delete backup ${id}: FAIL_DEPENDEND_BACKUP ... Use --cascading to delete recursively`);
            return false;
        }
        if (referenced) {
            this.deleteErrors.push(`backup ${id} is still the base of a newer incremental backup; deferring deletion`);
            return false;
        }
        this.backups.delete(id);
        this.local.delete(snapshot);
        return true;
    }
}

/** The VolumeSnapshots as `kubectl get volumesnapshot -o json` lists them, and what the simulation knows of each. */
interface VolumeSnapshot {
    readonly name: string;
    readonly minute: number;
    readonly kind: "full" | "incremental" | "on-demand";
    readonly ready: boolean;
    terminatingSince?: number;
}

/** PRUNE_SELECTION_JQ as the script runs it: the list, now (epoch s), keep and daily (s). Returns names to delete. */
export type Selector = (list: unknown, vars: { now: number; keep: number; daily: number; kind: string }) => Promise<string[]>;
/** LOCAL_TRIM_JQ as the script runs it. Returns LINSTOR snapshot names (`snapshot-<uid>`). */
export type TrimSelector = (
    list: unknown,
    vars: { now: number; keep: number; inflight: number; pvc: string; classes: string[] },
) => Promise<string[]>;

export interface ScheduleRun {
    readonly csi: FakeCsiBackups;
    readonly select: Selector;
    readonly minutes: number;
    readonly intervalMinutes: number;
    readonly incrementalClass: string;
    readonly fullClass: string;
    /** The job's FULL_AFTER in minutes; undefined: the job never takes a full itself (only linstor-csi bounds chains). */
    readonly fullAfterMinutes?: number;
    readonly keepHours: number;
    readonly dailyDays: number;
    /** Minutes at which an on-demand snapshot is taken with `onDemandClass`. */
    readonly onDemandAt?: readonly number[];
    readonly onDemandClass?: string;
    /** Runs whose snapshot never becomes ready (a failed shipment). */
    readonly failedRuns?: (minute: number) => boolean;
    /** Epoch second of minute 0 (a UTC midnight, so UTC days are whole). */
    readonly epoch?: number;
    /**
     * The order csi-snapshotter first tries the deletes in: as the script issues them (newest first), or oldest first
     * (its workers take them in any order; a failed or deferred delete is retried before the next run).
     */
    readonly deleteOrder?: "asIssued" | "oldestFirst";
    /** The trim: LINSTOR copies kept (snapshotLocalSnapshots) and LOCAL_TRIM_JQ run by jq. */
    readonly trim?: { readonly localSnapshots: number; readonly select: TrimSelector };
}

export interface RunSample {
    readonly minute: number;
    /** Backups in S3 (scheduled and on-demand). */
    readonly backups: number;
    /** LINSTOR's local snapshots (each on every replica). */
    readonly local: readonly number[];
    /** Scheduled VolumeSnapshots not being deleted. */
    readonly kept: readonly VolumeSnapshot[];
    readonly terminating: number;
    readonly oldestTerminatingMinutes: number;
    /** Increments in the chain of the newest backup. */
    readonly newestChainIncrements: number;
}

const KIND = "ha-jenkins-eks.io/snapshot-kind";
const SCHEDULE = "ha-jenkins-eks.io/snapshot-schedule";

/** Runs the schedule against `csi` every `intervalMinutes`, one sample after each run's pruning. */
export async function simulateSchedule(r: ScheduleRun): Promise<RunSample[]> {
    const epoch = r.epoch ?? Date.UTC(2026, 0, 1) / 1000;
    const iso = (minute: number) => new Date((epoch + minute * 60) * 1000).toISOString().replace(/\.000Z$/, "Z");
    const snapshots: VolumeSnapshot[] = [];
    const onDemand: VolumeSnapshot[] = [];
    const samples: RunSample[] = [];
    const classOf = (s: VolumeSnapshot) =>
        s.kind === "on-demand" ? (r.onDemandClass as string) : s.kind === "full" ? r.fullClass : r.incrementalClass;
    const name = (minute: number) => `jenkins-home-${String(minute).padStart(7, "0")}`;
    const retryDeletes = () => {
        for (let progress = true; progress; ) {
            progress = false;
            for (const s of snapshots.filter((x) => x.terminatingSince !== undefined).sort((a, b) => b.minute - a.minute)) {
                if (r.csi.delete(s.name)) {
                    snapshots.splice(snapshots.indexOf(s), 1);
                    progress = true;
                }
            }
        }
    };
    for (let minute = 0; minute < r.minutes; minute += r.intervalMinutes) {
        retryDeletes();
        for (const at of r.onDemandAt ?? []) {
            if (at > minute - r.intervalMinutes && at <= minute) {
                r.csi.create(at, `on-demand-${at}`, r.onDemandClass as string);
                onDemand.push({ name: `on-demand-${at}`, minute: at, kind: "on-demand", ready: true });
            }
        }
        // The CronJob: full or incremental, create, ready (or not), prune.
        const newestFull = Math.max(-Infinity, ...snapshots.filter((s) => s.kind === "full" && s.ready && !s.terminatingSince).map((s) => s.minute));
        const full = r.fullAfterMinutes !== undefined && minute - newestFull >= r.fullAfterMinutes;
        const failed = r.failedRuns?.(minute) ?? false;
        const snapshot: VolumeSnapshot = { name: name(minute), minute, kind: full ? "full" : "incremental", ready: !failed };
        if (!failed) r.csi.create(minute, snapshot.name, full ? r.fullClass : r.incrementalClass);
        snapshots.push(snapshot);
        const list = {
            items: snapshots.map((s) => ({
                metadata: {
                    name: s.name,
                    creationTimestamp: iso(s.minute),
                    labels: { [SCHEDULE]: "jenkins-snapshots", [KIND]: s.kind },
                    ...(s.terminatingSince !== undefined ? { deletionTimestamp: iso(s.terminatingSince) } : {}),
                },
                status: { readyToUse: s.ready },
            })),
        };
        const selected = await r.select(list, { now: epoch + minute * 60, keep: r.keepHours * 3600, daily: r.dailyDays * 86400, kind: KIND });
        const doomed = r.deleteOrder === "oldestFirst" ? [...selected].reverse() : selected;
        for (const old of doomed) {
            const s = snapshots.find((x) => x.name === old);
            if (s === undefined || s.terminatingSince !== undefined) throw new Error(`pruning selected ${old}, which is not a live snapshot`);
            s.terminatingSince = minute;
            // A failed snapshot has no backup: its VolumeSnapshot goes at once.
            if (!s.ready || r.csi.delete(s.name)) snapshots.splice(snapshots.indexOf(s), 1);
        }
        // csi-snapshotter's retries within the run's interval (backoff ≤ 5 min): the deferred ones drain newest first.
        if (r.deleteOrder === "oldestFirst") retryDeletes();
        if (r.trim && snapshot.ready) {
            // The trim container: every VolumeSnapshot of the namespace (the claim's, the three classes, Terminating too).
            const all = [...snapshots, ...onDemand].map((s) => ({
                metadata: {
                    name: s.name,
                    uid: s.name,
                    creationTimestamp: iso(s.minute),
                    ...(s.terminatingSince !== undefined ? { deletionTimestamp: iso(s.terminatingSince) } : {}),
                },
                spec: { source: { persistentVolumeClaimName: "jenkins-home" }, volumeSnapshotClassName: classOf(s) },
                status: s.ready ? { readyToUse: true } : { readyToUse: false, error: { message: "shipping failed" } },
            }));
            const names = await r.trim.select(
                { items: all },
                {
                    now: epoch + minute * 60,
                    keep: r.trim.localSnapshots,
                    inflight: 3300,
                    pvc: "jenkins-home",
                    classes: [r.incrementalClass, r.fullClass, r.onDemandClass ?? ""],
                },
            );
            for (const n of names) r.csi.deleteLocal(n.replace(/^snapshot-/, ""));
        }
        const terminating = snapshots.filter((s) => s.terminatingSince !== undefined);
        const newest = [...r.csi.backups.values()].sort((a, b) => b.startMinute - a.startMinute)[0];
        samples.push({
            minute,
            backups: r.csi.backups.size,
            local: [...r.csi.local].map((n) => snapshots.find((s) => s.name === n)?.minute ?? Number(n.split("-").at(-1))),
            kept: snapshots.filter((s) => s.terminatingSince === undefined).map((s) => ({ ...s })),
            terminating: terminating.length,
            oldestTerminatingMinutes: terminating.reduce((m, s) => Math.max(m, minute - (s.terminatingSince as number)), 0),
            newestChainIncrements: newest === undefined ? 0 : r.csi.chainOf(newest.id).length - 1,
        });
    }
    return samples;
}

/**
 * Thin-pool GiB the local snapshots at `minutes` pin at `now`: each holds the blocks rewritten between it and the next
 * one (the newest: until now), at `churn` GiB/h, never more than the volume.
 */
export function pinnedGiB(minutes: readonly number[], now: number, churnGiBPerHour: number, volumeGiB: number): number {
    const sorted = [...minutes].sort((a, b) => a - b);
    return sorted.reduce((t, m, i) => t + Math.min(volumeGiB, (churnGiBPerHour * ((sorted[i + 1] ?? now) - m)) / 60), 0);
}
