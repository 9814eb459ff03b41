/**
 * The RTO/RPO model's inputs: what the configuration, upstream and the platform fix, and our estimates, with their
 * defaults and how they follow from the stack's settings.
 */

import { JENKINS_DEFAULTS, type JenkinsSettings, STORAGE_SIZE, startupBudgetSeconds } from "../jenkins/settings";
import { LINSTOR_CLUSTER_DEFAULTS, type LinstorClusterSettings } from "../linstorCluster/settings";
import { maxScheduleGapSeconds } from "../shared/cron";
import { check, parseQuantity } from "../shared/validation";
import {
    RESTORE_CHECK_DEFAULT_SCHEDULE,
    RESTORE_DOWNLOAD_DEFAULT_SCHEDULE,
    RESTORE_ESTIMATE,
    RESTORE_GATE_POLL_SECONDS,
    RESTORE_TIMING_DEFAULTS,
} from "../snapshots/restoreTiming";
import { fullAfterHours, retentionFootprint, SHIPPING_ESTIMATE } from "../snapshots/retention";
import { S3_SNAPSHOT_SETTINGS_DEFAULTS, type S3SnapshotSettings } from "../snapshots/settings";

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
    /** GiB of JENKINS_HOME rewritten per hour (config snapshotExpectedChurnGiBPerHour): what an increment ships. */
    readonly snapshotChurnGiBPerHour: number;
    /** Hours between the full backups that start each chain (config snapshotFullAfter); 0: every backup is full. */
    readonly snapshotFullAfterHours: number;
    /** Upload throughput of one shipment to the bucket's region (estimate; measure with `linstor backup list` times). */
    readonly snapshotShippingMiBps: number;
    /** Snapshot on every replica, LINSTOR queueing the shipment, linstor-csi and the job noticing it is ready. */
    readonly snapshotShippingOverheadSeconds: number;
    readonly eksCreateSeconds: number;
    readonly nodeGroupsSeconds: number;
    /** Piraeus operator, DRBD module build, satellites, snapshot controller, S3 remote. */
    readonly storageStackSeconds: number;
    /**
     * `pulumi up --skip-preview` on the running DR cluster up to the restore gate's Job, apart from the bucket catalog
     * read (computed from s3RequestSeconds): the CLI, the language host compiling and running the program, the provider
     * plugins, the stack references, the diff and registering the gate (estimate, unmeasured: the program alone
     * evaluates in about 0.5 s under the offline plan's mocks, `npm run plan -- dr --timing`, so it is the engine's).
     */
    readonly drPulumiUpSeconds: number;
    /**
     * One small in-region S3 request: a meta GET or a 1,000-key LIST page (estimate: AWS's "Timeouts and retries for
     * latency-sensitive applications" gives median latencies "in the range of tens of milliseconds" for requests under
     * 512 KB; a LIST page is larger).
     */
    readonly s3RequestSeconds: number;
    /**
     * Backups of the Jenkins resource in the bucket at once (retention.ts retentionFootprint): LINSTOR lists all their
     * objects (a meta and a data object each) on every restore POST, and the DR program lists the bucket.
     */
    readonly restoreResourceBackups: number;
    /** LINSTOR restore throughput from S3: the expected rate of one stream (components/snapshots/restoreTiming.ts RESTORE_ESTIMATE). */
    readonly restoreThroughputMiBps: number;
    /** The slower rate the restore waits allow for (RESTORE_TIMING_DEFAULTS, half the estimate): the plan shows the warm path at it too. */
    readonly restoreWaitsThroughputMiBps: number;
    /** Per link of a restored chain on top of its download (RESTORE_ESTIMATE, shared with the waits; measure in a DR drill). */
    readonly restorePerLinkSeconds: number;
    /** Interval of the warm standby's restore check (restoreCheckSchedule): the age of the backup it verified. */
    readonly restoreCheckIntervalSeconds: number;
    /** Interval of the warm standby's download step (restoreDownloadSchedule): what a warm fail-over may still download. */
    readonly restoreDownloadIntervalSeconds: number;
    /** How often the DR stack's restore gate polls LINSTOR for the download it started (RESTORE_GATE_POLL_SECONDS). */
    readonly restoreGatePollSeconds: number;
    /** The RTO target node and AZ fail-over are judged against. */
    readonly targetSeconds: number;
    /** The warm standby's fail-over target (issue #16: Jenkins back within 10 minutes for 20 GiB). */
    readonly drTargetSeconds: number;
}

/** Backups of one volume the default retention keeps in S3 at once (a full backup no larger than the default 20 GiB). */
function defaultResourceBackups(snapshots: Partial<RetentionSettingsInput> = {}, volumeGiB = 20): number {
    return retentionFootprint({ ...S3_SNAPSHOT_SETTINGS_DEFAULTS, ...snapshots }, volumeGiB)?.snapshots ?? 1;
}
type RetentionSettingsInput = Pick<S3SnapshotSettings, "snapshotExpectedChurnGiBPerHour" | "snapshotAllowIncremental" | "snapshotFullAfter">;

export const RTO_DEFAULTS: RtoInputs = {
    haControllerFailOverTimeoutSeconds: LINSTOR_CLUSTER_DEFAULTS.haControllerFailOverTimeoutSeconds,
    haControllerDrbdStatusIntervalSeconds: LINSTOR_CLUSTER_DEFAULTS.haControllerDrbdStatusIntervalSeconds,
    jenkinsTolerationSeconds: JENKINS_DEFAULTS.tolerationSeconds,
    startupProbeBudgetSeconds: startupBudgetSeconds(JENKINS_DEFAULTS),
    snapshotIntervalSeconds: maxScheduleGapSeconds(S3_SNAPSHOT_SETTINGS_DEFAULTS.snapshotSchedule),
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
    snapshotChurnGiBPerHour: S3_SNAPSHOT_SETTINGS_DEFAULTS.snapshotExpectedChurnGiBPerHour,
    snapshotFullAfterHours: 24,
    snapshotShippingMiBps: SHIPPING_ESTIMATE.mibPerSecond,
    snapshotShippingOverheadSeconds: SHIPPING_ESTIMATE.overheadSeconds,
    eksCreateSeconds: 900,
    nodeGroupsSeconds: 300,
    storageStackSeconds: 300,
    drPulumiUpSeconds: 60,
    s3RequestSeconds: 0.05,
    restoreResourceBackups: defaultResourceBackups(),
    restoreThroughputMiBps: RESTORE_ESTIMATE.throughputMiBps,
    restoreWaitsThroughputMiBps: RESTORE_TIMING_DEFAULTS.throughputMiBps,
    restorePerLinkSeconds: RESTORE_ESTIMATE.perLinkSeconds,
    restoreCheckIntervalSeconds: maxScheduleGapSeconds(RESTORE_CHECK_DEFAULT_SCHEDULE) as number,
    restoreDownloadIntervalSeconds: maxScheduleGapSeconds(RESTORE_DOWNLOAD_DEFAULT_SCHEDULE) as number,
    restoreGatePollSeconds: RESTORE_GATE_POLL_SECONDS,
    targetSeconds: 60,
    drTargetSeconds: 600,
};

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
    /** The churn and chain settings the region RPO depends on. */
    readonly snapshots?: Pick<S3SnapshotSettings, "snapshotExpectedChurnGiBPerHour" | "snapshotAllowIncremental" | "snapshotFullAfter">;
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
                  // The pre-pull DaemonSet keeps the image on every storage node: no pull on the node Jenkins lands on
                  // (a warm standby runs the same DaemonSet, stacks/drStandby.ts, so its fail-over pulls nothing either).
                  ...(s.jenkins.prePullImage ? { imagePullSeconds: 0 } : {}),
                  // Either pluginSource (install-once, image) leaves the plugins in JENKINS_HOME: pluginsInJenkinsHome holds.
              }
            : {}),
        ...(s.snapshotIntervalSeconds !== undefined ? { snapshotIntervalSeconds: s.snapshotIntervalSeconds ?? undefined } : {}),
        ...(s.snapshots
            ? {
                  snapshotChurnGiBPerHour: s.snapshots.snapshotExpectedChurnGiBPerHour,
                  snapshotFullAfterHours: fullAfterHours(s.snapshots),
                  restoreResourceBackups: defaultResourceBackups(s.snapshots),
              }
            : {}),
        ...s.overrides,
    };
}
