/**
 * Failback is DR in reverse: the DR stack, live with drSnapshotsEnabled, ships to the same bucket and exports what a
 * DR stack reads; a new DR-role stack in the original region (primaryStack = the DR stack) then restores the newest
 * complete backup, which is now the DR cluster's, and needs the DR stack as little as the DR stack needed the primary.
 */
import { expect } from "chai";
import { parseMetaKey } from "../../components/snapshots/backupCatalog";
import { DR_READS_REQUIRED } from "../../stacks/outputs";
import { PRIMARY_CLUSTER_ID, primaryBucket, shipChain, stalePrimaryResumes } from "../support/fakes/fakeLinstorBucket";
import { ofType, one } from "../support/mocks";
import { devOutputs, evaluateDr, rejection, UNSET } from "./drFixtures";

const DR_STACK = "organization/ha-jenkins-eks/dr";
/** LINSTOR cluster ids are UUIDs (Cluster/LocalID); restoreSourceClusterId refuses anything else. */
const DR_CLUSTER_ID = "5e0c9a7d-0000-4000-8000-00000000d0d0";
const NO_SUCH_CLUSTER_ID = "5e0c9a7d-0000-4000-8000-0000000000ff";
const ORIGINAL_REGION = {
    "aws:region": "us-west-2",
    "ha-jenkins-eks:availabilityZones": '["us-west-2a","us-west-2b","us-west-2c"]',
    "ha-jenkins-eks:primaryStack": DR_STACK,
};

describe("failback: DR in reverse", () => {
    let dev: Record<string, unknown>;
    let live: Record<string, unknown>;
    before(async () => {
        dev = await devOutputs();
        live = await evaluateDr({ "ha-jenkins-eks:drSnapshotsEnabled": "true" });
    });

    it("the live DR copy snapshots its restored claim into the same bucket, creating no bucket", () => {
        const cron = one("kubernetes:batch/v1:CronJob", "schedule");
        const env = Object.fromEntries(cron.inputs.spec.jobTemplate.spec.template.spec.initContainers[0].env.map((e: any) => [e.name, e.value]));
        expect(env.PVC_NAME).to.equal(live.restoredClaimName);
        expect(ofType("aws:s3/bucket:Bucket")).to.have.length(0);
        const actions = JSON.parse(one("aws:iam/userPolicy:UserPolicy").inputs.policy).Statement.flatMap((s: any) => [].concat(s.Action));
        expect(actions).to.include("s3:PutObject");
        expect(live.snapshotBucketName).to.equal(dev.snapshotBucketName);
        expect(live.linstorRemoteName).to.equal(dev.linstorRemoteName);
    });

    it("exports everything a DR stack reads from its primary", () => {
        for (const key of DR_READS_REQUIRED) expect(live, key).to.have.property(key);
        expect(live.jenkinsPvcName).to.equal(live.restoredClaimName);
    });

    /** The bucket after the fail-over: the primary's day of backups, then the DR cluster's (a newer chain of its own claim). */
    function bucketAfterFailover() {
        const { bucket, ids } = primaryBucket(dev.snapshotBucketName as string);
        const dr = shipChain(bucket, {
            resource: "pvc-dddddddd-0000-4000-8000-00000000000d",
            pvcNamespace: "jenkins",
            pvcName: live.restoredClaimName as string,
            clusterId: DR_CLUSTER_ID,
            start: new Date("2026-07-03T00:00:00Z"),
            increments: 5,
        });
        return { bucket, dr, primaryIds: ids };
    }

    /** The same, and the old primary back from 02:30 on, shipping its stale claim beside the DR cluster (H2). */
    function bucketWithStalePrimary(start = new Date("2026-07-03T02:30:00Z")) {
        const b = bucketAfterFailover();
        const stale = stalePrimaryResumes(b.bucket, { lastPrimaryBackup: b.primaryIds.at(-1) as string, start, backups: 4 });
        return { ...b, stale };
    }

    const bucketKeys = () => ({
        ...ORIGINAL_REGION,
        "ha-jenkins-eks:primaryStack": UNSET,
        "ha-jenkins-eks:restoreBucketName": dev.snapshotBucketName as string,
        "ha-jenkins-eks:restoreBucketRegion": dev.snapshotBucketRegion as string,
        "ha-jenkins-eks:restoreBucketKmsKeyArn": dev.snapshotKmsKeyArn as string,
    });

    describe("an old primary that came back and ships its stale claim into the same bucket", () => {
        it("refuses to choose, naming restoreSourceClusterId and both clusters, when the stale backups are the newest", async () => {
            const { bucket, stale } = bucketWithStalePrimary();
            const msg = await rejection(ORIGINAL_REGION, { stack: "failback", primaryName: DR_STACK, primary: live, bucket });
            expect(msg).to.contain("ha-jenkins-eks:restoreSourceClusterId");
            expect(msg).to.contain(`${PRIMARY_CLUSTER_ID}, which the primary stack replaced`);
            expect(msg).to.contain(`${DR_CLUSTER_ID} (pvc-dddddddd`);
            expect(msg).to.contain("cronjob jenkins-snapshots");
            expect(stale.at(-1)).to.match(/_back_20260703_053000/);
        });

        it("refuses on the bucket alone too (no primary outputs): two clusters shipped the claim over the same hours", async () => {
            const { bucket } = bucketWithStalePrimary();
            const msg = await rejection(bucketKeys(), { stack: "failback", primary: "none", bucket });
            expect(msg).to.contain("ha-jenkins-eks:restoreSourceClusterId");
            expect(msg).to.contain("more than one LINSTOR cluster shipped backups of the claim over the same time");
        });

        it("refuses when the old primary came back only after the DR cluster stopped shipping, from the primary stack's record", async () => {
            const { bucket } = bucketWithStalePrimary(new Date("2026-07-04T12:00:00Z"));
            const msg = await rejection(ORIGINAL_REGION, { stack: "failback", primaryName: DR_STACK, primary: live, bucket });
            expect(msg).to.contain(`${PRIMARY_CLUSTER_ID}, which the primary stack replaced`);
        });

        it("with restoreSourceClusterId it restores that cluster's newest backup and never a stale one", async () => {
            const { bucket, dr, stale } = bucketWithStalePrimary();
            const back = await evaluateDr(
                { ...ORIGINAL_REGION, "ha-jenkins-eks:restoreSourceClusterId": DR_CLUSTER_ID },
                { stack: "failback", primaryName: DR_STACK, primary: live, bucket },
            );
            const b = back.restoredBackup as Record<string, unknown>;
            expect(b).to.deep.include({ id: dr.at(-1), clusterId: DR_CLUSTER_ID, chainLength: 6 });
            expect(stale).to.not.include(b.id);
            const handle = one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent").inputs.spec.source.snapshotHandle as string;
            expect(handle).to.contain("pvc-dddddddd-0000-4000-8000-00000000000d/");
        });

        it("a restoreSourceClusterId that shipped no backup of the claim is refused with the clusters that did", async () => {
            const { bucket } = bucketWithStalePrimary();
            const msg = await rejection(
                { ...bucketKeys(), "ha-jenkins-eks:restoreSourceClusterId": NO_SUCH_CLUSTER_ID },
                { stack: "failback", primary: "none", bucket },
            );
            expect(msg).to.contain("ha-jenkins-eks:restoreSourceClusterId").and.contain(NO_SUCH_CLUSTER_ID).and.contain(`${DR_CLUSTER_ID} (`);
        });
    });

    it("a DR-role stack in the original region restores the DR cluster's newest backup from the same bucket", async () => {
        const { bucket, dr } = bucketAfterFailover();
        const back = await evaluateDr(ORIGINAL_REGION, { stack: "failback", primaryName: DR_STACK, primary: live, bucket });
        expect(back.region).to.equal("us-west-2");
        expect(back.primaryRegion).to.equal("us-east-2");
        const b = back.restoredBackup as Record<string, unknown>;
        expect(b).to.deep.include({ id: dr.at(-1), clusterId: DR_CLUSTER_ID, chainLength: 6 });
        const snap = parseMetaKey(`${dr.at(-1)}.meta`)!.snapshot;
        expect(one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent").inputs.spec.source.snapshotHandle).to.equal(
            `s3://s3-us-east-2/pvc-dddddddd-0000-4000-8000-00000000000d/${snap}`,
        );
        // The bucket stays in its region: the original region reads across regions now.
        expect(back.restoreReadsAcrossRegions).to.equal(true);
        expect(ofType("kubernetes:helm.sh/v3:Release").some((r) => r.inputs.chart === "jenkins")).to.equal(true);
    });

    it("needs nothing from the DR stack either: with the bucket keys it fails back on its own", async () => {
        const { bucket, dr } = bucketAfterFailover();
        const back = await evaluateDr(bucketKeys(), { stack: "failback", primary: "none", bucket });
        expect((back.restoredBackup as Record<string, unknown>).id).to.equal(dr.at(-1));
    });
});
