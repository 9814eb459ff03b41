/**
 * A Job that holds a node-group rollout between two AZs until LINSTOR has every replica back.
 *
 * Pulumi only waits for EKS to report a node group updated; the replaced node's replicas are then gone (policy
 * `Delete`: `linstor node lost`) or still resyncing. Rolling the next AZ then would leave some volume with one
 * UpToDate copy, or none. The gate passes only when, for a whole stability window:
 * - every satellite node is ONLINE, and none is evacuating (flag EVACUATE) or being deleted/evicted (DELETE, EVICTED);
 * - every resource definition has at least its resource group's `place_count` diskful replicas whose volumes are all
 *   UpToDate, on ONLINE nodes. A replica without `state` counts as missing: LINSTOR lists a replica on an offline
 *   satellite with neither `state` nor `volumes[].state` (linstor-server v1.33.3 `Json.apiToResourceWithVolumes`
 *   sets them only from a connected satellite's reported state). Diskless replicas (DISKLESS, DRBD_DISKLESS,
 *   TIE_BREAKER, ...) and replicas being deleted, evacuated or evicted do not count.
 * - A resource group without `place_count` has LINSTOR's default 2 (`AutoSelectorConfig`: `replicaCountRef == null
 *   ? 2`; `Migration_2020_02_12_AddDefaultPlaceCountToRscGrp` sets 2 on older groups).
 * - A resource definition with no resource at all is not waited for: it has no replica on any node, so a rollout can
 *   lose nothing of it. LINSTOR lists every resource it knows, on an offline satellite too (without state, above) and
 *   while being deleted (flag DELETE), so "none listed" means none exists. Such definitions are: a download-only
 *   restore's target (CtrlBackupRestoreApiCallHandler.getRscDfnForBackupRestore creates the definition and its volume
 *   definitions, never a resource: the standby's download step, the restore check, the DR restore gate, linstor-csi's
 *   own download); a linstor-csi volume deleted while it has snapshots (linstor-csi v1.11.3 Delete removes resources
 *   and volume definitions, and deleteResourceDefinitionAndGroupIfUnused keeps the definition while snapshots exist);
 *   a volume being created (Create: definition, volume definition, then placement: seconds); and a volume being
 *   restored from a snapshot (VolFromSnap creates the definition, downloads a remote chain for as long as that takes,
 *   reconcileSnapshot, then restores it on one node, reconcileSnapshotResources): its data is in the snapshot or in S3,
 *   on no replica yet, and once restored it has resources and is counted. Snapshots are not protected by this gate
 *   either way (it counts replicas only; a downloaded chain's copy is in S3). A volume whose every replica was lost
 *   (`node lost` on all its nodes) also shows none: waiting would not bring it back, so the gate names such
 *   definitions and goes on.
 *
 * - the zone that just rolled (`ZONE`) holds exactly `NODES_PER_ZONE` satellites, by their `Aux/topology/topology.
 *   kubernetes.io/zone` property (the operator copies the Node's zone label there: piraeus-operator
 *   pkg/resources/cluster/satellite/linstor-satellite.yaml). EKS reports a node group updated as soon as its scaling
 *   changed, long before a removed node is drained and terminated, so without this a lowered `nodesPerAz` let the
 *   next zone scale in while the first still had its old node: two zones could lose a replica of the same volume.
 *
 * When a resource definition has fewer diskful replicas than its place count while every node is ONLINE (the lost
 * node's replicas were dropped with `node lost`), the gate asks LINSTOR to place the missing ones:
 * `POST /v1/resource-definitions/{rd}/autoplace` with an empty filter, which merges the resource group's filter (place
 * count, storage pool, replicas on different zones) and adds `place_count − diskful replicas not being deleted`
 * (CtrlRscAutoPlaceApiCallHandler). Without it only LINSTOR's BalanceResourcesTask would do that, every 3600 s and
 * skipping any resource definition with a resource younger than 3600 s (BalanceResourcesTask / BalanceResources
 * `DEFAULT_TASK_INTERVAL_SEC`, `DEFAULT_GRACE_PERIOD_SECS`) — too slow for a rollout.
 *
 * Before LINSTOR is installed (the first deployment: node groups come before the operator) the controller's Service
 * name does not exist; several NXDOMAIN answers in a row (not timeouts: those could be a DNS outage) let the gate
 * pass, since there is nothing to protect yet.
 *
 * The API is HTTPS with a client certificate (apiTls.ts): a certificate the controller refuses, like any other error,
 * keeps the gate closed.
 *
 * Python (standard library only) parses the JSON: a pinned python image, `resyncGateImage`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { jobAwaitTimeouts } from "../shared/jobs";
import { RESTRICTED_CONTAINER } from "../shared/podSecurity";
import { apiClientPodParts, controllerApiUrl } from "./apiTls";

export interface ResyncGateArgs {
    readonly linstorNamespace: string;
    /** The zone whose node group just rolled. */
    readonly zone: string;
    /** Satellites that zone must hold before the gate passes (nodesPerAz). */
    readonly nodesPerZone: number;
    /** Pinned image with python3 ≥ 3.8. */
    readonly image: string;
    /** How long everything must stay healthy before the next AZ may roll. */
    readonly stableSeconds: number;
    /** Give up (Job fails, `pulumi up` stops before the next AZ) after this long. */
    readonly timeoutSeconds: number;
    readonly pollSeconds: number;
    /** Ask LINSTOR to place missing replicas (see above); at most once per resource definition per this many seconds. */
    readonly autoPlaceRetrySeconds?: number;
    /** Place missing replicas (default true). */
    readonly autoPlace?: boolean;
}

export const RESYNC_GATE_DEFAULTS = { stableSeconds: 120, timeoutSeconds: 7200, pollSeconds: 10, autoPlaceRetrySeconds: 300 };

/** LINSTOR's place count for a resource group that has none (AutoSelectorConfig, see above). */
export const LINSTOR_DEFAULT_PLACE_COUNT = 2;

/** The Job's hard deadline: the script's own timeout plus time to start (image pull) and report. */
export function resyncGateDeadlineSeconds(timeoutSeconds: number): number {
    return timeoutSeconds + 300;
}

/** Pulumi waits for the Job at least as long as the Job may run (its deadline) plus a margin, on create and update. */
export function resyncGateCustomTimeouts(timeoutSeconds: number): pulumi.CustomTimeouts {
    return jobAwaitTimeouts(resyncGateDeadlineSeconds(timeoutSeconds));
}

export const RESYNC_GATE_SCRIPT = `
import http.client, json, os, socket, ssl, sys, time, urllib.error, urllib.parse, urllib.request

API = os.environ["LINSTOR_API"].rstrip("/")
STABLE = float(os.environ.get("STABLE_SECONDS", "120"))
TIMEOUT = float(os.environ.get("TIMEOUT_SECONDS", "7200"))
POLL = float(os.environ.get("POLL_SECONDS", "10"))
UNRESOLVED_CHECKS = int(os.environ.get("UNRESOLVED_CHECKS", "6"))
DEFAULT_PLACE_COUNT = int(os.environ.get("DEFAULT_PLACE_COUNT", "2"))
AUTO_PLACE = os.environ.get("AUTO_PLACE", "true") == "true"
AUTO_PLACE_RETRY = float(os.environ.get("AUTO_PLACE_RETRY_SECONDS", "300"))
REQUEST_TIMEOUT = float(os.environ.get("REQUEST_TIMEOUT_SECONDS", "20"))
ZONE = os.environ.get("ZONE", "")
NODES_PER_ZONE = int(os.environ.get("NODES_PER_ZONE", "0"))
ZONE_PROP = "Aux/topology/topology.kubernetes.io/zone"
TLS = None
if os.environ.get("LINSTOR_CA"):
    TLS = ssl.create_default_context(cafile=os.environ["LINSTOR_CA"])
    TLS.load_cert_chain(os.environ["LINSTOR_CLIENT_CERT"], os.environ["LINSTOR_CLIENT_KEY"])

DISKLESS = {"DISKLESS", "DRBD_DISKLESS", "TIE_BREAKER", "NVME_INITIATOR", "EBS_INITIATOR"}
LEAVING = {"DELETE", "DRBD_DELETE", "EVACUATE", "EVICTED", "INACTIVE", "INACTIVATING", "DISK_REMOVE_REQUESTED", "DISK_REMOVING"}
NO_SATELLITE = {"CONTROLLER", "AUXILIARY"}
NXDOMAIN = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}


class NotInstalled(Exception):
    pass


def request(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(API + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT, context=TLS) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read() or b"null")
        except ValueError:
            return e.code, None
    except urllib.error.URLError as e:
        if isinstance(e.reason, socket.gaierror) and e.reason.errno in NXDOMAIN:
            raise NotInstalled(str(e.reason))
        raise


def get(path):
    status, body = request("GET", path)
    if status != 200 or not isinstance(body, list):
        raise OSError("GET %s answered %s" % (path, status))
    return body


def flags(obj):
    return set(obj.get("flags") or [])


def evaluate(nodes, groups, rds, resources):
    """Returns (problems, resource definitions short of diskful replicas with an UpToDate source, nodes all fine)."""
    problems = []
    usable = set()
    for n in nodes:
        if str(n.get("type", "")).upper() in NO_SATELLITE:
            continue
        name, status, f = n.get("name"), n.get("connection_status", "UNKNOWN"), flags(n)
        if status != "ONLINE":
            problems.append("node %s is %s" % (name, status))
        if "EVACUATE" in f:
            problems.append("node %s is evacuating" % name)
        if "EVICTED" in f:
            problems.append("node %s is evicted" % name)
        elif "DELETE" in f:
            problems.append("node %s is being deleted" % name)
        if status == "ONLINE" and not f & {"EVACUATE", "DELETE"}:
            usable.add(name)
    if ZONE and NODES_PER_ZONE > 0:
        in_zone = sorted(n.get("name") for n in nodes
                         if str(n.get("type", "")).upper() not in NO_SATELLITE and (n.get("props") or {}).get(ZONE_PROP) == ZONE)
        if len(in_zone) != NODES_PER_ZONE:
            problems.append("zone %s has %d storage nodes in LINSTOR (%s), expecting %d" % (ZONE, len(in_zone), ", ".join(in_zone) or "none", NODES_PER_ZONE))
    nodes_ok = not problems
    place = {}
    for g in groups:
        count = (g.get("select_filter") or {}).get("place_count")
        place[g.get("name")] = count if isinstance(count, int) and count > 0 else DEFAULT_PLACE_COUNT
    by_rd = {}
    for r in resources:
        by_rd.setdefault(r.get("name"), []).append(r)
    short = []
    for rd in rds:
        name = rd.get("name")
        if "DELETE" in flags(rd):
            continue
        if name not in by_rd:
            # No resource anywhere (snapshots only, or nothing yet): no replica a rollout could lose (header).
            continue
        want = place.get(rd.get("resource_group_name") or "DfltRscGrp", DEFAULT_PLACE_COUNT)
        good, notes, diskful = [], [], 0
        for r in by_rd.get(name, []):
            f, node = flags(r), r.get("node_name")
            if f & DISKLESS:
                continue
            if f & LEAVING:
                notes.append("%s: %s" % (node, "+".join(sorted(f & LEAVING))))
                continue
            diskful += 1
            if r.get("state") is None:
                notes.append("%s: no state (satellite not connected)" % node)
                continue
            if node not in usable:
                notes.append("%s: node not usable" % node)
                continue
            states = [(v.get("state") or {}).get("disk_state") for v in (r.get("volumes") or [])]
            if any(s != "UpToDate" for s in states):
                notes.append("%s: %s" % (node, ",".join(str(s) for s in states)))
                continue
            good.append(node)
        if len(good) < want:
            problems.append("%s: %d/%d UpToDate diskful replicas%s" % (name, len(good), want, " (" + "; ".join(notes) + ")" if notes else ""))
            if diskful < want and good:
                short.append(name)
    return problems, short, nodes_ok


def without_resources(rds, resources):
    listed = {r.get("name") for r in resources}
    return sorted(rd.get("name") for rd in rds if rd.get("name") not in listed and "DELETE" not in flags(rd))


def autoplace(rd):
    status, body = request("POST", "/v1/resource-definitions/%s/autoplace" % urllib.parse.quote(rd, safe=""), {"select_filter": {}})
    messages = "; ".join(str(e.get("message", "")) for e in body or [] if isinstance(e, dict))
    print("auto-place %s: HTTP %s %s" % (rd, status, messages), flush=True)


def main():
    start = time.monotonic()
    healthy_since = None
    unresolved = 0
    placed_at = {}
    while True:
        now = time.monotonic()
        if now - start >= TIMEOUT:
            print("replicas not all UpToDate after %gs: stopping the rollout" % TIMEOUT, file=sys.stderr, flush=True)
            return 1
        try:
            state = [get(p) for p in ("/v1/nodes", "/v1/resource-groups", "/v1/resource-definitions", "/v1/view/resources")]
        except NotInstalled as e:
            unresolved += 1
            healthy_since = None
            if unresolved >= UNRESOLVED_CHECKS:
                print("LINSTOR is not installed yet (%s): nothing to resync" % e, flush=True)
                return 0
        except (OSError, ValueError, http.client.HTTPException) as e:
            unresolved = 0
            healthy_since = None
            print("LINSTOR API unreachable (%s); retrying" % e, flush=True)
        else:
            unresolved = 0
            problems, short, nodes_ok = evaluate(*state)
            if not problems:
                if healthy_since is None:
                    healthy_since = now
                    print("all replicas UpToDate on ONLINE nodes; holding for %gs" % STABLE, flush=True)
                    empty = without_resources(state[2], state[3])
                    if empty:
                        print("not counted, no resource on any node (snapshots only or none): " + ", ".join(empty[:20]) + (" (+%d more)" % (len(empty) - 20) if len(empty) > 20 else ""), flush=True)
                if now - healthy_since >= STABLE:
                    print("all replicas UpToDate on ONLINE nodes for %gs: next AZ may roll" % STABLE, flush=True)
                    return 0
            else:
                healthy_since = None
                print("waiting: " + "; ".join(problems[:20]) + (" (+%d more)" % (len(problems) - 20) if len(problems) > 20 else ""), flush=True)
                if AUTO_PLACE and nodes_ok:
                    for rd in short:
                        if now - placed_at.get(rd, -AUTO_PLACE_RETRY) >= AUTO_PLACE_RETRY:
                            placed_at[rd] = now
                            autoplace(rd)
        time.sleep(POLL)


sys.exit(main())
`;

export function resyncGateJobSpec(args: ResyncGateArgs) {
    const client = apiClientPodParts();
    return {
        backoffLimit: 0,
        activeDeadlineSeconds: resyncGateDeadlineSeconds(args.timeoutSeconds),
        ttlSecondsAfterFinished: 7 * 86400,
        template: {
            // The LINSTOR controller's NetworkPolicy admits this label.
            metadata: { labels: { "app.kubernetes.io/component": "drbd-resync-gate", ...client.labels } },
            spec: {
                restartPolicy: "Never",
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
                volumes: [client.volume],
                containers: [
                    {
                        name: "resync-gate",
                        image: args.image,
                        command: ["python3", "-c", RESYNC_GATE_SCRIPT],
                        volumeMounts: [client.volumeMount],
                        env: [
                            { name: "LINSTOR_API", value: controllerApiUrl(args.linstorNamespace) },
                            ...client.env,
                            { name: "ZONE", value: args.zone },
                            { name: "NODES_PER_ZONE", value: String(args.nodesPerZone) },
                            { name: "STABLE_SECONDS", value: String(args.stableSeconds) },
                            { name: "TIMEOUT_SECONDS", value: String(args.timeoutSeconds) },
                            { name: "POLL_SECONDS", value: String(args.pollSeconds) },
                            { name: "UNRESOLVED_CHECKS", value: String(Math.max(3, Math.ceil(60 / args.pollSeconds))) },
                            { name: "DEFAULT_PLACE_COUNT", value: String(LINSTOR_DEFAULT_PLACE_COUNT) },
                            { name: "AUTO_PLACE", value: String(args.autoPlace ?? true) },
                            {
                                name: "AUTO_PLACE_RETRY_SECONDS",
                                value: String(args.autoPlaceRetrySeconds ?? RESYNC_GATE_DEFAULTS.autoPlaceRetrySeconds),
                            },
                            { name: "PYTHONDONTWRITEBYTECODE", value: "1" },
                            { name: "PYTHONUNBUFFERED", value: "1" },
                        ],
                        securityContext: RESTRICTED_CONTAINER,
                        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                    },
                ],
            },
        },
    };
}
