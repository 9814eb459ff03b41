/** The primary's convenience output: the newest complete backup in its bucket, as of its `pulumi up`. */
import { expect } from "chai";
import { parseMetaKey } from "../../components/snapshots/backupCatalog";
import { loadConfig } from "../../stacks/config";
import { deployPrimary } from "../../stacks/primary";
import { DEV_JENKINS_RESOURCE, FakeLinstorBucket, primaryBucket, shipChain } from "../support/fakes/fakeLinstorBucket";
import { resetRecords, s3Buckets, settle, useStack } from "../support/mocks";
import { stackConfig } from "../support/stacks";
import { devOutputs, plain } from "./drFixtures";

async function evaluateDev(): Promise<Record<string, unknown>> {
    const { config, secretKeys } = stackConfig("dev");
    useStack("dev", config, secretKeys);
    resetRecords();
    const outputs = await plain(await deployPrimary(loadConfig()));
    await settle();
    return outputs;
}

describe("primary stack: newestBackup output", () => {
    let bucketName: string;
    before(async () => {
        bucketName = (await devOutputs()).snapshotBucketName as string;
    });
    afterEach(() => delete s3Buckets[bucketName]);

    it("names the newest complete backup of the Jenkins claim, not the shipment still running", async () => {
        const { bucket, ids } = primaryBucket(bucketName);
        s3Buckets[bucketName] = bucket;
        const outputs = await evaluateDev();
        const newest = outputs.newestBackup as Record<string, unknown>;
        expect(newest).to.deep.include({ id: ids.at(-1), chainLength: 24 });
        expect(outputs.newestBackupHandle).to.equal(`s3://s3-us-east-2/${newest.resource}/${parseMetaKey(`${ids.at(-1)}.meta`)!.snapshot}`);
    });

    it("reads only its claim's newest chain: one listing, a GET per link (+ ≤ 8 ahead) and a HEAD per data object", async () => {
        const bucket = new FakeLinstorBucket(bucketName);
        const claim = { resource: DEV_JENKINS_RESOURCE, pvcNamespace: "jenkins", pvcName: "jenkins-home", volumeGiB: 20 };
        // Three older daily chains of 24 links (what the bucket keeps for days), then today's full and 5 increments.
        for (const day of [1, 2, 3]) shipChain(bucket, { ...claim, start: new Date(`2026-07-0${day}T00:00:00Z`), increments: 23 });
        const today = shipChain(bucket, { ...claim, start: new Date("2026-07-04T00:00:00Z"), increments: 5 });
        // A newer backup of another claim in the same namespace: never a candidate, never read.
        shipChain(bucket, {
            resource: "pvc-99999999-0000-4000-8000-000000000000",
            pvcNamespace: "jenkins",
            start: new Date("2026-07-05T00:00:00Z"),
            increments: 2,
        });
        s3Buckets[bucketName] = bucket;
        const outputs = await evaluateDev();
        expect(outputs.jenkinsLinstorResource).to.equal(DEV_JENKINS_RESOURCE);
        expect(outputs.newestBackup).to.deep.include({ id: today.at(-1), chainLength: 6 });
        const metaReads = bucket.reads.filter((k) => k.endsWith(".meta"));
        expect(
            metaReads.every((k) => k.startsWith(DEV_JENKINS_RESOURCE)),
            "another resource's meta was read",
        ).to.equal(true);
        expect(metaReads).to.include.members(today.map((id) => `${id}.meta`));
        // The 78 older metas of the claim are not read beyond the read-ahead; before, every one was.
        expect(metaReads.length).to.be.within(6, 6 + 8);
        expect(bucket.heads).to.have.length(6);
    });

    it("is absent when the bucket holds none, and a bucket it cannot read only warns", async () => {
        expect(await evaluateDev()).to.not.have.property("newestBackup");
        const { bucket } = primaryBucket(bucketName);
        bucket.keys = () => {
            throw new Error("AccessDenied");
        };
        s3Buckets[bucketName] = bucket;
        const outputs = await evaluateDev();
        expect(outputs).to.not.have.property("newestBackupHandle");
        expect(outputs.clusterName).to.equal("hje-dev");
    });
});
