#!/usr/bin/env node
/**
 * `npm run plan -- <stack>`: builds the plan to JavaScript (bin/, git-ignored) when a source changed since the
 * last build, then runs it. The build is transpile-only (TypeScript's transpileModule, file by file, about a
 * second): type checking is `npm test`'s job, and the plan then measures its own evaluation, not TypeScript's
 * start-up. Plain JavaScript because it runs before anything is compiled.
 */

const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const root = path.resolve(__dirname, "..", "..");
const outDir = path.join(root, "bin");
const stamp = path.join(outDir, ".plan-build");
const SOURCES = ["components", "stacks", "policy"];

/** Every TypeScript source the plan is built from (declaration files and node_modules excluded). */
function sourcesIn(dir) {
    const files = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.name === "node_modules") continue;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) files.push(...sourcesIn(full));
        else if (/\.ts$/.test(entry.name) && !/\.d\.ts$/.test(entry.name)) files.push(full);
    }
    return files;
}

/** Transpiles each file on its own with the project's compiler options; returns false on a syntax error. */
function build(files) {
    const ts = require("typescript");
    const { config } = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile);
    const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, root);
    let ok = true;
    for (const file of files) {
        const result = ts.transpileModule(fs.readFileSync(file, "utf8"), { compilerOptions: options, fileName: file, reportDiagnostics: true });
        for (const d of result.diagnostics ?? []) {
            ok = false;
            process.stderr.write(`${path.relative(root, file)}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}\n`);
        }
        const out = path.join(outDir, path.relative(root, file)).replace(/\.ts$/, ".js");
        fs.mkdirSync(path.dirname(out), { recursive: true });
        fs.writeFileSync(out, result.outputText);
    }
    return ok;
}

const files = SOURCES.flatMap((d) => sourcesIn(path.join(root, d)));
const newest = Math.max(...files.map((f) => fs.statSync(f).mtimeMs), fs.statSync(__filename).mtimeMs);
const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
if (newest > built) {
    process.stderr.write("Building the plan (transpile only, once per source change)…\n");
    if (!build(files)) process.exit(2);
    fs.writeFileSync(stamp, new Date().toISOString());
}
const run = spawnSync(process.execPath, [path.join(outDir, "stacks", "offline", "plan.js"), ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(run.status === null ? 2 : run.status);
