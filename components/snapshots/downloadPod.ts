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
 *   definition"). Those three carry MASK_BACKUP. Every failure is HTTP 500 unless its code is 300–399 (404)
 *   (rest/v1/utils/ApiCallRcRestUtils.java, the code being `ret_code & MASK_BITS_CODE`, 0x7FFF in linstor-common
 *   consts.json).
 * - Every link's snapshot definition is created with `BackupShipping/Target/ShippingStatus` = `Shipping` and
 *   `BackupSrcRemote` (getSnapDfnForBackupRestore); links download full first, each becoming `Success` when its
 *   satellite reports; a failed link is marked `Failed`, every later one `Aborting`, and all of them are deleted
 *   (shippingReceivedInTransaction). linstor-csi v1.11.3 judges a received snapshot ready the same way
 *   (pkg/client/linstor.go GetSnapshotRemoteAndReadiness: `…/ShippingStatus == "Success"`) and downloads into the same
 *   names (reconcileSnapshot: `TargetRscName: info.Rsc`, `DownloadOnly`), so its restore then finds the snapshot local.
 * - The downloaded snapshot lives in the backup's storage pool (no `stor_pool_map`): both clusters name their data
 *   pool DATA_POOL (linstorCluster/operator.ts), which is also what linstor-csi keeps when the class's pool matches
 *   the source's. Only satellites that have that pool, are connected and carry no flag are asked.
 * The download script asks by state: done when the snapshot is `Success`; `Shipping` (someone's download, or its own)
 * is polled; a refusal is classified by its return code: FAIL_IN_USE (another restore into this resource definition,
 * or of this backup) and FAIL_EXISTS_SNAPSHOT (it arrived meanwhile) wait a poll and read the state again; any other
 * refusal passes to the next node; no node taking it, a download that ends `Failed`/`Aborting`, or one it started that
 * vanishes, fails the run.
 */
import { apiClientPodParts, controllerApiUrl } from "../linstorCluster/apiTls";
import { DATA_POOL } from "../linstorCluster/operator";
import { NONROOT_POD, RESTRICTED_CONTAINER } from "../shared/podSecurity";

/** Init container 1 (curl): LINSTOR's backups of the remote, its nodes and its data pools (retrying while the controller starts). */
export const DOWNLOAD_LIST_SCRIPT = `set -eu
get() { curl --proto =https --cacert "\${LINSTOR_CA}" --cert "\${LINSTOR_CLIENT_CERT}" --key "\${LINSTOR_CLIENT_KEY}" -fsS \\
  --retry "\${CONNECT_RETRIES:-10}" --retry-delay 10 --retry-all-errors "\${LINSTOR_API}$1" -o "$2"; }
get "/v1/remotes/\${REMOTE}/backups" "\${WORK}/backups.json"
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

/** The download (curl): see the header. POLL_SECONDS between reads; POST_ATTEMPTS rounds of asking at most. */
export const DOWNLOAD_SCRIPT = `set -eu
log() { printf '%s %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
api() { curl --proto =https --cacert "\${LINSTOR_CA}" --cert "\${LINSTOR_CLIENT_CERT}" --key "\${LINSTOR_CLIENT_KEY}" -sS "$@"; }
tab="$(printf '\\t')"
IFS="\${tab}" read -r id rsc snap < "\${WORK}/pick"
for v in "\${id}" "\${rsc}" "\${snap}"; do
  case "\${v}" in ""|*[!A-Za-z0-9_.^-]*) log "FAIL: unexpected backup name '\${v}'"; exit 1 ;; esac
done
# The snapshot's receive state: Success, Shipping, Failed, Aborting, "present" (no receive props) or "absent".
status() {
  code="$(api -o "\${WORK}/snapshot.json" -w '%{http_code}' "\${LINSTOR_API}/v1/resource-definitions/\${rsc}/snapshots/\${snap}" || echo 000)"
  case "\${code}" in
    200) s="$(grep -o '"BackupShipping/Target/ShippingStatus":"[A-Za-z]*"' "\${WORK}/snapshot.json" | head -n 1 | cut -d '"' -f 4 || true)"
         echo "\${s:-present}" ;;
    404) echo absent ;;
    *) echo "unknown (HTTP \${code})" ;;
  esac
}
# The code of the first error in LINSTOR's answer (ret_code: both MASK_ERROR bits, then & MASK_BITS_CODE); 0 if none.
refusal() {
  grep -o '"ret_code": *-[0-9]*' "\${WORK}/answer.json" 2>/dev/null | sed 's/.*: *//' > "\${WORK}/codes" || true
  while read -r r; do
    if [ $(( r & 4611686018427387904 )) -ne 0 ]; then echo $(( r & 32767 )); return; fi
  done < "\${WORK}/codes"
  echo 0
}
started=""
attempts=0
while :; do
  state="$(status)"
  case "\${state}" in
    Success|present) log "OK: backup \${id} is downloaded (\${rsc}/\${snap})"; exit 0 ;;
    Shipping) log "backup \${id} is being downloaded"; sleep "\${POLL_SECONDS}"; continue ;;
    Failed|Aborting) log "FAIL: the download of backup \${id} failed (\${state})"; exit 1 ;;
    absent)
      if [ -n "\${started}" ]; then log "FAIL: the download of backup \${id} failed (LINSTOR removed it)"; exit 1; fi ;;
    *) log "LINSTOR did not answer for \${rsc}/\${snap}: \${state}" ;;
  esac
  attempts=$((attempts + 1))
  if [ "\${attempts}" -gt "\${POST_ATTEMPTS}" ]; then log "FAIL: LINSTOR did not download backup \${id}"; exit 1; fi
  wait=""
  case "\${state}" in absent) ;; *) wait=yes ;; esac
  while [ -z "\${wait}" ] && read -r node; do
    case "\${node}" in ""|*[!A-Za-z0-9_.-]*) continue ;; esac
    body="$(printf '{"last_backup":"%s","target_rsc_name":"%s","node_name":"%s","download_only":true}' "\${id}" "\${rsc}" "\${node}")"
    : > "\${WORK}/answer.json"
    code="$(api -o "\${WORK}/answer.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data "\${body}" \\
      "\${LINSTOR_API}/v1/remotes/\${REMOTE}/backups/restore" || echo 000)"
    if [ "\${code}" = 201 ]; then started="\${node}"; log "downloading backup \${id} on \${node}"; break; fi
    rc="$(refusal)"
    log "LINSTOR refused the download on \${node} (HTTP \${code}, code \${rc}): $(head -c 600 "\${WORK}/answer.json" 2>/dev/null || true)"
    case "\${code}:\${rc}" in
      # FAIL_IN_USE: a restore into this resource definition (or of this backup) runs; FAIL_EXISTS_SNAPSHOT: it is here.
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
                    env: [...linstorEnv, { name: "STORAGE_POOL", value: DATA_POOL }],
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
                    ],
                    securityContext: RESTRICTED_CONTAINER,
                    resources,
                    volumeMounts: [work, client.volumeMount],
                },
            ],
            volumes: [{ name: "work", emptyDir: { sizeLimit: "16Mi" } }, client.volume],
        },
    };
}
