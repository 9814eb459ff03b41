/**
 * The pod that makes LINSTOR download one backup (download_only, into the origin resource name, as linstor-csi does)
 * and waits until its snapshot is ready; shared by the warm standby's download step (restoreDownload.ts, the newest
 * backup every few minutes) and the fail-over's restore gate (restoreGate.ts, exactly the chosen backup, before the
 * claim exists). Three containers: list (curl: backups, nodes, storage pools), pick (jq: the backup and the nodes to
 * ask), download (curl: ask, then poll by state).
 *
 * Upstream behaviour it relies on (linstor-server v1.33.3 unless said otherwise):
 * - `POST /v1/remotes/{remote}/backups/restore` with BackupRestore `{last_backup, target_rsc_name, node_name,
 *   download_only: true}` (docs/rest_v1_openapi.yaml; rest/v1/Backups.java restoreBackup answers 201 CREATED).
 *   CtrlBackupRestoreApiCallHandler.restoreBackupInTransaction: the node must be connected (FAIL_NOT_CONNECTED); the meta
 *   must exist (FAIL_INVLD_BACKUP_CONFIG); a restore of the same meta is refused (FAIL_IN_USE "currently being used in
 *   a restore"); the chain is followed through `basedOn` and cut at the first link already downloaded into the target
 *   resource definition (on another node: the download moves there), and when nothing is left it answers
 *   FAIL_EXISTS_SNAPSHOT ("has already been downloaded to this cluster"); any restore running into the same resource
 *   definition is refused (getRscDfnForBackupRestore FAIL_IN_USE "A backup is currently being restored to resource
 *   definition"). Those three carry MASK_BACKUP. Both FAIL_IN_USE checks read BackupInfoManager's in-memory restore
 *   map (restoreContainsMetaFile, restoreContainsRscDfn), and restoreBackup holds `WRITE NODES_MAP, RSC_DFN_MAP`
 *   while it lists the resource's S3 objects and reads every meta of the chain (3a) BEFORE the second refusal: a
 *   request while another restore into the definition runs costs the whole chain walk and blocks the controller.
 *   The HTTP status comes from the first error entry (rest/v1/utils/ApiCallRcRestUtils.java toResponse): its code is
 *   `ret_code & MASK_BITS_CODE` (0x7FFF in linstor-common consts.json, so MASK_BACKUP and the other object masks are
 *   gone): 300–399 → 404, 400–499 and FAIL_SIGN_IN → 403, FAIL_SIGN_IN_MISSING_CREDENTIALS → 401, any other → 500.
 * - Every link's snapshot definition is created with `BackupShipping/Target/ShippingStatus` = `Shipping` and
 *   `BackupSrcRemote` (getSnapDfnForBackupRestore); links download full first, each becoming `Success` when its
 *   satellite reports; a failed link is marked `Failed`, every later one `Aborting`, and all of them are deleted
 *   (shippingReceivedInTransaction). linstor-csi v1.11.3 judges a received snapshot ready the same way
 *   (pkg/client/linstor.go GetSnapshotRemoteAndReadiness: `…/ShippingStatus == "Success"`) and downloads into the same
 *   names (reconcileSnapshot: `TargetRscName: info.Rsc`, `DownloadOnly`), so its restore then finds the snapshot local.
 * - The downloaded snapshot lives in the backup's storage pool (no `stor_pool_map`): both clusters name their data
 *   pool DATA_POOL (linstorCluster/operator.ts), which is also what linstor-csi keeps when the class's pool matches
 *   the source's. Only satellites that have that pool, are connected and carry no flag are asked.
 * - A controller restart marks every receive still `Shipping` as `Aborted` and deletes nothing
 *   (systemstarter/PreConnectInitializer.java; `backup abort` does the same, CtrlBackupApiCallHandler
 *   setFlagsAndAbortInTransaction); the chain walk (3a) stops at any snapshot of the chain already in the definition,
 *   whatever its status, so it counts that link as downloaded and a later download lands on top of it. A snapshot can be
 *   deleted unless a restore into its definition is in the restore map (FAIL_IN_USE "currently being restored"), or
 *   any shipping of it is `Shipping` (BackupShippingUtils.isAnyShippingInProgress), or it is queued for shipping
 *   (CtrlSnapshotDeleteApiCallHandler): so an `Aborted`/`Failed` link can be deleted once nothing into the definition
 *   runs. The statuses are InternalApiConsts' (`Shipping`, `Success`, `Failed`, `Aborting`, `Aborted`, `Prepare
 *   Abort`, `Uploading Metadata`, …).
 * The download script reads the definition's snapshots each poll (`GET /v1/view/snapshots?resources=<rsc>`, the
 * controller's memory only): done when the snapshot is `Success` and was not received on or after an `Aborted`/`Failed`
 * link (or is local: no `BackupShipping/Target` key at all); `Shipping` is polled; any other status of it, or its
 * disappearance, once it was downloading fails the run, naming the snapshot and the status. It asks only when nothing
 * of the definition is `Shipping` (else it waits a poll), after deleting every received link from the oldest
 * `Aborted`/`Failed` one on, newest first (LINK_FUNCTIONS `doomed`): a `Success` link built on a broken one goes too. A refusal is classified by its
 * return code: FAIL_IN_USE (a restore began meanwhile) and FAIL_EXISTS_SNAPSHOT (it arrived meanwhile) wait a poll;
 * any other refusal passes to the next node; no node taking it fails the run. Its termination message says what its
 * own request downloaded (report; stacks/ops/restoreMeasure.ts reads the gate's).
 */
import { apiClientPodParts, controllerApiUrl } from "../linstorCluster/apiTls";
import { DATA_POOL } from "../linstorCluster/operator";
import { NONROOT_POD, RESTRICTED_CONTAINER } from "../shared/podSecurity";
import { check, type KeyOf } from "../shared/validation";

/**
 * The checks every Job that asks LINSTOR about the remote's backups shares (the restore gate, the download step, the
 * restore check): where it runs, the remote, its two pinned images (`imageNeeds`: what the script image must hold) and
 * the origin resources it is limited to.
 */
export function checkLinstorBackupJobArgs(
    key: KeyOf,
    a: { linstorNamespace: string; remoteName: string; image: string; curlImage: string; originResources?: readonly string[] },
    imageNeeds: string,
): void {
    check(key, "linstorNamespace").dnsLabel(a.linstorNamespace);
    check(key, "remoteName").dnsLabel(a.remoteName);
    check(key, "image").pinnedImage(a.image, imageNeeds);
    check(key, "curlImage").pinnedImage(a.curlImage, "it needs curl and a POSIX shell");
    for (const r of a.originResources ?? []) check(key, "originResources").matches(r, /^[A-Za-z0-9_-]{1,48}$/, "Use LINSTOR resource names.");
}

/**
 * Init container 1 (curl): LINSTOR's backups of the remote (only LIST_QUERY's, see DownloadPodArgs.listQuery), its
 * nodes and its data pools (retrying while the controller starts).
 */
export const DOWNLOAD_LIST_SCRIPT = `set -eu
get() { curl --proto =https --cacert "\${LINSTOR_CA}" --cert "\${LINSTOR_CLIENT_CERT}" --key "\${LINSTOR_CLIENT_KEY}" -fsS \\
  --retry "\${CONNECT_RETRIES:-10}" --retry-delay 10 --retry-all-errors "\${LINSTOR_API}$1" -o "$2"; }
get "/v1/remotes/\${REMOTE}/backups\${LIST_QUERY:-}" "\${WORK}/backups.json"
get /v1/nodes "\${WORK}/nodes.json"
get "/v1/view/storage-pools?storage_pools=\${STORAGE_POOL}" "\${WORK}/pools.json"
`;

/**
 * Init container 2 (jq): the backup PICK chooses (from `$origins` or the wanted `$id`) as `id<TAB>rsc<TAB>snap` in
 * pick, and in nodes, one a line, the connected satellites without flags (no evicted or deleted node) that have the
 * data pool: LINSTOR needs a node to download on (and moves to the one holding the chain itself).
 */
export const DOWNLOAD_PICK_SCRIPT = `set -euo pipefail
pick="$(jq -r --argjson origins "\${ORIGINS:-[]}" --arg id "\${BACKUP_ID:-}" "\${PICK:?}" "\${WORK}/backups.json")"
if [ -z "\${pick}" ]; then
  if [ -n "\${BACKUP_ID:-}" ]; then echo "FAIL: remote \${REMOTE} does not list backup \${BACKUP_ID} as complete and restorable"
  else echo "FAIL: remote \${REMOTE} lists no restorable backup of \${ORIGINS:-any resource}"; fi
  exit 1
fi
printf '%s\\n' "\${pick}" > "\${WORK}/pick"
jq -r --slurpfile pools "\${WORK}/pools.json" '[$pools[0][] | .node_name] as $have
  | [.[] | select(.type == "SATELLITE" and .connection_status == "ONLINE" and ((.flags // []) | length) == 0)
      | .name | select(. as $n | $have | index($n))] | sort | .[]' "\${WORK}/nodes.json" > "\${WORK}/nodes"
if [ ! -s "\${WORK}/nodes" ]; then echo "FAIL: no connected satellite with storage pool \${STORAGE_POOL} to download on"; exit 1; fi
`;

/** The gate's PICK: exactly backup `$id`, when LINSTOR lists it as complete (not shipping, not failed) and restorable. */
export const PICK_WANTED = `(.linstor // {})[$id] // empty
| select(.restorable == true and .shipping != true and .success != false)
| [.id, .origin_rsc, .origin_snap] | @tsv`;

/**
 * Shell functions (POSIX sh; sed, grep, awk, sort, curl) shared by the download script and the restore check's LINSTOR
 * step (restoreCheck.ts), which needs `log` and the LINSTOR_* variables:
 * - `snapshot_lines VIEW`: every snapshot of LINSTOR's `GET /v1/view/snapshots` answer (file VIEW) as
 *   `rsc<TAB>name<TAB>status<TAB>start`: status the Target ShippingStatus (any quoted value), `local` only without any
 *   `BackupShipping/Target/` key, "Target keys without a status" with some but not that one; start the Target
 *   BackupStartTimestamp (the meta's start, createSnapshotByS3Meta), 0 without one.
 * - `doomed LINES`: the received links to delete, newest first per resource definition. LINSTOR v1.33.3's chain walk
 *   stops at ANY snapshot of the chain already in the target definition, whatever its status
 *   (CtrlBackupRestoreApiCallHandler.restoreBackupInTransaction 3a, lines 444-483: `loadSnapshotDfn` != null → stop),
 *   and only a controller restart or `backup abort` leaves a link Aborted (and a failed receive may linger Failed): so
 *   every link received after such a one may be built on it, Success included. In each definition with an Aborted or
 *   Failed link and nothing Shipping (its restore runs: LINSTOR refuses those deletes, and a download waits anyway),
 *   that is every received link (any status but `local`: a snapshot made or shipped here has no Target key and is
 *   never one) whose start is not older than the oldest Aborted/Failed one's. Deleting a sound link costs only its
 *   download again: the backup stays in S3.
 * - `delete_links FILE`: deletes FILE's links in order; false if one stays.
 */
export const LINK_FUNCTIONS = `tab="$(printf '\\t')"
link_api() { curl --proto =https --cacert "\${LINSTOR_CA}" --cert "\${LINSTOR_CLIENT_CERT}" --key "\${LINSTOR_CLIENT_KEY}" -sS "$@"; }
snapshot_lines() {
  sed 's/{"name":"/\\
&/g' "$1" | while IFS= read -r l || [ -n "\${l}" ]; do
    case "\${l}" in "{\\"name\\":\\""*) ;; *) continue ;; esac
    n="$(printf '%s' "\${l}" | sed 's/^{"name":"\\([^"]*\\)".*/\\1/')"
    r="$(printf '%s' "\${l}" | grep -o '"resource_name":"[^"]*"' | head -n 1 | cut -d '"' -f 4 || true)"
    s="$(printf '%s' "\${l}" | grep -o '"BackupShipping/Target/ShippingStatus":"[^"]*"' | head -n 1 | cut -d '"' -f 4 || true)"
    if [ -z "\${s}" ]; then case "\${l}" in *'"BackupShipping/Target/'*) s="Target keys without a status" ;; *) s=local ;; esac; fi
    t="$(printf '%s' "\${l}" | grep -o '"BackupShipping/Target/BackupStartTimestamp":"[0-9]*"' | head -n 1 | cut -d '"' -f 4 || true)"
    printf '%s\\t%s\\t%s\\t%s\\n' "\${r}" "\${n}" "\${s}" "\${t:-0}"
  done
}
doomed() {
  awk -F "\${tab}" '{ line[NR] = $0; rsc[NR] = $1; st[NR] = $3; t[NR] = $4 + 0 }
    $3 == "Shipping" { busy[$1] = 1 }
    ($3 == "Aborted" || $3 == "Failed") && (!($1 in oldest) || $4 + 0 < oldest[$1]) { oldest[$1] = $4 + 0 }
    END { for (i = 1; i <= NR; i++)
      if ((rsc[i] in oldest) && !(rsc[i] in busy) && st[i] != "local" && t[i] >= oldest[rsc[i]]) print line[i] }' "$1" |
    sort -t "\${tab}" -k1,1 -k4,4nr
}
delete_links() {
  kept=0
  while IFS="\${tab}" read -r r n s _; do
    case "\${r}" in ""|.|..|*[!A-Za-z0-9_.-]*) kept=1; continue ;; esac
    case "\${n}" in ""|.|..|*[!A-Za-z0-9_.-]*) kept=1; continue ;; esac
    case "\${s}" in Aborted|Failed) why="a download that never finished" ;; *) why="received on or after an unfinished link" ;; esac
    code="$(link_api -o "\${WORK}/deleted.json" -w '%{http_code}' -X DELETE "\${LINSTOR_API}/v1/resource-definitions/\${r}/snapshots/\${n}" || echo 000)"
    if [ "\${code}" = 200 ]; then log "deleted \${r}/\${n} (\${s}: \${why})"
    else kept=1; log "could not delete \${r}/\${n} (\${s}, HTTP \${code}): $(head -c 300 "\${WORK}/deleted.json" 2>/dev/null || true)"; fi
  done < "$1"
  return "\${kept}"
}
`;

/**
 * The download (curl, sed, awk; no jq): see the header. POLL_SECONDS between reads; POST_ATTEMPTS rounds without
 * progress at most (a round: a refusal, or a read while another download into the resource definition runs).
 * LINK_BYTES (optional, `<snapshot>=<bytes>` separated by spaces) sizes the links it downloaded for its report.
 */
export const DOWNLOAD_SCRIPT = `set -eu
log() { printf '%s %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
${LINK_FUNCTIONS}IFS="\${tab}" read -r id rsc snap < "\${WORK}/pick"
for v in "\${id}" "\${rsc}" "\${snap}"; do
  case "\${v}" in ""|*[!A-Za-z0-9_.^-]*) log "FAIL: unexpected backup name '\${v}'"; exit 1 ;; esac
done
# The definition's snapshots (one read of the controller's memory) in links, the ones to delete before asking in dead
# (LINK_FUNCTIONS); prints the wanted snapshot's status, "absent", or "Success on an unfinished link" when it is in dead.
links() {
  code="$(link_api -o "\${WORK}/view.json" -w '%{http_code}' "\${LINSTOR_API}/v1/view/snapshots?resources=\${rsc}" || echo 000)"
  if [ "\${code}" != 200 ]; then echo "unknown (HTTP \${code})"; return; fi
  snapshot_lines "\${WORK}/view.json" | awk -F "\${tab}" -v r="\${rsc}" '$1 == r' > "\${WORK}/links"
  doomed "\${WORK}/links" > "\${WORK}/dead"
  awk -F "\${tab}" -v n="\${snap}" 'FILENAME == ARGV[1] { if ($2 == n) d = 1; next }
    $2 == n { s = $3 } END { if (s == "") print "absent"; else if (d && s == "Success") print "Success on an unfinished link"; else print s }' \\
    "\${WORK}/dead" "\${WORK}/links"
}
# The termination message (JSON): the links this run's request downloaded (not here before it, Success now), their
# bytes when LINK_BYTES knows them all, and the request's and the end's times.
report() {
  end="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  if [ -n "\${started}" ]; then
    awk -F "\${tab}" 'FILENAME == ARGV[1] { had[$2] = 1; next } $3 == "Success" && !($2 in had) { print $2 }' \\
      "\${WORK}/before" "\${WORK}/links" > "\${WORK}/downloaded"
  else : > "\${WORK}/downloaded"; fi
  msg="$(awk -v lb="\${LINK_BYTES:-}" -v from="\${since}" -v to="\${end}" 'BEGIN { k = split(lb, a, " ")
      for (i = 1; i <= k; i++) { split(a[i], p, "="); size[p[1]] = p[2] } }
    { n++; if ($1 in size) b += size[$1]; else u = 1; if (n == 1) first = $1; last = $1 }
    END { if (n == 0) { printf "{\\"downloaded\\":0,\\"finished\\":\\"%s\\"}", to; exit }
      printf "{\\"downloaded\\":%d,\\"bytes\\":%s,\\"first\\":\\"%s\\",\\"last\\":\\"%s\\",\\"started\\":\\"%s\\",\\"finished\\":\\"%s\\"}",
        n, (u ? "null" : sprintf("%.0f", b)), first, last, from, to }' "\${WORK}/downloaded")"
  log "report: \${msg}"
  printf '%s' "\${msg}" > "\${TERMINATION_LOG:-/dev/termination-log}" || true
}
# The code of the first error in LINSTOR's answer (ret_code: both MASK_ERROR bits, then & MASK_BITS_CODE); 0 if none.
refusal() {
  grep -o '"ret_code": *-[0-9]*' "\${WORK}/answer.json" 2>/dev/null | sed 's/.*: *//' > "\${WORK}/codes" || true
  while read -r r; do
    if [ $(( r & 4611686018427387904 )) -ne 0 ]; then echo $(( r & 32767 )); return; fi
  done < "\${WORK}/codes"
  echo 0
}
fail_state() { log "FAIL: the download of backup \${id} failed: \${rsc}/\${snap} is \${state}"; exit 1; }
started=""
seen=""
since=""
attempts=0
: > "\${WORK}/before"
while :; do
  state="$(links)"
  case "\${state}" in
    Success|local) log "OK: backup \${id} is downloaded (\${rsc}/\${snap})"; report; exit 0 ;;
    # Received on or after an Aborted/Failed link (LINSTOR's walk stopped there): deleted below and asked again.
    "Success on an unfinished link") if [ -n "\${started}" ]; then fail_state; fi ;;
    Shipping) seen=yes; log "backup \${id} is being downloaded"; sleep "\${POLL_SECONDS}"; continue ;;
    absent)
      if [ -n "\${started}\${seen}" ]; then log "FAIL: the download of backup \${id} failed (LINSTOR removed \${rsc}/\${snap})"; exit 1; fi ;;
    "unknown (HTTP "*) log "LINSTOR did not answer for \${rsc}: \${state}" ;;
    # Not yet asked for: deleted below, then asked again. Once it was downloading: the download failed.
    Aborted|Failed) if [ -n "\${started}\${seen}" ]; then fail_state; fi ;;
    *) fail_state ;;
  esac
  attempts=$((attempts + 1))
  if [ "\${attempts}" -gt "\${POST_ATTEMPTS}" ]; then log "FAIL: LINSTOR did not download backup \${id}"; exit 1; fi
  case "\${state}" in "unknown (HTTP "*) sleep "\${POLL_SECONDS}"; continue ;; esac
  # Each request walks the whole chain in S3 under a controller-wide lock: none while another download runs here.
  busy="$(awk -F "\${tab}" '$3 == "Shipping" { print $2; exit }' "\${WORK}/links")"
  if [ -n "\${busy}" ]; then log "waiting: another download into \${rsc} runs (\${busy} is Shipping)"; sleep "\${POLL_SECONDS}"; continue; fi
  if ! delete_links "\${WORK}/dead"; then sleep "\${POLL_SECONDS}"; continue; fi
  # What is here before asking (the links just deleted are not).
  awk -F "\${tab}" 'FILENAME == ARGV[1] { gone[$2] = 1; next } !($2 in gone)' "\${WORK}/dead" "\${WORK}/links" > "\${WORK}/before"
  wait=""
  while [ -z "\${wait}" ] && read -r node; do
    case "\${node}" in ""|*[!A-Za-z0-9_.-]*) continue ;; esac
    body="$(printf '{"last_backup":"%s","target_rsc_name":"%s","node_name":"%s","download_only":true}' "\${id}" "\${rsc}" "\${node}")"
    : > "\${WORK}/answer.json"
    code="$(link_api -o "\${WORK}/answer.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data "\${body}" \\
      "\${LINSTOR_API}/v1/remotes/\${REMOTE}/backups/restore" || echo 000)"
    if [ "\${code}" = 201 ]; then
      started="\${node}"; since="$(date -u +%Y-%m-%dT%H:%M:%SZ)"; log "downloading backup \${id} on \${node}"; break
    fi
    rc="$(refusal)"
    log "LINSTOR refused the download on \${node} (HTTP \${code}, code \${rc}): $(head -c 600 "\${WORK}/answer.json" 2>/dev/null || true)"
    case "\${code}:\${rc}" in
      # FAIL_IN_USE: a restore into this resource definition (or of this backup) began; FAIL_EXISTS_SNAPSHOT: it is here.
      *:997|*:516) wait=yes ;;
      # No answer at all: the controller is restarting.
      000:*) wait=yes ;;
    esac
  done < "\${WORK}/nodes"
  if [ -z "\${started}" ]; then
    if [ -z "\${wait}" ]; then log "FAIL: no satellite took the download of backup \${id}"; exit 1; fi
    sleep "\${POLL_SECONDS}"
  fi
done
`;

export interface DownloadPodArgs {
    readonly linstorNamespace: string;
    readonly remoteName: string;
    /** Pinned image with bash and jq (pick). */
    readonly image: string;
    /** Pinned image with curl and sh (list, download). */
    readonly curlImage: string;
    /** jq program choosing the backup (PICK_NEWEST_RESTORABLE or PICK_WANTED). */
    readonly pick: string;
    /** The pick's inputs: ORIGINS or BACKUP_ID. */
    readonly pickEnv: readonly { readonly name: string; readonly value: string }[];
    /**
     * The backup list's filters (`?rsc_name=…&snap_name=…`): LINSTOR lists only the resource's S3 keys (a prefix
     * listing) and reads only the metas of that snapshot name (CtrlBackupApiCallHandler.listBackups v1.33.3: the name
     * is compared before getBackupFromMetadata). Empty: every meta in the bucket is read.
     */
    readonly listQuery?: string;
    /** LINK_BYTES for the report: `<snapshot>=<bytes>` of the chain's links (the gate's, when known). */
    readonly linkBytes?: string;
    readonly pollSeconds: number;
    readonly postAttempts: number;
    /** The pod's own labels (the LINSTOR API client label is added). */
    readonly labels: Record<string, string>;
    /** A token-less ServiceAccount of its own; default: the namespace's default (no token mounted either way). */
    readonly serviceAccountName?: string;
}

/** The pod template (metadata and spec) of a download: it talks to LINSTOR only, never to Kubernetes. */
export function downloadPodTemplate(a: DownloadPodArgs) {
    const client = apiClientPodParts();
    const linstorEnv = [
        { name: "LINSTOR_API", value: controllerApiUrl(a.linstorNamespace) },
        ...client.env,
        { name: "REMOTE", value: a.remoteName },
        { name: "WORK", value: "/work" },
    ];
    const resources = { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } };
    const work = { name: "work", mountPath: "/work" };
    return {
        // The LINSTOR controller's NetworkPolicy admits the API client label.
        metadata: { labels: { ...a.labels, ...client.labels } },
        spec: {
            ...(a.serviceAccountName !== undefined ? { serviceAccountName: a.serviceAccountName } : {}),
            automountServiceAccountToken: false,
            restartPolicy: "Never",
            securityContext: NONROOT_POD,
            initContainers: [
                {
                    name: "list",
                    image: a.curlImage,
                    command: ["/bin/sh", "-c", DOWNLOAD_LIST_SCRIPT],
                    env: [
                        ...linstorEnv,
                        { name: "STORAGE_POOL", value: DATA_POOL },
                        ...(a.listQuery ? [{ name: "LIST_QUERY", value: a.listQuery }] : []),
                    ],
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
                        { name: "STORAGE_POOL", value: DATA_POOL },
                        { name: "PICK", value: a.pick },
                        ...a.pickEnv,
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
                    env: [
                        ...linstorEnv,
                        { name: "POLL_SECONDS", value: String(a.pollSeconds) },
                        { name: "POST_ATTEMPTS", value: String(a.postAttempts) },
                        ...(a.linkBytes ? [{ name: "LINK_BYTES", value: a.linkBytes }] : []),
                    ],
                    // What it downloaded, for the DR drill's measurement (stacks/ops/restoreMeasure.ts); kubelet keeps
                    // at most 4096 bytes of it, which the report's fixed fields stay under.
                    terminationMessagePath: "/dev/termination-log",
                    terminationMessagePolicy: "File",
                    securityContext: RESTRICTED_CONTAINER,
                    resources,
                    volumeMounts: [work, client.volumeMount],
                },
            ],
            volumes: [{ name: "work", emptyDir: { sizeLimit: "16Mi" } }, client.volume],
        },
    };
}
