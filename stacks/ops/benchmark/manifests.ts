/**
 * Kubernetes objects of one benchmark run per StorageClass: a ConfigMap with the fio job file, a PVC
 * of the class, and a Job that runs fio on it and prints fio's JSON between markers. Pure builders.
 */
import { type FioParams, fioJobFile, matrixSeconds } from "./matrix";
import { JSON_BEGIN, JSON_END } from "./results";

export const BENCH_CLASS_KEYS = ["baseline", "r1", "r2", "r3"] as const;
export type BenchClassKey = (typeof BENCH_CLASS_KEYS)[number];

export interface BenchClass {
    readonly key: BenchClassKey;
    readonly storageClassName: string;
}

export interface BenchSettings {
    readonly namespace: string;
    /** Image that runs fio. Default: Debian 12.11 (the fio package the tests run locally, 3.33-3). */
    readonly image: string;
    /** Install fio with apt at start (needs egress to deb.debian.org); false for an image that has fio. */
    readonly installFio: boolean;
    /** Exact Debian package version installed when installFio is true. */
    readonly fioPackageVersion: string;
    /** PVC size; larger than the fio file. Default 10Gi. */
    readonly pvcSize: string;
    readonly fio: FioParams;
}

export const BENCH_DEFAULTS: Omit<BenchSettings, "fio"> = {
    namespace: "fio-bench",
    image: "docker.io/library/debian:12.11-slim",
    installFio: true,
    fioPackageVersion: "3.33-3",
    pvcSize: "10Gi",
};

export const BENCH_LABEL = "bench.ha-jenkins-eks.io/class";
const DATA_DIR = "/data";
const JOB_FILE_DIR = "/bench";

export function benchName(key: BenchClassKey): string {
    return `fio-${key}`;
}

const BENCH_APP = { "app.kubernetes.io/name": "ha-jenkins-eks-bench" } as const;

export function labels(key: BenchClassKey): Record<string, string> {
    return { ...BENCH_APP, "app.kubernetes.io/component": "fio", [BENCH_LABEL]: key };
}

/** Whether an object carries the benchmark's labels: the only objects its cleanup deletes. */
export function isBenchObject(objectLabels: Readonly<Record<string, string>> | undefined): boolean {
    return Object.entries(BENCH_APP).every(([k, v]) => objectLabels?.[k] === v);
}

/** The container's script: optional pinned fio install, the run, then the JSON between markers. */
export function benchScript(s: Pick<BenchSettings, "installFio" | "fioPackageVersion">): string {
    const install = s.installFio
        ? [
              "if ! command -v fio >/dev/null 2>&1; then",
              "  apt-get update -qq",
              `  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fio=${s.fioPackageVersion} >/dev/null`,
              "fi",
          ]
        : [];
    return [
        "set -eu",
        ...install,
        "fio --version",
        `fio --output-format=json --output=/tmp/fio.json ${JOB_FILE_DIR}/bench.fio`,
        `echo '${JSON_BEGIN}'`,
        "cat /tmp/fio.json",
        `echo '${JSON_END}'`,
    ].join("\n");
}

export function benchNamespace(namespace: string) {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name: namespace,
            // The pod needs no privilege; apt (when installing) needs only capabilities the baseline level allows.
            labels: { "pod-security.kubernetes.io/enforce": "baseline", ...BENCH_APP },
        },
    };
}

export function benchManifests(cls: BenchClass, s: BenchSettings) {
    const name = benchName(cls.key);
    const meta = { name, namespace: s.namespace, labels: labels(cls.key) };
    const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: meta, data: { "bench.fio": fioJobFile(s.fio, `${DATA_DIR}/fio.dat`) } };
    const pvc = {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: meta,
        spec: { accessModes: ["ReadWriteOnce"], storageClassName: cls.storageClassName, resources: { requests: { storage: s.pvcSize } } },
    };
    const job = {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: meta,
        spec: {
            backoffLimit: 0,
            // The matrix, plus 15 min for provisioning, install and the prefill of the file.
            activeDeadlineSeconds: matrixSeconds(s.fio) + 900,
            ttlSecondsAfterFinished: 86400,
            template: {
                metadata: { labels: labels(cls.key) },
                spec: {
                    restartPolicy: "Never",
                    automountServiceAccountToken: false,
                    securityContext: { seccompProfile: { type: "RuntimeDefault" } },
                    containers: [
                        {
                            name: "fio",
                            image: s.image,
                            command: ["/bin/sh", "-c", benchScript(s)],
                            volumeMounts: [
                                { name: "data", mountPath: DATA_DIR },
                                { name: "job", mountPath: JOB_FILE_DIR, readOnly: true },
                            ],
                            resources: { requests: { cpu: "1", memory: "512Mi" }, limits: { memory: "1Gi" } },
                            securityContext: {
                                allowPrivilegeEscalation: false,
                                capabilities: s.installFio
                                    ? { drop: ["ALL"], add: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"] }
                                    : { drop: ["ALL"] },
                            },
                        },
                    ],
                    volumes: [
                        { name: "data", persistentVolumeClaim: { claimName: name } },
                        { name: "job", configMap: { name } },
                    ],
                },
            },
        },
    };
    return { configMap, pvc, job };
}
