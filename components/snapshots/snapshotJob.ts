/**
 * The snapshot schedule's CronJob: its script (take a full or an incremental snapshot, wait until it is shipped, prune
 * by age), the jq program that chooses what to prune, the CronJob spec and the RBAC rules the script needs. Pure
 * builders, tested without mocks; the script and the selection run for real against fakes in the tests.
 */
import type { types } from "@pulumi/kubernetes";
import { apiClientPodParts, controllerApiUrl } from "../linstorCluster/apiTls";
import { RESTRICTED_CONTAINER } from "../shared/podSecurity";
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
 * Which snapshots of the claim lose their LINSTOR copy (jq; prints LINSTOR snapshot names). Input: `kubectl get
 * volumesnapshot -o json` of the namespace after pruning; variables `$pvc`, `$classes` (the remote's three classes:
 * scheduled, full, on-demand), `$keep` (count), `$now` (epoch s), `$inflight` (s a snapshot may still be shipping).
 * Terminating ones are included: an expired chain drains for hours (one link per csi-snapshotter retry) but needs no
 * local copy.
 * - Kept: the newest `$keep` ready ones, whatever their class. The newest is what LINSTOR bases the next increment on
 *   (linstor-server 1.33.3 CtrlBackupCreateApiCallHandler.getIncrementalBase: `LastStartedOrQueued` of the remote,
 *   whatever class started it; a deleted base makes the next backup a full, "has already been deleted. Creating a full
 *   backup instead").
 * - Also kept while a younger unfinished snapshot without an error may still ship: everything from the ready one before
 *   it (its base) on. A full ships beside queued increments (only a snapshot with a base queues, `queueAnyways`), and
 *   LINSTOR refuses to delete a snapshot being shipped (CtrlSnapshotDeleteApiCallHandler FAIL_IN_USE), not a base.
 * - Name: csi-snapshotter asks for `snapshot-<VolumeSnapshot UID>` (external-snapshotter v8.6.0 makeSnapshotName,
 *   `--snapshot-name-uuid-length` -1) and linstor-csi 1.11.3 keeps a valid name as LINSTOR's (CompatibleSnapshotId).
 * Losing the local copy loses nothing: linstor-csi 1.11.3 restores such a VolumeSnapshot by downloading its backup
 * (pkg/client/linstor.go reconcileSnapshot: no local snapshot → Backup.Restore DownloadOnly) and deletes it with the
 * local 404 ignored (SnapDelete `nil404`); LINSTOR deletes a backup whose snapshot is gone by its S3 keys alone
 * (CtrlBackupApiCallHandler: the local snapshot definition too only when it exists).
 */
export const LOCAL_TRIM_JQ = `[.items[]
  | select(.spec.source.persistentVolumeClaimName == $pvc and ((.spec.volumeSnapshotClassName // "") | IN($classes[])))
  | {uid: .metadata.uid, t: (.metadata.creationTimestamp | fromdateiso8601), name: .metadata.name,
    ready: (.status.readyToUse == true), failed: (.status.error != null), deleting: (.metadata.deletionTimestamp != null)}] as $all
| ([$all[] | select((.ready | not) and (.failed | not) and (.deleting | not) and .t > $now - $inflight) | .t] | min) as $cut
| ([$all[] | select(.ready)] | sort_by(.t, .name) | reverse) as $ready
| (if $cut == null then null else ([$ready[] | select(.t < $cut) | .t] | max) end) as $base
| $ready[$keep:][] | select($base == null or .t < $base) | "snapshot-\\(.uid)"`;

/**
 * The trim container (POSIX sh and curl, after the snapshot container): deletes the local LINSTOR snapshots named in
 * TRIM_FILE that LINSTOR still lists (GET /v1/view/snapshots; Jackson writes a Snapshot's `name` then `resource_name`,
 * linstor-server 1.33.3 JsonGenTypes.Snapshot) with DELETE /v1/resource-definitions/{rsc}/snapshots/{snap}, the call
 * golinstor's DeleteSnapshot makes. Only over HTTPS with LinstorCluster's client certificate (linstorCluster/apiTls.ts).
 * A missing snapshot answers 200 with WARN_NOT_FOUND; a refused delete (FAIL_IN_USE: being shipped or restored, HTTP 500)
 * fails the run after trying the others, so monitoring sees a trim that keeps failing.
 */
export const TRIM_SCRIPT = [
    "set -eu",
    'case "${LINSTOR_API}" in https://*) ;; *) echo "refusing to call ${LINSTOR_API}: not HTTPS" >&2; exit 1 ;; esac',
    'if [ ! -s "${TRIM_FILE}" ]; then echo "no local snapshot to trim"; exit 0; fi',
    'tls() { curl --proto =https --cacert "${LINSTOR_CA}" --cert "${LINSTOR_CLIENT_CERT}" --key "${LINSTOR_CLIENT_KEY}" "$@"; }',
    'view="${TRIM_FILE}.view"',
    'tls -fsS --retry "${CONNECT_RETRIES:-5}" --retry-delay 5 --retry-all-errors -o "${view}" "${LINSTOR_API}/v1/view/snapshots"',
    "trimmed=0; failed=0",
    "while read -r snap; do",
    '  case "${snap}" in snapshot-*) ;; *) continue ;; esac',
    '  rsc="$(grep -o "\\"name\\" *: *\\"${snap}\\" *, *\\"resource_name\\" *: *\\"[^\\"]*\\"" "${view}" | head -n 1 | sed \'s/.*"\\([^"]*\\)"$/\\1/\')"',
    '  [ -n "${rsc}" ] || continue',
    '  code="$(tls -sS -o "${TRIM_FILE}.answer" -w "%{http_code}" -X DELETE "${LINSTOR_API}/v1/resource-definitions/${rsc}/snapshots/${snap}")" || code=000',
    '  if [ "${code}" = 200 ]; then',
    '    trimmed=$((trimmed + 1)); echo "deleted local snapshot ${rsc}/${snap}; its backup stays in S3"',
    "  else",
    '    failed=$((failed + 1)); echo "LINSTOR refused to delete local snapshot ${rsc}/${snap} (HTTP ${code}): $(cat "${TRIM_FILE}.answer" 2>/dev/null)" >&2',
    "  fi",
    'done < "${TRIM_FILE}"',
    'echo "trimmed ${trimmed} local snapshots, ${failed} refused"',
    '[ "${failed}" -eq 0 ]',
].join("\n");

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
if [ "\${rc}" -eq 0 ] && [ -n "\${TRIM_FILE:-}" ]; then
  kubectl -n "\${NAMESPACE}" get volumesnapshot -o json | jq -r --argjson now "$(date -u +%s)" --argjson keep "\${LOCAL_SNAPSHOTS}" \\
    --arg pvc "\${PVC_NAME}" --argjson classes "$(jq -nc --arg a "\${SNAPSHOT_CLASS}" --arg b "\${FULL_SNAPSHOT_CLASS}" --arg c "\${ON_DEMAND_SNAPSHOT_CLASS}" '[$a, $b, $c]')" \\
    --argjson inflight "$(( READY_TIMEOUT_SECONDS + 600 ))" '${LOCAL_TRIM_JQ}' > "\${TRIM_FILE}"
  log "local copies to trim (all but the newest \${LOCAL_SNAPSHOTS} ready snapshots of \${PVC_NAME}): $(wc -l < "\${TRIM_FILE}")"
fi
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
    /**
     * Trim LINSTOR's local copies to the newest `localSnapshots` after each run (LOCAL_TRIM_JQ, TRIM_SCRIPT), with
     * `image` (curl) against the controller in `linstorNamespace`. Undefined: every kept snapshot stays local.
     */
    readonly trim?: {
        readonly localSnapshots: number;
        readonly image: string;
        readonly linstorNamespace: string;
        /** The on-demand class of the same remote (it keeps its local copy until trimmed: the next increment builds on it). */
        readonly onDemandSnapshotClassName: string;
    };
}

const TRIM_FILE = "/tmp/trim-local";

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
        ...(a.trim ? { TRIM_FILE, LOCAL_SNAPSHOTS: String(a.trim.localSnapshots), ON_DEMAND_SNAPSHOT_CLASS: a.trim.onDemandSnapshotClassName } : {}),
    };
    const snapshot = {
        name: "snapshot",
        image: a.image,
        // The image's entrypoint is kubectl itself.
        command: ["/bin/bash", "-c", SNAPSHOT_SCRIPT],
        env: Object.entries(env).map(([name, value]) => ({ name, value })),
        securityContext: RESTRICTED_CONTAINER,
        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    };
    // With the trim the snapshot container runs first (an init container: the trim starts only after it succeeded, i.e.
    // after the run's snapshot is shipped) and the curl container, a LINSTOR API client, deletes the local copies.
    const client = apiClientPodParts();
    const trim = a.trim && {
        name: "trim-local",
        image: a.trim.image,
        command: ["/bin/sh", "-c", TRIM_SCRIPT],
        env: [{ name: "LINSTOR_API", value: controllerApiUrl(a.trim.linstorNamespace) }, ...client.env, { name: "TRIM_FILE", value: TRIM_FILE }],
        securityContext: RESTRICTED_CONTAINER,
        resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, client.volumeMount],
    };
    const labels = { [SCHEDULE_LABEL]: SCHEDULE_NAME, ...(trim ? client.labels : {}) };
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
                    // The LINSTOR controller's NetworkPolicy admits API clients by label (linstorCluster/networkPolicy.ts).
                    metadata: { labels },
                    spec: {
                        serviceAccountName: a.serviceAccountName,
                        restartPolicy: "Never",
                        securityContext: {
                            runAsNonRoot: true,
                            runAsUser: 65532,
                            runAsGroup: 65532,
                            // The client certificate's Secret is mounted 0440.
                            ...(trim ? { fsGroup: 65532 } : {}),
                            seccompProfile: { type: "RuntimeDefault" },
                        },
                        ...(trim ? { initContainers: [snapshot], containers: [trim] } : { containers: [snapshot] }),
                        volumes: [{ name: "tmp", emptyDir: { sizeLimit: "32Mi" } }, ...(trim ? [client.volume] : [])],
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
