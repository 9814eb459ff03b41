/**
 * The tools fail closed: numeric flags reject what is not a usable number, live actions need --yes and a kube context
 * proven to be the stack's own cluster, the fail-over drill refuses without the cluster's name, and the benchmark
 * deletes only what carries its labels. CLIs run through their real `main`, against a fake API server where they get
 * that far.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { expect } from "chai";
import { main as benchMain } from "../../../stacks/ops/benchmark/cli";
import { BENCH_DEFAULTS } from "../../../stacks/ops/benchmark/manifests";
import { FIO_DEFAULTS } from "../../../stacks/ops/benchmark/matrix";
import { KubeBench, runBenchmark } from "../../../stacks/ops/benchmark/runner";
import { CliError } from "../../../stacks/ops/cli";
import { contextCluster, normalizeServer, proveStackCluster, stackCluster } from "../../../stacks/ops/clusterProof";
import { main as drMain } from "../../../stacks/ops/drDrill";
import { main as failoverMain } from "../../../stacks/ops/failoverDrillCli";
import { FlagError, numberFlag } from "../../../stacks/ops/flags";
import { FakeClock } from "../../support/fakes/fakeClock";
import { FakeKube } from "../../support/fakes/fakeKube";

type Main = (argv: string[]) => Promise<number>;

/** Runs a CLI's main with its output captured; resolves to the exit code, or the error it refused with. */
async function run(main: Main, argv: string[]): Promise<{ code?: number; error?: Error; out: string }> {
    const write = process.stdout.write;
    let out = "";
    process.stdout.write = ((chunk: string) => {
        out += chunk;
        return true;
    }) as typeof process.stdout.write;
    try {
        return { code: await main(argv), out };
    } catch (e) {
        return { error: e as Error, out };
    } finally {
        process.stdout.write = write;
    }
}

const kubeconfigJson = (server: string, cluster = "hje-dev") => ({
    apiVersion: "v1",
    kind: "Config",
    "current-context": cluster,
    clusters: [{ name: cluster, cluster: { server } }],
    contexts: [{ name: cluster, context: { cluster, user: cluster } }],
    users: [
        {
            name: cluster,
            user: {
                exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", cluster] },
            },
        },
    ],
});

const RECORDED = "https://0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com";

describe("tools fail closed", () => {
    let dir: string;
    const file = (name: string, content: unknown) => {
        const path = join(dir, name);
        writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
        return path;
    };
    before(() => {
        dir = mkdtempSync(join(tmpdir(), "hje-fail-closed-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    describe("numeric flags: every one of every tool", () => {
        interface Flag {
            readonly flag: string;
            /** Accepts 0 (a ramp of 0 s is no ramp). */
            readonly zeroOk?: boolean;
            /** Accepts fractions (a poll every 0.5 s). */
            readonly fractionOk?: boolean;
            readonly max: number;
        }
        const TOOLS: readonly { tool: string; main: Main; flags: readonly Flag[] }[] = [
            {
                tool: "drill:failover",
                main: failoverMain,
                flags: [
                    { flag: "--poll-seconds", fractionOk: true, max: 600 },
                    { flag: "--timeout-seconds", max: 604800 },
                ],
            },
            {
                tool: "drill:dr",
                main: drMain,
                flags: [
                    { flag: "--snapshot-timeout-seconds", max: 604800 },
                    { flag: "--jenkins-wait-seconds", max: 604800 },
                ],
            },
            {
                tool: "bench",
                main: benchMain,
                flags: [
                    { flag: "--runtime", max: 86400 },
                    { flag: "--ramp", zeroOk: true, max: 3600 },
                    { flag: "--iodepth", max: 4096 },
                ],
            },
        ];
        const each = (fn: (t: (typeof TOOLS)[number], f: Flag) => Promise<void>) => async () => {
            for (const t of TOOLS) for (const f of t.flags) await fn(t, f);
        };
        /** A dry run (contacts nothing; outputs from an empty file) with one flag set. */
        const dryRun = (t: (typeof TOOLS)[number], arg: string) => run(t.main, ["dev", "--dry-run", "--outputs-file", file("empty.json", {}), arg]);
        const refused = async (t: (typeof TOOLS)[number], f: Flag, value: string, says: RegExp) => {
            const r = await dryRun(t, `${f.flag}=${value}`);
            expect(r.error, `${t.tool} ${f.flag}=${value}`).to.be.instanceOf(FlagError);
            expect(r.error?.message, `${t.tool} ${f.flag}=${value}`).to.match(new RegExp(`^${f.flag} takes`));
            expect(r.error?.message).to.match(says);
        };

        it(
            "take a valid value, and the documented default without one",
            each(async (t, f) => {
                const r = await dryRun(t, `${f.flag}=${f.fractionOk ? "1.5" : "2"}`);
                expect(r.error, `${t.tool} ${f.flag}`).to.equal(undefined);
                expect(r.code).to.equal(0);
            }),
        );

        it(
            "reject what is not a number (abc, empty, hex, exponent, spaces)",
            each(async (t, f) => {
                for (const v of ["abc", "", "0x10", "1e3", " 5", "5s", "NaN", "Infinity"]) await refused(t, f, v, /got "/);
            }),
        );

        it(
            "reject negative values",
            each(async (t, f) => {
                await refused(t, f, "-5", /a negative value means nothing here/);
            }),
        );

        it(
            "reject zero where it means nothing",
            each(async (t, f) => {
                if (f.zeroOk) expect((await dryRun(t, `${f.flag}=0`)).error).to.equal(undefined);
                else await refused(t, f, "0", /0 would (never wait|do nothing)/);
            }),
        );

        it(
            "reject fractions where a whole number is needed",
            each(async (t, f) => {
                if (f.fractionOk) expect((await dryRun(t, `${f.flag}=0.5`)).error).to.equal(undefined);
                else await refused(t, f, "1.5", /\(no fractions\)/);
            }),
        );

        it(
            "reject values past their range (a timeout past 2^31 ms would fire at once)",
            each(async (t, f) => {
                await refused(t, f, String(f.max + 1), new RegExp(`to ${f.max}; got ${f.max + 1}\\.$`));
                await refused(t, f, "99999999999999999999", /got 99999999999999999999\.$/);
            }),
        );

        it("the bench's sizes and classes too: a size fio or Kubernetes would misread, a file larger than its claim, an unknown class", async () => {
            const bench = (...args: string[]) => run(benchMain, ["dev", "--dry-run", "--outputs-file", file("empty.json", {}), ...args]);
            for (const v of ["4GB", "abc", "0", "-1G", "4.5G"])
                expect((await bench(`--size=${v}`)).error?.message).to.match(/^--size takes a size such as 4G/);
            for (const v of ["10G", "10", "0Gi", "1.5Gi"])
                expect((await bench(`--pvc-size=${v}`)).error?.message).to.match(/^--pvc-size takes a claim size/);
            expect((await bench("--size=10G", "--pvc-size=10Gi")).error?.message).to.equal(
                "--size 10G does not fit on a --pvc-size 10Gi claim (at most 90 % of it).",
            );
            expect((await bench("--classes=r1,r4")).error?.message).to.match(/^--classes takes a comma-separated subset of r1,r2,r3/);
            expect((await bench("--namespace=Jenkins_NS")).error?.message).to.match(/^--namespace takes a Kubernetes namespace name/);
            expect((await bench("--size=8G", "--pvc-size=10Gi", "--classes=r3")).code).to.equal(0);
        });

        it("numberFlag: the kit behind them", () => {
            const spec = { flag: "--x", unit: "seconds", min: 1, max: 10 };
            expect(numberFlag(undefined, 7, spec)).to.equal(7);
            expect(numberFlag("10", 7, spec)).to.equal(10);
            expect(() => numberFlag("11", 7, spec)).to.throw(FlagError, "--x takes a whole number of seconds from 1 to 10; got 11.");
        });
    });

    describe("the cluster proof", () => {
        let kube: FakeKube;
        let fake: KubeConfig;
        before(async () => {
            kube = new FakeKube();
            await kube.start();
            fake = await kube.kubeConfig();
        });
        after(() => kube.stop());
        beforeEach(() => {
            kube.store.clear();
            kube.requests.length = 0;
        });

        it("reads the stack's endpoint from its kubeconfig output (object, JSON or YAML string) and compares servers exactly", async () => {
            const k8s = await import("@kubernetes/client-node");
            const doc = kubeconfigJson(RECORDED);
            for (const kubeconfig of [doc, JSON.stringify(doc), (await import("js-yaml")).dump(doc)]) {
                expect(stackCluster({ kubeconfig, clusterName: "hje-dev" })).to.deep.equal({ server: RECORDED, clusterName: "hje-dev" });
            }
            const kc = new k8s.KubeConfig();
            kc.loadFromString(JSON.stringify(doc));
            expect(contextCluster(kc)).to.deep.equal({ server: RECORDED, clusterName: "hje-dev", context: "hje-dev" });
            expect(proveStackCluster("dev", stackCluster({ kubeconfig: doc, clusterName: "hje-dev" }), contextCluster(kc), "x")).to.match(
                /^Cluster proven/,
            );
            expect(normalizeServer(`${RECORDED.toLowerCase()}:443/`)).to.equal(normalizeServer(RECORDED));
            expect(normalizeServer(`${RECORDED}:8443`)).not.to.equal(normalizeServer(RECORDED));
        });

        it("refuses another server, another EKS cluster name, and a stack without a recorded endpoint", () => {
            const stack = { server: RECORDED, clusterName: "hje-dev" };
            const refuse = (expected: object, actual: object) => () => proveStackCluster("dev", expected, actual, "delete things");
            expect(refuse(stack, { server: "https://other.gr7.us-west-2.eks.amazonaws.com", context: "other" })).to.throw(
                CliError,
                `Refusing to delete things: kube context other (https://other.gr7.us-west-2.eks.amazonaws.com) is not stack dev's cluster, whose API endpoint is ${RECORDED}.`,
            );
            expect(refuse(stack, { server: RECORDED, clusterName: "hje-prod", context: "c" })).to.throw(
                CliError,
                "authenticates for EKS cluster hje-prod",
            );
            expect(refuse({ clusterName: "hje-dev" }, { server: RECORDED })).to.throw(CliError, "outputs record no API endpoint");
            expect(refuse(stack, {})).to.throw(CliError, "is not stack dev's cluster");
        });

        const outputs = (extra: Record<string, unknown> = {}) =>
            file("outputs.json", {
                kubeconfig: kubeconfigJson(RECORDED),
                clusterName: "hje-dev",
                jenkinsUrl: "https://jenkins.example.com",
                ...extra,
            });
        const otherCluster = () => file("other-kubeconfig.json", fake.exportConfig());

        it("bench: a run and --cleanup need --yes, then a proven cluster; refused before any request", async () => {
            for (const args of [[], ["--cleanup"]]) {
                const r = await run(benchMain, ["dev", "--outputs-file", outputs(), ...args]);
                expect(r.error).to.be.instanceOf(CliError);
                expect(r.error?.message).to.match(/^This would (run the benchmark|delete the benchmark's leftovers).*Re-run with --yes/);
                const wrong = await run(benchMain, ["dev", "--yes", "--outputs-file", outputs(), "--kubeconfig", otherCluster(), ...args]);
                expect(wrong.error?.message).to.match(/^Refusing to .*: kube context fake \(http:\/\/127\.0\.0\.1:\d+\) is not stack dev's cluster/);
                const unproven = await run(benchMain, [
                    "dev",
                    "--yes",
                    "--outputs-file",
                    file("no-kubeconfig.json", {}),
                    "--kubeconfig",
                    otherCluster(),
                    ...args,
                ]);
                expect(unproven.error?.message).to.match(/outputs record no API endpoint/);
            }
            expect(kube.requests).to.deep.equal([]);
        });

        it("bench --cleanup --yes on the proven cluster deletes only what carries the benchmark's labels", async () => {
            const ns = "/api/v1/namespaces/fio-bench";
            const benchLabels = { "app.kubernetes.io/name": "ha-jenkins-eks-bench" };
            kube.put(`${ns}/persistentvolumeclaims`, { metadata: { name: "fio-r1", labels: benchLabels }, spec: { volumeName: "pv-1" } });
            kube.put(`${ns}/persistentvolumeclaims`, { metadata: { name: "fio-r2" }, spec: { volumeName: "pv-2" } });
            for (const pv of ["pv-1", "pv-2"])
                kube.put("/api/v1/persistentvolumes", { metadata: { name: pv }, spec: { persistentVolumeReclaimPolicy: "Retain" } });
            const r = await run(benchMain, [
                "dev",
                "--yes",
                "--cleanup",
                "--skip-baseline",
                "--outputs-file",
                outputs({ kubeconfig: fake.exportConfig() }),
            ]);
            expect(r.error).to.equal(undefined);
            expect(r.out).to.match(/^Cluster proven: kube context fake/);
            expect(r.out).to.contain("[r1] clean.");
            expect(r.out).to.contain(
                "[r2] could not delete PersistentVolumeClaim fio-r2: PersistentVolumeClaim fio-bench/fio-r2 is not the benchmark's",
            );
            expect(kube.get(`${ns}/persistentvolumeclaims`, "fio-r1")).to.equal(undefined);
            expect(kube.get(`${ns}/persistentvolumeclaims`, "fio-r2")).not.to.equal(undefined);
            expect(kube.get("/api/v1/persistentvolumes", "pv-2")?.spec.persistentVolumeReclaimPolicy).to.equal("Retain");
            expect(kube.get("/api/v1/persistentvolumes", "pv-1")?.spec.persistentVolumeReclaimPolicy).to.equal("Delete");
        });

        it("bench refuses a namespace that exists and is not its own", async () => {
            kube.put("/api/v1/namespaces", { metadata: { name: "jenkins" } });
            kube.put("/apis/storage.k8s.io/v1/storageclasses", { metadata: { name: "r3" } });
            const e = await runBenchmark(
                [{ key: "r3", storageClassName: "r3" }],
                { ...BENCH_DEFAULTS, namespace: "jenkins", fio: FIO_DEFAULTS },
                { cluster: await KubeBench.create(fake), clock: new FakeClock(), log: () => undefined },
            ).catch((x: Error) => x);
            expect((e as Error).message).to.match(/^Namespace jenkins exists and is not the benchmark's/);
            expect(kube.requests.filter((q) => q.method !== "GET")).to.deep.equal([]);
        });

        it("failover drill: refuses without the cluster's name, with another one, with an unproven Jenkins URL or cluster", async () => {
            const failover = (out: string, ...args: string[]) => run(failoverMain, ["dev", "--yes", "--outputs-file", out, ...args]);
            expect((await run(failoverMain, ["dev", "--outputs-file", outputs()])).error?.message).to.match(
                /^This would terminate the EC2 instance.*--yes/,
            );
            expect((await failover(outputs({ clusterName: undefined }))).error?.message).to.equal(
                'Refusing to terminate the EC2 instance that runs the Jenkins pod: stack dev records no "clusterName", so the instance\'s EKS tags cannot be checked.',
            );
            expect((await failover(outputs(), "--cluster-name", "hje-prod")).error?.message).to.match(
                /--cluster-name hje-prod is not stack dev's cluster hje-dev/,
            );
            expect((await failover(outputs(), "--jenkins-url", "https://evil.example.com")).error?.message).to.match(
                /--jenkins-url https:\/\/evil\.example\.com is not stack dev's recorded Jenkins URL/,
            );
            expect((await failover(outputs(), "--kubeconfig", otherCluster())).error?.message).to.match(
                /is not stack dev's cluster, whose API endpoint/,
            );
            expect(kube.requests).to.deep.equal([]);
        });

        it("DR drill: writing into the live JENKINS_HOME needs --yes and the primary's proven cluster", async () => {
            expect((await run(drMain, ["dev", "--outputs-file", outputs()])).error?.message).to.match(
                /^This would write a drill file into stack dev's live JENKINS_HOME and snapshot its claim\. Re-run with --yes/,
            );
            const wrong = await run(drMain, ["dev", "--yes", "--outputs-file", outputs(), "--kubeconfig", otherCluster()]);
            expect(wrong.error?.message).to.match(/^Refusing to write a drill file .* is not stack dev's cluster/);
            const url = await run(drMain, [
                "dev",
                "--yes",
                "--outputs-file",
                outputs(),
                "--jenkins-url",
                "http://jenkins.jenkins.svc.cluster.local:8080",
            ]);
            expect(url.error?.message).to.match(/is not stack dev's recorded Jenkins URL/);
            expect(kube.requests).to.deep.equal([]);
        });
    });
});
