import type { ChecksumWriter, VerifyResult, WriterMode } from "./checksumWriter";
import type { Clock } from "./clock";
import { type ClusterApi, LOST_QUORUM_TAINT, type NodeInfo, type PodInfo, parseProviderId } from "./cluster";
import { DRILL_FILE_MIB, VERIFY_JOB, WRITE_JOB } from "./drillPayload";
import { belongsToCluster, type FailureAction, type InstanceApi } from "./ec2";
import type { JenkinsClient } from "./jenkinsClient";
import { accountPhases, type DrillEvent, type EventKind, formatBreakdown, type RtoBreakdown, seconds } from "./phases";

export interface FailoverTarget {
    readonly namespace: string;
    readonly podName: string;
    /** Cluster name, to check the instance's EKS tags before killing it (required: without it nothing is proven). */
    readonly clusterName: string;
}

export interface FailoverOptions {
    readonly drillId: string;
    readonly action: FailureAction;
    /** Power off without a guest shutdown (default; a crash). False = the console's terminate. */
    readonly skipOsShutdown: boolean;
    /** Pass even if the pod comes back in the same zone (e.g. nodesPerAz > 1 and another node there took it). */
    readonly allowSameZone: boolean;
    readonly pollMs: number;
    readonly timeoutMs: number;
}

export interface FailoverDeps {
    readonly jenkins: JenkinsClient;
    readonly writer: ChecksumWriter;
    readonly cluster: ClusterApi;
    readonly ec2: InstanceApi;
    readonly clock: Clock;
    readonly log: (line: string) => void;
    /** Called once when the rescheduled pod's containers run (the CLI restarts its port-forward here). */
    readonly onNewPodRunning?: () => void;
}

export interface Placement {
    readonly podUid: string;
    readonly nodeName: string;
    readonly zone?: string;
    readonly instanceId?: string;
}

export interface FailoverResult {
    readonly drillId: string;
    readonly before: Placement;
    readonly after?: Placement;
    readonly sha1Before: string;
    readonly verify?: VerifyResult;
    readonly events: readonly DrillEvent[];
    readonly breakdown: RtoBreakdown;
    readonly passed: boolean;
    readonly failures: readonly string[];
}

interface Preflight {
    readonly pod: PodInfo;
    readonly node: NodeInfo;
    readonly instanceId: string;
    readonly zone: string;
    readonly pvName?: string;
    /** The PV was attached to the pod's node before the failure (so its removal is a fencing signal). */
    readonly attachedToOldNode: boolean;
}

/** Everything checked before anything is written or killed. */
export async function preflight(target: FailoverTarget, opts: FailoverOptions, deps: FailoverDeps): Promise<Preflight> {
    const { cluster, ec2, jenkins, log } = deps;
    const status = await jenkins.loginStatus();
    if (status !== 200)
        throw new Error(`Jenkins at ${jenkins.baseUrl} answers /login with ${status || "no response"}; it must be up before the drill.`);
    const me = await jenkins.whoAmI();
    log(`Jenkins at ${jenkins.baseUrl} is up; authenticated as ${me.name}.`);

    const pod = await cluster.getPod(target.namespace, target.podName);
    if (!pod?.nodeName) throw new Error(`Pod ${target.namespace}/${target.podName} not found or not scheduled.`);
    if (!pod.ready || pod.terminating) throw new Error(`Pod ${target.namespace}/${target.podName} is not Ready; let it settle first.`);
    const node = await cluster.getNode(pod.nodeName);
    const parsed = node?.providerId ? parseProviderId(node.providerId) : undefined;
    if (!node || !parsed) throw new Error(`Node ${pod.nodeName} has no AWS providerID (${node?.providerId ?? "node not found"}).`);
    const zone = node.zone ?? parsed.zone;

    const others = (await cluster.listNodes()).filter((n) => n.ready && n.name !== node.name && !n.taintKeys.includes(LOST_QUORUM_TAINT));
    const otherZones = [...new Set(others.map((n) => n.zone).filter((z): z is string => z !== undefined && z !== zone))];
    if (otherZones.length === 0 && !opts.allowSameZone) {
        throw new Error(
            `No Ready node outside ${zone}: the pod could not move to another zone. Fix the node groups first (or pass --allow-same-zone).`,
        );
    }

    const instance = await ec2.describe(parsed.instanceId);
    if (!instance) throw new Error(`EC2 does not know instance ${parsed.instanceId} (wrong account or region?).`);
    if (instance.state !== "running") throw new Error(`Instance ${parsed.instanceId} is ${instance.state}, not running.`);
    if (!target.clusterName) throw new Error("No cluster name: the instance's EKS tags cannot be checked, so nothing is terminated.");
    if (!belongsToCluster(instance.tags, target.clusterName)) {
        throw new Error(
            `Instance ${parsed.instanceId} has no EKS tags of cluster ${target.clusterName}; refusing to touch it (kubeconfig of another cluster?).`,
        );
    }

    const claim = pod.claimNames[0];
    const pvName = claim === undefined ? undefined : await cluster.getClaimVolume(target.namespace, claim);
    if (pvName === undefined) log("No bound claim found on the pod; the volume-attach phase falls back to container start.");
    const attachedToOldNode = pvName !== undefined && (await cluster.listAttachments(pvName)).some((a) => a.nodeName === node.name);
    log(`Jenkins pod ${target.podName} runs on ${node.name} (${zone}, ${parsed.instanceId}); other Ready zones: ${otherZones.join(", ") || "none"}.`);
    return { pod, node, instanceId: parsed.instanceId, zone, pvName, attachedToOldNode };
}

/** Runs the drill end to end; never throws after the instance was killed (the result says what failed). */
export async function runFailoverDrill(target: FailoverTarget, opts: FailoverOptions, deps: FailoverDeps): Promise<FailoverResult> {
    const { clock, log } = deps;
    const pre = await preflight(target, opts, deps);
    const sha1Before = await deps.writer.write(opts.drillId);
    const before: Placement = { podUid: pre.pod.uid, nodeName: pre.node.name, zone: pre.zone, instanceId: pre.instanceId };

    const t0 = clock.now();
    const state = await deps.ec2.fail(pre.instanceId, opts.action, opts.skipOsShutdown);
    log(
        `${opts.action === "terminate" ? "Terminated" : "Stopped"} ${pre.instanceId}${opts.skipOsShutdown ? " without OS shutdown" : ""} (now ${state}).`,
    );

    const failures: string[] = [];
    // Filled as the poll goes, so an aborted observation still reports what it saw.
    const seen: Observed = { events: [] };
    await observe(target, opts, deps, pre, t0, seen).catch((e: Error) => failures.push(`Observation aborted: ${e.message}`));
    const { events, newPod } = seen;
    const breakdown = accountPhases(events);
    if (breakdown.totalMs === undefined) failures.push(`Jenkins did not answer on /login within ${seconds(opts.timeoutMs)}.`);

    let after: Placement | undefined;
    if (newPod?.nodeName) {
        const node = await deps.cluster.getNode(newPod.nodeName).catch(() => undefined);
        const parsed = node?.providerId ? parseProviderId(node.providerId) : undefined;
        after = { podUid: newPod.uid, nodeName: newPod.nodeName, zone: node?.zone ?? parsed?.zone, instanceId: parsed?.instanceId };
        if (after.zone === undefined) {
            failures.push(`Cannot tell the zone of the new node ${after.nodeName} (no zone label or providerID).`);
        } else if (after.zone === before.zone) {
            if (!opts.allowSameZone) failures.push(`The pod came back in the same zone ${after.zone} (on ${after.nodeName}).`);
        } else {
            log(`Pod moved ${before.zone} → ${after.zone} (${after.nodeName}).`);
        }
    } else {
        failures.push("No rescheduled Jenkins pod was observed.");
    }

    let verify: VerifyResult | undefined;
    if (breakdown.totalMs !== undefined) {
        verify = await deps.writer.verify(opts.drillId).catch((e: Error) => {
            failures.push(`Checksum verification failed to run: ${e.message}`);
            return undefined;
        });
        if (verify && "missing" in verify) failures.push(`The drill file ${opts.drillId}.bin is missing after the fail-over:\n${verify.output}`);
        else if (verify && verify.sha1 !== sha1Before) failures.push(`Checksum changed: ${sha1Before} before, ${verify.sha1} after.`);
    }
    return { drillId: opts.drillId, before, after, sha1Before, verify, events, breakdown, passed: failures.length === 0, failures };
}

interface Observed {
    readonly events: DrillEvent[];
    newPod?: PodInfo;
}

async function observe(target: FailoverTarget, opts: FailoverOptions, deps: FailoverDeps, pre: Preflight, t0: number, seen: Observed): Promise<void> {
    const { cluster, clock, log } = deps;
    const events = seen.events;
    const record = (kind: EventKind, detail: string): boolean => {
        if (events.some((e) => e.kind === kind)) return false;
        const e = { kind, atMs: clock.now() - t0, detail };
        events.push(e);
        log(`  +${seconds(e.atMs)} ${kind}: ${detail}`);
        return true;
    };
    const oldNode = pre.node.name;
    let errors = 0;
    while (clock.now() - t0 < opts.timeoutMs) {
        try {
            const [node, pod, attachments] = await Promise.all([
                cluster.getNode(oldNode),
                cluster.getPod(target.namespace, target.podName),
                pre.pvName === undefined ? Promise.resolve([]) : cluster.listAttachments(pre.pvName),
            ]);
            if (!node) record("nodeDeleted", `node ${oldNode} removed from the cluster`);
            else {
                if (!node.ready) record("nodeNotReady", `node ${oldNode} not Ready`);
                if (node.taintKeys.includes(LOST_QUORUM_TAINT)) record("lostQuorumTaint", `${LOST_QUORUM_TAINT} taint on ${oldNode}`);
            }
            if (!pod || pod.uid !== pre.pod.uid) record("oldPodGone", `old pod ${pre.pod.uid.slice(0, 8)} removed`);
            else if (pod.terminating) record("oldPodTerminating", "old pod terminating");
            if (pod && pod.uid !== pre.pod.uid && pod.nodeName) {
                seen.newPod = pod;
                record("newPodScheduled", `${pod.name} scheduled on ${pod.nodeName}`);
            }
            if (pre.pvName !== undefined) {
                if (pre.attachedToOldNode && !attachments.some((a) => a.nodeName === oldNode))
                    record("oldAttachmentGone", `attachment of ${pre.pvName} to ${oldNode} removed`);
                const current = seen.newPod;
                const va = current && attachments.find((a) => a.nodeName === current.nodeName && a.attached);
                if (va) record("volumeAttached", `${va.name} attached ${pre.pvName} to ${va.nodeName}`);
            }
            const started = seen.newPod;
            if (started?.containersStarted && record("containerStarted", `${started.name} containers running`)) deps.onNewPodRunning?.();
            errors = 0;
        } catch (e) {
            if (++errors >= 30) throw new Error(`Kubernetes API failed 30 times in a row: ${(e as Error).message}`);
            log(`  (Kubernetes API error, retrying: ${(e as Error).message})`);
        }
        // Only the new pod's answer counts: the old one may serve a few requests while the guest shuts down.
        const running = seen.newPod;
        if (running?.containersStarted) {
            const status = await deps.jenkins.loginStatus();
            if (status === 200) {
                record("jenkinsHttp200", `GET /login → 200 from ${running.name} on ${running.nodeName}`);
                return;
            }
        }
        await clock.sleep(opts.pollMs);
    }
}

export function formatFailoverResult(r: FailoverResult, opts: Pick<FailoverOptions, "pollMs">): string {
    const lines = [`Fail-over drill ${r.drillId}: ${r.passed ? "PASS" : "FAIL"}`];
    lines.push(`  before: ${r.before.nodeName} (${r.before.zone ?? "?"}, ${r.before.instanceId ?? "?"})`);
    lines.push(`  after:  ${r.after ? `${r.after.nodeName} (${r.after.zone ?? "?"}, ${r.after.instanceId ?? "?"})` : "—"}`);
    const v = r.verify;
    lines.push(
        `  data:   sha1 ${r.sha1Before} before, ${v === undefined ? "not verified" : "missing" in v ? "file missing" : `${v.sha1} after`}` +
            `${v && !("missing" in v) && v.sha1 === r.sha1Before ? " (identical)" : ""}`,
    );
    lines.push(formatBreakdown(r.breakdown, r.events, opts.pollMs));
    for (const f of r.failures) lines.push(`  FAILED: ${f}`);
    return lines.join("\n");
}

export interface PlanInputs {
    readonly stack: string;
    readonly jenkins: string;
    readonly namespace: string;
    readonly podName: string;
    readonly region: string;
    readonly clusterName: string;
    readonly writer: WriterMode;
    readonly drillId: string;
}

/** The steps, in order, with the values they would use (printed by --dry-run; nothing is contacted). */
export function planFailoverDrill(p: PlanInputs, opts: FailoverOptions): string[] {
    const how = opts.skipOsShutdown
        ? "SkipOsShutdown: power cut, no guest shutdown, like a crash"
        : "the guest OS shuts down first, like the console's action";
    const kill =
        opts.action === "terminate"
            ? `TerminateInstances (${how})`
            : `StopInstances (${how}; the node group's Auto Scaling group replaces a stopped instance unless you start it first)`;
    return [
        `Read the outputs of stack ${p.stack} (pulumi stack output --json --show-secrets): Jenkins URL, admin credentials, namespace, cluster, region, kubeconfig.`,
        `Connect to Jenkins via ${p.jenkins}; GET /login must answer 200 and GET /whoAmI/api/json must show an authenticated user.`,
        `Read pod ${p.namespace}/${p.podName}: node, Ready; the node's ${"topology.kubernetes.io/zone"} label and providerID → EC2 instance; the PV of its claim.`,
        `Require a Ready node in another zone; DescribeInstances: the instance is running and tagged for cluster ${p.clusterName}.`,
        p.writer === "script"
            ? `Script console (POST /scriptText): write ${DRILL_FILE_MIB} MiB of random data to $JENKINS_HOME/drill/${p.drillId}.bin (fsync), print its sha1.`
            : `Writer ${p.writer}: job ${WRITE_JOB} (POST /createItem or /job/${WRITE_JOB}/config.xml, pinned to the built-in node) when the controller has executors, ` +
              `else the script console; write ${DRILL_FILE_MIB} MiB to $JENKINS_HOME/drill/${p.drillId}.bin with dd conv=fsync and read sha1sum from the console.`,
        `${kill} on the instance in ${p.region}; start the clock.`,
        `Every ${seconds(opts.pollMs)} (up to ${seconds(opts.timeoutMs)}): old node Ready/deleted and ${LOST_QUORUM_TAINT} taint; pod UID, node and ` +
            "container state; VolumeAttachments of the PV; once the new pod runs, GET /login until 200.",
        `Verify: ${p.writer === "script" ? "script console" : `job ${VERIFY_JOB} or script console`} prints the sha1 of ${p.drillId}.bin; it must equal the one written.`,
        `The new node must be in another zone${opts.allowSameZone ? " (not required: --allow-same-zone)" : ""}.`,
        "Print the RTO by phase: detection, fencing, reschedule, volume attach, Jenkins start.",
    ];
}
