/**
 * After a DR restore, releases the chain LINSTOR downloaded to make it: a one-off Job in the LINSTOR namespace that,
 * once the restored claim is in use, deletes the snapshots of the ORIGIN resources (the primary's `pvc-…`, into whose
 * name linstor-csi, the standby's download step and the restore gate download) and then their resource definitions
 * when those hold no resource. Nothing else removes them: a full and its increments would stay in the DR pool for
 * good. The backups in S3 are not touched (the snapshots were downloaded from there and carry no shipping to S3).
 *
 * Upstream (linstor-server v1.33.3 unless said otherwise):
 * - `DELETE /v1/resource-definitions/{rsc}/snapshots/{snap}` (CtrlSnapshotDeleteApiCallHandler.deleteSnapshotInTransaction):
 *   WARN_NOT_FOUND for a missing snapshot (HTTP 200: a warning); FAIL_IN_USE while a backup is being restored into the
 *   resource definition (`backupInfoMgr.restoreContainsRscDfn`, "is currently being restored from a backup"), while the
 *   snapshot is shipped (`isAnyShippingInProgress`) or queued for shipping; nothing checks resources restored FROM the
 *   snapshot. The REST answer comes after the satellites deleted it (deleteSnapshotsOnNodes, then deleteData); an
 *   offline satellite leaves it marked DELETE (`notConnectedWarn`) until it reconnects.
 * - The restored claim's volume does not need those snapshots: LVM thin restores a snapshot as a thin snapshot of it
 *   (satellite LvmThinProvider.restoreSnapshot → LvmCommands.restoreFromSnapshot `lvcreate --snapshot --name <new LV>
 *   <vg>/<snapshot LV>`), and a thin LV shares blocks with its origin by reference count, so deleting the origin LV
 *   leaves it whole (unlike a ZFS clone, which the program's LVM-thin pools never make).
 * - `DELETE /v1/resource-definitions/{rsc}` (CtrlRscDfnDeleteApiCallHandler): FAIL_EXISTS_SNAPSHOT_DFN while it has
 *   snapshots; FAIL_IN_USE only when a resource is IN USE (CtrlRscDfnTruncateApiCallHandler.ensureNoRscInUse); any
 *   other resource it has is deleted WITH it (truncateRscDfnInTransaction). So LINSTOR would delete resources: the
 *   Job checks itself that the definition has none, right before asking.
 * - A download into a name creates its resource definition without resources (CtrlBackupRestoreApiCallHandler
 *   getRscDfnForBackupRestore → createResourceDefinition); each received snapshot's definition carries
 *   `BackupShipping/Target/ShippingStatus` (`Shipping` until the satellite reports, as downloadPod.ts reads it) and
 *   `BackupShipping/Target/BackupStartTimestamp`, the meta's start time (createSnapshotByS3Meta), which orders a chain.
 * - The restored claim's resource is its PV's `spec.csi.volumeHandle` (linstor-csi v1.11.3 pkg/volume/volume.go
 *   ID.String(): the resource name for volume 0; pkg/driver/driver.go CreateVolume names it after the PV, `pvc-<claim UID>`).
 *
 * Fail closed, in this order, before anything is deleted: the standby's schedules (restore-download, restore-check) no
 * longer exist — the Job waits up to RELEASE_SCHEDULES_WAIT_SECONDS for them, as the stack's recorded `drMode` alone
 * cannot prove it (a fail-over `up` that failed after its outputs were recorded leaves them; pulumi/pulumi#15754 keeps
 * such outputs); the claim is Bound to the PV named after its UID, that PV is
 * Bound to it through linstor-csi; its LINSTOR resource is UpToDate on at least one node; no origin is the restored
 * resource; no snapshot of an origin is being downloaded (a download still running is waited for, up to
 * RELEASE_DOWNLOAD_WAIT_SECONDS: the standby's download step may leave one running on the controller); an origin with downloaded snapshots has no resource and no
 * snapshot made locally (a mixed origin is refused). An origin with nothing downloaded but a resource or snapshots made
 * here is the cluster's own volume (a DR restored from a backup it shipped itself, after `restoreSelection` moved past
 * the primary's): "nothing downloaded to release", it is left as it is and the Job succeeds, so the stack does not stay
 * stuck on a release that has nothing to do. Any refusal fails the Job: it retries a few times (a claim not yet bound,
 * a download finishing), then says what it found; the next `pulumi up` replaces a failed or unfinished Job
 * (`pulumi.com/replaceUnready`) and so checks again. Pulumi does not await it (`pulumi.com/skipAwait`): awaiting a Job
 * that waits for the schedules would fail the very `up` that deletes them (see the Job below). Deletion goes newest
 * snapshot first, so a run cut short leaves a chain prefix LINSTOR can still build on.
 *
 * When: it depends on the Jenkins release, which Pulumi awaits until Jenkins runs on the restored claim, and its names
 * carry the restore's key, so it runs once per restore and never before it; a later `pulumi up` changes nothing here
 * and re-runs nothing (no download either: the restore objects keep their names, drChoice.ts restoreNames, and the
 * restore gate is declared only on the restore's first run, restoreGate.ts). A claim made again (a new PV name)
 * changes its pod template, so the Job is replaced and releases what that restore downloaded.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { apiClientPodParts, controllerApiUrl } from "../linstorCluster/apiTls";
import { dependencies } from "../shared/componentOptions";
import { jobAwaitTimeouts } from "../shared/jobs";
import { kubeApiTokenVolume, NONROOT_POD, RESTRICTED_CONTAINER } from "../shared/podSecurity";
import { check, type KeyOf } from "../shared/validation";

export const RELEASE_CHAIN_NAME = "release-chain";
export const RELEASE_CHAIN_LABEL = "ha-jenkins-eks.io/release-chain";
/** How long each try waits for the standby's schedules to be deleted (the rest of the fail-over's `pulumi up`). */
export const RELEASE_SCHEDULES_WAIT_SECONDS = 1800;
/**
 * How long the list step waits while LINSTOR still downloads into an origin (a link `Shipping`: the standby's download
 * step, deleted by the fail-over's `up`, leaves its download running on the controller). A new full takes minutes
 * (about 20 GiB at 38–77 MiB/s); an hour is a limit, not a delay. Refused only if it is still downloading after it.
 */
export const RELEASE_DOWNLOAD_WAIT_SECONDS = 3600;
/**
 * Hard limit of the Job: one wait for the schedules, one for a running download, then checks and deletes that take
 * seconds; retries of a claim still binding fit well within.
 */
export const RELEASE_CHAIN_DEADLINE_SECONDS = RELEASE_SCHEDULES_WAIT_SECONDS + RELEASE_DOWNLOAD_WAIT_SECONDS + 900;
const LINSTOR_NAME = /^[A-Za-z_][A-Za-z0-9_-]{1,47}$/;

export interface ReleaseChainArgs {
    /** Namespace of LINSTOR: the Job runs next to the controller it asks. */
    readonly linstorNamespace: string;
    /** The restored claim. */
    readonly claimNamespace: string;
    readonly claimName: string;
    /** Its PV's name, `pvc-<claim UID>` (csi-provisioner's default): the only PV the Job may read. */
    readonly restoredPvName: pulumi.Input<string>;
    /** The origin resources whose downloaded snapshots to delete (the restored backup's). */
    readonly originResources: readonly string[];
    /** A short key of the restore (drChoice.ts restoreNames): the Job's and its identity's names carry it. */
    readonly restoreKey: string;
    /**
     * The standby's CronJobs in the LINSTOR namespace (restore-download, restore-check): while one exists it may fetch
     * the chain again after a release, so the Job waits for them to be gone and refuses if they stay.
     */
    readonly standbySchedules: readonly string[];
    /** Pinned image with bash, jq and kubectl (the snapshot schedule's kubectl image). */
    readonly image: string;
    /** Pinned image with curl and sh (the ensure-remote Job's). */
    readonly curlImage: string;
}

export function validateReleaseChainArgs(a: ReleaseChainArgs, key: KeyOf = (f) => `ReleaseChain.${f}`): void {
    check(key, "linstorNamespace").dnsLabel(a.linstorNamespace);
    check(key, "claimNamespace").dnsLabel(a.claimNamespace);
    check(key, "claimName").dnsLabel(a.claimName);
    check(key, "restoreKey").dnsLabel(a.restoreKey);
    for (const c of a.standbySchedules) check(key, "standbySchedules").dnsLabel(c);
    check(key, "image").pinnedImage(a.image, "it needs bash, jq and kubectl");
    check(key, "curlImage").pinnedImage(a.curlImage, "it needs curl and a POSIX shell");
    if (a.originResources.length === 0) check(key, "originResources").fail("[]", "Name at least one origin resource.");
    for (const r of a.originResources) check(key, "originResources").matches(r, LINSTOR_NAME, "Use LINSTOR resource names.");
}

/**
 * Container 1 (kubectl, jq): the standby's schedules are gone (waited for: Pulumi deletes them at the end of the
 * `pulumi up` that ran the fail-over, foreground, so their Jobs go first); the claim is Bound to its PV, the PV to it
 * through linstor-csi; its handle is the restored resource.
 */
export const RELEASE_CLAIM_SCRIPT = `set -euo pipefail
refuse() { echo "REFUSED: $*"; exit 1; }
while :; do
  left=""
  for c in \${STANDBY_SCHEDULES}; do
    found="$(kubectl -n "\${LINSTOR_NAMESPACE}" get cronjob "\${c}" --ignore-not-found -o name)" \\
      || refuse "could not read CronJob \${LINSTOR_NAMESPACE}/\${c}"
    [ -z "\${found}" ] || left="\${left} \${c}"
  done
  [ -n "\${left}" ] || break
  [ "\${SECONDS}" -lt "\${SCHEDULES_WAIT_SECONDS}" ] || refuse "the standby's schedule(s)\${left} still exist in \${LINSTOR_NAMESPACE}: they would download the chain again after a release (a successful pulumi up in restore mode deletes them; the next one replaces this Job)"
  echo "waiting for the standby's schedule(s)\${left} to be deleted"
  sleep "\${SCHEDULES_POLL_SECONDS}"
done
kubectl -n "\${CLAIM_NAMESPACE}" get pvc "\${CLAIM}" -o json > "\${WORK}/pvc.json"
phase="$(jq -r '.status.phase // ""' "\${WORK}/pvc.json")"
volume="$(jq -r '.spec.volumeName // ""' "\${WORK}/pvc.json")"
uid="$(jq -r '.metadata.uid // ""' "\${WORK}/pvc.json")"
[ "\${phase}" = Bound ] || refuse "claim \${CLAIM_NAMESPACE}/\${CLAIM} is \${phase:-not bound}: the restore is not in use yet"
[ "\${volume}" = "\${RESTORED_PV}" ] || refuse "claim \${CLAIM_NAMESPACE}/\${CLAIM} is bound to '\${volume}', not \${RESTORED_PV}"
kubectl get pv "\${volume}" -o json > "\${WORK}/pv.json"
jq -e --arg ns "\${CLAIM_NAMESPACE}" --arg claim "\${CLAIM}" --arg uid "\${uid}" \\
  '.status.phase == "Bound" and .spec.claimRef.namespace == $ns and .spec.claimRef.name == $claim and .spec.claimRef.uid == $uid
   and .spec.csi.driver == "linstor.csi.linbit.com"' "\${WORK}/pv.json" > /dev/null \\
  || refuse "PV \${volume} is not a linstor-csi volume Bound to claim \${CLAIM_NAMESPACE}/\${CLAIM}"
rsc="$(jq -r '.spec.csi.volumeHandle' "\${WORK}/pv.json")"
[[ "\${rsc}" =~ ^[A-Za-z_][A-Za-z0-9_-]{1,47}$ ]] || refuse "unexpected volume handle '\${rsc}' of PV \${volume}"
printf '%s\\n' "\${rsc}" > "\${WORK}/restored"
echo "claim \${CLAIM_NAMESPACE}/\${CLAIM} is Bound to \${volume}, LINSTOR resource \${rsc}"
`;

/**
 * Container 2 (curl): what LINSTOR holds of the restored resource and of the origins. While a snapshot of an origin is
 * still being downloaded (Target ShippingStatus `Shipping`, LINSTOR's only in-progress status: BackupShippingUtils
 * isAnyShippingInProgress), it re-reads them every POLL_SECONDS for up to DOWNLOAD_WAIT_SECONDS (this container has
 * curl, the plan's has not); the plan step then refuses if one is still `Shipping`. The grep only decides whether to
 * wait (LINSTOR's REST answers are compact JSON, as downloadPod.ts reads them); the plan's jq check decides.
 */
export const RELEASE_LIST_SCRIPT = `set -eu
get() { curl --proto =https --cacert "\${LINSTOR_CA}" --cert "\${LINSTOR_CLIENT_CERT}" --key "\${LINSTOR_CLIENT_KEY}" -fsS \\
  --retry "\${CONNECT_RETRIES:-10}" --retry-delay 10 --retry-all-errors "\${LINSTOR_API}$1" -o "$2"; }
restored="$(cat "\${WORK}/restored")"
q=""
for o in \${ORIGIN_RESOURCES}; do q="\${q}&resources=\${o}"; done
end=$(( $(date +%s) + \${DOWNLOAD_WAIT_SECONDS:-0} ))
while :; do
  get "/v1/view/snapshots?\${q#&}" "\${WORK}/snapshots.json"
  grep -Eq '"BackupShipping/Target/ShippingStatus" *: *"Shipping"' "\${WORK}/snapshots.json" || break
  [ "$(date +%s)" -lt "\${end}" ] || break
  echo "waiting: LINSTOR is still downloading into \${ORIGIN_RESOURCES} (a snapshot is Shipping); nothing is released meanwhile"
  sleep "\${POLL_SECONDS:-10}"
done
get "/v1/view/resources?resources=\${restored}" "\${WORK}/restored.json"
get "/v1/view/resources?\${q#&}" "\${WORK}/origin-resources.json"
get /v1/resource-definitions "\${WORK}/definitions.json"
`;

/**
 * Container 3 (jq): refuses unless it is safe (the header's list), else writes the plan, one `kind<TAB>rsc<TAB>name`
 * a line: every snapshot of an origin, newest first, then every origin resource definition.
 */
export const RELEASE_PLAN_SCRIPT = `set -euo pipefail
refuse() { echo "REFUSED: $*"; exit 1; }
restored="$(cat "\${WORK}/restored")"
read -r -a origin_list <<< "\${ORIGIN_RESOURCES}"
origins="$(printf '%s\\n' "\${origin_list[@]}" | jq -R . | jq -s -c .)"
jq -e --arg r "\${restored}" '[.[] | select(.name == $r and ((.flags // []) | index("DELETE") | not)
    and ((.volumes // []) | length > 0) and all(.volumes[]; .state.disk_state == "UpToDate"))] | length > 0' \\
  "\${WORK}/restored.json" > /dev/null || refuse "the restored resource \${restored} is not UpToDate on any node yet"
for o in "\${origin_list[@]}"; do
  [ "\${o}" != "\${restored}" ] || refuse "origin \${o} is the restored claim's own resource"
done
busy="$(jq -r --argjson o "\${origins}" '[.[] | select(.resource_name as $r | $o | index($r))
  | select((.snapshot_definition_props // {})["BackupShipping/Target/ShippingStatus"] == "Shipping") | "\\(.resource_name)/\\(.name)"] | join(", ")' \\
  "\${WORK}/snapshots.json")"
[ -z "\${busy}" ] || refuse "a download is in progress (\${busy}), still after the list step's wait of \${DOWNLOAD_WAIT_SECONDS:-0} s: nothing is released while LINSTOR restores (the next pulumi up replaces this Job and tries again)"
# Each origin: downloaded links (LINSTOR recorded the meta's start time) and snapshots made here (it did not).
release=()
for o in "\${origin_list[@]}"; do
  n="$(jq --arg o "\${o}" '[.[] | select(.name == $o)] | length' "\${WORK}/origin-resources.json")"
  downloaded="$(jq --arg o "\${o}" '[.[] | select(.resource_name == $o)
    | select((.snapshot_definition_props // {})["BackupShipping/Target/BackupStartTimestamp"] // "" | test("^[0-9]+$"))] | length' \\
    "\${WORK}/snapshots.json")"
  made="$(jq -r --arg o "\${o}" '[.[] | select(.resource_name == $o)
    | select(((.snapshot_definition_props // {})["BackupShipping/Target/BackupStartTimestamp"] // "") | test("^[0-9]+$") | not)
    | "\\(.resource_name)/\\(.name)"] | join(", ")' "\${WORK}/snapshots.json")"
  if [ "\${downloaded}" = 0 ] && { [ "\${n}" != 0 ] || [ -n "\${made}" ]; }; then
    # The cluster's own volume (a DR restored from its own backup): nothing of it came from S3, nothing to release.
    echo "origin \${o}: nothing downloaded to release (\${n} resource(s), snapshot(s) made here: \${made:-none}); left as it is"
    continue
  fi
  [ "\${n}" = 0 ] || refuse "origin \${o} has \${n} resource(s) beside downloaded snapshots: a resource definition in use is never released"
  [ -z "\${made}" ] || refuse "snapshot(s) \${made} were not downloaded from a backup, beside downloaded ones: only a downloaded chain is released"
  release+=("\${o}")
done
released="$(printf '%s\\n' "\${release[@]}" | jq -R 'select(. != "")' | jq -s -c .)"
# Newest backup first (the meta's start time LINSTOR records on each downloaded link): a run cut short leaves a chain prefix.
jq -r --argjson o "\${released}" '[.[] | select(.resource_name as $r | $o | index($r))]
  | sort_by([-(.snapshot_definition_props["BackupShipping/Target/BackupStartTimestamp"] | tonumber), .name])
  | .[] | "snapshot\\t\\(.resource_name)\\t\\(.name)"' "\${WORK}/snapshots.json" > "\${WORK}/plan"
jq -r --argjson o "\${released}" '[.[] | select(.name as $n | $o | index($n))] | .[] | "definition\\t\\(.name)\\t-"' \\
  "\${WORK}/definitions.json" >> "\${WORK}/plan"
echo "plan: $(grep -c '^snapshot' "\${WORK}/plan" || true) snapshot(s), $(grep -c '^definition' "\${WORK}/plan" || true) resource definition(s) of \${ORIGIN_RESOURCES}"
`;

/**
 * Container 4 (curl): carries out the plan. Each snapshot is deleted (200, a missing one included: WARN_NOT_FOUND);
 * any refusal stops the run. A definition is deleted only once none of its snapshots is left (polled: an offline
 * satellite keeps them) and only when LINSTOR lists no resource of it at that moment.
 */
export const RELEASE_SCRIPT = `set -eu
log() { printf '%s %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
api() { curl --proto =https --cacert "\${LINSTOR_CA}" --cert "\${LINSTOR_CLIENT_CERT}" --key "\${LINSTOR_CLIENT_KEY}" -sS "$@"; }
empty() { [ "$(tr -d ' \\t\\r\\n' < "$1")" = "[]" ]; }
tab="$(printf '\\t')"
restored="$(cat "\${WORK}/restored")"
while IFS="\${tab}" read -r kind rsc name; do
  for v in "\${rsc}" "\${name}"; do
    case "\${v}" in ""|*[!A-Za-z0-9_.-]*) log "FAIL: unexpected name '\${v}'"; exit 1 ;; esac
  done
  if [ "\${rsc}" = "\${restored}" ]; then log "REFUSED: \${rsc} is the restored claim's resource"; exit 1; fi
  case "\${kind}" in
    snapshot)
      code="$(api -o "\${WORK}/answer.json" -w '%{http_code}' -X DELETE "\${LINSTOR_API}/v1/resource-definitions/\${rsc}/snapshots/\${name}" || echo 000)"
      if [ "\${code}" != 200 ]; then log "FAIL: LINSTOR refused to delete snapshot \${rsc}/\${name} (HTTP \${code}): $(head -c 600 "\${WORK}/answer.json" 2>/dev/null || true)"; exit 1; fi
      log "deleted snapshot \${rsc}/\${name}" ;;
    definition)
      polls=0
      while :; do
        code="$(api -o "\${WORK}/left.json" -w '%{http_code}' "\${LINSTOR_API}/v1/view/snapshots?resources=\${rsc}" || echo 000)"
        if [ "\${code}" = 200 ] && empty "\${WORK}/left.json"; then break; fi
        polls=$((polls + 1))
        if [ "\${polls}" -gt "\${SNAPSHOT_POLLS}" ]; then
          log "left resource definition \${rsc}: snapshots of it are still being deleted (an offline satellite?); delete it later with: linstor resource-definition delete \${rsc}"
          continue 2
        fi
        sleep "\${POLL_SECONDS}"
      done
      code="$(api -o "\${WORK}/resources.json" -w '%{http_code}' "\${LINSTOR_API}/v1/view/resources?resources=\${rsc}" || echo 000)"
      if [ "\${code}" != 200 ] || ! empty "\${WORK}/resources.json"; then
        log "REFUSED: resource definition \${rsc} has resources (or LINSTOR did not say, HTTP \${code}): it is not deleted"; exit 1
      fi
      code="$(api -o "\${WORK}/answer.json" -w '%{http_code}' -X DELETE "\${LINSTOR_API}/v1/resource-definitions/\${rsc}" || echo 000)"
      if [ "\${code}" != 200 ]; then log "FAIL: LINSTOR refused to delete resource definition \${rsc} (HTTP \${code}): $(head -c 600 "\${WORK}/answer.json" 2>/dev/null || true)"; exit 1; fi
      log "deleted resource definition \${rsc}" ;;
    *) log "FAIL: unexpected plan line '\${kind}'"; exit 1 ;;
  esac
done < "\${WORK}/plan"
if [ -s "\${WORK}/plan" ]; then log "OK: released the downloaded chain of \${ORIGIN_RESOURCES}"; else log "OK: nothing downloaded to release of \${ORIGIN_RESOURCES}"; fi
`;

/** The Job's spec. A few retries with back-off ride out a claim still binding or a download finishing. */
export function releaseChainJobSpec(a: ReleaseChainArgs, restoredPvName: string, serviceAccountName: string) {
    const client = apiClientPodParts();
    const labels = { [RELEASE_CHAIN_LABEL]: "true" };
    const work = { name: "work", mountPath: "/work" };
    const origins = a.originResources.join(" ");
    const linstorEnv = [
        { name: "LINSTOR_API", value: controllerApiUrl(a.linstorNamespace) },
        ...client.env,
        { name: "WORK", value: "/work" },
        { name: "ORIGIN_RESOURCES", value: origins },
    ];
    const downloadWait = [
        { name: "DOWNLOAD_WAIT_SECONDS", value: String(RELEASE_DOWNLOAD_WAIT_SECONDS) },
        { name: "POLL_SECONDS", value: "10" },
    ];
    const resources = { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } };
    const jqResources = { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } };
    // Only the claim check talks to Kubernetes: the token is mounted into that container alone.
    const kubeApi = kubeApiTokenVolume("kube-api");
    return {
        backoffLimit: 3,
        activeDeadlineSeconds: RELEASE_CHAIN_DEADLINE_SECONDS,
        template: {
            // The LINSTOR controller's NetworkPolicy admits the API client label.
            metadata: { labels: { ...labels, ...client.labels } },
            spec: {
                serviceAccountName,
                automountServiceAccountToken: false,
                restartPolicy: "Never",
                securityContext: NONROOT_POD,
                initContainers: [
                    {
                        name: "claim",
                        image: a.image,
                        command: ["/bin/bash", "-c", RELEASE_CLAIM_SCRIPT],
                        env: [
                            { name: "WORK", value: "/work" },
                            { name: "LINSTOR_NAMESPACE", value: a.linstorNamespace },
                            { name: "STANDBY_SCHEDULES", value: a.standbySchedules.join(" ") },
                            { name: "SCHEDULES_WAIT_SECONDS", value: String(RELEASE_SCHEDULES_WAIT_SECONDS) },
                            { name: "SCHEDULES_POLL_SECONDS", value: "10" },
                            { name: "CLAIM_NAMESPACE", value: a.claimNamespace },
                            { name: "CLAIM", value: a.claimName },
                            { name: "RESTORED_PV", value: restoredPvName },
                            // kubectl writes its discovery cache under $HOME; the root filesystem is read-only.
                            { name: "HOME", value: "/tmp" },
                        ],
                        securityContext: RESTRICTED_CONTAINER,
                        resources: jqResources,
                        volumeMounts: [work, kubeApi.volumeMount, { name: "tmp", mountPath: "/tmp" }],
                    },
                    {
                        name: "list",
                        image: a.curlImage,
                        command: ["/bin/sh", "-c", RELEASE_LIST_SCRIPT],
                        env: [...linstorEnv, ...downloadWait],
                        securityContext: RESTRICTED_CONTAINER,
                        resources,
                        volumeMounts: [work, client.volumeMount],
                    },
                    {
                        name: "plan",
                        image: a.image,
                        command: ["/bin/bash", "-c", RELEASE_PLAN_SCRIPT],
                        env: [{ name: "WORK", value: "/work" }, { name: "ORIGIN_RESOURCES", value: origins }, downloadWait[0]],
                        securityContext: RESTRICTED_CONTAINER,
                        resources: jqResources,
                        volumeMounts: [work],
                    },
                ],
                containers: [
                    {
                        name: "release",
                        image: a.curlImage,
                        command: ["/bin/sh", "-c", RELEASE_SCRIPT],
                        env: [...linstorEnv, { name: "POLL_SECONDS", value: "10" }, { name: "SNAPSHOT_POLLS", value: "30" }],
                        securityContext: RESTRICTED_CONTAINER,
                        resources,
                        volumeMounts: [work, client.volumeMount],
                    },
                ],
                volumes: [
                    { name: "work", emptyDir: { sizeLimit: "16Mi" } },
                    { name: "tmp", emptyDir: { sizeLimit: "32Mi" } },
                    client.volume,
                    // What automountServiceAccountToken would mount, for the claim check only.
                    kubeApi.volume,
                ],
            },
        },
    };
}

/**
 * The Job and its least-privilege identity: read the one claim (a Role in its namespace) and its one PV (a
 * ClusterRole limited by name), nothing else in Kubernetes. The Kubernetes provider comes in `opts`; `dependsOn` (the
 * Jenkins release on the restored claim) holds everything back.
 */
export class ReleaseChain extends pulumi.ComponentResource {
    readonly jobName: string;

    constructor(name: string, args: ReleaseChainArgs, opts?: pulumi.ComponentResourceOptions) {
        validateReleaseChainArgs(args);
        super("ha-jenkins-eks:index:ReleaseChain", name, {}, opts);
        const parent = { parent: this, dependsOn: dependencies(opts) };
        const ns = args.linstorNamespace;
        this.jobName = `${RELEASE_CHAIN_NAME}-${args.restoreKey}`.slice(0, 63);
        const labels = { [RELEASE_CHAIN_LABEL]: "true" };
        const metadata = { name: this.jobName, namespace: ns, labels };
        const account = new k8s.core.v1.ServiceAccount(`${name}-account`, { metadata, automountServiceAccountToken: false }, parent);
        const subjects = [{ kind: "ServiceAccount", name: this.jobName, namespace: ns }];
        const claimRole = { name: this.jobName, namespace: args.claimNamespace, labels };
        const role = new k8s.rbac.v1.Role(
            `${name}-claim`,
            {
                metadata: claimRole,
                rules: [{ apiGroups: [""], resources: ["persistentvolumeclaims"], resourceNames: [args.claimName], verbs: ["get"] }],
            },
            parent,
        );
        const binding = new k8s.rbac.v1.RoleBinding(
            `${name}-claim`,
            { metadata: claimRole, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: this.jobName }, subjects },
            { ...parent, dependsOn: [...parent.dependsOn, role, account] },
        );
        // The standby's schedules, by name only, in the LINSTOR namespace (the claim step waits for them to be gone).
        const schedulesRole = { name: `${this.jobName.slice(0, 53)}-schedules`, namespace: ns, labels };
        const schedules =
            args.standbySchedules.length === 0
                ? []
                : (() => {
                      const r = new k8s.rbac.v1.Role(
                          `${name}-schedules`,
                          {
                              metadata: schedulesRole,
                              rules: [{ apiGroups: ["batch"], resources: ["cronjobs"], resourceNames: [...args.standbySchedules], verbs: ["get"] }],
                          },
                          parent,
                      );
                      return [
                          new k8s.rbac.v1.RoleBinding(
                              `${name}-schedules`,
                              {
                                  metadata: schedulesRole,
                                  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: schedulesRole.name },
                                  subjects,
                              },
                              { ...parent, dependsOn: [...parent.dependsOn, r, account] },
                          ),
                      ];
                  })();
        const clusterName = `${this.jobName}-${ns}`.slice(0, 63);
        const pvRole = new k8s.rbac.v1.ClusterRole(
            `${name}-volume`,
            {
                metadata: { name: clusterName, labels },
                rules: [{ apiGroups: [""], resources: ["persistentvolumes"], resourceNames: [args.restoredPvName], verbs: ["get"] }],
            },
            parent,
        );
        const pvBinding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-volume`,
            {
                metadata: { name: clusterName, labels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterName },
                subjects,
            },
            { ...parent, dependsOn: [...parent.dependsOn, pvRole, account] },
        );
        new k8s.batch.v1.Job(
            `${name}-job`,
            {
                // A Job that failed (a refusal) or has not finished is replaced by the next `up` and checks again
                // (@pulumi/kubernetes 4.34.2 batch/v1/job.d.ts; pulumi-kubernetes provider.go Diff reads the live Job:
                // not ready → replace, with or without skipAwait). Not awaited: it waits for the standby's schedules,
                // which Pulumi deletes only at the end of a successful `up` (pulumi/pulumi deployment_executor.go:
                // deletes are post-steps, skipped once a step failed); awaiting it would fail that very `up` and keep
                // them for good. Its refusals show in the Job's status and log, and the next `up` retries.
                metadata: { ...metadata, annotations: { "pulumi.com/replaceUnready": "true", "pulumi.com/skipAwait": "true" } },
                spec: pulumi.output(args.restoredPvName).apply((pv) => releaseChainJobSpec(args, pv, this.jobName)),
            },
            {
                ...parent,
                dependsOn: [...parent.dependsOn, binding, pvBinding, ...schedules],
                // Not awaited (above); the wait still covers the deadline, as for every Job (tests/stacks/awaits.spec.ts).
                customTimeouts: jobAwaitTimeouts(RELEASE_CHAIN_DEADLINE_SECONDS),
            },
        );
        this.registerOutputs({ jobName: this.jobName });
    }
}
