/**
 * One long-running jq (the real binary the CronJob runs) for a program that tests call many times: each call writes
 * one JSON line and reads one line back, so a simulation of thousands of runs stays fast. The program's `$variables`
 * are bound from each call's `vars`, as `--arg`/`--argjson` bind them in the script.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";

export const HAS_JQ = spawnSync("jq", ["--version"]).status === 0;

export class JqProcess {
    private readonly child: ChildProcessWithoutNullStreams;
    private readonly pending: { resolve: (v: unknown[]) => void; reject: (e: Error) => void }[] = [];
    private buffer = "";
    private stderr = "";

    /** `program` reads its input and `$<name>` for each of `variables`; every result it outputs is collected. */
    constructor(program: string, variables: readonly string[]) {
        const bind = variables.map((v) => `.vars.${v} as $${v}`).join(" | ");
        this.child = spawn("jq", ["-c", "--unbuffered", `${bind}${bind ? " | " : ""}.input | [${program}]`]);
        this.child.stdout.setEncoding("utf8");
        this.child.stdout.on("data", (chunk: string) => {
            this.buffer += chunk;
            for (let nl = this.buffer.indexOf("\n"); nl >= 0; nl = this.buffer.indexOf("\n")) {
                const line = this.buffer.slice(0, nl);
                this.buffer = this.buffer.slice(nl + 1);
                this.pending.shift()?.resolve(JSON.parse(line));
            }
        });
        this.child.stderr.on("data", (chunk) => {
            this.stderr += chunk;
        });
        this.child.on("exit", () => {
            for (const p of this.pending.splice(0)) p.reject(new Error(`jq exited: ${this.stderr}`));
        });
    }

    /** The program's results for `input` with the given variables. */
    run(input: unknown, vars: Record<string, unknown>): Promise<unknown[]> {
        return new Promise((resolve, reject) => {
            this.pending.push({ resolve, reject });
            this.child.stdin.write(`${JSON.stringify({ input, vars })}\n`);
        });
    }

    close(): void {
        this.child.stdin.end();
    }
}
