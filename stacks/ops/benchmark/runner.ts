/**
 * Runs the benchmark Jobs one class at a time (so they never compete for the same disks and network),
 * collects fio's JSON from the pod log and cleans up. Cleanup first sets the PV's reclaim policy to
 * Delete: the project's LINSTOR classes Retain, and deleting only the claim would leak the volume. So cleanup
 * touches only objects that carry the benchmark's labels (a claim of the same name that is not the benchmark's
 * keeps its volume), and the benchmark uses only a namespace it created itself.
 */
import type { Clock } from "../clock";
import { pollUntil } from "../clock";
import { type BenchClass, type BenchSettings, benchManifests, benchName, benchNamespace, isBenchObject } from "./manifests";
import { extractFioJson, parseFioJson, type ResultTable } from "./results";

export interface BenchCluster {
    storageClassExists(name: string): Promise<boolean>;
    ensureNamespace(manifest: ReturnType<typeof benchNamespace>): Promise<void>;
    create(manifest: { kind: string; metadata: { name: string; namespace: string } }): Promise<void>;
    /** "Complete", "Failed", or undefined while running. */
    jobState(namespace: string, name: string): Promise<"Complete" | "Failed" | undefined>;
    jobLog(namespace: string, jobName: string): Promise<string>;
    /** Deletes the Job, ConfigMap and claim (and the volume behind it). Returns what could not be deleted. */
    cleanup(namespace: string, name: string): Promise<string[]>;
}

export class KubeBench implements BenchCluster {
    private constructor(
        private readonly core: import("@kubernetes/client-node").CoreV1Api,
        private readonly batch: import("@kubernetes/client-node").BatchV1Api,
        private readonly storage: import("@kubernetes/client-node").StorageV1Api,
    ) {}

    static async create(kc: import("@kubernetes/client-node").KubeConfig): Promise<KubeBench> {
        const k8s = await import("@kubernetes/client-node");
        return new KubeBench(kc.makeApiClient(k8s.CoreV1Api), kc.makeApiClient(k8s.BatchV1Api), kc.makeApiClient(k8s.StorageV1Api));
    }

    async storageClassExists(name: string): Promise<boolean> {
        return this.storage.readStorageClass({ name }).then(
            () => true,
            (e: { code?: number }) => (e.code === 404 ? false : Promise.reject(e)),
        );
    }

    async ensureNamespace(manifest: ReturnType<typeof benchNamespace>): Promise<void> {
        const existing = await this.core.readNamespace({ name: manifest.metadata.name }).then(
            (ns) => ns,
            (e: { code?: number }) => (e.code === 404 ? undefined : Promise.reject(e)),
        );
        if (existing === undefined) await this.core.createNamespace({ body: manifest });
        else if (!isBenchObject(existing.metadata?.labels)) {
            throw new Error(
                `Namespace ${manifest.metadata.name} exists and is not the benchmark's (no app.kubernetes.io/name=ha-jenkins-eks-bench label); choose another --namespace.`,
            );
        }
    }

    async create(m: { kind: string; metadata: { name: string; namespace: string } }): Promise<void> {
        const namespace = m.metadata.namespace;
        const body = m as never;
        try {
            if (m.kind === "ConfigMap") await this.core.createNamespacedConfigMap({ namespace, body });
            else if (m.kind === "PersistentVolumeClaim") await this.core.createNamespacedPersistentVolumeClaim({ namespace, body });
            else if (m.kind === "Job") await this.batch.createNamespacedJob({ namespace, body });
            else throw new Error(`unexpected kind ${m.kind}`);
        } catch (e) {
            if ((e as { code?: number }).code === 409) {
                throw new Error(
                    `${m.kind} ${namespace}/${m.metadata.name} exists from an earlier run; remove it with \`npm run bench -- <stack> --cleanup\`.`,
                );
            }
            throw e;
        }
    }

    async jobState(namespace: string, name: string): Promise<"Complete" | "Failed" | undefined> {
        const job = await this.batch.readNamespacedJob({ namespace, name });
        if ((job.status?.succeeded ?? 0) > 0) return "Complete";
        if ((job.status?.failed ?? 0) > 0) return "Failed";
        return undefined;
    }

    async jobLog(namespace: string, jobName: string): Promise<string> {
        const pods = await this.core.listNamespacedPod({ namespace, labelSelector: `job-name=${jobName}` });
        const pod = pods.items[0]?.metadata?.name;
        if (!pod) throw new Error(`Job ${namespace}/${jobName} has no pod to read the log of.`);
        return this.core.readNamespacedPodLog({ namespace, name: pod, container: "fio" });
    }

    async cleanup(namespace: string, name: string): Promise<string[]> {
        const left: string[] = [];
        const attempt = async (what: string, fn: () => Promise<unknown>) => {
            try {
                await fn();
            } catch (e) {
                if ((e as { code?: number }).code !== 404) left.push(`${what}: ${(e as Error).message}`);
            }
        };
        // Deletes only what carries the benchmark's labels: the same name in a namespace shared with others is not ours.
        const ours = (what: string, labels: Record<string, string> | undefined) => {
            if (!isBenchObject(labels)) throw new Error(`${what} is not the benchmark's (no benchmark labels); left alone`);
        };
        await attempt(`Job ${name}`, async () => {
            ours(`Job ${namespace}/${name}`, (await this.batch.readNamespacedJob({ namespace, name })).metadata?.labels);
            await this.batch.deleteNamespacedJob({ namespace, name, propagationPolicy: "Background" });
        });
        await attempt(`ConfigMap ${name}`, async () => {
            ours(`ConfigMap ${namespace}/${name}`, (await this.core.readNamespacedConfigMap({ namespace, name })).metadata?.labels);
            await this.core.deleteNamespacedConfigMap({ namespace, name });
        });
        await attempt(`PersistentVolumeClaim ${name}`, async () => {
            const pvc = await this.core.readNamespacedPersistentVolumeClaim({ namespace, name });
            ours(`PersistentVolumeClaim ${namespace}/${name}`, pvc.metadata?.labels);
            const pv = pvc.spec?.volumeName;
            if (pv) {
                await this.core.patchPersistentVolume({
                    name: pv,
                    body: [{ op: "replace", path: "/spec/persistentVolumeReclaimPolicy", value: "Delete" }],
                });
            }
            await this.core.deleteNamespacedPersistentVolumeClaim({ namespace, name });
        });
        return left;
    }
}

export interface ClassResult {
    readonly cls: BenchClass;
    readonly table: ResultTable;
}

/** Applies, waits, collects and cleans up, class after class. */
export async function runBenchmark(
    classes: readonly BenchClass[],
    s: BenchSettings,
    deps: { cluster: BenchCluster; clock: Clock; log: (line: string) => void; keep?: boolean; pollMs?: number },
): Promise<ClassResult[]> {
    const { cluster, clock, log } = deps;
    for (const c of classes) {
        if (!(await cluster.storageClassExists(c.storageClassName))) {
            throw new Error(
                `StorageClass ${c.storageClassName} (${c.key}) does not exist.` +
                    (c.key === "baseline"
                        ? " The EBS baseline needs the EBS CSI driver add-on (aws-ebs-csi-driver, with its IAM role) and a gp3 StorageClass; " +
                          "pass --baseline-class NAME, or --skip-baseline to measure LINSTOR only."
                        : ""),
            );
        }
    }
    await cluster.ensureNamespace(benchNamespace(s.namespace));
    const results: ClassResult[] = [];
    for (const c of classes) {
        const name = benchName(c.key);
        const m = benchManifests(c, s);
        log(`[${c.key}] ${c.storageClassName}: creating ${s.namespace}/${name} (ConfigMap, PVC ${s.pvcSize}, Job)…`);
        try {
            for (const obj of [m.configMap, m.pvc, m.job]) await cluster.create(obj);
            const deadline = (m.job.spec.activeDeadlineSeconds + 120) * 1000;
            const state = await pollUntil(clock, `Job ${name}`, deadline, deps.pollMs ?? 15000, () => cluster.jobState(s.namespace, name));
            const logText = await cluster.jobLog(s.namespace, name);
            if (state === "Failed") throw new Error(`Job ${s.namespace}/${name} failed:\n${logText.slice(-2000)}`);
            results.push({ cls: c, table: parseFioJson(extractFioJson(logText)) });
            log(`[${c.key}] done.`);
        } finally {
            if (!deps.keep) {
                const left = await cluster.cleanup(s.namespace, name);
                for (const l of left) log(`[${c.key}] cleanup left ${l}`);
            }
        }
    }
    return results;
}
