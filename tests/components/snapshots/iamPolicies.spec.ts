import { expect } from "chai";
import { linstorS3UserPolicy, type PolicyDocument, tlsOnlyBucketPolicy } from "../../../components/snapshots/iamPolicies";
import { lifecycleRules } from "../../../components/snapshots/lifecycle";
import type { CreateBucketSettings } from "../../../components/snapshots/settings";

const BUCKET = "arn:aws:s3:::hje-dev-snapshots-eu-central-1-0a1b2c3d";
const KEY = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/** What a document grants: the actions and resources of its Allow statements. */
function actions(doc: PolicyDocument): string[] {
    return doc.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}
function resources(doc: PolicyDocument): string[] {
    return doc.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
}
const DENY_DB_BACKUPS = {
    Sid: "NoLinstorDatabaseBackups",
    Effect: "Deny",
    Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
    Resource: `${BUCKET}/linstor-db/*`,
};

describe("S3 and IAM documents", () => {
    describe("LINSTOR's IAM user policy", () => {
        for (const access of ["readWrite", "restoreOnly"] as const) {
            const doc = linstorS3UserPolicy({ bucketArn: BUCKET, bucketRegion: "eu-central-1", kmsKeyArn: KEY, access });

            it(`${access}: Allow statements limited to the bucket, its objects and its key, no wildcard actions; the database backups denied`, () => {
                expect(doc.Version).to.equal("2012-10-17");
                expect(doc.Statement.filter((s) => s.Effect !== "Allow")).to.deep.equal([DENY_DB_BACKUPS]);
                for (const a of actions(doc)) expect(a, a).to.not.contain("*");
                expect(new Set(resources(doc))).to.deep.equal(new Set([BUCKET, `${BUCKET}/*`, KEY]));
                const bySid = Object.fromEntries(doc.Statement.map((s) => [s.Sid, s]));
                expect(bySid.ListBackups.Resource).to.equal(BUCKET);
                expect(bySid.UseBucketKeyThroughS3.Resource).to.equal(KEY);
                expect(bySid.UseBucketKeyThroughS3.Condition).to.deep.equal({ StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } });
            });
        }

        it("readWrite allows exactly what LINSTOR's S3 client calls", () => {
            const doc = linstorS3UserPolicy({ bucketArn: BUCKET, bucketRegion: "eu-central-1", kmsKeyArn: KEY, access: "readWrite" });
            expect(doc.Statement).to.deep.equal([
                { Sid: "ListBackups", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketRequestPayment"], Resource: BUCKET },
                {
                    Sid: "ShipAndPruneBackups",
                    Effect: "Allow",
                    Resource: `${BUCKET}/*`,
                    Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
                },
                DENY_DB_BACKUPS,
                {
                    Sid: "UseBucketKeyThroughS3",
                    Effect: "Allow",
                    Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                    Resource: KEY,
                    Condition: { StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } },
                },
            ]);
        });

        it("restoreOnly can list and read but never write, delete or encrypt", () => {
            const doc = linstorS3UserPolicy({ bucketArn: BUCKET, bucketRegion: "eu-central-1", kmsKeyArn: KEY, access: "restoreOnly" });
            expect(new Set(actions(doc))).to.deep.equal(new Set(["s3:ListBucket", "s3:GetBucketRequestPayment", "s3:GetObject", "kms:Decrypt"]));
            for (const a of actions(doc)) expect(a).to.not.match(/Put|Delete|Abort|GenerateDataKey/);
        });

        it("has no KMS statement for a bucket without a customer key", () => {
            const doc = linstorS3UserPolicy({ bucketArn: BUCKET, bucketRegion: "eu-central-1", access: "restoreOnly" });
            expect(actions(doc).filter((a) => a.startsWith("kms:"))).to.deep.equal([]);
            expect(resources(doc)).to.not.include(KEY);
        });
    });

    describe("bucket policy", () => {
        it("denies plain HTTP and TLS < 1.2 to everyone on the bucket and its objects", () => {
            expect(tlsOnlyBucketPolicy(BUCKET)).to.deep.equal({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:*",
                        Resource: [BUCKET, `${BUCKET}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                    {
                        Sid: "DenyOutdatedTls",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:*",
                        Resource: [BUCKET, `${BUCKET}/*`],
                        Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
                    },
                ],
            });
        });
    });

    describe("lifecycle", () => {
        const base: CreateBucketSettings = {
            region: "eu-central-1",
            noncurrentVersionExpirationDays: 30,
            abortIncompleteMultipartUploadDays: 7,
            accessLogPrefix: "x/",
        };

        it("expires noncurrent versions, aborts stale multipart uploads and removes expired delete markers, bucket-wide", () => {
            expect(lifecycleRules({ ...base, noncurrentVersionExpirationDays: 14, abortIncompleteMultipartUploadDays: 3 })).to.deep.equal([
                { id: "expire-noncurrent-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 14 } },
                {
                    id: "abort-incomplete-multipart-uploads",
                    status: "Enabled",
                    filter: {},
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 3 },
                },
                { id: "remove-expired-delete-markers", status: "Enabled", filter: {}, expiration: { expiredObjectDeleteMarker: true } },
            ]);
        });

        it("never expires current objects unless configured", () => {
            expect(lifecycleRules(base).some((r) => r.expiration?.days !== undefined)).to.equal(false);
            const rules = lifecycleRules({ ...base, expireCurrentObjectsAfterDays: 90 });
            expect(rules.find((r) => r.id === "expire-current-objects")?.expiration).to.deep.equal({ days: 90 });
        });
    });
});
