/** S3SnapshotShipping's settings: validation of every field (stack keys and library paths) and the stack reader. */
import { expect } from "chai";
import { ConfigError } from "../../../components/shared/errors";
import { S3SnapshotShipping, type S3SnapshotShippingArgs } from "../../../components/snapshots";
import { maxScheduleGapSeconds, validateS3SnapshotSettings } from "../../../components/snapshots/settings";
import { projectKey } from "../../../stacks/config/naming";
import { ConfigReader } from "../../../stacks/config/reader";
import { readSnapshotConfig } from "../../../stacks/config/snapshots";
import { thrown } from "../../support/fixtures";
import { recorded, resetRecords, settle, useStack } from "../../support/mocks";
import { args, jenkins, PROJECT_KEY, refused } from "./fixtures";

describe("S3SnapshotShipping", () => {
    describe("validation", () => {
        const create = (over: object) => ({ bucket: { create: { ...(args().bucket as any).create, ...over } } });
        const cases: [string, Partial<S3SnapshotShippingArgs>, RegExp][] = [
            ["bad region name", create({ region: "Europe" }), /snapshotBucketRegion: "Europe"\. Use an AWS region/],
            ["cron with 6 fields", { snapshotSchedule: "0 0 * * * *" }, /snapshotSchedule: .*five fields/],
            ["cron out of range", { snapshotSchedule: "61 * * * *" }, /snapshotSchedule: .*minute field "61"/],
            ["cron that never runs", { snapshotSchedule: "0 0 31 2 *" }, /snapshotSchedule: "0 0 31 2 \*"\. This schedule never runs/],
            ["retention < 1 hour", { snapshotRetentionHours: 0 }, /snapshotRetentionHours: 0\. Must be an integer from 1 to 8760/],
            ["negative daily days", { snapshotDailyRetentionDays: -1 }, /snapshotDailyRetentionDays: -1\. Must be an integer from 0 to 3660/],
            [
                "no churn",
                { snapshotExpectedChurnGiBPerHour: 0 },
                /snapshotExpectedChurnGiBPerHour: 0\. Use the GiB of JENKINS_HOME rewritten per hour/,
            ],
            [
                "a chain bound with full-only backups",
                { snapshotAllowIncremental: false, snapshotFullAfter: "12h" },
                /snapshotFullAfter: "12h"\. Only incremental backups/,
            ],
            [
                "snapshot name not DNS-1123",
                { onDemandSnapshotName: "Before_Upgrade" },
                /onDemandSnapshotName: "Before_Upgrade"\. Use a DNS-1123 label/,
            ],
            ["restore name not DNS-1123", { restoreFromSnapshot: "snap.1" }, /restoreFromSnapshot: "snap\.1"/],
            ["on-demand equals restore", { onDemandSnapshotName: "s1", restoreFromSnapshot: "s1" }, /onDemandSnapshotName: "s1"\. Must differ/],
            [
                "on-demand named like the schedule's snapshots (prunable)",
                { onDemandSnapshotName: "jenkins-home-20260601-130000" },
                /onDemandSnapshotName: "jenkins-home-20260601-130000"\. Must not start with "jenkins-home-"/,
            ],
            ["remote name format", { linstorRemoteName: "S3_Remote" }, /linstorRemoteName: "S3_Remote"/],
            [
                "noncurrent days < 7 (the policy pack's floor)",
                create({ noncurrentVersionExpirationDays: 6 }),
                /snapshotBucketNoncurrentVersionDays: 6\. Must be an integer from 7 to 36500 \(days; the policy pack's minExpirationDays\)/,
            ],
            ["bucket name with dots", create({ name: "my.bucket" }), /snapshotBucketName: "my\.bucket"\. .*no dots/],
            ["unpinned image", { snapshotJobImage: "registry.k8s.io/kubectl:latest" }, /snapshotJobImage: .*can move to another image/],
            ["untagged image", { snapshotJobImage: "registry.k8s.io/kubectl" }, /snapshotJobImage: .*has no tag/],
            ["bad Go duration", { snapshotFullAfter: "1 week" }, /snapshotFullAfter: "1 week"/],
            [
                "current-object expiry under the policy pack's whole-bucket floor",
                create({ expireCurrentObjectsAfterDays: 89 }),
                /snapshotBucketExpireCurrentObjectsDays: 89\. Must be an integer from 90 to 36500 \(days; the policy pack's minWholeBucketExpirationDays\)/,
            ],
            [
                "current-object expiry before the oldest kept backup",
                { ...create({ expireCurrentObjectsAfterDays: 100 }), snapshotDailyRetentionDays: 120 },
                /snapshotBucketExpireCurrentObjectsDays: 100\. The retention keeps backups \(and the fulls kept increments build on\) up to \d+ h old.*at least 12\d days/,
            ],
            ["schedule without Jenkins", { jenkins: undefined }, /snapshotScheduleEnabled: true\. Snapshots of Jenkins need/],
            ["restore without class", { restoreFromSnapshot: "s1", restoreStorageClassName: undefined }, /restoreStorageClassName: \(not set\)/],
            ["bad restore size", { restoreFromSnapshot: "s1", jenkins: { ...jenkins, storageSize: "50 GB" } }, /jenkinsStorageSize: "50 GB"/],
            ["object lock without days", create({ objectLock: { mode: "GOVERNANCE", days: 0 } }), /snapshotBucketObjectLockDays: 0/],
        ];
        for (const [title, over, message] of cases) {
            it(`rejects ${title} with the key named, before registering anything`, async () => {
                resetRecords();
                const e = refused(args(over), PROJECT_KEY);
                expect(e).to.be.instanceOf(ConfigError);
                expect(e.message).to.match(/^Invalid value for ha-jenkins-eks:/);
                expect(e.message).to.match(message);
                // Registrations arrive asynchronously: without waiting, a resource registered before the throw is not seen yet.
                await settle();
                expect(recorded.filter((r) => r.type !== "pulumi:providers:kubernetes")).to.deep.equal([]);
            });
        }

        it("accepts cron lists, ranges, steps and names", () => {
            for (const schedule of ["*/15 * * * *", "0 1-5/2 * * MON-FRI", "30 2 1,15 JAN,jul *", "5/10 * * * 0"]) {
                expect(
                    () => validateS3SnapshotSettings(args({ snapshotSchedule: schedule }), { clusterRegion: "us-west-2" }, PROJECT_KEY),
                    schedule,
                ).to.not.throw();
            }
        });

        it("measures the worst-case gap between scheduled runs (the RPO)", () => {
            expect(maxScheduleGapSeconds("0 * * * *")).to.equal(3600);
            expect(maxScheduleGapSeconds("*/15 * * * *")).to.equal(900);
            expect(maxScheduleGapSeconds("0 1-5/2 * * MON-FRI")).to.equal(68 * 3600);
            expect(maxScheduleGapSeconds("0 0 13 * 5")).to.equal(7 * 86400);
            expect(maxScheduleGapSeconds("0 0 31 2 *")).to.equal(undefined);
        });

        it("allows an existing bucket in the DR cluster's own region but checks its key's region", () => {
            const existing = { name: "b-1", region: "eu-central-1", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/abc" };
            const e = thrown(() => validateS3SnapshotSettings(args({ bucket: { existing } }), { clusterRegion: "eu-central-1" }, PROJECT_KEY));
            // In DR the bucket comes from the primary's outputs: the error names that output.
            expect(e.message).to.contain("Invalid value for output snapshotKmsKeyArn of the primary stack (ha-jenkins-eks:primaryStack)");
            expect(() =>
                validateS3SnapshotSettings(
                    args({ bucket: { existing: { ...existing, kmsKeyArn: undefined } } }),
                    { clusterRegion: "eu-central-1" },
                    PROJECT_KEY,
                ),
            ).to.not.throw();
        });
    });

    describe("stack config (readSnapshotConfig)", () => {
        const K = PROJECT_KEY;
        after(() => useStack("dev", { "aws:region": "us-west-2" }));
        const read = (config: Record<string, string>, clusterRegion?: string) => {
            useStack("dev", { "aws:region": "us-west-2", ...config });
            return readSnapshotConfig(new ConfigReader("ha-jenkins-eks"), clusterRegion);
        };

        it("applies documented defaults and a same-geography bucket region", () => {
            const cfg = read({}, "us-west-2");
            expect(cfg.bucket!.create).to.deep.include({
                region: "us-east-2",
                noncurrentVersionExpirationDays: 30,
                abortIncompleteMultipartUploadDays: 7,
                accessLogPrefix: "snapshot-bucket/",
            });
            expect(cfg).to.deep.include({
                snapshotSchedule: "*/5 * * * *",
                snapshotRetentionHours: 48,
                snapshotDailyRetentionDays: 7,
                snapshotExpectedChurnGiBPerHour: 0.25,
                snapshotFullAfter: "24h",
                snapshotMaxIncrements: 0,
                snapshotClassName: "linstor-csi-s3",
                s3AccessKeyGeneration: 1,
                snapshotControllerChartVersion: "5.2.0",
                snapshotJobImage: "registry.k8s.io/kubectl:v1.35.1",
                snapshotPruneDeletesBackups: true,
            });
        });

        it("reads every key in its stack-file form", () => {
            const cfg = read({
                [K("snapshotBucketRegion")]: "eu-west-1",
                [K("snapshotBucketName")]: "acme-backups",
                [K("snapshotBucketObjectLockMode")]: "COMPLIANCE",
                [K("snapshotBucketObjectLockDays")]: "7",
                [K("snapshotSchedule")]: "*/30 * * * *",
                [K("snapshotRetentionHours")]: "96",
                [K("snapshotDailyRetentionDays")]: "14",
                [K("snapshotExpectedChurnGiBPerHour")]: "1.5",
                [K("s3AccessKeyGeneration")]: "4",
                [K("s3AccessKeyRetiredGeneration")]: "3",
                [K("onDemandSnapshotName")]: "pre-upgrade",
                [K("snapshotScheduleEnabled")]: "false",
                [K("snapshotFullAfter")]: "24h",
                [K("installSnapshotController")]: "false",
            });
            expect(cfg.bucket!.create).to.deep.include({ region: "eu-west-1", name: "acme-backups", objectLock: { mode: "COMPLIANCE", days: 7 } });
            expect(cfg).to.deep.include({
                snapshotSchedule: "*/30 * * * *",
                snapshotRetentionHours: 96,
                snapshotDailyRetentionDays: 14,
                snapshotExpectedChurnGiBPerHour: 1.5,
                s3AccessKeyGeneration: 4,
                s3AccessKeyRetiredGeneration: 3,
                onDemandSnapshotName: "pre-upgrade",
                snapshotScheduleEnabled: false,
                snapshotFullAfter: "24h",
                installSnapshotController: false,
            });
        });

        it("names the key when the region can't be derived or a value is malformed", () => {
            expect(thrown(() => read({}, "sa-east-1")).message)
                .to.contain("ha-jenkins-eks:snapshotBucketRegion")
                .and.contain("sa-east-1");
            expect(thrown(() => read({ [K("snapshotRetentionHours")]: "many" }, "us-west-2")).message).to.contain(
                "ha-jenkins-eks:snapshotRetentionHours",
            );
            expect(thrown(() => read({ [K("snapshotExpectedChurnGiBPerHour")]: "1,5" }, "us-west-2")).message).to.match(
                /ha-jenkins-eks:snapshotExpectedChurnGiBPerHour: "1,5"\. Must be a decimal number/,
            );
            expect(thrown(() => read({ [K("snapshotBucketObjectLockMode")]: "GOVERNANCE" }, "us-west-2")).message).to.contain(
                "ha-jenkins-eks:snapshotBucketObjectLockDays",
            );
            // The reader parses types only; the component's checks name the stack keys, nested bucket fields included.
            const cfg = read(
                {
                    [K("snapshotControllerChartVersion")]: "5.x",
                    [K("snapshotRetentionHours")]: "0",
                    [K("snapshotBucketAbortMultipartDays")]: "0",
                },
                "us-west-2",
            );
            expect(cfg.snapshotControllerChartVersion).to.equal("5.x");
            const settings = { ...cfg, bucket: cfg.bucket!, namePrefix: "hje-dev", protect: true, tags: {} };
            const e = thrown(() => validateS3SnapshotSettings(settings, { clusterRegion: "us-west-2" }, K)) as ConfigError;
            expect(e.problems.map((p) => `${p.key}=${JSON.stringify(p.value)}`)).to.deep.equal([
                "ha-jenkins-eks:snapshotBucketAbortMultipartDays=0",
                'ha-jenkins-eks:snapshotControllerChartVersion="5.x"',
                "ha-jenkins-eks:snapshotRetentionHours=0",
            ]);
        });
    });
});

describe("S3SnapshotShipping settings (library use, no stack config)", () => {
    /** The error a library user gets: arguments built in code, the component's default KeyOf, nothing registered. */
    async function libraryError(overrides: Partial<S3SnapshotShippingArgs>): Promise<ConfigError> {
        resetRecords();
        const e = thrown(() => new S3SnapshotShipping("lib", args(overrides)));
        expect(e).to.be.instanceOf(ConfigError);
        await settle();
        expect(
            recorded.filter((r) => !r.type.startsWith("pulumi:providers:")),
            "nothing registered",
        ).to.deep.equal([]);
        return e as ConfigError;
    }
    const create = (o: object) =>
        ({ bucket: { create: { ...(args().bucket as { create: object }).create, ...o } } }) as Partial<S3SnapshotShippingArgs>;

    const refusals: [Partial<S3SnapshotShippingArgs>, string, RegExp][] = [
        // The DR stack's own copy of this check let :latest and untagged images through, the component's localhost registries.
        [{ remoteJobImage: "docker.io/curlimages/curl:latest" }, "remoteJobImage", /can move to another image/],
        [{ remoteJobImage: "docker.io/curlimages/curl" }, "remoteJobImage", /has no tag/],
        [{ remoteJobImage: "localhost:5000/curl:8.16.0" }, "remoteJobImage", /fully qualified host name/],
        [{ snapshotJobImage: "registry.k8s.io/kubectl:stable" }, "snapshotJobImage", /can move/],
        // Nested bucket fields are named by their path (they used to carry stack key names for library users too).
        [create({ noncurrentVersionExpirationDays: 0 }), "bucket.create.noncurrentVersionExpirationDays", /from 7 to 36500 \(days/],
        [create({ objectLock: { mode: "LEGAL", days: 7 } }), "bucket.create.objectLock.mode", /Allowed: GOVERNANCE, COMPLIANCE/],
        [create({ accessLogPrefix: " logs" }), "bucket.create.accessLogPrefix", /S3 key prefix/],
        [
            { bucket: { existing: { name: "b-1", region: "eu-central-1", kmsKeyArn: "arn:aws:kms:eu-central-1:123456789012:alias/x" } } },
            "bucket.existing.kmsKeyArn",
            /key\/<key-id>/,
        ],
        [{ clusterRegion: "Oregon" }, "clusterRegion", /AWS region/],
        [{ protect: "yes" as never }, "protect", /true or false/],
        [{ snapshotSchedule: "0 0 30 2 *" }, "snapshotSchedule", /never runs/],
        [{ snapshotLocalSnapshots: 17 }, "snapshotLocalSnapshots", /from 0 to 16/],
        [{ snapshotTrimImage: "docker.io/curlimages/curl:latest" }, "snapshotTrimImage", /can move/],
        // The hard limit: untrimmed, the default retention would keep 1159 LINSTOR snapshots per replica.
        [
            { snapshotLocalSnapshots: 0 },
            "snapshotLocalSnapshots",
            /up to 1159 LINSTOR snapshots on every replica.*at most 32 are allowed.*S3SnapshotShipping\.snapshotRetentionHours, S3SnapshotShipping\.snapshotFullAfter/,
        ],
    ];
    for (const [overrides, field, message] of refusals) {
        it(`refuses ${JSON.stringify(overrides).slice(0, 90)}, naming S3SnapshotShipping.${field}`, async () => {
            const e = await libraryError(overrides);
            expect(e.key).to.equal(`S3SnapshotShipping.${field}`);
            expect(e.message).to.match(message);
        });
    }

    it("names the stack's config key for the same nested field", () => {
        const e = refused(args(create({ noncurrentVersionExpirationDays: 0 })), projectKey);
        expect((e as ConfigError).key).to.equal("ha-jenkins-eks:snapshotBucketNoncurrentVersionDays");
    });
});
