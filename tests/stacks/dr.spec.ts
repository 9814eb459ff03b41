import { expect } from "chai";
import { loadConfig } from "../../stacks/config";
import { DR_RESTORE_NAME, deployDr } from "../../stacks/dr";
import { DR_READS_REQUIRED } from "../../stacks/outputs";
import { deployPrimary } from "../../stacks/primary";
import { dependsOn, isSecret, ofType, one, outputValue, recorded, resetRecords, settle, stackOutputs, unsecret, useStack } from "../support/mocks";
import { stackConfig } from "../support/stacks";

const PRIMARY = "organization/ha-jenkins-eks/dev";

/** Resolves every output of a stack (as the engine would store them) into plain values. */
async function plain(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const entries = await Promise.all(Object.entries(outputs).map(async ([k, v]) => [k, await outputValue(v as any)] as const));
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

/** The primary's outputs as the DR stack's StackReference sees them: the dev stack evaluated under mocks. */
async function primaryOutputs(overrides: Record<string, string> = {}): Promise<Record<string, unknown>> {
    const { config, secretKeys } = stackConfig("dev");
    useStack("dev", { ...config, "ha-jenkins-eks:onDemandSnapshotName": "jenkins-manual", ...overrides }, secretKeys);
    resetRecords();
    const outputs = await plain(await deployPrimary(loadConfig()));
    await settle();
    return outputs;
}

async function evaluateDr(overrides: Record<string, string> = {}) {
    const { config, secretKeys } = stackConfig("dr");
    useStack("dr", { ...config, ...overrides }, secretKeys);
    resetRecords();
    const outputs = await deployDr(loadConfig());
    await outputValue(outputs.clusterName);
    await settle();
    return outputs;
}

async function rejection(overrides: Record<string, string> = {}): Promise<string> {
    try {
        await evaluateDr(overrides);
    } catch (e) {
        // Registrations arrive asynchronously: wait for any made before the rejection, so a spec checking them sees them.
        await settle();
        return (e as Error).message;
    }
    throw new Error("the DR stack was accepted");
}

describe("dr stack", () => {
    let primary: Record<string, unknown>;
    before(async () => {
        primary = await primaryOutputs();
    });
    beforeEach(() => {
        stackOutputs[PRIMARY] = { ...primary };
    });
    after(() => {
        delete stackOutputs[PRIMARY];
    });

    describe("with the primary's outputs", () => {
        let outputs: Awaited<ReturnType<typeof evaluateDr>>;
        before(async () => {
            stackOutputs[PRIMARY] = { ...primary };
            outputs = await evaluateDr();
        });

        it("reads the primary through a StackReference and builds the cluster in its own region", async () => {
            expect(one("pulumi:pulumi:StackReference", "primary").inputs.name).to.equal(PRIMARY);
            expect(outputs.region).to.equal("us-east-2");
            expect(outputs.primaryRegion).to.equal("us-west-2");
            expect(one("awsx:ec2:Vpc").inputs.availabilityZoneNames).to.deep.equal(["us-east-2a", "us-east-2b", "us-east-2c"]);
            expect(await outputValue(outputs.clusterName)).to.equal("hje-dr");
            const groups = ofType("eks:index:ManagedNodeGroup");
            expect(groups).to.have.length(3);
            // Pulumi.dr.yaml creates them in parallel: a recovery races the clock.
            expect(dependsOn(groups[1], groups[0])).to.equal(false);
        });

        it("once deployed (the live site), rolls its node groups one AZ at a time behind the resync gate", async () => {
            const self = "organization/ha-jenkins-eks/dr";
            stackOutputs[self] = { kubernetesVersion: "1.35", linstorDistribution: "piraeus", linstorOperatorChartVersion: "2.10.7" };
            try {
                await evaluateDr();
                const [a, b, c] = ofType("eks:index:ManagedNodeGroup");
                const gates = ofType("kubernetes:batch/v1:Job").filter((j) => j.name.includes("resync-gate"));
                expect(gates.map((g) => g.name)).to.deep.equal([
                    "hje-dr-resync-gate-us-east-2a",
                    "hje-dr-resync-gate-us-east-2b",
                    "hje-dr-resync-gate-us-east-2c",
                ]);
                expect(dependsOn(gates[0], a) && dependsOn(b, gates[0]) && dependsOn(gates[1], b) && dependsOn(c, gates[1])).to.equal(true);
            } finally {
                delete stackOutputs[self];
                outputs = await evaluateDr();
            }
        });

        it("never creates the primary's kinds of resources (bucket, bucket policy, bucket key, bucket-region provider)", () => {
            const types = recorded.map((r) => r.type);
            for (const forbidden of [/^aws:s3\//, /^aws:s3\/bucketPolicy/]) {
                expect(
                    types.filter((t) => forbidden.test(t)),
                    String(forbidden),
                ).to.deep.equal([]);
            }
            // The only KMS key is the DR cluster's own secrets key.
            expect(ofType("aws:kms/key:Key").map((k) => k.name)).to.deep.equal(["hje-dr-eks-secrets"]);
            expect(ofType("pulumi:providers:aws")).to.have.length(0);
        });

        it("gives LINSTOR read/restore rights on the existing bucket only", () => {
            const policy = JSON.parse(one("aws:iam/userPolicy:UserPolicy").inputs.policy);
            const allows = policy.Statement.filter((s: any) => s.Effect === "Allow");
            const actions = allows.flatMap((s: any) => [].concat(s.Action));
            expect(actions).to.include.members(["s3:ListBucket", "s3:GetObject", "kms:Decrypt"]);
            for (const a of actions) expect(a, a).to.not.match(/Put|Delete|Abort|\*/);
            const bucketArn = primary.snapshotBucketArn as string;
            // The LINSTOR database backups (they hold the master passphrase) stay out of reach.
            expect(policy.Statement.find((s: any) => s.Effect === "Deny").Resource).to.equal(`${bucketArn}/linstor-db/*`);
            const resources = allows.flatMap((s: any) => [].concat(s.Resource));
            for (const r of resources) expect([bucketArn, `${bucketArn}/*`, primary.snapshotKmsKeyArn]).to.include(r);
        });

        it("describes the same remote with the same class parameters as the primary", async () => {
            expect(await outputValue(outputs.snapshotClassParameters)).to.deep.equal(primary.snapshotClassParameters);
            // The schedule's class and its two full classes: all the same remote.
            for (const cls of ofType("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass")) {
                expect(cls.inputs.deletionPolicy).to.equal("Retain");
                expect(cls.inputs.parameters["snap.linstor.csi.linbit.com/remote-name"]).to.equal(primary.linstorRemoteName);
            }
            expect(ofType("kubernetes:batch/v1:CronJob")).to.have.length(0);
        });

        it("ensures the LINSTOR S3 remote with a Job before the snapshot content is pre-provisioned", () => {
            const job = one("kubernetes:batch/v1:Job");
            const env = Object.fromEntries(job.inputs.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
            expect(env.REMOTE_NAME).to.equal(primary.linstorRemoteName);
            expect(env.S3_BUCKET).to.equal(primary.snapshotBucketName);
            expect(env.S3_REGION).to.equal("us-east-2");
            expect(env.S3_ENDPOINT).to.equal("https://s3.us-east-2.amazonaws.com");
            expect(job.inputs.metadata.namespace).to.equal("piraeus-datastore");
            const content = one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent");
            expect(dependsOn(content, job), "content waits for the remote Job").to.equal(true);
            expect(dependsOn(job, one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass", "snapshots-class"))).to.equal(true);
        });

        it("restores content → snapshot → claim → Jenkins, retaining the backup", async () => {
            const content = one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent");
            expect(content.inputs.spec.deletionPolicy).to.equal("Retain");
            expect(content.inputs.spec.source.snapshotHandle).to.equal(primary.latestSnapshotHandle);
            expect(content.inputs.spec.driver).to.equal("linstor.csi.linbit.com");
            const snapshot = one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshot");
            expect(snapshot.inputs.metadata.name).to.equal(DR_RESTORE_NAME);
            expect(dependsOn(snapshot, content)).to.equal(true);
            const claim = one("kubernetes:core/v1:PersistentVolumeClaim");
            expect(claim.inputs.spec.dataSource).to.deep.include({ kind: "VolumeSnapshot", name: DR_RESTORE_NAME });
            expect(claim.inputs.spec.storageClassName).to.equal("linstor-csi-lvm-thin-r3");
            expect(claim.inputs.spec.resources.requests.storage).to.equal(primary.jenkinsStorageSize);
            expect(dependsOn(claim, snapshot)).to.equal(true);
            expect(claim.options!.protect, "the restored claim is the live JENKINS_HOME").to.equal(true);
            expect(claim.options!.retainOnDelete).to.equal(true);
            const jenkins = ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "jenkins")!;
            expect(unsecret<any>(jenkins.inputs.values).persistence.existingClaim).to.equal(DR_RESTORE_NAME);
            expect(dependsOn(jenkins, claim)).to.equal(true);
            expect(await outputValue(outputs.jenkinsPvcName)).to.equal(DR_RESTORE_NAME);
            expect(await isSecret(outputs.jenkinsAdminPassword)).to.equal(true);
        });

        it("monitors the DR copy like the primary", async () => {
            const kps = ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "kube-prometheus-stack");
            expect(kps, "kube-prometheus-stack").to.not.equal(undefined);
            expect(ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule")).to.have.length(1);
            const jenkins = ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "jenkins")!;
            expect(unsecret<any>(jenkins.inputs.values).controller.prometheus.enabled).to.equal(true);
            expect(await isSecret(outputs.grafanaAdminPassword!)).to.equal(true);
        });

        it("reports whether the restore reads across regions", () => {
            expect(outputs.snapshotBucketRegion).to.equal("us-east-2");
            expect(outputs.restoreReadsAcrossRegions).to.equal(false);
        });
    });

    describe("the primary's Jenkins", () => {
        it("runs the primary's Jenkins version and plugins", async () => {
            // Unlike this stack's own defaults (which the shipped primary uses too): only a DR stack that reads them passes.
            const own = primary.jenkinsSettings as any;
            const settings = { ...own, chartVersion: "5.9.52", imageTag: "2.568.1-jdk21", plugins: [...own.plugins, "timestamper:1.28"] };
            stackOutputs[PRIMARY] = { ...primary, jenkinsSettings: settings };
            await evaluateDr();
            const jenkins = ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "jenkins")!;
            expect(jenkins.inputs.version).to.equal(settings.chartVersion);
            const values = unsecret<any>(jenkins.inputs.values);
            expect(values.controller.image.tag).to.equal(settings.imageTag);
            for (const p of settings.plugins) expect(values.controller.installPlugins).to.include(p);
        });
    });

    describe("snapshot handle", () => {
        it("prefers restoreSnapshotHandle from config over the primary's latest", async () => {
            const handle = "s3://s3-us-east-2/pvc-0a1b2c3d-0000-4000-8000-000000000000/snapshot-11111111-2222-4333-8444-555555555555";
            const outputs = await evaluateDr({ "ha-jenkins-eks:restoreSnapshotHandle": handle });
            expect(outputs.restoredSnapshotHandle).to.equal(handle);
            expect(one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent").inputs.spec.source.snapshotHandle).to.equal(handle);
        });

        it("falls back to the primary's latestSnapshotHandle, in the current s3:// format", async () => {
            // s3://<remote>/pvc-<claim UID>/snapshot-<VolumeSnapshot UID>, as linstor-csi ≥1.10 names backups.
            expect(primary.latestSnapshotHandle).to.match(
                /^s3:\/\/s3-us-east-2\/pvc-11111111-0000-4000-8000-[0-9a-f]{12}\/snapshot-00000000-0000-4000-8000-[0-9a-f]{12}$/,
            );
            const outputs = await evaluateDr();
            expect(outputs.restoredSnapshotHandle).to.equal(primary.latestSnapshotHandle);
        });

        it("explains how to pick a backup when there is none", async () => {
            const { latestSnapshotHandle: _none, ...withoutHandle } = primary;
            stackOutputs[PRIMARY] = withoutHandle;
            const msg = await rejection();
            expect(msg).to.match(
                /ha-jenkins-eks:restoreSnapshotHandle: \(not set\)\. Neither this key nor the primary stack organization\/ha-jenkins-eks\/dev's output latestSnapshotHandle/,
            );
            expect(msg).to.contain("linstor backup list");
            expect(recorded.map((r) => r.type)).to.deep.equal(["pulumi:pulumi:StackReference"]);
        });

        it("rejects a malformed handle, naming the key", async () => {
            const msg = await rejection({ "ha-jenkins-eks:restoreSnapshotHandle": "http://bucket/x" });
            expect(msg).to.match(
                /^Invalid value for ha-jenkins-eks:restoreSnapshotHandle: "http:\/\/bucket\/x"\. Not a linstor-csi snapshot handle: use s3:\/\/<remote>/,
            );
            expect(recorded.map((r) => r.type)).to.deep.equal(["pulumi:pulumi:StackReference"]);
        });
    });

    describe("guards", () => {
        it("rejects a DR region equal to the primary's", async () => {
            const msg = await rejection({
                "aws:region": "us-west-2",
                "ha-jenkins-eks:availabilityZones": '["us-west-2a","us-west-2b","us-west-2c"]',
            });
            expect(msg).to.equal(
                'Invalid value for aws:region: "us-west-2". The DR stack must run in another region than the primary stack organization/ha-jenkins-eks/dev (us-west-2).',
            );
            expect(recorded.map((r) => r.type)).to.deep.equal(["pulumi:pulumi:StackReference"]);
        });

        for (const output of ["snapshotBucketName", "snapshotClassParameters", "jenkinsStorageSize", "region"]) {
            it(`names a missing primary output (${output}) and the primary stack`, async () => {
                const { [output]: _gone, ...rest } = primary;
                stackOutputs[PRIMARY] = rest;
                expect(await rejection()).to.equal(
                    `The primary stack ${PRIMARY} has no output "${output}". ` +
                        `Run \`pulumi up -s ${PRIMARY}\` with the current version of this program (it exports everything the DR stack needs), then retry.`,
                );
            });
        }

        it("requires primaryStack in a DR stack", async () => {
            expect(await rejection({ "ha-jenkins-eks:primaryStack": "" })).to.match(
                /ha-jenkins-eks:primaryStack: \(not set\)\. The DR stack restores from a primary stack/,
            );
        });

        it("rejects a primaryStack that is not fully qualified", async () => {
            expect(await rejection({ "ha-jenkins-eks:primaryStack": "dev" })).to.match(
                /ha-jenkins-eks:primaryStack: "dev"\. Use the primary's fully qualified stack name/,
            );
        });
    });

    it("is what stacks/index.ts runs for role dr", async () => {
        const { config, secretKeys } = stackConfig("dr");
        useStack("dr", config, secretKeys);
        resetRecords();
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const program = require("../../stacks") as () => Promise<Record<string, unknown>>;
        const outputs = await program();
        expect(outputs.role).to.equal("dr");
        expect(one("pulumi:pulumi:StackReference", "primary").inputs.name).to.equal(PRIMARY);
    });
});

describe("dr stack as the live Jenkins (drSnapshotsEnabled)", () => {
    let primary: Record<string, unknown>;
    let outputs: Record<string, unknown>;
    before(async () => {
        primary = await primaryOutputs();
        stackOutputs[PRIMARY] = { ...primary };
        outputs = await plain(await evaluateDr({ "ha-jenkins-eks:drSnapshotsEnabled": "true" }));
    });
    after(() => {
        delete stackOutputs[PRIMARY];
    });

    it("ships snapshots of the restored claim to the same bucket and remote, still creating no bucket", () => {
        const cron = one("kubernetes:batch/v1:CronJob");
        const env = Object.fromEntries(cron.inputs.spec.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
        expect(env.PVC_NAME).to.equal(DR_RESTORE_NAME);
        expect(ofType("aws:s3/bucket:Bucket")).to.have.length(0);
        const policy = JSON.parse(one("aws:iam/userPolicy:UserPolicy").inputs.policy);
        const actions = policy.Statement.flatMap((s: any) => [].concat(s.Action));
        expect(actions).to.include("s3:PutObject");
        expect(outputs.snapshotBucketName).to.equal(primary.snapshotBucketName);
        expect(outputs.linstorRemoteName).to.equal(primary.linstorRemoteName);
    });

    it("exports everything a failback stack (role dr, primaryStack = this stack) reads", () => {
        for (const key of DR_READS_REQUIRED) {
            expect(outputs, key).to.have.property(key);
        }
        expect(outputs.jenkinsPvcName).to.equal(DR_RESTORE_NAME);
    });
});
