/**
 * Finds every shell script the program and its tools ship, wherever it is embedded, so that shellcheck sees a new
 * one without anybody listing it: `sh|bash -c <script>` in any container (Jobs, CronJobs, Helm values), base64 user
 * data (MIME parts of type text/x-shellscript), any string starting with a shell shebang, scripts written out through
 * a quoted heredoc inside another script, and the repository's own script files. Another interpreter behind `-c`
 * must be named in OTHER_INTERPRETERS, so an unknown one fails instead of going unchecked.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";

export type ShellDialect = "sh" | "bash";

export interface EmbeddedScript {
    /** Where it was found, for the failure message. */
    readonly origin: string;
    readonly shell: ShellDialect;
    readonly text: string;
}

const SHELLS: Readonly<Record<string, ShellDialect>> = { sh: "sh", dash: "sh", ash: "sh", bash: "bash" };
/** Interpreters behind `-c` that are not shells (the resync gate is Python). */
export const OTHER_INTERPRETERS: ReadonlySet<string> = new Set(["python3"]);

/** The dialect a shebang line names, or undefined when it is not a shell's. */
export function shebangShell(text: string): ShellDialect | undefined {
    const m = /^#!\s*(\S+)(?:[ \t]+(\S+))?/.exec(text);
    if (!m) return undefined;
    const program = basename(m[1]) === "env" ? m[2] : basename(m[1]);
    return program === undefined ? undefined : SHELLS[program];
}

/** Scripts a quoted heredoc writes out (`cat > f <<'EOF'` + a shebang): shellcheck does not look inside heredocs. */
function heredocScripts(script: EmbeddedScript): EmbeddedScript[] {
    const found: EmbeddedScript[] = [];
    for (const m of script.text.matchAll(/<<-?'([A-Za-z_][A-Za-z0-9_]*)'\n([\s\S]*?)\n\1\n/g)) {
        const shell = shebangShell(m[2]);
        if (shell) found.push(...withNested({ origin: `${script.origin} (heredoc ${m[1]})`, shell, text: `${m[2]}\n` }));
    }
    return found;
}

function withNested(script: EmbeddedScript): EmbeddedScript[] {
    return [script, ...heredocScripts(script)];
}

/** The text/x-shellscript parts of a MIME multipart document (cloud-init user data). */
function mimeShellParts(text: string, origin: string): EmbeddedScript[] {
    const boundary = /boundary="?([^"\s;]+)"?/.exec(text)?.[1];
    if (!boundary) return [];
    return text
        .split(`--${boundary}`)
        .map((part) => part.replace(/^\n/, ""))
        .filter((part) => /^Content-Type:\s*text\/x-shellscript/im.test(part.split("\n\n")[0]))
        .flatMap((part, i) => {
            const body = part.slice(part.indexOf("\n\n") + 2);
            return withNested({ origin: `${origin} (MIME part ${i + 1})`, shell: shebangShell(body) ?? "sh", text: body });
        });
}

function fromString(value: string, origin: string): EmbeddedScript[] {
    const shell = shebangShell(value);
    if (shell) return withNested({ origin, shell, text: value });
    if (value.length >= 16 && /^[A-Za-z0-9+/]+={0,2}$/.test(value) && value.length % 4 === 0) {
        const decoded = Buffer.from(value, "base64").toString("utf8");
        if (decoded.startsWith("MIME-Version:")) return mimeShellParts(decoded, `${origin} (base64)`);
        if (shebangShell(decoded)) return fromString(decoded, `${origin} (base64)`);
    }
    return [];
}

/** `command` + `args` of a container-like object, when they hold a `-c`. */
function fromArgv(obj: Record<string, unknown>, origin: string): EmbeddedScript[] | undefined {
    const strings = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined);
    const command = strings(obj.command);
    const args = strings(obj.args);
    if (command === undefined && args === undefined) return undefined;
    const argv = [...(command ?? []), ...(args ?? [])];
    const at = argv.indexOf("-c");
    if (at < 0) return undefined;
    const program = command?.[0] === undefined ? "(image entrypoint)" : basename(command[0]);
    if (OTHER_INTERPRETERS.has(program)) return [];
    const shell = SHELLS[program];
    if (shell === undefined || typeof argv[at + 1] !== "string") {
        throw new Error(`${origin}: "-c" after ${program}, which is neither a known shell nor in OTHER_INTERPRETERS; teach embeddedScripts.ts`);
    }
    return withNested({ origin: `${origin}.command`, shell, text: argv[at + 1] });
}

/** Every shell script inside `value` (resource inputs, Helm values, manifests), depth first. */
export function scriptsIn(value: unknown, origin: string): EmbeddedScript[] {
    if (typeof value === "string") return fromString(value, origin);
    if (Array.isArray(value)) return value.flatMap((v, i) => scriptsIn(v, `${origin}[${i}]`));
    if (value === null || typeof value !== "object") return [];
    const obj = value as Record<string, unknown>;
    const argvScripts = fromArgv(obj, origin);
    return [
        ...(argvScripts ?? []),
        ...Object.entries(obj)
            .filter(([k]) => argvScripts === undefined || (k !== "command" && k !== "args"))
            .flatMap(([k, v]) => scriptsIn(v, `${origin}.${k}`)),
    ];
}

/** The shell steps (`hudson.tasks.Shell`) of a Jenkins job's config.xml; Jenkins runs them with `sh -xe`. */
export function jenkinsShellSteps(xml: string, origin: string): EmbeddedScript[] {
    const xmlText = (s: string) =>
        s
            .replace(/&lt;/g, "<")
            .replace(/&gt;/g, ">")
            .replace(/&quot;/g, '"')
            .replace(/&apos;/g, "'")
            .replace(/&amp;/g, "&");
    return [...xml.matchAll(/<hudson\.tasks\.Shell>\s*<command>([\s\S]*?)<\/command>/g)].map((m, i) => ({
        origin: `${origin} (shell step ${i + 1})`,
        shell: "sh" as const,
        text: xmlText(m[1]),
    }));
}

/** The repository's files (tracked and new, not ignored) that are shell scripts: `*.sh`, or a shell shebang. */
export function repositoryScripts(root: string): EmbeddedScript[] {
    const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: root, encoding: "utf8" })
        .split("\0")
        .filter((f) => f !== "" && !f.startsWith("node_modules/"));
    return files.flatMap((file) => {
        let head: string;
        try {
            head = readFileSync(join(root, file), "utf8");
        } catch {
            return []; // listed but deleted in the work tree
        }
        const shell = shebangShell(head) ?? (file.endsWith(".sh") ? "bash" : undefined);
        return shell ? withNested({ origin: file, shell, text: head }) : [];
    });
}
