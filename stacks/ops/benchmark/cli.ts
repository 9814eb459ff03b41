/**
 * Storage benchmark (the 2022 reference architecture's benchmark, automated):
 *
 *   npm run bench -- <stack> [--dry-run] [--baseline-class gp3 | --skip-baseline] [--runtime 60] …
 *
 * Runs fio with the 2022 reference architecture's matrix on a PVC of each class (EBS gp3 baseline, LINSTOR r1, r2, r3), then
 * prints Tables 1–4 in the 2022 reference architecture's layout plus each LINSTOR table as a ratio to the baseline.
 */

import { parseArgs } from "node:util";
import * as yaml from "js-yaml";
import { LINSTOR_CLUSTER_DEFAULTS } from "../../../components/linstorCluster/settings";
import { fail, loadOutputs } from "../cli";
import { systemClock } from "../clock";
import { loadKubeConfig } from "../cluster";
import { OUTPUT_NAMES } from "../stackOutputs";
import { BENCH_DEFAULTS, type BenchClass, type BenchClassKey, type BenchSettings, benchManifests, benchName, benchNamespace } from "./manifests";
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

const USAGE = `Usage: npm run bench -- <stack> [options]
  --dry-run                print the Namespace, ConfigMaps, PVCs and Jobs as YAML; contact nothing
  --baseline-class NAME    EBS StorageClass for Table 1 (default gp3; needs the EBS CSI driver add-on)
  --skip-baseline          measure the LINSTOR classes only (no ratio tables)
  --classes r1,r2,r3       subset of LINSTOR classes
  --runtime N --ramp N     seconds per cell / ramp (default 60 / 5)
  --iodepth N              default 16       --size SIZE   fio file size (default 4G)   --pvc-size SIZE (default 10Gi)
  --namespace NS           default fio-bench
  --image IMAGE            default ${BENCH_DEFAULTS.image} (installs fio ${BENCH_DEFAULTS.fioPackageVersion} with apt)
  --no-install             the image already has fio (no egress to deb.debian.org needed)
  --bandwidth              also print the tables in MiB/s
  --keep                   leave the Jobs and PVCs for inspection
  --cleanup                only delete what an earlier (--keep or interrupted) run left, then exit
  --kubeconfig FILE --context C --outputs-file FILE`;

async function main(argv: string[]): Promise<number> {
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
            kubeconfig: { type: "string" },
            context: { type: "string" },
        },
    });
    if (values.help || positionals.length !== 1) {
        process.stdout.write(`${USAGE}\n`);
        return values.help ? 0 : 2;
    }
    const log = (s: string) => process.stdout.write(`${s}\n`);
    const int = (v: string | undefined, d: number, flag: string) => {
        const n = v === undefined ? d : Number(v);
        if (!Number.isInteger(n) || n < 0) fail(`${flag} must be a whole number.`);
        return n;
    };
    const settings: BenchSettings = {
        ...BENCH_DEFAULTS,
        namespace: values.namespace ?? BENCH_DEFAULTS.namespace,
        image: values.image ?? BENCH_DEFAULTS.image,
        installFio: !values["no-install"],
        pvcSize: values["pvc-size"] ?? BENCH_DEFAULTS.pvcSize,
        fio: {
            ...FIO_DEFAULTS,
            runtimeSeconds: int(values.runtime, FIO_DEFAULTS.runtimeSeconds, "--runtime"),
            rampSeconds: int(values.ramp, FIO_DEFAULTS.rampSeconds, "--ramp"),
            iodepth: int(values.iodepth, FIO_DEFAULTS.iodepth, "--iodepth"),
            size: values.size ?? FIO_DEFAULTS.size,
        },
    };
    const outputs = await loadOutputs(positionals[0], { "outputs-file": values["outputs-file"], "dry-run": values["dry-run"] }, log);
    let classes = benchClasses(outputs, values["skip-baseline"] ? undefined : (values["baseline-class"] ?? "gp3"));
    if (values.classes) {
        const wanted = values.classes.split(",").map((s) => s.trim());
        classes = classes.filter((c) => c.key === "baseline" || wanted.includes(c.key));
    }
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

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e: Error) => fail(`Benchmark failed: ${e.message}`),
    );
}
