/**
 * The warm standby's download step: a CronJob in the DR cluster that, at the backups' cadence, makes LINSTOR fetch the
 * newest complete backup of the Jenkins claim into the DR cluster WITHOUT a claim, a resource or a pod, so a fail-over's
 * restore of the newest backup downloads only what arrived since the last run. The hourly restore check
 * (restoreCheck.ts) still proves a backup mounts; this step only keeps the chain local.
 *
 * How it asks LINSTOR and judges the snapshot ready (linstor-server v1.33.3, linstor-csi v1.11.3) is downloadPod.ts's,
 * shared with the fail-over's restore gate (restoreGate.ts). The target is the origin resource name, as linstor-csi
 * uses, so the fail-over's and the check's restores find these links and download nothing twice; LINSTOR keeps those
 * snapshots (nothing here deletes them; the restore check prunes those outside the newest chain). "Already
 * downloaded" and "someone else is downloading it" (the check's or a fail-over's linstor-csi restore) end as a
 * success or a wait.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { dependencies } from "../shared/componentOptions";
import type { ScheduledJob } from "../shared/schedule";
import { check, type KeyOf, maxScheduleGapSeconds } from "../shared/validation";
import { checkLinstorBackupJobArgs, downloadPodTemplate } from "./downloadPod";
import { PICK_NEWEST_RESTORABLE } from "./restoreCheck";

export { DOWNLOAD_LIST_SCRIPT, DOWNLOAD_PICK_SCRIPT, DOWNLOAD_SCRIPT } from "./downloadPod";

export const RESTORE_DOWNLOAD_NAME = "restore-download";
export const RESTORE_DOWNLOAD_LABEL = "ha-jenkins-eks.io/restore-download";

export interface RestoreDownloadArgs {
    /** Namespace of LINSTOR: the step runs next to the controller it asks. */
    readonly linstorNamespace: string;
    /** The LINSTOR S3 remote of the bucket. */
    readonly remoteName: string;
    /** Five-field cron expression in UTC. */
    readonly schedule: string;
    /** Pinned image with bash and jq (the snapshot schedule's kubectl image), to choose the backup. */
    readonly image: string;
    /** Pinned image with curl and sh, to ask LINSTOR (the ensure-remote Job's). */
    readonly curlImage: string;
    /** Hard limit of one run in seconds: its first run downloads a whole chain (restoreTiming.ts). */
    readonly deadlineSeconds: number;
    /** How much longer than an interval a healthy run may take (a new full's download), for the alert. */
    readonly slackSeconds: number;
    /** Only backups of these LINSTOR resources (the Jenkins claim's); empty: any resource in the remote. */
    readonly originResources?: readonly string[];
}

export function validateRestoreDownloadArgs(a: RestoreDownloadArgs, key: KeyOf = (f) => `RestoreDownload.${f}`): void {
    checkLinstorBackupJobArgs(key, a, "it needs bash and jq");
    check(key, "schedule").cron(a.schedule);
    check(key, "deadlineSeconds").integer(a.deadlineSeconds, { min: 300, max: 7 * 86400 }, "(seconds)");
    check(key, "slackSeconds").integer(a.slackSeconds, { min: 0, max: 7 * 86400 }, "(seconds)");
}

/** spec of the batch/v1 CronJob. One run at a time (a full's download outlasts an interval), no retry. */
export function restoreDownloadCronJobSpec(a: RestoreDownloadArgs) {
    const labels = { [RESTORE_DOWNLOAD_LABEL]: "true" };
    return {
        schedule: a.schedule,
        timeZone: "Etc/UTC",
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 120,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
            metadata: { labels },
            spec: {
                backoffLimit: 0,
                activeDeadlineSeconds: a.deadlineSeconds,
                template: downloadPodTemplate({
                    linstorNamespace: a.linstorNamespace,
                    remoteName: a.remoteName,
                    image: a.image,
                    curlImage: a.curlImage,
                    pick: PICK_NEWEST_RESTORABLE,
                    pickEnv: [{ name: "ORIGINS", value: JSON.stringify(a.originResources ?? []) }],
                    // One origin: LINSTOR lists (and reads the metas of) that resource's backups only (downloadPod.ts).
                    ...(a.originResources?.length === 1 ? { listQuery: `?rsc_name=${a.originResources[0]}` } : {}),
                    pollSeconds: 10,
                    postAttempts: 30,
                    labels,
                    serviceAccountName: RESTORE_DOWNLOAD_NAME,
                }),
            },
        },
    };
}

/** How the step describes itself to monitoring: two missed intervals (plus a full's download) without a success alert. */
export function describeRestoreDownload(a: Pick<RestoreDownloadArgs, "linstorNamespace" | "schedule" | "slackSeconds">): ScheduledJob {
    return {
        namespace: a.linstorNamespace,
        name: RESTORE_DOWNLOAD_NAME,
        intervalSeconds: maxScheduleGapSeconds(a.schedule) as number,
        slackSeconds: a.slackSeconds,
        // A transient S3 or API error is retried by the next run 5 minutes later: no page for one failed run.
        alertOnFailedRun: false,
        purpose: "Download of the newest backup into the warm standby",
    };
}

/**
 * The step's CronJob and its identity (a ServiceAccount without a token: it asks LINSTOR only). The Kubernetes provider
 * comes in `opts`; `dependsOn` (the LINSTOR remote) holds the CronJob back.
 */
export class RestoreDownload extends pulumi.ComponentResource {
    readonly cronJobName = RESTORE_DOWNLOAD_NAME;
    /** Hand this to DrbdMonitoring `schedules`. */
    readonly watchedSchedule: ScheduledJob;

    constructor(name: string, args: RestoreDownloadArgs, opts?: pulumi.ComponentResourceOptions) {
        validateRestoreDownloadArgs(args);
        super("ha-jenkins-eks:index:RestoreDownload", name, {}, opts);
        const metadata = { name: RESTORE_DOWNLOAD_NAME, namespace: args.linstorNamespace, labels: { [RESTORE_DOWNLOAD_LABEL]: "true" } };
        const account = new k8s.core.v1.ServiceAccount(`${name}-account`, { metadata, automountServiceAccountToken: false }, { parent: this });
        new k8s.batch.v1.CronJob(
            `${name}-cronjob`,
            { metadata, spec: restoreDownloadCronJobSpec(args) },
            { parent: this, dependsOn: [account, ...dependencies(opts)] },
        );
        this.watchedSchedule = describeRestoreDownload(args);
        this.registerOutputs({ cronJobName: this.cronJobName });
    }
}
