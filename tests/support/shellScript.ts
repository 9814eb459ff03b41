/**
 * Running the program's embedded shell scripts in specs: whether the tools they call are on this machine (a spec skips
 * its cases when not), and one script run with a given environment, its exit code and its output.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** Whether `cmd` is an executable on PATH (or in /usr/bin). */
export function haveCommand(cmd: string): boolean {
    return fs.existsSync(`/usr/bin/${cmd}`) || (process.env.PATH ?? "").split(":").some((d) => fs.existsSync(path.join(d, cmd)));
}

/** Runs `script` with `shell -c` and exactly `env`; a script killed at `timeoutMs` counts as failed. */
export function runShell(shell: string, script: string, env: Record<string, string>, timeoutMs = 20000): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
        execFile(shell, ["-c", script], { env, encoding: "utf8", timeout: timeoutMs }, (err, stdout, stderr) =>
            resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
        );
    });
}

/** One step of a pod as a spec runs it: the container's name, its shell, its script and its environment. */
export interface ScriptStep {
    readonly name: string;
    readonly shell: string;
    readonly script: string;
    readonly env: Record<string, string>;
}

/** Runs a pod's steps in turn as kubelet runs init containers: the first that fails ends the run, naming its step. */
export async function runSteps(steps: readonly ScriptStep[], timeoutMs?: number): Promise<{ code: number; out: string; step: string }> {
    let out = "";
    for (const s of steps) {
        const r = await runShell(s.shell, s.script, s.env, timeoutMs);
        out += r.out;
        if (r.code !== 0) return { code: r.code, out, step: s.name };
    }
    return { code: 0, out, step: "done" };
}
