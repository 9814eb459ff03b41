/**
 * What `.mocharc.json` loads first, in the main process and in each parallel worker: ts-node, with two on-disk caches
 * keyed by content under node_modules/.cache/hje (git-ignored; `npm ci` starts without them, so CI gets none):
 * - ts-node's transpile-only output per file (transpileModule builds a program per file: about 4 s per worker for the
 *   ~220 sources a worker loads). Keyed by the TypeScript and ts-node versions, the compiler options, the file name and
 *   its text, so an edit recompiles. Only in transpile-only mode: a type-checking ts-node must see every file. Entries
 *   nobody used for a week go (checked once a day).
 * - V8's compile cache (Node's NODE_COMPILE_CACHE, checked against each source's hash), also for the node processes
 *   the specs start (the offline plan, the component plugin) through the environment.
 * `HJE_NO_TEST_CACHE=1` turns both off.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const CACHE = path.join(__dirname, "..", "..", "node_modules", ".cache", "hje");
const enabled = process.env.HJE_NO_TEST_CACHE !== "1";

if (enabled && process.env.NODE_COMPILE_CACHE === undefined) {
    process.env.NODE_COMPILE_CACHE = path.join(CACHE, "v8");
    require("node:module").enableCompileCache?.(process.env.NODE_COMPILE_CACHE);
}

require("ts-node/register");

const service = process[require("ts-node").REGISTER_INSTANCE];
if (enabled && service?.transpileOnly) {
    const dir = path.join(CACHE, "ts-node");
    fs.mkdirSync(dir, { recursive: true });
    pruneOnceADay(dir);
    const salt = JSON.stringify([service.ts.version, require("ts-node/package.json").version, service.config.options]);
    /** Cached outputs this process used, by file name: ts-node's own source-map lookup knows only what it compiled. */
    const served = new Map();
    const compile = service.compile;
    service.compile = function cachedCompile(code, fileName, lineOffset) {
        if (lineOffset) return compile.call(this, code, fileName, lineOffset);
        const key = crypto.createHash("sha256").update(salt).update("\0").update(fileName).update("\0").update(code).digest("hex");
        const file = path.join(dir, `${key}.js`);
        let output;
        try {
            output = fs.readFileSync(file, "utf8");
        } catch {
            output = compile.call(this, code, fileName);
            // Write-then-rename: the other worker may be reading the same entry.
            const tmp = `${file}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, output);
            fs.renameSync(tmp, file);
            return output;
        }
        served.set(fileName.replace(/\\/g, "/"), output);
        touch(file);
        return output;
    };
    // The output ends with its inline source map; stack traces of cached files map through it as ts-node's do.
    require("@cspotcode/source-map-support").install({
        environment: "node",
        retrieveFile: (p) => served.get(p.replace(/\\/g, "/")) ?? null,
    });
}

/** Marks an entry as used now: pruning keeps what was used within a week. */
function touch(file) {
    const now = new Date();
    try {
        fs.utimesSync(file, now, now);
    } catch {}
}

/** Every edit leaves an entry behind: once a day, drop those nobody used for a week. */
function pruneOnceADay(dir) {
    const stamp = path.join(dir, ".pruned");
    const day = 24 * 3600 * 1000;
    try {
        if (Date.now() - fs.statSync(stamp).mtimeMs < day) return;
    } catch {}
    fs.writeFileSync(stamp, "");
    for (const name of fs.readdirSync(dir)) {
        const file = path.join(dir, name);
        try {
            if (name !== ".pruned" && Date.now() - fs.statSync(file).mtimeMs > 7 * day) fs.rmSync(file, { force: true });
        } catch {}
    }
}
