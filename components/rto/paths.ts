/**
 * The RTO model's phase and path arithmetic: each phase of a fail-over path with the number it takes and where that
 * number comes from.
 */

import type { RtoInputs } from "./inputs";

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

export function path(label: string, phases: Phase[], caveat?: string): Path {
    return { label, phases, totalSeconds: round(phases.reduce((t, p) => t + p.seconds, 0)), ...(caveat ? { caveat } : {}) };
}

export function round(n: number): number {
    return Math.round(n * 10) / 10;
}

/** Seconds a fail-over start spends on plugins: none when they are in JENKINS_HOME already. */
export const pluginSeconds = (i: RtoInputs): number => (i.pluginsInJenkinsHome ? 0 : i.pluginInstallSeconds);

export function jenkinsStart(i: RtoInputs): Phase {
    const plugins = i.pluginsInJenkinsHome
        ? "plugins 0 s (already in JENKINS_HOME: installed once or baked into the image; nothing is downloaded)"
        : `plugin download in the init container ${i.pluginInstallSeconds} s (every start; needs the update center)`;
    return {
        name: "Jenkins start",
        seconds: i.imagePullSeconds + pluginSeconds(i) + i.jenkinsBootSeconds,
        basis: `image pull ${i.imagePullSeconds} s + ${plugins} + boot to HTTP 200 on /login ${i.jenkinsBootSeconds} s (estimates)`,
    };
}

export function haPhases(i: RtoInputs): Phase[] {
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

export function attachPhase(i: RtoInputs): Phase {
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

export function controllersLostPath(i: RtoInputs, label: string): Path {
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

export function plainPath(i: RtoInputs, tolerationSeconds: number, label: string): Path {
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
