/** `drill:dr verify` measures the restore: what the restore gate Job itself downloaded, from its termination message (real client-node, fake API server). */
import { expect } from "chai";
import { rtoModel } from "../../../components/rto";
import { backupNameKey } from "../../../components/snapshots/backupCatalog";
import { RESTORE_ESTIMATE, RESTORE_GATE_LABEL } from "../../../components/snapshots/restoreTiming";
import { KubeGateJobs, MIN_VERDICT_BYTES, measureRestore, restoreReport } from "../../../stacks/ops/restoreMeasure";
import { FakeKube } from "../../support/fakes/fakeKube";

const JOBS = "/apis/batch/v1/namespaces/piraeus-datastore/jobs";
const PODS = "/api/v1/namespaces/piraeus-datastore/pods";
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

    /**
     * The gate's Job as batch/v1 reports it (startTime, completionTime once it succeeded, none when it failed) and its
     * pod with the download container's termination message (downloadPod.ts report); `report` undefined: no pod.
     */
    const gate = (name: string, key: string, done: boolean, report?: Record<string, unknown> | string, failed = false) => {
        kube.put(JOBS, {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: { name, labels: { [RESTORE_GATE_LABEL]: key } },
            status: {
                startTime: new Date(START).toISOString(),
                ...(done ? { completionTime: new Date(START + 600_000).toISOString(), succeeded: 1 } : {}),
                ...(failed ? { failed: 1 } : {}),
            },
        });
        if (report === undefined) return;
        kube.put(PODS, {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: `${name}-abcde`, labels: { "batch.kubernetes.io/job-name": name } },
            status: {
                phase: done ? "Succeeded" : "Running",
                containerStatuses: [
                    {
                        name: "download",
                        state: { terminated: { exitCode: 0, message: typeof report === "string" ? report : JSON.stringify(report) } },
                    },
                ],
            },
        });
    };
    /** A report of `links` links downloaded in `seconds`, of `bytes` (null: unknown). */
    const downloaded = (links: number, seconds: number, bytes: number | null = null) => ({
        downloaded: links,
        bytes,
        first: "snapshot-a",
        last: "snapshot-b",
        started: new Date(START + 60_000).toISOString(),
        finished: new Date(START + 60_000 + seconds * 1000).toISOString(),
    });
    const measure = (prePullImage = true, backup = BACKUP) => measureRestore({ namespace: "piraeus-datastore", backup, prePullImage }, jobs);
    const KEY = backupNameKey(ID);
    const est = RESTORE_ESTIMATE.throughputMiBps;
    const link = RESTORE_ESTIMATE.perLinkSeconds;
    const breakEven = (prePull: boolean) =>
        rtoModel({ drClusterPreProvisioned: true, restoreSizeGiB: 20, ...(prePull ? { imagePullSeconds: 0 } : {}) }).dr.warmBreakEvenMiBps as number;
    const r1 = (n: number) => Math.round(n * 10) / 10;

    it("measures only what the gate's own request downloaded, over its request → Success time (the whole chain: chainBytes)", async () => {
        gate("restore-gate-other", "20260601-000000-00000000", true, downloaded(1, 30));
        gate(`restore-gate-${KEY}`, KEY, true, downloaded(1, 300));
        const m = await measure();
        expect(m.job).to.equal(`restore-gate-${KEY}`);
        expect(m).to.include({ links: 1, bytes: 20 * GiB, seconds: 300 });
        // 20480 MiB in 300 s (not the Job's 600 s from its start); without one link's cost: 20480 / (300 − link).
        expect(m.overallMiBps).to.equal(68.3);
        expect(m.downloadMiBps).to.equal(r1(20480 / (300 - link)));
        expect(m.expectedSeconds).to.equal(Math.round(20480 / est + link));
        expect(m.breakEvenMiBps).to.equal(breakEven(true));
        expect(m.message).to.equal(
            `Restore measured: restore gate Job piraeus-datastore/restore-gate-${KEY} downloaded 1 link(s), 20 GiB, in 300 s (its ` +
                `request → its snapshot Success): 68.3 MiB/s overall (links included), ${r1(20480 / (300 - link))} MiB/s for the ` +
                `download if a link costs ${link} s. Estimate ${est} MiB/s + ${link} s a link (RESTORE_ESTIMATE): ` +
                `${Math.round(20480 / est + link)} s expected. ${68.3 >= breakEven(true) ? "At or above" : "BELOW"} the warm fail-over's break-even ${breakEven(true)} MiB/s` +
                (68.3 >= breakEven(true)
                    ? ": its worst case holds the 10-minute target."
                    : ": its worst case misses the 10-minute target; correct RESTORE_ESTIMATE (components/snapshots/restoreTiming.ts)."),
        );
        // The selector went to the API server (the fake filters by it as a real one does), and the pods by the Job's name.
        expect(kube.requests.some((r) => r.method === "GET" && r.path === JOBS)).to.equal(true);
        expect(kube.requests.some((r) => r.method === "GET" && r.path === PODS)).to.equal(true);
    });

    it("the gate downloaded nothing (the standby's download step had the chain): not measured, no verdict", async () => {
        gate("restore-gate", KEY, true, { downloaded: 0, finished: new Date(START).toISOString() });
        const m = await measure();
        expect(m.message).to.equal(
            "Restore throughput not measured: the chain was already local (the standby's download step fetched it); the restore gate downloaded nothing.",
        );
        expect(m.overallMiBps).to.equal(undefined);
        expect(m.message).to.not.match(/break-even/);
    });

    it("a part of the chain: its bytes from the report, or not measured when the gate did not know them", async () => {
        const chain = { ...BACKUP, chainLength: 24, chainBytes: 21 * GiB };
        gate("restore-gate", KEY, true, downloaded(2, 20));
        const unknown = await measure(true, chain);
        expect(unknown.message).to.equal(
            "Restore throughput not measured: restore gate Job piraeus-datastore/restore-gate downloaded 2 of the chain's 24 links " +
                "(snapshot-a … snapshot-b), whose sizes it did not know (no LINK_BYTES).",
        );
        kube.store.clear();
        gate("restore-gate", KEY, true, downloaded(2, 20, 128 * 2 ** 20));
        const known = await measure(true, chain);
        expect(known).to.include({ links: 2, bytes: 128 * 2 ** 20, overallMiBps: 6.4 });
        // Two links' estimated cost exceed the 20 s: no download-only rate.
        expect(known.downloadMiBps).to.equal(link * 2 < 20 ? r1(128 / (20 - 2 * link)) : undefined);
        // 6.4 MiB/s is far below any break-even, but 128 MiB measures the links' fixed cost: no verdict.
        expect(known.message).to.contain(
            "No verdict: a sample under 1 GiB measures the per-link cost, not the download rate; measure a bigger backup with fewer links (a full or one early in its chain, restoreSelection).",
        );
        expect(known.message).to.not.match(/break-even|BELOW/);
    });

    it("no verdict under 1 GiB or when the links' estimated cost is over half the time; a verdict from 1 GiB on", async () => {
        expect(MIN_VERDICT_BYTES).to.equal(GiB);
        const chain = { ...BACKUP, chainLength: 24, chainBytes: 21 * GiB };
        // Just under 1 GiB, one link, slow enough to be BELOW: still no verdict.
        gate("restore-gate", KEY, true, downloaded(1, 600, GiB - 1));
        const small = await measure(true, chain);
        expect(small.overallMiBps).to.be.below(breakEven(true));
        expect(small.message).to.match(/No verdict: a sample under 1 GiB/);
        expect(small.message).to.not.match(/break-even/);
        // 1 GiB at the same pace: a verdict.
        kube.store.clear();
        gate("restore-gate", KEY, true, downloaded(1, 600, GiB));
        expect((await measure(true, chain)).message).to.match(/BELOW the warm fail-over's break-even/);
        // 2 GiB in 10 links over 4 × link s: the links' 10 × link s are over half of it.
        kube.store.clear();
        gate("restore-gate", KEY, true, downloaded(10, 4 * link, 2 * GiB));
        const links = await measure(true, chain);
        expect(links.message).to.contain(`No verdict: the links' estimated fixed cost (${10 * link} s) is over half the time`);
        expect(links.message).to.not.match(/break-even/);
        // The same 10 links over 20 × link s (their cost exactly half): a verdict.
        kube.store.clear();
        gate("restore-gate", KEY, true, downloaded(10, 20 * link, 2 * GiB));
        expect((await measure(true, chain)).message).to.match(/break-even/);
    });

    it("says when the measured rate misses the break-even, or only the links' estimate keeps it", async () => {
        gate("restore-gate", KEY, true, downloaded(1, 600));
        const slow = await measure();
        expect(slow.overallMiBps).to.equal(34.1);
        expect(slow.message).to.match(
            /BELOW the warm fail-over's break-even .* MiB\/s: its worst case misses the 10-minute target; correct RESTORE_ESTIMATE/,
        );
        // Overall below, download-only above: 20480 MiB in a time between 20480/(b) and 20480/(b) + link.
        const b = breakEven(true);
        const between = Math.floor(20480 / b) + Math.ceil(link / 2);
        kube.store.clear();
        gate("restore-gate", KEY, true, downloaded(1, between));
        const m = await measure();
        expect(m.overallMiBps).to.be.below(b);
        expect(m.downloadMiBps).to.be.at.least(b);
        expect(m.message).to.contain(`Below the warm fail-over's break-even ${b} MiB/s overall, above it only if a link costs ≤ ${link} s`);
        // Without the pre-pull on the standby the start pulls the image: a higher break-even.
        expect((await measure(false)).breakEvenMiBps).to.equal(breakEven(false));
        expect(breakEven(false)).to.be.above(b);
    });

    it("measures nothing, saying why, without a completed gate Job or without its report", async () => {
        expect((await measure()).message).to.match(
            /^Restore throughput not measured: no Job labelled ha-jenkins-eks\.io\/restore-gate=20260701-230000-[0-9a-f]{8} in namespace piraeus-datastore/,
        );
        gate("restore-gate", KEY, false, downloaded(1, 300));
        const running = await measure();
        expect(running.overallMiBps).to.equal(undefined);
        expect(running.message).to.equal("Restore throughput not measured: restore gate Job restore-gate has not completed.");
        kube.store.clear();
        gate("restore-gate", KEY, false, undefined, true);
        expect((await measure()).message).to.equal("Restore throughput not measured: restore gate Job restore-gate has not completed (failed).");
        kube.store.clear();
        gate("restore-gate", KEY, true);
        expect((await measure()).message).to.equal(
            "Restore throughput not measured: restore gate Job piraeus-datastore/restore-gate left no report (its pod's termination message is gone or unreadable).",
        );
        kube.store.clear();
        gate("restore-gate", KEY, true, "not json");
        expect((await measure()).message).to.match(/left no report/);
    });

    it("takes what it needs from the DR stack's outputs, its kubeconfig included; never throws", async () => {
        gate("restore-gate", KEY, true, downloaded(1, 300));
        const kubeconfig = (await kube.kubeConfig()).exportConfig();
        const outputs = { restoredBackup: { ...BACKUP, selection: 1, pinned: true }, linstorNamespace: "piraeus-datastore", kubeconfig };
        expect(await restoreReport(outputs, {})).to.match(/^Restore measured: .* 68\.3 MiB\/s overall/);
        // The DR Jenkins' settings say whether the standby pre-pulled (the break-even the verdict uses).
        expect(await restoreReport({ ...outputs, jenkinsSettings: { prePullImage: false } }, {})).to.contain(`break-even ${breakEven(false)} MiB/s`);
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
