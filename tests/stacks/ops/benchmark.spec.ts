import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { benchClasses, formatReport } from "../../../stacks/ops/benchmark/cli";
import { BENCH_DEFAULTS, type BenchSettings, benchManifests, benchScript } from "../../../stacks/ops/benchmark/manifests";
import { FIO_DEFAULTS, type FioParams, fioJobFile, matrixSeconds } from "../../../stacks/ops/benchmark/matrix";
import {
    extractFioJson,
    formatRatio,
    formatResults,
    formatSeedTable,
    JSON_BEGIN,
    JSON_END,
    parseFioJson,
    type ResultTable,
    SEED_TABLES,
} from "../../../stacks/ops/benchmark/results";
import { KubeBench, runBenchmark } from "../../../stacks/ops/benchmark/runner";
import { FakeClock } from "../../support/fakes/fakeClock";
import { FakeKube } from "../../support/fakes/fakeKube";

/** The Debian package's binary (.ci/run installs it); FIO_BIN points elsewhere. */
const FIO = process.env.FIO_BIN ?? "/usr/bin/fio";
const haveFio = existsSync(FIO);

/** Runs the real fio on a job file; retries without O_DIRECT where the temp filesystem lacks it (tmpfs). */
function runFio(dir: string, params: FioParams): { json: string; direct: boolean } {
    for (const direct of [params.direct, false]) {
        const jobFile = join(dir, "bench.fio");
        // fio reads `runtime` as a time with an optional unit (fio HOWTO, "Time based": plain numbers are seconds), so
        // the test shortens each cell to 200 ms below the generator's whole-second minimum: the parser sees real fio
        // output for every cell, the suite waits 4 × 0.2 s instead of 4 s.
        const text = fioJobFile({ ...params, direct }, join(dir, "fio.dat"));
        expect(text).to.contain(`\nruntime=${params.runtimeSeconds}\n`);
        writeFileSync(jobFile, text.replace(`\nruntime=${params.runtimeSeconds}\n`, "\nruntime=200ms\n"));
        const out = join(dir, "fio.json");
        const run = spawnSync(FIO, ["--output-format=json", `--output=${out}`, jobFile], { encoding: "utf8", timeout: 30000 });
        if (run.status === 0) return { json: readFileSync(out, "utf8"), direct };
        if (!direct) throw new Error(`fio failed: ${run.stderr}`);
    }
    throw new Error("unreachable");
}

const TINY: FioParams = {
    ...FIO_DEFAULTS,
    patterns: ["randrw", "write"],
    blockSizes: ["4k", "64k"],
    runtimeSeconds: 1,
    rampSeconds: 0,
    size: "4M",
    iodepth: 4,
};

describe("tools: storage benchmark — fio job file and parsing with the real fio", () => {
    let dir: string;
    let fioJson = "";

    before(function () {
        if (!haveFio) {
            console.log(`    (skipped: ${FIO} not installed; apt-get install fio to run the benchmark parser against real fio output)`);
            this.skip();
        }
        dir = mkdtempSync(join(tmpdir(), "fio-bench-"));
    });
    after(() => dir && rmSync(dir, { recursive: true, force: true }));

    it("fio accepts the full default job file (the 2022 reference architecture's 16 cells plus the prefill)", () => {
        const jobFile = join(dir, "full.fio");
        writeFileSync(jobFile, fioJobFile(FIO_DEFAULTS, join(dir, "full.dat")));
        const run = spawnSync(FIO, ["--parse-only", jobFile], { encoding: "utf8" });
        expect(run.status, run.stderr).to.equal(0);
        expect(readFileSync(jobFile, "utf8").match(/^\[/gm)).to.have.length(18); // global + prefill + 16 cells
    });

    it("runs a 2×2 subset for 0.2 s per cell and parses read/write IOPS and bandwidth per cell", () => {
        const { json } = runFio(dir, TINY);
        fioJson = json;
        const table = parseFioJson(json);
        expect(Object.keys(table).sort()).to.deep.equal(["randrw", "write"]);
        const mixed = table.randrw!["4k"]!;
        expect(mixed.readIops).to.be.greaterThan(0);
        expect(mixed.writeIops).to.be.greaterThan(0);
        expect(mixed.readKiBps).to.be.greaterThan(0);
        const seq = table.write!["64k"]!;
        expect(seq.readIops).to.equal(0);
        expect(seq.writeIops).to.be.greaterThan(0);
        // fio reports bw in KiB/s: at 64 KiB per I/O, bandwidth ≈ 64 × IOPS.
        expect(seq.writeKiBps / seq.writeIops).to.be.within(60, 68);
    });

    it("finds the JSON between the Job's markers and prints the 2022 reference architecture's layout with gaps for cells not run", () => {
        const log = `fio-3.33\n${JSON_BEGIN}\n${fioJson}\n${JSON_END}\n`;
        const table = parseFioJson(extractFioJson(log));
        const text = formatResults("Table 4. LINSTOR Three Replica Results", table);
        const lines = text.split("\n");
        expect(lines.slice(0, 3)).to.deep.equal(["Table 4. LINSTOR Three Replica Results", "", "\t4k\t16k\t32k\t64k"]);
        expect(lines[3]).to.match(/^randrw\t\d+\t—\t—\t\d+$/);
        expect(lines[4]).to.equal("randwrite\t—\t—\t—\t—");
        expect(lines[6]).to.match(/^write\t\d+\t—\t—\t\d+$/);
        expect(() => extractFioJson("no markers")).to.throw(/No fio JSON/);
    });
});

/** Seed values as results (all as writes), for layout and ratio checks without a cluster. */
function seedResults(key: keyof typeof SEED_TABLES): ResultTable {
    const t: ResultTable = {};
    for (const [pattern, values] of Object.entries(SEED_TABLES[key].values)) {
        t[pattern as "randrw"] = Object.fromEntries(
            ["4k", "16k", "32k", "64k"].map((bs, i) => [bs, { readIops: 0, writeIops: values[i], readKiBps: 0, writeKiBps: 0 }]),
        );
    }
    return t;
}

describe("tools: storage benchmark — tables, manifests and the runner", () => {
    it("reproduces the 2022 reference architecture's Table 1 text exactly", () => {
        expect(formatSeedTable("baseline")).to.equal(
            [
                "Table 1. EBS Baseline Results",
                "",
                "\t4k\t16k\t32k\t64k",
                "randrw\t3024\t3024\t3024\t2065",
                "randwrite\t3025\t3025\t3025\t2065",
                "readwrite\t3025\t3025\t4132\t2065",
                "write\t3025\t3025\t4133\t2066",
            ].join("\n"),
        );
    });

    it("prints LINSTOR tables as ratios to the baseline (the 2022 reference architecture's three-replica randwrite at 4k is 0.78× EBS)", () => {
        const text = formatRatio("r3/baseline", seedResults("r3"), seedResults("baseline"));
        expect(text.split("\n")[3]).to.equal("randrw\t1.14\t1.10\t1.00\t1.42");
        expect(text.split("\n")[4]).to.equal("randwrite\t0.78\t0.73\t0.61\t0.96");
        const report = formatReport([
            { cls: { key: "baseline", storageClassName: "gp3" }, table: seedResults("baseline") },
            { cls: { key: "r3", storageClassName: "linstor-csi-lvm-thin-r3" }, table: seedResults("r3") },
        ]);
        expect(report)
            .to.include("Table 1. EBS Baseline Results — gp3\n\n\t4k")
            .and.include("Table 4 ÷ Table 1. LINSTOR Three Replica relative to EBS baseline\n");
    });

    it("builds a PVC of the class, the job file as a ConfigMap and a locked-down Job with a deadline", () => {
        const s: BenchSettings = { ...BENCH_DEFAULTS, fio: FIO_DEFAULTS };
        const m = benchManifests({ key: "r3", storageClassName: "linstor-csi-lvm-thin-r3" }, s);
        expect(m.pvc.spec).to.deep.equal({
            accessModes: ["ReadWriteOnce"],
            storageClassName: "linstor-csi-lvm-thin-r3",
            resources: { requests: { storage: "10Gi" } },
        });
        const jobFile = m.configMap.data["bench.fio"];
        expect(jobFile)
            .to.include("filename=/data/fio.dat")
            .and.include("direct=1")
            .and.include("ioengine=libaio")
            .and.include("iodepth=16")
            .and.include("runtime=60")
            .and.include("ramp_time=5")
            .and.include("[randwrite-32k]\nstonewall\nrw=randwrite\nbs=32k");
        expect(matrixSeconds(FIO_DEFAULTS)).to.equal(16 * 65);
        expect(m.job.spec.activeDeadlineSeconds).to.equal(16 * 65 + 900);
        const pod = m.job.spec.template.spec;
        expect(pod.automountServiceAccountToken).to.equal(false);
        expect(pod.volumes).to.deep.equal([
            { name: "data", persistentVolumeClaim: { claimName: "fio-r3" } },
            { name: "job", configMap: { name: "fio-r3" } },
        ]);
        expect(pod.containers[0].securityContext).to.deep.equal({
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"], add: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"] },
        });
        expect(pod.containers[0].command[2]).to.include("fio=3.33-3").and.include(`echo '${JSON_BEGIN}'`);
        const noInstall = benchManifests({ key: "r1", storageClassName: "x" }, { ...s, installFio: false }).job.spec.template.spec.containers[0];
        expect(noInstall.securityContext.capabilities).to.deep.equal({ drop: ["ALL"] });
        expect(benchScript({ installFio: false, fioPackageVersion: "3.33-3" })).to.not.include("apt-get");
    });

    it("takes LINSTOR class names from the stack output and needs a baseline class only when asked", () => {
        expect(
            benchClasses({ storageClassNames: { 1: "a-r1", 2: "a-r2", 3: "a-r3" } }, "gp3").map((c) => `${c.key}=${c.storageClassName}`),
        ).to.deep.equal(["baseline=gp3", "r1=a-r1", "r2=a-r2", "r3=a-r3"]);
        expect(benchClasses({}, undefined).map((c) => c.storageClassName)).to.deep.equal([
            "linstor-csi-lvm-thin-r1",
            "linstor-csi-lvm-thin-r2",
            "linstor-csi-lvm-thin-r3",
        ]);
    });

    describe("runner (real client-node against a fake API server)", () => {
        let kube: FakeKube;
        const NS = "/api/v1/namespaces/fio-bench";
        const tinyJson = JSON.stringify({
            jobs: [
                { jobname: "prefill", "job options": { rw: "write", bs: "1M" }, read: { iops: 0, bw: 0 }, write: { iops: 50, bw: 51200 } },
                { jobname: "write-4k", "job options": { rw: "write", bs: "4k" }, read: { iops: 0, bw: 0 }, write: { iops: 3029.4, bw: 12117 } },
            ],
        });

        before(async () => {
            kube = new FakeKube();
            await kube.start();
        });
        after(() => kube.stop());
        beforeEach(() => {
            kube.store.clear();
            kube.requests.length = 0;
            for (const n of ["gp3", "linstor-csi-lvm-thin-r3"]) kube.put("/apis/storage.k8s.io/v1/storageclasses", { metadata: { name: n } });
            // Stand-ins for the provisioner and the Job controller: bind the claim, finish the Job, keep the pod's log.
            kube.afterCreate = (collection, obj) => {
                if (collection === `${NS}/persistentvolumeclaims`) {
                    obj.spec.volumeName = `pv-${obj.metadata.name}`;
                    kube.put("/api/v1/persistentvolumes", {
                        metadata: { name: obj.spec.volumeName },
                        spec: { persistentVolumeReclaimPolicy: "Retain" },
                    });
                }
                if (collection === "/apis/batch/v1/namespaces/fio-bench/jobs") {
                    obj.status = { succeeded: 1 };
                    const pod = `${obj.metadata.name}-x7k2p`;
                    kube.put(`${NS}/pods`, {
                        metadata: { name: pod, labels: { "job-name": obj.metadata.name } },
                        spec: { containers: [{ name: "fio" }] },
                    });
                    kube.logs.set(`fio-bench/${pod}`, `fio-3.33\n${JSON_BEGIN}\n${tinyJson}\n${JSON_END}\n`);
                }
            };
        });

        it("runs each class in turn, parses its log and deletes everything, the Retain volume included", async () => {
            const logs: string[] = [];
            const results = await runBenchmark(
                [
                    { key: "baseline", storageClassName: "gp3" },
                    { key: "r3", storageClassName: "linstor-csi-lvm-thin-r3" },
                ],
                { ...BENCH_DEFAULTS, fio: FIO_DEFAULTS },
                { cluster: await KubeBench.create(await kube.kubeConfig()), clock: new FakeClock(), log: (l) => logs.push(l) },
            );
            expect(results.map((r) => r.cls.key)).to.deep.equal(["baseline", "r3"]);
            expect(results[1].table.write?.["4k"]).to.deep.equal({ readIops: 0, writeIops: 3029.4, readKiBps: 0, writeKiBps: 12117 });
            expect(kube.get("/api/v1/namespaces", "fio-bench")?.metadata.labels["pod-security.kubernetes.io/enforce"]).to.equal("baseline");
            expect(kube.get("/api/v1/persistentvolumes", "pv-fio-r3")?.spec.persistentVolumeReclaimPolicy).to.equal("Delete");
            expect(kube.list(`${NS}/persistentvolumeclaims`)).to.have.length(0);
            expect(kube.list("/apis/batch/v1/namespaces/fio-bench/jobs")).to.have.length(0);
            expect(kube.list(`${NS}/configmaps`)).to.have.length(0);
            const creates = kube.requests.filter((r) => r.method === "POST").map((r) => r.path.split("/").pop());
            expect(creates).to.deep.equal([
                "namespaces",
                "configmaps",
                "persistentvolumeclaims",
                "jobs",
                "configmaps",
                "persistentvolumeclaims",
                "jobs",
            ]);
            expect(formatResults("t", results[1].table).split("\n")[6]).to.equal("write\t3029\t—\t—\t—");
        });

        it("explains the missing EBS baseline class before creating anything", async () => {
            kube.remove("/apis/storage.k8s.io/v1/storageclasses", "gp3");
            const e = await runBenchmark(
                [{ key: "baseline", storageClassName: "gp3" }],
                { ...BENCH_DEFAULTS, fio: FIO_DEFAULTS },
                { cluster: await KubeBench.create(await kube.kubeConfig()), clock: new FakeClock(), log: () => undefined },
            ).catch((x: Error) => x);
            expect((e as Error).message).to.match(/StorageClass gp3 \(baseline\) does not exist\. The EBS baseline needs the EBS CSI driver add-on/);
            expect(kube.requests.some((r) => r.method === "POST")).to.equal(false);
        });

        it("reports a failed Job with its log and still cleans up", async () => {
            kube.afterCreate = (collection, obj) => {
                if (collection.endsWith("/jobs")) {
                    obj.status = { failed: 1 };
                    kube.put(`${NS}/pods`, {
                        metadata: { name: "p1", labels: { "job-name": obj.metadata.name } },
                        spec: { containers: [{ name: "fio" }] },
                    });
                    kube.logs.set("fio-bench/p1", "E: Version '3.33-3' for 'fio' was not found");
                }
            };
            const e = await runBenchmark(
                [{ key: "r3", storageClassName: "linstor-csi-lvm-thin-r3" }],
                { ...BENCH_DEFAULTS, fio: FIO_DEFAULTS },
                { cluster: await KubeBench.create(await kube.kubeConfig()), clock: new FakeClock(), log: () => undefined },
            ).catch((x: Error) => x);
            expect((e as Error).message).to.match(/Job fio-bench\/fio-r3 failed:\nE: Version '3.33-3'/);
            expect(kube.list("/apis/batch/v1/namespaces/fio-bench/jobs")).to.have.length(0);
        });
    });
});
