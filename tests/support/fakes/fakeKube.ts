/**
 * A local fake Kubernetes API server (plain HTTP on 127.0.0.1) for the real @kubernetes/client-node:
 * a generic REST store keyed by URL path (create, get, list with equality label selectors, delete,
 * JSON-patch "replace"), pod logs from a map, and hooks so tests can move the world on each request.
 */

import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { KubeConfig } from "@kubernetes/client-node";
import { serveOnLoopback } from "./loopback";

type Obj = Record<string, any>;

export class FakeKube {
    /** collection path → name → object */
    readonly store = new Map<string, Map<string, Obj>>();
    readonly logs = new Map<string, string>();
    readonly requests: { method: string; path: string }[] = [];
    /** Runs before every request (e.g. apply timeline steps due at the fake clock's time). */
    beforeRequest: () => void = () => undefined;
    /** When set, every request fails with this HTTP status (an unreachable or broken API server). */
    failWith?: number;
    /** Runs after an object was created through the API. */
    afterCreate: (collection: string, obj: Obj) => void = () => undefined;
    private server?: Server;
    private port = 0;

    async start(): Promise<void> {
        const { server, port } = await serveOnLoopback((req, res, body) => this.handle(req, res, body));
        this.server = server;
        this.port = port;
    }

    async stop(): Promise<void> {
        await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }

    async kubeConfig(): Promise<KubeConfig> {
        const k8s = await import("@kubernetes/client-node");
        const kc = new k8s.KubeConfig();
        kc.loadFromOptions({
            clusters: [{ name: "fake", server: `http://127.0.0.1:${this.port}`, skipTLSVerify: true }],
            users: [{ name: "fake", token: "fake-token" }],
            contexts: [{ name: "fake", cluster: "fake", user: "fake" }],
            currentContext: "fake",
        });
        return kc;
    }

    put(collection: string, obj: Obj): Obj {
        const items = this.store.get(collection) ?? new Map<string, Obj>();
        this.store.set(collection, items);
        obj.metadata = { uid: randomUUID(), creationTimestamp: new Date(0).toISOString(), ...obj.metadata };
        items.set(obj.metadata.name, obj);
        return obj;
    }

    get(collection: string, name: string): Obj | undefined {
        return this.store.get(collection)?.get(name);
    }

    remove(collection: string, name: string): void {
        this.store.get(collection)?.delete(name);
    }

    list(collection: string): Obj[] {
        return [...(this.store.get(collection)?.values() ?? [])];
    }

    private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
        this.beforeRequest();
        const url = new URL(req.url ?? "/", "http://x");
        const method = req.method ?? "GET";
        this.requests.push({ method, path: url.pathname });
        const send = (status: number, payload: unknown, type = "application/json") => {
            res.writeHead(status, { "content-type": type });
            res.end(typeof payload === "string" ? payload : JSON.stringify(payload));
        };
        const status = (code: number, reason: string, message: string) =>
            send(code, { kind: "Status", apiVersion: "v1", status: "Failure", reason, code, message });
        if (this.failWith !== undefined) return status(this.failWith, "InternalError", "injected failure");
        const m = /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)\/(.*)$/.exec(url.pathname);
        if (!m) return status(404, "NotFound", url.pathname);
        const prefix = url.pathname.slice(0, url.pathname.length - m[1].length - 1);
        const segments = m[1].split("/").filter(Boolean);
        if (segments.length === 5 && segments[4] === "log") {
            const text = this.logs.get(`${segments[1]}/${segments[3]}`);
            return text === undefined ? status(404, "NotFound", "no log") : send(200, text, "text/plain");
        }
        const isItem = segments.length % 2 === 0;
        const collection = `${prefix}/${(isItem ? segments.slice(0, -1) : segments).join("/")}`;
        const name = isItem ? segments[segments.length - 1] : undefined;
        if (!isItem && method === "GET") {
            const selector = url.searchParams.get("labelSelector");
            const wanted = selector ? selector.split(",").map((kv) => kv.split("=")) : [];
            const items = this.list(collection).filter((o) => wanted.every(([k, v]) => o.metadata?.labels?.[k] === v));
            return send(200, { kind: "List", apiVersion: "v1", metadata: {}, items });
        }
        if (!isItem && method === "POST") {
            const obj = JSON.parse(body) as Obj;
            if (this.get(collection, obj.metadata?.name)) return status(409, "AlreadyExists", `${obj.metadata?.name} already exists`);
            const stored = this.put(collection, obj);
            this.afterCreate(collection, stored);
            return send(201, stored);
        }
        const obj = name === undefined ? undefined : this.get(collection, name);
        if (!obj || name === undefined) return status(404, "NotFound", `${collection}/${name} not found`);
        if (method === "GET") return send(200, obj);
        if (method === "DELETE") {
            this.remove(collection, name);
            return send(200, obj);
        }
        if (method === "PATCH") {
            for (const op of JSON.parse(body) as { op: string; path: string; value: unknown }[]) {
                if (op.op !== "replace") return status(422, "Invalid", `unsupported op ${op.op}`);
                const keys = op.path.split("/").filter(Boolean);
                let target = obj;
                for (const k of keys.slice(0, -1)) target = target[k] ??= {};
                target[keys[keys.length - 1]] = op.value;
            }
            return send(200, obj);
        }
        return status(405, "MethodNotAllowed", method);
    }
}
