/**
 * The DR restore's gate: a Job, awaited by Pulumi, that makes LINSTOR download exactly the chosen backup into the DR
 * cluster (download_only, into the origin resource name, as linstor-csi does) BEFORE the VolumeSnapshotContent and
 * the claim exist, so linstor-csi's restore then finds the snapshot local and ready and only restores a resource from
 * it. Fails closed: a download that fails, a backup LINSTOR does not list, no satellite to download on, or the
 * deadline fails the Job, and `pulumi up` stops before the claim is created.
 *
 * Why: linstor-csi v1.11.3 downloads in CreateVolume (pkg/client/linstor.go VolFromSnap → reconcileSnapshot: one
 * `Backup.Restore` per node, then waitLocalSnapshotSuccessful polls every 5 s), inside csi-provisioner's CreateVolume
 * deadline (`--timeout=1m`, piraeus-operator pkg/resources/cluster/csi-controller/csi-controller-deployment.yaml).
 * Any refusal (FAIL_IN_USE while the standby's download step or a restore check downloads an older link into the same
 * resource definition, downloadPod.ts) and every minute of a download outliving that deadline fail CreateVolume, and
 * csi-provisioner retries the claim with per-item exponential back-off (`--retry-interval-start` 1 s doubling up to
 * `--retry-interval-max` 5 min; kubernetes-csi/external-provisioner cmd/csi-provisioner/csi-provisioner.go), so the
 * claim may be provisioned minutes after the data arrived. The gate waits by state every RESTORE_GATE_POLL_SECONDS and
 * asks as soon as nothing else downloads into the resource definition, and writes what its own request downloaded as
 * its termination message (downloadPod.ts report) for the DR drill's measurement (stacks/ops/restoreMeasure.ts).
 *
 * Pulumi waits for a Job until `.status.conditions` has Complete, and fails at Failed (@pulumi/kubernetes 4.34.2
 * batch/v1/job.d.ts; provider/pkg/await/job.go and await/checker/job/check.go), for 10 minutes unless customTimeouts
 * say more: the Job gets its deadline plus 5 minutes (shared/jobs.ts). No ttlSecondsAfterFinished: Pulumi would create
 * a deleted Job again on the next `up` and download again. `pulumi.com/replaceUnready` makes the next `up` replace a
 * gate that failed (provider.go Diff: a Job that is not Complete is replaced) instead of waiting for it again. The DR
 * stack declares the gate only while the restore is new (stacks/dr.ts).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { dependencies } from "../shared/componentOptions";
import { jobAwaitTimeouts } from "../shared/jobs";
import { check, type KeyOf } from "../shared/validation";
import { checkLinstorBackupJobArgs, downloadPodTemplate, PICK_WANTED } from "./downloadPod";
import { RESTORE_GATE_LABEL, RESTORE_GATE_POLL_SECONDS, type RestoreSize, restoreSeconds } from "./restoreTiming";

export { RESTORE_GATE_LABEL };

/** Pod scheduling, image pulls and the list container's retries of a controller that is starting (10 × 10 s). */
export const RESTORE_GATE_START_SECONDS = 300;

export interface RestoreGateArgs {
    /** Namespace of LINSTOR: the Job runs next to the controller it asks. */
    readonly linstorNamespace: string;
    /** The LINSTOR S3 remote of the bucket. */
    readonly remoteName: string;
    /**
     * The chosen backup: LINSTOR's id, its origin resource and snapshot, its chain's size (for the deadline) and, when
     * known, each link's bytes by snapshot name (the gate's report of what it downloaded, restoreMeasure.ts).
     */
    readonly backup: RestoreSize & {
        readonly id: string;
        readonly resource: string;
        readonly snapshot: string;
        readonly links?: readonly { readonly snapshot: string; readonly bytes: number }[];
    };
    /** The backup's name key (stacks/drChoice.ts restoreNames): the Job's name and label carry it. */
    readonly key: string;
    /** Pinned image with bash and jq. */
    readonly image: string;
    /** Pinned image with curl and sh. */
    readonly curlImage: string;
    /** The slowest download rate to allow for (config `restoreThroughputMiBps`); default restoreTiming's. */
    readonly throughputMiBps?: number;
}

export function validateRestoreGateArgs(a: RestoreGateArgs, key: KeyOf = (f) => `RestoreGate.${f}`): void {
    checkLinstorBackupJobArgs(key, a, "it needs bash and jq");
    check(key, "key").dnsLabel(a.key, { maxLength: 63 - "restore-gate-".length });
    const name = /^[A-Za-z0-9_.^-]+$/;
    check(key, "backup.id").matches(a.backup.id, name, "Use a LINSTOR backup id (<rsc>_back_<time>[^<snapshot>]).");
    check(key, "backup.resource").matches(a.backup.resource, name, "Use a LINSTOR resource name.");
    check(key, "backup.snapshot").matches(a.backup.snapshot, name, "Use a LINSTOR snapshot name.");
    for (const l of a.backup.links ?? []) {
        check(key, "backup.links").matches(l.snapshot, name, "Use LINSTOR snapshot names.");
        check(key, "backup.links").integer(l.bytes, { min: 0, max: Number.MAX_SAFE_INTEGER }, "(bytes)");
    }
}

/** The Job's name for a backup key: a new choice is a new Job. */
export function restoreGateName(key: string): string {
    return `restore-gate-${key}`;
}

/** The gate's hard deadline: the chain's download as restoreTiming.ts allows for it, plus the pod's start. */
export function restoreGateDeadlineSeconds(a: Pick<RestoreGateArgs, "backup" | "throughputMiBps">): number {
    return restoreSeconds(a.backup, a.throughputMiBps) + RESTORE_GATE_START_SECONDS;
}

/** metadata and spec of the batch/v1 Job. */
export function restoreGateJob(a: RestoreGateArgs) {
    const deadline = restoreGateDeadlineSeconds(a);
    const labels = { [RESTORE_GATE_LABEL]: a.key };
    return {
        metadata: {
            name: restoreGateName(a.key),
            namespace: a.linstorNamespace,
            labels,
            annotations: { "pulumi.com/replaceUnready": "true" },
        },
        spec: {
            // One more pod (with a fresh node list) for a transient failure; the deadline bounds both.
            backoffLimit: 1,
            activeDeadlineSeconds: deadline,
            template: downloadPodTemplate({
                linstorNamespace: a.linstorNamespace,
                remoteName: a.remoteName,
                image: a.image,
                curlImage: a.curlImage,
                pick: PICK_WANTED,
                pickEnv: [{ name: "BACKUP_ID", value: a.backup.id }],
                // Only the chosen backup's meta is read (CtrlBackupApiCallHandler.listBackups, downloadPod.ts).
                listQuery: `?rsc_name=${a.backup.resource}&snap_name=${a.backup.snapshot}`,
                ...(a.backup.links?.length ? { linkBytes: a.backup.links.map((l) => `${l.snapshot}=${l.bytes}`).join(" ") } : {}),
                pollSeconds: RESTORE_GATE_POLL_SECONDS,
                // Waiting for another restore into the resource definition is bounded by the deadline, not by a count.
                postAttempts: Math.ceil(deadline / RESTORE_GATE_POLL_SECONDS),
                labels,
            }),
        },
    };
}

/**
 * The gate's Job. The Kubernetes provider comes in `opts`; `dependsOn` (the LINSTOR remote) holds the Job back; make
 * the restore's content and claim depend on `job`.
 */
export class RestoreGate extends pulumi.ComponentResource {
    readonly job: k8s.batch.v1.Job;
    readonly jobName: string;

    constructor(name: string, args: RestoreGateArgs, opts?: pulumi.ComponentResourceOptions) {
        validateRestoreGateArgs(args);
        super("ha-jenkins-eks:index:RestoreGate", name, {}, opts);
        const job = restoreGateJob(args);
        this.jobName = job.metadata.name;
        this.job = new k8s.batch.v1.Job(`${name}-job`, job, {
            parent: this,
            dependsOn: dependencies(opts),
            customTimeouts: jobAwaitTimeouts(job.spec.activeDeadlineSeconds),
        });
        this.registerOutputs({ jobName: this.jobName });
    }
}
