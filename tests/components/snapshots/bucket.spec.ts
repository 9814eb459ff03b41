/** The snapshot bucket S3SnapshotShipping creates (SnapshotBucket): its region, its provider and its hardening. */
import { expect } from "chai";
import { ConfigError } from "../../../components/shared/errors";
import type { S3SnapshotShipping } from "../../../components/snapshots";
import { dependsOn, ofType, one, outputValue, recorded, resetRecords, settle } from "../../support/mocks";
import { args, build, PROJECT_KEY, refused } from "./fixtures";

describe("S3SnapshotShipping", () => {
    describe("bucket in another region", () => {
        let c: S3SnapshotShipping;
        before(async () => {
            c = await build();
        });

        it("creates the bucket and its KMS key through an AWS provider for the bucket region", async () => {
            const provider = one("pulumi:providers:aws");
            expect(provider.inputs.region).to.equal("eu-central-1");
            expect(c.bucketRegion).to.equal("eu-central-1");
            for (const type of [
                "aws:s3/bucket:Bucket",
                "aws:kms/key:Key",
                "aws:s3/bucketPolicy:BucketPolicy",
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            ]) {
                expect(one(type).provider, type).to.contain(`pulumi:providers:aws::${provider.name}::`);
            }
            expect(await outputValue(c.bucketName)).to.equal("hje-test-snapshots-eu-central-1-0a1b2c3d");
        });

        it("rejects a bucket in the cluster's region before registering anything", async () => {
            resetRecords();
            const same = args({ bucket: { create: { ...(args().bucket as any).create, region: "us-west-2" } } });
            const e = refused(same, PROJECT_KEY);
            expect(e).to.be.instanceOf(ConfigError);
            expect(e.message).to.contain("ha-jenkins-eks:snapshotBucketRegion").and.contain('"us-west-2"').and.contain("regional outage");
            // Registrations arrive asynchronously: without waiting, a resource registered before the throw is not seen yet.
            await settle();
            expect(recorded.filter((r) => r.type !== "pulumi:providers:kubernetes")).to.deep.equal([]);
        });
    });

    describe("bucket hardening", () => {
        before(async () => {
            await build();
        });

        it("blocks all public access and disables ACLs", () => {
            expect(one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).to.include({
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            });
            expect(one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).to.deep.equal({
                objectOwnership: "BucketOwnerEnforced",
            });
        });

        it("versions objects and encrypts with a dedicated rotating KMS key and a bucket key", () => {
            expect(one("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration).to.deep.equal({ status: "Enabled" });
            const key = one("aws:kms/key:Key");
            expect(key.inputs).to.include({ enableKeyRotation: true, deletionWindowInDays: 30 });
            expect(one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules).to.deep.equal([
                {
                    applyServerSideEncryptionByDefault: {
                        sseAlgorithm: "aws:kms",
                        kmsMasterKeyId: `arn:aws:kms:eu-central-1:123456789012:key/${key.name}`,
                    },
                    bucketKeyEnabled: true,
                    blockedEncryptionTypes: ["SSE-C"],
                },
            ]);
        });

        it("denies non-TLS requests in the bucket policy", () => {
            const policy = JSON.parse(one("aws:s3/bucketPolicy:BucketPolicy").inputs.policy);
            const arn = "arn:aws:s3:::hje-test-snapshots-eu-central-1-0a1b2c3d";
            expect(policy.Statement[0]).to.deep.equal({
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [arn, `${arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            });
        });

        it("expires noncurrent versions and aborts incomplete multipart uploads", () => {
            const rules = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
            expect(rules.find((r: any) => r.id === "expire-noncurrent-versions").noncurrentVersionExpiration).to.deep.equal({ noncurrentDays: 30 });
            expect(rules.find((r: any) => r.id === "abort-incomplete-multipart-uploads").abortIncompleteMultipartUpload).to.deep.equal({
                daysAfterInitiation: 7,
            });
            expect(
                dependsOn(one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"), one("aws:s3/bucketVersioning:BucketVersioning")),
            ).to.equal(true);
        });

        it("protects the bucket, the key and the snapshot CRDs, and never force-destroys", () => {
            expect(one("aws:s3/bucket:Bucket").inputs).to.not.have.property("forceDestroy");
            expect(one("aws:s3/bucket:Bucket").options?.protect).to.equal(true);
            expect(one("aws:kms/key:Key").options?.protect).to.equal(true);
            expect(one("kubernetes:helm.sh/v3:Release").options?.protect).to.equal(true);
            expect(one("kubernetes:core/v1:Namespace", "snapshot-controller").options?.protect, "it holds the protected release").to.equal(true);
            expect(one("aws:s3/bucketPolicy:BucketPolicy").options?.protect).to.equal(false);
        });

        it("never lets Pulumi schedule the bucket's key for deletion: retained, 30-day window, deleted after the bucket", () => {
            const key = one("aws:kms/key:Key");
            expect(key.options?.retainOnDelete).to.equal(true);
            expect(key.inputs.deletionWindowInDays).to.equal(30);
            expect(dependsOn(one("aws:s3/bucket:Bucket"), key)).to.equal(true);
        });

        it("has no Object Lock or access logging unless configured", () => {
            expect(one("aws:s3/bucket:Bucket").inputs).to.not.have.property("objectLockEnabled");
            expect(ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")).to.have.length(0);
            expect(ofType("aws:s3/bucketLogging:BucketLogging")).to.have.length(0);
        });

        it("enables Object Lock at creation and access logging to the given bucket when configured", async () => {
            const create = {
                ...(args().bucket as any).create,
                name: "acme-jenkins-backups",
                objectLock: { mode: "GOVERNANCE", days: 14 },
                accessLogBucket: "acme-logs-eu",
            };
            await build({ bucket: { create }, protect: false });
            expect(one("aws:s3/bucket:Bucket").inputs).to.include({ bucket: "acme-jenkins-backups", objectLockEnabled: true });
            expect(one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").inputs.rule).to.deep.equal({
                defaultRetention: { mode: "GOVERNANCE", days: 14 },
            });
            expect(one("aws:s3/bucketLogging:BucketLogging").inputs).to.include({ targetBucket: "acme-logs-eu", targetPrefix: "snapshot-bucket/" });
            expect(ofType("random:index/randomId:RandomId")).to.have.length(0);
            expect(one("aws:s3/bucket:Bucket").options?.protect).to.equal(false);
            // Unprotected, the bucket survives a destroy while it holds data: so does the key that decrypts it.
            expect(one("aws:kms/key:Key").options?.protect).to.equal(false);
            expect(one("aws:kms/key:Key").options?.retainOnDelete).to.equal(true);
        });
    });
});
