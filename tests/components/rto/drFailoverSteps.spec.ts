/**
 * The warm fail-over's steps as the DR program performs them, listed here independently of the RTO model and checked
 * against the program itself (the DR stack evaluated as the `pulumi up` that turns a standby into a restore); the model
 * (components/rto/drPaths.ts) must have a phase for each step, in the same order. A step the program gains without a
 * phase in the model fails here, not only a phase the model drops.
 */
import { expect } from "chai";
import { rtoModel } from "../../../components/rto";
import { evaluateDr } from "../../stacks/drFixtures";
import { dependsOn, ofType, one, type Recorded } from "../../support/mocks";

const JOB = "kubernetes:batch/v1:Job";
const CONTENT = "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent";
const SNAPSHOT = "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshot";
const CLAIM = "kubernetes:core/v1:PersistentVolumeClaim";

/**
 * What stands between `pulumi up` and Jenkins answering, in order (stacks/dr.ts deployDr), and the model phases that
 * time each step. Every step but the first is a resource Pulumi awaits before the next is created.
 */
const FAIL_OVER_STEPS: readonly { readonly step: string; readonly phases: readonly string[] }[] = [
    // deployDr 1–2: its own record and the primary (StackReferences), the bucket listed and the chosen chain read
    // (stacks/drChoice.ts chooseBackup: resourceHeads, newestCompleteBackup), then the diff; run once with --skip-preview.
    { step: "program", phases: ["pulumi up"] },
    // 4b: the RestoreGate Job (components/snapshots/restoreGate.ts), awaited: LINSTOR walks the chosen backup's chain per
    // POST under its controller lock (v1.33.3 CtrlBackupRestoreApiCallHandler 3a), then downloads what is missing.
    { step: "restore gate Job", phases: ["chain walk", "restore gate"] },
    // SnapshotRestore: VolumeSnapshotContent → VolumeSnapshot → PersistentVolumeClaim, after the gate; the claim binds
    // once linstor-csi restores the local snapshot on one node (v1.11.3 reconcileSnapshotResources).
    { step: "content, snapshot, claim", phases: ["CSI restore"] },
    // buildJenkins on the claim (dependsOn restore.claim): the Helm release, ready once Jenkins answers.
    { step: "Jenkins release", phases: ["Jenkins start"] },
];

describe("DR fail-over steps (independent of the RTO model)", () => {
    let resources: { gate: Recorded; content: Recorded; snapshot: Recorded; claim: Recorded; jenkins: Recorded };
    before(async () => {
        // The run that turns a standby into a restore: this stack recorded drMode standby, no restore yet.
        await evaluateDr({}, { own: { drMode: "standby" } });
        const jenkins = ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "jenkins");
        expect(jenkins, "the DR stack declares the Jenkins release").to.not.equal(undefined);
        resources = {
            gate: one(JOB, "restore-gate"),
            content: one(CONTENT),
            snapshot: one(SNAPSHOT),
            claim: one(CLAIM),
            jenkins: jenkins as Recorded,
        };
    });

    it("the program awaits them in the listed order: gate Job → content → snapshot → claim → Jenkins release", () => {
        const { gate, content, snapshot, claim, jenkins } = resources;
        expect(dependsOn(content, gate), "content after the gate").to.equal(true);
        expect(dependsOn(snapshot, content) && dependsOn(claim, snapshot), "claim → snapshot → content").to.equal(true);
        expect(dependsOn(jenkins, claim), "Jenkins on the claim").to.equal(true);
        // Nothing later in the chain is a dependency of an earlier step (the order is not only one way to read it).
        expect(dependsOn(gate, claim) || dependsOn(gate, jenkins) || dependsOn(claim, jenkins)).to.equal(false);
        // What the program declares after Jenkins (the release of the downloaded chain) waits for it: off the RTO path.
        for (const job of ofType(JOB).filter((j) => j.name.includes("release-chain"))) {
            expect(dependsOn(job, jenkins), job.name).to.equal(true);
        }
    });

    it("the model's warm paths have a phase for each step, in the same order, and no other", () => {
        const m = rtoModel({ drClusterPreProvisioned: true });
        const expected = FAIL_OVER_STEPS.flatMap((s) => s.phases);
        expect(m.dr.warm.phases.map((p) => p.name)).to.deep.equal(expected);
        for (const p of Object.values(m.dr.warmPlacements)) expect(p.phases.map((x) => x.name)).to.deep.equal(expected);
        expect(m.dr.warmAtWaitsRate.phases.map((p) => p.name)).to.deep.equal(expected);
        // The pinned, verified backup: the gate POSTs nothing (its snapshot is local), so no walk.
        expect(m.dr.warmVerified.phases.map((p) => p.name)).to.deep.equal(expected.filter((n) => n !== "chain walk"));
        // The cold path builds the cluster first, then the same steps from the gate on.
        expect(m.dr.cold.phases.map((p) => p.name).slice(3)).to.deep.equal(expected.slice(1));
        for (const p of m.dr.warm.phases) expect(p.seconds, p.name).to.be.greaterThan(0);
    });
});
