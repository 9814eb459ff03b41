/** The monthly cost of the backups and of DRBD's replication traffic (components/rto/cost.ts). */
import { expect } from "chai";
import { AWS_PRICES, type CostInputs, formatMonthlyCost, monthlyBackupCost } from "../../../components/rto/cost";
import { retentionFootprint, scheduleRunsPerDay } from "../../../components/snapshots/retention";
import { S3_SNAPSHOT_SETTINGS_DEFAULTS as D } from "../../../components/snapshots/settings";

const retention = retentionFootprint({ ...D, snapshotScheduleEnabled: true }, 20) as NonNullable<ReturnType<typeof retentionFootprint>>;
const defaults: CostInputs = {
    claimGiB: 20,
    churnGiBPerHour: D.snapshotExpectedChurnGiBPerHour,
    retention,
    runsPerDay: scheduleRunsPerDay(D.snapshotSchedule),
    fullAfterHours: 24,
    noncurrentVersionDays: 30,
    jenkinsReplicas: 3,
    natGateways: "OnePerAz",
    zones: 3,
    crossRegion: true,
};
const line = (c: ReturnType<typeof monthlyBackupCost>, item: string) => c.lines.find((l) => l.item === item);

describe("monthly backup and replication cost", () => {
    it("prices the documented AWS list prices", () => {
        expect(AWS_PRICES).to.deep.equal({
            s3StandardPerGbMonth: 0.023,
            s3PutListPer1000: 0.005,
            natProcessingPerGb: 0.045,
            interRegionPerGb: 0.02,
            interAzPerGbEachDirection: 0.01,
        });
    });

    it("the defaults: a 20 GiB full a day and 287 increments ship ~790 GB a month through NAT to another region", () => {
        const c = monthlyBackupCost(defaults);
        // (20 + 287 × 0.25/12) GiB a day × 730/24 days.
        expect(c.shippedGiBPerMonth).to.equal(790);
        expect(line(c, "inter-region transfer")?.usdPerMonth).to.equal(15.8);
        expect(line(c, "NAT data processing")?.usdPerMonth).to.equal(35.56);
        expect(line(c, "NAT data processing")?.basis).to.contain("no S3 gateway endpoint serves a bucket in another region");
        // 0.25 GiB/h × 730 h × 2 other zones × ($0.01 out + $0.01 in).
        expect(line(c, "inter-AZ DRBD replication")?.usdPerMonth).to.equal(7.3);
        // 219 GB kept (the expired chain while it drains included) + 26 GB a day × 30 noncurrent days.
        expect(line(c, "S3 storage")?.usdPerMonth).to.equal(22.62);
        expect(line(c, "S3 requests")?.usdPerMonth).to.be.within(0.5, 1);
        expect(c.totalUsd).to.equal(Math.round(c.lines.reduce((t, l) => t + l.usdPerMonth, 0) * 100) / 100);
        expect(formatMonthlyCost(c)).to.match(/^Backup and replication traffic, monthly .*: \$82\.18\n/);
    });

    it("a single NAT gateway adds inter-AZ transfer for the nodes of the other zones; an unknown VPC is assumed behind NAT", () => {
        const single = line(monthlyBackupCost({ ...defaults, natGateways: "Single" }), "NAT data processing");
        // 790 GB × 2/3 × $0.02 on top of processing.
        expect(single?.usdPerMonth).to.be.closeTo(35.56 + 790.4 * (2 / 3) * 0.02, 0.05);
        expect(single?.basis).to.contain("inter-AZ to the single gateway");
        expect(line(monthlyBackupCost({ ...defaults, natGateways: "existing" }), "NAT data processing")?.basis).to.match(/^assumed/);
    });

    it("follows the settings: no inter-region charge in the bucket's region, more replicas, full-only backups", () => {
        expect(line(monthlyBackupCost({ ...defaults, crossRegion: false }), "inter-region transfer")?.usdPerMonth).to.equal(0);
        // Beside its bucket the stack's S3 gateway endpoint carries it: no NAT; an existing VPC's routes are unknown: NAT.
        const beside = line(monthlyBackupCost({ ...defaults, crossRegion: false }), "NAT data processing");
        expect(beside?.usdPerMonth).to.equal(0);
        expect(beside?.basis).to.contain("S3 gateway endpoint");
        expect(line(monthlyBackupCost({ ...defaults, crossRegion: false, natGateways: "existing" }), "NAT data processing")?.usdPerMonth).to.equal(
            35.56,
        );
        expect(line(monthlyBackupCost({ ...defaults, jenkinsReplicas: 2 }), "inter-AZ DRBD replication")?.usdPerMonth).to.equal(3.65);
        const fullOnly = monthlyBackupCost({ ...defaults, fullAfterHours: 0, runsPerDay: 24 });
        expect(fullOnly.shippedGiBPerMonth).to.equal(Math.round(24 * 20 * (730 / 24)));
    });
});
