import type { JenkinsSettings } from "../../components/jenkins/settings";
import type { ConfigReader } from "./reader";

/** Jenkins settings the DR copy takes from the primary: what runs, not how it is reached in this region. */
export const REUSED_JENKINS_SETTINGS: readonly (keyof JenkinsSettings)[] = [
    "namespace",
    "chartVersion",
    "imageRegistry",
    "imageRepository",
    "imageTag",
    "adminUser",
    "tolerationSeconds",
    "startupProbePeriodSeconds",
    "startupProbeFailureThreshold",
    "cpuRequest",
    "cpuLimit",
    "memoryRequest",
    "memoryLimit",
    "blockVoluntaryDisruptions",
    "pluginSource",
    "plugins",
    "prometheusPluginVersion",
    "cascConfigScripts",
];

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

/**
 * Reads the DR keys (types only; the checks run in loadConfig, the image's in S3SnapshotShipping's validation). Every
 * stack reads them, so a primary that sets one is told (contradictions.ts); only a DR stack (`isDr`) needs primaryStack.
 */
export function readDrConfig(r: ConfigReader, isDr = true): DrConfig {
    const primaryStack = r.optionalString("primaryStack");
    if (primaryStack === undefined && isDr && !r.isSet("primaryStack")) {
        r.report(
            "primaryStack",
            undefined,
            "The DR stack restores from a primary stack: set it to <org>/<project>/<stack> (`pulumi stack ls -a` lists them).",
        );
    }
    return {
        primaryStack: primaryStack ?? "",
        restoreSnapshotHandle: r.optionalString("restoreSnapshotHandle"),
        restoreStorageSize: r.optionalString("restoreStorageSize"),
        remoteJobImage: r.string("remoteJobImage", DR_DEFAULTS.remoteJobImage),
        drSnapshotsEnabled: r.boolean("drSnapshotsEnabled", false),
    };
}
