/** The DR stack's restore path with a primary that answers: what it builds, in which order, with which waits. */
import { expect } from "chai";
import { backupNameKey, parseMetaKey } from "../../components/snapshots/backupCatalog";
import { RESTORE_GATE_START_SECONDS } from "../../components/snapshots/restoreGate";
import { RESTORE_GATE_LABEL, restoreSeconds } from "../../components/snapshots/restoreTiming";
import { DR_READS_REQUIRED } from "../../stacks/outputs";
import { FakeLinstorBucket, primaryBucket, shipChain } from "../support/fakes/fakeLinstorBucket";
import { dependsOn, ofType, one, recorded, stackOutputs, unsecret } from "../support/mocks";
import { stackConfig } from "../support/stacks";
import { devOutputs, evaluateDr, PRIMARY, rejection } from "./drFixtures";

const CONTENT = "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent";
const SNAPSHOT = "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshot";
const CLAIM = "kubernetes:core/v1:PersistentVolumeClaim";
const release = (chart: string) => ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === chart);
const JOB = "kubernetes:batch/v1:Job";
const gateJob = () => one(JOB, "restore-gate");
const envOf = (c: any): Record<string, string> => Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));

describe("dr stack: restore with the primary's outputs", () => {
    let primary: Record<string, unknown>;
    let outputs: Record<string, unknown>;
    let newest: string;
    before(async () => {
        primary = await devOutputs();
        const { ids } = primaryBucket(primary.snapshotBucketName as string);
        newest = ids.at(-1) as string;
        outputs = await evaluateDr();
    });

    it("reads the primary and itself through StackReferences and builds the cluster in its own region", () => {
        expect(one("pulumi:pulumi:StackReference", "primary").inputs.name).to.equal(PRIMARY);
        const self = ofType("pulumi:pulumi:StackReference").find((r) => r.name === "hje-dr-dr-self");
        expect(self?.inputs.name).to.equal("organization/ha-jenkins-eks/dr");
        expect(outputs.region).to.equal("us-east-2");
        expect(outputs.primaryRegion).to.equal("us-west-2");
        const vpc = one("awsx:ec2:Vpc").inputs;
        expect(vpc.availabilityZoneNames).to.deep.equal(["us-east-2a", "us-east-2b", "us-east-2c"]);
        // Restores and restore checks read the bucket beside them through an S3 gateway endpoint on every route table, not NAT.
        expect(outputs.snapshotBucketRegion).to.equal("us-east-2");
        expect(vpc.vpcEndpointStrategy).to.equal("Auto");
        expect(vpc.vpcEndpointSpecs).to.have.length(1);
        expect(vpc.vpcEndpointSpecs[0]).to.deep.include({ serviceName: "com.amazonaws.us-east-2.s3", vpcEndpointType: "Gateway" });
        expect(vpc.vpcEndpointSpecs[0]).to.not.have.property("routeTableIds");
        const groups = ofType("eks:index:ManagedNodeGroup");
        expect(groups).to.have.length(3);
        // Pulumi.dr.yaml creates them in parallel: a recovery races the clock.
        expect(dependsOn(groups[1], groups[0])).to.equal(false);
    });

    it("restores the newest COMPLETE backup it finds in the bucket itself, passing over the shipment still running", () => {
        const snap = parseMetaKey(`${newest}.meta`)!.snapshot;
        expect(one(CONTENT).inputs.spec.source.snapshotHandle).to.equal(`s3://s3-us-east-2/pvc-11111111-0000-4000-8000-686a652d6465/${snap}`);
        const b = outputs.restoredBackup as Record<string, unknown>;
        expect(b).to.deep.include({ id: newest, chainLength: 24, selection: 1, pinned: false, volumeBytes: 20 * 2 ** 30 });
        expect(b.chainBytes).to.equal(2 ** 30 + 23 * 64 * 2 ** 20);
        expect(outputs.restoredSnapshotHandle).to.equal(b.handle);
    });

    it("names what restores it after the backup (new names for another backup)", () => {
        const name = `jenkins-dr-${backupNameKey(newest)}`;
        expect(name).to.match(/^jenkins-dr-20260701-230000-[0-9a-f]{8}$/);
        expect(one(SNAPSHOT).inputs.metadata.name).to.equal(name);
        expect(one(CONTENT).inputs.metadata.name).to.equal(`restored-jenkins-${name}`);
        expect(one(CLAIM).inputs.metadata.name).to.equal(name);
        expect(one(CLAIM).name).to.equal(`hje-dr-restore-${backupNameKey(newest)}-claim`);
        expect(outputs.restoredClaimName).to.equal(name);
        expect(outputs.restoredClaimUrn).to.equal(one(CLAIM).options!.urn);
    });

    it("restores content → snapshot → claim → Jenkins, retaining the backup and protecting the claim", () => {
        const content = one(CONTENT);
        expect(content.inputs.spec).to.deep.include({
            deletionPolicy: "Retain",
            driver: "linstor.csi.linbit.com",
            volumeSnapshotClassName: "linstor-csi-s3",
        });
        const snapshot = one(SNAPSHOT);
        const claim = one(CLAIM);
        expect(dependsOn(snapshot, content) && dependsOn(claim, snapshot)).to.equal(true);
        expect(claim.inputs.spec.storageClassName).to.equal("linstor-csi-lvm-thin-r3");
        expect(claim.inputs.spec.resources.requests.storage).to.equal("20Gi");
        expect(claim.options!.protect).to.equal(true);
        expect(claim.options!.retainOnDelete).to.equal(true);
        const jenkins = release("jenkins")!;
        expect(unsecret<any>(jenkins.inputs.values).persistence.existingClaim).to.equal(claim.inputs.metadata.name);
        expect(dependsOn(jenkins, claim)).to.equal(true);
    });

    it("has LINSTOR download exactly the chosen backup before the content and the claim exist (the restore gate)", () => {
        const b = outputs.restoredBackup as { id: string; chainBytes: number; chainLength: number };
        const key = backupNameKey(newest);
        const job = gateJob();
        expect(job.name).to.equal(`hje-dr-restore-gate-${key}-job`);
        expect(job.inputs.metadata).to.deep.include({ name: `restore-gate-${key}`, namespace: "piraeus-datastore" });
        expect(job.inputs.metadata.labels).to.deep.equal({ [RESTORE_GATE_LABEL]: key });
        const pod = job.inputs.spec.template.spec;
        expect(envOf(pod.initContainers[1]).BACKUP_ID).to.equal(newest);
        expect(envOf(pod.containers[0]).REMOTE).to.equal(primary.linstorRemoteName);
        // Every link of the chosen chain with its bytes from the bucket, so the gate's report prices what it downloaded.
        const links = String(envOf(pod.containers[0]).LINK_BYTES).split(" ");
        expect(links).to.have.length(b.chainLength);
        expect(links.reduce((t, l) => t + Number(l.split("=")[1]), 0)).to.equal(b.chainBytes);
        // Awaited: no skipAwait, no TTL (a deleted Job would run again), a deadline from the chain and a wait beyond it.
        expect(job.inputs.metadata.annotations ?? {}).to.not.have.property("pulumi.com/skipAwait");
        expect(job.inputs.spec).to.not.have.property("ttlSecondsAfterFinished");
        expect(job.inputs.spec.activeDeadlineSeconds).to.equal(restoreSeconds(b) + RESTORE_GATE_START_SECONDS);
        expect(job.options!.customTimeouts.create).to.equal(`${Math.ceil((restoreSeconds(b) + RESTORE_GATE_START_SECONDS + 300) / 60)}m`);
        // After the remote exists; the content (so the snapshot and the claim) after the gate.
        expect(dependsOn(job, one(JOB, "ensure-linstor-remote"))).to.equal(true);
        expect(dependsOn(one(CONTENT), job), "content waits for the gate").to.equal(true);
        expect(dependsOn(one(CLAIM), one(SNAPSHOT)) && dependsOn(one(SNAPSHOT), one(CONTENT)), "claim → snapshot → content").to.equal(true);
    });

    it("starts Jenkins without waiting for monitoring: monitoring makes its ServiceMonitor once the CRDs exist", () => {
        const jenkins = release("jenkins")!;
        const kps = release("kube-prometheus-stack")!;
        expect(dependsOn(jenkins, kps), "the Jenkins release waits for kube-prometheus-stack").to.equal(false);
        const values = unsecret<any>(jenkins.inputs.values);
        expect(values.controller.prometheus.enabled, "the chart's ServiceMonitor needs the CRDs at install").to.equal(false);
        // The plugin set stays the primary's (with the prometheus plugin): a different set would download plugins on the first start.
        expect(values.controller.installPlugins.some((p: string) => p.startsWith("prometheus:"))).to.equal(true);
        const monitor = one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "jenkins-monitor");
        expect(monitor.inputs.metadata.namespace).to.equal("jenkins");
        expect(dependsOn(monitor, kps)).to.equal(true);
    });

    it("gives the Jenkins release time for the restore: its timeout grows with the backup's size and chain", () => {
        const b = outputs.restoredBackup as { chainBytes: number; chainLength: number };
        // 600 s (image, plugins, NLB) + the startup probe's 600 s + the restore at 38 MiB/s and 60 s a backup.
        expect(release("jenkins")!.inputs.timeout).to.equal(1200 + restoreSeconds(b));
        expect(restoreSeconds(b)).to.equal(1560);
    });

    it("never creates the primary's kinds of resources (bucket, bucket policy, bucket key, bucket-region provider)", () => {
        expect(recorded.map((r) => r.type).filter((t) => /^aws:s3\//.test(t))).to.deep.equal([]);
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
        expect(policy.Statement.find((s: any) => s.Effect === "Deny").Resource).to.equal(`${bucketArn}/linstor-db/*`);
    });

    it("describes the same remote as the primary and ensures it with a Job before the content", () => {
        expect(outputs.snapshotClassParameters).to.deep.equal(primary.snapshotClassParameters);
        const job = one("kubernetes:batch/v1:Job", "ensure-linstor-remote");
        const env = Object.fromEntries(job.inputs.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
        expect(env.REMOTE_NAME).to.equal(primary.linstorRemoteName);
        expect(env.S3_BUCKET).to.equal(primary.snapshotBucketName);
        expect(dependsOn(one(CONTENT), job), "content waits for the remote Job").to.equal(true);
        expect(ofType("kubernetes:batch/v1:CronJob")).to.have.length(0);
    });

    it("records what it read from the primary and what it chose, for a run without the primary", () => {
        expect(Object.keys(outputs.primaryRecord as object).sort()).to.include.members([...DR_READS_REQUIRED]);
        expect((outputs.primaryRecord as Record<string, unknown>).snapshotBucketName).to.equal(primary.snapshotBucketName);
        expect(outputs.drMode).to.equal("restore");
        expect(outputs.restoreReadsAcrossRegions).to.equal(false);
    });

    it("runs the primary's Jenkins version and plugins", async () => {
        const own = primary.jenkinsSettings as any;
        const settings = { ...own, chartVersion: "5.9.52", imageTag: "2.568.1-jdk21", plugins: [...own.plugins, "timestamper:1.28"] };
        await evaluateDr({}, { primary: { ...primary, jenkinsSettings: settings } });
        const jenkins = release("jenkins")!;
        expect(jenkins.inputs.version).to.equal(settings.chartVersion);
        const values = unsecret<any>(jenkins.inputs.values);
        expect(values.controller.image.tag).to.equal(settings.imageTag);
        for (const p of settings.plugins) expect(values.controller.installPlugins).to.include(p);
    });

    it("is what stacks/index.ts runs for role dr", async () => {
        stackOutputs[PRIMARY] = { ...primary };
        try {
            const { config, secretKeys } = stackConfig("dr");
            const { useStack, resetRecords } = await import("../support/mocks");
            useStack("dr", config, secretKeys);
            resetRecords();
            const program = require("../../stacks") as () => Promise<Record<string, unknown>>;
            const out = await program();
            expect(out.role).to.equal("dr");
        } finally {
            delete stackOutputs[PRIMARY];
        }
    });
});

describe("dr stack: the restore gate runs while the restore is new", () => {
    it("a later `pulumi up`, the backup recorded as restored, declares no gate (nothing to download again)", async () => {
        const first = await evaluateDr();
        expect(ofType(JOB).filter((j) => j.name.includes("restore-gate"))).to.have.length(1);
        const again = await evaluateDr({}, { own: first });
        expect(again.restoredBackup).to.deep.equal(first.restoredBackup);
        expect(ofType(JOB).filter((j) => j.name.includes("restore-gate"))).to.have.length(0);
        // The same restore objects, kept.
        expect(one(CLAIM).options!.urn).to.equal(first.restoredClaimUrn);
        expect(one(CONTENT).inputs.metadata.name).to.equal(`restored-jenkins-${first.restoredClaimName}`);
    });
});

describe("dr stack: timeouts follow the backup", () => {
    it("a larger backup with a longer chain gets a longer Jenkins release timeout", async () => {
        const dev = await devOutputs();
        const bucket = new FakeLinstorBucket(dev.snapshotBucketName as string);
        shipChain(bucket, {
            resource: "pvc-11111111-0000-4000-8000-686a652d6465",
            pvcNamespace: "jenkins",
            pvcName: "jenkins-home",
            start: new Date("2026-07-01T00:00:00Z"),
            increments: 95,
            stepMinutes: 15,
            dataBytes: 10 * 2 ** 30,
        });
        await evaluateDr();
        const before = gateJob().inputs;
        const outputs = await evaluateDr({}, { bucket });
        const b = outputs.restoredBackup as { id: string; chainBytes: number; chainLength: number };
        expect(b.chainLength).to.equal(96);
        // Another backup, another gate Job (its name and label carry the backup key); its deadline scales with the chain.
        const gate = gateJob().inputs;
        expect(gate.metadata.name).to.equal(`restore-gate-${backupNameKey(b.id)}`);
        expect(gate.metadata.name).to.not.equal(before.metadata.name);
        expect(envOf(gate.spec.template.spec.initContainers[1]).BACKUP_ID).to.equal(b.id);
        expect(gate.spec.activeDeadlineSeconds).to.equal(restoreSeconds(b) + RESTORE_GATE_START_SECONDS);
        expect(gate.spec.activeDeadlineSeconds).to.be.greaterThan(before.spec.activeDeadlineSeconds);
        expect(release("jenkins")!.inputs.timeout).to.equal(1200 + restoreSeconds(b));
        // 960 GiB of data objects at 38 MiB/s plus 96 shipments × 60 s: about 8.8 hours.
        expect(restoreSeconds(b)).to.equal(31680);
        // The throughput assumption is a key: a faster link shortens it.
        await evaluateDr({ "ha-jenkins-eks:restoreThroughputMiBps": "100" }, { bucket });
        expect(release("jenkins")!.inputs.timeout).to.equal(1200 + restoreSeconds(b, 100));
    });
});

describe("dr stack guards", () => {
    it("rejects a DR region equal to the primary's, before anything but the reads", async () => {
        const msg = await rejection({ "aws:region": "us-west-2", "ha-jenkins-eks:availabilityZones": '["us-west-2a","us-west-2b","us-west-2c"]' });
        expect(msg).to.equal(
            'Invalid value for aws:region: "us-west-2". The DR stack must run in another region than the primary stack organization/ha-jenkins-eks/dev (us-west-2).',
        );
        expect([...new Set(recorded.map((r) => r.type))]).to.deep.equal(["pulumi:pulumi:StackReference"]);
    });

    it("refuses a restored claim smaller than the backup's volume", async () => {
        const msg = await rejection({ "ha-jenkins-eks:restoreStorageSize": "10Gi" });
        expect(msg).to.match(/^Invalid value for ha-jenkins-eks:restoreStorageSize: "10Gi"\. The volume to restore is 20 Gi/);
        expect(ofType(CLAIM)).to.have.length(0);
    });

    it("rejects a primaryStack that is not fully qualified", async () => {
        expect(await rejection({ "ha-jenkins-eks:primaryStack": "dev" })).to.match(
            /ha-jenkins-eks:primaryStack: "dev"\. Use the primary's fully qualified stack name/,
        );
    });

    it("names a primary that answers without its outputs when nothing else names the bucket", async () => {
        const { snapshotBucketName: _gone, ...rest } = await devOutputs();
        expect(await rejection({}, { primary: rest })).to.match(
            /The primary stack organization\/ha-jenkins-eks\/dev has no output "snapshotBucketName"/,
        );
        expect(await rejection({}, { primary: "none" })).to.match(
            /has none of the outputs a primary stack of this program exports.*restoreBucketName, restoreBucketRegion and restoreBucketKmsKeyArn/,
        );
    });
});
