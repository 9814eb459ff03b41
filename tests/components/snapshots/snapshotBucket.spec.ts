/** SnapshotBucket on its own, as the library exports it: its defaults, and its own validation before anything is registered. */
import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { ConfigError } from "../../../components/shared/errors";
import { SnapshotBucket, type SnapshotBucketArgs } from "../../../components/snapshots/bucket";
import { CREATE_BUCKET_DEFAULTS } from "../../../components/snapshots/settings";
import { thrown } from "../../support/fixtures";
import { one, outputValue, recorded, resetRecords, settle } from "../../support/mocks";

const provider = new aws.Provider("library-eu-central-1", { region: "eu-central-1" });

/** Every field SnapshotBucket has no default for: the bucket's region and what it needs besides its settings. */
function required(overrides: Partial<SnapshotBucketArgs> = {}): SnapshotBucketArgs {
    return { namePrefix: "acme", settings: { region: "eu-central-1" }, provider, protect: true, tags: {}, ...overrides };
}

async function buildWith(args: SnapshotBucketArgs): Promise<SnapshotBucket> {
    resetRecords();
    const bucket = new SnapshotBucket("acme-bucket", args);
    await outputValue(bucket.bucketName);
    await settle();
    return bucket;
}

function expectDefaultsApplied(): void {
    const rules = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
    expect(rules.find((r: any) => r.id === "expire-noncurrent-versions").noncurrentVersionExpiration).to.deep.equal({ noncurrentDays: 30 });
    expect(rules.find((r: any) => r.id === "abort-incomplete-multipart-uploads").abortIncompleteMultipartUpload).to.deep.equal({
        daysAfterInitiation: 7,
    });
}

/** The ConfigError `args` get, after checking that nothing was registered (the caller's provider aside). */
async function refused(args: SnapshotBucketArgs): Promise<ConfigError> {
    await settle();
    resetRecords();
    const e = thrown(() => new SnapshotBucket("bad-bucket", args));
    expect(e).to.be.instanceOf(ConfigError);
    // Registrations arrive asynchronously: without waiting, a resource registered before the throw is not seen yet.
    await settle();
    expect(recorded.filter((r) => r.type !== "pulumi:providers:aws")).to.deep.equal([]);
    return e as ConfigError;
}

describe("SnapshotBucket (library use)", () => {
    it("fills the bucket's defaults: only its region is required", async () => {
        const bucket = await buildWith(required());
        expect(bucket.region).to.equal("eu-central-1");
        expect(await outputValue(bucket.bucketName)).to.match(/^acme-snapshots-eu-central-1-[0-9a-f]+$/);
        expectDefaultsApplied();
    });

    it("takes an explicit undefined as unset: the default stays", async () => {
        const undefinedDefaults = Object.fromEntries(Object.keys(CREATE_BUCKET_DEFAULTS).map((k) => [k, undefined]));
        await buildWith(required({ settings: { region: "eu-central-1", ...undefinedDefaults } }));
        expectDefaultsApplied();
    });

    it("refuses a bad prefix, region, bucket name and day count at once, naming each field, with nothing registered", async () => {
        const e = await refused(
            required({
                namePrefix: "Acme_Corp",
                settings: { region: "mars-north-1", name: "Not_A_Bucket", noncurrentVersionExpirationDays: -1 },
            }),
        );
        expect(e.problems.map((p) => p.key)).to.deep.equal([
            "SnapshotBucket.namePrefix",
            "SnapshotBucket.settings.region",
            "SnapshotBucket.settings.name",
            "SnapshotBucket.settings.noncurrentVersionExpirationDays",
        ]);
        expect(e.message).to.contain("SnapshotBucket.settings.noncurrentVersionExpirationDays: -1. Must be an integer from 7 to 36500");
    });

    const single: [string, Partial<SnapshotBucketArgs>, string, RegExp][] = [
        ["no region", { settings: {} as never }, "SnapshotBucket.settings.region", /It must be set/],
        ["no settings at all", { settings: undefined as never }, "SnapshotBucket.settings.region", /It must be set/],
        ["a reserved bucket name", { settings: { region: "eu-central-1", name: "xn--acme" } }, "SnapshotBucket.settings.name", /reserves/],
        [
            "a bucket logging into itself",
            { settings: { region: "eu-central-1", name: "acme-backups", accessLogBucket: "acme-backups" } },
            "SnapshotBucket.settings.accessLogBucket",
            /must not log into itself/,
        ],
        [
            "an unknown Object Lock mode",
            { settings: { region: "eu-central-1", objectLock: { mode: "FOREVER" as never, days: 1 } } },
            "SnapshotBucket.settings.objectLock.mode",
            /GOVERNANCE, COMPLIANCE/,
        ],
        ["a non-boolean protect", { protect: "yes" as never }, "SnapshotBucket.protect", /true or false/],
        ["tags that are not strings", { tags: { team: 1 } as never }, "SnapshotBucket.tags", /mapping of strings/],
        ["no AWS provider", { provider: undefined as never }, "SnapshotBucket.provider", /aws\.Provider/],
    ];
    for (const [what, overrides, key, allowed] of single) {
        it(`refuses ${what}, naming ${key}`, async () => {
            const e = await refused(required(overrides));
            expect(e.key).to.equal(key);
            expect(e.message).to.match(allowed);
        });
    }

    it("names the caller's keys through keyOf", async () => {
        const e = await refused(required({ settings: { region: "mars-north-1" }, keyOf: (f) => `acme:${f}` }));
        expect(e.key).to.equal("acme:settings.region");
    });
});
