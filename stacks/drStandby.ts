/**
 * The warm standby's two jobs as the DR stack configures them:
 * - the download step (components/snapshots/restoreDownload.ts), every 5 minutes unless `restoreDownloadSchedule` says
 *   otherwise: LINSTOR fetches the newest complete backup, so a fail-over downloads only what it missed. Its deadline
 *   covers a whole chain (its first run); its alert slack a new full plus one interval's increments;
 * - the restore check, hourly unless `restoreCheckSchedule` says otherwise (RESTORE_CHECK_DEFAULT_SCHEDULE), a scratch
 *   claim as large as the restored Jenkins claim, and a deadline that covers downloading a whole chain (when the
 *   download step has not fetched it yet);
 * - with `jenkinsPrePullImage`, the DaemonSet HaJenkins runs to keep the controller image on every storage node, with the
 *   images the DR Jenkins will run (the primary's when known): the fail-over's first start pulls nothing.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { chartFullname, controllerImage, imagePrePullSpec } from "../components/jenkins/values";
import { BYTE_SUFFIXES, maxScheduleGapSeconds, parseQuantity } from "../components/shared/validation";
import type { RestoreCheckArgs } from "../components/snapshots/restoreCheck";
import type { RestoreDownloadArgs } from "../components/snapshots/restoreDownload";
import {
    RESTORE_CHECK_DEFAULT_SCHEDULE,
    RESTORE_DOWNLOAD_DEFAULT_SCHEDULE,
    type RestoreSize,
    restoreSeconds,
    restoreSizeBound,
} from "../components/snapshots/restoreTiming";
import { parseGoDurationSeconds } from "../components/snapshots/settings";
import type { StackConfig } from "./config";
import type { DrConfig } from "./config/dr";
import { JENKINS_RELEASE } from "./wiring";

/** Scratch claim, mount, read and clean-up on top of the download (estimate). */
export const RESTORE_CHECK_OVERHEAD_SECONDS = 600;

/**
 * The longest chain the schedule can build, as a bound: with `snapshotMaxIncrements` that many increments, else one per
 * schedule gap for `snapshotFullAfter` (every backup is full when incremental backups are off), each at most the
 * expected churn of one gap.
 */
export function chainBound(s: StackConfig["snapshots"], volumeBytes: number): RestoreSize {
    const gap = maxScheduleGapSeconds(s.snapshotSchedule) ?? 3600;
    const fullAfter = s.snapshotFullAfter === undefined ? undefined : parseGoDurationSeconds(s.snapshotFullAfter);
    const increments = !s.snapshotAllowIncremental
        ? 0
        : s.snapshotMaxIncrements > 0
          ? s.snapshotMaxIncrements
          : fullAfter !== undefined
            ? Math.ceil(fullAfter / gap)
            : 0;
    const incrementBytes = Math.min(volumeBytes, s.snapshotExpectedChurnGiBPerHour * (gap / 3600) * 2 ** 30);
    return restoreSizeBound(volumeBytes, increments, incrementBytes);
}

/** The restore check's arguments once the cluster names its LINSTOR namespace and scratch class. */
export function restoreCheckArgs(cfg: StackConfig, dr: DrConfig, remote: string, originResources: readonly string[] = []) {
    const volumeBytes = parseQuantity(cfg.jenkins.storageSize, BYTE_SUFFIXES) ?? 0;
    const deadlineSeconds = restoreSeconds(chainBound(cfg.snapshots, volumeBytes), dr.restoreThroughputMiBps) + RESTORE_CHECK_OVERHEAD_SECONDS;
    return (where: { readonly linstorNamespace: string; readonly storageClassName: string }): RestoreCheckArgs => ({
        linstorNamespace: where.linstorNamespace,
        remoteName: remote,
        snapshotClassName: cfg.snapshots.snapshotClassName,
        storageClassName: where.storageClassName,
        size: cfg.jenkins.storageSize,
        schedule: dr.restoreCheckSchedule ?? RESTORE_CHECK_DEFAULT_SCHEDULE,
        image: cfg.snapshots.snapshotJobImage,
        curlImage: dr.remoteJobImage,
        deadlineSeconds,
        originResources,
    });
}

/** The download step's arguments once the cluster names its LINSTOR namespace. */
export function restoreDownloadArgs(cfg: StackConfig, dr: DrConfig, remote: string, originResources: readonly string[] = []) {
    const volumeBytes = parseQuantity(cfg.jenkins.storageSize, BYTE_SUFFIXES) ?? 0;
    const schedule = dr.restoreDownloadSchedule ?? RESTORE_DOWNLOAD_DEFAULT_SCHEDULE;
    const bound = chainBound(cfg.snapshots, volumeBytes);
    // What one healthy run may have to fetch: a new full and the increments shipped during one interval.
    const gap = maxScheduleGapSeconds(cfg.snapshots.snapshotSchedule) ?? 3600;
    const increments = Math.min(bound.chainLength - 1, Math.ceil((maxScheduleGapSeconds(schedule) as number) / gap));
    const incrementBytes = bound.chainLength > 1 ? (bound.chainBytes - volumeBytes) / (bound.chainLength - 1) : 0;
    const slackSeconds = restoreSeconds(restoreSizeBound(volumeBytes, increments, incrementBytes), dr.restoreThroughputMiBps);
    return (where: { readonly linstorNamespace: string }): RestoreDownloadArgs => ({
        linstorNamespace: where.linstorNamespace,
        remoteName: remote,
        schedule,
        image: cfg.snapshots.snapshotJobImage,
        curlImage: dr.remoteJobImage,
        deadlineSeconds: Math.max(300, restoreSeconds(bound, dr.restoreThroughputMiBps)),
        slackSeconds,
        originResources,
    });
}

/**
 * The standby's image pre-pull: HaJenkins' DaemonSet spec (components/jenkins/values.ts imagePrePullSpec) under a name
 * and instance label of its own, so the fail-over's HaJenkins creates its own beside it (no name clash, no overlapping
 * selectors) and this one is removed at the end of that `pulumi up`, the images staying cached on the nodes.
 * `cfg.jenkins` is the DR Jenkins' settings (dr.ts drJenkinsConfig); nothing when prePullImage is off.
 */
export function standbyImagePrePull(
    cfg: StackConfig,
    opts: { readonly provider: pulumi.ProviderResource; readonly dependsOn: pulumi.Input<pulumi.Resource>[] },
): k8s.apps.v1.DaemonSet | undefined {
    if (!cfg.jenkins.prePullImage) return undefined;
    const instance = `${JENKINS_RELEASE}-standby`;
    return new k8s.apps.v1.DaemonSet(
        `${cfg.namePrefix}-standby-image-prepull`,
        {
            metadata: { name: `${chartFullname(instance)}-image-prepull`, namespace: cfg.jenkins.namespace },
            spec: imagePrePullSpec(instance, controllerImage(cfg.jenkins)),
        },
        { provider: opts.provider, dependsOn: opts.dependsOn },
    );
}
