import { ConfigReader } from "./reader";

/** Settings only the DR stack reads. */
export interface DrConfig {
    /** Fully qualified name of the primary stack, `<org>/<project>/<stack>`. */
    readonly primaryStack: string;
    /** Backup to restore; default: the primary's `latestSnapshotHandle`. */
    readonly restoreSnapshotHandle?: string;
    /** Size of the restored Jenkins claim (≥ the backup); default: the primary's `jenkinsStorageSize`. */
    readonly restoreStorageSize?: string;
    /** Image of the Job that ensures LINSTOR's S3 remote exists (needs sh + curl). */
    readonly remoteJobImage: string;
    /**
     * Once the DR copy is the live Jenkins, ship its snapshots to the same bucket (read/write rights, the
     * schedule on the restored claim) and export what a failback stack reads. Default false: restore only.
     */
    readonly drSnapshotsEnabled: boolean;
}

export const DR_DEFAULTS = {
    remoteJobImage: "docker.io/curlimages/curl:8.16.0",
};

export function readDrConfig(r: ConfigReader): DrConfig {
    const primaryStack = r.optionalString("primaryStack", /^[^/\s]+\/[^/\s]+\/[^/\s]+$/,
        "Use the primary's fully qualified stack name <org>/<project>/<stack>, e.g. acme/ha-jenkins-eks/dev.");
    if (primaryStack === undefined) {
        r.fail("primaryStack", undefined,
            "The DR stack restores from a primary stack: set it to <org>/<project>/<stack> (`pulumi stack ls -a` lists them).");
    }
    return {
        primaryStack,
        restoreSnapshotHandle: r.optionalString("restoreSnapshotHandle"),
        restoreStorageSize: r.optionalString("restoreStorageSize", /^[1-9]\d*(Gi|Ti)$/, "Use a size such as 50Gi."),
        remoteJobImage: r.string("remoteJobImage", DR_DEFAULTS.remoteJobImage, /^[^\s:]+(:[^\s:@]+)?(@sha256:[0-9a-f]{64})?$/,
            "Use a pinned image reference such as docker.io/curlimages/curl:8.16.0."),
        drSnapshotsEnabled: r.boolean("drSnapshotsEnabled", false),
    };
}
