/**
 * How long Pulumi waits for a Kubernetes Job. @pulumi/kubernetes waits 10 minutes for a Job to complete unless the
 * resource's `customTimeouts` say otherwise (provider/pkg/await: DefaultJobTimeoutMins = 10): a Job allowed to run
 * longer (its `activeDeadlineSeconds`) would fail `pulumi up` half-way. Every Job the program awaits gets both.
 */
import type * as pulumi from "@pulumi/pulumi";

/**
 * Pulumi's own wait for a Job without customTimeouts, in seconds: @pulumi/kubernetes 4.34.2 `batch/v1/job.d.ts` ("If
 * the Job has not reached a Ready state after 10 minutes, it will time out"), `provider/pkg/await` `DefaultJobTimeoutMins = 10`.
 */
export const PULUMI_DEFAULT_JOB_WAIT_SECONDS = 600;

/** Pulumi's wait on create and update: the Job's deadline plus 5 minutes to schedule the pod and report. */
export function jobAwaitTimeouts(activeDeadlineSeconds: number): pulumi.CustomTimeouts {
    const minutes = `${Math.ceil((activeDeadlineSeconds + 300) / 60)}m`;
    return { create: minutes, update: minutes };
}
