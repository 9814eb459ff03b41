import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { LinstorDbBackup, LinstorDbBackupArgs } from "../../../components/linstorDbBackup";
import { SnapshotBucket } from "../../../components/snapshots/bucket";
import { ConfigError } from "../../../components/shared/errors";
import {
    BACKUP_FORMAT, EXPORT_SCRIPT, LINSTOR_DB_BACKUP_DEFAULTS, LINSTOR_DB_RESOURCES, linstorDbBackupCronJobSpec,
    linstorDbBackupLifecycleRule, linstorDbBackupUserPolicy, LinstorDbBackupSettings, uploadArgs, validateLinstorDbBackupSettings,
} from "../../../components/linstorDbBackup/settings";
import { S3_SNAPSHOT_DEFAULTS, S3SnapshotSettings, validateS3SnapshotSettings } from "../../../components/snapshots/settings";
import { lifecycleRules } from "../../../components/snapshots/lifecycle";
import { readLinstorDbBackupConfig } from "../../../stacks/config/linstorDbBackup";
import { ConfigReader } from "../../../stacks/config/reader";
import { thrown } from "../../support/fixtures";
import { dependsOn, ofType, one, recorded, resetRecords, settle, unsecret, useStack, valueOf } from "../../support/mocks";
import { projectKey } from "../../../stacks/config/naming";

/** The stack's KeyOf: a field's error names its config key (stacks/config/naming.ts). */
const PROJECT_KEY = projectKey;
const BUCKET = "hje-test-snapshots-eu-central-1-0a1b2c3d";
const KMS = "arn:aws:kms:eu-central-1:123456789012:key/bucket-key";
const { linstorDbBackupEnabled: _enabled, ...DEFAULTS } = LINSTOR_DB_BACKUP_DEFAULTS;
const settings = (o: Partial<LinstorDbBackupSettings> = {}): LinstorDbBackupSettings => ({ ...DEFAULTS, ...o });
const cronArgs = {
    schedule: "30 2 * * *", kubectlImage: DEFAULTS.linstorDbBackupKubectlImage, awsCliImage: DEFAULTS.linstorDbBackupAwsCliImage,
    namespace: "piraeus-datastore", serviceAccountName: "linstor-db-backup", passphraseSecretName: "linstor-passphrase",
    passphraseKey: "MASTER_PASSPHRASE", clusterName: "hje-test", bucket: BUCKET, bucketRegion: "eu-central-1", kmsKeyArn: KMS,
    credentialsSecretName: "linstor-db-backup-aws-g1",
};
const hasTools = spawnSync("bash", ["-c", "command -v jq && command -v tar && command -v sha256sum"]).status === 0;

function args(overrides: Partial<LinstorDbBackupArgs> = {}): LinstorDbBackupArgs {
    return {
        ...DEFAULTS,
        namePrefix: "hje-test",
        clusterName: "hje-test",
        k8sProvider: new k8s.Provider("test-k8s", { kubeconfig: "{}" }),
        linstorNamespace: "piraeus-datastore",
        passphraseSecretName: "linstor-passphrase",
        bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}`, region: "eu-central-1", kmsKeyArn: KMS },
        tags: {},
        ...overrides,
    };
}

async function build(overrides: Partial<LinstorDbBackupArgs> = {}): Promise<LinstorDbBackup> {
    resetRecords();
    const c = new LinstorDbBackup("hje-test-linstor-db", args(overrides));
    await valueOf(c.location);
    await valueOf(c.currentAccessKeyId);
    await settle();
    return c;
}

const cronPod = () => one("kubernetes:batch/v1:CronJob").inputs.spec.jobTemplate.spec.template.spec;

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
                linstorDbBackupEnabled: "false", linstorDbBackupSchedule: "0 */6 * * *", linstorDbBackupRetentionDays: "14",
                linstorDbBackupAccessKeyGeneration: "3", linstorDbBackupAccessKeyRetiredGeneration: "2",
            });
            expect(c).to.include({
                linstorDbBackupEnabled: false, linstorDbBackupSchedule: "0 */6 * * *", linstorDbBackupRetentionDays: 14,
                linstorDbBackupAccessKeyGeneration: 3, linstorDbBackupAccessKeyRetiredGeneration: 2,
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
            ["linstorDbBackupAccessKeyRetiredGeneration", { linstorDbBackupAccessKeyGeneration: 4, linstorDbBackupAccessKeyRetiredGeneration: 1 }, /allowed: 2/],
            ["linstorDbBackupAccessKeyRetiredGeneration", { linstorDbBackupAccessKeyGeneration: 2, linstorDbBackupAccessKeyRetiredGeneration: 2 }, /allowed/],
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
            expect(() => validateLinstorDbBackupSettings(settings({
                linstorDbBackupSchedule: "0 * * * *", linstorDbBackupRetentionDays: 2,
                linstorDbBackupAwsCliImage: `public.ecr.aws/aws-cli/aws-cli:2.32.9@sha256:${"a".repeat(64)}`,
            }), PROJECT_KEY)).to.not.throw();
        });

        it("registers nothing when arguments are invalid", async () => {
            resetRecords();
            for (const bad of [{ linstorDbBackupSchedule: "nope" }, { clusterName: "bad/name" }, { linstorNamespace: "Bad_NS" },
                { bucket: { name: BUCKET, arn: "x", region: "europe", kmsKeyArn: KMS } }] as Partial<LinstorDbBackupArgs>[]) {
                expect(() => new LinstorDbBackup("bad", { ...args(bad), keyOf: PROJECT_KEY })).to.throw(ConfigError);
            }
            await settle();
            expect(recorded.filter((r) => !r.type.startsWith("pulumi:providers:"))).to.deep.equal([]);
        });
    });

    describe("CronJob spec", () => {
        const spec = linstorDbBackupCronJobSpec(cronArgs) as any;
        const pod = spec.jobTemplate.spec.template.spec;
        const [exporter] = pod.initContainers;
        const [uploader] = pod.containers;
        const env = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

        it("runs daily in UTC, one at a time, with bounded retries and runtime", () => {
            expect(spec).to.include({ schedule: "30 2 * * *", timeZone: "Etc/UTC", concurrencyPolicy: "Forbid", startingDeadlineSeconds: 3600 });
            expect(spec.jobTemplate.spec).to.include({ backoffLimit: 2, activeDeadlineSeconds: 1800 });
            expect(pod.restartPolicy).to.equal("Never");
            expect(pod.serviceAccountName).to.equal("linstor-db-backup");
        });

        it("exports with the pinned kubectl image and uploads with the pinned AWS CLI image", () => {
            expect(pod.initContainers.map((c: any) => [c.name, c.image])).to.deep.equal([["export", "registry.k8s.io/kubectl:v1.35.1"]]);
            expect(pod.containers.map((c: any) => [c.name, c.image])).to.deep.equal([["upload", "public.ecr.aws/aws-cli/aws-cli:2.32.9"]]);
            expect(exporter.command).to.deep.equal(["/bin/bash", "-c", EXPORT_SCRIPT]);
            expect(uploader.command).to.deep.equal(["aws"]);
        });

        it("uploads both files with SSE-KMS under the bucket's own key, in the bucket region", () => {
            expect(uploader.args).to.deep.equal([
                "s3", "cp", "/work/out/", `s3://${BUCKET}/linstor-db/hje-test/`, "--recursive",
                "--sse", "aws:kms", "--sse-kms-key-id", KMS, "--region", "eu-central-1", "--no-progress",
            ]);
            expect(uploadArgs(cronArgs)).to.deep.equal(uploader.args);
        });

        it("hands the export its inputs and the upload only the current key, never the node role", () => {
            expect(env(exporter)).to.deep.equal({
                API_GROUP: "internal.linstor.linbit.com", ALLOWED_RESOURCES: LINSTOR_DB_RESOURCES.join(" "),
                NAMESPACE: "piraeus-datastore", PASSPHRASE_SECRET: "linstor-passphrase", PASSPHRASE_KEY: "MASTER_PASSPHRASE",
                CLUSTER_NAME: "hje-test", BUCKET, KEY_PREFIX: "linstor-db/hje-test/", FORMAT: BACKUP_FORMAT, WORK_DIR: "/work", HOME: "/tmp",
            });
            expect(env(uploader)).to.deep.equal({
                AWS_ACCESS_KEY_ID: { secretKeyRef: { name: "linstor-db-backup-aws-g1", key: "AWS_ACCESS_KEY_ID" } },
                AWS_SECRET_ACCESS_KEY: { secretKeyRef: { name: "linstor-db-backup-aws-g1", key: "AWS_SECRET_ACCESS_KEY" } },
                AWS_EC2_METADATA_DISABLED: "true", HOME: "/tmp",
            });
        });

        it("runs as non-root with a read-only root filesystem, no capabilities and RuntimeDefault seccomp", () => {
            expect(pod.securityContext).to.deep.equal({
                runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" },
            });
            for (const c of [exporter, uploader]) {
                expect(c.securityContext, c.name).to.deep.equal({
                    allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] },
                });
                expect(c.resources.limits.memory, c.name).to.equal("512Mi");
            }
        });

        it("mounts an API token only into the export container", () => {
            expect(pod.automountServiceAccountToken).to.equal(false);
            expect(exporter.volumeMounts).to.deep.equal([
                { name: "work", mountPath: "/work" }, { name: "tmp", mountPath: "/tmp" },
                { name: "api-token", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true },
            ]);
            expect(uploader.volumeMounts).to.deep.equal([{ name: "work", mountPath: "/work", readOnly: true }, { name: "tmp", mountPath: "/tmp" }]);
            expect(pod.volumes).to.deep.equal([
                { name: "work", emptyDir: { sizeLimit: "1Gi" } },
                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                {
                    name: "api-token",
                    projected: {
                        defaultMode: 0o444,
                        sources: [
                            { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
                            { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                            { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } },
                        ],
                    },
                },
            ]);
        });
    });

    describe("IAM policy", () => {
        it("allows only uploads to this cluster's prefix and the bucket key through S3", () => {
            expect(linstorDbBackupUserPolicy({
                bucketArn: `arn:aws:s3:::${BUCKET}`, bucketRegion: "eu-central-1", kmsKeyArn: KMS, clusterName: "hje-test",
            })).to.deep.equal({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "UploadLinstorDbBackups", Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
                        Resource: `arn:aws:s3:::${BUCKET}/linstor-db/hje-test/*`,
                    },
                    {
                        Sid: "EncryptWithBucketKeyThroughS3", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: KMS,
                        Condition: { StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } },
                    },
                ],
            });
        });
    });

    describe("resources", () => {
        let c: LinstorDbBackup;
        before(async () => { c = await build(); });

        it("creates a dedicated IAM user whose inline policy is the upload-only document", () => {
            const user = one("aws:iam/user:User");
            expect(user.inputs).to.deep.include({ name: "hje-test-linstor-db-backup", path: "/ha-jenkins-eks/" });
            expect(user.inputs.tags).to.deep.equal({ "ha-jenkins-eks:purpose": "linstor-db-backup" });
            const policy = one("aws:iam/userPolicy:UserPolicy");
            expect(policy.inputs.name).to.equal("linstor-db-backup-upload");
            const doc = JSON.parse(policy.inputs.policy);
            const actions = doc.Statement.flatMap((s: any) => s.Action);
            expect(actions).to.deep.equal(["s3:PutObject", "s3:AbortMultipartUpload", "kms:GenerateDataKey", "kms:Decrypt"]);
            const resources = doc.Statement.map((s: any) => s.Resource);
            expect(resources).to.deep.equal([`arn:aws:s3:::${BUCKET}/linstor-db/hje-test/*`, KMS]);
            expect(JSON.stringify(doc)).to.not.match(/s3:(Get|List|Delete)/);
        });

        it("keeps the access key in an immutable Secret in the LINSTOR namespace, created after the policy", () => {
            const secret = one("kubernetes:core/v1:Secret");
            expect(secret.inputs.metadata).to.deep.include({ name: "linstor-db-backup-aws-g1", namespace: "piraeus-datastore" });
            expect(secret.inputs.immutable).to.equal(true);
            expect(secret.inputs.type).to.equal("Opaque");
            const data = unsecret<Record<string, string>>(secret.inputs.stringData);
            expect(data).to.deep.equal({ AWS_ACCESS_KEY_ID: one("aws:iam/accessKey:AccessKey").id, AWS_SECRET_ACCESS_KEY: "mock-secret-access-key" });
            expect(dependsOn(secret, one("aws:iam/userPolicy:UserPolicy"))).to.equal(true);
            expect(secret.options!.deleteBeforeReplace).to.equal(true);
            expect(c.credentialsSecretName).to.equal("linstor-db-backup-aws-g1");
        });

        it("grants list on exactly LINSTOR's database resources and get on their CRDs by name", () => {
            const role = one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole");
            expect(role.inputs.metadata.name).to.equal("hje-test-linstor-db-backup");
            expect(role.inputs.rules).to.deep.equal([
                { apiGroups: ["internal.linstor.linbit.com"], resources: [...LINSTOR_DB_RESOURCES], verbs: ["list"] },
                {
                    apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get"],
                    resourceNames: LINSTOR_DB_RESOURCES.map((r) => `${r}.internal.linstor.linbit.com`),
                },
            ]);
            expect(LINSTOR_DB_RESOURCES).to.include.members(["nodes", "resources", "layerdrbdresources", "s3remotes", "linstorversion", "rollback"]);
            expect(new Set(LINSTOR_DB_RESOURCES).size).to.equal(LINSTOR_DB_RESOURCES.length);
            const binding = one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding");
            expect(binding.inputs.roleRef).to.deep.equal({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "hje-test-linstor-db-backup" });
            expect(binding.inputs.subjects).to.deep.equal([{ kind: "ServiceAccount", name: "linstor-db-backup", namespace: "piraeus-datastore" }]);
        });

        it("lets the job read only the passphrase Secret in its namespace", () => {
            const role = one("kubernetes:rbac.authorization.k8s.io/v1:Role");
            expect(role.inputs.metadata).to.deep.include({ name: "linstor-db-backup", namespace: "piraeus-datastore" });
            expect(role.inputs.rules).to.deep.equal([{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["linstor-passphrase"] }]);
            const binding = one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding");
            expect(binding.inputs.roleRef).to.deep.equal({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "linstor-db-backup" });
            expect(binding.inputs.subjects).to.deep.equal([{ kind: "ServiceAccount", name: "linstor-db-backup", namespace: "piraeus-datastore" }]);
            expect(one("kubernetes:core/v1:ServiceAccount").inputs.automountServiceAccountToken).to.equal(false);
            expect(ofType("kubernetes:rbac.authorization.k8s.io/v1:Role")).to.have.length(1);
        });

        it("schedules the CronJob in the LINSTOR namespace after its key and RBAC exist", () => {
            const cron = one("kubernetes:batch/v1:CronJob");
            expect(cron.inputs.metadata).to.deep.include({ name: "linstor-db-backup", namespace: "piraeus-datastore" });
            expect(cron.inputs.spec).to.deep.equal(JSON.parse(JSON.stringify(linstorDbBackupCronJobSpec(cronArgs))));
            for (const dep of [one("kubernetes:core/v1:Secret"), one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"),
                one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")]) {
                expect(dependsOn(cron, dep), dep.type).to.equal(true);
            }
        });

        it("exposes where the archives go and how to restore the newest", async () => {
            expect(await valueOf(c.location)).to.equal(`s3://${BUCKET}/linstor-db/hje-test/`);
            expect(c.keyPrefix).to.equal("linstor-db/hje-test/");
            expect(await valueOf(c.restoreCommand)).to.equal(`components/linstorDbBackup/restoreLinstorDb.sh --bucket ${BUCKET} --region eu-central-1 ` +
                "--prefix linstor-db/hje-test/ --latest --namespace piraeus-datastore --passphrase-secret linstor-passphrase");
            expect(await valueOf(c.iamUserName)).to.equal("hje-test-linstor-db-backup");
            expect(c.schedule).to.equal("30 2 * * *");
            expect(c.retentionDays).to.equal(30);
        });

        it("waits for LINSTOR before creating the CronJob", async () => {
            resetRecords();
            const provider = new k8s.Provider("ready-k8s", { kubeconfig: "{}" });
            const ready = new k8s.core.v1.Namespace("linstor-ready", { metadata: { name: "x" } }, { provider });
            new LinstorDbBackup("hje-test-linstor-db", args({ storageReady: [ready], k8sProvider: provider }));
            await settle();
            expect(dependsOn(one("kubernetes:batch/v1:CronJob"), one("kubernetes:core/v1:Namespace"))).to.equal(true);
        });

        it("rotates without a gap: the new key's Secret exists beside the old one and the job uses the new one", async () => {
            await build({ linstorDbBackupAccessKeyGeneration: 2 });
            expect(ofType("aws:iam/accessKey:AccessKey").map((k) => k.name)).to.deep.equal(["hje-test-linstor-db-g1", "hje-test-linstor-db-g2"]);
            expect(ofType("kubernetes:core/v1:Secret").map((s) => s.inputs.metadata.name)).to.deep.equal(["linstor-db-backup-aws-g1", "linstor-db-backup-aws-g2"]);
            expect(ofType("kubernetes:core/v1:Secret").every((s) => s.inputs.immutable === true)).to.equal(true);
            expect(cronPod().containers[0].env[0].valueFrom.secretKeyRef.name).to.equal("linstor-db-backup-aws-g2");
            expect(dependsOn(one("kubernetes:batch/v1:CronJob"), one("kubernetes:core/v1:Secret", "g2"))).to.equal(true);
            await build({ linstorDbBackupAccessKeyGeneration: 2, linstorDbBackupAccessKeyRetiredGeneration: 1 });
            expect(ofType("aws:iam/accessKey:AccessKey").map((k) => k.name)).to.deep.equal(["hje-test-linstor-db-g2"]);
        });

        it("refuses a bucket without a KMS key before registering anything", async () => {
            resetRecords();
            const e = thrown(() => new LinstorDbBackup("no-kms", {
                ...args({ bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}`, region: "eu-central-1", kmsKeyArn: undefined } }),
                keyOf: PROJECT_KEY,
            })) as ConfigError;
            expect(e.key).to.equal("ha-jenkins-eks:snapshotKmsKeyArn");
            expect(e.message).to.contain("SSE-KMS key");
            await settle();
            expect(recorded.filter((r) => !r.type.startsWith("pulumi:providers:"))).to.deep.equal([]);
        });
    });

    describe("retention: a prefix rule LinstorDbBackup owns, on the bucket's one lifecycle configuration", () => {
        const bucket = {
            region: "eu-central-1", noncurrentVersionExpirationDays: 30, abortIncompleteMultipartUploadDays: 7, accessLogPrefix: "x/",
        };

        const dbRule = (days: number) => linstorDbBackupLifecycleRule({ linstorDbBackupRetentionDays: days });

        it("adds a prefix rule that expires database backups after the retention, and none without it", () => {
            const rules = lifecycleRules({ ...bucket, prefixRules: [dbRule(30)] });
            expect(rules[rules.length - 1]).to.deep.equal({
                id: "expire-linstor-db-backups", status: "Enabled", filter: { prefix: "linstor-db/" }, expiration: { days: 30 },
            });
            expect(lifecycleRules(bucket).map((r) => r.id)).to.not.include("expire-linstor-db-backups");
            // Expired backups stay as noncurrent versions for the bucket-wide window before S3 removes them.
            expect(rules.find((r) => r.id === "expire-noncurrent-versions")?.filter).to.deep.equal({});
        });

        it("is recorded on the bucket's one lifecycle configuration", async () => {
            resetRecords();
            const provider = new aws.Provider("eu", { region: "eu-central-1" });
            new SnapshotBucket("hje-test-bucket", {
                namePrefix: "hje-test", settings: { ...bucket, prefixRules: [dbRule(45)] }, provider, protect: true, tags: {},
            });
            await settle();
            const rules = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
            expect(rules.find((r: any) => r.id === "expire-linstor-db-backups")).to.deep.equal({
                id: "expire-linstor-db-backups", status: "Enabled", filter: { prefix: "linstor-db/" }, expiration: { days: 45 },
            });
        });

        it("is validated: the retention's range by LinstorDbBackup, no shorter bucket-wide expiration by the bucket", () => {
            const s3 = (create: object): S3SnapshotSettings => ({
                ...S3_SNAPSHOT_DEFAULTS, namePrefix: "hje-test", protect: true, tags: {}, snapshotAllowIncremental: false,
                bucket: { create: { ...bucket, ...create } },
            }) as unknown as S3SnapshotSettings;
            const check = (create: object) => () => validateS3SnapshotSettings(s3(create), { clusterRegion: "us-west-2" }, PROJECT_KEY);
            expect(check({ prefixRules: [dbRule(30)] })).to.not.throw();
            const range = thrown(() => validateLinstorDbBackupSettings(settings({ linstorDbBackupRetentionDays: 0 }), PROJECT_KEY)) as ConfigError;
            expect(range.key).to.equal("ha-jenkins-eks:linstorDbBackupRetentionDays");
            expect(range.message).to.match(/1 to 36500/);
            const sooner = thrown(check({ prefixRules: [dbRule(30)], expireCurrentObjectsAfterDays: 20 })) as ConfigError;
            expect(sooner.key).to.equal("ha-jenkins-eks:snapshotBucketExpireCurrentObjectsDays");
            expect(sooner.message).to.match(/sooner than rule expire-linstor-db-backups keeps linstor-db\/ \(30 days\)/);
            expect(check({ prefixRules: [dbRule(20)], expireCurrentObjectsAfterDays: 20 })).to.not.throw();
            expect((thrown(check({ prefixRules: [dbRule(20), dbRule(30)] })) as ConfigError).message).to.match(/its own id/);
        });
    });

    describe("export, upload and restore against fake kubectl and aws", function () {
        let dir: string;
        const run = (cmd: string, argv: string[], env: Record<string, string>, input?: string) => {
            const r = spawnSync(cmd, argv, {
                env: { PATH: `${dir}/bin:${process.env.PATH}`, STATE: dir, STORE: `${dir}/s3`, HOME: dir, POLL_SECONDS: "0", ...env },
                encoding: "utf8", input,
            });
            return { status: r.status, stderr: r.stderr, stdout: r.stdout };
        };
        const lines = (file: string) => fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").filter((l) => l) : [];
        const write = (file: string, content: unknown) => fs.writeFileSync(path.join(dir, file), typeof content === "string" ? content : JSON.stringify(content));

        const crd = (plural: string, kind: string, versions: object[]) => ({
            apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition",
            metadata: { name: `${plural}.internal.linstor.linbit.com`, uid: "u", resourceVersion: "7" },
            spec: { group: "internal.linstor.linbit.com", names: { plural, kind }, scope: "Cluster", versions },
        });
        const current = [{ name: "v1-31-1", served: true, storage: false }, { name: "v1-33-1", served: true, storage: true }];
        const crds = {
            apiVersion: "v1", kind: "List",
            items: [
                crd("linstorversion", "LinstorVersion", [{ name: "v1", served: true, storage: true }]),
                crd("nodes", "Nodes", current),
                crd("resourcedefinitions", "ResourceDefinitions", current),
                crd("s3remotes", "S3Remotes", current),
            ],
        };
        const raw: Record<string, object> = {
            linstorversion: { kind: "LinstorVersionList", items: [{ metadata: { name: "version" }, spec: { version: 42 } }] },
            nodes: { kind: "NodesList", items: [{ metadata: { name: "n1", resourceVersion: "100" }, spec: { node_name: "N1" } },
                { metadata: { name: "n2", resourceVersion: "101" }, spec: { node_name: "N2" } }] },
            resourcedefinitions: { kind: "ResourceDefinitionsList", items: [{ metadata: { name: "pvc-1" }, spec: { resource_name: "PVC-1" } }] },
            s3remotes: { kind: "S3RemotesList", items: [] },
        };
        const passphrase = Buffer.from("correct horse battery staple").toString("base64");
        const secret = {
            apiVersion: "v1", kind: "Secret", immutable: true, type: "Opaque", data: { MASTER_PASSPHRASE: passphrase },
            metadata: {
                name: "linstor-passphrase", namespace: "piraeus-datastore", uid: "abc", resourceVersion: "55",
                creationTimestamp: "2026-01-01T00:00:00Z", managedFields: [{ manager: "pulumi" }], labels: { keep: "me" },
            },
        };
        const fakeKubectl = `#!/usr/bin/env bash
echo "$*" >> "$STATE/kubectl.log"
ns="-n piraeus-datastore"
case "$*" in
  "api-resources --api-group=internal.linstor.linbit.com -o name") cat "$STATE/served.txt" ;;
  "get crd "*" -o json") cat "$STATE/crds.json" ;;
  "get --raw /apis/internal.linstor.linbit.com/"*"?limit=1") echo '{"kind":"x","metadata":{"resourceVersion":"4242"},"items":[]}' ;;
  "get --raw /apis/internal.linstor.linbit.com/"*) p="\${3%%\\?*}"; cat "$STATE/raw/\${p##*/}.json" ;;
  "$ns get secret linstor-passphrase -o json")
    if [ -f "$STATE/secret.json" ]; then cat "$STATE/secret.json"; else echo 'Error from server (NotFound)' >&2; exit 1; fi ;;
  "get namespace piraeus-datastore") echo namespace/piraeus-datastore ;;
  "$ns get deployment -l app.kubernetes.io/component in (piraeus-operator,linstor-operator) -o name")
    echo deployment.apps/linstor-operator-piraeus-controller-manager ;;
  "$ns get deployment linstor-operator-piraeus-controller-manager -o jsonpath={.spec.replicas}") printf 2 ;;
  "$ns get deployment linstor-controller -o jsonpath={.spec.replicas}") printf 1 ;;
  "$ns get pods -l app.kubernetes.io/component=linstor-controller -o name") ;;
  "get crds "*" -o yaml"|"get "*".internal.linstor.linbit.com -o yaml") echo "kind: List" ;;
  "$ns scale deployment "*|"delete crds "*|"create -f "*|"$ns create -f "*|"wait --for condition=established "*|"$ns rollout status deployment "*) ;;
  *) echo "unexpected kubectl $*" >&2; exit 3 ;;
esac
`;
        const fakeAws = `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$STATE/aws.log"
case "$1 $2" in
  "s3 ls") p="\${3#s3://}"; for f in "$STORE/$p"*; do echo "2026-01-01 02:30:05 100 \${f##*/}"; done ;;
  "s3 cp")
    case "$3" in
      s3://*) cp "$STORE/\${3#s3://}" "$4" ;;
      *) [ "$5" = --recursive ] || exit 4; mkdir -p "$STORE/\${4#s3://}"; cp "$3"* "$STORE/\${4#s3://}" ;;
    esac ;;
  *) echo "unexpected aws $*" >&2; exit 3 ;;
esac
`;
        const exportEnv = () => {
            const spec = linstorDbBackupCronJobSpec(cronArgs) as any;
            const base = Object.fromEntries(spec.jobTemplate.spec.template.spec.initContainers[0].env.map((e: any) => [e.name, e.value]));
            return { ...base, WORK_DIR: `${dir}/work` };
        };
        const reset = () => {
            for (const f of ["kubectl.log", "aws.log"]) fs.rmSync(path.join(dir, f), { force: true });
            for (const d of ["work", "s3", "restore"]) fs.rmSync(path.join(dir, d), { recursive: true, force: true });
            write("served.txt", `${crds.items.map((i) => i.metadata.name).join("\n")}\n`);
            write("crds.json", crds);
            write("secret.json", secret);
            fs.mkdirSync(path.join(dir, "raw"), { recursive: true });
            for (const [plural, list] of Object.entries(raw)) write(`raw/${plural}.json`, list);
        };
        /** Runs the export container's script, then the upload container's argv, as the CronJob would. */
        const backup = () => {
            const exported = run("bash", ["-c", EXPORT_SCRIPT], exportEnv());
            if (exported.status !== 0) return { exported, archive: undefined };
            const argv = uploadArgs(cronArgs).map((a) => a.replace(/^\/work\//, `${dir}/work/`));
            const uploaded = run("aws", argv, {});
            const stored = path.join(dir, "s3", BUCKET, "linstor-db", "hje-test");
            const archive = fs.readdirSync(stored).find((f) => f.endsWith(".tar.gz"));
            return { exported, uploaded, archive, stored };
        };
        const extract = (archive: string) => {
            const to = path.join(dir, "x");
            fs.rmSync(to, { recursive: true, force: true });
            fs.mkdirSync(to);
            expect(spawnSync("tar", ["-xzf", archive, "-C", to]).status).to.equal(0);
            const json = (f: string) => JSON.parse(fs.readFileSync(path.join(to, f), "utf8"));
            return { files: spawnSync("tar", ["-tzf", archive], { encoding: "utf8" }).stdout.trim().split("\n").sort(), json };
        };
        const restore = (extra: string[], env: Record<string, string> = {}) => run("bash", [
            path.resolve(__dirname, "../../../components/linstorDbBackup/restoreLinstorDb.sh"), "--bucket", BUCKET, "--region", "eu-central-1",
            "--prefix", "linstor-db/hje-test/", "--latest", "--work-dir", path.join(dir, "restore"), ...extra,
        ], env);
        const MUTATING = /^(-n \S+ )?(scale|delete|create|wait|rollout)\b/;

        before(function () {
            if (!hasTools) this.skip();
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "linstor-db-backup-"));
            fs.mkdirSync(path.join(dir, "bin"));
            fs.writeFileSync(path.join(dir, "bin", "kubectl"), fakeKubectl, { mode: 0o755 });
            fs.writeFileSync(path.join(dir, "bin", "aws"), fakeAws, { mode: 0o755 });
        });
        after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

        it("packs every database resource read at one revision, the CRDs, the passphrase and a manifest", () => {
            reset();
            const r = backup();
            expect(r.exported.status, r.exported.stderr).to.equal(0);
            expect(r.archive).to.match(/^\d{8}T\d{6}Z\.tar\.gz$/);
            const archive = path.join(r.stored!, r.archive!);
            const { files, json } = extract(archive);
            expect(files).to.deep.equal([
                "db/", "db/crds.json", "db/linstorversion.internal.linstor.linbit.com.json", "db/nodes.internal.linstor.linbit.com.json",
                "db/resourcedefinitions.internal.linstor.linbit.com.json", "db/s3remotes.internal.linstor.linbit.com.json",
                "manifest.json", "passphrase-secret.json",
            ]);
            const calls = lines(path.join(dir, "kubectl.log"));
            const reads = calls.filter((c) => c.includes("resourceVersionMatch"));
            expect(reads).to.deep.equal([
                "get --raw /apis/internal.linstor.linbit.com/v1/linstorversion?resourceVersion=4242&resourceVersionMatch=Exact",
                "get --raw /apis/internal.linstor.linbit.com/v1-33-1/nodes?resourceVersion=4242&resourceVersionMatch=Exact",
                "get --raw /apis/internal.linstor.linbit.com/v1-33-1/resourcedefinitions?resourceVersion=4242&resourceVersionMatch=Exact",
                "get --raw /apis/internal.linstor.linbit.com/v1-33-1/s3remotes?resourceVersion=4242&resourceVersionMatch=Exact",
            ]);
            expect(calls.every((c) => !/\b(create|delete|patch|apply|scale|edit)\b/.test(c))).to.equal(true);

            const nodes = json("db/nodes.internal.linstor.linbit.com.json");
            expect(nodes).to.deep.equal({
                apiVersion: "v1", kind: "List",
                items: [
                    { apiVersion: "internal.linstor.linbit.com/v1-33-1", kind: "Nodes", metadata: { name: "n1", resourceVersion: "100" }, spec: { node_name: "N1" } },
                    { apiVersion: "internal.linstor.linbit.com/v1-33-1", kind: "Nodes", metadata: { name: "n2", resourceVersion: "101" }, spec: { node_name: "N2" } },
                ],
            });
            expect(json("db/crds.json")).to.deep.equal(crds);
            expect(json("passphrase-secret.json")).to.deep.equal({
                apiVersion: "v1", kind: "Secret", immutable: true, type: "Opaque", data: { MASTER_PASSPHRASE: passphrase },
                metadata: { name: "linstor-passphrase", namespace: "piraeus-datastore", labels: { keep: "me" } },
            });
            const manifest = json("manifest.json");
            expect(manifest).to.deep.include({
                format: BACKUP_FORMAT, cluster: "hje-test", namespace: "piraeus-datastore", apiGroup: "internal.linstor.linbit.com",
                resourceVersion: "4242", linstorDbSchemaVersion: 42,
                counts: { LinstorVersion: 1, Nodes: 2, ResourceDefinitions: 1, S3Remotes: 0 },
            });
            expect(manifest.createdAt.replace(/[-:]/g, "")).to.equal(r.archive!.replace(".tar.gz", ""));
            expect(manifest.crds).to.include({ file: "db/crds.json", count: 4 });
            expect(manifest.resources.map((x: any) => [x.file, x.kind, x.version, x.count])).to.deep.equal([
                ["db/linstorversion.internal.linstor.linbit.com.json", "LinstorVersion", "v1", 1],
                ["db/nodes.internal.linstor.linbit.com.json", "Nodes", "v1-33-1", 2],
                ["db/resourcedefinitions.internal.linstor.linbit.com.json", "ResourceDefinitions", "v1-33-1", 1],
                ["db/s3remotes.internal.linstor.linbit.com.json", "S3Remotes", "v1-33-1", 0],
            ]);
            expect(manifest.passphraseSecret).to.include({ name: "linstor-passphrase", key: "MASTER_PASSPHRASE", file: "passphrase-secret.json" });
        });

        it("uploads the archive and its checksum with SSE-KMS and the bucket region", () => {
            reset();
            const r = backup();
            expect(r.uploaded!.status, r.uploaded!.stderr).to.equal(0);
            expect(lines(path.join(dir, "aws.log"))).to.deep.equal([
                `s3 cp ${dir}/work/out/ s3://${BUCKET}/linstor-db/hje-test/ --recursive --sse aws:kms --sse-kms-key-id ${KMS} --region eu-central-1 --no-progress`,
            ]);
            expect(fs.readdirSync(r.stored!).sort()).to.deep.equal([r.archive, `${r.archive}.sha256`]);
            const check = spawnSync("sha256sum", ["--check", `${r.archive}.sha256`], { cwd: r.stored, encoding: "utf8" });
            expect(check.status, check.stdout + check.stderr).to.equal(0);
        });

        it("refuses to write a partial backup when LINSTOR serves a resource its RBAC does not cover", () => {
            reset();
            write("served.txt", `${crds.items.map((i) => i.metadata.name).join("\n")}\nnewthings.internal.linstor.linbit.com\n`);
            const r = backup();
            expect(r.exported.status).to.equal(1);
            expect(r.exported.stderr).to.contain("LINSTOR serves newthings.internal.linstor.linbit.com, which this job's RBAC does not cover");
            // It stops right after discovery, before reading anything.
            expect(lines(path.join(dir, "kubectl.log"))).to.deep.equal(["api-resources --api-group=internal.linstor.linbit.com -o name"]);
            expect(fs.readdirSync(path.join(dir, "work", "out"))).to.deep.equal([]);
        });

        it("fails when the passphrase Secret has no master passphrase", () => {
            reset();
            write("secret.json", { ...secret, data: {} });
            const r = backup();
            expect(r.exported.status).to.equal(1);
            expect(r.exported.stderr).to.contain("has no MASTER_PASSPHRASE");
        });

        it("handles a single CRD (kubectl then returns the object, not a List)", () => {
            reset();
            write("served.txt", "nodes.internal.linstor.linbit.com\n");
            write("crds.json", crds.items[1]);
            const r = backup();
            expect(r.exported.status, r.exported.stderr).to.equal(0);
            const { json } = extract(path.join(r.stored!, r.archive!));
            expect(json("db/crds.json").items).to.have.length(1);
            expect(json("manifest.json").linstorDbSchemaVersion).to.equal(null);
        });

        describe("restore script", () => {
            beforeEach(() => {
                reset();
                const r = backup();
                expect(r.exported.status, r.exported.stderr).to.equal(0);
            });

            it("dry run: downloads and verifies the newest archive, reads the cluster, changes nothing", () => {
                const r = restore([]);
                expect(r.status, r.stderr).to.equal(0);
                const awsCalls = lines(path.join(dir, "aws.log")).slice(1);
                expect(awsCalls[0]).to.equal(`s3 ls s3://${BUCKET}/linstor-db/hje-test/ --region eu-central-1`);
                expect(awsCalls[1]).to.match(new RegExp(`^s3 cp s3://${BUCKET}/linstor-db/hje-test/\\d{8}T\\d{6}Z\\.tar\\.gz ${dir}/restore/ --region eu-central-1$`));
                expect(awsCalls[2]).to.match(/\.tar\.gz\.sha256 .* --region eu-central-1$/);
                const calls = lines(path.join(dir, "kubectl.log"));
                const restoreCalls = calls.slice(calls.indexOf("get namespace piraeus-datastore"));
                expect(restoreCalls.filter((c) => MUTATING.test(c))).to.deep.equal([]);
                expect(r.stderr).to.contain("[dry-run] would run: kc -n piraeus-datastore scale deployment linstor-operator-piraeus-controller-manager --replicas 0");
                expect(r.stderr).to.contain("[dry-run] would run: kc delete crds");
                expect(r.stderr).to.contain("archive OK: cluster hje-test");
                expect(r.stderr).to.contain("Nodes: 2");
            });

            it("apply: stops operator then controller, replaces the CRDs, creates the backup, restarts both as they were", () => {
                const r = restore(["--apply", "--yes"]);
                expect(r.status, r.stderr).to.equal(0);
                const calls = lines(path.join(dir, "kubectl.log"));
                const steps = calls.slice(calls.indexOf("get namespace piraeus-datastore")).filter((c) => MUTATING.test(c) || c.includes(" -o yaml"));
                const x = `${dir}/restore/extracted`;
                const names = crds.items.map((i) => i.metadata.name);
                expect(steps).to.deep.equal([
                    "-n piraeus-datastore scale deployment linstor-operator-piraeus-controller-manager --replicas 0",
                    "-n piraeus-datastore scale deployment linstor-controller --replicas 0",
                    `get crds ${names.join(" ")} -o yaml`,
                    ...names.map((n) => `get ${n} -o yaml`),
                    `delete crds ${names.join(" ")} --timeout 600s`,
                    `create -f ${x}/db/crds.json`,
                    `wait --for condition=established --timeout 600s ${names.map((n) => `crd/${n}`).join(" ")}`,
                    `create -f ${x}/db/linstorversion.internal.linstor.linbit.com.json`,
                    `create -f ${x}/db/nodes.internal.linstor.linbit.com.json`,
                    `create -f ${x}/db/resourcedefinitions.internal.linstor.linbit.com.json`,
                    "-n piraeus-datastore scale deployment linstor-operator-piraeus-controller-manager --replicas 2",
                    "-n piraeus-datastore scale deployment linstor-controller --replicas 1",
                    "-n piraeus-datastore rollout status deployment linstor-operator-piraeus-controller-manager --timeout 600s",
                    "-n piraeus-datastore rollout status deployment linstor-controller --timeout 600s",
                ]);
                expect(fs.existsSync(path.join(dir, "restore", "pre-restore", "crds.yaml"))).to.equal(true);
            });

            it("restores a missing passphrase Secret before the controller starts", () => {
                fs.rmSync(path.join(dir, "secret.json"));
                const r = restore(["--apply", "--yes"]);
                expect(r.status, r.stderr).to.equal(0);
                const calls = lines(path.join(dir, "kubectl.log"));
                const created = calls.indexOf(`-n piraeus-datastore create -f ${dir}/restore/extracted/passphrase-secret.json`);
                expect(created).to.be.greaterThan(-1);
                expect(created).to.be.lessThan(calls.indexOf("-n piraeus-datastore scale deployment linstor-controller --replicas 1"));
                expect(r.stderr).to.contain("pulumi refresh");
            });

            it("refuses before changing anything when the cluster's passphrase differs from the backup's", () => {
                write("secret.json", { ...secret, data: { MASTER_PASSPHRASE: Buffer.from("other").toString("base64") } });
                const r = restore(["--apply", "--yes"]);
                expect(r.status).to.equal(1);
                expect(r.stderr).to.contain("holds another passphrase than the backup");
                expect(lines(path.join(dir, "kubectl.log")).filter((c) => MUTATING.test(c))).to.deep.equal([]);
            });

            it("refuses a tampered archive before touching the cluster", () => {
                const stored = path.join(dir, "s3", BUCKET, "linstor-db", "hje-test");
                const archive = fs.readdirSync(stored).find((f) => f.endsWith(".tar.gz"))!;
                fs.appendFileSync(path.join(stored, archive), "x");
                const before = lines(path.join(dir, "kubectl.log")).length;
                const r = restore(["--apply", "--yes"]);
                expect(r.status).to.equal(1);
                expect(r.stderr).to.contain("checksum mismatch");
                expect(lines(path.join(dir, "kubectl.log")).length).to.equal(before);
            });

            it("needs confirmation for --apply without --yes and rejects bad arguments", () => {
                expect(restore(["--apply"], {}).stderr).to.contain("needs a terminal to confirm");
                expect(restore(["--key", "k"]).stderr).to.contain("--latest needs --prefix and excludes --key");
                expect(restore(["--timeout", "10m"]).stderr).to.contain("--timeout takes whole seconds");
            });
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
