import { expect } from "chai";
import { loadConfig } from "../../stacks/config";
import { deployDr } from "../../stacks/dr";
import { exportOutputs, OUTPUT_NAMES } from "../../stacks/outputs";
import { deployPrimary } from "../../stacks/primary";
import { primaryBucket } from "../support/fakes/fakeLinstorBucket";
import { outputValue, resetRecords, s3Buckets, settle, stackOutputs, useStack } from "../support/mocks";
import { stackConfig } from "../support/stacks";

describe("stack output contract (stacks/outputs.ts)", () => {
    it("rejects an output name outside the contract at compile time", () => {
        // @ts-expect-error: `jenkinsURL` is not a contract name (the type check of `npm test` fails if this compiles).
        const outputs = exportOutputs({ region: "us-west-2", jenkinsURL: "http://x" });
        expect(outputs.region).to.equal("us-west-2");
    });

    it("covers every output the dev and dr stacks export", async () => {
        const { config, secretKeys } = stackConfig("dev");
        useStack("dev", { ...config, "ha-jenkins-eks:onDemandSnapshotName": "jenkins-manual" }, secretKeys);
        resetRecords();
        const dev = await deployPrimary(loadConfig());
        await settle();
        const plain = Object.fromEntries(await Promise.all(Object.entries(dev).map(async ([k, v]) => [k, await outputValue(v as any)])));
        stackOutputs["organization/ha-jenkins-eks/dev"] = plain;
        // A bucket with backups: the DR stack restores one (and exports what describes it).
        s3Buckets[plain.snapshotBucketName as string] = primaryBucket(plain.snapshotBucketName as string).bucket;
        try {
            const drFile = stackConfig("dr");
            useStack("dr", drFile.config, drFile.secretKeys);
            resetRecords();
            const dr = await deployDr(loadConfig());
            await settle();
            const names = Object.keys(OUTPUT_NAMES);
            expect(Object.keys(dev).filter((k) => !names.includes(k))).to.deep.equal([]);
            expect(Object.keys(dr).filter((k) => !names.includes(k))).to.deep.equal([]);
            // Every contract name is exported by at least one stack: no stale entries.
            expect(names.filter((n) => !(n in dev) && !(n in dr))).to.deep.equal([]);
        } finally {
            delete stackOutputs["organization/ha-jenkins-eks/dev"];
            delete s3Buckets[plain.snapshotBucketName as string];
        }
    });
});
