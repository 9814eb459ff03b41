/**
 * The DR RTO, cold and warm. A restore downloads the chain: the full backup and every increment after it, one shipment
 * per backup (linstor-server v1.33.3 CtrlBackupRestoreApiCallHandler), so a cold restore grows with the chain the
 * schedule builds (one increment per gap until the next full, `snapshotFullAfter`). LINSTOR skips every link already
 * downloaded into the target resource definition ("finds the first snapshot that has already been downloaded during a
 * previous restore"), and the warm standby's download step keeps the newest complete backup downloaded
 * (components/snapshots/restoreDownload.ts, every 5 minutes by default), so a warm fail-over downloads only what the
 * step can have missed. The worst case: a new full that completed just after the step's last run, or that the step is
 * still fetching (LINSTOR refuses a second restore into the same resource definition while one runs, so the fail-over
 * waits for it: at most the same full), plus the increments of one download interval. A full ships once per
 * `snapshotFullAfter`, so most fail-overs download only those increments (the caveat says how long that takes).
 *
 * In restore mode the DR stack's restore gate has LINSTOR download exactly the chosen backup before the claim exists and
 * polls it (every RESTORE_GATE_POLL_SECONDS), so the CSI restore that follows finds the chain local: one local link, no
 * csi-provisioner retry back-off. Every restore POST first walks the chosen backup's whole chain under a controller-wide
 * lock (v1.33.3 restoreBackup: WRITE NODES_MAP, RSC_DFN_MAP; restoreBackupInTransaction lists the resource's objects,
 * then "3a. Follow the metadata chain" reads each link's meta, BackupToS3.getMetaFile, from its in-memory cache when
 * the eTag is unchanged): a term that grows with the chain, at its longest at the end of a chain, so the warm worst case
 * is the worse of a new full just shipped and the end of a chain. Pinning the backup the restore check verified
 * (its ConfigMap, runbook) downloads nothing, at the price of that backup's age in RPO.
 *
 * Throughput and the per-link cost are RESTORE_ESTIMATE's (components/snapshots/restoreTiming.ts): the expected rate of
 * one stream, not a bound. The restore waits allow half that rate (RESTORE_TIMING_DEFAULTS); the warm path is also shown
 * at it, and its caveat names the rate below which the worst case misses `drTargetSeconds`, which the DR drill measures.
 */
import { RTO_DEFAULTS, type RtoInputs } from "./inputs";
import { jenkinsStart, type Path, type Phase, path, round } from "./paths";

/** Backups in the longest chain the schedule builds (1 when every backup is full or nothing is scheduled). */
export function chainBackups(i: RtoInputs): number {
    if (i.snapshotIntervalSeconds === undefined || i.snapshotFullAfterHours <= 0) return 1;
    return 1 + Math.ceil((i.snapshotFullAfterHours * 3600) / i.snapshotIntervalSeconds);
}

function incrementGiB(i: RtoInputs): number {
    return i.snapshotIntervalSeconds === undefined ? 0 : Math.min(i.restoreSizeGiB, (i.snapshotChurnGiBPerHour * i.snapshotIntervalSeconds) / 3600);
}

/** Increments shipped during one interval of the download step (none when nothing is scheduled or every backup is full). */
function incrementsPerDownload(i: RtoInputs): number {
    if (i.snapshotIntervalSeconds === undefined || i.snapshotFullAfterHours <= 0) return 0;
    return Math.min(chainBackups(i) - 1, Math.ceil(i.restoreDownloadIntervalSeconds / i.snapshotIntervalSeconds));
}

/** What the restore gate has LINSTOR download: `gib` over `links` links, seen done at its next poll. */
interface GateDownload {
    readonly gib: number;
    readonly links: number;
    readonly what: string;
}

/** The gate's seconds apart from the download itself (links and poll): what no throughput shortens. */
function gateFixedSeconds(i: RtoInputs, d: GateDownload): number {
    return d.links * i.restorePerLinkSeconds + i.restoreGatePollSeconds;
}

function gatePhase(i: RtoInputs, d: GateDownload): Phase {
    const download = (d.gib * 1024) / i.restoreThroughputMiBps;
    const poll = `seen by the gate's poll within ${i.restoreGatePollSeconds} s`;
    return {
        name: "restore gate",
        seconds: round(download + gateFixedSeconds(i, d)),
        basis:
            d.links === 0
                ? `${d.what}: nothing to download, ${poll}`
                : `${d.what}: ${round(d.gib)} GiB from S3 at ${i.restoreThroughputMiBps} MiB/s + ${d.links} link(s) × ` +
                  `${i.restorePerLinkSeconds} s each (RESTORE_ESTIMATE, of which the restore waits allow twice as long; measure both in a DR drill), ${poll}`,
    };
}

/** The CSI restore once the gate is done: the claim from a snapshot whose chain is local. */
function csiRestorePhase(i: RtoInputs): Phase {
    return {
        name: "CSI restore",
        seconds: i.restorePerLinkSeconds,
        basis: "the claim from the backup the gate downloaded: one local link, no download (RESTORE_ESTIMATE's cost of a link)",
    };
}

/** Jenkins' first start in a cluster built on demand: its pre-pull DaemonSet, if any, starts with it. */
function coldStart(i: RtoInputs): Phase {
    return jenkinsStart({ ...i, imagePullSeconds: Math.max(i.imagePullSeconds, RTO_DEFAULTS.imagePullSeconds) });
}

/**
 * Jenkins' first start on the warm standby: with jenkinsPrePullImage the standby runs the same pre-pull DaemonSet as
 * Jenkins would (stacks/drStandby.ts), so imagePullSeconds is 0 there as on the primary.
 */
function warmStart(i: RtoInputs): Phase {
    const start = jenkinsStart(i);
    return i.imagePullSeconds === 0
        ? { ...start, basis: `image pre-pulled by the standby's DaemonSet (jenkinsPrePullImage); ${start.basis}` }
        : start;
}

/**
 * The lowest S3 → LINSTOR rate (MiB/s, rounded up to 0.1) at which a warm fail-over that downloads `d` and spends
 * `fixedSeconds` on everything else still meets `drTargetSeconds`; undefined when that alone exceeds it.
 */
function breakEvenAt(i: RtoInputs, d: GateDownload, fixedSeconds: number): number | undefined {
    const left = i.drTargetSeconds - fixedSeconds;
    if (left <= 0) return undefined;
    return Math.ceil(((d.gib * 1024) / left) * 10) / 10;
}

/**
 * Restore POSTs whose chain walk can lie on a fail-over's path: the download step's (the gate's first POST queues behind
 * it on the controller lock), the gate's, and the gate's one re-POST after the step's download (the gate waits for a
 * running download before it POSTs again: components/snapshots/downloadPod.ts).
 */
export const RESTORE_POSTS_ON_PATH = 3;

/** Metas the DR program's catalog read keeps in flight ahead of the chain's link (backupCatalog.ts PREFETCH). */
const CATALOG_PREFETCH = 8;

/** ListObjectsV2 pages (1,000 keys each) of the resource's objects: a meta and a data object per backup (one volume). */
function listingPages(i: RtoInputs): number {
    return Math.max(1, Math.ceil((2 * i.restoreResourceBackups) / 1000));
}

/**
 * LINSTOR's walk of the chain, per restore POST, before anything downloads: `links` metas in the chain of the backup
 * asked for, `cold` of them read from S3 (the rest from the controller's cache).
 */
function walkPhase(i: RtoInputs, links: number, cold: number, posts = RESTORE_POSTS_ON_PATH): Phase {
    const pages = listingPages(i);
    // + the gate's own backup list first (downloadPod.ts listQuery: the resource's listing and that snapshot's meta).
    const requests = (posts + 1) * pages + 1 + cold;
    const which =
        posts === 1
            ? "the gate's one POST (nothing else restores into the new cluster)"
            : `≤ ${posts} POSTs on the path (the download step's, which the gate's queues behind, the gate's, its one re-POST)`;
    return {
        name: "chain walk",
        seconds: round(requests * i.s3RequestSeconds),
        basis:
            `each restore POST, under LINSTOR's controller-wide lock, lists the resource's objects (${pages} page(s): ` +
            `${i.restoreResourceBackups} backups) and reads the ${links} meta(s) of the chain asked for (v1.33.3 ` +
            `restoreBackupInTransaction 2 and 3a); ${which}, after the gate's own backup list (a listing and one meta); ${cold} meta(s) from S3, the rest from the controller's ` +
            `cache (BackupToS3 keeps metas by eTag; a controller restart empties it): ${requests} requests × ` +
            `${i.s3RequestSeconds} s (estimate)`,
    };
}

/**
 * `pulumi up --skip-preview` up to the gate's Job: the engine and program (estimate) and the bucket catalog read
 * (stacks/drChoice.ts: resourceHeads, then newestCompleteBackup), computed. A preview first would run both twice.
 */
function pulumiUpPhase(i: RtoInputs, links: number): Phase {
    const pages = listingPages(i);
    const rounds = 2 * pages + 2 + Math.ceil(links / CATALOG_PREFETCH) + 1;
    const catalog = rounds * i.s3RequestSeconds;
    return {
        name: "pulumi up",
        seconds: round(i.drPulumiUpSeconds + catalog),
        basis:
            `\`pulumi up --skip-preview\` (runbook; a preview would run the program and its bucket read twice): the CLI, the ` +
            `program, its plugins and stack references, the diff and registering the restore gate's Job (estimate ` +
            `${i.drPulumiUpSeconds} s: the program itself evaluates in about 0.5 s offline, \`npm run plan -- dr --timing\`; ` +
            `the rest is the engine, its provider plugins and their calls to AWS and the cluster) + the bucket catalog read: 2 listings of ≥ ${pages} page(s), the resource's head, the ` +
            `chain's ${links} meta(s) ≤ ${CATALOG_PREFETCH} ahead, its data objects' sizes at once: ${rounds} request rounds × ` +
            `${i.s3RequestSeconds} s`,
    };
}

/** One placement of a warm fail-over in the schedule's cycle: what the gate downloads and the chain it walks. */
interface WarmCase {
    readonly download: GateDownload;
    /** Metas in the chain of the backup the gate asks for. */
    readonly chainLinks: number;
    /** Of which LINSTOR reads from S3 (not yet in the controller's cache, taken as cold). */
    readonly coldMetas: number;
}

function warmPath(i: RtoInputs, label: string, c: WarmCase, caveat?: string): Path {
    return path(
        label,
        [pulumiUpPhase(i, c.chainLinks), walkPhase(i, c.chainLinks, c.coldMetas), gatePhase(i, c.download), csiRestorePhase(i), warmStart(i)],
        caveat,
    );
}

/** Seconds of `p` apart from the gate's download itself (what no S3 rate shortens). */
function fixedOf(i: RtoInputs, p: Path, d: GateDownload): number {
    return p.totalSeconds - (d.gib * 1024) / i.restoreThroughputMiBps;
}

/**
 * The warm standby's two worst placements (module comment): a new full the download step has not fetched (the largest
 * download, a short chain) and the end of a chain (one interval's increments, the longest chain walked with the
 * controller's cache cold). `worst` is the longer at the inputs' rate.
 */
function warmCases(i: RtoInputs): { readonly newFull: WarmCase; readonly chainEnd: WarmCase } {
    const missed = incrementsPerDownload(i);
    const interval = `${round(i.restoreDownloadIntervalSeconds / 60)}-minute`;
    return {
        newFull: {
            download: {
                gib: i.restoreSizeGiB + missed * incrementGiB(i),
                links: 1 + missed,
                what:
                    `what the download step can have missed, at worst a new full it has not fetched yet (or is still fetching: ` +
                    `the gate waits for it) and ${missed} increment(s) of its ${interval} interval`,
            },
            chainLinks: 1 + missed,
            coldMetas: 1 + missed,
        },
        chainEnd: {
            download: { gib: missed * incrementGiB(i), links: missed, what: `the ${missed} increment(s) of one ${interval} interval` },
            chainLinks: chainBackups(i),
            coldMetas: chainBackups(i),
        },
    };
}

/** `rate` moved by 0.1 MiB/s steps to the lowest at which the warm worst case holds `drTargetSeconds`. */
function settle(i: RtoInputs, rate: number): number {
    const holds = (r: number) => r > 0 && worstWarm({ ...i, restoreThroughputMiBps: r }, "").path.totalSeconds <= i.drTargetSeconds;
    let r = rate;
    while (!holds(r)) r = round(r + 0.1);
    while (holds(round(r - 0.1))) r = round(r - 0.1);
    return r;
}

/** The worse warm case at `i`'s rate, its path and download. */
function worstWarm(i: RtoInputs, label: string): { readonly path: Path; readonly c: WarmCase; readonly other: Path; readonly newFull: boolean } {
    const cases = warmCases(i);
    const full = warmPath(i, label, cases.newFull);
    const end = warmPath(i, label, cases.chainEnd);
    return full.totalSeconds >= end.totalSeconds
        ? { path: full, c: cases.newFull, other: end, newFull: true }
        : { path: end, c: cases.chainEnd, other: full, newFull: false };
}

export interface DrPaths {
    readonly cold: Path;
    /** The warm standby's worst case at the estimated rate (RESTORE_ESTIMATE). */
    readonly warm: Path;
    readonly warmVerified: Path;
    /** The rate below which `warm` misses `drTargetSeconds` (undefined: missed at any rate). */
    readonly warmBreakEvenMiBps: number | undefined;
    /** The warm worst case at the rate the restore waits allow (RESTORE_TIMING_DEFAULTS, half the estimate). */
    readonly warmAtWaitsRate: Path;
    /** Both warm placements at the estimated rate: `warm` is the longer. */
    readonly warmPlacements: { readonly newFull: Path; readonly chainEnd: Path };
}

export function drRtoPaths(i: RtoInputs): DrPaths {
    const backups = chainBackups(i);
    const chainGiB = i.restoreSizeGiB + (backups - 1) * incrementGiB(i);
    const cold = path("DR (cluster created on demand)", [
        { name: "EKS cluster", seconds: i.eksCreateSeconds, basis: `control plane creation (estimate ${i.eksCreateSeconds / 60} min)` },
        { name: "node groups", seconds: i.nodeGroupsSeconds, basis: `three managed node groups (estimate ${i.nodeGroupsSeconds / 60} min)` },
        {
            name: "storage stack",
            seconds: i.storageStackSeconds,
            basis: `Piraeus operator, DRBD module build, satellites, snapshot controller, S3 remote (estimate ${i.storageStackSeconds / 60} min)`,
        },
        walkPhase(i, backups, backups, 1),
        gatePhase(i, { gib: chainGiB, links: backups, what: `the whole chain, a full of ${i.restoreSizeGiB} GiB and ${backups - 1} increments` }),
        csiRestorePhase(i),
        coldStart(i),
    ]);
    const label = "DR warm standby (drMode: standby, then restore)";
    const worst = worstWarm(i, label);
    const cases = warmCases(i);
    // The break-even: the lowest rate (0.1 MiB/s steps) at which both placements hold the target, from the closed form,
    // then settled against the paths as printed (their phases are rounded to 0.1 s).
    const evens = [cases.newFull, cases.chainEnd].map((c) => breakEvenAt(i, c.download, fixedOf(i, warmPath(i, label, c), c.download)));
    const breakEven = evens.some((e) => e === undefined) ? undefined : settle(i, Math.max(...(evens as number[])));
    const slow: RtoInputs = { ...i, restoreThroughputMiBps: i.restoreWaitsThroughputMiBps };
    const atWaits = worstWarm(slow, `${label}, at the restore waits' rate`);
    const target = `${round(i.drTargetSeconds / 60)}-minute target`;
    const holds =
        breakEven === undefined
            ? `Misses the ${target} at any S3 rate (the rest of the path alone takes longer)`
            : `The worst case holds the ${target} while LINSTOR reads ≥ ${breakEven} MiB/s from S3`;
    const other = worst.newFull ? "at the end of a chain (its longest walk, no new full)" : "with a new full in the window";
    const caveat =
        `restores the newest complete backup: RPO as the region RPO. Worst of two placements shown (` +
        `${worst.newFull ? "a new full, once per snapshotFullAfter" : "the end of a chain: its longest walk"}); ${other} ` +
        `${worst.other.totalSeconds} s (${(worst.other.totalSeconds / 60).toFixed(1)} min). At ${i.restoreThroughputMiBps} MiB/s, ` +
        `the expected rate of one S3 stream (RESTORE_ESTIMATE, unmeasured), it takes ${worst.path.totalSeconds} s; at the ` +
        `${i.restoreWaitsThroughputMiBps} MiB/s the restore waits allow (half of it) ${atWaits.path.totalSeconds} s ` +
        `(${(atWaits.path.totalSeconds / 60).toFixed(1)} min). ${holds}: the ${target} rests on that rate, which the DR ` +
        `drill measures. Not on this path: once the claim is bound linstor-csi places the other replicas and DRBD syncs ` +
        `them from the restored one while Jenkins starts and runs (linstor-csi v1.11.3 reconcileSnapshotResources ` +
        `restores on one node, then reconcileResourcePlacement), competing with Jenkins for that node's EBS and network ` +
        `bandwidth. Pinning the backup the restore check verified downloads nothing (runbook)`;
    const warm: Path = { ...worst.path, caveat };
    const gapMinutes = round(((i.snapshotIntervalSeconds ?? 0) + i.restoreCheckIntervalSeconds) / 60);
    // Its chain is downloaded already: the gate finds the snapshot local and POSTs nothing (no walk, no download).
    const warmVerified = path(
        "DR warm standby, the backup the restore check verified pinned (runbook)",
        [pulumiUpPhase(i, backups), gatePhase(i, { gib: 0, links: 0, what: "its chain is already downloaded" }), csiRestorePhase(i), warmStart(i)],
        `RPO: that backup's age, up to the check interval + a snapshot gap (${gapMinutes} min) plus its shipping time`,
    );
    const warmPlacements = { newFull: warmPath(i, label, cases.newFull), chainEnd: warmPath(i, label, cases.chainEnd) };
    return { cold, warm, warmVerified, warmBreakEvenMiBps: breakEven, warmAtWaitsRate: atWaits.path, warmPlacements };
}
