import { expect } from "chai";
import { JENKINS_DEFAULTS } from "../../../components/jenkins/settings";
import { LINSTOR_CLUSTER_DEFAULTS } from "../../../components/linstorCluster/settings";
import { formatRtoReport, quantityGiB, RTO_DEFAULTS, rtoInputsFromSettings, rtoModel } from "../../../components/rto";
import { thrown } from "../../support/fixtures";

const secondsOf = (p: { phases: readonly { name: string; seconds: number }[] }) => p.phases.map((x) => [x.name, x.seconds]);

describe("RTO/RPO model", () => {
    const r = rtoModel();

    it("takes its configured defaults from the components' defaults", () => {
        expect(RTO_DEFAULTS.haControllerFailOverTimeoutSeconds).to.equal(LINSTOR_CLUSTER_DEFAULTS.haControllerFailOverTimeoutSeconds).and.equal(5);
        expect(RTO_DEFAULTS.haControllerDrbdStatusIntervalSeconds).to.equal(5);
        expect(RTO_DEFAULTS.jenkinsTolerationSeconds).to.equal(JENKINS_DEFAULTS.tolerationSeconds).and.equal(30);
        expect(RTO_DEFAULTS.startupProbeBudgetSeconds).to.equal(600);
    });

    it("node fail-over through the HA Controller: 15.5 + 29.5 + 2 + 10 + 80 = 137 s", () => {
        // Fencing of a dead node ends when the HA Controller force-deletes the pod: the node turns NotReady
        // at 40 s and its next pass (≤ 5 s) deletes with grace 0; the graceful eviction before never completes.
        expect(secondsOf(r.nodeFailover.haController)).to.deep.equal([
            ["detection", 15.5],
            ["fencing", 29.5],
            ["reschedule", 2],
            ["volume attach", 10],
            ["Jenkins start", 80],
        ]);
        expect(r.nodeFailover.haController.totalSeconds).to.equal(137);
        expect(r.storageFailoverSeconds).to.equal(57);
        expect(r.meetsTarget).to.deep.equal({ storage: true, nodeFailover: false, azFailover: false });
    });

    it("the HA Controller knobs move detection; its fail-over timeout matters only beyond the NotReady wait", () => {
        const m = rtoModel({ haControllerDrbdStatusIntervalSeconds: 2, haControllerFailOverTimeoutSeconds: 10 });
        expect(secondsOf(m.nodeFailover.haController).slice(0, 2)).to.deep.equal([
            ["detection", 12.5],
            ["fencing", 29.5],
        ]);
        const slow = rtoModel({ haControllerDrbdStatusIntervalSeconds: 2, haControllerFailOverTimeoutSeconds: 40 });
        expect(secondsOf(slow.nodeFailover.haController).slice(0, 2)).to.deep.equal([
            ["detection", 12.5],
            ["fencing", 40],
        ]);
        expect(slow.storageFailoverSeconds).to.equal(64.5);
    });

    it("worst case, the controllers died too: the single CSI controller's 300 s default toleration and the attacher's backoff dominate", () => {
        const lost = r.nodeFailover.haControllerControllersLost;
        // CSI controller back at 40 + 300 + 2 + 10 = 352 s; ready for attach at 47 s → waits 305 s, + ≤300 s backoff, + 10 s attach.
        expect(secondsOf(lost)[3]).to.deep.equal(["volume attach", 615]);
        expect(lost.totalSeconds).to.equal(742);
        // Two CSI controller replicas: the LINSTOR controller (40 + 30 + 2 + 30 = 102 s) is the bottleneck.
        const two = rtoModel({ csiControllerReplicas: 2 }).nodeFailover.haControllerControllersLost;
        expect(secondsOf(two)[3]).to.deep.equal(["volume attach", 120]);
        expect(two.totalSeconds).to.equal(247);
        expect(r.azFailover.worst.totalSeconds).to.equal(742);
        expect(r.azFailover.best.totalSeconds).to.equal(137);
    });

    it("DNS term: CoreDNS in every zone adds nothing; the bootstrap CoreDNS lost with its zone holds attaches until it is back", () => {
        const two = rtoModel({ csiControllerReplicas: 2 }).nodeFailover.haControllerControllersLost;
        expect(secondsOf(two)[3][1]).to.equal(120);
        expect(two.phases[3].basis).to.contain("CoreDNS answers from the other zones");
        // CoreDNS back at 40 + 300 + 2 + 5 = 347 s; ready for attach at 47 s → waits 300 s, + ≤300 s backoff, + 10 s attach.
        const oneZone = rtoModel({ csiControllerReplicas: 2, dnsInEveryZone: false }).nodeFailover.haControllerControllersLost;
        expect(secondsOf(oneZone)[3]).to.deep.equal(["volume attach", 610]);
        expect(oneZone.phases[3].basis).to.contain("linstor-csi cannot resolve the LINSTOR controller");
    });

    it("without the HA Controller: 40 s + tolerations + 6 min force-detach (+ attach and start)", () => {
        expect(secondsOf(r.nodeFailover.withoutHaController)).to.deep.equal([
            ["detection", 40],
            ["fencing", 30],
            ["reschedule", 2],
            ["volume attach", 370],
            ["Jenkins start", 80],
        ]);
        expect(r.nodeFailover.withoutHaController.totalSeconds).to.equal(522);
        expect(r.nodeFailover.kubernetesDefaults.totalSeconds).to.equal(792);
        expect(r.nodeFailover.kubernetesDefaults.caveat).to.match(/never completes/);
    });

    it("RPO: 0 in the region; across regions the schedule gap + shipping a full (the worst case); none without a schedule", () => {
        expect(r.inRegionRpo.totalSeconds).to.equal(0);
        // 5 min + 20 GiB at 40 MiB/s (512 s) + 60 s: the defaults keep the region RPO ≤ 15 min.
        expect(secondsOf(r.regionRpo as NonNullable<typeof r.regionRpo>)).to.deep.equal([
            ["schedule gap", 300],
            ["shipping a full", 572],
        ]);
        expect(r.regionRpo?.totalSeconds).to.equal(872).and.to.be.at.most(900);
        // Between fulls an increment ships the churn of one gap: 0.25 GiB/h × 5 min = 21.3 MiB.
        expect(r.regionRpo?.phases[1].basis).to.match(/an increment ships 21\.3 MiB \(0\.25 GiB\/h churn\) in 60\.5 s, an RPO of 360\.5 s/);
        const custom = rtoModel({
            snapshotIntervalSeconds: 900,
            snapshotShippingMiBps: 100,
            restoreSizeGiB: 10,
            snapshotShippingOverheadSeconds: 30,
        });
        expect(custom.regionRpo?.totalSeconds).to.equal(1032.4);
        expect(rtoModel({ snapshotFullAfterHours: 0 }).regionRpo?.phases[1].basis).to.match(/every backup \(all full/);
        expect(rtoModel({ snapshotIntervalSeconds: undefined }).regionRpo).to.equal(undefined);
        expect(thrown(() => rtoModel({ snapshotShippingMiBps: 0 })).message).to.match(/rtoModel\.snapshotShippingMiBps/);
    });

    // The DR paths (cold, warm, the verified backup pinned) and the restore estimate: drPaths.spec.ts.

    it("reads the stack's settings", () => {
        const i = rtoInputsFromSettings({
            linstor: { haControllerFailOverTimeoutSeconds: 8, haControllerDrbdStatusIntervalSeconds: 3 },
            jenkins: { tolerationSeconds: 20, startupProbePeriodSeconds: 5, startupProbeFailureThreshold: 24, storageSize: "1Ti" },
            snapshotIntervalSeconds: null,
        });
        expect(i).to.deep.include({
            haControllerFailOverTimeoutSeconds: 8,
            haControllerDrbdStatusIntervalSeconds: 3,
            jenkinsTolerationSeconds: 20,
            startupProbeBudgetSeconds: 120,
            restoreSizeGiB: 1024,
            snapshotIntervalSeconds: undefined,
        });
        expect(rtoInputsFromSettings({ snapshotIntervalSeconds: 7200 }).snapshotIntervalSeconds).to.equal(7200);
        const prePulled = rtoInputsFromSettings({
            jenkins: {
                tolerationSeconds: 30,
                startupProbePeriodSeconds: 10,
                startupProbeFailureThreshold: 60,
                storageSize: "20Gi",
                prePullImage: true,
            },
        });
        expect(prePulled.imagePullSeconds).to.equal(0);
        expect(rtoModel(prePulled).nodeFailover.haController.totalSeconds).to.equal(117);
        // Nothing left to pre-pull or install: the only Jenkins-start knob is the boot.
        expect(rtoModel(prePulled).findings[1]).to.match(/dominates\. Knobs: keep the boot short\./);
        expect(prePulled.pluginsInJenkinsHome).to.equal(true);
        expect(quantityGiB("20Gi")).to.equal(20);
        expect(thrown(() => quantityGiB("20G")).message).to.match(/rtoModel.restoreSizeGiB/);
    });

    it("explains what misses the target and which knob helps", () => {
        expect(r.findings[0]).to.equal("Storage fail-over (failure → volume attached in another zone) takes 57 s: within the 60 s target.");
        expect(r.findings[1]).to.match(
            /^Jenkins answers after 137 s, over the 60 s target: its own start \(80 s\) dominates\. Knobs: pre-pull the image/,
        );
        expect(r.findings[1]).to.match(/node-monitor-grace-period 40 s, fixed on EKS/);
        expect(r.findings[2]).to.match(
            /742 s\. Knob: a lower linstorControllerTolerationSeconds \(now 30 s\); a second CSI controller replica gives 247 s \(a LinstorCluster patch, not set by this stack\)\./,
        );
        expect(rtoModel({ jenkinsBootSeconds: 700 }).findings.join("\n")).to.match(/startup probe allows 600 s: it would be restarted in a loop/);
        const fast = rtoModel({ imagePullSeconds: 0, pluginInstallSeconds: 0, jenkinsBootSeconds: 2, csiControllerReplicas: 2 });
        expect(fast.nodeFailover.haController.totalSeconds).to.equal(59);
        expect(fast.meetsTarget.nodeFailover).to.equal(true);
    });

    it("plugins term: 0 s when they are in JENKINS_HOME (installed once, or baked); the chart's every-start download adds its time and a knob", () => {
        // HaJenkins installs once (or uses a baked image), so the init container downloads nothing on a fail-over:
        // charts/jenkins templates/config.yaml at jenkins-5.9.53 exits at its first line once initialization-completed exists.
        expect(r.nodeFailover.haController.phases[4].basis).to.contain("plugins 0 s (already in JENKINS_HOME");
        const everyStart = rtoModel({ pluginsInJenkinsHome: false });
        expect(secondsOf(everyStart.nodeFailover.haController)[4]).to.deep.equal(["Jenkins start", 110]);
        expect(everyStart.nodeFailover.haController.totalSeconds).to.equal(167);
        expect(everyStart.nodeFailover.haController.phases[4].basis).to.contain(
            "plugin download in the init container 30 s (every start; needs the update center)",
        );
        expect(everyStart.drRto.totalSeconds).to.equal(r.drRto.totalSeconds + 30);
        expect(everyStart.findings[1]).to.match(/Knobs: install the plugins once or bake them into the image \(−30 s\), pre-pull/);
        expect(r.findings[1]).to.not.contain("install the plugins once");
        // pluginInstallSeconds counts only on starts that download.
        expect(rtoModel({ pluginInstallSeconds: 300 }).nodeFailover.haController.totalSeconds).to.equal(137);
    });

    it("rejects negative or non-finite inputs, naming the input", () => {
        expect(thrown(() => rtoModel({ volumeAttachSeconds: -1 })).message).to.match(/rtoModel.volumeAttachSeconds/);
        expect(thrown(() => rtoModel({ restoreThroughputMiBps: 0 })).message).to.match(/rtoModel.restoreThroughputMiBps/);
    });

    it("reads the churn and the chain's full cadence from the snapshot settings", () => {
        const i = rtoInputsFromSettings({
            snapshotIntervalSeconds: 600,
            snapshots: { snapshotExpectedChurnGiBPerHour: 2, snapshotAllowIncremental: true, snapshotFullAfter: "12h" },
        });
        expect(i).to.deep.include({ snapshotIntervalSeconds: 600, snapshotChurnGiBPerHour: 2, snapshotFullAfterHours: 12 });
        const fullOnly = rtoInputsFromSettings({
            snapshots: { snapshotExpectedChurnGiBPerHour: 2, snapshotAllowIncremental: false, snapshotFullAfter: "12h" },
        });
        expect(fullOnly.snapshotFullAfterHours).to.equal(0);
    });

    it("formats every path with its basis for the offline plan", () => {
        const text = formatRtoReport(r);
        expect(text).to.include("HA Controller (LINSTOR and CSI controllers on surviving nodes): 137 s (2.3 min)");
        expect(text).to.include("In-region RPO: 0 s");
        expect(text).to.include("Region RPO: 872 s (14.5 min)");
        expect(text).to.include("DR (cluster created on demand): 10645.6 s (177.4 min)");
        expect(text).to.include("DR warm standby (drMode: standby, then restore): 502.6 s (8.4 min)");
        expect(text).to.match(/Target 60 s: storage met, Jenkins after node fail-over missed, worst-case AZ fail-over missed\./);
        expect(text).to.include("ping-int 10 s + ping-timeout 0.5 s");
    });
});
