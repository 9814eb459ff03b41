/** The LinstorDbBackup component under the shared mock: what it registers, in which order, and its outputs. */

import * as k8s from "@pulumi/kubernetes";
import { expect } from "chai";
import { LinstorDbBackup, validateLinstorDbBackup } from "../../../components/linstorDbBackup";
import { LINSTOR_DB_RESOURCES, linstorDbBackupCronJobSpec } from "../../../components/linstorDbBackup/exportJob";
import type { ConfigError } from "../../../components/shared/errors";
import { thrown } from "../../support/fixtures";
import { dependsOn, ofType, one, outputValue, recorded, resetRecords, settle, unsecret } from "../../support/mocks";
import { args, BUCKET, build, cronArgs, cronPod, KMS, PROJECT_KEY } from "./fixtures";

describe("LinstorDbBackup", () => {
    describe("resources", () => {
        let c: LinstorDbBackup;
        before(async () => {
            c = await build();
        });

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
                    apiGroups: ["apiextensions.k8s.io"],
                    resources: ["customresourcedefinitions"],
                    verbs: ["get"],
                    resourceNames: LINSTOR_DB_RESOURCES.map((r) => `${r}.internal.linstor.linbit.com`),
                },
            ]);
            expect(LINSTOR_DB_RESOURCES).to.include.members(["nodes", "resources", "layerdrbdresources", "s3remotes", "linstorversion", "rollback"]);
            expect(new Set(LINSTOR_DB_RESOURCES).size).to.equal(LINSTOR_DB_RESOURCES.length);
            const binding = one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding");
            expect(binding.inputs.roleRef).to.deep.equal({
                apiGroup: "rbac.authorization.k8s.io",
                kind: "ClusterRole",
                name: "hje-test-linstor-db-backup",
            });
            expect(binding.inputs.subjects).to.deep.equal([{ kind: "ServiceAccount", name: "linstor-db-backup", namespace: "piraeus-datastore" }]);
        });

        it("lets the job read only the passphrase Secret in its namespace", () => {
            const role = one("kubernetes:rbac.authorization.k8s.io/v1:Role");
            expect(role.inputs.metadata).to.deep.include({ name: "linstor-db-backup", namespace: "piraeus-datastore" });
            expect(role.inputs.rules).to.deep.equal([
                { apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["linstor-passphrase"] },
            ]);
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
            for (const dep of [
                one("kubernetes:core/v1:Secret"),
                one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"),
                one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"),
            ]) {
                expect(dependsOn(cron, dep), dep.type).to.equal(true);
            }
        });

        it("exposes where the archives go and how to restore the newest", async () => {
            expect(await outputValue(c.location)).to.equal(`s3://${BUCKET}/linstor-db/hje-test/`);
            expect(c.keyPrefix).to.equal("linstor-db/hje-test/");
            expect(await outputValue(c.restoreCommand)).to.equal(
                `components/linstorDbBackup/restoreLinstorDb.sh --bucket ${BUCKET} --region eu-central-1 ` +
                    "--prefix linstor-db/hje-test/ --latest --namespace piraeus-datastore --passphrase-secret linstor-passphrase",
            );
            expect(await outputValue(c.iamUserName)).to.equal("hje-test-linstor-db-backup");
            expect(c.schedule).to.equal("30 2 * * *");
            expect(c.retentionDays).to.equal(30);
        });

        it("waits for its dependsOn (LINSTOR) before creating the CronJob, on the Kubernetes provider of its options", async () => {
            resetRecords();
            const provider = new k8s.Provider("ready-k8s", { kubeconfig: "{}" });
            const ready = new k8s.core.v1.Namespace("linstor-ready", { metadata: { name: "x" } }, { provider });
            new LinstorDbBackup("hje-test-linstor-db", args(), { providers: [provider], dependsOn: [ready] });
            await settle();
            expect(dependsOn(one("kubernetes:batch/v1:CronJob"), one("kubernetes:core/v1:Namespace"))).to.equal(true);
            for (const r of recorded.filter((r) => r.type.startsWith("kubernetes:"))) {
                expect(r.provider, r.name).to.contain("pulumi:providers:kubernetes::ready-k8s::");
            }
        });

        it("rotates without a gap: the new key's Secret exists beside the old one and the job uses the new one", async () => {
            await build({ linstorDbBackupAccessKeyGeneration: 2 });
            expect(ofType("aws:iam/accessKey:AccessKey").map((k) => k.name)).to.deep.equal(["hje-test-linstor-db-g1", "hje-test-linstor-db-g2"]);
            expect(ofType("kubernetes:core/v1:Secret").map((s) => s.inputs.metadata.name)).to.deep.equal([
                "linstor-db-backup-aws-g1",
                "linstor-db-backup-aws-g2",
            ]);
            expect(ofType("kubernetes:core/v1:Secret").every((s) => s.inputs.immutable === true)).to.equal(true);
            expect(cronPod().containers[0].env[0].valueFrom.secretKeyRef.name).to.equal("linstor-db-backup-aws-g2");
            expect(dependsOn(one("kubernetes:batch/v1:CronJob"), one("kubernetes:core/v1:Secret", "g2"))).to.equal(true);
            await build({ linstorDbBackupAccessKeyGeneration: 2, linstorDbBackupAccessKeyRetiredGeneration: 1 });
            expect(ofType("aws:iam/accessKey:AccessKey").map((k) => k.name)).to.deep.equal(["hje-test-linstor-db-g2"]);
        });

        it("refuses a bucket without a KMS key before registering anything", async () => {
            resetRecords();
            const noKms = args({ bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}`, region: "eu-central-1", kmsKeyArn: undefined } });
            const e = thrown(() => validateLinstorDbBackup(noKms, PROJECT_KEY)) as ConfigError;
            expect(e.key).to.equal("ha-jenkins-eks:snapshotKmsKeyArn");
            expect(e.message).to.contain("SSE-KMS key");
            expect((thrown(() => new LinstorDbBackup("no-kms", noKms)) as ConfigError).key).to.equal("LinstorDbBackup.snapshotKmsKeyArn");
            await settle();
            expect(recorded.filter((r) => !r.type.startsWith("pulumi:providers:"))).to.deep.equal([]);
        });
    });
});
