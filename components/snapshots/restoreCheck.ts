/**
 * The warm standby's proof that backups restore, and what keeps its fail-over short: a CronJob in the DR cluster that
 * restores the newest complete backup it has not verified yet into a scratch claim, checks that the claim holds a
 * JENKINS_HOME, records the backup as verified and removes the scratch claim. LINSTOR keeps the downloaded chain, so
 * each run downloads only the backups shipped since the last one, and so does the fail-over's restore (below). A run
 * that cannot find, restore or read a backup fails, and monitoring alerts on it (describeRestoreCheck → DrbdMonitoring
 * `schedules`).
 *
 * Upstream behaviour it relies on:
 * - Which backups exist and whether they restore: LINSTOR's own list, `GET /v1/remotes/{remote}/backups`
 *   (linstor-server v1.33.3 docs/rest_v1_openapi.yaml BackupList: `linstor` map of Backup with `id`, `origin_rsc`,
 *   `origin_snap`, `start_timestamp`, `success`, `shipping`, `restorable`, `vlms`, `based_on_id` = the base's META KEY
 *   with `.meta`, CtrlBackupApiCallHandler.getBackupFromMetadata). A backup counts when it and every base down to the
 *   full one are restorable, as in backupCatalog.ts.
 * - The restore is linstor-csi's: a pre-provisioned VolumeSnapshotContent with the handle `s3://<remote>/<rsc>/<snap>`
 *   (Retain: deleting it never deletes the backup), its VolumeSnapshot and a claim from it. linstor-csi downloads into
 *   a LINSTOR snapshot of the ORIGIN resource name (v1.11.3 pkg/client/linstor.go reconcileSnapshot: Backup.Restore
 *   with DownloadOnly, TargetRscName = the backup's resource), and LINSTOR skips every link of the chain already
 *   downloaded there ("finds the first snapshot that has already been downloaded during a previous restore",
 *   CtrlBackupRestoreApiCallHandler). The shipping class has no `delete-local`, so those snapshots stay: the next run,
 *   and the fail-over's restore of the newest backup, download only what is new.
 * - What stays must not fill the thin pool: each run lists LINSTOR's snapshots and resources and records in its state
 *   every snapshot of an origin resource (one the remote has backups of, with no volume in this cluster) that is not in
 *   the newest complete chain; the next run deletes them first (`DELETE /v1/resource-definitions/{rsc}/snapshots/{snap}`)
 *   unless a restore gate Job (restoreGate.ts, label RESTORE_GATE_LABEL) exists in its namespace: a fail-over to a
 *   pinned, older backup downloads a chain this list calls stale, and nothing on LINSTOR's side marks it as wanted
 *   once it is `Success` (until linstor-csi restored from it). The Job exists from the gate's start until the next
 *   `pulumi up` deletes it; listing Jobs in the LINSTOR namespace (read only, where the check may already create pods)
 *   is the least that tells, while a LINSTOR-side mark would need the gate to write props and someone to clear them.
 * - The scratch claim is mounted read-write, as Jenkins' first mount after a fail-over is: a backup is a crash-
 *   consistent snapshot, and only a read-write mount replays the ext4 journal (linstor-csi v1.11.3 pkg/client/linstor.go
 *   Mount adds `ro,norecovery` to a read-only mount, which would pass a volume whose journal does not replay). The
 *   claim is thrown away; the reading container stays unprivileged and only reads.
 * - The scratch claim's classes all `Retain` (policy); the script switches ITS PersistentVolume to Delete after checking
 *   the PV's claimRef names the scratch claim, so deleting the claim removes the volume and its LINSTOR resource.
 * - LINSTOR's API is HTTPS with a client certificate (LinstorCluster's Jobs' one, linstorCluster/apiTls.ts); only the
 *   curl init container talks to it, the kubectl container talks to Kubernetes.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { apiClientPodParts, controllerApiUrl } from "../linstorCluster/apiTls";
import { dependencies } from "../shared/componentOptions";
import { NONROOT_POD, RESTRICTED_CONTAINER } from "../shared/podSecurity";
import type { ScheduledJob } from "../shared/schedule";
import { check, type KeyOf, maxScheduleGapSeconds } from "../shared/validation";
import { checkLinstorBackupJobArgs, LINK_FUNCTIONS } from "./downloadPod";
import { RESTORE_GATE_LABEL } from "./restoreTiming";
import { SNAPSHOT_API } from "./schedule";

export const RESTORE_CHECK_NAME = "restore-check";
/** ConfigMap the check keeps the last verified backup id in. */
export const RESTORE_CHECK_STATE = "restore-check-state";
export const RESTORE_CHECK_LABEL = "ha-jenkins-eks.io/restore-check";

export interface RestoreCheckArgs {
    /** Namespace of LINSTOR: the check runs next to the controller it asks. */
    readonly linstorNamespace: string;
    /** The LINSTOR S3 remote of the bucket. */
    readonly remoteName: string;
    /** The S3 VolumeSnapshotClass of the remote (no `delete-local`: the downloaded chain stays for the next restore). */
    readonly snapshotClassName: string;
    /** A LINSTOR StorageClass for the scratch claim (the fewest replicas the cluster offers). */
    readonly storageClassName: string;
    /** Size of the scratch claim: at least the backups' volume size, e.g. `50Gi`. */
    readonly size: string;
    /** Five-field cron expression in UTC, e.g. the snapshot schedule's. */
    readonly schedule: string;
    /** Pinned kubectl image with bash and jq (the snapshot schedule's). */
    readonly image: string;
    /** Pinned image with curl and sh, to ask LINSTOR (the ensure-remote Job's). */
    readonly curlImage: string;
    /** Hard limit of one run in seconds: restore + check (restoreTiming.ts). */
    readonly deadlineSeconds: number;
    /**
     * Check only backups of these LINSTOR resources (the Jenkins claim's: LINSTOR's backup list carries no claim, the
     * bucket's metas do, backupCatalog.ts). Empty or unset: the newest backup of any resource in the remote.
     */
    readonly originResources?: readonly string[];
}

export function validateRestoreCheckArgs(a: RestoreCheckArgs, key: KeyOf = (f) => `RestoreCheck.${f}`): void {
    checkLinstorBackupJobArgs(key, a, "it needs bash, jq and kubectl");
    check(key, "snapshotClassName").dnsLabel(a.snapshotClassName);
    check(key, "storageClassName").dnsSubdomain(a.storageClassName);
    check(key, "size").quantity(a.size, { suffixes: ["Gi", "Ti"], whole: true, example: "50Gi" });
    check(key, "schedule").cron(a.schedule);
    check(key, "deadlineSeconds").integer(a.deadlineSeconds, { min: 300, max: 7 * 86400 }, "(seconds)");
}

/**
 * Picks the newest backup whose whole chain is restorable from LINSTOR's list (stdin), one volume (linstor-csi
 * restores no other), of a resource in `$origins` (all when empty), as `id<TAB>origin_rsc<TAB>origin_snap`; nothing
 * when there is none.
 */
export const PICK_NEWEST_RESTORABLE = `(.linstor // {}) as $all
| def base: (.based_on_id // "") | sub("\\\\.meta$"; "");
  def complete($n): .restorable == true and .shipping != true and .success != false and (.vlms // [] | length) == 1
    and (base as $b | $b == "" or ($n < 10000 and ($all[$b] // null) != null and ($all[$b] | complete($n + 1))));
  [$all[] | select(complete(0)) | select(($origins | length) == 0 or (.origin_rsc as $r | $origins | index($r)) != null)]
  | sort_by(.start_timestamp // 0) | last // empty
| [.id, .origin_rsc, .origin_snap] | @tsv`;

/**
 * LINSTOR snapshots to delete (`<rsc>/<snap>` lines), from LINSTOR's backups (`$b`), snapshots (`$s`) and resources
 * (`$r`) and the backup about to be verified (`$id`): every snapshot of an origin resource without a volume here that
 * is not in `$id`'s chain.
 */
export const STALE_SNAPSHOTS = `($b[0].linstor // {}) as $all
| def chain($id; $n): if $n > 10000 or ($all[$id] // null) == null then []
    else [$all[$id]] + chain(($all[$id].based_on_id // "") | sub("\\\\.meta$"; ""); $n + 1) end;
  (chain($id; 0) | map(.origin_rsc + "/" + .origin_snap)) as $keep
| ([$all[] | .origin_rsc] | unique) as $origins
| ([$r[0][] | .name] | unique) as $live
| $s[0][] | select(.resource_name as $n | ($origins | index($n)) != null and ($live | index($n)) == null)
| (.resource_name + "/" + .name) | select(. as $k | ($keep | index($k)) == null)`;

/** The check: pick, note stale snapshots, skip if verified, restore into a scratch claim, read it, record, clean up. */
export const RESTORE_CHECK_SCRIPT = `set -euo pipefail
log() { printf '%s %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
pick="$(jq -r --argjson origins "\${ORIGINS:-[]}" "\${PICK:?}" /work/backups.json)"
if [ -z "\${pick}" ]; then log "FAIL: remote \${REMOTE} lists no restorable backup of \${ORIGINS:-any resource}"; exit 1; fi
IFS=$'\\t' read -r id rsc snap <<<"\${pick}"
stale="$(jq -nr --arg id "\${id}" --slurpfile b /work/backups.json --slurpfile s /work/snapshots.json \\
  --slurpfile r /work/resources.json "\${STALE:?}")"
[ -z "\${stale}" ] || log "snapshots outside the newest chain, deleted by the next run: \${stale//$'\\n'/ }"
kubectl -n "\${NAMESPACE}" patch configmap "\${STATE}" --type merge -p "$(jq -nc --arg p "\${stale}" '{data: {prune: $p}}')"
last="$(kubectl -n "\${NAMESPACE}" get configmap "\${STATE}" -o jsonpath='{.data.lastVerified}')"
if [ "\${last}" = "\${id}" ]; then log "newest backup \${id} was verified already"; exit 0; fi
name="\${PREFIX}-$(printf '%s' "\${id}" | sha256sum | cut -c1-12)"
handle="s3://\${REMOTE}/\${rsc}/\${snap}"
cleanup() {
  kubectl -n "\${NAMESPACE}" delete pod "\${name}" --ignore-not-found --wait=true --timeout=300s || true
  pv="$(kubectl -n "\${NAMESPACE}" get pvc "\${name}" -o jsonpath='{.spec.volumeName}' 2>/dev/null || true)"
  if [ -n "\${pv}" ]; then
    ref="$(kubectl get pv "\${pv}" -o jsonpath='{.spec.claimRef.namespace}/{.spec.claimRef.name}' || true)"
    if [ "\${ref}" = "\${NAMESPACE}/\${name}" ]; then
      kubectl patch pv "\${pv}" --type merge -p '{"spec":{"persistentVolumeReclaimPolicy":"Delete"}}' || true
    else log "not deleting PV \${pv}: its claimRef is '\${ref}'"; fi
  fi
  kubectl -n "\${NAMESPACE}" delete pvc "\${name}" --ignore-not-found --wait=false || true
  kubectl -n "\${NAMESPACE}" delete volumesnapshot "\${name}" --ignore-not-found --wait=false || true
  kubectl delete volumesnapshotcontent "\${name}" --ignore-not-found --wait=false || true
}
trap cleanup EXIT
log "restoring backup \${id} (\${handle}) into \${NAMESPACE}/\${name}"
kubectl create -f - <<EOF
apiVersion: ${SNAPSHOT_API}
kind: VolumeSnapshotContent
metadata: {name: \${name}, labels: {${RESTORE_CHECK_LABEL}: "true"}}
spec:
  deletionPolicy: Retain
  driver: linstor.csi.linbit.com
  source: {snapshotHandle: "\${handle}"}
  volumeSnapshotClassName: \${SNAPSHOT_CLASS}
  volumeSnapshotRef: {name: \${name}, namespace: \${NAMESPACE}}
---
apiVersion: ${SNAPSHOT_API}
kind: VolumeSnapshot
metadata: {name: \${name}, namespace: \${NAMESPACE}, labels: {${RESTORE_CHECK_LABEL}: "true"}}
spec:
  volumeSnapshotClassName: \${SNAPSHOT_CLASS}
  source: {volumeSnapshotContentName: \${name}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: \${name}, namespace: \${NAMESPACE}, labels: {${RESTORE_CHECK_LABEL}: "true"}}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: \${STORAGE_CLASS}
  resources: {requests: {storage: \${SIZE}}}
  dataSource: {apiGroup: snapshot.storage.k8s.io, kind: VolumeSnapshot, name: \${name}}
---
apiVersion: v1
kind: Pod
metadata: {name: \${name}, namespace: \${NAMESPACE}, labels: {${RESTORE_CHECK_LABEL}: "true"}}
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: read
      image: \${IMAGE}
      command: [/bin/bash, -c, 'test -s /restored/config.xml && du -sh /restored && ls /restored']
      securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
      resources: {requests: {cpu: 10m, memory: 32Mi}, limits: {memory: 128Mi}}
      volumeMounts: [{name: restored, mountPath: /restored}]
  volumes: [{name: restored, persistentVolumeClaim: {claimName: \${name}}}]
EOF
phase=""
while :; do
  phase="$(kubectl -n "\${NAMESPACE}" get pod "\${name}" -o jsonpath='{.status.phase}')"
  case "\${phase}" in Succeeded|Failed) break ;; esac
  sleep "\${POLL_SECONDS}"
done
kubectl -n "\${NAMESPACE}" logs "\${name}" || true
if [ "\${phase}" != "Succeeded" ]; then
  log "FAIL: backup \${id} restored but its volume holds no JENKINS_HOME (no config.xml)"; exit 1
fi
kubectl -n "\${NAMESPACE}" patch configmap "\${STATE}" --type merge -p "$(jq -nc --arg id "\${id}" '{data: {lastVerified: $id}}')"
log "OK: backup \${id} restores and holds a JENKINS_HOME"
`;

/**
 * Talks to LINSTOR (HTTPS with the client certificate of LinstorCluster's Jobs, like the ensure-remote Job): deletes
 * the snapshots the last run found stale (/state/prune, `<rsc>/<snap>` per line, names checked), then every link
 * received on or after an Aborted/Failed one (the download step's clean-up, downloadPod.ts LINK_FUNCTIONS: linstor-csi
 * v1.11.3 reconcileSnapshot asks LINSTOR as is, whose walk would build on such a link; failing the run if one stays),
 * then saves the remote's backups, the snapshots and the resources for the check (retrying while the controller starts).
 */
export const LINSTOR_STEP_SCRIPT = `set -eu
log() { printf '%s %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
${LINK_FUNCTIONS}api() { curl --proto =https --cacert "\${LINSTOR_CA}" --cert "\${LINSTOR_CLIENT_CERT}" --key "\${LINSTOR_CLIENT_KEY}" -fsS "$@"; }
sa=/var/run/secrets/kubernetes.io/serviceaccount
# A fail-over's restore gate (a Job from its start until the next 'pulumi up' deletes it) may be using a chain this list
# calls stale: no pruning while one exists, nor when the Jobs cannot be listed.
if [ -s /state/prune ] && ! curl --proto =https --cacert "\${sa}/ca.crt" -H "Authorization: Bearer $(cat "\${sa}/token" 2>/dev/null || true)" \\
  -fsS -o /work/gates.json "https://kubernetes.default.svc/apis/batch/v1/namespaces/\${NAMESPACE}/jobs?labelSelector=\${GATE_LABEL}"; then
  echo "not pruning: the restore gate Jobs could not be listed"; : > /work/noprune
elif [ -s /state/prune ] && ! grep -q '"items": *\\[\\]' /work/gates.json; then
  echo "not pruning: a restore gate Job exists in \${NAMESPACE}"; : > /work/noprune
fi
if [ -s /state/prune ] && [ ! -e /work/noprune ]; then
  while IFS=/ read -r rsc snap || [ -n "\${rsc}" ]; do
    [ -n "\${rsc}\${snap}" ] || continue
    case "\${rsc}" in ""|*[!A-Za-z0-9_-]*) echo "skipping bad entry '\${rsc}/\${snap}'"; continue ;; esac
    case "\${snap}" in ""|*[!A-Za-z0-9_-]*) echo "skipping bad entry '\${rsc}/\${snap}'"; continue ;; esac
    echo "deleting stale snapshot \${rsc}/\${snap}"
    api -X DELETE "\${LINSTOR_API}/v1/resource-definitions/\${rsc}/snapshots/\${snap}" >/dev/null || echo "could not delete \${rsc}/\${snap}"
  done < /state/prune
fi
get() { api --retry 10 --retry-delay 10 --retry-all-errors "\${LINSTOR_API}$1" -o "$2"; }
# linstor-csi's restore below cleans nothing first and LINSTOR's chain walk stops at any snapshot here: the links
# received from an Aborted/Failed one on go first, newest first (downloadPod.ts LINK_FUNCTIONS doomed), or no restore.
get /v1/view/snapshots /work/snapshots.json
snapshot_lines /work/snapshots.json > /work/links
doomed /work/links > /work/dead
if ! delete_links /work/dead; then log "FAIL: a link received on or after an unfinished one stays; not restoring on it"; exit 1; fi
get "/v1/remotes/\${REMOTE}/backups" /work/backups.json
get /v1/view/snapshots /work/snapshots.json
get /v1/view/resources /work/resources.json
`;

/** Namespaced rules: what the script creates, reads and deletes next to LINSTOR. */
export const RESTORE_CHECK_ROLE_RULES = [
    { apiGroups: [""], resources: ["pods", "persistentvolumeclaims"], verbs: ["create", "get", "delete"] },
    { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
    { apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshots"], verbs: ["create", "get", "delete"] },
    { apiGroups: [""], resources: ["configmaps"], resourceNames: [RESTORE_CHECK_STATE], verbs: ["get", "patch"] },
    // Whether a restore gate runs (no pruning then): its name carries the backup's key, so resourceNames cannot name it.
    { apiGroups: ["batch"], resources: ["jobs"], verbs: ["list"] },
];
/** Cluster rules: the pre-provisioned content, and the scratch PV's reclaim policy. */
export const RESTORE_CHECK_CLUSTER_RULES = [
    { apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshotcontents"], verbs: ["create", "get", "delete"] },
    { apiGroups: [""], resources: ["persistentvolumes"], verbs: ["get", "patch"] },
];

/** spec of the batch/v1 CronJob. One run at a time, no retry: a failed run is what monitoring alerts on. */
export function restoreCheckCronJobSpec(a: RestoreCheckArgs, serviceAccountName: string) {
    const client = apiClientPodParts();
    const env: Record<string, string> = {
        NAMESPACE: a.linstorNamespace,
        REMOTE: a.remoteName,
        SNAPSHOT_CLASS: a.snapshotClassName,
        STORAGE_CLASS: a.storageClassName,
        SIZE: a.size,
        IMAGE: a.image,
        STATE: RESTORE_CHECK_STATE,
        PREFIX: RESTORE_CHECK_NAME,
        PICK: PICK_NEWEST_RESTORABLE,
        ORIGINS: JSON.stringify(a.originResources ?? []),
        STALE: STALE_SNAPSHOTS,
        POLL_SECONDS: "15",
        HOME: "/tmp",
    };
    const labels = { [RESTORE_CHECK_LABEL]: "true" };
    // The LINSTOR controller's NetworkPolicy admits the API client label.
    const podLabels = { ...labels, ...client.labels };
    return {
        schedule: a.schedule,
        timeZone: "Etc/UTC",
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
            metadata: { labels },
            spec: {
                backoffLimit: 0,
                activeDeadlineSeconds: a.deadlineSeconds,
                template: {
                    metadata: { labels: podLabels },
                    spec: {
                        serviceAccountName,
                        restartPolicy: "Never",
                        securityContext: NONROOT_POD,
                        initContainers: [
                            {
                                name: "linstor",
                                image: a.curlImage,
                                command: ["/bin/sh", "-c", LINSTOR_STEP_SCRIPT],
                                env: [
                                    { name: "LINSTOR_API", value: controllerApiUrl(a.linstorNamespace) },
                                    ...client.env,
                                    { name: "REMOTE", value: a.remoteName },
                                    { name: "NAMESPACE", value: a.linstorNamespace },
                                    { name: "GATE_LABEL", value: RESTORE_GATE_LABEL },
                                    { name: "WORK", value: "/work" },
                                ],
                                securityContext: RESTRICTED_CONTAINER,
                                resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
                                volumeMounts: [
                                    { name: "work", mountPath: "/work" },
                                    { name: "state", mountPath: "/state", readOnly: true },
                                    client.volumeMount,
                                ],
                            },
                        ],
                        containers: [
                            {
                                name: "check",
                                image: a.image,
                                command: ["/bin/bash", "-c", RESTORE_CHECK_SCRIPT],
                                env: Object.entries(env).map(([name, value]) => ({ name, value })),
                                securityContext: RESTRICTED_CONTAINER,
                                resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                                volumeMounts: [
                                    { name: "work", mountPath: "/work" },
                                    { name: "tmp", mountPath: "/tmp" },
                                ],
                            },
                        ],
                        volumes: [
                            { name: "work", emptyDir: { sizeLimit: "16Mi" } },
                            { name: "tmp", emptyDir: { sizeLimit: "32Mi" } },
                            { name: "state", configMap: { name: RESTORE_CHECK_STATE, optional: true } },
                            client.volume,
                        ],
                    },
                },
            },
        },
    };
}

/**
 * The slack of the "not succeeding" alert: one interval, at most the deadline. With it the alert fires once the last
 * success is older than three intervals, i.e. after two consecutive runs failed (or never finished) whatever the phase
 * of the failure within its hour. A healthy run longer than an interval (the first one, downloading a whole chain) can
 * raise it once: the runbook says so.
 */
export function restoreCheckSlackSeconds(a: Pick<RestoreCheckArgs, "schedule" | "deadlineSeconds">): number {
    return Math.min(a.deadlineSeconds, maxScheduleGapSeconds(a.schedule) as number);
}

/** How the check describes itself to monitoring: the CronJob's last success must be recent (restoreCheckSlackSeconds). */
export function describeRestoreCheck(a: Pick<RestoreCheckArgs, "linstorNamespace" | "schedule" | "deadlineSeconds">): ScheduledJob {
    return {
        namespace: a.linstorNamespace,
        name: RESTORE_CHECK_NAME,
        intervalSeconds: maxScheduleGapSeconds(a.schedule) as number,
        slackSeconds: restoreCheckSlackSeconds(a),
        // One failed run is no page (a transient S3 or API error, retried by the next run): the alert waits for two.
        alertOnFailedRun: false,
        purpose: "Restore check of the newest backup (warm standby)",
    };
}

/**
 * The check's CronJob, its state ConfigMap and least-privilege identity (TypeScript only, like SnapshotRestore). The
 * Kubernetes provider comes in `opts`; `dependsOn` (the snapshot class, the LINSTOR remote) holds the CronJob back.
 */
export class RestoreCheck extends pulumi.ComponentResource {
    readonly cronJobName = RESTORE_CHECK_NAME;
    /** Hand this to DrbdMonitoring `schedules`. */
    readonly watchedSchedule: ScheduledJob;

    constructor(name: string, args: RestoreCheckArgs, opts?: pulumi.ComponentResourceOptions) {
        validateRestoreCheckArgs(args);
        super("ha-jenkins-eks:index:RestoreCheck", name, {}, opts);
        const parent = { parent: this };
        const ns = args.linstorNamespace;
        const metadata = { name: RESTORE_CHECK_NAME, namespace: ns, labels: { [RESTORE_CHECK_LABEL]: "true" } };
        const account = new k8s.core.v1.ServiceAccount(`${name}-account`, { metadata }, parent);
        const role = new k8s.rbac.v1.Role(`${name}-role`, { metadata, rules: RESTORE_CHECK_ROLE_RULES }, parent);
        const subjects = [{ kind: "ServiceAccount", name: RESTORE_CHECK_NAME, namespace: ns }];
        const binding = new k8s.rbac.v1.RoleBinding(
            `${name}-role`,
            { metadata, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: RESTORE_CHECK_NAME }, subjects },
            { ...parent, dependsOn: [role, account] },
        );
        const clusterName = `${RESTORE_CHECK_NAME}-${ns}`.slice(0, 63);
        const clusterRole = new k8s.rbac.v1.ClusterRole(
            `${name}-cluster-role`,
            { metadata: { name: clusterName }, rules: RESTORE_CHECK_CLUSTER_RULES },
            parent,
        );
        const clusterBinding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-cluster-role`,
            { metadata: { name: clusterName }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterName }, subjects },
            { ...parent, dependsOn: [clusterRole, account] },
        );
        // The script records what it verified and what to prune; Pulumi only creates the map and never resets it.
        const state = new k8s.core.v1.ConfigMap(
            `${name}-state`,
            { metadata: { ...metadata, name: RESTORE_CHECK_STATE }, data: { lastVerified: "", prune: "" } },
            { ...parent, ignoreChanges: ["data"] },
        );
        new k8s.batch.v1.CronJob(
            `${name}-cronjob`,
            { metadata, spec: restoreCheckCronJobSpec(args, RESTORE_CHECK_NAME) },
            { ...parent, dependsOn: [binding, clusterBinding, state, ...dependencies(opts)] },
        );
        this.watchedSchedule = describeRestoreCheck(args);
        this.registerOutputs({ cronJobName: this.cronJobName });
    }
}
