/**
 * The DR drill's measurement of the restore estimate (components/snapshots/restoreTiming.ts RESTORE_ESTIMATE): the DR
 * stack's restore gate Job (label RESTORE_GATE_LABEL = the restored backup's key, in the LINSTOR namespace) ran from
 * status.startTime to status.completionTime while LINSTOR downloaded the restored backup's chain (output
 * restoredBackup: chainBytes, chainLength). Bytes over that time is the rate a fail-over got, pod start, the links'
 * own cost and the gate's polls included (so the download alone was at least as fast); it is printed against the
 * estimate and the rate below which a warm fail-over's worst case misses its target (components/rto/drPaths.ts).
 */
import { JENKINS_DEFAULTS } from "../../components/jenkins/settings";
import { rtoModel } from "../../components/rto";
import { backupNameKey } from "../../components/snapshots/backupCatalog";
import { RESTORE_ESTIMATE, RESTORE_GATE_LABEL, RESTORE_GATE_POLL_SECONDS } from "../../components/snapshots/restoreTiming";
import type { RestoredBackup } from "../outputs";
import type { CommonFlags } from "./cli";
import { loadKubeConfig } from "./cluster";
import { OUTPUT_NAMES, outputString, type ToolOutputs } from "./stackOutputs";

const MIB = 2 ** 20;
const GIB = 2 ** 30;

/** A restore gate Job as the measurement reads it (batch/v1 Job status). */
export interface GateJob {
    readonly name: string;
    readonly startTime?: string;
    readonly completionTime?: string;
    /** status.failed > 0 */
    readonly failed: boolean;
}

export interface GateJobsApi {
    list(namespace: string, labelSelector: string): Promise<GateJob[]>;
}

export class KubeGateJobs implements GateJobsApi {
    private constructor(private readonly batch: import("@kubernetes/client-node").BatchV1Api) {}

    static async create(kc: import("@kubernetes/client-node").KubeConfig): Promise<KubeGateJobs> {
        const k8s = await import("@kubernetes/client-node");
        return new KubeGateJobs(kc.makeApiClient(k8s.BatchV1Api));
    }

    async list(namespace: string, labelSelector: string): Promise<GateJob[]> {
        const jobs = await this.batch.listNamespacedJob({ namespace, labelSelector });
        return jobs.items.map((j) => ({
            name: j.metadata?.name ?? "?",
            startTime: toIso(j.status?.startTime),
            completionTime: toIso(j.status?.completionTime),
            failed: (j.status?.failed ?? 0) > 0,
        }));
    }
}

/** client-node turns date-time fields into Date objects; the fake and the JSON give strings. */
function toIso(v: Date | string | undefined): string | undefined {
    return v === undefined ? undefined : v instanceof Date ? v.toISOString() : String(v);
}

export interface RestoreMeasurement {
    /** The Job measured, when one completed. */
    readonly job?: string;
    readonly seconds?: number;
    /** chainBytes ÷ seconds: what the fail-over got, everything included. */
    readonly overallMiBps?: number;
    /** The same with RESTORE_ESTIMATE's cost per link and the gate's poll taken off: the download alone, if those hold. */
    readonly downloadMiBps?: number;
    readonly estimateMiBps: number;
    /** What the model expects this gate to take (the restore gate phase for this chain). */
    readonly expectedSeconds: number;
    /** Below it a warm fail-over's worst case misses the DR target (this volume, the model's other defaults). */
    readonly breakEvenMiBps?: number;
    readonly message: string;
}

type Backup = Pick<RestoredBackup, "id" | "chainBytes" | "chainLength" | "volumeBytes">;

/** The restore gate's time for the restored backup, as a rate against the estimate and the warm break-even. */
export async function measureRestore(
    opts: { readonly namespace: string; readonly backup: Backup; readonly prePullImage: boolean },
    jobs: GateJobsApi,
): Promise<RestoreMeasurement> {
    const { backup } = opts;
    const chainMiB = backup.chainBytes / MIB;
    const estimateMiBps = RESTORE_ESTIMATE.throughputMiBps;
    const fixedSeconds = backup.chainLength * RESTORE_ESTIMATE.perLinkSeconds + RESTORE_GATE_POLL_SECONDS;
    const expectedSeconds = Math.round(chainMiB / estimateMiBps + fixedSeconds);
    const model = rtoModel({
        drClusterPreProvisioned: true,
        restoreSizeGiB: backup.volumeBytes / GIB,
        ...(opts.prePullImage ? { imagePullSeconds: 0 } : {}),
    });
    const breakEvenMiBps = model.dr.warmBreakEvenMiBps;
    const base = { estimateMiBps, expectedSeconds, breakEvenMiBps };
    const selector = `${RESTORE_GATE_LABEL}=${backupNameKey(backup.id)}`;
    const found = await jobs.list(opts.namespace, selector);
    const done = found.find((j) => j.startTime !== undefined && j.completionTime !== undefined && !j.failed);
    if (done === undefined) {
        const why =
            found.length === 0
                ? `no Job labelled ${selector} in namespace ${opts.namespace} (a DR stack without the restore gate, or the Job is gone)`
                : `restore gate Job ${found.map((j) => j.name).join(", ")} has not completed${found.some((j) => j.failed) ? " (failed)" : ""}`;
        return { ...base, message: `Restore throughput not measured: ${why}.` };
    }
    const seconds = (Date.parse(done.completionTime as string) - Date.parse(done.startTime as string)) / 1000;
    const overallMiBps = round1(chainMiB / seconds);
    const downloadSeconds = seconds - fixedSeconds;
    const downloadMiBps = downloadSeconds > 0 ? round1(chainMiB / downloadSeconds) : undefined;
    const target = `${Math.round(model.inputs.drTargetSeconds / 60)}-minute`;
    const verdict =
        breakEvenMiBps === undefined
            ? `a warm fail-over of this volume misses the ${target} target at any rate (components/rto/drPaths.ts)`
            : overallMiBps >= breakEvenMiBps
              ? `at or above the warm fail-over's break-even ${breakEvenMiBps} MiB/s: its worst case holds the ${target} target`
              : downloadMiBps !== undefined && downloadMiBps >= breakEvenMiBps
                ? `below the warm fail-over's break-even ${breakEvenMiBps} MiB/s overall, above it only if a link costs ≤ ` +
                  `${RESTORE_ESTIMATE.perLinkSeconds} s: measure a longer chain (restoreSelection) to tell`
                : `BELOW the warm fail-over's break-even ${breakEvenMiBps} MiB/s: its worst case misses the ${target} target; ` +
                  "correct RESTORE_ESTIMATE (components/snapshots/restoreTiming.ts)";
    const message =
        `Restore measured: restore gate Job ${opts.namespace}/${done.name} ran ${round1(seconds)} s (status.startTime → ` +
        `completionTime) for ${round1(backup.chainBytes / GIB)} GiB in ${backup.chainLength} link(s): ${overallMiBps} MiB/s ` +
        "overall (pod start, links and polls included)" +
        (downloadMiBps !== undefined ? `, ${downloadMiBps} MiB/s for the download if a link costs ${RESTORE_ESTIMATE.perLinkSeconds} s` : "") +
        `. Estimate ${estimateMiBps} MiB/s + ${RESTORE_ESTIMATE.perLinkSeconds} s a link (RESTORE_ESTIMATE): ${expectedSeconds} s ` +
        `expected. ${verdict.charAt(0).toUpperCase()}${verdict.slice(1)}.`;
    return { ...base, job: done.name, seconds, overallMiBps, downloadMiBps, message };
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
