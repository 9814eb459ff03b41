/**
 * Before a tool writes to or deletes from a live cluster, it proves that the kube context it will use is the stack's
 * own cluster, and refuses when it cannot: the context's API server must be the endpoint the stack's `kubeconfig`
 * output records (an EKS endpoint is unique to its cluster), and where the context's credentials name an EKS cluster
 * (`aws eks get-token --cluster-name`, as the stack's kubeconfig and `aws eks update-kubeconfig` write them), it must
 * be the stack's `clusterName`. Without a recorded endpoint nothing is proven, so the tool stops.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import * as yaml from "js-yaml";
import { type CommonFlags, fail, isInClusterUrl } from "./cli";
import { OUTPUT_NAMES, outputString, type ToolOutputs } from "./stackOutputs";

export interface ClusterIdentity {
    /** The API server URL. */
    readonly server?: string;
    /** The EKS cluster name (the stack output, or what the context's credentials are issued for). */
    readonly clusterName?: string;
    /** The kube context's name (for messages). */
    readonly context?: string;
}

interface KubeconfigDoc {
    readonly "current-context"?: string;
    readonly contexts?: readonly { name?: string; context?: { cluster?: string; user?: string } }[];
    readonly clusters?: readonly { name?: string; cluster?: { server?: string } }[];
    readonly users?: readonly { name?: string; user?: { exec?: { args?: readonly string[] } } }[];
}

/** The EKS cluster named in exec credentials: `--cluster-name X` (aws eks get-token), `--cluster-id X` or `-i X` (aws-iam-authenticator). */
export function execClusterName(args: readonly string[] | undefined): string | undefined {
    if (!args) return undefined;
    const i = args.findIndex((a) => a === "--cluster-name" || a === "--cluster-id" || a === "-i");
    return i >= 0 && i + 1 < args.length ? args[i + 1] : undefined;
}

function identityOf(doc: KubeconfigDoc, contextName: string | undefined): ClusterIdentity {
    const context = (doc.contexts ?? []).find((c) => c.name === contextName)?.context;
    const cluster = (doc.clusters ?? []).find((c) => c.name === context?.cluster)?.cluster;
    const user = (doc.users ?? []).find((u) => u.name === context?.user)?.user;
    return { server: cluster?.server, clusterName: execClusterName(user?.exec?.args), context: contextName };
}

/** The cluster the stack's outputs record: the server of its `kubeconfig` output's current context, and `clusterName`. */
export function stackCluster(outputs: ToolOutputs): ClusterIdentity {
    const raw = outputs[OUTPUT_NAMES.kubeconfig];
    let doc: KubeconfigDoc | undefined;
    if (typeof raw === "string" && raw.trim() !== "") {
        try {
            doc = yaml.load(raw) as KubeconfigDoc; // JSON is YAML
        } catch {
            doc = undefined;
        }
    } else if (typeof raw === "object" && raw !== null) {
        doc = raw as KubeconfigDoc;
    }
    const fromKubeconfig = doc && typeof doc === "object" ? identityOf(doc, doc["current-context"]) : {};
    return { server: fromKubeconfig.server, clusterName: outputString(outputs, OUTPUT_NAMES.clusterName) };
}

/** The cluster a loaded kube context talks to. */
export function contextCluster(kc: KubeConfig): ClusterIdentity {
    const user = kc.getCurrentUser();
    return { server: kc.getCurrentCluster()?.server, clusterName: execClusterName(user?.exec?.args), context: kc.getCurrentContext() };
}

/** Scheme, host (lowercase) and port (443 for https by default) of an API server URL; undefined if unparsable. */
export function normalizeServer(url: string | undefined): string | undefined {
    if (!url) return undefined;
    try {
        const u = new URL(url);
        const port = u.port || (u.protocol === "https:" ? "443" : u.protocol === "http:" ? "80" : "");
        return `${u.protocol}//${u.hostname.toLowerCase()}:${port}${u.pathname.replace(/\/+$/, "")}`;
    } catch {
        return undefined;
    }
}

/**
 * Refuses (CliError, exit 2) unless `actual` is provably the stack's cluster; returns the line to log. `action` says
 * what would happen, for the message.
 */
export function proveStackCluster(stack: string, expected: ClusterIdentity, actual: ClusterIdentity, action: string): string {
    const where = `kube context ${actual.context ?? "(none)"} (${actual.server ?? "no server"})`;
    const wanted = normalizeServer(expected.server);
    if (wanted === undefined) {
        fail(
            `Refusing to ${action}: stack ${stack}'s outputs record no API endpoint (output "${OUTPUT_NAMES.kubeconfig}"), so nothing proves that ` +
                `${where} is its cluster. Read the outputs with pulumi (or give --outputs-file a file that has "${OUTPUT_NAMES.kubeconfig}").`,
        );
    }
    const got = normalizeServer(actual.server);
    if (got !== wanted) {
        fail(`Refusing to ${action}: ${where} is not stack ${stack}'s cluster, whose API endpoint is ${expected.server}.`);
    }
    if (actual.clusterName !== undefined && expected.clusterName !== undefined && actual.clusterName !== expected.clusterName) {
        fail(
            `Refusing to ${action}: ${where} authenticates for EKS cluster ${actual.clusterName}, stack ${stack}'s cluster is ${expected.clusterName}.`,
        );
    }
    return `Cluster proven: ${where} is stack ${stack}'s API endpoint${expected.clusterName ? ` (EKS cluster ${expected.clusterName})` : ""}.`;
}

/**
 * The Jenkins a drill writes to must be the stack's: its `jenkinsUrl` output, or the pod reached by a port-forward
 * through the proven context. A `--jenkins-url` pointing elsewhere cannot be proven, so writes refuse it.
 */
export function proveJenkinsTarget(stack: string, outputs: ToolOutputs, flags: CommonFlags, action: string): void {
    const given = flags["jenkins-url"];
    if (given === undefined || flags["port-forward"] === true) return;
    const recorded = outputString(outputs, OUTPUT_NAMES.jenkinsUrl);
    const same = recorded !== undefined && !isInClusterUrl(recorded) && normalizeServer(recorded) === normalizeServer(given);
    if (!same) {
        fail(
            `Refusing to ${action}: --jenkins-url ${given} is not stack ${stack}'s recorded Jenkins URL (${recorded ?? "none"}), so nothing proves it is ` +
                "this stack's Jenkins. Leave it out, or use --port-forward (through the proven kube context).",
        );
    }
}

/** Refuses a live action without --yes, saying what it would do. */
export function requireYes(yes: boolean | undefined, what: string): void {
    if (yes !== true) fail(`${what} Re-run with --yes to go ahead (or --dry-run to see the steps).`);
}
