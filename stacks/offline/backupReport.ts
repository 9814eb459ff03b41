/**
 * The offline plan's backup figures (pure functions of the stack config): the data pool's budget per node, and the
 * monthly cost of the snapshots shipped to the bucket and of DRBD's replication traffic (components/rto/cost.ts).
 */
import type { PoolBudget } from "../../components/linstorCluster/poolBudget";
import { describeItems } from "../../components/linstorCluster/poolBudget";
import { formatMonthlyCost, type MonthlyCost, monthlyBackupCost } from "../../components/rto/cost";
import { fullAfterHours, retentionFootprint, scheduleRunsPerDay } from "../../components/snapshots/retention";
import { CREATE_BUCKET_DEFAULTS } from "../../components/snapshots/settings";
import type { StackConfig } from "../config";
import { dataPoolBudget, jenkinsClaimGiB, runsSnapshotSchedule } from "../config/dataPool";

/** The monthly backup and replication cost of the stack; undefined when it ships no snapshots. */
export function backupCost(cfg: StackConfig, zones: number): MonthlyCost | undefined {
    if (!runsSnapshotSchedule(cfg)) return undefined;
    const claimGiB = jenkinsClaimGiB(cfg);
    const retention = retentionFootprint(cfg.snapshots, claimGiB);
    if (retention === undefined) return undefined;
    return monthlyBackupCost({
        claimGiB,
        churnGiBPerHour: cfg.snapshots.snapshotExpectedChurnGiBPerHour,
        retention,
        runsPerDay: scheduleRunsPerDay(cfg.snapshots.snapshotSchedule),
        fullAfterHours: fullAfterHours(cfg.snapshots),
        // A DR stack ships into the primary's bucket, whose lifecycle the primary sets (assumed at the default).
        noncurrentVersionDays: cfg.snapshots.bucket?.create.noncurrentVersionExpirationDays ?? CREATE_BUCKET_DEFAULTS.noncurrentVersionExpirationDays,
        jenkinsReplicas: cfg.jenkins.storageClassReplicas,
        natGateways: cfg.cluster.vpcId !== undefined ? "existing" : cfg.cluster.natGateways,
        zones,
        // The primary's bucket is always elsewhere (validated); a DR stack's ships into the primary's bucket region.
        crossRegion: cfg.snapshots.bucket === undefined || cfg.snapshots.bucket.create.region !== cfg.region,
    });
}

export function formatDataPool(b: PoolBudget): string {
    return (
        `  data pool per node (worst node: one replica of each volume): ${describeItems(b)} = ${b.totalGiB} GiB of ` +
        `${b.limitGiB} GiB planned (${b.fillLimitPercent} % of ${b.poolGiB} GiB)${b.fits ? "" : " — DOES NOT FIT"}`
    );
}

/** The plan's backup section: the pool line (with the sizing) and the cost (after the RTO/RPO model). */
export function backupReport(cfg: StackConfig, zones: number): { readonly dataPool: string; readonly cost?: string } {
    const cost = backupCost(cfg, zones);
    return { dataPool: formatDataPool(dataPoolBudget(cfg)), ...(cost ? { cost: formatMonthlyCost(cost) } : {}) };
}
