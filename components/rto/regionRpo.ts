/**
 * The region RPO: how old the newest complete backup in the other region can be when the region is lost.
 *
 * The newest complete backup is at worst one schedule gap older than the snapshot being shipped, and that snapshot
 * completes only once its shipment does. Increments ship the churn of one gap; but every chain starts with a full
 * backup (the schedule's full class, every `snapshotFullAfter`), which ships the claim's allocated blocks (LVM thin:
 * `thin_send` of the snapshot, linstor-server 1.33.3 LvmThinProvider.getBackupShippingSendingCommandImpl; at most the
 * claim), and the increments after it queue behind it (CtrlBackupCreateApiCallHandler: `queueAnyways` while the base
 * ships). So the worst case is the gap plus the shipping of a full; the usual case the gap plus an increment.
 */
import type { RtoInputs } from "./inputs";
import { type Path, path, round } from "./paths";

/** Seconds to ship `gib` GiB: the fixed overhead plus the upload at the modelled throughput. */
export function shippingSeconds(i: RtoInputs, gib: number): number {
    return round(i.snapshotShippingOverheadSeconds + (gib * 1024) / i.snapshotShippingMiBps);
}

/** The region RPO path, or undefined without a schedule. */
export function regionRpoPath(i: RtoInputs): Path | undefined {
    if (i.snapshotIntervalSeconds === undefined) return undefined;
    const fullGiB = i.restoreSizeGiB;
    const incrementGiB = Math.min(fullGiB, (i.snapshotChurnGiBPerHour * i.snapshotIntervalSeconds) / 3600);
    const full = shippingSeconds(i, fullGiB);
    const increment = shippingSeconds(i, incrementGiB);
    const throughput =
        `${i.snapshotShippingMiBps} MiB/s (estimate: LINSTOR uploads one part after another from one node, ` +
        `BackupToS3.putObjectMultipart) + ${i.snapshotShippingOverheadSeconds} s to snapshot, queue and report ready (estimate)`;
    const fulls =
        i.snapshotFullAfterHours > 0
            ? `the full that starts each chain (every ${i.snapshotFullAfterHours} h)`
            : "every backup (all full: incremental backups are off)";
    return path("Region RPO (scheduled S3 snapshots)", [
        { name: "schedule gap", seconds: i.snapshotIntervalSeconds, basis: "longest gap between scheduled snapshots (configured)" },
        {
            name: "shipping a full",
            seconds: full,
            basis:
                `worst case: ${fulls} ships up to the whole ${fullGiB} GiB claim at ${throughput}; newer snapshots queue behind it. ` +
                `Between fulls an increment ships ${round(incrementGiB * 1024)} MiB (${i.snapshotChurnGiBPerHour} GiB/h churn) in ${increment} s, ` +
                `an RPO of ${round(i.snapshotIntervalSeconds + increment)} s`,
        },
    ]);
}
