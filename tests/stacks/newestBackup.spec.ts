/** The primary's convenience output: the newest complete backup in its bucket, as of its `pulumi up`. */
import { expect } from "chai";
import { parseMetaKey } from "../../components/snapshots/backupCatalog";
import { loadConfig } from "../../stacks/config";
import { deployPrimary } from "../../stacks/primary";
import { primaryBucket } from "../support/fakes/fakeLinstorBucket";
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
