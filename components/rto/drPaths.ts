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
 * Pinning the backup the restore check verified (its ConfigMap, runbook) downloads nothing, at the price of that
 * backup's age in RPO. Throughput and the per-link cost are the ones the waits assume (components/snapshots/
 * restoreTiming.ts RESTORE_ESTIMATE).
 */
import { RESTORE_ESTIMATE } from "../snapshots/restoreTiming";
import { RTO_DEFAULTS, type RtoInputs } from "./inputs";
import { jenkinsStart, type Path, type Phase, path, round } from "./paths";

/** Per link of a chain: one LINSTOR shipment per backup (the estimate the waits share; measure with a DR drill). */
export const RESTORE_PER_BACKUP_SECONDS = RESTORE_ESTIMATE.perLinkSeconds;

/** Backups in the longest chain the schedule builds (1 when every backup is full or nothing is scheduled). */
export function chainBackups(i: RtoInputs): number {
    if (i.snapshotIntervalSeconds === undefined || i.snapshotFullAfterHours <= 0) return 1;
    return 1 + Math.ceil((i.snapshotFullAfterHours * 3600) / i.snapshotIntervalSeconds);
}

function incrementGiB(i: RtoInputs): number {
    return i.snapshotIntervalSeconds === undefined ? 0 : Math.min(i.restoreSizeGiB, (i.snapshotChurnGiBPerHour * i.snapshotIntervalSeconds) / 3600);
}

function restorePhase(i: RtoInputs, gib: number, backups: number, what: string): Phase {
    const download = (gib * 1024) / i.restoreThroughputMiBps;
    return {
        name: "restore",
        seconds: round(download + backups * i.restorePerLinkSeconds),
        basis:
            `${what}: ${round(gib)} GiB from S3 at ${i.restoreThroughputMiBps} MiB/s + ${backups} link(s) × ${i.restorePerLinkSeconds} s ` +
            "each (estimates shared with the restore waits; measure both in a DR drill)",
    };
}

/** Jenkins' first start in the DR cluster: nothing pre-pulled its image there yet (a standby runs no Jenkins). */
function firstStart(i: RtoInputs): Phase {
    return jenkinsStart({ ...i, imagePullSeconds: Math.max(i.imagePullSeconds, RTO_DEFAULTS.imagePullSeconds) });
}

/** Increments shipped during one interval of the download step (none when nothing is scheduled or every backup is full). */
function incrementsPerDownload(i: RtoInputs): number {
    if (i.snapshotIntervalSeconds === undefined || i.snapshotFullAfterHours <= 0) return 0;
    return Math.min(chainBackups(i) - 1, Math.ceil(i.restoreDownloadIntervalSeconds / i.snapshotIntervalSeconds));
}

export function drRtoPaths(i: RtoInputs): { readonly cold: Path; readonly warm: Path; readonly warmVerified: Path } {
    const backups = chainBackups(i);
    const missed = incrementsPerDownload(i);
    const chainGiB = i.restoreSizeGiB + (backups - 1) * incrementGiB(i);
    const cold = path("DR (cluster created on demand)", [
        { name: "EKS cluster", seconds: i.eksCreateSeconds, basis: `control plane creation (estimate ${i.eksCreateSeconds / 60} min)` },
        { name: "node groups", seconds: i.nodeGroupsSeconds, basis: `three managed node groups (estimate ${i.nodeGroupsSeconds / 60} min)` },
        {
            name: "storage stack",
            seconds: i.storageStackSeconds,
            basis: `Piraeus operator, DRBD module build, satellites, snapshot controller, S3 remote (estimate ${i.storageStackSeconds / 60} min)`,
        },
        restorePhase(i, chainGiB, backups, `the whole chain, a full of ${i.restoreSizeGiB} GiB and ${backups - 1} increments`),
        firstStart(i),
    ]);
    const pulumiUp: Phase = {
        name: "pulumi up",
        seconds: i.drPulumiUpSeconds,
        basis: `choosing the backup, the restore objects and the Jenkins release on the running cluster (estimate ${i.drPulumiUpSeconds} s)`,
    };
    const interval = `${round(i.restoreDownloadIntervalSeconds / 60)}-minute`;
    const start = firstStart(i);
    // Without a new full in the window: the increments of one interval only.
    const usual = restorePhase(i, missed * incrementGiB(i), Math.max(1, missed), "");
    const usualSeconds = round(i.drPulumiUpSeconds + usual.seconds + start.seconds);
    const warm = path(
        "DR warm standby (drMode: standby, then restore)",
        [
            pulumiUp,
            restorePhase(
                i,
                i.restoreSizeGiB + missed * incrementGiB(i),
                1 + missed,
                `what the download step can have missed, at worst a new full it has not fetched yet (or is still fetching) and ${missed} ` +
                    `increment(s) of its ${interval} interval`,
            ),
            start,
        ],
        `restores the newest complete backup: RPO as the region RPO. Worst case shown (a new full, once per snapshotFullAfter); ` +
            `without one in the window ${usualSeconds} s (${(usualSeconds / 60).toFixed(1)} min). Not modelled: the retry back-off of ` +
            "a restore that meets the step's download in progress. Pinning the backup the restore check verified downloads nothing (runbook)",
    );
    const gapMinutes = round(((i.snapshotIntervalSeconds ?? 0) + i.restoreCheckIntervalSeconds) / 60);
    const warmVerified = path(
        "DR warm standby, the backup the restore check verified pinned (runbook)",
        [
            pulumiUp,
            {
                name: "restore",
                seconds: i.restorePerLinkSeconds,
                basis: "its chain is already downloaded: one local link, no download (estimate shared with the restore waits)",
            },
            firstStart(i),
        ],
        `RPO: that backup's age, up to the check interval + a snapshot gap (${gapMinutes} min) plus its shipping time`,
    );
    return { cold, warm, warmVerified };
}
