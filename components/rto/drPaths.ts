/**
 * The DR RTO, cold and warm. A restore downloads the chain: the full backup and every increment after it, one shipment
 * per backup (linstor-server v1.33.3 CtrlBackupRestoreApiCallHandler), so a cold restore grows with the chain the
 * schedule builds (one increment per gap until the next full, `snapshotFullAfter`). LINSTOR skips every link already
 * downloaded into the target resource definition ("finds the first snapshot that has already been downloaded during a
 * previous restore"), and the warm standby's restore check keeps the newest verified chain downloaded
 * (components/snapshots/restoreCheck.ts), so a warm fail-over downloads at worst one full backup that arrived after the
 * last check, plus the increment of one gap.
 */
import { RTO_DEFAULTS, type RtoInputs } from "./inputs";
import { jenkinsStart, type Path, type Phase, path, round } from "./paths";

/** Starting the download of each backup of a chain: one LINSTOR shipment per backup (estimate; measure with a drill). */
export const RESTORE_PER_BACKUP_SECONDS = 5;

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
        seconds: round(download + backups * RESTORE_PER_BACKUP_SECONDS),
        basis:
            `${what}: ${round(gib)} GiB from S3 at ${i.restoreThroughputMiBps} MiB/s + ${backups} backup(s) × ${RESTORE_PER_BACKUP_SECONDS} s ` +
            "to start each one's download (estimates)",
    };
}

/** Jenkins' first start in the DR cluster: nothing pre-pulled its image there yet (a standby runs no Jenkins). */
function firstStart(i: RtoInputs): Phase {
    return jenkinsStart({ ...i, imagePullSeconds: Math.max(i.imagePullSeconds, RTO_DEFAULTS.imagePullSeconds) });
}

export function drRtoPaths(i: RtoInputs): { readonly cold: Path; readonly warm: Path } {
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
        restorePhase(i, chainGiB, backups, `the whole chain, a full of ${i.restoreSizeGiB} GiB and ${backups - 1} increments`),
        firstStart(i),
    ]);
    const warm = path("DR warm standby (drMode: standby, then restore)", [
        {
            name: "pulumi up",
            seconds: i.drPulumiUpSeconds,
            basis: `choosing the backup, the restore objects and the Jenkins release on the running cluster (estimate ${i.drPulumiUpSeconds} s)`,
        },
        restorePhase(
            i,
            i.restoreSizeGiB + incrementGiB(i),
            2,
            "what the restore check has not downloaded yet, at worst a full that started a new chain after its last run and one increment",
        ),
        firstStart(i),
    ]);
    return { cold, warm };
}
