/**
 * A local fake of the Jenkins REST endpoints the drills use, on 127.0.0.1. It enforces Basic auth,
 * session-bound CSRF crumbs for password requests (none for API tokens), runs a freestyle job's
 * "Execute shell" step for real (`/bin/sh -xe`, JENKINS_HOME = a temp dir) and emulates the
 * drill's script-console Groovy in Node (there is no Groovy here).
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveOnLoopback } from "./loopback";

interface Build {
    number: number;
    result: string;
    console: string;
}

export interface FakeJenkinsOptions {
    user?: string;
    password?: string;
    token?: string;
    numExecutors?: number;
    /** Status of GET /login (lets tests model a restarting controller). */
    loginStatus?: () => number;
    /** Root URL Jenkins believes it has (used in Location headers, like a real controller behind a port-forward). */
    rootUrl?: string;
}

export class FakeJenkins {
    readonly home = mkdtempSync(join(tmpdir(), "fake-jenkins-home-"));
    readonly requests: { method: string; path: string; auth: "token" | "password" | "none" | "bad"; crumb: boolean }[] = [];
    readonly jobs = new Map<string, string>();
    readonly builds = new Map<string, Build[]>();
    numExecutors: number;
    loginStatus: () => number;
    private readonly queue = new Map<number, { job: string; number?: number }>();
    private readonly sessions = new Map<string, string>();
    private queueSeq = 100;
    private server?: Server;
    private readonly user: string;
    private readonly password: string;
    private readonly token: string;
    private readonly rootUrl: string;

    constructor(opts: FakeJenkinsOptions = {}) {
        this.user = opts.user ?? "admin";
        this.password = opts.password ?? "s3cret-pass";
        this.token = opts.token ?? "11aa22bb33cc44dd55ee66ff77889900aa";
        this.numExecutors = opts.numExecutors ?? 0;
        this.loginStatus = opts.loginStatus ?? (() => 200);
        this.rootUrl = opts.rootUrl ?? "http://jenkins.jenkins.svc.cluster.local:8080/";
    }

    get credentials() {
        return { user: this.user, password: this.password, token: this.token };
    }

    async start(): Promise<string> {
        const { server, port } = await serveOnLoopback((req, res, body) => this.handle(req, res, body));
        this.server = server;
        return `http://127.0.0.1:${port}`;
    }

    async stop(): Promise<void> {
        await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
        rmSync(this.home, { recursive: true, force: true });
    }

    drillFile(id: string): string {
        return join(this.home, "drill", `${id}.bin`);
    }

    private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
        const url = new URL(req.url ?? "/", "http://x");
        const path = url.pathname;
        const method = req.method ?? "GET";
        const auth = this.authOf(req);
        const crumbOk = this.crumbValid(req);
        this.requests.push({ method, path: `${path}${url.search}`, auth, crumb: crumbOk });
        const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
            const text = typeof payload === "string" ? payload : JSON.stringify(payload);
            res.writeHead(status, { "content-type": typeof payload === "string" ? "text/plain;charset=utf-8" : "application/json", ...headers });
            res.end(text);
        };
        if (path === "/login") return send(this.loginStatus(), "<html>login</html>");
        if (auth === "none" || auth === "bad") return send(401, "Unauthorized");
        if (method === "POST" && auth === "password" && !crumbOk) return send(403, "No valid crumb was included in the request");

        if (path === "/crumbIssuer/api/json") {
            const session = randomBytes(8).toString("hex");
            const crumb = randomBytes(16).toString("hex");
            this.sessions.set(session, crumb);
            return send(
                200,
                { _class: "hudson.security.csrf.DefaultCrumbIssuer", crumb, crumbRequestField: "Jenkins-Crumb" },
                { "set-cookie": `JSESSIONID.fake=${session}; Path=/; HttpOnly` },
            );
        }
        if (path === "/whoAmI/api/json") return send(200, { name: this.user, anonymous: false, authenticated: true, authorities: ["authenticated"] });
        if (path === "/api/json") return send(200, { numExecutors: this.numExecutors });
        if (path === "/scriptText" && method === "POST") return send(200, this.groovy(new URLSearchParams(body).get("script") ?? ""));
        if (path === "/createItem" && method === "POST") {
            const name = url.searchParams.get("name") ?? "";
            if (this.jobs.has(name)) return send(400, `A job already exists with the name ‘${name}’`);
            if (!String(req.headers["content-type"]).startsWith("application/xml")) return send(415, "need xml");
            this.jobs.set(name, body);
            return send(200, "");
        }
        const job = /^\/job\/([^/]+)(\/.*)?$/.exec(path);
        if (job) return this.handleJob(decodeURIComponent(job[1]), job[2] ?? "", method, body, url, send);
        const queued = /^\/queue\/item\/(\d+)\/api\/json$/.exec(path);
        if (queued) {
            const item = this.queue.get(Number(queued[1]));
            if (!item) return send(404, "no such item");
            return send(
                200,
                item.number === undefined
                    ? { why: "Waiting for next available executor on ‘built-in’" }
                    : { executable: { number: item.number, url: `${this.rootUrl}job/${item.job}/${item.number}/` } },
            );
        }
        return send(404, "Not found");
    }

    private handleJob(
        name: string,
        rest: string,
        method: string,
        body: string,
        url: URL,
        send: (status: number, payload: unknown, headers?: Record<string, string>) => void,
    ): void {
        const config = this.jobs.get(name);
        if (config === undefined) return send(404, "no such job");
        if (rest === "/api/json") return send(200, { name });
        if (rest === "/config.xml" && method === "POST") {
            this.jobs.set(name, body);
            return send(200, "");
        }
        if (rest === "/buildWithParameters" && method === "POST") {
            const id = ++this.queueSeq;
            const item: { job: string; number?: number } = { job: name };
            this.queue.set(id, item);
            // Like Jenkins: a job tied to the built-in node waits forever when it has no executors.
            if (this.numExecutors > 0) item.number = this.runShell(name, config, Object.fromEntries(url.searchParams)).number;
            return send(201, "", { location: `${this.rootUrl}queue/item/${id}/` });
        }
        const build = /^\/(\d+)\/(api\/json|consoleText)$/.exec(rest);
        if (build) {
            const b = (this.builds.get(name) ?? []).find((x) => x.number === Number(build[1]));
            if (!b) return send(404, "no such build");
            return build[2] === "consoleText" ? send(200, b.console) : send(200, { building: false, result: b.result });
        }
        return send(404, "Not found");
    }

    private runShell(job: string, config: string, params: Record<string, string>): Build {
        const m = /<command>([\s\S]*?)<\/command>/.exec(config);
        if (!m) throw new Error(`job ${job} has no shell step`);
        const command = m[1]
            .replace(/&lt;/g, "<")
            .replace(/&gt;/g, ">")
            .replace(/&quot;/g, '"')
            .replace(/&amp;/g, "&");
        const script = join(this.home, `jenkins${Date.now()}.sh`);
        writeFileSync(script, command);
        const run = spawnSync("/bin/sh", ["-xe", script], {
            env: { PATH: process.env.PATH, JENKINS_HOME: this.home, ...params },
            encoding: "utf8",
        });
        rmSync(script);
        const builds = this.builds.get(job) ?? [];
        const result = run.status === 0 ? "SUCCESS" : "FAILURE";
        const b: Build = {
            number: builds.length + 1,
            result,
            console:
                `Started by user ${this.user}\nRunning as SYSTEM\nBuilding on the built-in node in workspace ${this.home}/workspace/${job}\n` +
                `[${job}] $ /bin/sh -xe ${script}\n${run.stderr}${run.stdout}Finished: ${result}\n`,
        };
        builds.push(b);
        this.builds.set(job, builds);
        return b;
    }

    /** Emulates the drill's two Groovy scripts (write / verify), keyed on the file name they build. */
    private groovy(script: string): string {
        const m = /'([A-Za-z0-9_-]+)\.bin'/.exec(script);
        if (!m) return "groovy.lang.MissingPropertyException: unexpected script\n";
        const file = this.drillFile(m[1]);
        if (script.includes("SecureRandom")) {
            mkdirSync(join(this.home, "drill"), { recursive: true });
            const data = randomBytes(10 * 1024 * 1024);
            writeFileSync(file, data);
            return `${createHash("sha1").update(data).digest("hex")}  ${file}\n`;
        }
        if (!existsSync(file)) return `MISSING ${file}\n`;
        return `${createHash("sha1").update(readFileSync(file)).digest("hex")}  ${file}\n`;
    }

    private authOf(req: IncomingMessage): "token" | "password" | "none" | "bad" {
        const h = req.headers.authorization;
        if (!h?.startsWith("Basic ")) return "none";
        const [user, ...rest] = Buffer.from(h.slice(6), "base64").toString("utf8").split(":");
        const secret = rest.join(":");
        if (user !== this.user) return "bad";
        return secret === this.token ? "token" : secret === this.password ? "password" : "bad";
    }

    private crumbValid(req: IncomingMessage): boolean {
        const session = /JSESSIONID\.fake=([0-9a-f]+)/.exec(String(req.headers.cookie ?? ""))?.[1];
        return session !== undefined && this.sessions.get(session) === req.headers["jenkins-crumb"];
    }
}
