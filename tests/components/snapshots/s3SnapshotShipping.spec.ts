import { expect } from "chai";
import * as k8s from "@pulumi/kubernetes";
import { S3SnapshotShipping, S3SnapshotShippingArgs } from "../../../components/snapshots";
import { SnapshotRestore } from "../../../components/snapshots/restore";
import { ConfigError } from "../../../components/shared/errors";
import { maxScheduleGapSeconds, S3_SNAPSHOT_DEFAULTS as D, validateS3SnapshotSettings } from "../../../components/snapshots/settings";
import { SNAPSHOT_SCRIPT } from "../../../components/snapshots/schedule";
import { readSnapshotConfig } from "../../../stacks/config/snapshots";
import { ConfigReader } from "../../../stacks/config/reader";
import { thrown } from "../../support/fixtures";
import { byUrn, dependsOn, ofType, one, recorded, resetRecords, settle, unsecret, useStack, valueOf } from "../../support/mocks";
import { projectKey } from "../../../stacks/config/naming";

/** The stack's KeyOf: a field's error names its config key (stacks/config/naming.ts). */
const PROJECT_KEY = projectKey;
const jenkins = { namespace: "jenkins", pvcName: "jenkins-home", storageSize: "50Gi" };

function args(overrides: Partial<S3SnapshotShippingArgs> = {}): S3SnapshotShippingArgs {
    return {
        namePrefix: "hje-test",
        clusterRegion: "us-west-2",
        bucket: {
            create: {
                region: "eu-central-1",
                noncurrentVersionExpirationDays: D.snapshotBucketNoncurrentVersionDays,
                abortIncompleteMultipartUploadDays: D.snapshotBucketAbortMultipartDays,
                accessLogPrefix: D.snapshotBucketAccessLogPrefix,
            },
        },
        snapshotClassName: D.snapshotClassName,
        snapshotAllowIncremental: D.snapshotAllowIncremental,
        snapshotMaxIncrements: D.snapshotMaxIncrements,
        s3AccessKeyGeneration: D.s3AccessKeyGeneration,
        installSnapshotController: D.installSnapshotController,
        snapshotControllerChartVersion: D.snapshotControllerChartVersion,
        snapshotControllerReplicas: D.snapshotControllerReplicas,
        snapshotScheduleEnabled: D.snapshotScheduleEnabled,
        snapshotSchedule: D.snapshotSchedule,
        snapshotRetention: D.snapshotRetention,
        snapshotJobImage: D.snapshotJobImage,
        snapshotReadyTimeoutSeconds: D.snapshotReadyTimeoutSeconds,
        snapshotPruneDeletesBackups: D.snapshotPruneDeletesBackups,
        protect: true,
        tags: {},
        k8sProvider: new k8s.Provider("test-k8s", { kubeconfig: "{}" }),
        linstorNamespace: "piraeus-datastore",
        passphraseSecretName: "linstor-passphrase",
        restoreStorageClassName: "linstor-csi-lvm-thin-r3",
        jenkins,
        ...overrides,
    };
}

async function build(overrides: Partial<S3SnapshotShippingArgs> = {}): Promise<S3SnapshotShipping> {
    resetRecords();
    const c = new S3SnapshotShipping("hje-test-snapshots", args(overrides));
    await valueOf(c.bucketName);
    await valueOf(c.latestSnapshotHandle);
    await settle();
    return c;
}

const policyDoc = () => JSON.parse(one("aws:iam/userPolicy:UserPolicy").inputs.policy);
const cronEnv = () => Object.fromEntries(one("kubernetes:batch/v1:CronJob").inputs.spec.jobTemplate.spec.template.spec.containers[0]
    .env.map((e: any) => [e.name, e.value]));

describe("S3SnapshotShipping", () => {
    describe("bucket in another region", () => {
        let c: S3SnapshotShipping;
        before(async () => { c = await build(); });

        it("creates the bucket and its KMS key through an AWS provider for the bucket region", async () => {
            const provider = one("pulumi:providers:aws");
            expect(provider.inputs.region).to.equal("eu-central-1");
            expect(c.bucketRegion).to.equal("eu-central-1");
            for (const type of ["aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:s3/bucketPolicy:BucketPolicy",
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"]) {
                expect(one(type).provider, type).to.contain(`pulumi:providers:aws::${provider.name}::`);
            }
            expect(await valueOf(c.bucketName)).to.equal("hje-test-snapshots-eu-central-1-0a1b2c3d");
        });

        it("rejects a bucket in the cluster's region before registering anything", () => {
            resetRecords();
            const same = args({ bucket: { create: { ...(args().bucket as any).create, region: "us-west-2" } } });
            const e = thrown(() => new S3SnapshotShipping("x", { ...same, keyOf: PROJECT_KEY }));
            expect(e).to.be.instanceOf(ConfigError);
            expect(e.message).to.contain("ha-jenkins-eks:snapshotBucketRegion").and.contain('"us-west-2"').and.contain("regional outage");
            expect(recorded.filter((r) => r.type !== "pulumi:providers:kubernetes")).to.deep.equal([]);
        });
    });

    describe("bucket hardening", () => {
        before(async () => { await build(); });

        it("blocks all public access and disables ACLs", () => {
            expect(one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).to.include({
                blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
            });
            expect(one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
        });

        it("versions objects and encrypts with a dedicated rotating KMS key and a bucket key", () => {
            expect(one("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration).to.deep.equal({ status: "Enabled" });
            const key = one("aws:kms/key:Key");
            expect(key.inputs).to.include({ enableKeyRotation: true, deletionWindowInDays: 30 });
            expect(one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules).to.deep.equal([{
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: `arn:aws:kms:eu-central-1:123456789012:key/${key.name}` },
                bucketKeyEnabled: true,
                blockedEncryptionTypes: ["SSE-C"],
            }]);
        });

        it("denies non-TLS requests in the bucket policy", () => {
            const policy = JSON.parse(one("aws:s3/bucketPolicy:BucketPolicy").inputs.policy);
            const arn = "arn:aws:s3:::hje-test-snapshots-eu-central-1-0a1b2c3d";
            expect(policy.Statement[0]).to.deep.equal({
                Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            });
        });

        it("expires noncurrent versions and aborts incomplete multipart uploads", () => {
            const rules = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
            expect(rules.find((r: any) => r.id === "expire-noncurrent-versions").noncurrentVersionExpiration).to.deep.equal({ noncurrentDays: 30 });
            expect(rules.find((r: any) => r.id === "abort-incomplete-multipart-uploads").abortIncompleteMultipartUpload).to.deep.equal({ daysAfterInitiation: 7 });
            expect(dependsOn(one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"),
                one("aws:s3/bucketVersioning:BucketVersioning"))).to.equal(true);
        });

        it("protects the bucket, the key and the snapshot CRDs, and never force-destroys", () => {
            expect(one("aws:s3/bucket:Bucket").inputs).to.not.have.property("forceDestroy");
            expect(one("aws:s3/bucket:Bucket").options?.protect).to.equal(true);
            expect(one("aws:kms/key:Key").options?.protect).to.equal(true);
            expect(one("kubernetes:helm.sh/v3:Release").options?.protect).to.equal(true);
            expect(one("aws:s3/bucketPolicy:BucketPolicy").options?.protect).to.equal(false);
        });

        it("has no Object Lock or access logging unless configured", () => {
            expect(one("aws:s3/bucket:Bucket").inputs).to.not.have.property("objectLockEnabled");
            expect(ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")).to.have.length(0);
            expect(ofType("aws:s3/bucketLogging:BucketLogging")).to.have.length(0);
        });

        it("enables Object Lock at creation and access logging to the given bucket when configured", async () => {
            const create = { ...(args().bucket as any).create, name: "acme-jenkins-backups", objectLock: { mode: "GOVERNANCE", days: 14 }, accessLogBucket: "acme-logs-eu" };
            await build({ bucket: { create }, protect: false });
            expect(one("aws:s3/bucket:Bucket").inputs).to.include({ bucket: "acme-jenkins-backups", objectLockEnabled: true });
            expect(one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").inputs.rule).to.deep.equal({
                defaultRetention: { mode: "GOVERNANCE", days: 14 },
            });
            expect(one("aws:s3/bucketLogging:BucketLogging").inputs).to.include({ targetBucket: "acme-logs-eu", targetPrefix: "snapshot-bucket/" });
            expect(ofType("random:index/randomId:RandomId")).to.have.length(0);
            expect(one("aws:s3/bucket:Bucket").options?.protect).to.equal(false);
        });
    });

    describe("credentials", () => {
        let c: S3SnapshotShipping;
        before(async () => { c = await build(); });

        it("gives a dedicated IAM user only LINSTOR's actions on this bucket and key", () => {
            const doc = policyDoc();
            const arn = "arn:aws:s3:::hje-test-snapshots-eu-central-1-0a1b2c3d";
            const statements: any[] = doc.Statement.filter((s: any) => s.Effect === "Allow");
            expect(doc.Statement.find((s: any) => s.Effect === "Deny").Resource).to.equal(`${arn}/linstor-db/*`);
            const allActions = statements.flatMap((s) => s.Action);
            for (const a of allActions) expect(a).to.not.contain("*");
            expect(new Set(statements.flatMap((s) => [].concat(s.Resource)))).to.deep.equal(new Set([
                arn, `${arn}/*`, `arn:aws:kms:eu-central-1:123456789012:key/${one("aws:kms/key:Key").name}`,
            ]));
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
            expect(role.inputs.rules).to.deep.equal([{
                apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["linstor-remote-s3-eu-central-1-g1"],
            }]);
            const binding = one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "credentials-reader");
            expect(binding.inputs.roleRef).to.deep.equal({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.inputs.metadata.name });
            expect(binding.inputs.subjects).to.deep.equal([{ kind: "ServiceAccount", name: "linstor-csi-controller", namespace: "piraeus-datastore" }]);
        });

        it("rotates without a gap: a new generation adds a key and Secret next to the previous one", async () => {
            await build({ s3AccessKeyGeneration: 2 });
            expect(ofType("aws:iam/accessKey:AccessKey").map((k) => k.name).sort()).to.deep.equal(["hje-test-snapshots-linstor-g1", "hje-test-snapshots-linstor-g2"]);
            expect(ofType("kubernetes:core/v1:Secret").map((s) => s.inputs.metadata.name).sort())
                .to.deep.equal(["linstor-remote-s3-eu-central-1-g1", "linstor-remote-s3-eu-central-1-g2"]);
            expect(one("kubernetes:rbac.authorization.k8s.io/v1:Role", "credentials-reader").inputs.rules[0].resourceNames)
                .to.deep.equal(["linstor-remote-s3-eu-central-1-g1", "linstor-remote-s3-eu-central-1-g2"]);
            const cls = one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass");
            expect(cls.inputs.parameters["csi.storage.k8s.io/snapshotter-secret-name"]).to.equal("linstor-remote-s3-eu-central-1-g2");
            expect(cronEnv().CREDENTIALS_SECRET).to.equal("linstor-remote-s3-eu-central-1-g2");
        });

        it("deletes the previous key only once it is retired, and never more than two keys exist", async () => {
            await build({ s3AccessKeyGeneration: 2, s3AccessKeyRetiredGeneration: 1 });
            expect(ofType("aws:iam/accessKey:AccessKey").map((k) => k.name)).to.deep.equal(["hje-test-snapshots-linstor-g2"]);
            await build({ s3AccessKeyGeneration: 3, s3AccessKeyRetiredGeneration: 1 });
            expect(ofType("aws:iam/accessKey:AccessKey").map((k) => k.name).sort()).to.deep.equal(["hje-test-snapshots-linstor-g2", "hje-test-snapshots-linstor-g3"]);
            const e = thrown(() => new S3SnapshotShipping("x", { ...args({ s3AccessKeyGeneration: 3 }), keyOf: PROJECT_KEY }));
            expect(e.message).to.contain("ha-jenkins-eks:s3AccessKeyRetiredGeneration").and.contain("set it to 1");
            const e2 = thrown(() => new S3SnapshotShipping("x", { ...args({ s3AccessKeyGeneration: 3, s3AccessKeyRetiredGeneration: 3 }), keyOf: PROJECT_KEY }));
            expect(e2.message).to.contain("allowed: 1 (keep the previous key) or 2 (delete it)");
        });
    });

    describe("snapshot controller and class", () => {
        let c: S3SnapshotShipping;
        before(async () => { c = await build(); });

        it("installs the pinned piraeus snapshot-controller chart with its CRDs in a restricted namespace", () => {
            const release = one("kubernetes:helm.sh/v3:Release");
            expect(release.inputs).to.include({ chart: "snapshot-controller", version: "5.2.0", namespace: "snapshot-controller", name: "snapshot-controller" });
            expect(release.inputs.repositoryOpts).to.deep.equal({ repo: "https://piraeus.io/helm-charts/" });
            expect(release.inputs.values.installCRDs).to.equal(true);
            expect(release.inputs.values.controller.replicaCount).to.equal(2);
            expect(one("kubernetes:core/v1:Namespace").inputs.metadata.labels).to.deep.equal({ "pod-security.kubernetes.io/enforce": "restricted" });
            expect(recorded.some((r) => r.type.startsWith("aws:eks/addon"))).to.equal(false);
        });

        it("creates an S3 VolumeSnapshotClass that retains backups", () => {
            const cls = one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass");
            expect(cls.inputs.metadata.name).to.equal("linstor-csi-s3");
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
                "snap.linstor.csi.linbit.com/max-increments": "23",
                "csi.storage.k8s.io/snapshotter-secret-name": "linstor-remote-s3-eu-central-1-g1",
                "csi.storage.k8s.io/snapshotter-secret-namespace": "piraeus-datastore",
            });
            for (const [type, name] of [["kubernetes:helm.sh/v3:Release", ""], ["kubernetes:core/v1:Secret", ""],
                ["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "credentials-reader"]]) {
                expect(dependsOn(cls, one(type, name)), type).to.equal(true);
            }
        });

        it("exports the class parameters without the credentials Secret", async () => {
            const params = await valueOf(c.snapshotClassParameters);
            expect(Object.keys(params).every((k) => k.startsWith("snap.linstor.csi.linbit.com/"))).to.equal(true);
            expect(params["snap.linstor.csi.linbit.com/remote-name"]).to.equal(c.linstorRemoteName);
        });

        it("skips the controller when the cluster already has one", async () => {
            await build({ installSnapshotController: false });
            expect(ofType("kubernetes:helm.sh/v3:Release")).to.have.length(0);
            expect(ofType("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass")).to.have.length(1);
        });
    });

    describe("scheduled and on-demand snapshots", () => {
        let c: S3SnapshotShipping;
        before(async () => { c = await build({ onDemandSnapshotName: "before-upgrade" }); });

        it("schedules hourly snapshots of the Jenkins claim with pruning at the retention count", () => {
            const cron = one("kubernetes:batch/v1:CronJob");
            expect(cron.inputs.metadata).to.include({ name: "jenkins-snapshots", namespace: "jenkins" });
            expect(cron.inputs.spec).to.include({ schedule: "0 * * * *", concurrencyPolicy: "Forbid", startingDeadlineSeconds: 600 });
            const pod = cron.inputs.spec.jobTemplate.spec.template.spec;
            expect(pod.serviceAccountName).to.equal("jenkins-snapshots");
            expect(pod.securityContext).to.include({ runAsNonRoot: true });
            expect(pod.containers[0].securityContext).to.deep.equal({
                allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] },
            });
            expect(pod.containers[0].command[2]).to.equal(SNAPSHOT_SCRIPT);
            expect(cronEnv()).to.include({ PVC_NAME: "jenkins-home", RETENTION: "48", SNAPSHOT_CLASS: "linstor-csi-s3" });
            expect(c.scheduleName).to.equal("jenkins-snapshots");
            expect(c.snapshotIntervalSeconds).to.equal(3600);
        });

        it("grants the job only create/get/list/delete on VolumeSnapshots in its namespace, and get/patch on contents", () => {
            const role = one("kubernetes:rbac.authorization.k8s.io/v1:Role", "schedule");
            expect(role.inputs.metadata.namespace).to.equal("jenkins");
            expect(role.inputs.rules).to.deep.equal([
                { apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshots"], verbs: ["create", "get", "list", "delete"] },
            ]);
            expect(one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "schedule").inputs.subjects)
                .to.deep.equal([{ kind: "ServiceAccount", name: "jenkins-snapshots", namespace: "jenkins" }]);
            expect(one("kubernetes:core/v1:ServiceAccount").inputs.metadata.name).to.equal("jenkins-snapshots");
            expect(one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").inputs.rules).to.deep.equal([
                { apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshotcontents"], verbs: ["get", "patch"] },
            ]);
            expect(one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").inputs.subjects)
                .to.deep.equal([{ kind: "ServiceAccount", name: "jenkins-snapshots", namespace: "jenkins" }]);
        });

        it("declares the on-demand snapshot and exports its LINSTOR handle", async () => {
            const vs = one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshot");
            expect(vs.inputs.metadata).to.deep.equal({ name: "before-upgrade", namespace: "jenkins", labels: { "ha-jenkins-eks.io/snapshot-kind": "on-demand" } });
            expect(vs.inputs.spec).to.deep.equal({ volumeSnapshotClassName: "linstor-csi-s3", source: { persistentVolumeClaimName: "jenkins-home" } });
            expect(await valueOf(c.latestSnapshotHandle)).to.match(/^snapshot-00000000-0000-4000-8000-[0-9a-f]{12}$/);
        });

        it("has no handle, ClusterRole or CronJob when those are off", async () => {
            const off = await build({ snapshotScheduleEnabled: false, snapshotPruneDeletesBackups: false });
            expect(await valueOf(off.latestSnapshotHandle)).to.equal(undefined);
            expect(ofType("kubernetes:batch/v1:CronJob")).to.have.length(0);
            await build({ snapshotPruneDeletesBackups: false });
            expect(ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")).to.have.length(0);
            expect(cronEnv().PRUNE_DELETES_BACKUPS).to.equal("false");
        });
    });

    describe("restore into the origin cluster", () => {
        let c: S3SnapshotShipping;
        before(async () => { c = await build({ restoreFromSnapshot: "jenkins-home-20260101-000000", onDemandSnapshotName: "after-restore" }); });

        it("creates a claim on the 3-replica class from the snapshot and hands it over", () => {
            const pvc = one("kubernetes:core/v1:PersistentVolumeClaim");
            expect(pvc.inputs.metadata).to.include({ name: "restored-jenkins-home-20260101-000000", namespace: "jenkins" });
            expect(pvc.inputs.metadata.annotations).to.deep.equal({ "pulumi.com/skipAwait": "true" });
            expect(pvc.inputs.spec).to.deep.equal({
                accessModes: ["ReadWriteOnce"], storageClassName: "linstor-csi-lvm-thin-r3", resources: { requests: { storage: "50Gi" } },
                dataSource: { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: "jenkins-home-20260101-000000" },
            });
            expect(c.restoredClaimName).to.equal("restored-jenkins-home-20260101-000000");
            expect(ofType("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent")).to.have.length(0);
        });

        it("snapshots the restored claim from then on", () => {
            expect(cronEnv().PVC_NAME).to.equal("restored-jenkins-home-20260101-000000");
            expect(one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshot").inputs.spec.source)
                .to.deep.equal({ persistentVolumeClaimName: "restored-jenkins-home-20260101-000000" });
            expect(c.jenkinsClaimName).to.equal(c.restoredClaimName);
        });
    });

    describe("existing bucket, restore-only (DR)", () => {
        let c: S3SnapshotShipping;
        const kmsKeyArn = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        before(async () => {
            c = await build({
                clusterRegion: "eu-central-1",
                bucket: { existing: { name: "hje-dev-snapshots-eu-central-1-0a1b2c3d", region: "eu-central-1", kmsKeyArn } },
                snapshotScheduleEnabled: false, jenkins: undefined,
            });
        });

        it("creates no bucket, bucket policy, KMS key or AWS provider (nothing of the primary's is modified)", () => {
            for (const type of ["aws:s3/bucket:Bucket", "aws:s3/bucketPolicy:BucketPolicy", "aws:kms/key:Key", "pulumi:providers:aws",
                "ha-jenkins-eks:index:SnapshotBucket", "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"]) {
                expect(ofType(type), type).to.have.length(0);
            }
            expect(recorded.filter((r) => r.type.startsWith("aws:s3"))).to.deep.equal([]);
        });

        it("grants read rights only, on the referenced bucket and key", async () => {
            const doc = policyDoc();
            const actions: string[] = doc.Statement.filter((s: any) => s.Effect === "Allow").flatMap((s: any) => s.Action);
            expect(new Set(actions)).to.deep.equal(new Set(["s3:ListBucket", "s3:GetBucketRequestPayment", "s3:GetObject", "kms:Decrypt"]));
            expect(doc.Statement.flatMap((s: any) => [].concat(s.Resource))).to.include.members([
                "arn:aws:s3:::hje-dev-snapshots-eu-central-1-0a1b2c3d", "arn:aws:s3:::hje-dev-snapshots-eu-central-1-0a1b2c3d/*", kmsKeyArn,
            ]);
            expect(await valueOf(c.bucketName)).to.equal("hje-dev-snapshots-eu-central-1-0a1b2c3d");
            expect(one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass").inputs.parameters["snap.linstor.csi.linbit.com/s3-bucket"])
                .to.equal("hje-dev-snapshots-eu-central-1-0a1b2c3d");
            expect(ofType("kubernetes:batch/v1:CronJob")).to.have.length(0);
        });
    });

    describe("SnapshotRestore from a handle (pre-provisioned, for DR)", () => {
        let r: SnapshotRestore;
        before(async () => {
            resetRecords();
            r = new SnapshotRestore("dr-restore", {
                provider: new k8s.Provider("dr-k8s", { kubeconfig: "{}" }), namespace: "jenkins", claimName: "jenkins-home",
                storageClassName: "linstor-csi-lvm-thin-r3", size: "50Gi",
                source: { fromHandle: { snapshotHandle: "s3://s3-eu-central-1/pvc-0f1e/snapshot-9a8b", snapshotName: "jenkins-dr", snapshotClassName: "linstor-csi-s3" } },
            });
            await settle();
        });

        it("chains a Retain content with the handle → its VolumeSnapshot → the claim", () => {
            const content = one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent");
            expect(content.inputs.spec).to.deep.equal({
                deletionPolicy: "Retain", driver: "linstor.csi.linbit.com",
                source: { snapshotHandle: "s3://s3-eu-central-1/pvc-0f1e/snapshot-9a8b" },
                volumeSnapshotClassName: "linstor-csi-s3", volumeSnapshotRef: { name: "jenkins-dr", namespace: "jenkins" },
            });
            const vs = one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshot");
            expect(vs.inputs.spec.source).to.deep.equal({ volumeSnapshotContentName: content.inputs.metadata.name });
            const pvc = one("kubernetes:core/v1:PersistentVolumeClaim");
            expect(pvc.inputs.spec.dataSource).to.deep.equal({ apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: "jenkins-dr" });
            expect(pvc.inputs.spec.storageClassName).to.equal("linstor-csi-lvm-thin-r3");
            expect(dependsOn(vs, content)).to.equal(true);
            expect(dependsOn(pvc, vs)).to.equal(true);
            expect(byUrn(pvc.options?.parent as string)?.type).to.equal("ha-jenkins-eks:index:SnapshotRestore");
            expect(r.claimName).to.equal("jenkins-home");
            for (const rec of recorded.filter((x) => x.type.startsWith("kubernetes:") && !x.type.startsWith("pulumi:"))) {
                expect(rec.provider, rec.name).to.contain("pulumi:providers:kubernetes::dr-k8s::");
            }
        });

        it("rejects a malformed handle", () => {
            const e = thrown(() => new SnapshotRestore("bad", {
                provider: new k8s.Provider("bad-k8s", { kubeconfig: "{}" }), namespace: "jenkins", claimName: "jenkins-home",
                storageClassName: "r3", size: "50Gi",
                source: { fromHandle: { snapshotHandle: "http://bucket/x", snapshotName: "jenkins-dr", snapshotClassName: "linstor-csi-s3" } },
            }));
            expect(e.message).to.contain("SnapshotRestore.snapshotHandle").and.contain("linstor backup list");
        });
    });

    describe("validation", () => {
        const create = (over: object) => ({ bucket: { create: { ...(args().bucket as any).create, ...over } } });
        const cases: [string, Partial<S3SnapshotShippingArgs>, RegExp][] = [
            ["bad region name", create({ region: "Europe" }), /snapshotBucketRegion: "Europe"\. Use an AWS region/],
            ["cron with 6 fields", { snapshotSchedule: "0 0 * * * *" }, /snapshotSchedule: .*five fields/],
            ["cron out of range", { snapshotSchedule: "61 * * * *" }, /snapshotSchedule: .*minute field "61"/],
            ["cron that never runs", { snapshotSchedule: "0 0 31 2 *" }, /snapshotSchedule: "0 0 31 2 \*"\. This schedule never runs/],
            ["retention < 1", { snapshotRetention: 0 }, /snapshotRetention: 0\. Must be an integer from 1 to 1000/],
            ["snapshot name not DNS-1123", { onDemandSnapshotName: "Before_Upgrade" }, /onDemandSnapshotName: "Before_Upgrade"\. Use a DNS-1123 label/],
            ["restore name not DNS-1123", { restoreFromSnapshot: "snap.1" }, /restoreFromSnapshot: "snap\.1"/],
            ["on-demand equals restore", { onDemandSnapshotName: "s1", restoreFromSnapshot: "s1" }, /onDemandSnapshotName: "s1"\. Must differ/],
            ["remote name format", { linstorRemoteName: "S3_Remote" }, /linstorRemoteName: "S3_Remote"/],
            ["noncurrent days < 1", create({ noncurrentVersionExpirationDays: 0 }), /snapshotBucketNoncurrentVersionDays: 0\. Must be an integer from 1 to 36500 \(days\)/],
            ["bucket name with dots", create({ name: "my.bucket" }), /snapshotBucketName: "my\.bucket"\. .*no dots/],
            ["unpinned image", { snapshotJobImage: "registry.k8s.io/kubectl:latest" }, /snapshotJobImage: .*can move to another image/],
            ["untagged image", { snapshotJobImage: "registry.k8s.io/kubectl" }, /snapshotJobImage: .*has no tag/],
            ["unbounded chain with pruning", { snapshotMaxIncrements: 0 }, /snapshotMaxIncrements: 0\. An unbounded incremental chain/],
            ["bad Go duration", { snapshotFullAfter: "1 week" }, /snapshotFullAfter: "1 week"/],
            ["current-object expiry without full-after", create({ expireCurrentObjectsAfterDays: 30 }), /snapshotBucketExpireCurrentObjectsDays: 30\. Expiring current objects/],
            ["schedule without Jenkins", { jenkins: undefined }, /snapshotScheduleEnabled: true\. Snapshots of Jenkins need/],
            ["restore without class", { restoreFromSnapshot: "s1", restoreStorageClassName: undefined }, /restoreStorageClassName: \(not set\)/],
            ["bad restore size", { restoreFromSnapshot: "s1", jenkins: { ...jenkins, storageSize: "50 GB" } }, /jenkinsStorageSize: "50 GB"/],
            ["object lock without days", create({ objectLock: { mode: "GOVERNANCE", days: 0 } }), /snapshotBucketObjectLockDays: 0/],
        ];
        for (const [title, over, message] of cases) {
            it(`rejects ${title} with the key named, before registering anything`, () => {
                resetRecords();
                const e = thrown(() => new S3SnapshotShipping("x", { ...args(over), keyOf: PROJECT_KEY }));
                expect(e).to.be.instanceOf(ConfigError);
                expect(e.message).to.match(/^Invalid value for ha-jenkins-eks:/);
                expect(e.message).to.match(message);
                expect(recorded.filter((r) => r.type !== "pulumi:providers:kubernetes")).to.deep.equal([]);
            });
        }

        it("accepts cron lists, ranges, steps and names", () => {
            for (const schedule of ["*/15 * * * *", "0 1-5/2 * * MON-FRI", "30 2 1,15 JAN,jul *", "5/10 * * * 0"]) {
                expect(() => validateS3SnapshotSettings(args({ snapshotSchedule: schedule }), { clusterRegion: "us-west-2" }, PROJECT_KEY), schedule).to.not.throw();
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
            expect(() => validateS3SnapshotSettings(args({ bucket: { existing: { ...existing, kmsKeyArn: undefined } } }),
                { clusterRegion: "eu-central-1" }, PROJECT_KEY)).to.not.throw();
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
                region: "us-east-2", noncurrentVersionExpirationDays: 30, abortIncompleteMultipartUploadDays: 7, accessLogPrefix: "snapshot-bucket/",
            });
            expect(cfg).to.deep.include({
                snapshotSchedule: "0 * * * *", snapshotRetention: 48, snapshotClassName: "linstor-csi-s3", s3AccessKeyGeneration: 1,
                snapshotControllerChartVersion: "5.2.0", snapshotJobImage: "registry.k8s.io/kubectl:v1.35.1", snapshotPruneDeletesBackups: true,
            });
        });

        it("reads every key in its stack-file form", () => {
            const cfg = read({
                [K("snapshotBucketRegion")]: "eu-west-1", [K("snapshotBucketName")]: "acme-backups", [K("snapshotBucketObjectLockMode")]: "COMPLIANCE",
                [K("snapshotBucketObjectLockDays")]: "7", [K("snapshotSchedule")]: "*/30 * * * *", [K("snapshotRetention")]: "96",
                [K("s3AccessKeyGeneration")]: "4", [K("s3AccessKeyRetiredGeneration")]: "3", [K("onDemandSnapshotName")]: "pre-upgrade",
                [K("snapshotScheduleEnabled")]: "false", [K("snapshotFullAfter")]: "24h", [K("installSnapshotController")]: "false",
            });
            expect(cfg.bucket!.create).to.deep.include({ region: "eu-west-1", name: "acme-backups", objectLock: { mode: "COMPLIANCE", days: 7 } });
            expect(cfg).to.deep.include({
                snapshotSchedule: "*/30 * * * *", snapshotRetention: 96, s3AccessKeyGeneration: 4, s3AccessKeyRetiredGeneration: 3,
                onDemandSnapshotName: "pre-upgrade", snapshotScheduleEnabled: false, snapshotFullAfter: "24h", installSnapshotController: false,
            });
        });

        it("names the key when the region can't be derived or a value is malformed", () => {
            expect(thrown(() => read({}, "sa-east-1")).message).to.contain("ha-jenkins-eks:snapshotBucketRegion").and.contain("sa-east-1");
            expect(thrown(() => read({ [K("snapshotRetention")]: "many" }, "us-west-2")).message).to.contain("ha-jenkins-eks:snapshotRetention");
            expect(thrown(() => read({ [K("snapshotBucketObjectLockMode")]: "GOVERNANCE" }, "us-west-2")).message)
                .to.contain("ha-jenkins-eks:snapshotBucketObjectLockDays");
            // The reader parses types only; the component's checks name the stack keys, nested bucket fields included.
            const cfg = read({
                [K("snapshotControllerChartVersion")]: "5.x", [K("snapshotRetention")]: "0", [K("snapshotBucketAbortMultipartDays")]: "0",
            }, "us-west-2");
            expect(cfg.snapshotControllerChartVersion).to.equal("5.x");
            const settings = { ...cfg, bucket: cfg.bucket!, namePrefix: "hje-dev", protect: true, tags: {} };
            const e = thrown(() => validateS3SnapshotSettings(settings, { clusterRegion: "us-west-2" }, K)) as ConfigError;
            expect(e.problems.map((p) => `${p.key}=${JSON.stringify(p.value)}`)).to.deep.equal([
                'ha-jenkins-eks:snapshotBucketAbortMultipartDays=0', 'ha-jenkins-eks:snapshotControllerChartVersion="5.x"',
                "ha-jenkins-eks:snapshotRetention=0",
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
        expect(recorded.filter((r) => !r.type.startsWith("pulumi:providers:")), "nothing registered").to.deep.equal([]);
        return e as ConfigError;
    }
    const create = (o: object) => ({ bucket: { create: { ...(args().bucket as { create: object }).create, ...o } } }) as Partial<S3SnapshotShippingArgs>;

    const refusals: [Partial<S3SnapshotShippingArgs>, string, RegExp][] = [
        // The DR stack's own copy of this check let :latest and untagged images through, the component's localhost registries.
        [{ remoteJobImage: "docker.io/curlimages/curl:latest" }, "remoteJobImage", /can move to another image/],
        [{ remoteJobImage: "docker.io/curlimages/curl" }, "remoteJobImage", /has no tag/],
        [{ remoteJobImage: "localhost:5000/curl:8.16.0" }, "remoteJobImage", /fully qualified host name/],
        [{ snapshotJobImage: "registry.k8s.io/kubectl:stable" }, "snapshotJobImage", /can move/],
        // Nested bucket fields are named by their path (they used to carry stack key names for library users too).
        [create({ noncurrentVersionExpirationDays: 0 }), "bucket.create.noncurrentVersionExpirationDays", /from 1 to 36500 \(days\)/],
        [create({ objectLock: { mode: "LEGAL", days: 7 } }), "bucket.create.objectLock.mode", /Allowed: GOVERNANCE, COMPLIANCE/],
        [create({ accessLogPrefix: " logs" }), "bucket.create.accessLogPrefix", /S3 key prefix/],
        [{ bucket: { existing: { name: "b-1", region: "eu-central-1", kmsKeyArn: "arn:aws:kms:eu-central-1:123456789012:alias/x" } } },
            "bucket.existing.kmsKeyArn", /key\/<key-id>/],
        [{ clusterRegion: "Oregon" }, "clusterRegion", /AWS region/],
        [{ protect: "yes" as never }, "protect", /true or false/],
        [{ snapshotSchedule: "0 0 30 2 *" }, "snapshotSchedule", /never runs/],
    ];
    for (const [overrides, field, message] of refusals) {
        it(`refuses ${JSON.stringify(overrides).slice(0, 90)}, naming S3SnapshotShipping.${field}`, async () => {
            const e = await libraryError(overrides);
            expect(e.key).to.equal(`S3SnapshotShipping.${field}`);
            expect(e.message).to.match(message);
        });
    }

    it("names the stack's config key for the same nested field", () => {
        const e = thrown(() => new S3SnapshotShipping("lib", { ...args(create({ noncurrentVersionExpirationDays: 0 })), keyOf: projectKey }));
        expect((e as ConfigError).key).to.equal("ha-jenkins-eks:snapshotBucketNoncurrentVersionDays");
    });
});
