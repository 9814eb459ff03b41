/** `drill:dr verify` measures the restore: the restore gate Job's time for the restored chain (real client-node, fake API server). */
import { expect } from "chai";
import { backupNameKey } from "../../../components/snapshots/backupCatalog";
import { RESTORE_GATE_LABEL } from "../../../components/snapshots/restoreTiming";
import { KubeGateJobs, measureRestore, restoreReport } from "../../../stacks/ops/restoreMeasure";
import { FakeKube } from "../../support/fakes/fakeKube";

const JOBS = "/apis/batch/v1/namespaces/piraeus-datastore/jobs";
const GiB = 2 ** 30;
const ID = "pvc-11111111-0000-4000-8000-686a652d6465_back_20260701_230000^snapshot-11111111-0000-4000-8000-000000000023";
/** A full of a 20 GiB volume, incompressible: the drill's pinned on-demand backup (a chain of one). */
const BACKUP = { id: ID, chainBytes: 20 * GiB, chainLength: 1, volumeBytes: 20 * GiB };
const START = Date.parse("2026-07-02T08:00:00Z");

describe("tools: DR drill restore measurement (restoreMeasure.ts)", () => {
    let kube: FakeKube;
    let jobs: KubeGateJobs;
    before(async () => {
        kube = new FakeKube();
        await kube.start();
        jobs = await KubeGateJobs.create(await kube.kubeConfig());
    });
    after(() => kube.stop());
    beforeEach(() => kube.store.clear());

    /** The gate's Job as batch/v1 reports it: startTime, and completionTime once it succeeded (none when it failed). */
    const gate = (name: string, key: string, seconds: number | undefined, failed = false) =>
        kube.put(JOBS, {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name, labels: { [RESTORE_GATE_LABEL]: key } },
            status: {
                startTime: new Date(START).toISOString(),
                ...(seconds !== undefined ? { completionTime: new Date(START + seconds * 1000).toISOString(), succeeded: 1 } : {}),
                ...(failed ? { failed: 1 } : {}),
            },
        });
    const measure = (prePullImage = true) => measureRestore({ namespace: "piraeus-datastore", backup: BACKUP, prePullImage }, jobs);

    it("reads the Job of the restored backup's key: bytes over startTime → completionTime, against the estimate and the break-even", async () => {
        gate("restore-gate-other", "20260601-000000-00000000", 30);
        gate(`restore-gate-${backupNameKey(ID)}`, backupNameKey(ID), 300);
        const m = await measure();
        expect(m.job).to.equal(`restore-gate-${backupNameKey(ID)}`);
        expect(m.seconds).to.equal(300);
        // 20480 MiB in 300 s; without one link's 30 s and the 5 s poll: 20480 / 265.
        expect(m.overallMiBps).to.equal(68.3);
        expect(m.downloadMiBps).to.equal(77.3);
        expect(m.estimateMiBps).to.equal(77);
        expect(m.expectedSeconds).to.equal(301);
        // The model's break-even for a 20 GiB volume with the image pre-pulled on the standby (components/rto/drPaths.ts).
        expect(m.breakEvenMiBps).to.equal(53.3);
        expect(m.message).to.equal(
            `Restore measured: restore gate Job piraeus-datastore/restore-gate-${backupNameKey(ID)} ran 300 s (status.startTime → ` +
                "completionTime) for 20 GiB in 1 link(s): 68.3 MiB/s overall (pod start, links and polls included), 77.3 MiB/s for " +
                "the download if a link costs 30 s. Estimate 77 MiB/s + 30 s a link (RESTORE_ESTIMATE): 301 s expected. At or above " +
                "the warm fail-over's break-even 53.3 MiB/s: its worst case holds the 10-minute target.",
        );
        // The selector went to the API server (the fake filters by it as a real one does).
        expect(kube.requests.some((r) => r.method === "GET" && r.path === JOBS)).to.equal(true);
    });

    it("says when the measured rate misses the break-even, or only the links' estimate keeps it", async () => {
        gate("restore-gate", backupNameKey(ID), 600);
        const slow = await measure();
        expect(slow.overallMiBps).to.equal(34.1);
        expect(slow.message).to.match(
            /BELOW the warm fail-over's break-even 53\.3 MiB\/s: its worst case misses the 10-minute target; correct RESTORE_ESTIMATE/,
        );
        kube.store.clear();
        gate("restore-gate", backupNameKey(ID), 400);
        const between = await measure();
        expect(between.overallMiBps).to.equal(51.2);
        expect(between.downloadMiBps).to.equal(56.1);
        expect(between.message).to.match(/Below the warm fail-over's break-even 53\.3 MiB\/s overall, above it only if a link costs ≤ 30 s/);
        // Without the pre-pull on the standby the start pulls the image: a higher break-even.
        expect((await measure(false)).breakEvenMiBps).to.equal(56.2);
    });

    it("measures nothing, saying why, without a completed gate Job", async () => {
        expect((await measure()).message).to.match(
            /^Restore throughput not measured: no Job labelled ha-jenkins-eks\.io\/restore-gate=20260701-230000-[0-9a-f]{8} in namespace piraeus-datastore/,
        );
        gate("restore-gate", backupNameKey(ID), undefined);
        const running = await measure();
        expect(running.overallMiBps).to.equal(undefined);
        expect(running.message).to.equal("Restore throughput not measured: restore gate Job restore-gate has not completed.");
        kube.store.clear();
        gate("restore-gate", backupNameKey(ID), undefined, true);
        expect((await measure()).message).to.equal("Restore throughput not measured: restore gate Job restore-gate has not completed (failed).");
    });

    it("takes what it needs from the DR stack's outputs, its kubeconfig included; never throws", async () => {
        gate("restore-gate", backupNameKey(ID), 300);
        const kubeconfig = (await kube.kubeConfig()).exportConfig();
        const outputs = { restoredBackup: { ...BACKUP, selection: 1, pinned: true }, linstorNamespace: "piraeus-datastore", kubeconfig };
        expect(await restoreReport(outputs, {})).to.match(/^Restore measured: .* 68\.3 MiB\/s overall/);
        // The DR Jenkins' settings say whether the standby pre-pulled (the break-even the verdict uses).
        expect(await restoreReport({ ...outputs, jenkinsSettings: { prePullImage: false } }, {})).to.contain("break-even 56.2 MiB/s");
        expect(await restoreReport({ linstorNamespace: "piraeus-datastore", kubeconfig }, {})).to.equal(
            "Restore throughput not measured: the DR stack has no output restoredBackup or linstorNamespace.",
        );
        kube.failWith = 500;
        try {
            expect(await restoreReport(outputs, {})).to.match(/^Restore throughput not measured: /);
        } finally {
            kube.failWith = undefined;
        }
    });
});
