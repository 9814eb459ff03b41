/** LinstorDbBackup's settings: the stack reader, validation of every field, and the retention rule it gives the bucket. */

import * as aws from "@pulumi/aws";
import { expect } from "chai";
import { LinstorDbBackup, type LinstorDbBackupArgs } from "../../../components/linstorDbBackup";
import {
    type LinstorDbBackupSettings,
    linstorDbBackupLifecycleRule,
    validateLinstorDbBackupSettings,
} from "../../../components/linstorDbBackup/settings";
import { ConfigError } from "../../../components/shared/errors";
import { SnapshotBucket } from "../../../components/snapshots/bucket";
import { lifecycleRules } from "../../../components/snapshots/lifecycle";
import { S3_SNAPSHOT_DEFAULTS, type S3SnapshotSettings, validateS3SnapshotSettings } from "../../../components/snapshots/settings";
import { readLinstorDbBackupConfig } from "../../../stacks/config/linstorDbBackup";
import { ConfigReader } from "../../../stacks/config/reader";
import { thrown } from "../../support/fixtures";
import { one, recorded, resetRecords, settle, useStack } from "../../support/mocks";
import { args, BUCKET, KMS, PROJECT_KEY, settings } from "./fixtures";

describe("LinstorDbBackup", () => {
    describe("settings", () => {
        const read = (config: Record<string, string>) => {
            useStack("dev", Object.fromEntries(Object.entries(config).map(([k, v]) => [PROJECT_KEY(k), v])));
            return readLinstorDbBackupConfig(new ConfigReader("ha-jenkins-eks"));
        };

        it("defaults to a daily 02:30 UTC backup kept 30 days, with pinned images and key generation 1", () => {
            expect(read({})).to.deep.equal({
                linstorDbBackupEnabled: true,
                linstorDbBackupSchedule: "30 2 * * *",
                linstorDbBackupRetentionDays: 30,
                linstorDbBackupKubectlImage: "registry.k8s.io/kubectl:v1.35.1",
                linstorDbBackupAwsCliImage: "public.ecr.aws/aws-cli/aws-cli:2.32.9",
                linstorDbBackupAccessKeyGeneration: 1,
                linstorDbBackupAccessKeyRetiredGeneration: undefined,
            });
            expect(() => validateLinstorDbBackupSettings(settings(), PROJECT_KEY)).to.not.throw();
        });

        it("reads every key and rejects malformed numbers naming the key", () => {
            const c = read({
                linstorDbBackupEnabled: "false",
                linstorDbBackupSchedule: "0 */6 * * *",
                linstorDbBackupRetentionDays: "14",
                linstorDbBackupAccessKeyGeneration: "3",
                linstorDbBackupAccessKeyRetiredGeneration: "2",
            });
            expect(c).to.include({
                linstorDbBackupEnabled: false,
                linstorDbBackupSchedule: "0 */6 * * *",
                linstorDbBackupRetentionDays: 14,
                linstorDbBackupAccessKeyGeneration: 3,
                linstorDbBackupAccessKeyRetiredGeneration: 2,
            });
            // The reader parses types (ranges are LinstorDbBackup's, below).
            const e = thrown(() => read({ linstorDbBackupRetentionDays: "two weeks" })) as ConfigError;
            expect(e).to.be.instanceOf(ConfigError);
            expect(e.key).to.equal("ha-jenkins-eks:linstorDbBackupRetentionDays");
            expect((thrown(() => read({ linstorDbBackupEnabled: "yes" })) as ConfigError).key).to.equal("ha-jenkins-eks:linstorDbBackupEnabled");
            useStack("dev", { "aws:region": "us-west-2" });
        });

        const cases: [string, Partial<LinstorDbBackupSettings>, RegExp][] = [
            ["linstorDbBackupSchedule", { linstorDbBackupSchedule: "30 2 * *" }, /five fields/],
            ["linstorDbBackupSchedule", { linstorDbBackupSchedule: "30 2 31 2 *" }, /never runs/],
            ["linstorDbBackupSchedule", { linstorDbBackupSchedule: "61 2 * * *" }, /minute field/],
            ["linstorDbBackupRetentionDays", { linstorDbBackupRetentionDays: 0 }, /1 to 36500/],
            ["linstorDbBackupRetentionDays", { linstorDbBackupRetentionDays: 1.5 }, /1 to 36500/],
            ["linstorDbBackupRetentionDays", { linstorDbBackupSchedule: "0 3 * * 0", linstorDbBackupRetentionDays: 7 }, /at least 8/],
            ["linstorDbBackupKubectlImage", { linstorDbBackupKubectlImage: "registry.k8s.io/kubectl" }, /has no tag/],
            ["linstorDbBackupKubectlImage", { linstorDbBackupKubectlImage: "registry.k8s.io/kubectl:latest" }, /never latest/],
            ["linstorDbBackupAwsCliImage", { linstorDbBackupAwsCliImage: "public.ecr.aws/aws-cli/aws-cli" }, /has no tag/],
            ["linstorDbBackupAccessKeyGeneration", { linstorDbBackupAccessKeyGeneration: 0 }, /≥ 1/],
            ["linstorDbBackupAccessKeyRetiredGeneration", { linstorDbBackupAccessKeyGeneration: 3 }, /set it to 1/],
            [
                "linstorDbBackupAccessKeyRetiredGeneration",
                { linstorDbBackupAccessKeyGeneration: 4, linstorDbBackupAccessKeyRetiredGeneration: 1 },
                /allowed: 2/,
            ],
            [
                "linstorDbBackupAccessKeyRetiredGeneration",
                { linstorDbBackupAccessKeyGeneration: 2, linstorDbBackupAccessKeyRetiredGeneration: 2 },
                /allowed/,
            ],
        ];
        for (const [key, override, message] of cases) {
            it(`rejects ${JSON.stringify(override)} naming ${key}`, () => {
                const e = thrown(() => validateLinstorDbBackupSettings(settings(override), PROJECT_KEY)) as ConfigError;
                expect(e).to.be.instanceOf(ConfigError);
                expect(e.key).to.equal(`ha-jenkins-eks:${key}`);
                expect(e.message).to.match(message);
            });
        }

        it("accepts digests and an hourly schedule with one day of retention", () => {
            expect(() =>
                validateLinstorDbBackupSettings(
                    settings({
                        linstorDbBackupSchedule: "0 * * * *",
                        linstorDbBackupRetentionDays: 2,
                        linstorDbBackupAwsCliImage: `public.ecr.aws/aws-cli/aws-cli:2.32.9@sha256:${"a".repeat(64)}`,
                    }),
                    PROJECT_KEY,
                ),
            ).to.not.throw();
        });

        it("registers nothing when arguments are invalid", async () => {
            resetRecords();
            for (const bad of [
                { linstorDbBackupSchedule: "nope" },
                { clusterName: "bad/name" },
                { linstorNamespace: "Bad_NS" },
                { bucket: { name: BUCKET, arn: "x", region: "europe", kmsKeyArn: KMS } },
            ] as Partial<LinstorDbBackupArgs>[]) {
                expect(() => new LinstorDbBackup("bad", args(bad))).to.throw(ConfigError);
            }
            await settle();
            expect(recorded.filter((r) => !r.type.startsWith("pulumi:providers:"))).to.deep.equal([]);
        });
    });

    describe("retention: a prefix rule LinstorDbBackup owns, on the bucket's one lifecycle configuration", () => {
        const bucket = {
            region: "eu-central-1",
            noncurrentVersionExpirationDays: 30,
            abortIncompleteMultipartUploadDays: 7,
            accessLogPrefix: "x/",
        };

        const dbRule = (days: number) => linstorDbBackupLifecycleRule({ linstorDbBackupRetentionDays: days });

        it("adds a prefix rule that expires database backups after the retention, and none without it", () => {
            const rules = lifecycleRules({ ...bucket, prefixRules: [dbRule(30)] });
            expect(rules[rules.length - 1]).to.deep.equal({
                id: "expire-linstor-db-backups",
                status: "Enabled",
                filter: { prefix: "linstor-db/" },
                expiration: { days: 30 },
            });
            expect(lifecycleRules(bucket).map((r) => r.id)).to.not.include("expire-linstor-db-backups");
            // Expired backups stay as noncurrent versions for the bucket-wide window before S3 removes them.
            expect(rules.find((r) => r.id === "expire-noncurrent-versions")?.filter).to.deep.equal({});
        });

        it("is recorded on the bucket's one lifecycle configuration", async () => {
            resetRecords();
            const provider = new aws.Provider("eu", { region: "eu-central-1" });
            new SnapshotBucket("hje-test-bucket", {
                namePrefix: "hje-test",
                settings: { ...bucket, prefixRules: [dbRule(45)] },
                provider,
                protect: true,
                tags: {},
            });
            await settle();
            const rules = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
            expect(rules.find((r: any) => r.id === "expire-linstor-db-backups")).to.deep.equal({
                id: "expire-linstor-db-backups",
                status: "Enabled",
                filter: { prefix: "linstor-db/" },
                expiration: { days: 45 },
            });
        });

        it("is validated: the retention's range by LinstorDbBackup, no shorter bucket-wide expiration by the bucket", () => {
            const s3 = (create: object): S3SnapshotSettings =>
                ({
                    ...S3_SNAPSHOT_DEFAULTS,
                    namePrefix: "hje-test",
                    protect: true,
                    tags: {},
                    snapshotAllowIncremental: false,
                    bucket: { create: { ...bucket, ...create } },
                }) as unknown as S3SnapshotSettings;
            const check = (create: object) => () => validateS3SnapshotSettings(s3(create), { clusterRegion: "us-west-2" }, PROJECT_KEY);
            expect(check({ prefixRules: [dbRule(30)] })).to.not.throw();
            const range = thrown(() => validateLinstorDbBackupSettings(settings({ linstorDbBackupRetentionDays: 0 }), PROJECT_KEY)) as ConfigError;
            expect(range.key).to.equal("ha-jenkins-eks:linstorDbBackupRetentionDays");
            expect(range.message).to.match(/1 to 36500/);
            const sooner = thrown(check({ prefixRules: [dbRule(120)], expireCurrentObjectsAfterDays: 100 })) as ConfigError;
            expect(sooner.key).to.equal("ha-jenkins-eks:snapshotBucketExpireCurrentObjectsDays");
            expect(sooner.message).to.match(/sooner than rule expire-linstor-db-backups keeps linstor-db\/ \(120 days\)/);
            expect(check({ prefixRules: [dbRule(100)], expireCurrentObjectsAfterDays: 100 })).to.not.throw();
            expect((thrown(check({ prefixRules: [dbRule(20), dbRule(30)] })) as ConfigError).message).to.match(/its own id/);
        });
    });
});

describe("LinstorDbBackup settings (library use, no stack config)", () => {
    const refusals: [Partial<LinstorDbBackupArgs>, string, RegExp][] = [
        // Ranges checked only when read from stack config before.
        [{ linstorDbBackupRetentionDays: 36501 }, "linstorDbBackupRetentionDays", /from 1 to 36500/],
        [{ linstorDbBackupAccessKeyRetiredGeneration: -1 }, "linstorDbBackupAccessKeyRetiredGeneration", /allowed: 0/],
        // This component's copy of the image check let floating tags and localhost registries through.
        [{ linstorDbBackupKubectlImage: "registry.k8s.io/kubectl:lts" }, "linstorDbBackupKubectlImage", /can move/],
        [{ linstorDbBackupAwsCliImage: "localhost:5000/aws-cli:2.32.9" }, "linstorDbBackupAwsCliImage", /fully qualified host name/],
        [{ namePrefix: "HJE" }, "namePrefix", /2–23 lowercase/],
        [{ tags: { a: 1 } as never }, "tags", /mapping of strings/],
    ];
    for (const [overrides, field, message] of refusals) {
        it(`refuses ${JSON.stringify(overrides)}, naming LinstorDbBackup.${field}`, async () => {
            resetRecords();
            const e = thrown(() => new LinstorDbBackup("lib", args(overrides))) as ConfigError;
            expect(e).to.be.instanceOf(ConfigError);
            expect(e.key).to.equal(`LinstorDbBackup.${field}`);
            expect(e.message).to.match(message);
            await settle();
            expect(recorded.filter((r) => !r.type.startsWith("pulumi:providers:"))).to.deep.equal([]);
        });
    }
});
