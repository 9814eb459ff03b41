/**
 * `rtoModel`: the fail-over and DR paths of a set of inputs (paths.ts), whether they meet the target, and the
 * findings that name the knobs which would shorten them.
 */

import { ConfigError } from "../shared/errors";
import { type DrPaths, drRtoPaths } from "./drPaths";
import { RTO_DEFAULTS, type RtoInputs } from "./inputs";
import { attachPhase, controllersLostPath, haPhases, jenkinsStart, type Path, path, plainPath, pluginSeconds, round } from "./paths";
import { regionRpoPath } from "./regionRpo";

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
    /** The DR path of the configuration (warm when `drClusterPreProvisioned`). */
    readonly drRto: Path;
    /**
     * The DR paths: the cluster built on demand, the warm standby (newest backup), and the warm standby pinning the
     * verified one; and the S3 rate below which the warm worst case misses `drTargetSeconds`.
     */
    readonly dr: DrPaths;
    /** Injection → volume attached on the new node: what the storage layer delivers. */
    readonly storageFailoverSeconds: number;
    readonly meetsTarget: { readonly storage: boolean; readonly nodeFailover: boolean; readonly azFailover: boolean };
    readonly findings: readonly string[];
}

function validate(i: RtoInputs): void {
    for (const [k, v] of Object.entries(i)) {
        if (typeof v === "number" && (!Number.isFinite(v) || v < 0)) throw new ConfigError(`rtoModel.${k}`, v, "Must be a finite number ≥ 0.");
    }
    for (const k of ["restoreThroughputMiBps", "snapshotShippingMiBps"] as const) {
        if (i[k] <= 0) throw new ConfigError(`rtoModel.${k}`, i[k], "Must be > 0.");
    }
}

export function rtoModel(overrides: Partial<RtoInputs> = {}): RtoReport {
    const i: RtoInputs = { ...RTO_DEFAULTS, ...overrides };
    validate(i);
    const ha = path("HA Controller (LINSTOR and CSI controllers on surviving nodes)", [...haPhases(i), attachPhase(i), jenkinsStart(i)]);
    const lost = controllersLostPath(i, "HA Controller, LINSTOR and CSI controllers lost with the node (worst case)");
    const storageFailoverSeconds = round(ha.phases.slice(0, 4).reduce((t, p) => t + p.seconds, 0));
    const dr = drRtoPaths(i);
    const drRto = i.drClusterPreProvisioned ? dr.warm : dr.cold;
    const regionRpo = regionRpoPath(i);
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
        dr,
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

/** The effect of a second CSI controller replica, worth naming only where it shortens the worst case. */
function secondCsiReplica(i: RtoInputs, worstCase: number): string {
    const withTwo = rtoModel({ ...i, csiControllerReplicas: 2 }).nodeFailover.haControllerControllersLost.totalSeconds;
    return withTwo < worstCase ? `; a second CSI controller replica gives ${withTwo} s (a LinstorCluster patch, not set by this stack)` : "";
}
