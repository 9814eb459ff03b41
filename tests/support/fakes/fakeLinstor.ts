/**
 * A fake LINSTOR controller REST API on 127.0.0.1, modelling LINSTOR v1.33.3 (what Piraeus Operator 2.10.7 and 2.10.8
 * deploy) where the program and its runbooks depend on it, missing states included. Sources are linstor-server at tag
 * v1.33.3 (1ff3a1ea) unless said otherwise, cited next to what they describe:
 *
 * - fakeLinstorState.ts: nodes, resource groups and definitions, replicas and snapshots, and what lost, evacuate,
 *   node deletion, autoplace and resync do to them (missing and offline cases included);
 * - fakeLinstorRest.ts: the routes, the JSON views (NON_EMPTY serialization, no state from an offline satellite,
 *   diskless flags, filters) and the HTTP status of each answer.
 *
 * Scenarios: `everyPoll(steps)` applies `steps[i]` at the i-th `GET /v1/nodes` (the first request of each of the
 * gate's polls; the last state then holds); `onRequest` runs before every request. `start(tls)` serves HTTPS as the
 * controller does with apiTLS (linstorApiTls.ts: a client certificate of its CA required).
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { ServerOptions } from "node:https";
import { json, routeLinstorRequest } from "./fakeLinstorRest";
import { LinstorState } from "./fakeLinstorState";
import { serveOnLoopback } from "./loopback";

export {
    type ConnectionStatus,
    type FakeLinstorWorld,
    type FakeNode,
    type FakeReplica,
    type FakeResourceGroup,
    type FakeSnapshot,
    RC,
    ZONE_PROP,
} from "./fakeLinstorState";

export class FakeLinstor extends LinstorState {
    readonly requests: { method: string; path: string; status: number; body: string }[] = [];
    onRequest: (method: string, path: string) => void = () => undefined;
    url = "";
    private server?: Server;
    private polls = 0;
    private steps: ((f: FakeLinstor) => void)[] = [];

    /** Applies `steps[i]` at the i-th poll (GET /v1/nodes); the state after the last step holds. */
    everyPoll(steps: ((f: FakeLinstor) => void)[]): this {
        this.steps = steps;
        return this;
    }

    async start(tls?: ServerOptions): Promise<string> {
        const { server, port } = await serveOnLoopback((req, res, body) => this.handle(req, res, body), tls);
        this.server = server;
        this.url = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
        return this.url;
    }

    async stop(): Promise<void> {
        await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }

    /** One poll: the scenario's step for it, then time passes (LinstorState.advance). */
    private tick(): void {
        const step = this.steps[Math.min(this.polls, this.steps.length - 1)];
        this.polls++;
        step?.(this);
        this.advance();
    }

    private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
        const url = new URL(req.url ?? "/", "http://x");
        const method = req.method ?? "GET";
        this.onRequest(method, url.pathname);
        const { status, payload } = routeLinstorRequest(this, { method, url, body }, () => this.tick());
        this.requests.push({ method, path: `${url.pathname}${url.search}`, status, body });
        res.writeHead(status, { "content-type": "application/json" });
        res.end(json(payload));
    }
}
