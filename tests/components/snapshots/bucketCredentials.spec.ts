/**
 * The AWS provider S3SnapshotShipping creates for a created bucket's region reads no stack config (an explicit
 * provider ignores `aws:profile` / `aws:assumeRoles`), so a consumer in any language names its credentials:
 * `bucketAwsProfile` and `bucketAwsRoleArn` go into that provider; without them it uses the ambient credentials.
 */
import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { ConfigError } from "../../../components/shared/errors";
import { S3SnapshotShipping, type S3SnapshotShippingArgs, type S3SnapshotShippingOptions } from "../../../components/snapshots";
import { thrown } from "../../support/fixtures";
import { withKube } from "../../support/kubeProvider";
import { one, recorded, resetRecords, settle } from "../../support/mocks";
import { args } from "./fixtures";

const ROLE = "arn:aws:iam::123456789012:role/backup-deployer";
const bucketProvider = () => one("pulumi:providers:aws", "hje-test-snapshots-eu-central-1");

async function build(overrides: Partial<S3SnapshotShippingArgs>) {
    resetRecords();
    new S3SnapshotShipping("hje-test-snapshots", args(overrides), withKube());
    await settle();
}

describe("S3SnapshotShipping: the credentials of the bucket-region provider", () => {
    it("copies bucketAwsProfile and bucketAwsRoleArn into the provider it creates", async () => {
        await build({ bucketAwsProfile: "backups", bucketAwsRoleArn: ROLE });
        const inputs = bucketProvider().inputs;
        expect(inputs.region).to.equal("eu-central-1");
        expect(inputs.profile).to.equal("backups");
        expect(JSON.stringify(inputs.assumeRoles)).to.contain(ROLE);
    });

    it("without them, only the region: the ambient AWS credentials", async () => {
        await build({});
        const inputs = bucketProvider().inputs;
        expect(inputs.region).to.equal("eu-central-1");
        expect(inputs.profile).to.equal(undefined);
        expect(inputs.assumeRoles).to.equal(undefined);
    });

    it("refuses a malformed role, a profile with an existing bucket, and either next to bucketProvider (nothing registered)", async () => {
        resetRecords();
        const bad = thrown(() => new S3SnapshotShipping("x", args({ bucketAwsRoleArn: "backup-deployer" }), withKube()));
        expect(bad).to.be.instanceOf(ConfigError);
        expect((bad as ConfigError).key).to.equal("S3SnapshotShipping.bucketAwsRoleArn");
        const existing = { existing: { name: "hje-snapshots-eu-central-1-0a1b2c3d", region: "eu-central-1" } };
        const withExisting = thrown(() => new S3SnapshotShipping("x", args({ bucket: existing, bucketAwsProfile: "backups" }), withKube()));
        expect(withExisting).to.be.instanceOf(ConfigError);
        expect(withExisting.message).to.contain("S3SnapshotShipping.bucketAwsProfile").and.contain("Only with bucket.create");
        const own = new aws.Provider("own-bucket-provider", { region: "eu-central-1" });
        await settle();
        resetRecords();
        const both = thrown(
            () => new S3SnapshotShipping("x", args({ bucketAwsProfile: "backups" }), withKube<S3SnapshotShippingOptions>({ bucketProvider: own })),
        );
        expect(both).to.be.instanceOf(ConfigError);
        expect(both.message).to.contain("Not with bucketProvider");
        await settle();
        expect(recorded.filter((r) => !r.type.startsWith("pulumi:providers:")).map((r) => r.type)).to.deep.equal([]);
    });
});
