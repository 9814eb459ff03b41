/**
 * The data pool's budget (pure): what one storage node's LVM-thin pool (`dataVolumeSizeGiB`) must hold, against the
 * share of it that may be planned.
 *
 * - LINSTOR places each replica of a volume on a different node, so the worst node holds one replica of every volume
 *   placed on LINSTOR (with three nodes and three replicas, every node holds JENKINS_HOME).
 * - Thin volumes count at their full size: a thin volume may fill up to it at any time.
 * - Local snapshots live on every replica of their volume; what they pin comes from the retention
 *   (components/snapshots/retention.ts).
 * - An LVM thin pool must never fill: once its data space is exhausted, writes to every thin volume in it queue and
 *   then fail (lvmthin(7), "Data space exhaustion"; LINSTOR does not extend the pool). So only a share of the pool is
 *   planned: THIN_POOL_FILL_LIMIT_PERCENT, or less when monitoring alerts earlier (storagePoolFullPercent), so the
 *   steady state never sits above the alert.
 */
import { ConfigError } from "../shared/errors";

/** The most of a data pool this program plans to use; the rest is headroom for bursts and the unplanned. */
export const THIN_POOL_FILL_LIMIT_PERCENT = 80;

export interface PoolItem {
    /** What it is, e.g. `Jenkins claim`. */
    readonly label: string;
    /** GiB it may take on the worst node. */
    readonly sizeGiB: number;
    /** The config keys that change it, for the error message. */
    readonly keys: readonly string[];
    /** How the size was reached, when it is not simply a claim's size. */
    readonly basis?: string;
}

export interface PoolBudget {
    readonly poolGiB: number;
    readonly fillLimitPercent: number;
    readonly limitGiB: number;
    readonly items: readonly PoolItem[];
    readonly totalGiB: number;
    readonly fits: boolean;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The budget of a pool of `poolGiB` holding `items`, planned up to `fillLimitPercent` (capped at the program's limit). */
export function poolBudget(poolGiB: number, items: readonly PoolItem[], fillLimitPercent = THIN_POOL_FILL_LIMIT_PERCENT): PoolBudget {
    const percent = Math.min(fillLimitPercent, THIN_POOL_FILL_LIMIT_PERCENT);
    const limitGiB = round((poolGiB * percent) / 100);
    const totalGiB = round(items.reduce((t, i) => t + i.sizeGiB, 0));
    return { poolGiB, fillLimitPercent: percent, limitGiB, items, totalGiB, fits: totalGiB <= limitGiB };
}

/** One line per item: `Jenkins claim 20 GiB + …`. */
export function describeItems(b: PoolBudget): string {
    return b.items.map((i) => `${i.label} ${round(i.sizeGiB)} GiB${i.basis ? ` (${i.basis})` : ""}`).join(" + ");
}

/**
 * Throws a ConfigError naming `poolKey` (the pool's size) when the budget does not fit: what it holds, the smallest
 * pool that would do, and the other keys that shrink the demand.
 */
export function refuseOverfullPool(b: PoolBudget, poolKey: string, keyOf: (key: string) => string = (k) => k): void {
    if (b.fits) return;
    const needed = Math.ceil((b.totalGiB * 100) / b.fillLimitPercent);
    const others = [...new Set(b.items.flatMap((i) => i.keys))].map(keyOf);
    throw new ConfigError(
        poolKey,
        b.poolGiB,
        `Each storage node's data pool holds one replica of every volume on LINSTOR and the local snapshots the retention ` +
            `keeps, and may be planned only to ${b.fillLimitPercent} % (an LVM thin pool that fills stops every volume in it): ` +
            `${describeItems(b)} = ${b.totalGiB} GiB > ${b.limitGiB} GiB. Raise it to at least ${needed}, or lower ${others.join(", ")}.`,
    );
}
