/**
 * The DR drill's measurement of the restore estimate (components/snapshots/restoreTiming.ts RESTORE_ESTIMATE): the DR
 * stack's restore gate Job (label RESTORE_GATE_LABEL = the restored backup's key, in the LINSTOR namespace) writes what
 * ITS request downloaded as its container's termination message (components/snapshots/downloadPod.ts report: links
 * that were not local before it asked and are Success after, their bytes when known, the request's and the end's
 * times). Only those bytes over that time are measured: on a warm standby the download step has usually fetched the
 * chain already, and the gate then downloads nothing (no rate, no verdict). The bytes are the report's (the gate's
 * LINK_BYTES) or, when the gate downloaded the whole chain, the restored backup's chainBytes; a part of the chain of
 * unknown size is not measured. The rate is printed against the estimate and the rate below which a warm fail-over's
 * worst case misses its target (components/rto/drPaths.ts), with no verdict on a sample too small to tell
 * (MIN_VERDICT_BYTES).
 */
import { JENKINS_DEFAULTS } from "../../components/jenkins/settings";
import { rtoModel } from "../../components/rto";
import { backupNameKey } from "../../components/snapshots/backupCatalog";
import { RESTORE_ESTIMATE, RESTORE_GATE_LABEL } from "../../components/snapshots/restoreTiming";
import type { RestoredBackup } from "../outputs";
import type { CommonFlags } from "./cli";
import { loadKubeConfig } from "./cluster";
import { OUTPUT_NAMES, outputString, type ToolOutputs } from "./stackOutputs";

const MIB = 2 ** 20;
const GIB = 2 ** 30;
/**
 * No verdict on less: at the estimate 1 GiB downloads in about 13 s, under one link's fixed cost
 * (RESTORE_ESTIMATE.perLinkSeconds: LINSTOR's steps and the satellite's start of each receive), so such a sample
 * measures that cost, not the rate a fail-over's full depends on. (The gate pod's own start is outside the measured
 * window, which begins at its accepted request.) Nor when the links' estimated cost is over half the measured time.
 */
export const MIN_VERDICT_BYTES = GIB;

/** What the gate's download container reported (its termination message, downloadPod.ts report). */
export interface GateReport {
    readonly downloaded: number;
    /** null: a link's size was not known to the gate. */
    readonly bytes?: number | null;
    readonly first?: string;
    readonly last?: string;
    /** When its request was accepted, and when its snapshot was Success (ISO 8601). */
    readonly started?: string;
    readonly finished?: string;
}

/** A restore gate Job as the measurement reads it (batch/v1 Job status, its pods' termination message). */
export interface GateJob {
    readonly name: string;
    readonly startTime?: string;
    readonly completionTime?: string;
    /** status.failed > 0 */
    readonly failed: boolean;
    /** The succeeded pod's `download` container's termination message, parsed; undefined when none is readable. */
    readonly report?: GateReport;
}

export interface GateJobsApi {
    list(namespace: string, labelSelector: string): Promise<GateJob[]>;
}

export class KubeGateJobs implements GateJobsApi {
    private constructor(
        private readonly batch: import("@kubernetes/client-node").BatchV1Api,
        private readonly core: import("@kubernetes/client-node").CoreV1Api,
    ) {}

    static async create(kc: import("@kubernetes/client-node").KubeConfig): Promise<KubeGateJobs> {
        const k8s = await import("@kubernetes/client-node");
        return new KubeGateJobs(kc.makeApiClient(k8s.BatchV1Api), kc.makeApiClient(k8s.CoreV1Api));
    }

    async list(namespace: string, labelSelector: string): Promise<GateJob[]> {
        const jobs = await this.batch.listNamespacedJob({ namespace, labelSelector });
        return Promise.all(
            jobs.items.map(async (j) => {
                const name = j.metadata?.name ?? "?";
                // The Job controller labels its pods with the Job's name (batch.kubernetes.io/job-name).
                const pods = await this.core.listNamespacedPod({ namespace, labelSelector: `batch.kubernetes.io/job-name=${name}` });
                const done = pods.items.find((p) => p.status?.phase === "Succeeded");
                const message = done?.status?.containerStatuses?.find((c) => c.name === "download")?.state?.terminated?.message;
                return {
                    name,
                    startTime: toIso(j.status?.startTime),
                    completionTime: toIso(j.status?.completionTime),
                    failed: (j.status?.failed ?? 0) > 0,
                    report: parseReport(message),
                };
            }),
        );
    }
}

/** The termination message as JSON with a numeric `downloaded`; anything else is no report. */
export function parseReport(message: string | undefined): GateReport | undefined {
    if (!message) return undefined;
    try {
        const r = JSON.parse(message) as GateReport;
        return typeof r?.downloaded === "number" ? r : undefined;
    } catch {
        return undefined;
    }
}

/** client-node turns date-time fields into Date objects; the fake and the JSON give strings. */
function toIso(v: Date | string | undefined): string | undefined {
    return v === undefined ? undefined : v instanceof Date ? v.toISOString() : String(v);
}

export interface RestoreMeasurement {
    /** The Job measured, when one completed. */
    readonly job?: string;
    /** The links the gate's request downloaded, and their bytes (when measured). */
    readonly links?: number;
    readonly bytes?: number;
    readonly seconds?: number;
    /** bytes ÷ seconds: what the fail-over got, the links' cost included. */
    readonly overallMiBps?: number;
    /** The same with RESTORE_ESTIMATE's cost per link taken off: the download alone, if that holds. */
    readonly downloadMiBps?: number;
    readonly estimateMiBps: number;
    /** What the model expects this download to take (when measured: the links it downloaded). */
    readonly expectedSeconds?: number;
    /** Below it a warm fail-over's worst case misses the DR target (this volume, the model's other defaults). */
    readonly breakEvenMiBps?: number;
    readonly message: string;
}

type Backup = Pick<RestoredBackup, "id" | "chainBytes" | "chainLength" | "volumeBytes">;

/** The restore gate's own download of the restored backup, as a rate against the estimate and the warm break-even. */
export async function measureRestore(
    opts: { readonly namespace: string; readonly backup: Backup; readonly prePullImage: boolean },
    jobs: GateJobsApi,
): Promise<RestoreMeasurement> {
    const { backup } = opts;
    const estimateMiBps = RESTORE_ESTIMATE.throughputMiBps;
    const model = rtoModel({
        drClusterPreProvisioned: true,
        restoreSizeGiB: backup.volumeBytes / GIB,
        ...(opts.prePullImage ? { imagePullSeconds: 0 } : {}),
    });
    const breakEvenMiBps = model.dr.warmBreakEvenMiBps;
    const base = { estimateMiBps, breakEvenMiBps };
    const notMeasured = (why: string, extra: Partial<RestoreMeasurement> = {}): RestoreMeasurement => ({
        ...base,
        ...extra,
        message: `Restore throughput not measured: ${why}.`,
    });
    const selector = `${RESTORE_GATE_LABEL}=${backupNameKey(backup.id)}`;
    const found = await jobs.list(opts.namespace, selector);
    const done = found.find((j) => j.startTime !== undefined && j.completionTime !== undefined && !j.failed);
    if (done === undefined) {
        return notMeasured(
            found.length === 0
                ? `no Job labelled ${selector} in namespace ${opts.namespace} (a DR stack without the restore gate, or the Job is gone)`
                : `restore gate Job ${found.map((j) => j.name).join(", ")} has not completed${found.some((j) => j.failed) ? " (failed)" : ""}`,
        );
    }
    const job = `${opts.namespace}/${done.name}`;
    const r = done.report;
    if (r === undefined)
        return notMeasured(`restore gate Job ${job} left no report (its pod's termination message is gone or unreadable)`, { job: done.name });
    if (r.downloaded === 0) {
        return notMeasured("the chain was already local (the standby's download step fetched it); the restore gate downloaded nothing", {
            job: done.name,
            links: 0,
        });
    }
    const bytes = typeof r.bytes === "number" ? r.bytes : r.downloaded === backup.chainLength ? backup.chainBytes : undefined;
    if (bytes === undefined) {
        return notMeasured(
            `restore gate Job ${job} downloaded ${r.downloaded} of the chain's ${backup.chainLength} links (${r.first} … ${r.last}), ` +
                "whose sizes it did not know (no LINK_BYTES)",
            { job: done.name, links: r.downloaded },
        );
    }
    const seconds = (Date.parse(r.finished ?? "") - Date.parse(r.started ?? "")) / 1000;
    if (!(seconds > 0)) return notMeasured(`restore gate Job ${job} reported no download time (${r.started} → ${r.finished})`, { job: done.name });
    const mib = bytes / MIB;
    const fixedSeconds = r.downloaded * RESTORE_ESTIMATE.perLinkSeconds;
    const expectedSeconds = Math.round(mib / estimateMiBps + fixedSeconds);
    const overallMiBps = round1(mib / seconds);
    const downloadSeconds = seconds - fixedSeconds;
    const downloadMiBps = downloadSeconds > 0 ? round1(mib / downloadSeconds) : undefined;
    const target = `${Math.round(model.inputs.drTargetSeconds / 60)}-minute`;
    const verdict =
        bytes < MIN_VERDICT_BYTES || fixedSeconds * 2 > seconds
            ? `no verdict: ${
                  bytes < MIN_VERDICT_BYTES
                      ? `a sample under ${MIN_VERDICT_BYTES / GIB} GiB`
                      : `the links' estimated fixed cost (${fixedSeconds} s) is over half the time`
              } measures the per-link cost, not the download rate; measure a bigger backup with fewer links (a full or one early in its chain, restoreSelection)`
            : breakEvenMiBps === undefined
              ? `a warm fail-over of this volume misses the ${target} target at any rate (components/rto/drPaths.ts)`
              : overallMiBps >= breakEvenMiBps
                ? `at or above the warm fail-over's break-even ${breakEvenMiBps} MiB/s: its worst case holds the ${target} target`
                : downloadMiBps !== undefined && downloadMiBps >= breakEvenMiBps
                  ? `below the warm fail-over's break-even ${breakEvenMiBps} MiB/s overall, above it only if a link costs ≤ ` +
                    `${RESTORE_ESTIMATE.perLinkSeconds} s: measure a full or a backup early in its chain (restoreSelection; fewer links, so the rate dominates) to tell`
                  : `BELOW the warm fail-over's break-even ${breakEvenMiBps} MiB/s: its worst case misses the ${target} target; ` +
                    "correct RESTORE_ESTIMATE (components/snapshots/restoreTiming.ts)";
    const message =
        `Restore measured: restore gate Job ${job} downloaded ${r.downloaded} link(s), ${round1(bytes / GIB)} GiB, in ` +
        `${round1(seconds)} s (its request → its snapshot Success): ${overallMiBps} MiB/s overall (links included)` +
        (downloadMiBps !== undefined ? `, ${downloadMiBps} MiB/s for the download if a link costs ${RESTORE_ESTIMATE.perLinkSeconds} s` : "") +
        `. Estimate ${estimateMiBps} MiB/s + ${RESTORE_ESTIMATE.perLinkSeconds} s a link (RESTORE_ESTIMATE): ${expectedSeconds} s ` +
        `expected. ${verdict.charAt(0).toUpperCase()}${verdict.slice(1)}.`;
    return { ...base, job: done.name, links: r.downloaded, bytes, seconds, overallMiBps, downloadMiBps, expectedSeconds, message };
}

function round1(n: number): number {
    return Math.round(n * 10) / 10;
}

/**
 * The measurement for the DR stack's outputs (restoredBackup, linstorNamespace, kubeconfig unless --kubeconfig, the DR
 * Jenkins' prePullImage): a line for `drill:dr verify`. Not being able to measure never fails the verification.
 */
export async function restoreReport(
    outputs: ToolOutputs,
    flags: Pick<CommonFlags, "kubeconfig" | "context">,
    jobs: (kc: import("@kubernetes/client-node").KubeConfig) => Promise<GateJobsApi> = KubeGateJobs.create,
): Promise<string> {
    const backup = outputs[OUTPUT_NAMES.restoredBackup] as Backup | undefined;
    const namespace = outputString(outputs, OUTPUT_NAMES.linstorNamespace);
    if (backup === undefined || typeof backup.chainBytes !== "number" || namespace === undefined) {
        return `Restore throughput not measured: the DR stack has no output ${OUTPUT_NAMES.restoredBackup} or ${OUTPUT_NAMES.linstorNamespace}.`;
    }
    try {
        const kc = await loadKubeConfig({
            file: flags.kubeconfig,
            output: flags.kubeconfig ? undefined : outputs[OUTPUT_NAMES.kubeconfig],
            context: flags.context,
        });
        const settings = outputs[OUTPUT_NAMES.jenkinsSettings] as { prePullImage?: boolean } | undefined;
        const prePullImage = settings?.prePullImage ?? JENKINS_DEFAULTS.prePullImage;
        return (await measureRestore({ namespace, backup, prePullImage }, await jobs(kc))).message;
    } catch (e) {
        return `Restore throughput not measured: ${(e as Error).message}`;
    }
}
