/**
 * Storage benchmark (the 2022 reference architecture's benchmark, automated):
 *
 *   npm run bench -- <stack> --yes | --dry-run [--baseline-class gp3 | --skip-baseline] [--runtime 60] …
 *
 * Runs fio with the 2022 reference architecture's matrix on a PVC of each class (EBS gp3 baseline, LINSTOR r1, r2, r3), then
 * prints Tables 1–4 in the 2022 reference architecture's layout plus each LINSTOR table as a ratio to the baseline.
 */

import { parseArgs } from "node:util";
import * as yaml from "js-yaml";
import { LINSTOR_CLUSTER_DEFAULTS } from "../../../components/linstorCluster/settings";
import { fail, loadOutputs, runMain } from "../cli";
import { systemClock } from "../clock";
import { loadKubeConfig } from "../cluster";
import { contextCluster, proveStackCluster, requireYes, stackCluster } from "../clusterProof";
import { claimSizeFlag, fioSizeFlag, type NumberFlag, numberFlag } from "../flags";
import { OUTPUT_NAMES } from "../stackOutputs";
import {
    BENCH_CLASS_KEYS,
    BENCH_DEFAULTS,
    type BenchClass,
    type BenchClassKey,
    type BenchSettings,
    benchManifests,
    benchName,
    benchNamespace,
} from "./manifests";
import { FIO_DEFAULTS } from "./matrix";
import { formatRatio, formatResults, type Metric, type ResultTable, SEED_TABLES } from "./results";
import { KubeBench, runBenchmark } from "./runner";

/** The four tables of one run, then the ratios; titles follow the 2022 reference architecture's. */
export function formatReport(results: readonly { cls: BenchClass; table: ResultTable }[], metric: Metric = "iops"): string {
    const unit = metric === "iops" ? "" : " (MiB/s)";
    const byKey = new Map(results.map((r) => [r.cls.key, r]));
    const parts: string[] = [];
    for (const r of results) parts.push(formatResults(`${SEED_TABLES[r.cls.key].title}${unit} — ${r.cls.storageClassName}`, r.table, metric));
    const baseline = byKey.get("baseline");
    if (baseline) {
        for (const key of ["r1", "r2", "r3"] as const) {
            const r = byKey.get(key);
            if (!r) continue;
            const title = SEED_TABLES[key].title.replace(/^Table (\d)\. (.*) Results$/, "Table $1 ÷ Table 1. $2 relative to EBS baseline");
            parts.push(formatRatio(`${title}${unit}`, r.table, baseline.table, metric));
        }
    }
    return parts.join("\n\n");
}

/** Class names: LINSTOR r1–r3 from the stack output storageClassNames (else the default prefix), baseline by flag. */
export function benchClasses(outputs: Readonly<Record<string, unknown>>, baselineClass: string | undefined): BenchClass[] {
    const names = (outputs[OUTPUT_NAMES.storageClassNames] ?? {}) as Record<string, string>;
    const linstor = ([1, 2, 3] as const).map(
        (n): BenchClass => ({
            key: `r${n}` as BenchClassKey,
            storageClassName: names[String(n)] ?? `${LINSTOR_CLUSTER_DEFAULTS.storageClassPrefix}-r${n}`,
        }),
    );
    return baselineClass === undefined ? linstor : [{ key: "baseline", storageClassName: baselineClass }, ...linstor];
}

/** The numeric flags: a cell needs at least a second, fio at least one I/O in flight; a ramp of 0 is allowed. */
export const BENCH_NUMBER_FLAGS = {
    runtime: { flag: "--runtime", unit: "seconds", min: 1, max: 86400 },
    ramp: { flag: "--ramp", unit: "seconds", min: 0, max: 3600 },
    iodepth: { flag: "--iodepth", unit: "I/Os in flight", min: 1, max: 4096 },
} as const satisfies Record<string, NumberFlag>;

/** The benchmark's settings from its flags; throws FlagError/CliError on anything it cannot use. */
export function benchSettings(values: {
    namespace?: string;
    image?: string;
    "no-install"?: boolean;
    "pvc-size"?: string;
    runtime?: string;
    ramp?: string;
    iodepth?: string;
    size?: string;
}): BenchSettings {
    const namespace = values.namespace ?? BENCH_DEFAULTS.namespace;
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace))
        fail(`--namespace takes a Kubernetes namespace name, got ${JSON.stringify(namespace)}.`);
    const size = fioSizeFlag(values.size, FIO_DEFAULTS.size, "--size");
    const pvc = claimSizeFlag(values["pvc-size"], BENCH_DEFAULTS.pvcSize, "--pvc-size");
    // The file system takes its share of the claim: a file that fills it fails the whole run at the prefill.
    if (size.bytes > pvc.bytes * 0.9) fail(`--size ${size.text} does not fit on a --pvc-size ${pvc.text} claim (at most 90 % of it).`);
    return {
        ...BENCH_DEFAULTS,
        namespace,
        image: values.image ?? BENCH_DEFAULTS.image,
        installFio: !values["no-install"],
        pvcSize: pvc.text,
        fio: {
            ...FIO_DEFAULTS,
            runtimeSeconds: numberFlag(values.runtime, FIO_DEFAULTS.runtimeSeconds, BENCH_NUMBER_FLAGS.runtime),
            rampSeconds: numberFlag(values.ramp, FIO_DEFAULTS.rampSeconds, BENCH_NUMBER_FLAGS.ramp),
            iodepth: numberFlag(values.iodepth, FIO_DEFAULTS.iodepth, BENCH_NUMBER_FLAGS.iodepth),
            size: size.text,
        },
    };
}

/** The LINSTOR classes `--classes` names (r1,r2,r3); an unknown name is refused rather than skipped. */
export function wantedClasses(flag: string): Set<BenchClassKey> {
    const wanted = flag.split(",").map((s) => s.trim());
    const allowed = BENCH_CLASS_KEYS.filter((k) => k !== "baseline") as string[];
    const unknown = wanted.filter((w) => !allowed.includes(w));
    if (unknown.length > 0 || wanted.length === 0)
        fail(`--classes takes a comma-separated subset of ${allowed.join(",")}, got ${JSON.stringify(flag)}.`);
    return new Set(wanted as BenchClassKey[]);
}

const USAGE = `Usage: npm run bench -- <stack> --yes | --dry-run [options]
  --dry-run                print the Namespace, ConfigMaps, PVCs and Jobs as YAML; contact nothing
  --yes                    required to run (it creates and deletes claims, volumes and Jobs, and loads the storage
                           the live Jenkins uses) or to --cleanup; the kube context must also prove to be the
                           stack's cluster (its API endpoint)
  --baseline-class NAME    EBS StorageClass for Table 1 (default gp3; needs the EBS CSI driver add-on)
  --skip-baseline          measure the LINSTOR classes only (no ratio tables)
  --classes r1,r2,r3       subset of LINSTOR classes
  --runtime N --ramp N     whole seconds per cell, 1-86400 / ramp, 0-3600 (default 60 / 5)
  --iodepth N              1-4096, default 16   --size SIZE   fio file size (default 4G)   --pvc-size SIZE (default 10Gi)
  --namespace NS           default fio-bench
  --image IMAGE            default ${BENCH_DEFAULTS.image} (installs fio ${BENCH_DEFAULTS.fioPackageVersion} with apt)
  --no-install             the image already has fio (no egress to deb.debian.org needed)
  --bandwidth              also print the tables in MiB/s
  --keep                   leave the Jobs and PVCs for inspection
  --cleanup                only delete what an earlier (--keep or interrupted) run left, then exit (only objects
                           carrying the benchmark's labels)
  --kubeconfig FILE --context C --outputs-file FILE`;

export async function main(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
            "dry-run": { type: "boolean" },
            help: { type: "boolean" },
            "outputs-file": { type: "string" },
            "baseline-class": { type: "string" },
            "skip-baseline": { type: "boolean" },
            classes: { type: "string" },
            runtime: { type: "string" },
            ramp: { type: "string" },
            iodepth: { type: "string" },
            size: { type: "string" },
            "pvc-size": { type: "string" },
            namespace: { type: "string" },
            image: { type: "string" },
            "no-install": { type: "boolean" },
            bandwidth: { type: "boolean" },
            keep: { type: "boolean" },
            cleanup: { type: "boolean" },
            yes: { type: "boolean" },
            kubeconfig: { type: "string" },
            context: { type: "string" },
        },
    });
    if (values.help || positionals.length !== 1) {
        process.stdout.write(`${USAGE}\n`);
        return values.help ? 0 : 2;
    }
    const log = (s: string) => process.stdout.write(`${s}\n`);
    const stack = positionals[0];
    const settings = benchSettings(values);
    const wanted = values.classes === undefined ? undefined : wantedClasses(values.classes);
    const action = values.cleanup
        ? `delete the benchmark's leftovers (claims with their volumes, Jobs, ConfigMaps) in namespace ${settings.namespace}`
        : `run the benchmark in namespace ${settings.namespace} (claims, volumes and Jobs created and deleted; load on the storage the live Jenkins uses)`;
    if (!values["dry-run"]) requireYes(values.yes, `This would ${action}.`);
    const outputs = await loadOutputs(stack, { "outputs-file": values["outputs-file"], "dry-run": values["dry-run"] }, log);
    let classes = benchClasses(outputs, values["skip-baseline"] ? undefined : (values["baseline-class"] ?? "gp3"));
    if (wanted) classes = classes.filter((c) => c.key === "baseline" || wanted.has(c.key));
    if (values["dry-run"]) {
        const docs = [benchNamespace(settings.namespace), ...classes.flatMap((c) => Object.values(benchManifests(c, settings)))];
        log(docs.map((d) => yaml.dump(d, { lineWidth: -1, noRefs: true })).join("---\n"));
        log(`# ${classes.length} class(es), run one after another: ${classes.map((c) => `${c.key}=${c.storageClassName}`).join(", ")}`);
        return 0;
    }
    const kc = await loadKubeConfig({
        file: values.kubeconfig,
        output: values.kubeconfig ? undefined : outputs[OUTPUT_NAMES.kubeconfig],
        context: values.context,
    });
    log(proveStackCluster(stack, stackCluster(outputs), contextCluster(kc), action));
    const cluster = await KubeBench.create(kc);
    if (values.cleanup) {
        for (const c of classes) {
            const left = await cluster.cleanup(settings.namespace, benchName(c.key));
            log(left.length === 0 ? `[${c.key}] clean.` : left.map((l) => `[${c.key}] could not delete ${l}`).join("\n"));
        }
        return 0;
    }
    const results = await runBenchmark(classes, settings, { cluster, clock: systemClock, log, keep: values.keep });
    log(`\n${formatReport(results)}`);
    if (values.bandwidth) log(`\n${formatReport(results, "MiBps")}`);
    return 0;
}

if (require.main === module) runMain(main, "Benchmark");
