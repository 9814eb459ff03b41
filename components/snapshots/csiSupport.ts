/**
 * Refuses snapshot settings the deployed linstor-csi would ignore (pure).
 *
 * piraeusdatastore/linstor-csi `pkg/volume/snapshot_params.go` at v1.11.2: an unknown `snap.linstor.csi.linbit.com/*`
 * key is only logged (`log.WithField("key", k).Warn("ignoring unknown snapshot parameter key")`) and the request goes
 * on, so `max-increments` / `full-snapshot-after` (added in v1.11.3, linstor-csi#448) would silently do nothing: every
 * backup after the first stays incremental, the chain is never cut and pruning never reclaims S3 or the thin pools.
 */
import { keysEveryCsiParses, SNAPSHOT_PARAMETER_NAMESPACE, supportedSnapshotKeys } from "../linstorCluster/operatorReleases";
import { ConfigError } from "../shared/errors";
import type { KeyOf } from "../shared/validation";
import { snapshotClassParameters } from "./schedule";

/** The snapshot-class settings that decide which keys the class carries. */
export interface SnapshotClassOptions {
    readonly snapshotAllowIncremental: boolean;
    readonly snapshotMaxIncrements: number;
    readonly snapshotFullAfter?: string;
}

/** The keys of the schedule's VolumeSnapshotClass that `linstorCsiVersion` does not parse (all not-always-parsed ones when unknown). */
export function ignoredSnapshotKeys(s: SnapshotClassOptions, linstorCsiVersion: string | undefined): string[] {
    const emitted = Object.keys(
        snapshotClassParameters({
            remoteName: "r",
            bucket: "b",
            region: "us-east-1",
            allowIncremental: s.snapshotAllowIncremental,
            maxIncrements: s.snapshotMaxIncrements,
            fullSnapshotAfter: s.snapshotFullAfter,
        }),
    );
    const parsed = (linstorCsiVersion === undefined ? undefined : supportedSnapshotKeys(linstorCsiVersion)) ?? keysEveryCsiParses();
    return emitted.filter((k) => !parsed.includes(k));
}

/**
 * Throws a ConfigError (naming `snapshotMaxIncrements` or `snapshotFullAfter`) when the class would carry a key the
 * deployed linstor-csi ignores. `linstorCsiVersion` undefined means the operator release is not in the table
 * (components/linstorCluster/operatorReleases.ts), so only the keys every known version parses are allowed.
 * `release` describes the operator release for the message, e.g. `piraeusOperatorChartVersion 2.10.7`.
 */
export function refuseIgnoredSnapshotKeys(s: SnapshotClassOptions, linstorCsiVersion: string | undefined, release: string, key: KeyOf): void {
    const ignored = ignoredSnapshotKeys(s, linstorCsiVersion);
    if (ignored.length === 0) return;
    const field = ignored.includes(`${SNAPSHOT_PARAMETER_NAMESPACE}/max-increments`) ? "snapshotMaxIncrements" : "snapshotFullAfter";
    const value = field === "snapshotMaxIncrements" ? s.snapshotMaxIncrements : s.snapshotFullAfter;
    const deployed =
        linstorCsiVersion === undefined
            ? `${release} is not in the table of operator releases (components/linstorCluster/operatorReleases.ts), so which linstor-csi it deploys is unknown`
            : `${release} deploys linstor-csi ${linstorCsiVersion}`;
    throw new ConfigError(
        key(field),
        value,
        `${deployed}, and linstor-csi before 1.11.3 ignores ${ignored.join(", ")} (it only logs "ignoring unknown snapshot ` +
            'parameter key"): the incremental chain would never be cut and pruning would never free S3 or the thin pools. ' +
            `Pin piraeusOperatorChartVersion 2.10.8 or later (linstor-csi ≥ 1.11.3), or set ${key("snapshotAllowIncremental")}: false.`,
    );
}
