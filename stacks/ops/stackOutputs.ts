/**
 * Stack outputs for the tools: from `pulumi stack output --json --show-secrets -s <stack>` (a child
 * process; secrets such as the admin password and kubeconfig are parsed, never printed) or from a
 * JSON file (`--outputs-file`, e.g. saved earlier or hand-written for a cluster not built by Pulumi).
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * A stack's outputs as the tools read them: values as JSON gave them (checked when read, e.g. outputString), names
 * from the one contract (stacks/outputs.ts), so a tool cannot ask for an output no stack exports.
 */
export type ToolOutputs = Readonly<{ [K in OutputName]?: unknown }>;

export type ExecFileLike = (file: string, args: readonly string[]) => Promise<string>;

const execFileText: ExecFileLike = (file, args) =>
    new Promise((resolve, reject) => {
        execFile(file, [...args], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
            if (err) reject(new Error(`${file} ${args.join(" ")} failed: ${(stderr || err.message).trim()}`));
            else resolve(stdout);
        });
    });

/** The stacks' one output contract (stacks/outputs.ts): the tools read outputs by these names. */
export { OUTPUT_NAMES } from "../outputs";

import type { OutputName } from "../outputs";

export async function readStackOutputs(stack: string, exec: ExecFileLike = execFileText): Promise<ToolOutputs> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(stack)) throw new Error(`Not a stack name: ${JSON.stringify(stack)}.`);
    const text = await exec("pulumi", ["stack", "output", "--json", "--show-secrets", "-s", stack]);
    return parseOutputs(text, `pulumi stack output -s ${stack}`);
}

export function readOutputsFile(path: string): ToolOutputs {
    return parseOutputs(readFileSync(path, "utf8"), path);
}

function parseOutputs(text: string, source: string): ToolOutputs {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (e) {
        throw new Error(`${source} is not JSON: ${(e as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(`${source} is not a JSON object.`);
    return parsed as ToolOutputs;
}

/** A string output, or undefined when absent/empty. */
export function outputString(outputs: ToolOutputs, name: OutputName): string | undefined {
    const v = outputs[name];
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v !== "string") throw new Error(`Stack output ${name} should be a string, got ${typeof v}.`);
    return v;
}

/** First defined of: an explicit flag, a stack output, a default. */
export function pick(flag: string | undefined, outputs: ToolOutputs, name: OutputName, fallback?: string): string | undefined {
    return flag ?? outputString(outputs, name) ?? fallback;
}

export function requireValue(value: string | undefined, what: string, flag: string, output?: string): string {
    if (value !== undefined) return value;
    throw new Error(`Missing ${what}: pass ${flag}${output ? ` or export the stack output "${output}"` : ""}.`);
}
