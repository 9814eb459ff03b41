/**
 * A small Jenkins REST client on the global fetch: jobs from config.xml, parameterised builds,
 * console text, the script console and the unauthenticated /login probe.
 *
 * Auth: HTTP Basic with the admin user and an API token or the password. Token requests need no
 * CSRF crumb; password requests do, and the crumb is bound to the web session that issued it
 * (Jenkins ≥ 2.176.2), so the client keeps the session cookie from /crumbIssuer and sends it back.
 */
import type { Clock } from "./clock";
import { pollUntil } from "./clock";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface JenkinsClientOptions {
    /** Base URL including any prefix, e.g. http://127.0.0.1:8080 or https://ci.example.com/jenkins. */
    readonly baseUrl: string;
    readonly user: string;
    readonly secret: string;
    /** "token" (API token: no crumb needed) or "password" (crumb + session cookie). */
    readonly secretKind: "token" | "password";
    readonly fetch?: FetchLike;
    /** Per-request timeout. Default 15 s. */
    readonly requestTimeoutMs?: number;
}

export class JenkinsError extends Error {
    constructor(
        message: string,
        readonly status?: number,
    ) {
        super(message);
        this.name = "JenkinsError";
    }
}

export interface BuildRef {
    readonly job: string;
    readonly number: number;
}

const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export class JenkinsClient {
    private readonly base: string;
    private readonly fetchFn: FetchLike;
    private readonly timeoutMs: number;
    private crumb?: { field: string; value: string };
    private cookies = new Map<string, string>();

    constructor(private readonly opts: JenkinsClientOptions) {
        this.base = opts.baseUrl.replace(/\/+$/, "");
        this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
        this.timeoutMs = opts.requestTimeoutMs ?? 15000;
    }

    get baseUrl(): string {
        return this.base;
    }

    /** Status of an anonymous GET /login (200 once Jenkins serves requests, 503 while it boots), 0 if unreachable. */
    async loginStatus(timeoutMs = 5000): Promise<number> {
        try {
            // Follows redirects (e.g. a proxy's HTTP → HTTPS); no credentials are sent here.
            const res = await this.fetchFn(`${this.base}/login`, { signal: AbortSignal.timeout(timeoutMs) });
            await res.arrayBuffer();
            return res.status;
        } catch {
            return 0;
        }
    }

    /** Who the credentials authenticate as; throws when Jenkins treats them as anonymous. */
    async whoAmI(): Promise<{ name: string; authorities: string[] }> {
        const body = await this.json<{ name: string; anonymous: boolean; authenticated: boolean; authorities?: string[] }>("GET", "/whoAmI/api/json");
        if (body.anonymous || !body.authenticated) {
            throw new JenkinsError(`Jenkins accepted the request but not the credentials of ${this.opts.user} (anonymous).`);
        }
        return { name: body.name, authorities: body.authorities ?? [] };
    }

    /** Executors of the built-in node; the chart's default is 0, so no job can run on the controller. */
    async builtInExecutors(): Promise<number> {
        const body = await this.json<{ numExecutors: number }>("GET", "/api/json?tree=numExecutors");
        return body.numExecutors;
    }

    async jobExists(name: string): Promise<boolean> {
        const res = await this.request("GET", `${jobPath(name)}/api/json?tree=name`);
        if (res.status === 404) return false;
        await this.check(res, `GET job ${name}`);
        return true;
    }

    /** Creates the job from config.xml, or replaces the config of an existing one so reruns use the current script. */
    async upsertJob(name: string, configXml: string): Promise<"created" | "updated"> {
        const exists = await this.jobExists(name);
        const path = exists ? `${jobPath(name)}/config.xml` : `/createItem?name=${encodeURIComponent(name)}`;
        const res = await this.request("POST", path, { body: configXml, contentType: "application/xml; charset=utf-8" });
        await this.check(res, exists ? `update job ${name}` : `create job ${name}`);
        return exists ? "updated" : "created";
    }

    /** Queues a build with parameters and returns the queue item's path (/queue/item/<n>/). */
    async triggerBuild(name: string, parameters: Record<string, string>): Promise<string> {
        const query = new URLSearchParams(parameters).toString();
        const res = await this.request("POST", `${jobPath(name)}/buildWithParameters?${query}`);
        await this.check(res, `trigger ${name}`);
        const location = res.headers.get("location");
        const m = location === null ? null : /\/queue\/item\/(\d+)\/?$/.exec(location);
        // Jenkins writes its own root URL into Location; keep only the path and resolve it against ours.
        if (!m) throw new JenkinsError(`Jenkins queued ${name} but sent no queue item location (got ${location ?? "none"}).`, res.status);
        return `/queue/item/${m[1]}/`;
    }

    /** Waits until the queue item became a build. */
    async waitForStart(name: string, queuePath: string, clock: Clock, timeoutMs: number): Promise<BuildRef> {
        return pollUntil(clock, `${name} to leave the build queue`, timeoutMs, 1000, async () => {
            const item = await this.json<{ cancelled?: boolean; why?: string; executable?: { number: number } }>("GET", `${queuePath}api/json`);
            if (item.cancelled) throw new JenkinsError(`The queued build of ${name} was cancelled.`);
            return item.executable ? { job: name, number: item.executable.number } : undefined;
        });
    }

    /** Waits for the build to finish and returns its result (SUCCESS, FAILURE, …). */
    async waitForResult(build: BuildRef, clock: Clock, timeoutMs: number): Promise<string> {
        return pollUntil(clock, `${build.job} #${build.number} to finish`, timeoutMs, 1000, async () => {
            const b = await this.json<{ building: boolean; result: string | null }>(
                "GET",
                `${jobPath(build.job)}/${build.number}/api/json?tree=building,result`,
            );
            return b.building || b.result === null ? undefined : b.result;
        });
    }

    async consoleText(build: BuildRef): Promise<string> {
        const res = await this.request("GET", `${jobPath(build.job)}/${build.number}/consoleText`);
        await this.check(res, `console of ${build.job} #${build.number}`);
        return res.text();
    }

    /** Runs a Groovy script in the script console (administrators only) and returns its output. */
    async runScript(groovy: string): Promise<string> {
        const res = await this.request("POST", "/scriptText", {
            body: new URLSearchParams({ script: groovy }).toString(),
            contentType: "application/x-www-form-urlencoded",
        });
        await this.check(res, "script console");
        return res.text();
    }

    private async json<T>(method: string, path: string): Promise<T> {
        const res = await this.request(method, path);
        await this.check(res, `${method} ${path}`);
        return (await res.json()) as T;
    }

    private async request(method: string, path: string, body?: { body: string; contentType: string }, retried = false): Promise<Response> {
        const headers: Record<string, string> = {
            Authorization: `Basic ${Buffer.from(`${this.opts.user}:${this.opts.secret}`).toString("base64")}`,
        };
        if (body) headers["Content-Type"] = body.contentType;
        if (method !== "GET" && this.opts.secretKind === "password") {
            const crumb = await this.getCrumb();
            if (crumb) headers[crumb.field] = crumb.value;
        }
        if (this.cookies.size > 0) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
        let res: Response;
        try {
            res = await this.fetchFn(`${this.base}${path}`, {
                method,
                headers,
                body: body?.body,
                redirect: "manual",
                signal: AbortSignal.timeout(this.timeoutMs),
            });
        } catch (e) {
            throw new JenkinsError(`Cannot reach Jenkins at ${this.base} (${method} ${path}): ${(e as Error).message}`);
        }
        this.keepCookies(res);
        // A crumb from an expired session is rejected with 403; fetch a fresh one once.
        if (res.status === 403 && method !== "GET" && this.opts.secretKind === "password" && !retried) {
            await res.arrayBuffer();
            this.crumb = undefined;
            this.cookies.clear();
            return this.request(method, path, body, true);
        }
        return res;
    }

    private async getCrumb(): Promise<{ field: string; value: string } | undefined> {
        if (this.crumb) return this.crumb;
        const res = await this.request("GET", "/crumbIssuer/api/json");
        // 404: CSRF protection is off (not the default); nothing to send.
        if (res.status === 404) {
            await res.arrayBuffer();
            return undefined;
        }
        await this.check(res, "crumb issuer");
        const body = (await res.json()) as { crumb: string; crumbRequestField: string };
        this.crumb = { field: body.crumbRequestField, value: body.crumb };
        return this.crumb;
    }

    private keepCookies(res: Response): void {
        const all = typeof res.headers.getSetCookie === "function" ? res.headers.getSetCookie() : [];
        for (const c of all) {
            const m = /^([^=;\s]+)=([^;]*)/.exec(c);
            if (m) this.cookies.set(m[1], m[2]);
        }
    }

    private async check(res: Response, what: string): Promise<void> {
        if (res.status >= 200 && res.status < 300) return;
        const text = (await res.text()).replace(/\s+/g, " ").slice(0, 300);
        const hint =
            res.status === 401
                ? " Check the user and API token/password."
                : res.status === 403
                  ? " The user lacks the permission (the drills need an administrator)."
                  : "";
        throw new JenkinsError(`Jenkins refused ${what}: HTTP ${res.status}.${hint} ${text}`.trim(), res.status);
    }
}

export function jobPath(name: string): string {
    if (!JOB_NAME.test(name)) throw new JenkinsError(`Not a plain job name: ${JSON.stringify(name)}.`);
    return `/job/${encodeURIComponent(name)}`;
}
