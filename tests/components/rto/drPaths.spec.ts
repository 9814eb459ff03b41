/** The DR RTO paths (components/rto/drPaths.ts) and the restore estimate they share with the waits (restoreTiming.ts). */
import { expect } from "chai";
import { LINSTOR_CLUSTER_DEFAULTS } from "../../../components/linstorCluster/settings";
import { formatRtoReport, RTO_DEFAULTS, type RtoInputs, rtoInputsFromSettings, rtoModel } from "../../../components/rto";
import { chainBackups } from "../../../components/rto/drPaths";
import {
    RESTORE_ESTIMATE,
    RESTORE_GATE_POLL_SECONDS,
    RESTORE_RATES_INSTANCE_TYPE,
    RESTORE_STREAM_RATES_MIBPS,
    RESTORE_TIMING_DEFAULTS,
    RESTORE_WAIT_MARGIN,
} from "../../../components/snapshots/restoreTiming";
import { DR_DEFAULTS } from "../../../stacks/config/dr";

const secondsOf = (p: { phases: readonly { name: string; seconds: number }[] }) => p.phases.map((x) => [x.name, x.seconds]);
const warmOf = (o: Partial<RtoInputs> = {}) => rtoModel({ ...o, drClusterPreProvisioned: true });
/** 0.25 GiB/h of churn × a 5-minute gap: one increment. */
const INCREMENT_GIB = 0.25 / 12;

describe("restore estimate (restoreTiming.ts)", () => {
    it("is the expected rate of one download stream: the lowest of the documented per-stream figures, in whole MiB/s", () => {
        // One GetObject per link (linstor-server v1.33.3 BackupShippingS3Daemon.runRestoring): AWS's sizing figure for one
        // request, 85 MB/s at its lower end; m6i.large's sustained 0.781 Gbps network and 650 Mbps EBS baselines; the gp3
        // data volume's 125 MiB/s. Expected rates and sustained limits (bursts allowed), not ceilings of the download.
        expect(RESTORE_STREAM_RATES_MIBPS.s3OneRequest).to.be.closeTo(81.06, 0.01);
        expect(RESTORE_STREAM_RATES_MIBPS.instanceBaselineNetwork).to.be.closeTo(93.1, 0.01);
        expect(RESTORE_STREAM_RATES_MIBPS.instanceBaselineEbs).to.be.closeTo(77.49, 0.01);
        expect(RESTORE_STREAM_RATES_MIBPS.dataVolumeGp3).to.equal(125);
        expect(RESTORE_ESTIMATE.throughputMiBps).to.equal(77);
        // The figures are for the defaults: a changed default instance type or data volume needs them re-read.
        expect(LINSTOR_CLUSTER_DEFAULTS.instanceType).to.equal(RESTORE_RATES_INSTANCE_TYPE);
        expect(LINSTOR_CLUSTER_DEFAULTS.dataVolumeType).to.equal("gp3");
        expect(RTO_DEFAULTS.restoreThroughputMiBps).to.equal(RESTORE_ESTIMATE.throughputMiBps);
        expect(RTO_DEFAULTS.restorePerLinkSeconds).to.equal(RESTORE_ESTIMATE.perLinkSeconds).and.equal(30);
        expect(RTO_DEFAULTS.restoreGatePollSeconds).to.equal(RESTORE_GATE_POLL_SECONDS).and.equal(5);
    });

    it("leaves the waits at least RESTORE_WAIT_MARGIN times as patient, as the integer config default", () => {
        expect(RESTORE_TIMING_DEFAULTS.throughputMiBps).to.equal(38);
        expect(Number.isInteger(RESTORE_TIMING_DEFAULTS.throughputMiBps)).to.equal(true);
        expect(RESTORE_TIMING_DEFAULTS.throughputMiBps * RESTORE_WAIT_MARGIN).to.be.at.most(RESTORE_ESTIMATE.throughputMiBps);
        expect(RESTORE_TIMING_DEFAULTS.perBackupSeconds).to.equal(RESTORE_ESTIMATE.perLinkSeconds * RESTORE_WAIT_MARGIN);
        // The config key `restoreThroughputMiBps` defaults to it (stacks/config/dr.ts).
        expect(DR_DEFAULTS.restoreThroughputMiBps).to.equal(RESTORE_TIMING_DEFAULTS.throughputMiBps);
        // The model shows the warm path at that rate too.
        expect(RTO_DEFAULTS.restoreWaitsThroughputMiBps).to.equal(RESTORE_TIMING_DEFAULTS.throughputMiBps);
    });
});

describe("DR RTO paths", () => {
    const r = rtoModel();

    it("cold: cluster build, LINSTOR's walk of the chain, the gate downloading it, the local CSI restore, Jenkins start; it grows with the chain", () => {
        // Defaults: 20 GiB, a backup every 5 minutes, a full every 24 h: 289 backups, 288 increments.
        expect(chainBackups(r.inputs)).to.equal(289);
        const chainMiB = (20 + 288 * INCREMENT_GIB) * 1024;
        expect(secondsOf(r.dr.cold)).to.deep.equal([
            ["EKS cluster", 900],
            ["node groups", 300],
            ["storage stack", 300],
            // The gate's list (3 listing pages: 1159 backups × 2 objects, + its meta) and its one POST (3 pages + 289 metas,
            // all from S3): 296 requests × 0.05 s.
            ["chain walk", 14.8],
            // 26 GiB at 77 MiB/s + 289 links × 30 s + the gate's poll: the links dominate.
            ["restore gate", Math.round((chainMiB / 77 + 289 * 30 + 5) * 10) / 10],
            ["CSI restore", 30],
            ["Jenkins start", 80],
        ]);
        expect(r.dr.cold.totalSeconds).to.equal(10645.6);
        expect(r.drRto).to.equal(r.dr.cold);
        expect(r.dr.cold.phases[4].basis).to.match(/a full of 20 GiB and 288 increments: 26 GiB from S3 at 77 MiB\/s \+ 289 link\(s\) × 30 s/);
        expect(r.dr.cold.phases[4].basis).to.contain("seen by the gate's poll within 5 s");
        expect(r.dr.cold.phases[3].basis).to.contain("the gate's one POST (nothing else restores into the new cluster)");
        // All-full backups: a chain of one.
        expect(rtoModel({ snapshotFullAfterHours: 0 }).dr.cold.phases[4].seconds).to.equal(Math.round((20480 / 77 + 35) * 10) / 10);
        expect(rtoModel({ restoreSizeGiB: 100, restoreThroughputMiBps: 200, snapshotFullAfterHours: 0 }).dr.cold.phases[4].seconds).to.equal(547);
        // A cold cluster pulls the image whatever the primary does (its DaemonSet starts with Jenkins).
        expect(rtoModel({ imagePullSeconds: 0 }).dr.cold.phases[6].seconds).to.equal(80);
    });

    it("warm worst case at the defaults: the worse of a new full and the end of a chain, at the estimated rate", () => {
        const warm = warmOf();
        const i = warm.inputs;
        expect(warm.drRto).to.equal(warm.dr.warm);
        expect(warm.dr.warm.phases.map((p) => p.name)).to.deep.equal(["pulumi up", "chain walk", "restore gate", "CSI restore", "Jenkins start"]);
        expect(secondsOf(warm.dr.warm)).to.deep.equal([
            // 60 s + the catalog read: 2 listings × 3 pages + head + 1 round of the 2-link chain + sizes = 10 rounds × 0.05 s.
            ["pulumi up", 60.5],
            // The gate's list and 3 POSTs × 3 listing pages + the list's meta + the new full's and its increment's metas
            // from S3 = 15 requests × 0.05 s.
            ["chain walk", 0.8],
            // 20 GiB + one increment at 77 MiB/s + 2 links × 30 s + the poll.
            ["restore gate", Math.round((((20 + INCREMENT_GIB) * 1024) / 77 + 65) * 10) / 10],
            ["CSI restore", 30],
            ["Jenkins start", 80],
        ]);
        expect(warm.dr.warm.totalSeconds).to.equal(502.6).and.to.be.at.most(i.drTargetSeconds);
        expect(i.drTargetSeconds).to.equal(600);
        expect(warm.dr.warm).to.deep.include({ totalSeconds: warm.dr.warmPlacements.newFull.totalSeconds });
        expect(warm.dr.warm.phases[2].basis).to.match(
            /a new full it has not fetched yet \(or is still fetching: the gate waits for it\) and 1 increment/,
        );
        // The end of a chain: one increment, but the whole 289-link chain walked with the controller's cache cold.
        const end = warm.dr.warmPlacements.chainEnd;
        expect(secondsOf(end)[1]).to.deep.equal(["chain walk", Math.round((4 * 3 + 1 + 289) * 0.05 * 10) / 10]);
        expect(end.phases[1].basis).to.contain("289 meta(s) from S3, the rest from the controller's cache");
        expect(warm.dr.warm.caveat).to.match(/at the end of a chain \(its longest walk, no new full\) 222\.7 s \(3\.7 min\)/);
    });

    it("a longer chain lengthens LINSTOR's walk per POST and the catalog read; the check's interval changes nothing", () => {
        // snapshotFullAfter 168h: 2017 links, 4613 backups kept (10 listing pages), from the settings as the plan reads them.
        const weekly = rtoInputsFromSettings({
            snapshots: { snapshotExpectedChurnGiBPerHour: 0.25, snapshotAllowIncremental: true, snapshotFullAfter: "168h" },
        });
        expect([weekly.snapshotFullAfterHours, weekly.restoreResourceBackups]).to.deep.equal([168, 4613]);
        const long = warmOf(weekly);
        expect(long.dr.warmPlacements.chainEnd.phases[1].seconds).to.equal(Math.round((4 * 10 + 1 + 2017) * 0.05 * 10) / 10);
        expect(long.dr.warmPlacements.chainEnd.totalSeconds).to.equal(322);
        expect(long.drRto.totalSeconds).to.equal(504.7).and.be.greaterThan(warmOf().drRto.totalSeconds);
        // At AWS's slower small-request latencies the long walk alone misses the target (no S3 rate helps).
        const slowRequests = warmOf({ ...weekly, s3RequestSeconds: 0.2 });
        expect(slowRequests.drRto.totalSeconds).to.equal(672.1);
        expect(slowRequests.dr.warm.caveat).to.contain("Worst of two placements shown (the end of a chain: its longest walk)");
        expect(slowRequests.dr.warmBreakEvenMiBps).to.equal(undefined);
        expect(warmOf({ restoreCheckIntervalSeconds: 300 }).drRto.totalSeconds).to.equal(502.6);
        expect(warmOf({ restoreDownloadIntervalSeconds: 3600 }).drRto.totalSeconds).to.be.greaterThan(502.6 + 11 * 30);
        expect(warmOf({ restoreThroughputMiBps: 25 }).drRto.totalSeconds).to.be.greaterThan(1000);
        expect(warmOf({ restoreSizeGiB: 100 }).drRto.totalSeconds).to.be.greaterThan(600);
    });

    it("shows the warm worst case at the restore waits' rate too (half the estimate), and which figure the 10 minutes rest on", () => {
        for (const base of [{}, { imagePullSeconds: 0 }]) {
            const m = warmOf(base);
            const slow = warmOf({ ...base, restoreThroughputMiBps: RESTORE_TIMING_DEFAULTS.throughputMiBps });
            expect(m.dr.warmAtWaitsRate.totalSeconds).to.equal(slow.dr.warm.totalSeconds).and.be.greaterThan(600);
            expect(m.dr.warm.caveat).to.contain(
                `at the 38 MiB/s the restore waits allow (half of it) ${slow.dr.warm.totalSeconds} s (${(slow.dr.warm.totalSeconds / 60).toFixed(1)} min)`,
            );
            expect(m.dr.warm.caveat).to.contain(
                `At 77 MiB/s, the expected rate of one S3 stream (RESTORE_ESTIMATE, unmeasured), it takes ${m.dr.warm.totalSeconds} s`,
            );
        }
        expect(warmOf({ imagePullSeconds: 0 }).dr.warmAtWaitsRate.totalSeconds).to.equal(755.8);
        expect(warmOf().dr.warm.caveat).to.contain("the 10-minute target rests on that rate, which the DR drill measures");
        // The replica sync after the CSI restore: named, off the path.
        expect(warmOf().dr.warm.caveat).to.match(/Not on this path: .*DRBD syncs them .*reconcileSnapshotResources restores on one node/);
        const text = formatRtoReport(warmOf());
        expect(text).to.match(/^RTO\/RPO model: each path's worst-case timing at the estimated rates and durations, not an upper bound/);
        expect(text).to.not.contain("upper bounds");
    });

    it("pre-pulled on the standby (jenkinsPrePullImage): the warm start pulls nothing; the cold one still does", () => {
        const settings = { tolerationSeconds: 30, startupProbePeriodSeconds: 10, startupProbeFailureThreshold: 60, storageSize: "20Gi" };
        const on = rtoModel({ ...rtoInputsFromSettings({ jenkins: { ...settings, prePullImage: true } }), drClusterPreProvisioned: true });
        const off = rtoModel({ ...rtoInputsFromSettings({ jenkins: { ...settings, prePullImage: false } }), drClusterPreProvisioned: true });
        expect(secondsOf(on.dr.warm)[4]).to.deep.equal(["Jenkins start", 60]);
        expect(on.dr.warm.phases[4].basis).to.match(/^image pre-pulled by the standby's DaemonSet \(jenkinsPrePullImage\)/);
        expect(secondsOf(off.dr.warm)[4]).to.deep.equal(["Jenkins start", 80]);
        expect(on.dr.warm.totalSeconds).to.equal(482.6);
        expect(off.dr.warm.totalSeconds).to.equal(502.6);
        expect(secondsOf(on.dr.cold)[6]).to.deep.equal(["Jenkins start", 80]);
    });

    it("break-even: the caveat names the S3 rate below which the worst case misses the target, computed", () => {
        for (const base of [{}, { imagePullSeconds: 0 }, { restoreSizeGiB: 30 }, { drPulumiUpSeconds: 120 }]) {
            const be = warmOf(base).dr.warmBreakEvenMiBps as number;
            expect(be, JSON.stringify(base)).to.be.a("number");
            // At the break-even rate it holds; 0.1 MiB/s slower it misses.
            expect(warmOf({ ...base, restoreThroughputMiBps: be }).dr.warm.totalSeconds).to.be.at.most(600);
            expect(warmOf({ ...base, restoreThroughputMiBps: be - 0.1 }).dr.warm.totalSeconds).to.be.greaterThan(600);
            expect(warmOf(base).dr.warm.caveat).to.contain(`holds the 10-minute target while LINSTOR reads ≥ ${be} MiB/s from S3`);
        }
        expect(r.dr.warmBreakEvenMiBps).to.equal(56.4);
        expect(warmOf({ imagePullSeconds: 0 }).dr.warmBreakEvenMiBps).to.equal(53.5);
        // A rest of the path longer than the target: no rate is enough, and it says so.
        const never = warmOf({ drTargetSeconds: 120 });
        expect(never.dr.warmBreakEvenMiBps).to.equal(undefined);
        expect(never.dr.warm.caveat).to.contain("Misses the 2-minute target at any S3 rate");
    });

    it("the verified backup pinned: the gate finds it local, one local link, at the price of its age", () => {
        const warm = warmOf();
        expect(secondsOf(warm.dr.warmVerified)).to.deep.equal([
            // The catalog reads the pinned backup's 289-link chain: 2 × 3 pages + 2 + 37 rounds of 8 + 1 = 46 × 0.05 s.
            ["pulumi up", 62.3],
            ["restore gate", 5],
            ["CSI restore", 30],
            ["Jenkins start", 80],
        ]);
        expect(warmOf({ restoreSizeGiB: 100 }).dr.warmVerified.totalSeconds).to.equal(177.3);
        expect(warm.dr.warmVerified.phases[1].basis).to.equal(
            "its chain is already downloaded: nothing to download, seen by the gate's poll within 5 s",
        );
        expect(warm.dr.warmVerified.caveat).to.match(/RPO: that backup's age, up to the check interval \+ a snapshot gap \(65 min\)/);
        const text = formatRtoReport(warm);
        expect(text).to.match(/DR warm standby \(drMode: standby, then restore\): 502\.6 s \(8\.4 min\)/);
        expect(text).to.include("DR warm standby, the backup the restore check verified pinned (runbook): 177.3 s (3.0 min)");
    });
});
