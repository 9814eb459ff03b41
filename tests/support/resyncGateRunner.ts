/** Runs the real resync gate script (components/linstorCluster/resyncGate.ts) under python3 against a fake API. */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RESYNC_GATE_SCRIPT } from "../../components/linstorCluster/resyncGate";

export const hasPython = (() => {
    try {
        execFileSync("python3", ["--version"]);
        return true;
    } catch {
        return false;
    }
})();

let script: string | undefined;

/** The gate's exit code and output; `env` sets its timings (each spec picks short ones) and anything else. */
export function runResyncGate(api: string, env: Record<string, string>): Promise<{ code: number; out: string }> {
    if (script === undefined) {
        script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "resync-gate-")), "gate.py");
        fs.writeFileSync(script, RESYNC_GATE_SCRIPT);
    }
    return new Promise((resolve) => {
        execFile(
            "python3",
            [script as string],
            { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LINSTOR_API: api, ...env }, encoding: "utf8", timeout: 10000 },
            (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, out: stdout + stderr }),
        );
    });
}
