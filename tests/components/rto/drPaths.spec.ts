/** The DR RTO paths (components/rto/drPaths.ts) and the restore estimate they share with the waits (restoreTiming.ts). */
import { expect } from "chai";
import { LINSTOR_CLUSTER_DEFAULTS } from "../../../components/linstorCluster/settings";
import { formatRtoReport, RTO_DEFAULTS, type RtoInputs, rtoInputsFromSettings, rtoModel } from "../../../components/rto";
import { chainBackups } from "../../../components/rto/drPaths";
import {
    RESTORE_CEILINGS_INSTANCE_TYPE,
    RESTORE_ESTIMATE,
    RESTORE_GATE_POLL_SECONDS,
    RESTORE_STREAM_CEILINGS_MIBPS,
    RESTORE_TIMING_DEFAULTS,
    RESTORE_WAIT_MARGIN,
} from "../../../components/snapshots/restoreTiming";
import { DR_DEFAULTS } from "../../../stacks/config/dr";

const secondsOf = (p: { phases: readonly { name: string; seconds: number }[] }) => p.phases.map((x) => [x.name, x.seconds]);
const warmOf = (o: Partial<RtoInputs> = {}) => rtoModel({ drClusterPreProvisioned: true, ...o });
/** 0.25 GiB/h of churn × a 5-minute gap: one increment. */
const INCREMENT_GIB = 0.25 / 12;

describe("restore estimate (restoreTiming.ts)", () => {
    it("is the lowest documented ceiling of one download stream, in whole MiB/s, for the default instance and data volume", () => {
        // One GetObject per link (linstor-server v1.33.3 BackupShippingS3Daemon.runRestoring): one S3 request, 85 MB/s at
        // AWS's lower bound; m6i.large's 0.781 Gbps network and 650 Mbps EBS baselines; the gp3 data volume's 125 MiB/s.
        expect(RESTORE_STREAM_CEILINGS_MIBPS.s3OneRequest).to.be.closeTo(81.06, 0.01);
        expect(RESTORE_STREAM_CEILINGS_MIBPS.instanceBaselineNetwork).to.be.closeTo(93.1, 0.01);
        expect(RESTORE_STREAM_CEILINGS_MIBPS.instanceBaselineEbs).to.be.closeTo(77.49, 0.01);
        expect(RESTORE_STREAM_CEILINGS_MIBPS.dataVolumeGp3).to.equal(125);
        expect(RESTORE_ESTIMATE.throughputMiBps).to.equal(77);
        // The ceilings are for the defaults: a changed default instance type or data volume needs them re-read.
        expect(LINSTOR_CLUSTER_DEFAULTS.instanceType).to.equal(RESTORE_CEILINGS_INSTANCE_TYPE);
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
    });
});

describe("DR RTO paths", () => {
    const r = rtoModel();

    it("cold: cluster build, the gate downloading the whole chain, the local CSI restore, Jenkins start; it grows with the chain", () => {
        // Defaults: 20 GiB, a backup every 5 minutes, a full every 24 h: 289 backups, 288 increments.
        expect(chainBackups(r.inputs)).to.equal(289);
        const chainMiB = (20 + 288 * INCREMENT_GIB) * 1024;
        expect(secondsOf(r.dr.cold)).to.deep.equal([
            ["EKS cluster", 900],
            ["node groups", 300],
            ["storage stack", 300],
            // 26 GiB at 77 MiB/s + 289 links × 30 s + the gate's poll: the links dominate.
            ["restore gate", Math.round((chainMiB / 77 + 289 * 30 + 5) * 10) / 10],
            ["CSI restore", 30],
            ["Jenkins start", 80],
        ]);
        expect(r.dr.cold.totalSeconds).to.equal(10630.8);
        expect(r.drRto).to.equal(r.dr.cold);
        expect(r.dr.cold.phases[3].basis).to.match(/a full of 20 GiB and 288 increments: 26 GiB from S3 at 77 MiB\/s \+ 289 link\(s\) × 30 s/);
        expect(r.dr.cold.phases[3].basis).to.contain("seen by the gate's poll within 5 s");
        // All-full backups: a chain of one.
        expect(rtoModel({ snapshotFullAfterHours: 0 }).dr.cold.phases[3].seconds).to.equal(Math.round((20480 / 77 + 35) * 10) / 10);
        expect(rtoModel({ restoreSizeGiB: 100, restoreThroughputMiBps: 200, snapshotFullAfterHours: 0 }).dr.cold.phases[3].seconds).to.equal(547);
        // A cold cluster pulls the image whatever the primary does (its DaemonSet starts with Jenkins).
        expect(rtoModel({ imagePullSeconds: 0 }).dr.cold.phases[5].seconds).to.equal(80);
    });

    it("warm worst case at the defaults: within 10 minutes, the sum of its phases, none left out", () => {
        const warm = warmOf();
        const i = warm.inputs;
        expect(warm.drRto).to.equal(warm.dr.warm);
        expect(warm.dr.warm.phases.map((p) => p.name)).to.deep.equal(["pulumi up", "restore gate", "CSI restore", "Jenkins start"]);
        // Computed here from the inputs, phase by phase: dropping or changing a phase in drPaths.ts breaks it.
        const gate = ((i.restoreSizeGiB + INCREMENT_GIB) * 1024) / i.restoreThroughputMiBps + 2 * i.restorePerLinkSeconds + i.restoreGatePollSeconds;
        const expected = i.drPulumiUpSeconds + gate + i.restorePerLinkSeconds + i.imagePullSeconds + i.jenkinsBootSeconds;
        expect(warm.dr.warm.totalSeconds).to.be.closeTo(expected, 0.1);
        expect(warm.dr.warm.totalSeconds).to.equal(501.3).and.to.be.at.most(i.drTargetSeconds);
        expect(i.drTargetSeconds).to.equal(600);
        expect(warm.dr.warm.phases[1].basis).to.match(
            /a new full it has not fetched yet \(or is still fetching: the gate waits for it\) and 1 increment/,
        );
        // Without a new full in the window (most fail-overs): one increment, one link.
        expect(warm.dr.warm.caveat).to.match(/without one in the window 205\.3 s \(3\.4 min\)/);
        // A longer chain and the check's interval change nothing; a rarer download step, a larger claim or a slower S3 do.
        expect(warmOf({ snapshotFullAfterHours: 168 }).drRto.totalSeconds).to.equal(501.3);
        expect(warmOf({ restoreCheckIntervalSeconds: 300 }).drRto.totalSeconds).to.equal(501.3);
        expect(warmOf({ restoreDownloadIntervalSeconds: 3600 }).drRto.totalSeconds).to.be.greaterThan(501.3 + 11 * 30);
        expect(warmOf({ restoreThroughputMiBps: 25 }).drRto.totalSeconds).to.be.greaterThan(1000);
        expect(warmOf({ restoreSizeGiB: 100 }).drRto.totalSeconds).to.be.greaterThan(600);
    });

    it("pre-pulled on the standby (jenkinsPrePullImage): the warm start pulls nothing; the cold one still does", () => {
        const settings = { tolerationSeconds: 30, startupProbePeriodSeconds: 10, startupProbeFailureThreshold: 60, storageSize: "20Gi" };
        const on = rtoModel({ ...rtoInputsFromSettings({ jenkins: { ...settings, prePullImage: true } }), drClusterPreProvisioned: true });
        const off = rtoModel({ ...rtoInputsFromSettings({ jenkins: { ...settings, prePullImage: false } }), drClusterPreProvisioned: true });
        expect(secondsOf(on.dr.warm)[3]).to.deep.equal(["Jenkins start", 60]);
        expect(on.dr.warm.phases[3].basis).to.match(/^image pre-pulled by the standby's DaemonSet \(jenkinsPrePullImage\)/);
        expect(secondsOf(off.dr.warm)[3]).to.deep.equal(["Jenkins start", 80]);
        expect(on.dr.warm.totalSeconds).to.equal(481.3);
        expect(off.dr.warm.totalSeconds).to.equal(501.3);
        expect(secondsOf(on.dr.cold)[5]).to.deep.equal(["Jenkins start", 80]);
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
        expect(r.dr.warmBreakEvenMiBps).to.equal(56.2);
        expect(warmOf({ imagePullSeconds: 0 }).dr.warmBreakEvenMiBps).to.equal(53.3);
        // The estimate, a ceiling, is named beside it, with how to measure the real rate.
        expect(warmOf().dr.warm.caveat).to.contain("(estimate 77 MiB/s, a documented ceiling: measure with the DR drill)");
        // A rest of the path longer than the target: no rate is enough, and it says so.
        const never = warmOf({ drTargetSeconds: 120 });
        expect(never.dr.warmBreakEvenMiBps).to.equal(undefined);
        expect(never.dr.warm.caveat).to.contain("Misses the 2-minute target at any S3 rate");
    });

    it("the verified backup pinned: the gate finds it local, one local link, at the price of its age", () => {
        const warm = warmOf();
        expect(secondsOf(warm.dr.warmVerified)).to.deep.equal([
            ["pulumi up", 60],
            ["restore gate", 5],
            ["CSI restore", 30],
            ["Jenkins start", 80],
        ]);
        expect(warmOf({ restoreSizeGiB: 100 }).dr.warmVerified.totalSeconds).to.equal(175);
        expect(warm.dr.warmVerified.phases[1].basis).to.equal(
            "its chain is already downloaded: nothing to download, seen by the gate's poll within 5 s",
        );
        expect(warm.dr.warmVerified.caveat).to.match(/RPO: that backup's age, up to the check interval \+ a snapshot gap \(65 min\)/);
        const text = formatRtoReport(warm);
        expect(text).to.match(/DR warm standby \(drMode: standby, then restore\): 501\.3 s \(8\.4 min\)/);
        expect(text).to.include("DR warm standby, the backup the restore check verified pinned (runbook): 175 s (2.9 min)");
    });
});
