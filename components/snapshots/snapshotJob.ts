/**
 * The snapshot schedule's CronJob: its script (take a full or an incremental snapshot, wait until it is shipped, prune
 * by age), the jq program that chooses what to prune, the CronJob spec and the RBAC rules the script needs. Pure
 * builders, tested without mocks; the script and the selection run for real against fakes in the tests.
 */
import type { types } from "@pulumi/kubernetes";
import { SCHEDULE_LABEL, SCHEDULE_NAME, SNAPSHOT_API, SNAPSHOT_KIND_LABEL, SNAPSHOT_NAME_PREFIX } from "./schedule";

const DELETION_SECRET = "snapshot.storage.kubernetes.io/deletion-secret";

/**
 * Which scheduled VolumeSnapshots to delete (jq 1.6+; names printed newest first). Input: the `kubectl get
 * volumesnapshot -o json` list of the schedule; variables `$now` (epoch s), `$keep` and `$daily` (s), `$kind` (the
 * kind label). Snapshots already being deleted are left out. Kept:
 * - every snapshot younger than `$keep` (ready or not: a young one may still be shipping);
 * - the newest ready full of each UTC day younger than `$daily` (a full builds on nothing, so keeping it pins nothing);
 * - the newest ready snapshot, whatever its age, so a failing schedule never prunes the last good backup;
 * - everything a kept ready snapshot builds on: back to the nearest older ready full of its chain (all older ones when
 *   there is none). A snapshot not (yet) ready pins nothing: what it would build on is the newest ready one or younger. LINSTOR bases an increment on the last backup started to the remote (linstor-server 1.33.3
 *   CtrlBackupCreateApiCallHandler.getIncrementalBase, KEY_BACKUP_LAST_STARTED_OR_QUEUED), i.e. the scheduled snapshot
 *   before it; an on-demand backup in between only makes this keep more than needed, never less.
 * Everything else goes, newest first, so each delete finds nothing built on it; linstor-csi ≥ 1.11.3 defers (and the
 * snapshotter retries) a delete that would still orphan an increment (pkg/client/linstor.go SnapDelete).
 */
export const PRUNE_SELECTION_JQ = `[.items[] | select(.metadata.deletionTimestamp == null)
  | {name: .metadata.name, t: (.metadata.creationTimestamp | fromdateiso8601),
     ready: (.status.readyToUse == true), full: ((.metadata.labels // {})[$kind] == "full")}]
| sort_by(.t, .name) as $s
| ($s | length) as $n
| (reduce range(0; $n) as $i ([];
    .[$i] = (if $s[$i].ready and $s[$i].full then $i elif $i == 0 then 0 else .[$i - 1] end))) as $start
| ([range(0; $n) | select($s[.].t > $now - $keep)]
   + ([range(0; $n) | select($s[.].ready and $s[.].full and $s[.].t > $now - $daily)]
      | group_by($s[.].t | strftime("%Y-%m-%d")) | map(max))
   + [[range(0; $n) | select($s[.].ready)] | last | select(. != null)]) as $roots
| ([$roots[] | {s: (if $s[.].ready then $start[.] else . end), e: .}] | group_by(.s) | map({s: .[0].s, e: (map(.e) | max)})) as $ranges
| [range(0; $n) as $i | select(any($ranges[]; .s <= $i and $i <= .e) | not) | $i]
| reverse | .[] | $s[.].name`;

/**
 * One run: list the schedule's snapshots; take a full (FULL_SNAPSHOT_CLASS, label kind=full) when the newest ready
 * full is FULL_AFTER_SECONDS old or there is none, else an incremental one (SNAPSHOT_CLASS); wait until linstor-csi
 * reports it shipped (readyToUse); then delete what PRUNE_SELECTION_JQ selects. With PRUNE_DELETES_BACKUPS the bound
 * content is first switched to deletionPolicy Delete (after checking it belongs to that snapshot), so linstor-csi also
 * deletes the S3 backup and LINSTOR's local snapshot; its deletion-secret annotations are pointed at the current
 * credentials Secret because older generations' Secrets are deleted on rotation.
 * Uses only get/list/create/delete on volumesnapshots (no watch) and get/patch on volumesnapshotcontents.
 */
export const SNAPSHOT_SCRIPT = `set -euo pipefail
log() { printf '%s %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
scheduled() { kubectl -n "\${NAMESPACE}" get volumesnapshot -l "${SCHEDULE_LABEL}=\${SCHEDULE_NAME}" -o json; }
newest_full="$(scheduled | jq -r --arg kind "${SNAPSHOT_KIND_LABEL}" '[.items[]
  | select(.metadata.deletionTimestamp == null and .status.readyToUse == true and (.metadata.labels // {})[$kind] == "full")
  | .metadata.creationTimestamp | fromdateiso8601] | max // 0')"
if [ $(( $(date -u +%s) - newest_full )) -ge "\${FULL_AFTER_SECONDS}" ]; then
  kind=full; class="\${FULL_SNAPSHOT_CLASS}"
else
  kind=incremental; class="\${SNAPSHOT_CLASS}"
fi
name="\${SNAPSHOT_PREFIX}-$(date -u +%Y%m%d-%H%M%S)"
log "creating \${kind} VolumeSnapshot \${NAMESPACE}/\${name} of PVC \${PVC_NAME} with class \${class}"
kubectl -n "\${NAMESPACE}" create -f - <<EOF
apiVersion: ${SNAPSHOT_API}
kind: VolumeSnapshot
metadata:
  name: \${name}
  labels:
    ${SCHEDULE_LABEL}: \${SCHEDULE_NAME}
    ${SNAPSHOT_KIND_LABEL}: \${kind}
spec:
  volumeSnapshotClassName: \${class}
  source:
    persistentVolumeClaimName: \${PVC_NAME}
EOF
rc=1
deadline=$(( $(date +%s) + READY_TIMEOUT_SECONDS ))
while [ "$(date +%s)" -lt "\${deadline}" ]; do
  status="$(kubectl -n "\${NAMESPACE}" get volumesnapshot "\${name}" -o json | jq -c '.status // {}')"
  if [ "$(jq -r '.readyToUse // false' <<<"\${status}")" = "true" ]; then
    log "snapshot \${name} is shipped and ready"; rc=0; break
  fi
  err="$(jq -r '.error.message // empty' <<<"\${status}")"
  [ -z "\${err}" ] || log "snapshot \${name} reports: \${err}"
  sleep "\${POLL_SECONDS}"
done
[ "\${rc}" -eq 0 ] || log "snapshot \${name} not ready after \${READY_TIMEOUT_SECONDS}s; pruning keeps the newest ready snapshot and its chain"
mapfile -t doomed < <(scheduled | jq -r --argjson now "$(date -u +%s)" --argjson keep "$(( KEEP_HOURS * 3600 ))" \\
  --argjson daily "$(( DAILY_DAYS * 86400 ))" --arg kind "${SNAPSHOT_KIND_LABEL}" '${PRUNE_SELECTION_JQ}')
log "pruning \${#doomed[@]} scheduled snapshots: older than \${KEEP_HOURS}h, not a daily full of the last \${DAILY_DAYS} days, nothing a kept one builds on"
for old in "\${doomed[@]}"; do
  if [ "\${PRUNE_DELETES_BACKUPS}" = "true" ]; then
    content="$(kubectl -n "\${NAMESPACE}" get volumesnapshot "\${old}" -o jsonpath='{.status.boundVolumeSnapshotContentName}' || true)"
    ref=""
    [ -z "\${content}" ] || ref="$(kubectl get volumesnapshotcontent "\${content}" \\
      -o jsonpath='{.spec.volumeSnapshotRef.namespace}/{.spec.volumeSnapshotRef.name}' || true)"
    if [ -z "\${content}" ] || [ "\${ref}" != "\${NAMESPACE}/\${old}" ]; then
      log "skipping \${old}: bound content '\${content}' does not point back to it"; continue
    fi
    patch="$(jq -nc --arg s "\${CREDENTIALS_SECRET}" --arg n "\${CREDENTIALS_NAMESPACE}" \\
      '{metadata: {annotations: {"${DELETION_SECRET}-name": $s, "${DELETION_SECRET}-namespace": $n}}, spec: {deletionPolicy: "Delete"}}')"
    kubectl patch volumesnapshotcontent "\${content}" --type merge -p "\${patch}"
  fi
  log "deleting VolumeSnapshot \${old}"
  kubectl -n "\${NAMESPACE}" delete volumesnapshot "\${old}" --wait=false
done
exit "\${rc}"
`;

export interface CronJobArgs {
    readonly schedule: string;
    readonly image: string;
    readonly namespace: string;
    readonly pvcName: string;
    /** The schedule's incremental class. */
    readonly snapshotClassName: string;
    /** The full class that starts each chain (keeps its local snapshot: the next increments build on it). */
    readonly fullSnapshotClassName: string;
    /** A full when the newest ready full is this old; 0: every snapshot is a full. */
    readonly fullAfterSeconds: number;
    readonly retentionHours: number;
    readonly dailyRetentionDays: number;
    readonly readyTimeoutSeconds: number;
    readonly pruneDeletesBackups: boolean;
    readonly credentialsSecretName: string;
    readonly credentialsNamespace: string;
    readonly serviceAccountName: string;
}

/** spec of the batch/v1 CronJob. One run at a time; a run that starts more than 10 minutes late is skipped. */
export function snapshotCronJobSpec(a: CronJobArgs): types.input.batch.v1.CronJobSpec {
    const env: Record<string, string> = {
        NAMESPACE: a.namespace,
        PVC_NAME: a.pvcName,
        SNAPSHOT_CLASS: a.snapshotClassName,
        FULL_SNAPSHOT_CLASS: a.fullSnapshotClassName,
        FULL_AFTER_SECONDS: String(a.fullAfterSeconds),
        SNAPSHOT_PREFIX: SNAPSHOT_NAME_PREFIX,
        SCHEDULE_NAME,
        KEEP_HOURS: String(a.retentionHours),
        DAILY_DAYS: String(a.dailyRetentionDays),
        READY_TIMEOUT_SECONDS: String(a.readyTimeoutSeconds),
        POLL_SECONDS: "15",
        PRUNE_DELETES_BACKUPS: String(a.pruneDeletesBackups),
        CREDENTIALS_SECRET: a.credentialsSecretName,
        CREDENTIALS_NAMESPACE: a.credentialsNamespace,
        // kubectl writes its discovery cache under $HOME; the root filesystem is read-only.
        HOME: "/tmp",
    };
    return {
        schedule: a.schedule,
        timeZone: "Etc/UTC",
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
            metadata: { labels: { [SCHEDULE_LABEL]: SCHEDULE_NAME } },
            spec: {
                backoffLimit: 1,
                activeDeadlineSeconds: a.readyTimeoutSeconds + 600,
                template: {
                    metadata: { labels: { [SCHEDULE_LABEL]: SCHEDULE_NAME } },
                    spec: {
                        serviceAccountName: a.serviceAccountName,
                        restartPolicy: "Never",
                        securityContext: {
                            runAsNonRoot: true,
                            runAsUser: 65532,
                            runAsGroup: 65532,
                            seccompProfile: { type: "RuntimeDefault" },
                        },
                        containers: [
                            {
                                name: "snapshot",
                                image: a.image,
                                // The image's entrypoint is kubectl itself.
                                command: ["/bin/bash", "-c", SNAPSHOT_SCRIPT],
                                env: Object.entries(env).map(([name, value]) => ({ name, value })),
                                securityContext: {
                                    allowPrivilegeEscalation: false,
                                    readOnlyRootFilesystem: true,
                                    capabilities: { drop: ["ALL"] },
                                },
                                resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                            },
                        ],
                        volumes: [{ name: "tmp", emptyDir: { sizeLimit: "32Mi" } }],
                    },
                },
            },
        },
    };
}

/** Namespaced rules of the schedule's Role: exactly what the script calls on VolumeSnapshots. */
export const SNAPSHOT_ROLE_RULES = [
    { apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshots"], verbs: ["create", "get", "list", "delete"] },
];
/** Cluster rules, only when pruning deletes backups: read a content and flip its deletionPolicy. */
export const CONTENT_PRUNE_RULES = [{ apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshotcontents"], verbs: ["get", "patch"] }];
