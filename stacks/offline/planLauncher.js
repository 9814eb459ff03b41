#!/usr/bin/env node
/**
 * `npm run plan -- <stack>`: builds the plan to JavaScript (bin/, git-ignored) when a source changed since
 * the last build, then runs it. The plan then measures its own evaluation, not TypeScript's start-up
 * (type checking is `npm test`'s job). Plain JavaScript because it runs before anything is compiled.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const root = path.resolve(__dirname, "..", "..");
const outDir = path.join(root, "bin");
const stamp = path.join(outDir, ".plan-build");
const SOURCES = ["components", "stacks", "policy"];

/** Newest modification time of the TypeScript sources the plan is built from. */
function newestSource(dir) {
    let newest = 0;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.name === "node_modules") continue;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
        else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
    }
    return newest;
}

const sources = Math.max(...SOURCES.map((d) => newestSource(path.join(root, d))));
const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
if (sources > built) {
    process.stderr.write("Building the plan (once per source change)…\n");
    const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(__dirname, "plan.tsconfig.json")], { stdio: "inherit" });
    if (tsc.status !== 0) process.exit(2);
    fs.writeFileSync(stamp, new Date().toISOString());
}
const run = spawnSync(process.execPath, [path.join(outDir, "stacks", "offline", "plan.js"), ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(run.status === null ? 2 : run.status);
