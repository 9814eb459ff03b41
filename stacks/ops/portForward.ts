/**
 * Reaching a ClusterIP Jenkins (the default service type) from the operator's machine across a
 * fail-over. `kubectl port-forward` binds to one pod and exits when that pod dies, so this supervisor
 * restarts it on the same local port whenever it exits (and on demand once the new pod runs).
 */
import { spawn as nodeSpawn } from "node:child_process";
import type { EventEmitter } from "node:events";
import { createServer } from "node:net";

export interface ChildLike extends EventEmitter {
    readonly stdout: EventEmitter | null;
    readonly stderr: EventEmitter | null;
    kill(signal?: NodeJS.Signals): boolean;
}
export type SpawnLike = (command: string, args: readonly string[]) => ChildLike;

export interface PortForwardOptions {
    readonly namespace: string;
    /**
     * What to forward to, e.g. `pod/jenkins-0`: the StatefulSet pod keeps its name on the new node, and its
     * container port is 8080 whatever port the Service exposes (443 with TLS on the NLB).
     */
    readonly target: string;
    readonly remotePort: number;
    readonly localPort: number;
    readonly kubeconfigFile?: string;
    readonly context?: string;
    readonly kubectl?: string;
    readonly spawn?: SpawnLike;
    /** Delay before a restart, so a pod that is not ready yet is not hammered. Default 1 s. */
    readonly restartDelayMs?: number;
    readonly log?: (line: string) => void;
}

const defaultSpawn: SpawnLike = (command, args) => nodeSpawn(command, [...args], { stdio: ["ignore", "pipe", "pipe"] });

export class PortForward {
    private child?: ChildLike;
    private stopped = true;
    private timer?: NodeJS.Timeout;
    private readyWaiters: (() => void)[] = [];
    /** How many times kubectl was started. */
    starts = 0;

    constructor(private readonly opts: PortForwardOptions) {}

    get url(): string {
        return `http://127.0.0.1:${this.opts.localPort}`;
    }

    args(): string[] {
        const o = this.opts;
        return [
            ...(o.kubeconfigFile ? ["--kubeconfig", o.kubeconfigFile] : []),
            ...(o.context ? ["--context", o.context] : []),
            "port-forward",
            "--namespace",
            o.namespace,
            "--address",
            "127.0.0.1",
            o.target,
            `${o.localPort}:${o.remotePort}`,
        ];
    }

    /** Starts kubectl and resolves once it forwards (or rejects after `timeoutMs`). */
    async start(timeoutMs = 30000): Promise<void> {
        this.stopped = false;
        const ready = new Promise<void>((resolve, reject) => {
            const t = setTimeout(
                () => reject(new Error(`kubectl port-forward to ${this.opts.target} did not start within ${timeoutMs / 1000} s.`)),
                timeoutMs,
            );
            this.readyWaiters.push(() => {
                clearTimeout(t);
                resolve();
            });
        });
        this.launch();
        return ready;
    }

    /** Replaces the running kubectl (e.g. once the rescheduled pod runs). */
    restart(): void {
        if (this.stopped) return;
        const old = this.child;
        this.child = undefined;
        old?.kill("SIGTERM");
        this.launch();
    }

    stop(): void {
        this.stopped = true;
        if (this.timer) clearTimeout(this.timer);
        this.child?.kill("SIGTERM");
        this.child = undefined;
    }

    private launch(): void {
        if (this.stopped) return;
        const child = (this.opts.spawn ?? defaultSpawn)(this.opts.kubectl ?? "kubectl", this.args());
        this.child = child;
        this.starts++;
        child.stdout?.on("data", (chunk: Buffer | string) => {
            if (String(chunk).includes("Forwarding from")) {
                const waiters = this.readyWaiters;
                this.readyWaiters = [];
                waiters.forEach((w) => {
                    w();
                });
            }
        });
        child.stderr?.on("data", (chunk: Buffer | string) => this.opts.log?.(`kubectl: ${String(chunk).trim()}`));
        const onGone = () => {
            if (this.child !== child || this.stopped) return;
            this.child = undefined;
            this.timer = setTimeout(() => this.launch(), this.opts.restartDelayMs ?? 1000);
        };
        child.on("exit", onGone);
        child.on("error", (e: Error) => {
            this.opts.log?.(`kubectl: ${e.message}`);
            onGone();
        });
    }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const address = srv.address();
            const port = typeof address === "object" && address !== null ? address.port : 0;
            srv.close(() => resolve(port));
        });
    });
}
