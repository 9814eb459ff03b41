/** policy/rules/bucket.ts: the snapshot bucket is in another region than the cluster, and hardened. */
import { expect } from "chai";
import type { RecordedResource } from "../../policy/offline";
import * as P from "../../policy/policies";
import { notApplicable, provider, resource, violations } from "../support/policyHarness";
import { launchTemplate, T, UNKNOWN_STRING } from "./fixtures";

describe("snapshot bucket", () => {
    const east = provider("aws", { region: "us-east-2" });
    const tlsPolicy = (bucketName: string) =>
        JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ],
        });
    /** A hardened bucket as SnapshotBucket builds it; `omit`/`change` break one part. */
    function hardenedBucket(change: Record<string, Record<string, unknown> | null> = {}, name = "snapshots"): RecordedResource[] {
        const bucket = resource(T.buckets[0], { bucket: `${name}-bucket`, ...change.bucket }, { provider: east.ref, name });
        const parts: [string, string, Record<string, unknown>][] = [
            ["pab", T.publicAccessBlock, { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }],
            ["versioning", T.versioning[0], { versioningConfiguration: { status: "Enabled" } }],
            [
                "encryption",
                T.encryption[0],
                { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:k" }, bucketKeyEnabled: true }] },
            ],
            ["policy", T.bucketPolicy, { policy: tlsPolicy(`${name}-bucket`) }],
        ];
        const attachments = parts
            .filter(([key]) => change[key] !== null)
            .map(([key, type, props]) => resource(type, { bucket: bucket.id, ...props, ...change[key] }, { provider: east.ref }));
        return [bucket, ...attachments];
    }
    const clusterSide = () => [launchTemplate(), east.record];

    it("passes a hardened bucket in another region than the cluster", async () => {
        const records = [...clusterSide(), ...hardenedBucket()];
        expect(await violations(P.bucketOtherRegion, records)).to.deep.equal([]);
        expect(await violations(P.bucketProtected, records)).to.deep.equal([]);
    });

    it("fails a bucket in the cluster's region (default provider, or v7 per-resource region)", async () => {
        const local = resource(T.buckets[0], { bucket: "local-backups" });
        const found = await violations(P.bucketOtherRegion, [...clusterSide(), local]);
        expect(found).to.have.length(1);
        expect(found[0]).to.match(/local-backups is in us-west-2, the EKS cluster's own region.*snapshotBucketRegion/);
        const pinned = hardenedBucket({ bucket: { region: "us-west-2" } });
        expect(await violations(P.bucketOtherRegion, [...clusterSide(), ...pinned])).to.have.length(1);
        expect(
            await violations(P.bucketOtherRegion, [...clusterSide(), local], {
                config: { [P.bucketOtherRegion.name]: { sameRegionBuckets: ["local-backups"] } },
            }),
        ).to.deep.equal([]);
        expect(await notApplicable(P.bucketOtherRegion, clusterSide())).to.equal(true);
    });

    it("fails each missing or weak protection with its fix", async () => {
        const check = async (change: Record<string, Record<string, unknown> | null>) =>
            (await violations(P.bucketProtected, [...clusterSide(), ...hardenedBucket(change)])).join("\n");
        expect(await check({ pab: null })).to.match(
            /public access is not fully blocked \(blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets not true\)/,
        );
        expect(await check({ pab: { restrictPublicBuckets: false } })).to.match(/\(restrictPublicBuckets not true\)/);
        expect(await check({ versioning: { versioningConfiguration: { status: "Suspended" } } })).to.match(/versioning is Suspended/);
        expect(await check({ versioning: null })).to.match(/versioning is off/);
        expect(await check({ encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] } })).to.match(
            /default encryption is AES256, not aws:kms or aws:kms:dsse/,
        );
        expect(
            await check({
                policy: { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*", Principal: "*" }] }) },
            }),
        ).to.match(/no bucket policy denies requests without TLS/);
        expect(await check({ policy: null })).to.match(/no bucket policy denies requests without TLS/);
    });

    it("does not credit one bucket with another bucket's settings", async () => {
        const other = hardenedBucket({}, "other");
        const bare = resource(T.buckets[0], { bucket: "bare" }, { provider: east.ref, name: "bare" });
        const found = await violations(P.bucketProtected, [...clusterSide(), ...other, bare]);
        expect(found).to.have.length(4);
        expect(found.every((m) => m.startsWith("S3 bucket bare:"))).to.equal(true);
    });

    it("during a preview, attaches by structure and skips the not-yet-known policy document", async () => {
        const records = hardenedBucket({ pab: { bucket: UNKNOWN_STRING }, policy: { bucket: UNKNOWN_STRING, policy: UNKNOWN_STRING } });
        expect(await violations(P.bucketProtected, [...clusterSide(), ...records])).to.deep.equal([]);
    });
});
