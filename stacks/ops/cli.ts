/**
 * Glue shared by the drill CLIs: stack outputs, the Jenkins connection (direct URL, or a supervised
 * kubectl port-forward for a ClusterIP service), credentials, and the kubeconfig. Nothing here runs
 * in tests against a real cluster; the logic that matters lives in the injectable drill functions.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeConfig } from "@kubernetes/client-node";
import { FlagError } from "./flags";
import { JenkinsClient } from "./jenkinsClient";
import { freePort, PortForward } from "./portForward";
import { OUTPUT_NAMES, outputString, readOutputsFile, readStackOutputs, type ToolOutputs } from "./stackOutputs";

export interface CommonFlags {
    readonly "outputs-file"?: string;
    readonly "jenkins-url"?: string;
    readonly "jenkins-user"?: string;
    readonly "port-forward"?: boolean;
    readonly namespace?: string;
    readonly service?: string;
    readonly kubeconfig?: string;
    readonly context?: string;
    readonly "dry-run"?: boolean;
}

/** util.parseArgs option table of the flags every drill accepts. */
export const COMMON_OPTIONS = {
    "outputs-file": { type: "string" },
    "jenkins-url": { type: "string" },
    "jenkins-user": { type: "string" },
    "port-forward": { type: "boolean" },
    namespace: { type: "string" },
    service: { type: "string" },
    kubeconfig: { type: "string" },
    context: { type: "string" },
    "dry-run": { type: "boolean" },
    help: { type: "boolean" },
} as const;

/**
 * The stack's outputs. In dry-run a failure is reported and an empty set returned, so the plan still
 * prints offline (placeholders name the outputs that would be used).
 */
export async function loadOutputs(stack: string, flags: CommonFlags, log: (s: string) => void): Promise<ToolOutputs> {
    try {
        return flags["outputs-file"] ? readOutputsFile(flags["outputs-file"]) : await readStackOutputs(stack);
    } catch (e) {
        if (!flags["dry-run"]) throw e;
        log(`(stack outputs unavailable: ${(e as Error).message.split("\n")[0]}; the plan shows placeholders)`);
        return {};
    }
}

/** `<what from output X>` for plans that could not read the output. */
export function placeholder(value: string | undefined, output: string): string {
    return value ?? `<stack output ${output}>`;
}

/** Admin credentials: JENKINS_API_TOKEN or JENKINS_PASSWORD from the environment, else the stack's password output. */
export function jenkinsCredentials(
    outputs: ToolOutputs,
    flags: CommonFlags,
    env: NodeJS.ProcessEnv = process.env,
): { user: string; secret: string; secretKind: "token" | "password" } {
    const user = flags["jenkins-user"] ?? outputString(outputs, OUTPUT_NAMES.jenkinsAdminUser) ?? "admin";
    if (env.JENKINS_API_TOKEN) return { user, secret: env.JENKINS_API_TOKEN, secretKind: "token" };
    const password = env.JENKINS_PASSWORD ?? outputString(outputs, OUTPUT_NAMES.jenkinsAdminPassword);
    if (password === undefined) {
        throw new Error(
            `No Jenkins credentials: set JENKINS_API_TOKEN (or JENKINS_PASSWORD), or export the stack output "${OUTPUT_NAMES.jenkinsAdminPassword}".`,
        );
    }
    return { user, secret: password, secretKind: "password" };
}

/** True for URLs only resolvable inside the cluster (the ClusterIP default's in-cluster name). */
export function isInClusterUrl(url: string): boolean {
    try {
        const host = new URL(url).hostname;
        return /\.svc(\.cluster\.local)?$/.test(host) || host.endsWith(".cluster.local");
    } catch {
        return false;
    }
}

export interface JenkinsTarget {
    /** The URL to use, or undefined when a port-forward is needed. */
    readonly url?: string;
    readonly portForward: boolean;
    readonly namespace: string;
    readonly service: string;
}

export function jenkinsTarget(outputs: ToolOutputs, flags: CommonFlags): JenkinsTarget {
    const namespace = flags.namespace ?? outputString(outputs, OUTPUT_NAMES.jenkinsNamespace) ?? "jenkins";
    const service = flags.service ?? outputString(outputs, OUTPUT_NAMES.jenkinsServiceName) ?? "jenkins";
    const url = flags["jenkins-url"] ?? outputString(outputs, OUTPUT_NAMES.jenkinsUrl);
    const portForward = flags["port-forward"] === true || (flags["jenkins-url"] === undefined && (url === undefined || isInClusterUrl(url)));
    return { url: portForward ? undefined : url, portForward, namespace, service };
}

/** The controller pod of the chart's StatefulSet (named like the Service). */
export function jenkinsPodName(t: Pick<JenkinsTarget, "service">): string {
    return `${t.service}-0`;
}

export function describeTarget(t: JenkinsTarget): string {
    return t.portForward
        ? `kubectl port-forward pod/${jenkinsPodName(t)} -n ${t.namespace} to container port 8080 (restarted across the fail-over)`
        : (t.url ?? "?");
}

/** Resources the CLI must release on exit. */
export class Session {
    private cleanups: (() => void)[] = [];

    add(fn: () => void): void {
        this.cleanups.push(fn);
    }

    close(): void {
        for (const fn of this.cleanups.reverse()) {
            try {
                fn();
            } catch {
                // best effort on exit
            }
        }
        this.cleanups = [];
    }

    /** Writes a kubeconfig from a stack output to a private temp file (for kubectl); removed on close. */
    kubeconfigFile(output: unknown): string {
        const dir = mkdtempSync(join(tmpdir(), "ha-jenkins-drill-"));
        const file = join(dir, "kubeconfig");
        writeFileSync(file, typeof output === "string" ? output : JSON.stringify(output), { mode: 0o600 });
        this.add(() => rmSync(dir, { recursive: true, force: true }));
        return file;
    }
}

/**
 * Connects to Jenkins: the URL as is, or through a supervised port-forward started here. With `proven` (a kube
 * context proven to be the stack's cluster, clusterProof.ts) kubectl gets exactly that context, written to a
 * private file, so the port-forward cannot resolve to another cluster than the one that was checked.
 */
export async function connectJenkins(
    target: JenkinsTarget,
    outputs: ToolOutputs,
    flags: CommonFlags,
    session: Session,
    log: (s: string) => void,
    proven?: KubeConfig,
): Promise<{ client: JenkinsClient; portForward?: PortForward }> {
    const creds = jenkinsCredentials(outputs, flags);
    if (!target.portForward && target.url) return { client: new JenkinsClient({ baseUrl: target.url, ...creds }) };
    const kubeconfig = proven
        ? session.kubeconfigFile(proven.exportConfig())
        : (flags.kubeconfig ??
          (outputs[OUTPUT_NAMES.kubeconfig] !== undefined ? session.kubeconfigFile(outputs[OUTPUT_NAMES.kubeconfig]) : undefined));
    const pf = new PortForward({
        namespace: target.namespace,
        target: `pod/${jenkinsPodName(target)}`,
        remotePort: 8080,
        localPort: await freePort(),
        kubeconfigFile: kubeconfig,
        context: proven ? proven.getCurrentContext() : flags.context,
        log,
    });
    session.add(() => pf.stop());
    await pf.start();
    log(`Port-forwarding ${pf.url} → pod/${jenkinsPodName(target)}:8080 in ${target.namespace}.`);
    return { client: new JenkinsClient({ baseUrl: pf.url, ...creds }), portForward: pf };
}

/** A refusal or bad usage: the CLI prints the message alone and exits 2. Thrown, so sessions still close. */
export class CliError extends Error {
    override readonly name = "CliError";
}

export function fail(message: string): never {
    throw new CliError(message);
}

/** Runs a CLI's main: exit with its code; a refusal or bad flag prints its message, anything else `<what> failed: …`. */
export function runMain(main: (argv: string[]) => Promise<number>, what: string): void {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e: Error) => {
            const plain = e instanceof CliError || e instanceof FlagError;
            process.stderr.write(`${plain ? e.message : `${what} failed: ${e.message}`}\n`);
            process.exit(2);
        },
    );
}
