/**
 * RTO/RPO model: what a user should expect from the configuration, phase by phase, so the fail-over
 * drill's measurements have something to be compared with. Pure arithmetic on named inputs; every
 * number says where it comes from (configured, an upstream default, or our estimate).
 *
 * Phases match the drill's: detection, fencing, reschedule, volume attach, Jenkins start.
 */

import { JENKINS_DEFAULTS, type JenkinsSettings, STORAGE_SIZE, startupBudgetSeconds } from "../jenkins/settings";
import { LINSTOR_CLUSTER_DEFAULTS, type LinstorClusterSettings } from "../linstorCluster/settings";
import { ConfigError } from "../shared/errors";
import { check, parseQuantity } from "../shared/validation";

export interface RtoInputs {
    // ---- from the stack configuration
    /** HA Controller --fail-over-timeout (config haControllerFailOverTimeoutSeconds). */
    readonly haControllerFailOverTimeoutSeconds: number;
    /** HA Controller --drbd-status-interval (config haControllerDrbdStatusIntervalSeconds). */
    readonly haControllerDrbdStatusIntervalSeconds: number;
    /** Jenkins not-ready/unreachable tolerationSeconds (config jenkinsTolerationSeconds). */
    readonly jenkinsTolerationSeconds: number;
    /** startupProbe periodSeconds × failureThreshold: the longest boot Kubernetes waits for. */
    readonly startupProbeBudgetSeconds: number;
    /** Longest gap between scheduled S3 snapshots; undefined when no schedule runs. */
    readonly snapshotIntervalSeconds?: number;
    /** Size of JENKINS_HOME to restore in DR (config jenkinsStorageSize). */
    readonly restoreSizeGiB: number;
    /** linstor-csi controller replicas (LinstorCluster spec.csiController.replicas; operator default 1). */
    readonly csiControllerReplicas: number;
    /** The DR cluster already runs (warm standby) instead of being created when disaster strikes. */
    readonly drClusterPreProvisioned: boolean;
    /**
     * CoreDNS has a replica in every zone (the managed add-on LinstorCluster installs). False models the self-managed
     * bootstrap Deployment, both of whose replicas sit in the first zone: linstor-csi resolves the LINSTOR controller
     * by name, so losing that zone stalls attaches until CoreDNS is rescheduled.
     */
    readonly dnsInEveryZone: boolean;

    // ---- fixed by upstream or the platform
    /** DRBD net ping-int (default 10 s): survivors notice a silent peer only after it. */
    readonly drbdPingIntervalSeconds: number;
    /** DRBD net ping-timeout (default 5 tenths = 0.5 s). */
    readonly drbdPingTimeoutSeconds: number;
    /** node-monitor-grace-period on EKS (40 s, not configurable). */
    readonly nodeMonitorGracePeriodSeconds: number;
    /** Kubernetes' default not-ready/unreachable toleration (300 s, DefaultTolerationSeconds). */
    readonly kubernetesDefaultTolerationSeconds: number;
    /** Attach/detach controller's maxWaitForUnmountDuration before a force-detach (6 min). */
    readonly forceDetachSeconds: number;
    /** Tolerations Piraeus puts on the LINSTOR controller Deployment (30 s). */
    readonly linstorControllerTolerationSeconds: number;
    /** The linstor-csi controller Deployment has none of its own, so Kubernetes' default applies. */
    readonly csiControllerTolerationSeconds: number;
    /** Leader-election lease of the CSI sidecars (15 s): a standby replica takes over after it. */
    readonly csiLeaderElectionLeaseSeconds: number;
    /** csi-attacher --retry-interval-max (5 min): cap of its exponential retry backoff. */
    readonly attachRetryMaxBackoffSeconds: number;

    // ---- our estimates (measure yours with the drill)
    readonly podRescheduleSeconds: number;
    /** CSI attach + DRBD promote + mount (journal replay) on the new node. */
    readonly volumeAttachSeconds: number;
    /** Image pull on a node that never ran Jenkins (IfNotPresent: 0 where it is cached). */
    readonly imagePullSeconds: number;
    /**
     * The plugins are already in JENKINS_HOME when Jenkins starts on another node: installed once by HaJenkins'
     * `install-once` (the chart's init skips itself; a restored JENKINS_HOME carries them too) or baked into the
     * image. False models the chart's default (initializeOnce false): every start downloads them again.
     */
    readonly pluginsInJenkinsHome: boolean;
    /** The chart's init container downloading the pinned plugins, on a start that does (estimate). */
    readonly pluginInstallSeconds: number;
    /** JVM + plugins + jobs loaded until /login answers 200. */
    readonly jenkinsBootSeconds: number;
    readonly linstorControllerStartSeconds: number;
    readonly csiControllerStartSeconds: number;
    readonly coreDnsStartSeconds: number;
    /** Upload time of one (incremental) backup to S3. */
    readonly snapshotShippingSeconds: number;
    readonly eksCreateSeconds: number;
    readonly nodeGroupsSeconds: number;
    /** Piraeus operator, DRBD module build, satellites, snapshot controller, S3 remote. */
    readonly storageStackSeconds: number;
    /** `pulumi up` of the restore objects and the Jenkins release on a running DR cluster. */
    readonly drPulumiUpSeconds: number;
    /** LINSTOR restore throughput from S3. */
    readonly restoreThroughputMiBps: number;
    /** The RTO target node and AZ fail-over are judged against. */
    readonly targetSeconds: number;
}

export const RTO_DEFAULTS: RtoInputs = {
    haControllerFailOverTimeoutSeconds: LINSTOR_CLUSTER_DEFAULTS.haControllerFailOverTimeoutSeconds,
    haControllerDrbdStatusIntervalSeconds: LINSTOR_CLUSTER_DEFAULTS.haControllerDrbdStatusIntervalSeconds,
    jenkinsTolerationSeconds: JENKINS_DEFAULTS.tolerationSeconds,
    startupProbeBudgetSeconds: startupBudgetSeconds(JENKINS_DEFAULTS),
    snapshotIntervalSeconds: 3600,
    restoreSizeGiB: 20,
    csiControllerReplicas: 1,
    drClusterPreProvisioned: false,
    dnsInEveryZone: true,
    pluginsInJenkinsHome: true,
    drbdPingIntervalSeconds: 10,
    drbdPingTimeoutSeconds: 0.5,
    nodeMonitorGracePeriodSeconds: 40,
    kubernetesDefaultTolerationSeconds: 300,
    forceDetachSeconds: 360,
    linstorControllerTolerationSeconds: 30,
    csiControllerTolerationSeconds: 300,
    csiLeaderElectionLeaseSeconds: 15,
    attachRetryMaxBackoffSeconds: 300,
    podRescheduleSeconds: 2,
    volumeAttachSeconds: 10,
    imagePullSeconds: 20,
    pluginInstallSeconds: 30,
    jenkinsBootSeconds: 60,
    linstorControllerStartSeconds: 30,
    csiControllerStartSeconds: 10,
    coreDnsStartSeconds: 5,
    snapshotShippingSeconds: 120,
    eksCreateSeconds: 900,
    nodeGroupsSeconds: 300,
    storageStackSeconds: 300,
    drPulumiUpSeconds: 60,
    restoreThroughputMiBps: 100,
    targetSeconds: 60,
};

export interface Phase {
    readonly name: string;
    readonly seconds: number;
    /** Where the number comes from. */
    readonly basis: string;
}

export interface Path {
    readonly label: string;
    readonly phases: readonly Phase[];
    readonly totalSeconds: number;
    /** When the path does not complete at all in some situation. */
    readonly caveat?: string;
}

export interface RtoReport {
    readonly inputs: RtoInputs;
    readonly nodeFailover: {
        /** HA Controller, LINSTOR and CSI controllers on surviving nodes (the usual case). */
        readonly haController: Path;
        /** HA Controller, but the single LINSTOR controller and CSI controller died with the node. */
        readonly haControllerControllersLost: Path;
        readonly withoutHaController: Path;
        readonly kubernetesDefaults: Path;
    };
    readonly azFailover: { readonly best: Path; readonly worst: Path };
    readonly inRegionRpo: Path;
    readonly regionRpo?: Path;
    readonly drRto: Path;
    /** Injection → volume attached on the new node: what the storage layer delivers. */
    readonly storageFailoverSeconds: number;
    readonly meetsTarget: { readonly storage: boolean; readonly nodeFailover: boolean; readonly azFailover: boolean };
    readonly findings: readonly string[];
}

/** GiB of a Kubernetes quantity such as 20Gi (whole Gi/Ti, HaJenkins' storageSize rule). */
export function quantityGiB(q: string): number {
    check((f) => `rtoModel.${f}`, "restoreSizeGiB").quantity(q, STORAGE_SIZE);
    return (parseQuantity(q) as number) / 2 ** 30;
}

/** Model inputs from the stack's settings; anything not given keeps its default. */
export function rtoInputsFromSettings(s: {
    readonly linstor?: Pick<LinstorClusterSettings, "haControllerFailOverTimeoutSeconds" | "haControllerDrbdStatusIntervalSeconds"> &
        Partial<Pick<LinstorClusterSettings, "linstorControllerTolerationSeconds">>;
    readonly jenkins?: Pick<JenkinsSettings, "tolerationSeconds" | "startupProbePeriodSeconds" | "startupProbeFailureThreshold" | "storageSize"> &
        Partial<Pick<JenkinsSettings, "prePullImage">>;
    /** e.g. maxScheduleGapSeconds(snapshotSchedule); null when no schedule runs. */
    readonly snapshotIntervalSeconds?: number | null;
    readonly overrides?: Partial<RtoInputs>;
}): RtoInputs {
    return {
        ...RTO_DEFAULTS,
        ...(s.linstor
            ? {
                  haControllerFailOverTimeoutSeconds: s.linstor.haControllerFailOverTimeoutSeconds,
                  haControllerDrbdStatusIntervalSeconds: s.linstor.haControllerDrbdStatusIntervalSeconds,
                  // LinstorCluster gives both controller Deployments this toleration (linstorSpecs.fastEvictionPodTemplate).
                  ...(s.linstor.linstorControllerTolerationSeconds !== undefined
                      ? {
                            linstorControllerTolerationSeconds: s.linstor.linstorControllerTolerationSeconds,
                            csiControllerTolerationSeconds: s.linstor.linstorControllerTolerationSeconds,
                        }
                      : {}),
              }
            : {}),
        ...(s.jenkins
            ? {
                  jenkinsTolerationSeconds: s.jenkins.tolerationSeconds,
                  startupProbeBudgetSeconds: startupBudgetSeconds(s.jenkins),
                  restoreSizeGiB: quantityGiB(s.jenkins.storageSize),
                  // The pre-pull DaemonSet keeps the image on every storage node: no pull on the node Jenkins lands on.
                  ...(s.jenkins.prePullImage ? { imagePullSeconds: 0 } : {}),
                  // Either pluginSource (install-once, image) leaves the plugins in JENKINS_HOME: pluginsInJenkinsHome holds.
              }
            : {}),
        ...(s.snapshotIntervalSeconds !== undefined ? { snapshotIntervalSeconds: s.snapshotIntervalSeconds ?? undefined } : {}),
        ...s.overrides,
    };
}

function path(label: string, phases: Phase[], caveat?: string): Path {
    return { label, phases, totalSeconds: round(phases.reduce((t, p) => t + p.seconds, 0)), ...(caveat ? { caveat } : {}) };
}

function round(n: number): number {
    return Math.round(n * 10) / 10;
}

/** Seconds a fail-over start spends on plugins: none when they are in JENKINS_HOME already. */
const pluginSeconds = (i: RtoInputs): number => (i.pluginsInJenkinsHome ? 0 : i.pluginInstallSeconds);

function jenkinsStart(i: RtoInputs): Phase {
    const plugins = i.pluginsInJenkinsHome
        ? "plugins 0 s (already in JENKINS_HOME: installed once or baked into the image; nothing is downloaded)"
        : `plugin download in the init container ${i.pluginInstallSeconds} s (every start; needs the update center)`;
    return {
        name: "Jenkins start",
        seconds: i.imagePullSeconds + pluginSeconds(i) + i.jenkinsBootSeconds,
        basis: `image pull ${i.imagePullSeconds} s + ${plugins} + boot to HTTP 200 on /login ${i.jenkinsBootSeconds} s (estimates)`,
    };
}

function haPhases(i: RtoInputs): Phase[] {
    return [
        {
            name: "detection",
            seconds: i.drbdPingIntervalSeconds + i.drbdPingTimeoutSeconds + i.haControllerDrbdStatusIntervalSeconds,
            basis:
                `surviving DRBD replicas drop the silent primary after ping-int ${i.drbdPingIntervalSeconds} s + ping-timeout ` +
                `${i.drbdPingTimeoutSeconds} s (DRBD defaults); the HA Controller sees it at its next status poll (≤ ${i.haControllerDrbdStatusIntervalSeconds} s, configured)`,
        },
        fencingPhase(i),
        {
            name: "reschedule",
            seconds: i.podRescheduleSeconds,
            basis: `StatefulSet recreates jenkins-0, scheduler binds it in another zone (estimate ${i.podRescheduleSeconds} s)`,
        },
    ];
}

/**
 * After its fail-over timeout the HA Controller taints the node and evicts the pod; while the API still
 * shows the node Ready that is a graceful eviction, which a dead kubelet never completes. It force-deletes
 * the pod (grace 0) and the VolumeAttachment on its first pass after the node turns NotReady
 * (piraeusdatastore/piraeus-ha-controller: pkg/agent/reconcile_failover.go, nodeReady()).
 */
function fencingPhase(i: RtoInputs): Phase {
    const detection = i.drbdPingIntervalSeconds + i.drbdPingTimeoutSeconds + i.haControllerDrbdStatusIntervalSeconds;
    const forcedAt = i.nodeMonitorGracePeriodSeconds + i.haControllerDrbdStatusIntervalSeconds;
    const seconds = round(Math.max(i.haControllerFailOverTimeoutSeconds, forcedAt - detection));
    return {
        name: "fencing",
        seconds,
        basis:
            `HA Controller fail-over timeout ${i.haControllerFailOverTimeoutSeconds} s (configured), then it taints the node ` +
            `drbd.linbit.com/lost-quorum and evicts the pod; a dead kubelet never finishes a graceful eviction, so the pod and its ` +
            `VolumeAttachment are force-deleted on its first pass after the node turns NotReady (${i.nodeMonitorGracePeriodSeconds} s ` +
            `+ ≤ ${i.haControllerDrbdStatusIntervalSeconds} s). A node that is alive but cut off from its DRBD peers is fenced after the timeout alone.`,
    };
}

function attachPhase(i: RtoInputs): Phase {
    return {
        name: "volume attach",
        seconds: i.volumeAttachSeconds,
        basis: `CSI attach, DRBD promote on a surviving replica, mount (estimate ${i.volumeAttachSeconds} s)`,
    };
}

/** When the LINSTOR API and the CSI attacher work again after losing the node they ran on. */
function controllersBackSeconds(i: RtoInputs): { seconds: number; basis: string } {
    const linstor = i.nodeMonitorGracePeriodSeconds + i.linstorControllerTolerationSeconds + i.podRescheduleSeconds + i.linstorControllerStartSeconds;
    const csi =
        i.csiControllerReplicas >= 2
            ? i.csiLeaderElectionLeaseSeconds
            : i.nodeMonitorGracePeriodSeconds + i.csiControllerTolerationSeconds + i.podRescheduleSeconds + i.csiControllerStartSeconds;
    const csiBasis =
        i.csiControllerReplicas >= 2
            ? `a standby CSI controller takes the leader lease after ${i.csiLeaderElectionLeaseSeconds} s`
            : `the single CSI controller is evicted after ${i.nodeMonitorGracePeriodSeconds} s NotReady + ${i.csiControllerTolerationSeconds} s ` +
              `toleration, then starts in ${i.csiControllerStartSeconds} s (= ${csi} s)`;
    // CoreDNS has only the default 300 s not-ready/unreachable tolerations.
    const dns = i.dnsInEveryZone
        ? 0
        : i.nodeMonitorGracePeriodSeconds + i.kubernetesDefaultTolerationSeconds + i.podRescheduleSeconds + i.coreDnsStartSeconds;
    const dnsBasis = i.dnsInEveryZone
        ? "CoreDNS answers from the other zones (a replica in every zone)"
        : `CoreDNS, all in the lost zone, is evicted after ${i.nodeMonitorGracePeriodSeconds} s NotReady + ${i.kubernetesDefaultTolerationSeconds} s ` +
          `default toleration and starts in ${i.coreDnsStartSeconds} s (= ${dns} s); until then linstor-csi cannot resolve the LINSTOR controller`;
    return {
        seconds: Math.max(linstor, csi, dns),
        basis:
            `the LINSTOR controller is evicted after ${i.nodeMonitorGracePeriodSeconds} s NotReady + ${i.linstorControllerTolerationSeconds} s toleration ` +
            `and restarts in ${i.linstorControllerStartSeconds} s (= ${linstor} s); ${csiBasis}; ${dnsBasis}`,
    };
}

function controllersLostPath(i: RtoInputs, label: string): Path {
    const before = haPhases(i);
    const ready = before.reduce((t, p) => t + p.seconds, 0);
    const back = controllersBackSeconds(i);
    const wait = Math.max(0, back.seconds - ready);
    // csi-attacher retries with exponential backoff, so its first retry after recovery can come up to the time already waited later.
    const overshoot = Math.min(wait, i.attachRetryMaxBackoffSeconds);
    return path(label, [
        ...before,
        {
            name: "volume attach",
            seconds: round(wait + overshoot + i.volumeAttachSeconds),
            basis:
                `waits ${round(wait)} s for the control plane of the storage (${back.basis}), up to ${round(overshoot)} s more for the ` +
                `attacher's exponential retry (cap ${i.attachRetryMaxBackoffSeconds} s), then attaches in ${i.volumeAttachSeconds} s`,
        },
        jenkinsStart(i),
    ]);
}

function plainPath(i: RtoInputs, tolerationSeconds: number, label: string): Path {
    return path(
        label,
        [
            {
                name: "detection",
                seconds: i.nodeMonitorGracePeriodSeconds,
                basis: `node NotReady after node-monitor-grace-period ${i.nodeMonitorGracePeriodSeconds} s (fixed on EKS)`,
            },
            {
                name: "fencing",
                seconds: tolerationSeconds,
                basis:
                    `NoExecute eviction after tolerationSeconds ${tolerationSeconds} s; the pod object goes only once its Node is deleted ` +
                    "(EKS deletes Nodes of terminated instances)",
            },
            { name: "reschedule", seconds: i.podRescheduleSeconds, basis: `StatefulSet recreates the pod (estimate ${i.podRescheduleSeconds} s)` },
            {
                name: "volume attach",
                seconds: i.forceDetachSeconds + i.volumeAttachSeconds,
                basis: `the old attachment is force-detached after maxWaitForUnmountDuration ${i.forceDetachSeconds} s, then attach ${i.volumeAttachSeconds} s`,
            },
            jenkinsStart(i),
        ],
        "A stopped or network-partitioned node keeps its Node object: the StatefulSet pod stays Terminating and this path never completes without manual action.",
    );
}

function validate(i: RtoInputs): void {
    for (const [k, v] of Object.entries(i)) {
        if (typeof v === "number" && (!Number.isFinite(v) || v < 0)) throw new ConfigError(`rtoModel.${k}`, v, "Must be a finite number ≥ 0.");
    }
    if (i.restoreThroughputMiBps <= 0) throw new ConfigError("rtoModel.restoreThroughputMiBps", i.restoreThroughputMiBps, "Must be > 0.");
}

export function rtoModel(overrides: Partial<RtoInputs> = {}): RtoReport {
    const i: RtoInputs = { ...RTO_DEFAULTS, ...overrides };
    validate(i);
    const ha = path("HA Controller (LINSTOR and CSI controllers on surviving nodes)", [...haPhases(i), attachPhase(i), jenkinsStart(i)]);
    const lost = controllersLostPath(i, "HA Controller, LINSTOR and CSI controllers lost with the node (worst case)");
    const storageFailoverSeconds = round(ha.phases.slice(0, 4).reduce((t, p) => t + p.seconds, 0));
    const restoreSeconds = round((i.restoreSizeGiB * 1024) / i.restoreThroughputMiBps);
    const restore: Phase = {
        name: "restore",
        seconds: restoreSeconds,
        basis: `${i.restoreSizeGiB} GiB from S3 at ${i.restoreThroughputMiBps} MiB/s (estimate; incremental chains restore every increment)`,
    };
    const drRto = i.drClusterPreProvisioned
        ? path("DR (cluster already running)", [
              {
                  name: "pulumi up",
                  seconds: i.drPulumiUpSeconds,
                  basis: `restore objects and the Jenkins release (estimate ${i.drPulumiUpSeconds} s)`,
              },
              restore,
              jenkinsStart(i),
          ])
        : path("DR (cluster created on demand)", [
              { name: "EKS cluster", seconds: i.eksCreateSeconds, basis: `control plane creation (estimate ${i.eksCreateSeconds / 60} min)` },
              { name: "node groups", seconds: i.nodeGroupsSeconds, basis: `three managed node groups (estimate ${i.nodeGroupsSeconds / 60} min)` },
              {
                  name: "storage stack",
                  seconds: i.storageStackSeconds,
                  basis: `Piraeus operator, DRBD module build, satellites, snapshot controller, S3 remote (estimate ${i.storageStackSeconds / 60} min)`,
              },
              restore,
              jenkinsStart(i),
          ]);
    const regionRpo =
        i.snapshotIntervalSeconds === undefined
            ? undefined
            : path("Region RPO (scheduled S3 snapshots)", [
                  { name: "schedule gap", seconds: i.snapshotIntervalSeconds, basis: "longest gap between scheduled snapshots (configured)" },
                  {
                      name: "shipping",
                      seconds: i.snapshotShippingSeconds,
                      basis: `upload of the newest backup must finish before it counts (estimate ${i.snapshotShippingSeconds} s)`,
                  },
              ]);
    const report = {
        inputs: i,
        nodeFailover: {
            haController: ha,
            haControllerControllersLost: lost,
            withoutHaController: plainPath(
                i,
                i.jenkinsTolerationSeconds,
                `Without the HA Controller (Jenkins tolerationSeconds ${i.jenkinsTolerationSeconds})`,
            ),
            kubernetesDefaults: plainPath(i, i.kubernetesDefaultTolerationSeconds, "Kubernetes defaults (no HA Controller, default tolerations)"),
        },
        azFailover: {
            best: { ...ha, label: "AZ outage, controllers in surviving zones (= node fail-over: 2 of 3 replicas keep quorum)" },
            worst: { ...lost, label: "AZ outage that also took the LINSTOR and CSI controllers" },
        },
        inRegionRpo: path("In-region RPO", [
            {
                name: "synchronous replication",
                seconds: 0,
                basis: "DRBD protocol C acknowledges a write only when every connected replica has it; quorum keeps a cut-off replica from going on alone",
            },
        ]),
        regionRpo,
        drRto,
        storageFailoverSeconds,
        meetsTarget: {
            storage: storageFailoverSeconds <= i.targetSeconds,
            nodeFailover: ha.totalSeconds <= i.targetSeconds,
            azFailover: lost.totalSeconds <= i.targetSeconds,
        },
    };
    return { ...report, findings: findings(i, report) };
}

function findings(i: RtoInputs, r: Omit<RtoReport, "findings">): string[] {
    const out: string[] = [];
    const start = jenkinsStart(i).seconds;
    out.push(
        `Storage fail-over (failure → volume attached in another zone) takes ${r.storageFailoverSeconds} s: ` +
            `${r.meetsTarget.storage ? "within" : "over"} the ${i.targetSeconds} s target.`,
    );
    if (!r.meetsTarget.nodeFailover) {
        out.push(
            `Jenkins answers after ${r.nodeFailover.haController.totalSeconds} s, over the ${i.targetSeconds} s target: its own start ` +
                `(${start} s) dominates. Knobs: ${knobs(i)}keep the boot short. Storage fencing waits for the node to turn NotReady ` +
                `(node-monitor-grace-period ${i.nodeMonitorGracePeriodSeconds} s, fixed on EKS); lowering the HA Controller timeouts does not shorten that.`,
        );
    }
    if (i.csiControllerReplicas < 2) {
        out.push(
            `Worst case (the single LINSTOR and CSI controllers shared the failed node or zone, about 1 in 3 with one node per zone): ` +
                `${r.nodeFailover.haControllerControllersLost.totalSeconds} s. Knob: a lower linstorControllerTolerationSeconds ` +
                `(now ${i.linstorControllerTolerationSeconds} s)` +
                secondCsiReplica(i, r.nodeFailover.haControllerControllersLost.totalSeconds) +
                ".",
        );
    }
    if (i.jenkinsBootSeconds > i.startupProbeBudgetSeconds) {
        out.push(
            `Jenkins boots in ${i.jenkinsBootSeconds} s but the startup probe allows ${i.startupProbeBudgetSeconds} s: it would be restarted in a loop.`,
        );
    }
    out.push(
        `Without the HA Controller: ${r.nodeFailover.withoutHaController.totalSeconds} s with this stack's tolerations, ` +
            `${r.nodeFailover.kubernetesDefaults.totalSeconds} s with Kubernetes defaults, and never for a stopped node.`,
    );
    return out;
}

/** The Jenkins-start knobs that would still save time (none once plugins are installed once and the image pre-pulled). */
function knobs(i: RtoInputs): string {
    return (
        [
            [`install the plugins once or bake them into the image (−${pluginSeconds(i)} s), `, pluginSeconds(i)],
            [`pre-pull the image on every storage node (−${i.imagePullSeconds} s), `, i.imagePullSeconds],
        ] as const
    )
        .filter(([, seconds]) => seconds > 0)
        .map(([text]) => text)
        .join("");
}

function fmt(s: number): string {
    return s >= 120 ? `${round(s)} s (${(s / 60).toFixed(1)} min)` : `${round(s)} s`;
}

function formatPath(p: Path): string[] {
    const lines = [`  ${p.label}: ${fmt(p.totalSeconds)}`];
    for (const ph of p.phases) lines.push(`    ${ph.name.padEnd(24)} ${fmt(ph.seconds).padStart(18)}  ${ph.basis}`);
    if (p.caveat) lines.push(`    caveat: ${p.caveat}`);
    return lines;
}

/** The report as text, for the offline plan and the README. */
export function formatRtoReport(r: RtoReport): string {
    const lines = ["RTO/RPO model (upper bounds; estimates are marked — measure yours with npm run drill:failover)", "", "Node fail-over RTO:"];
    for (const p of Object.values(r.nodeFailover)) lines.push(...formatPath(p));
    lines.push("", "AZ fail-over RTO:", ...formatPath(r.azFailover.best), ...formatPath(r.azFailover.worst));
    lines.push("", `In-region RPO: 0 s — ${r.inRegionRpo.phases[0].basis}.`);
    lines.push(r.regionRpo ? `Region RPO: ${fmt(r.regionRpo.totalSeconds)}` : "Region RPO: unbounded — no snapshot schedule runs.");
    if (r.regionRpo) for (const ph of r.regionRpo.phases) lines.push(`    ${ph.name.padEnd(24)} ${fmt(ph.seconds).padStart(18)}  ${ph.basis}`);
    lines.push("", "DR RTO (after the decision to fail over; excludes the time to decide):", ...formatPath(r.drRto));
    lines.push(
        "",
        `Target ${r.inputs.targetSeconds} s: storage ${r.meetsTarget.storage ? "met" : "missed"}, ` +
            `Jenkins after node fail-over ${r.meetsTarget.nodeFailover ? "met" : "missed"}, worst-case AZ fail-over ${r.meetsTarget.azFailover ? "met" : "missed"}.`,
    );
    for (const f of r.findings) lines.push(`  - ${f}`);
    return lines.join("\n");
}

/** The effect of a second CSI controller replica, worth naming only where it shortens the worst case. */
function secondCsiReplica(i: RtoInputs, worstCase: number): string {
    const withTwo = rtoModel({ ...i, csiControllerReplicas: 2 }).nodeFailover.haControllerControllersLost.totalSeconds;
    return withTwo < worstCase ? `; a second CSI controller replica gives ${withTwo} s (a LinstorCluster patch, not set by this stack)` : "";
}
