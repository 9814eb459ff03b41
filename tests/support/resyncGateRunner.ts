/**
 * Runs the real resync gate script (components/linstorCluster/resyncGate.ts) under python3 against a fake API.
 *
 * By default the gate runs on a virtual clock: `time.monotonic` only moves when the script calls `time.sleep`, which
 * returns at once. Its window and give-up then count polls (a 0.15 s window with 0.03 s polls is five polls, however
 * loaded the machine), and the fakes change state per poll (FakeLinstor.everyPoll), so a scenario has one outcome.
 * `clock: "real"` keeps Python's own clock, for a scenario that proves the script's real waiting.
 */
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

/** Installs the virtual clock, then runs the gate (argv[1]) as __main__; its sys.exit code is the process's. */
const VIRTUAL_CLOCK = `import runpy, sys, time
virtual = [time.monotonic()]
def monotonic():
    return virtual[0]
def sleep(seconds):
    virtual[0] += seconds
time.monotonic = monotonic
time.sleep = sleep
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
`;

let files: { gate: string; clock: string } | undefined;

/**
 * The gate's exit code and output; `env` sets its timings (virtual seconds unless `clock: "real"`) and anything else.
 * A run still going after 15 s (a hang; under mocha's 20 s, so its output shows) is killed.
 */
export function runResyncGate(
    api: string,
    env: Record<string, string>,
    opts: { clock?: "virtual" | "real" } = {},
): Promise<{ code: number; out: string }> {
    if (files === undefined) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "resync-gate-"));
        files = { gate: path.join(dir, "gate.py"), clock: path.join(dir, "virtualClock.py") };
        fs.writeFileSync(files.gate, RESYNC_GATE_SCRIPT);
        fs.writeFileSync(files.clock, VIRTUAL_CLOCK);
    }
    const args = opts.clock === "real" ? [files.gate] : [files.clock, files.gate];
    return new Promise((resolve) => {
        execFile(
            "python3",
            args,
            { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LINSTOR_API: api, ...env }, encoding: "utf8", timeout: 15000 },
            (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, out: stdout + stderr }),
        );
    });
}
