import { writeFileSync } from "node:fs";
import { expect } from "chai";
import { ChecksumWriter } from "../../../stacks/ops/checksumWriter";
import { drCommands, KubeSnapshots, planDrDrill, shellQuote, takeDrSnapshot, verifyDr } from "../../../stacks/ops/drDrill";
import { JenkinsClient } from "../../../stacks/ops/jenkinsClient";
import { FakeClock } from "../../support/fakes/fakeClock";
import { FakeJenkins } from "../../support/fakes/fakeJenkins";
import { FakeKube } from "../../support/fakes/fakeKube";

const SNAPSHOTS = "/apis/snapshot.storage.k8s.io/v1/namespaces/jenkins/volumesnapshots";
const CONTENTS = "/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents";
const HANDLE = "s3://s3-us-east-2/pvc-0b3c9a1e-7d2f-4c55-9a8e-1f2e3d4c5b6a/snapshot-5f0c4b7e-2a1d-4e3f-8c9b-0a1b2c3d4e5f";

describe("tools: DR drill (fake Jenkins, real client-node against a fake API server, fake clock)", () => {
    let primary: FakeJenkins;
    let drJenkins: FakeJenkins;
    let kube: FakeKube;
    let clock: FakeClock;
    let primaryClient: JenkinsClient;

    before(async () => {
        primary = new FakeJenkins();
        drJenkins = new FakeJenkins();
        kube = new FakeKube();
        await kube.start();
        primaryClient = new JenkinsClient({ baseUrl: await primary.start(), user: "admin", secret: primary.credentials.token, secretKind: "token" });
    });
    after(async () => {
        await primary.stop();
        await drJenkins.stop();
        await kube.stop();
    });
    beforeEach(() => {
        kube.store.clear();
        clock = new FakeClock();
    });

    const opts = {
        drillId: "dr-20260301t100000z-00aa",
        namespace: "jenkins",
        claimName: "jenkins-home",
        snapshotClassName: "linstor-csi-s3",
        readyTimeoutMs: 600000,
        pollMs: 5000,
    };

    it("writes the file, snapshots the claim with the S3 class, waits until shipped and returns the content's handle", async () => {
        const created = clock.now();
        // The snapshot controller binds a content at once; linstor-csi reports readyToUse once the upload finished (here 95 s later).
        kube.afterCreate = (collection, vs) => {
            if (collection !== SNAPSHOTS) return;
            vs.status = { readyToUse: false, boundVolumeSnapshotContentName: "snapcontent-1" };
            kube.put(CONTENTS, { metadata: { name: "snapcontent-1" }, status: { snapshotHandle: HANDLE } });
        };
        kube.beforeRequest = () => {
            const vs = kube.get(SNAPSHOTS, opts.drillId);
            if (vs && clock.now() - created >= 95000) vs.status.readyToUse = true;
        };
        const logs: string[] = [];
        const r = await takeDrSnapshot(opts, {
            writer: new ChecksumWriter(primaryClient, clock, { mode: "script" }),
            snapshots: await KubeSnapshots.create(await kube.kubeConfig()),
            clock,
            log: (l) => logs.push(l),
        });
        expect(r.snapshotHandle).to.equal(HANDLE);
        expect(r.shippedInMs).to.equal(95000);
        expect(r.sha1).to.match(/^[0-9a-f]{40}$/);
        const vs = kube.get(SNAPSHOTS, opts.drillId)!;
        expect(vs.apiVersion).to.equal("snapshot.storage.k8s.io/v1");
        expect(vs.spec).to.deep.equal({ volumeSnapshotClassName: "linstor-csi-s3", source: { persistentVolumeClaimName: "jenkins-home" } });
        expect(vs.metadata.labels).to.deep.equal({ "ha-jenkins-eks.io/snapshot-kind": "dr-drill" });
        expect(logs.join("\n")).to.include(`handle ${HANDLE}`);
    });

    it("stops on a snapshot error and on a content without a usable handle", async () => {
        const deps = async () => ({
            writer: new ChecksumWriter(primaryClient, clock, { mode: "script" }),
            snapshots: await KubeSnapshots.create(await kube.kubeConfig()),
            clock,
            log: () => undefined,
        });
        kube.beforeRequest = () => undefined;
        kube.afterCreate = (_c, vs) =>
            (vs.status = { readyToUse: false, error: { message: "Failed to create snapshot: remote s3-us-east-2 unreachable" } });
        const e1 = await takeDrSnapshot(opts, await deps()).catch((x: Error) => x);
        expect((e1 as Error).message).to.match(/failed: Failed to create snapshot: remote s3-us-east-2 unreachable/);
        kube.store.clear();
        kube.afterCreate = (_c, vs) => {
            vs.status = { readyToUse: true, boundVolumeSnapshotContentName: "c2" };
            kube.put(CONTENTS, { metadata: { name: "c2" }, status: { snapshotHandle: "not a handle!" } });
        };
        const e2 = await takeDrSnapshot(opts, await deps()).catch((x: Error) => x);
        expect((e2 as Error).message).to.match(/no usable status.snapshotHandle \(not a handle!\)/);
    });

    it("times out when the backup never finishes shipping", async () => {
        kube.beforeRequest = () => undefined;
        kube.afterCreate = (_c, vs) => (vs.status = { readyToUse: false, boundVolumeSnapshotContentName: "c3" });
        const e = await takeDrSnapshot(
            { ...opts, readyTimeoutMs: 60000 },
            {
                writer: new ChecksumWriter(primaryClient, clock, { mode: "script" }),
                snapshots: await KubeSnapshots.create(await kube.kubeConfig()),
                clock,
                log: () => undefined,
            },
        ).catch((x: Error) => x);
        expect((e as Error).message).to.match(/Timed out after 60 s waiting for VolumeSnapshot dr-20260301t100000z-00aa to become readyToUse/);
    });

    it("prints the exact DR commands, quoted for a shell", () => {
        const cmds = drCommands({ drillId: opts.drillId, sha1: "a".repeat(40), snapshotHandle: HANDLE }, "dr");
        expect(cmds.map(shellQuote)).to.deep.equal([
            `pulumi config set ha-jenkins-eks:restoreSnapshotHandle ${HANDLE} -s dr`,
            "pulumi up -s dr",
            `npm run drill:dr -- verify dr --drill-id ${opts.drillId} --sha1 ${"a".repeat(40)}`,
        ]);
        expect(shellQuote(["echo", "it's"])).to.equal(`echo 'it'\\''s'`);
        const plan = planDrDrill({
            primary: "dev",
            drStack: "dr",
            jenkins: "https://ci",
            namespace: "jenkins",
            claim: "jenkins-home",
            snapshotClass: "linstor-csi-s3",
            drillId: "dr-x",
            apply: false,
        });
        expect(plan).to.have.length(7);
        expect(plan[4]).to.equal("Print: pulumi config set ha-jenkins-eks:restoreSnapshotHandle '<handle>' -s dr");
    });

    it("verifies the file on the DR Jenkins once it answers, and fails on a missing or different file", async () => {
        const url = await drJenkins.start();
        const client = new JenkinsClient({ baseUrl: url, user: "admin", secret: drJenkins.credentials.password, secretKind: "password" });
        const writer = new ChecksumWriter(client, clock, { mode: "script" });
        // The restored JENKINS_HOME holds the primary's file; Jenkins boots for 3 minutes first.
        const booted = clock.now() + 180000;
        drJenkins.loginStatus = () => (clock.now() >= booted ? 200 : 503);
        const sha1 = await new ChecksumWriter(client, clock, { mode: "script" }).write("dr-one");
        const ok = await verifyDr({ drillId: "dr-one", sha1, waitMs: 600000, pollMs: 5000 }, { jenkins: client, writer, clock });
        expect(ok).to.deep.equal({ passed: true, message: `PASS: the DR Jenkins has dr-one.bin with sha1 ${sha1} (identical to the primary's).` });
        expect(clock.now()).to.equal(booted);
        writeFileSync(drJenkins.drillFile("dr-one"), "stale");
        expect((await verifyDr({ drillId: "dr-one", sha1, waitMs: 1000, pollMs: 500 }, { jenkins: client, writer, clock })).passed).to.equal(false);
        const missing = await verifyDr({ drillId: "dr-two", sha1, waitMs: 1000, pollMs: 500 }, { jenkins: client, writer, clock });
        expect(missing.message).to.match(/^FAIL: \$JENKINS_HOME\/drill\/dr-two.bin is not in the DR copy/);
    });
});
