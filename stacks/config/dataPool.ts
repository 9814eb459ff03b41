/**
 * The stack's data-pool check: everything this stack places on LINSTOR, with the local snapshots its retention keeps,
 * against `dataVolumeSizeGiB` (components/linstorCluster/poolBudget.ts). Runs before any resource is registered.
 * A DR stack also holds the chain it downloads (restoreCheck.ts, restoreDownload.ts): with the restore check's scratch
 * claim on a standby, with the restored Jenkins claim after a fail-over. After a fail-over with `restoreReleaseChain`
 * (releaseChain.ts) only the chain's increments count, and only until the release: the restored claim is an LVM thin
 * snapshot of the newest link (LvmCommands.restoreFromSnapshot, linstor-server v1.33.3), so the full's blocks are the
 * claim's own (counted with it), and what the chain adds are the older versions of the blocks its increments changed.
 *
 * Prometheus and Alertmanager stay on LINSTOR (the `prometheusStorageReplicas` class), not on zonal EBS: an EBS volume
 * cannot leave its zone, so an AZ outage, the moment the DRBD alerts matter most, would strand them. They count here.
 */
import { type PoolBudget, type PoolItem, poolBudget, refuseOverfullPool } from "../../components/linstorCluster/poolBudget";
import { BYTE_SUFFIXES, parseQuantity } from "../../components/shared/validation";
import { retentionFootprint } from "../../components/snapshots/retention";
import { chainBound } from "../drStandby";
import type { StackConfig } from "./index";
import { fullKey } from "./naming";

const gib = (quantity: string): number => (parseQuantity(quantity, BYTE_SUFFIXES) ?? 0) / 2 ** 30;

/** Size of the Jenkins claim this stack runs on (the DR stack's restored one: `restoreStorageSize` when set). */
export function jenkinsClaimGiB(cfg: StackConfig): number {
    return gib(cfg.dr?.restoreStorageSize ?? cfg.jenkins.storageSize);
}

/** Whether this stack runs the snapshot schedule (a DR stack only once it ships its own snapshots). */
export function runsSnapshotSchedule(cfg: StackConfig): boolean {
    return cfg.snapshots.snapshotScheduleEnabled && (cfg.dr === undefined || cfg.dr.drSnapshotsEnabled);
}

/**
 * The chain a DR cluster keeps in LINSTOR: the standby's download step and restore check (and the fail-over's restore)
 * download into snapshots of the origin resource that stay (no `delete-local`), beside the scratch or restored claim. One
 * chain as the restore timing bounds it (drStandby.ts chainBound): a full of the backups' size plus its increments,
 * each the churn of one schedule gap and at most that size.
 */
function downloadedChain(cfg: StackConfig): PoolItem | undefined {
    const volumeGiB = gib(cfg.jenkins.storageSize);
    const chain = chainBound(cfg.snapshots, volumeGiB * 2 ** 30);
    const increments = chain.chainLength - 1;
    const incrementsGiB = chain.chainBytes / 2 ** 30 - volumeGiB;
    const r = (n: number) => Math.round(n * 10) / 10;
    const perIncrement = `${r(increments > 0 ? (incrementsGiB * 1024) / increments : 0)} MiB`;
    if (cfg.dr?.drMode === "restore" && cfg.dr.restoreReleaseChain) {
        if (increments === 0) return undefined;
        return {
            label: "downloaded chain's increments, until released",
            sizeGiB: incrementsGiB,
            basis: `${increments} increments × ${perIncrement}; the full is the restored claim's own blocks`,
            keys: ["snapshotExpectedChurnGiBPerHour", "snapshotFullAfter", "snapshotMaxIncrements", "restoreReleaseChain"],
        };
    }
    return {
        label: "downloaded chain",
        sizeGiB: chain.chainBytes / 2 ** 30,
        basis: `a ${r(volumeGiB)} GiB full + ${increments} increments × ${perIncrement}`,
        keys: ["jenkinsStorageSize", "snapshotExpectedChurnGiBPerHour", "snapshotFullAfter", "snapshotMaxIncrements"],
    };
}

/** What one storage node's data pool holds in the worst case, and how much of it may be planned. */
export function dataPoolBudget(cfg: StackConfig): PoolBudget {
    const jenkinsGiB = jenkinsClaimGiB(cfg);
    const jenkinsKey = cfg.dr?.restoreStorageSize !== undefined ? "restoreStorageSize" : "jenkinsStorageSize";
    const items: PoolItem[] = [];
    if (cfg.dr?.drMode === "standby") {
        // No Jenkins runs; the restore check restores into a scratch claim of the backups' size (restoreCheckArgs).
        items.push({ label: "restore check's scratch claim", sizeGiB: gib(cfg.jenkins.storageSize), keys: ["jenkinsStorageSize"] });
    } else {
        items.push({ label: cfg.dr ? "restored Jenkins claim" : "Jenkins claim", sizeGiB: jenkinsGiB, keys: [jenkinsKey] });
    }
    const chain = cfg.dr !== undefined ? downloadedChain(cfg) : undefined;
    if (chain !== undefined) items.push(chain);
    if (cfg.dr === undefined && cfg.snapshots.restoreFromSnapshot !== undefined) {
        // The claim Jenkins ran on stays (Retain, protected) beside the one restored into.
        items.push({ label: "restored Jenkins claim", sizeGiB: jenkinsGiB, keys: ["restoreFromSnapshot"] });
    }
    const m = cfg.monitoring;
    if (m.monitoringEnabled && !m.useExistingPrometheusOperator) {
        items.push({ label: "Prometheus", sizeGiB: gib(m.prometheusStorageSize), keys: ["prometheusStorageSize"] });
        items.push({ label: "Alertmanager", sizeGiB: gib(m.alertmanagerStorageSize), keys: ["alertmanagerStorageSize"] });
    }
    const retention = runsSnapshotSchedule(cfg) ? retentionFootprint(cfg.snapshots, jenkinsGiB) : undefined;
    if (retention !== undefined) {
        items.push({
            label: `local snapshots (${retention.localSnapshots})`,
            sizeGiB: retention.localGiB,
            basis: retention.basis,
            keys: [
                "snapshotExpectedChurnGiBPerHour",
                "snapshotLocalSnapshots",
                "snapshotRetentionHours",
                "snapshotDailyRetentionDays",
                "snapshotFullAfter",
            ],
        });
    }
    // The alert threshold caps the plan only where this stack deploys the alert.
    const alertPercent = m.monitoringEnabled ? m.storagePoolFullPercent : undefined;
    return poolBudget(cfg.cluster.dataVolumeSizeGiB, items, alertPercent);
}

/** Refuses a data pool too small for what this stack places on it, naming dataVolumeSizeGiB and the other knobs. */
export function validateDataPool(cfg: StackConfig): void {
    refuseOverfullPool(dataPoolBudget(cfg), fullKey("dataVolumeSizeGiB"), fullKey);
}
