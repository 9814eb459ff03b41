/**
 * What each operator chart release deploys, and which snapshot-class keys that linstor-csi parses (pure tables).
 *
 * Sources (research note /tmp/research/linstor.md §1 and §2):
 * - Piraeus 2.10.7 / 2.10.8: chart `charts/piraeus/templates/config.yaml`, key `0_piraeus_datastore_images.yaml`
 *   (= operator `config/manager/0_piraeus_datastore_images.yaml`), read from the vendored copy of the upstream chart
 *   notHiks/charts@1f72a9cb (2.10.7: linstor-controller v1.33.3, linstor-csi v1.11.2) and @2976bc80 (2.10.8:
 *   v1.33.3, v1.11.3). The piraeus-operator v2.10.8 release page agrees ("LINSTOR CSI 1.11.3").
 * - Piraeus 2.12.1: piraeus-operator release page `releases/tag/v2.12.1` ("Updated images: LINSTOR 1.35.3,
 *   LINSTOR CSI 1.13.2").
 * - LINBIT `linstor-operator` 2.10.0: **unknown**. The LINBIT/linstor-operator-builder sources that could be read
 *   stop at about 2.8.x, so it is not in the table: which linstor-csi it deploys is not known here.
 */
import { compareSemver } from "./versions";

export interface OperatorRelease {
    /** linstor-controller / linstor-satellite image tag (without `v`). */
    readonly linstor: string;
    /** linstor-csi image tag (without `v`). */
    readonly linstorCsi: string;
}

/** Piraeus operator chart version → the LINSTOR and linstor-csi it deploys (only releases whose image config was read). */
export const PIRAEUS_OPERATOR_RELEASES: Readonly<Record<string, OperatorRelease>> = {
    "2.10.7": { linstor: "1.33.3", linstorCsi: "1.11.2" },
    "2.10.8": { linstor: "1.33.3", linstorCsi: "1.11.3" },
    "2.12.1": { linstor: "1.35.3", linstorCsi: "1.13.2" },
};

/**
 * The Piraeus releases whose LINSTOR the property tables (linstorProperties.ts) were checked against (1.33.3); the
 * LINSTOR property spec runs for each.
 */
export const OPERATOR_BUNDLED_IMAGES: Readonly<Record<string, OperatorRelease>> = {
    "2.10.7": PIRAEUS_OPERATOR_RELEASES["2.10.7"],
    "2.10.8": PIRAEUS_OPERATOR_RELEASES["2.10.8"],
};

/** LINBIT `linstor-operator` chart version → images. Empty: not even 2.10.0 (the default) could be read upstream. */
export const LINBIT_OPERATOR_RELEASES: Readonly<Record<string, OperatorRelease>> = {};

/** The release a distribution's chart version deploys; undefined when it is not in the tables (unknown). */
export function operatorRelease(distribution: string, chartVersion: string): OperatorRelease | undefined {
    const table = distribution === "linbit" ? LINBIT_OPERATOR_RELEASES : PIRAEUS_OPERATOR_RELEASES;
    return Object.hasOwn(table, chartVersion) ? table[chartVersion] : undefined;
}

/** Prefix of linstor-csi's snapshot-class keys: `linstor.SnapshotParameterNamespace` (pkg/linstor/const.go). */
export const SNAPSHOT_PARAMETER_NAMESPACE = "snap.linstor.csi.linbit.com";

/**
 * The snapshot-class keys (after the prefix) linstor-csi parses, from the version that introduced each set:
 * piraeusdatastore/linstor-csi `pkg/volume/snapshot_params.go` at v1.11.2 (2327edf5) and v1.11.3 (bab63b37); v1.12.0
 * (44aa98af) parses the same keys as v1.11.3 (empty diff). Any other key in the namespace is logged
 * ("ignoring unknown snapshot parameter key", Warn) and ignored. Versions after 1.12.0 (e.g. 1.13.2) were not read:
 * they are assumed to keep the 1.11.3 keys (CHANGELOG.md removes none).
 */
export const CSI_SNAPSHOT_KEYS: readonly { readonly since: string; readonly keys: readonly string[] }[] = [
    {
        since: "1.11.2",
        keys: [
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
        ],
    },
    // CHANGELOG.md [1.11.3]: "max-increments and full-snapshot-after snapshot class parameters to bound the length /
    // age of incremental S3 backup chains" (linstor-csi#448).
    { since: "1.11.3", keys: ["max-increments", "full-snapshot-after"] },
];

/** Full keys (`snap.linstor.csi.linbit.com/<key>`) a linstor-csi version parses; undefined for versions before the table. */
export function supportedSnapshotKeys(linstorCsiVersion: string): readonly string[] | undefined {
    if (compareSemver(linstorCsiVersion, CSI_SNAPSHOT_KEYS[0].since) < 0) return undefined;
    return CSI_SNAPSHOT_KEYS.filter((e) => compareSemver(linstorCsiVersion, e.since) >= 0).flatMap((e) =>
        e.keys.map((k) => `${SNAPSHOT_PARAMETER_NAMESPACE}/${k}`),
    );
}

/** Keys every version in the table parses (what is safe when the version is unknown). */
export function keysEveryCsiParses(): readonly string[] {
    return CSI_SNAPSHOT_KEYS[0].keys.map((k) => `${SNAPSHOT_PARAMETER_NAMESPACE}/${k}`);
}
