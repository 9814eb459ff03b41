/**
 * fio JSON results → the 2022 reference architecture's tables. fio's `--output-format=json` gives, per job, `read` and `write`
 * objects with `iops` and `bw` (KiB/s); a cell's value is read + write (the 2022 reference architecture's mixed rows are in
 * the same range as its write rows, i.e. total IOPS). The 2022 reference architecture's Tables 1–4 are kept verbatim as the
 * reference users compare with.
 */
import { type BlockSize, type Pattern, PREFILL_JOB, SEED_BLOCK_SIZES, SEED_PATTERNS } from "./matrix";

export interface CellResult {
    readonly readIops: number;
    readonly writeIops: number;
    readonly readKiBps: number;
    readonly writeKiBps: number;
}

/** pattern → block size → result. */
export type ResultTable = Partial<Record<Pattern, Partial<Record<BlockSize, CellResult>>>>;

interface FioJob {
    jobname: string;
    error?: number;
    "job options"?: { rw?: string; bs?: string };
    read: { iops: number; bw: number };
    write: { iops: number; bw: number };
}

export const JSON_BEGIN = "=====FIO-JSON-BEGIN=====";
export const JSON_END = "=====FIO-JSON-END=====";

/** The fio JSON document between the markers the benchmark Job prints (fio may log before it). */
export function extractFioJson(log: string): string {
    const start = log.indexOf(JSON_BEGIN);
    const end = log.indexOf(JSON_END, start);
    if (start < 0 || end < 0) throw new Error(`No fio JSON between ${JSON_BEGIN} and ${JSON_END} in the log:\n${log.slice(-2000)}`);
    return log.slice(start + JSON_BEGIN.length, end).trim();
}

export function parseFioJson(text: string): ResultTable {
    let doc: { jobs?: FioJob[] };
    try {
        doc = JSON.parse(text) as { jobs?: FioJob[] };
    } catch (e) {
        throw new Error(`fio output is not JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(doc.jobs)) throw new Error("fio JSON has no jobs[] array.");
    const table: ResultTable = {};
    for (const job of doc.jobs) {
        if (job.jobname === PREFILL_JOB) continue;
        if (job.error) throw new Error(`fio job ${job.jobname} failed with error ${job.error}.`);
        const m = /^([a-z]+)-(\d+k)$/.exec(job.jobname);
        const pattern = (job["job options"]?.rw ?? m?.[1]) as Pattern;
        const bs = (job["job options"]?.bs ?? m?.[2]) as BlockSize;
        if (!SEED_PATTERNS.includes(pattern) || !SEED_BLOCK_SIZES.includes(bs)) continue;
        table[pattern] ??= {};
        table[pattern][bs] = { readIops: job.read.iops, writeIops: job.write.iops, readKiBps: job.read.bw, writeKiBps: job.write.bw };
    }
    return table;
}

export type Metric = "iops" | "MiBps";

export function cellValue(c: CellResult, metric: Metric): number {
    return metric === "iops" ? c.readIops + c.writeIops : (c.readKiBps + c.writeKiBps) / 1024;
}

/** A table in the 2022 reference architecture's layout: a tab-separated header of block sizes, then one row per pattern. */
export function formatTable(title: string, values: (pattern: Pattern, bs: BlockSize) => string | undefined): string {
    const lines = [title, "", `\t${SEED_BLOCK_SIZES.join("\t")}`];
    for (const pattern of SEED_PATTERNS) lines.push(`${pattern}\t${SEED_BLOCK_SIZES.map((bs) => values(pattern, bs) ?? "—").join("\t")}`);
    return lines.join("\n");
}

export function formatResults(title: string, table: ResultTable, metric: Metric = "iops"): string {
    return formatTable(title, (p, bs) => {
        const c = table[p]?.[bs];
        if (!c) return undefined;
        const v = cellValue(c, metric);
        return metric === "iops" ? String(Math.round(v)) : v.toFixed(1);
    });
}

/** Each cell of `table` divided by the baseline's (1.00 = the same as plain EBS). */
export function formatRatio(title: string, table: ResultTable, baseline: ResultTable, metric: Metric = "iops"): string {
    return formatTable(title, (p, bs) => {
        const c = table[p]?.[bs];
        const b = baseline[p]?.[bs];
        if (!c || !b || cellValue(b, metric) === 0) return undefined;
        return (cellValue(c, metric) / cellValue(b, metric)).toFixed(2);
    });
}

/** The 2022 reference architecture's published IOPS, for comparison and as the README's reference. */
export const SEED_TABLES: Record<"baseline" | "r1" | "r2" | "r3", { title: string; values: Record<Pattern, number[]> }> = {
    baseline: {
        title: "Table 1. EBS Baseline Results",
        values: {
            randrw: [3024, 3024, 3024, 2065],
            randwrite: [3025, 3025, 3025, 2065],
            readwrite: [3025, 3025, 4132, 2065],
            write: [3025, 3025, 4133, 2066],
        },
    },
    r1: {
        title: "Table 2. LINSTOR Single Replica (no replication) Results",
        values: {
            randrw: [3461, 3361, 3055, 2929],
            randwrite: [2389, 2253, 1890, 1990],
            readwrite: [3254, 3308, 3919, 2093],
            write: [3029, 3015, 3206, 2010],
        },
    },
    r2: {
        title: "Table 3. LINSTOR Two Replica Results",
        values: {
            randrw: [3461, 3365, 2659, 2924],
            randwrite: [2398, 2243, 1880, 1981],
            readwrite: [3252, 3232, 3890, 2182],
            write: [3292, 2984, 3192, 2001],
        },
    },
    r3: {
        title: "Table 4. LINSTOR Three Replica Results",
        values: {
            randrw: [3452, 3338, 3014, 2931],
            randwrite: [2355, 2207, 1843, 1988],
            readwrite: [3343, 3204, 3901, 2176],
            write: [3207, 2959, 3168, 2011],
        },
    },
};

export function formatSeedTable(key: keyof typeof SEED_TABLES): string {
    const t = SEED_TABLES[key];
    return formatTable(t.title, (p, bs) => String(t.values[p][SEED_BLOCK_SIZES.indexOf(bs)]));
}
