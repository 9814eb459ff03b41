/**
 * The warm standby's download step: a CronJob in the DR cluster that, at the backups' cadence, makes LINSTOR fetch the
 * newest complete backup of the Jenkins claim into the DR cluster WITHOUT a claim, a resource or a pod, so a fail-over's
 * restore of the newest backup downloads only what arrived since the last run. The hourly restore check
 * (restoreCheck.ts) still proves a backup mounts; this step only keeps the chain local.
 *
 * Upstream behaviour it relies on (linstor-server v1.33.3):
 * - `POST /v1/remotes/{remote}/backups/restore` with BackupRestore `{last_backup, target_rsc_name, node_name,
 *   download_only: true}` (docs/rest_v1_openapi.yaml BackupRestore: `target_rsc_name` and `node_name` required;
 *   rest/v1/Backups.java restoreBackup answers 201 CREATED). CtrlBackupRestoreApiCallHandler.restoreBackupInTransaction:
 *   the node must be connected (FAIL_NOT_CONNECTED); the meta must exist (FAIL_INVLD_BACKUP_CONFIG); a restore of the
 *   same meta (FAIL_IN_USE "currently being used in a restore") or any restore into the same resource definition
 *   (createSnapshotByS3Meta FAIL_IN_USE "A backup is currently being restored to resource definition") is refused;
 *   the chain is followed through `basedOn` and cut at the first link already downloaded into the target resource
 *   definition ("finds the first snapshot that has already been downloaded during a previous restore"), and when
 *   nothing is left it answers FAIL_EXISTS_SNAPSHOT ("has already been downloaded to this cluster"). With
 *   `download_only` no resource is created (no `OnSuccess` restore prop). Every failure is HTTP 500
 *   (ApiCallRcRestUtils: codes outside 300–399 and the access-denied ranges).
 * - The downloaded snapshot is named as on the origin (`<origin rsc>/<origin snap>`) and its snapshot definition carries
 *   `BackupShipping/Target/ShippingStatus` = `Shipping` until the satellite reports, then `Success`; a failed link
 *   deletes it and every later one of the chain (shippingReceivedInTransaction). linstor-csi v1.11.3 judges a received
 *   snapshot ready the same way (pkg/client/linstor.go GetSnapshotRemoteAndReadiness) and downloads into the same names
 *   (reconcileSnapshot: `TargetRscName: info.Rsc`, `DownloadOnly`), so the fail-over's and the check's restores find
 *   these links and download nothing twice.
 * - The target is the origin resource name, as linstor-csi uses; LINSTOR keeps those snapshots (nothing here deletes
 *   them; the restore check prunes those outside the newest chain).
 * The script asks by state, not by error code: after any refused POST it reads the snapshot, so "already downloaded"
 * and "someone else is downloading it" (the check's or a fail-over's linstor-csi restore) end as a wait or a success.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { apiClientPodParts, controllerApiUrl } from "../linstorCluster/apiTls";
import { dependencies } from "../shared/componentOptions";
import { NONROOT_POD, RESTRICTED_CONTAINER } from "../shared/podSecurity";
import type { ScheduledJob } from "../shared/schedule";
import { check, type KeyOf, maxScheduleGapSeconds } from "../shared/validation";
import { PICK_NEWEST_RESTORABLE } from "./restoreCheck";

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
    check(key, "linstorNamespace").dnsLabel(a.linstorNamespace);
    check(key, "remoteName").dnsLabel(a.remoteName);
    check(key, "schedule").cron(a.schedule);
    check(key, "image").pinnedImage(a.image, "it needs bash and jq");
    check(key, "curlImage").pinnedImage(a.curlImage, "it needs curl and a POSIX shell");
    check(key, "deadlineSeconds").integer(a.deadlineSeconds, { min: 300, max: 7 * 86400 }, "(seconds)");
    check(key, "slackSeconds").integer(a.slackSeconds, { min: 0, max: 7 * 86400 }, "(seconds)");
    for (const r of a.originResources ?? []) check(key, "originResources").matches(r, /^[A-Za-z0-9_-]{1,48}$/, "Use LINSTOR resource names.");
}

/** Init container 1 (curl): LINSTOR's backups of the remote and its nodes (retrying while the controller starts). */
export const DOWNLOAD_LIST_SCRIPT = `set -eu
get() { curl --proto =https --cacert "\${LINSTOR_CA}" --cert "\${LINSTOR_CLIENT_CERT}" --key "\${LINSTOR_CLIENT_KEY}" -fsS \\
  --retry "\${CONNECT_RETRIES:-10}" --retry-delay 10 --retry-all-errors "\${LINSTOR_API}$1" -o "$2"; }
get "/v1/remotes/\${REMOTE}/backups" "\${WORK}/backups.json"
get /v1/nodes "\${WORK}/nodes.json"
`;

/**
 * Init container 2 (jq): the newest backup whose whole chain is restorable (the restore check's PICK_NEWEST_RESTORABLE,
 * so both agree) as `id<TAB>rsc<TAB>snap` in pick, and the connected satellites without flags (no evicted or deleted
 * node) in nodes, one a line: LINSTOR needs a node to download on (and moves to the one holding the chain itself).
 */
export const DOWNLOAD_PICK_SCRIPT = `set -euo pipefail
pick="$(jq -r --argjson origins "\${ORIGINS:-[]}" "\${PICK:?}" "\${WORK}/backups.json")"
if [ -z "\${pick}" ]; then echo "FAIL: remote \${REMOTE} lists no restorable backup of \${ORIGINS:-any resource}"; exit 1; fi
printf '%s\\n' "\${pick}" > "\${WORK}/pick"
jq -r '[.[] | select(.type == "SATELLITE" and .connection_status == "ONLINE" and ((.flags // []) | length) == 0) | .name]
  | sort | .[]' "\${WORK}/nodes.json" > "\${WORK}/nodes"
if [ ! -s "\${WORK}/nodes" ]; then echo "FAIL: no connected satellite to download on"; exit 1; fi
`;

/**
 * The download (curl): done when the picked backup's snapshot is `Success`; else asks LINSTOR to download it
 * (download_only, into the origin resource name, one node after another as linstor-csi does) and waits. A refused
 * request is read back through the snapshot: present and `Shipping` (another restore fetches it) is waited for, absent
 * is asked again up to POST_ATTEMPTS times. A download this run started that ends `Failed` or vanishes (LINSTOR removes
 * a failed chain) fails the run: monitoring alerts (describeRestoreDownload).
 */
export const DOWNLOAD_SCRIPT = `set -eu
log() { printf '%s %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
api() { curl --proto =https --cacert "\${LINSTOR_CA}" --cert "\${LINSTOR_CLIENT_CERT}" --key "\${LINSTOR_CLIENT_KEY}" -sS "$@"; }
tab="$(printf '\\t')"
IFS="\${tab}" read -r id rsc snap < "\${WORK}/pick"
for v in "\${id}" "\${rsc}" "\${snap}"; do
  case "\${v}" in ""|*[!A-Za-z0-9_.^-]*) log "FAIL: unexpected backup name '\${v}'"; exit 1 ;; esac
done
# The snapshot's receive state: Success, Shipping, Failed, "present" (no receive props) or "absent".
status() {
  code="$(api -o "\${WORK}/snapshot.json" -w '%{http_code}' "\${LINSTOR_API}/v1/resource-definitions/\${rsc}/snapshots/\${snap}" || echo 000)"
  case "\${code}" in
    200) s="$(grep -o '"BackupShipping/Target/ShippingStatus":"[A-Za-z]*"' "\${WORK}/snapshot.json" | head -n 1 | cut -d '"' -f 4 || true)"
         echo "\${s:-present}" ;;
    404) echo absent ;;
    *) echo "unknown (HTTP \${code})" ;;
  esac
}
started=""
attempts=0
while :; do
  state="$(status)"
  case "\${state}" in
    Success|present) log "OK: backup \${id} is downloaded (\${rsc}/\${snap})"; exit 0 ;;
    Shipping) log "backup \${id} is being downloaded"; sleep "\${POLL_SECONDS}"; continue ;;
    Failed) log "FAIL: the download of backup \${id} failed"; exit 1 ;;
    absent)
      if [ -n "\${started}" ]; then log "FAIL: the download of backup \${id} failed (LINSTOR removed it)"; exit 1; fi ;;
    *) log "LINSTOR did not answer for \${rsc}/\${snap}: \${state}" ;;
  esac
  attempts=$((attempts + 1))
  if [ "\${attempts}" -gt "\${POST_ATTEMPTS}" ]; then log "FAIL: LINSTOR did not download backup \${id}"; exit 1; fi
  while read -r node; do
    case "\${node}" in ""|*[!A-Za-z0-9_.-]*) continue ;; esac
    body="$(printf '{"last_backup":"%s","target_rsc_name":"%s","node_name":"%s","download_only":true}' "\${id}" "\${rsc}" "\${node}")"
    code="$(api -o "\${WORK}/answer.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data "\${body}" \\
      "\${LINSTOR_API}/v1/remotes/\${REMOTE}/backups/restore" || echo 000)"
    if [ "\${code}" = 201 ]; then started="\${node}"; log "downloading backup \${id} on \${node}"; break; fi
    log "LINSTOR refused the download on \${node} (HTTP \${code}): $(head -c 600 "\${WORK}/answer.json" 2>/dev/null || true)"
  done < "\${WORK}/nodes"
  [ -n "\${started}" ] || sleep "\${POLL_SECONDS}"
done
`;

/** spec of the batch/v1 CronJob. One run at a time (a full's download outlasts an interval), no retry. */
export function restoreDownloadCronJobSpec(a: RestoreDownloadArgs) {
    const client = apiClientPodParts();
    const linstorEnv = [
        { name: "LINSTOR_API", value: controllerApiUrl(a.linstorNamespace) },
        ...client.env,
        { name: "REMOTE", value: a.remoteName },
        { name: "WORK", value: "/work" },
    ];
    const labels = { [RESTORE_DOWNLOAD_LABEL]: "true" };
    const resources = { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } };
    const work = { name: "work", mountPath: "/work" };
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
                template: {
                    // The LINSTOR controller's NetworkPolicy admits the API client label.
                    metadata: { labels: { ...labels, ...client.labels } },
                    spec: {
                        // It talks to LINSTOR only, never to Kubernetes.
                        serviceAccountName: RESTORE_DOWNLOAD_NAME,
                        automountServiceAccountToken: false,
                        restartPolicy: "Never",
                        securityContext: NONROOT_POD,
                        initContainers: [
                            {
                                name: "list",
                                image: a.curlImage,
                                command: ["/bin/sh", "-c", DOWNLOAD_LIST_SCRIPT],
                                env: linstorEnv,
                                securityContext: RESTRICTED_CONTAINER,
                                resources,
                                volumeMounts: [work, client.volumeMount],
                            },
                            {
                                name: "pick",
                                image: a.image,
                                command: ["/bin/bash", "-c", DOWNLOAD_PICK_SCRIPT],
                                env: [
                                    { name: "WORK", value: "/work" },
                                    { name: "REMOTE", value: a.remoteName },
                                    { name: "PICK", value: PICK_NEWEST_RESTORABLE },
                                    { name: "ORIGINS", value: JSON.stringify(a.originResources ?? []) },
                                ],
                                securityContext: RESTRICTED_CONTAINER,
                                resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                                volumeMounts: [work],
                            },
                        ],
                        containers: [
                            {
                                name: "download",
                                image: a.curlImage,
                                command: ["/bin/sh", "-c", DOWNLOAD_SCRIPT],
                                env: [...linstorEnv, { name: "POLL_SECONDS", value: "10" }, { name: "POST_ATTEMPTS", value: "30" }],
                                securityContext: RESTRICTED_CONTAINER,
                                resources,
                                volumeMounts: [work, client.volumeMount],
                            },
                        ],
                        volumes: [{ name: "work", emptyDir: { sizeLimit: "16Mi" } }, client.volume],
                    },
                },
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
