/**
 * The DR stack needs nothing from the primary at recovery time and chooses its backup once: with no handle, with no
 * primary (absent, or answering without outputs), with a pinned backup, keeping a recorded choice, choosing again.
 */
import { expect } from "chai";
import { backupNameKey, parseMetaKey } from "../../components/snapshots/backupCatalog";
import { keptBackupWarning } from "../../stacks/drChoice";
import type { RestoredBackup } from "../../stacks/outputs";
import { applyErrors, contentSourceErrors } from "../support/fakes/fakeKubeApply";
import { FakeLinstorBucket, linstorDataKey, primaryBucket, shipChain } from "../support/fakes/fakeLinstorBucket";
import { ofType, one, recorded } from "../support/mocks";
import { devOutputs, evaluateDr, rejection, UNSET } from "./drFixtures";

const CONTENT = "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent";
const CLAIM = "kubernetes:core/v1:PersistentVolumeClaim";
const RSC = "pvc-11111111-0000-4000-8000-686a652d6465";
const handleOf = (id: string) => `s3://s3-us-east-2/${RSC}/${parseMetaKey(`${id}.meta`)!.snapshot}`;
const jenkinsRelease = () => ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "jenkins");

describe("dr stack: the backup is chosen once, from the bucket", () => {
    let dev: Record<string, unknown>;
    let bucketName: string;
    let first: Record<string, unknown>;
    let ids: string[];
    before(async () => {
        dev = await devOutputs();
        bucketName = dev.snapshotBucketName as string;
        ids = primaryBucket(bucketName).ids;
        first = await evaluateDr();
    });

    /** The primary's day of backups, and a newer complete one shipped after the DR stack chose. */
    function bucketWithNewer(): FakeLinstorBucket {
        const { bucket } = primaryBucket(bucketName);
        bucket.ship({
            resource: RSC,
            pvcNamespace: "jenkins",
            pvcName: "jenkins-home",
            snapshot: "snapshot-later",
            start: new Date("2026-07-02T01:00:00Z"),
        });
        return bucket;
    }

    it("keeps the recorded choice on an unrelated `pulumi up`, without even reading the bucket, though a newer backup appeared", async () => {
        const bucket = bucketWithNewer();
        const outputs = await evaluateDr({}, { own: first, bucket });
        expect(one(CONTENT).inputs.spec.source.snapshotHandle).to.equal(handleOf(ids.at(-1) as string));
        expect(outputs.restoredBackup).to.deep.equal(first.restoredBackup);
        expect(one(CLAIM).name, "the same resources: nothing is replaced").to.equal(ofType(CLAIM)[0].name);
        expect(bucket.reads, "no listing, no meta read").to.deep.equal([]);
    });

    it("chooses the newest complete backup again when restoreSelection is raised: new object names, the old ones dropped", async () => {
        const outputs = await evaluateDr({ "ha-jenkins-eks:restoreSelection": "2" }, { own: first, bucket: bucketWithNewer() });
        const b = outputs.restoredBackup as Record<string, unknown>;
        expect(b).to.deep.include({ snapshot: "snapshot-later", selection: 2, pinned: false, chainLength: 1 });
        const name = `jenkins-dr-${backupNameKey(b.id as string)}`;
        expect(one(CLAIM).inputs.metadata.name).to.equal(name);
        expect(name).to.not.equal(first.restoredClaimName);
        // A new URN: nothing of the first restore is updated in place (its content's snapshotHandle is immutable).
        expect(one(CLAIM).options!.urn).to.not.equal(first.restoredClaimUrn);
        expect(one(CONTENT).inputs.metadata.name).to.equal(`restored-jenkins-${name}`);
        expect(ofType(CLAIM)).to.have.length(1);
        expect(outputs.restoredClaimUrn).to.not.equal(first.restoredClaimUrn);
    });

    it("a new choice passes the content's CEL rules; only the protected old claim stops it, until the runbook releases it", async () => {
        await evaluateDr({}, { own: first });
        const before = [...recorded];
        await evaluateDr({ "ha-jenkins-eks:restoreSelection": "2" }, { own: first, bucket: bucketWithNewer() });
        const after = [...recorded];
        // No content is updated in place (new URNs): the only refusal is the engine's, for the protected first claim.
        expect(applyErrors(before, after)).to.deep.equal([`${first.restoredClaimUrn}: cannot be deleted because it is protected`]);
        const released = before.map((r) => (r.options?.urn === first.restoredClaimUrn ? { ...r, options: { ...r.options!, protect: false } } : r));
        expect(applyErrors(released, after)).to.deep.equal([]);
        // What the names prevent: the same content with another backup's handle is refused by the API server.
        const content = before.find((r) => r.type === CONTENT)!;
        const inPlace = after.map((r) =>
            r.type === CONTENT
                ? { ...r, inputs: { ...content.inputs, spec: { ...content.inputs.spec, source: r.inputs.spec.source } }, options: content.options }
                : r,
        );
        expect(applyErrors(released, inPlace)).to.deep.equal([`${content.options!.urn}: snapshotHandle is immutable`]);
        expect(contentSourceErrors({ snapshotHandle: "a" }, { volumeHandle: "v" })).to.deep.equal(["snapshotHandle is required once set"]);
    });

    it("warns when the kept backup is more than a day old (a DR stack left deployed after a drill)", () => {
        const b = first.restoredBackup as RestoredBackup;
        const day = 24 * 3_600_000;
        expect(keptBackupWarning(b, b.startTimestamp + day)).to.equal(undefined);
        expect(keptBackupWarning(b, b.startTimestamp + day + 3_600_000)).to.match(/started 25 h ago\. .*raise restoreSelection/);
    });

    it("restores a pinned backup (an older one) and keeps it pinned", async () => {
        const pinned = handleOf(ids[5]);
        const outputs = await evaluateDr({ "ha-jenkins-eks:restoreSnapshotHandle": pinned }, { own: first });
        expect(one(CONTENT).inputs.spec.source.snapshotHandle).to.equal(pinned);
        expect(outputs.restoredBackup).to.deep.include({ id: ids[5], pinned: true, chainLength: 6 });
        // The next run with the same pin keeps it without reading the bucket.
        const bucket = bucketWithNewer();
        await evaluateDr({ "ha-jenkins-eks:restoreSnapshotHandle": pinned }, { own: outputs, bucket });
        expect(one(CONTENT).inputs.spec.source.snapshotHandle).to.equal(pinned);
        expect(bucket.reads).to.deep.equal([]);
        // Removing the pin keeps it too; raising restoreSelection chooses the newest again.
        await evaluateDr({}, { own: outputs, bucket });
        expect(one(CONTENT).inputs.spec.source.snapshotHandle).to.equal(pinned);
        expect(bucket.reads).to.deep.equal([]);
        const again = await evaluateDr({ "ha-jenkins-eks:restoreSelection": "2" }, { own: outputs, bucket });
        expect(again.restoredBackup).to.deep.include({ snapshot: "snapshot-later", pinned: false, selection: 2 });
    });

    it("refuses a pinned backup that is incomplete or not in the bucket, naming the key and why, before the cluster", async () => {
        const { bucket } = primaryBucket(bucketName);
        bucket.deleteObject(
            linstorDataKey({ resource: RSC, snapshot: parseMetaKey(`${ids[2]}.meta`)!.snapshot, start: new Date("2026-07-01T02:00:00Z") }),
        );
        const msg = await rejection({ "ha-jenkins-eks:restoreSnapshotHandle": handleOf(ids[5]) }, { bucket });
        expect(msg).to.match(
            /^Invalid value for ha-jenkins-eks:restoreSnapshotHandle: "s3:\/\/.*"\. No complete backup of this snapshot is in the bucket/,
        );
        expect(msg).to.contain(`its base ${ids[2]}: data object`);
        expect([...new Set(recorded.map((r) => r.type))]).to.deep.equal(["pulumi:pulumi:StackReference"]);
        const missing = await rejection({ "ha-jenkins-eks:restoreSnapshotHandle": `s3://s3-us-east-2/${RSC}/snapshot-nowhere` });
        expect(missing).to.match(/No complete backup of this snapshot is in the bucket/);
    });

    it("refuses a malformed handle while reading the config", async () => {
        expect(await rejection({ "ha-jenkins-eks:restoreSnapshotHandle": "http://bucket/x" })).to.match(
            /ha-jenkins-eks:restoreSnapshotHandle: "http:\/\/bucket\/x"\. Not a linstor-csi snapshot handle/,
        );
        expect(recorded).to.have.length(0);
    });

    it("comes up without Jenkins (cluster, LINSTOR, the S3 remote) when the bucket holds no complete backup", async () => {
        const bucket = new FakeLinstorBucket(bucketName);
        bucket.shipData({ resource: RSC, snapshot: "snapshot-first", start: new Date("2026-07-01T00:00:00Z") });
        const outputs = await evaluateDr({}, { bucket });
        expect(ofType("ha-jenkins-eks:index:LinstorCluster")).to.have.length(1);
        expect(one("kubernetes:batch/v1:Job", "ensure-linstor-remote")).to.not.equal(undefined);
        expect(jenkinsRelease()).to.equal(undefined);
        expect(ofType(CLAIM)).to.have.length(0);
        expect(outputs).to.not.have.property("restoredBackup");
        expect(outputs).to.not.have.property("jenkinsUrl");
        // Nothing is chosen, so the next `pulumi up` looks again.
        expect(outputs.drMode).to.equal("restore");
    });

    it("stops with what to fix when the bucket cannot be read", async () => {
        const bucket = primaryBucket(bucketName).bucket;
        bucket.object = () => {
            throw new Error("AccessDenied: not authorized to perform s3:GetObject");
        };
        const msg = await rejection({}, { bucket });
        expect(msg).to.match(
            /^Invalid value for ha-jenkins-eks:primaryStack: .*The DR stack reads the bucket to choose a backup and could not: .*AccessDenied/,
        );
        expect(ofType(CLAIM)).to.have.length(0);
        const unlisted = primaryBucket(bucketName).bucket;
        unlisted.keys = () => {
            throw new Error("AccessDenied: not authorized to perform s3:ListBucket");
        };
        expect(await rejection({}, { bucket: unlisted })).to.match(/s3:ListBucket/);
    });
});

describe("dr stack without the primary", () => {
    let dev: Record<string, unknown>;
    let first: Record<string, unknown>;
    const BUCKET_KEYS = (d: Record<string, unknown>) => ({
        "ha-jenkins-eks:restoreBucketName": d.snapshotBucketName as string,
        "ha-jenkins-eks:restoreBucketRegion": d.snapshotBucketRegion as string,
        "ha-jenkins-eks:restoreBucketKmsKeyArn": d.snapshotKmsKeyArn as string,
    });
    before(async () => {
        dev = await devOutputs();
        first = await evaluateDr();
    });

    it("evaluates with no primaryStack and no handle from the restoreBucket* keys alone, and restores the newest complete backup", async () => {
        const outputs = await evaluateDr({ "ha-jenkins-eks:primaryStack": UNSET, ...BUCKET_KEYS(dev) }, { primary: "none" });
        const refs = ofType("pulumi:pulumi:StackReference").map((r) => r.inputs.name);
        expect(
            refs.every((n: string) => n === "organization/ha-jenkins-eks/dr"),
            refs.join(),
        ).to.equal(true);
        expect((outputs.restoredBackup as Record<string, unknown>).chainLength).to.equal(24);
        expect(jenkinsRelease()).to.not.equal(undefined);
        expect(outputs).to.not.have.property("primaryRecord");
        // The bucket's key reaches the DR IAM user.
        const policy = one("aws:iam/userPolicy:UserPolicy").inputs.policy;
        expect(policy).to.contain(dev.snapshotKmsKeyArn as string);
    });

    it("evaluates when the primary's StackReference answers with no outputs, on what it recorded", async () => {
        const outputs = await evaluateDr({}, { primary: "none", own: { primaryRecord: first.primaryRecord } });
        expect(outputs.primaryRecord).to.deep.equal(first.primaryRecord);
        expect(outputs.snapshotBucketName).to.equal(dev.snapshotBucketName);
        expect(jenkinsRelease()).to.not.equal(undefined);
    });

    it("needs a bucket: restoreBucketName when nothing else names one", async () => {
        const msg = await rejection({ "ha-jenkins-eks:primaryStack": UNSET }, { primary: "none" });
        expect(msg).to.match(
            /^Invalid value for ha-jenkins-eks:restoreBucketName: \(not set\)\. Name the bucket to restore from: no primaryStack is set/,
        );
        expect([...new Set(recorded.map((r) => r.type))]).to.deep.equal(["pulumi:pulumi:StackReference"]);
    });

    it("needs the bucket's region with its name", async () => {
        const msg = await rejection({ "ha-jenkins-eks:restoreBucketName": "some-bucket" });
        expect(msg).to.match(/ha-jenkins-eks:restoreBucketRegion: \(not set\)\. Name the region of restoreBucketName/);
    });

    it("takes this stack's own Jenkins settings when no primary ever answered", async () => {
        const outputs = await evaluateDr(
            { "ha-jenkins-eks:primaryStack": UNSET, ...BUCKET_KEYS(dev), "ha-jenkins-eks:jenkinsImageTag": "2.568.1-jdk21" },
            { primary: "none" },
        );
        expect(outputs.jenkinsUrl).to.be.a("string");
        const values = jenkinsRelease()!.inputs.values;
        expect(JSON.stringify(values)).to.contain("2.568.1-jdk21");
    });

    it("ignores a bucket shipped by other clusters' other claims, choosing the Jenkins claim's newest", async () => {
        const { bucket, ids } = primaryBucket(dev.snapshotBucketName as string);
        shipChain(bucket, {
            resource: "pvc-99999999-0000-4000-8000-000000000009",
            pvcNamespace: "monitoring",
            pvcName: "prometheus-db",
            clusterId: "other-cluster",
            start: new Date("2026-07-03T00:00:00Z"),
            increments: 0,
        });
        const outputs = await evaluateDr({}, { bucket });
        expect((outputs.restoredBackup as Record<string, unknown>).id).to.equal(ids.at(-1));
    });
});
