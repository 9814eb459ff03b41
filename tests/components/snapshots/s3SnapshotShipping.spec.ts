/** The S3SnapshotShipping component under the shared mock: credentials, snapshot class, schedule, a DR site's read-only use. */
import { expect } from "chai";
import type { S3SnapshotShipping } from "../../../components/snapshots";
import { SNAPSHOT_SCRIPT, TRIM_SCRIPT } from "../../../components/snapshots/snapshotJob";
import { dependsOn, ofType, one, outputValue, recorded, unsecret } from "../../support/mocks";
import { args, build, cronEnv, PROJECT_KEY, policyDoc, refused } from "./fixtures";

const VSC = "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass";
/** The VolumeSnapshotClass whose Kubernetes name is `name`. */
function classNamed(name: string) {
    const found = ofType(VSC).filter((r) => r.inputs.metadata.name === name);
    if (found.length !== 1) throw new Error(`expected one VolumeSnapshotClass ${name}, found ${found.length}`);
    return found[0];
}

describe("S3SnapshotShipping", () => {
    describe("credentials", () => {
        let c: S3SnapshotShipping;
        before(async () => {
            c = await build();
        });

        it("gives a dedicated IAM user only LINSTOR's actions on this bucket and key", () => {
            const doc = policyDoc();
            const arn = "arn:aws:s3:::hje-test-snapshots-eu-central-1-0a1b2c3d";
            const statements: any[] = doc.Statement.filter((s: any) => s.Effect === "Allow");
            expect(doc.Statement.find((s: any) => s.Effect === "Deny").Resource).to.equal(`${arn}/linstor-db/*`);
            const allActions = statements.flatMap((s) => s.Action);
            for (const a of allActions) expect(a).to.not.contain("*");
            expect(new Set(statements.flatMap((s) => [].concat(s.Resource)))).to.deep.equal(
                new Set([arn, `${arn}/*`, `arn:aws:kms:eu-central-1:123456789012:key/${one("aws:kms/key:Key").name}`]),
            );
            expect(allActions).to.include.members(["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "kms:GenerateDataKey"]);
            expect(one("aws:iam/user:User").inputs).to.include({ name: "hje-test-linstor-s3", path: "/ha-jenkins-eks/" });
            expect(ofType("aws:iam/userPolicyAttachment:UserPolicyAttachment")).to.have.length(0);
        });

        it("stores the access key in an immutable linstor-csi Secret in the LINSTOR namespace", () => {
            const secret = one("kubernetes:core/v1:Secret");
            expect(secret.inputs.type).to.equal("linstor.csi.linbit.com/s3-credentials.v1");
            expect(secret.inputs.immutable).to.equal(true);
            expect(secret.inputs.metadata).to.include({ name: "linstor-remote-s3-eu-central-1-g1", namespace: "piraeus-datastore" });
            const data = unsecret<Record<string, string>>(secret.inputs.stringData);
            expect(unsecret(data["access-key"])).to.equal(`${one("aws:iam/accessKey:AccessKey").name}-id`);
            expect(unsecret(data["secret-key"])).to.equal("mock-secret-access-key");
            expect(c.credentialsSecretName).to.equal("linstor-remote-s3-eu-central-1-g1");
            expect(c.passphraseSecretName).to.equal("linstor-passphrase");
            expect(ofType("random:index/randomPassword:RandomPassword")).to.have.length(0);
        });

        it("lets only the CSI controller read exactly the credentials Secret", () => {
            const role = one("kubernetes:rbac.authorization.k8s.io/v1:Role", "credentials-reader");
            expect(role.inputs.metadata.namespace).to.equal("piraeus-datastore");
            expect(role.inputs.rules).to.deep.equal([
                {
                    apiGroups: [""],
                    resources: ["secrets"],
                    verbs: ["get"],
                    resourceNames: ["linstor-remote-s3-eu-central-1-g1"],
                },
            ]);
            const binding = one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "credentials-reader");
            expect(binding.inputs.roleRef).to.deep.equal({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.inputs.metadata.name });
            expect(binding.inputs.subjects).to.deep.equal([
                { kind: "ServiceAccount", name: "linstor-csi-controller", namespace: "piraeus-datastore" },
            ]);
        });

        it("rotates without a gap: a new generation adds a key and Secret next to the previous one", async () => {
            await build({ s3AccessKeyGeneration: 2 });
            expect(
                ofType("aws:iam/accessKey:AccessKey")
                    .map((k) => k.name)
                    .sort(),
            ).to.deep.equal(["hje-test-snapshots-linstor-g1", "hje-test-snapshots-linstor-g2"]);
            expect(
                ofType("kubernetes:core/v1:Secret")
                    .map((s) => s.inputs.metadata.name)
                    .sort(),
            ).to.deep.equal(["linstor-remote-s3-eu-central-1-g1", "linstor-remote-s3-eu-central-1-g2"]);
            expect(one("kubernetes:rbac.authorization.k8s.io/v1:Role", "credentials-reader").inputs.rules[0].resourceNames).to.deep.equal([
                "linstor-remote-s3-eu-central-1-g1",
                "linstor-remote-s3-eu-central-1-g2",
            ]);
            for (const cls of ofType(VSC)) {
                expect(cls.inputs.parameters["csi.storage.k8s.io/snapshotter-secret-name"], cls.name).to.equal("linstor-remote-s3-eu-central-1-g2");
            }
            expect(cronEnv().CREDENTIALS_SECRET).to.equal("linstor-remote-s3-eu-central-1-g2");
        });

        it("deletes the previous key only once it is retired, and never more than two keys exist", async () => {
            await build({ s3AccessKeyGeneration: 2, s3AccessKeyRetiredGeneration: 1 });
            expect(ofType("aws:iam/accessKey:AccessKey").map((k) => k.name)).to.deep.equal(["hje-test-snapshots-linstor-g2"]);
            await build({ s3AccessKeyGeneration: 3, s3AccessKeyRetiredGeneration: 1 });
            expect(
                ofType("aws:iam/accessKey:AccessKey")
                    .map((k) => k.name)
                    .sort(),
            ).to.deep.equal(["hje-test-snapshots-linstor-g2", "hje-test-snapshots-linstor-g3"]);
            const e = refused(args({ s3AccessKeyGeneration: 3 }), PROJECT_KEY);
            expect(e.message).to.contain("ha-jenkins-eks:s3AccessKeyRetiredGeneration").and.contain("set it to 1");
            const e2 = refused(args({ s3AccessKeyGeneration: 3, s3AccessKeyRetiredGeneration: 3 }), PROJECT_KEY);
            expect(e2.message).to.contain("allowed: 1 (keep the previous key) or 2 (delete it)");
        });
    });

    describe("snapshot controller and class", () => {
        let c: S3SnapshotShipping;
        before(async () => {
            c = await build();
        });

        it("installs the pinned piraeus snapshot-controller chart with its CRDs in a restricted namespace", () => {
            const release = one("kubernetes:helm.sh/v3:Release");
            expect(release.inputs).to.include({
                chart: "snapshot-controller",
                version: "5.2.0",
                namespace: "snapshot-controller",
                name: "snapshot-controller",
            });
            expect(release.inputs.repositoryOpts).to.deep.equal({ repo: "https://piraeus.io/helm-charts/" });
            expect(release.inputs.values.installCRDs).to.equal(true);
            expect(release.inputs.values.controller.replicaCount).to.equal(2);
            expect(one("kubernetes:core/v1:Namespace").inputs.metadata.labels).to.deep.equal({ "pod-security.kubernetes.io/enforce": "restricted" });
            expect(recorded.some((r) => r.type.startsWith("aws:eks/addon"))).to.equal(false);
        });

        it("creates the schedule's incremental S3 class, bounded by age, that retains backups", () => {
            const cls = classNamed("linstor-csi-s3");
            expect(cls.inputs.driver).to.equal("linstor.csi.linbit.com");
            expect(cls.inputs.deletionPolicy).to.equal("Retain");
            expect(cls.inputs.parameters).to.deep.equal({
                "snap.linstor.csi.linbit.com/type": "S3",
                "snap.linstor.csi.linbit.com/remote-name": "s3-eu-central-1",
                "snap.linstor.csi.linbit.com/s3-bucket": "hje-test-snapshots-eu-central-1-0a1b2c3d",
                "snap.linstor.csi.linbit.com/s3-endpoint": "https://s3.eu-central-1.amazonaws.com",
                "snap.linstor.csi.linbit.com/s3-signing-region": "eu-central-1",
                "snap.linstor.csi.linbit.com/s3-use-path-style": "false",
                "snap.linstor.csi.linbit.com/allow-incremental": "true",
                "snap.linstor.csi.linbit.com/full-snapshot-after": "24h",
                "csi.storage.k8s.io/snapshotter-secret-name": "linstor-remote-s3-eu-central-1-g1",
                "csi.storage.k8s.io/snapshotter-secret-namespace": "piraeus-datastore",
            });
        });

        it("creates the full classes of the same remote: the schedule's chain starts, and on-demand (local copy trimmed later)", async () => {
            const incremental = classNamed("linstor-csi-s3").inputs.parameters;
            const full = classNamed("linstor-csi-s3-full").inputs.parameters;
            const onDemand = classNamed("linstor-csi-s3-on-demand").inputs.parameters;
            const { "snap.linstor.csi.linbit.com/full-snapshot-after": _bound, ...shared } = incremental;
            expect(full).to.deep.equal({ ...shared, "snap.linstor.csi.linbit.com/allow-incremental": "false" });
            // It keeps its local copy: the next scheduled increment builds on it (M4); the schedule's trim removes it.
            expect(onDemand).to.deep.equal({ ...shared, "snap.linstor.csi.linbit.com/allow-incremental": "false" });
            expect(c.fullSnapshotClassName).to.equal("linstor-csi-s3-full");
            expect(c.onDemandSnapshotClassName).to.equal("linstor-csi-s3-on-demand");
            const untrimmed = await build({
                snapshotLocalSnapshots: 0,
                snapshotAllowIncremental: false,
                snapshotRetentionHours: 1,
                snapshotDailyRetentionDays: 0,
            });
            expect(untrimmed).to.not.equal(undefined);
            expect(classNamed("linstor-csi-s3-on-demand").inputs.parameters["snap.linstor.csi.linbit.com/delete-local"]).to.equal("true");
            await build();
            for (const cls of ofType(VSC)) {
                expect(cls.inputs.deletionPolicy, cls.name).to.equal("Retain");
                for (const [type, name] of [
                    ["kubernetes:helm.sh/v3:Release", ""],
                    ["kubernetes:core/v1:Secret", ""],
                    ["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "credentials-reader"],
                ]) {
                    expect(dependsOn(cls, one(type, name)), `${cls.name} → ${type}`).to.equal(true);
                }
            }
        });

        it("exports the class parameters without the credentials Secret", async () => {
            const params = await outputValue(c.snapshotClassParameters);
            expect(Object.keys(params).every((k) => k.startsWith("snap.linstor.csi.linbit.com/"))).to.equal(true);
            expect(params["snap.linstor.csi.linbit.com/remote-name"]).to.equal(c.linstorRemoteName);
        });

        it("skips the controller when the cluster already has one", async () => {
            await build({ installSnapshotController: false });
            expect(ofType("kubernetes:helm.sh/v3:Release")).to.have.length(0);
            expect(ofType(VSC)).to.have.length(3);
        });
    });

    describe("scheduled and on-demand snapshots", () => {
        let c: S3SnapshotShipping;
        before(async () => {
            c = await build({ onDemandSnapshotName: "before-upgrade" });
        });

        it("schedules 5-minute snapshots of the Jenkins claim, a full a day, pruned by age", () => {
            const cron = one("kubernetes:batch/v1:CronJob");
            // Next to LINSTOR: a build pod in the Jenkins namespace cannot run as its account.
            expect(cron.inputs.metadata).to.include({ name: "jenkins-snapshots", namespace: "piraeus-datastore" });
            expect(cron.inputs.spec).to.include({ schedule: "*/5 * * * *", concurrencyPolicy: "Forbid", startingDeadlineSeconds: 600 });
            expect(dependsOn(cron, classNamed("linstor-csi-s3")) && dependsOn(cron, classNamed("linstor-csi-s3-full"))).to.equal(true);
            const pod = cron.inputs.spec.jobTemplate.spec.template.spec;
            expect(pod.serviceAccountName).to.equal("jenkins-snapshots");
            expect(pod.securityContext).to.include({ runAsNonRoot: true });
            for (const container of [...pod.initContainers, ...pod.containers]) {
                expect(container.securityContext).to.deep.equal({
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                });
            }
            // The snapshot first; only once it is shipped, the trim of LINSTOR's local copies (a LINSTOR API client).
            expect(pod.initContainers.map((x: any) => x.name)).to.deep.equal(["snapshot"]);
            expect(pod.initContainers[0].command[2]).to.equal(SNAPSHOT_SCRIPT);
            expect(pod.containers.map((x: any) => [x.name, x.image, x.command[2]])).to.deep.equal([
                ["trim-local", "docker.io/curlimages/curl:8.16.0", TRIM_SCRIPT],
            ]);
            expect(cron.inputs.spec.jobTemplate.spec.template.metadata.labels).to.include({ "ha-jenkins-eks.io/linstor-api-client": "true" });
            expect(cronEnv()).to.include({ LOCAL_SNAPSHOTS: "2", ON_DEMAND_SNAPSHOT_CLASS: "linstor-csi-s3-on-demand" });
            expect(cronEnv()).to.include({
                PVC_NAME: "jenkins-home",
                SNAPSHOT_CLASS: "linstor-csi-s3",
                FULL_SNAPSHOT_CLASS: "linstor-csi-s3-full",
                FULL_AFTER_SECONDS: "86400",
                KEEP_HOURS: "48",
                DAILY_DAYS: "7",
            });
            expect(c.scheduleName).to.equal("jenkins-snapshots");
            expect(c.snapshotIntervalSeconds).to.equal(300);
        });

        it("runs as an account outside the Jenkins namespace, with only create/get/list/delete on VolumeSnapshots there, get/patch on contents", () => {
            const role = one("kubernetes:rbac.authorization.k8s.io/v1:Role", "schedule");
            expect(role.inputs.metadata.namespace).to.equal("jenkins");
            expect(role.inputs.rules).to.deep.equal([
                { apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshots"], verbs: ["create", "get", "list", "delete"] },
            ]);
            expect(one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "schedule").inputs.subjects).to.deep.equal([
                { kind: "ServiceAccount", name: "jenkins-snapshots", namespace: "piraeus-datastore" },
            ]);
            expect(one("kubernetes:core/v1:ServiceAccount").inputs.metadata).to.include({
                name: "jenkins-snapshots",
                namespace: "piraeus-datastore",
            });
            // No account, Role binding or CronJob of the schedule can be used from the Jenkins namespace but the Role on snapshots.
            for (const type of ["kubernetes:core/v1:ServiceAccount", "kubernetes:batch/v1:CronJob"]) {
                expect(
                    ofType(type).filter((r) => r.inputs.metadata.namespace === "jenkins"),
                    type,
                ).to.deep.equal([]);
            }
            expect(one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").inputs.rules).to.deep.equal([
                { apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshotcontents"], verbs: ["get", "patch"] },
            ]);
            expect(one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").inputs.subjects).to.deep.equal([
                { kind: "ServiceAccount", name: "jenkins-snapshots", namespace: "piraeus-datastore" },
            ]);
        });

        it("lets the prune account update only its own snapshots' contents, never repoint them (admission policy)", () => {
            const policy = one("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy");
            const binding = one("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding");
            expect(binding.inputs.spec).to.deep.equal({ policyName: policy.inputs.metadata.name, validationActions: ["Deny"] });
            expect(dependsOn(binding, policy)).to.equal(true);
            const spec = policy.inputs.spec;
            expect(spec.failurePolicy).to.equal("Fail");
            // Only this account is judged: the snapshot controller and everyone else are not.
            expect(spec.matchConditions).to.deep.equal([
                { name: "prune-account", expression: "request.userInfo.username == 'system:serviceaccount:piraeus-datastore:jenkins-snapshots'" },
            ]);
            expect(spec.matchConstraints.resourceRules[0].apiGroups).to.deep.equal(["snapshot.storage.k8s.io"]);
            expect(spec.matchConstraints.resourceRules[0].resources).to.deep.equal(["volumesnapshotcontents"]);
            expect(spec.matchConstraints.resourceRules[0].operations).to.deep.equal(["UPDATE", "DELETE"]);
            expect(spec.validations[0].expression).to.equal(
                "request.operation == 'UPDATE' && oldObject.spec.volumeSnapshotRef.namespace == 'jenkins' && " +
                    "oldObject.spec.volumeSnapshotRef.name.startsWith('jenkins-home-')",
            );
            expect(spec.validations[1].expression).to.contain("object.spec.volumeSnapshotRef == oldObject.spec.volumeSnapshotRef");
            // The CronJob waits for the guard to be bound.
            expect(dependsOn(one("kubernetes:batch/v1:CronJob"), binding)).to.equal(true);
        });

        it("declares the on-demand snapshot and exports its LINSTOR handle", async () => {
            const vs = one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshot");
            expect(vs.inputs.metadata).to.deep.equal({
                name: "before-upgrade",
                namespace: "jenkins",
                labels: { "ha-jenkins-eks.io/snapshot-kind": "on-demand" },
            });
            // The full class without a local copy: it pins no chain of the schedule's, in S3 or the pools.
            expect(vs.inputs.spec).to.deep.equal({
                volumeSnapshotClassName: "linstor-csi-s3-on-demand",
                source: { persistentVolumeClaimName: "jenkins-home" },
            });
            expect(dependsOn(vs, classNamed("linstor-csi-s3-on-demand"))).to.equal(true);
            expect(await outputValue(c.latestSnapshotHandle)).to.match(/^snapshot-00000000-0000-4000-8000-[0-9a-f]{12}$/);
        });

        it("has no handle, ClusterRole or CronJob when those are off", async () => {
            const off = await build({ snapshotScheduleEnabled: false, snapshotPruneDeletesBackups: false });
            expect(await outputValue(off.latestSnapshotHandle)).to.equal(undefined);
            expect(ofType("kubernetes:batch/v1:CronJob")).to.have.length(0);
            await build({ snapshotPruneDeletesBackups: false });
            expect(ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")).to.have.length(0);
            expect(cronEnv().PRUNE_DELETES_BACKUPS).to.equal("false");
        });
    });

    describe("existing bucket, restore-only (DR)", () => {
        let c: S3SnapshotShipping;
        const kmsKeyArn = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        before(async () => {
            c = await build({
                clusterRegion: "eu-central-1",
                bucket: { existing: { name: "hje-dev-snapshots-eu-central-1-0a1b2c3d", region: "eu-central-1", kmsKeyArn } },
                snapshotScheduleEnabled: false,
                jenkins: undefined,
            });
        });

        it("creates no bucket, bucket policy, KMS key or AWS provider (nothing of the primary's is modified)", () => {
            for (const type of [
                "aws:s3/bucket:Bucket",
                "aws:s3/bucketPolicy:BucketPolicy",
                "aws:kms/key:Key",
                "pulumi:providers:aws",
                "ha-jenkins-eks:index:SnapshotBucket",
                "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            ]) {
                expect(ofType(type), type).to.have.length(0);
            }
            expect(recorded.filter((r) => r.type.startsWith("aws:s3"))).to.deep.equal([]);
        });

        it("grants read rights only, on the referenced bucket and key", async () => {
            const doc = policyDoc();
            const actions: string[] = doc.Statement.filter((s: any) => s.Effect === "Allow").flatMap((s: any) => s.Action);
            expect(new Set(actions)).to.deep.equal(new Set(["s3:ListBucket", "s3:GetBucketRequestPayment", "s3:GetObject", "kms:Decrypt"]));
            expect(doc.Statement.flatMap((s: any) => [].concat(s.Resource))).to.include.members([
                "arn:aws:s3:::hje-dev-snapshots-eu-central-1-0a1b2c3d",
                "arn:aws:s3:::hje-dev-snapshots-eu-central-1-0a1b2c3d/*",
                kmsKeyArn,
            ]);
            expect(await outputValue(c.bucketName)).to.equal("hje-dev-snapshots-eu-central-1-0a1b2c3d");
            for (const cls of ofType(VSC)) {
                expect(cls.inputs.parameters["snap.linstor.csi.linbit.com/s3-bucket"], cls.name).to.equal("hje-dev-snapshots-eu-central-1-0a1b2c3d");
            }
            expect(ofType("kubernetes:batch/v1:CronJob")).to.have.length(0);
        });
    });
});
