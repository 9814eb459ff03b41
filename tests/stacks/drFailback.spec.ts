/**
 * Failback is DR in reverse: the DR stack, live with drSnapshotsEnabled, ships to the same bucket and exports what a
 * DR stack reads; a new DR-role stack in the original region (primaryStack = the DR stack) then restores the newest
 * complete backup, which is now the DR cluster's, and needs the DR stack as little as the DR stack needed the primary.
 */
import { expect } from "chai";
import { parseMetaKey } from "../../components/snapshots/backupCatalog";
import { DR_READS_REQUIRED } from "../../stacks/outputs";
import { primaryBucket, shipChain } from "../support/fakes/fakeLinstorBucket";
import { ofType, one } from "../support/mocks";
import { devOutputs, evaluateDr, UNSET } from "./drFixtures";

const DR_STACK = "organization/ha-jenkins-eks/dr";
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
        const env = Object.fromEntries(cron.inputs.spec.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
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
        const { bucket } = primaryBucket(dev.snapshotBucketName as string);
        const dr = shipChain(bucket, {
            resource: "pvc-dddddddd-0000-4000-8000-00000000000d",
            pvcNamespace: "jenkins",
            pvcName: live.restoredClaimName as string,
            clusterId: "dr-cluster",
            start: new Date("2026-07-03T00:00:00Z"),
            increments: 5,
        });
        return { bucket, dr };
    }

    it("a DR-role stack in the original region restores the DR cluster's newest backup from the same bucket", async () => {
        const { bucket, dr } = bucketAfterFailover();
        const back = await evaluateDr(ORIGINAL_REGION, { stack: "failback", primaryName: DR_STACK, primary: live, bucket });
        expect(back.region).to.equal("us-west-2");
        expect(back.primaryRegion).to.equal("us-east-2");
        const b = back.restoredBackup as Record<string, unknown>;
        expect(b).to.deep.include({ id: dr.at(-1), clusterId: "dr-cluster", chainLength: 6 });
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
        const back = await evaluateDr(
            {
                ...ORIGINAL_REGION,
                "ha-jenkins-eks:primaryStack": UNSET,
                "ha-jenkins-eks:restoreBucketName": dev.snapshotBucketName as string,
                "ha-jenkins-eks:restoreBucketRegion": dev.snapshotBucketRegion as string,
                "ha-jenkins-eks:restoreBucketKmsKeyArn": dev.snapshotKmsKeyArn as string,
            },
            { stack: "failback", primary: "none", bucket },
        );
        expect((back.restoredBackup as Record<string, unknown>).id).to.equal(dr.at(-1));
    });
});
