#!/usr/bin/env node
/**
 * Prints every tests/**\/*.spec.ts for `npm run mocha`, the slowest first. `mocha --parallel` hands files to its two
 * workers in the order given, so a long spec started last is the run's tail; started first, the short ones fill the
 * other worker meanwhile. A file listed here that no longer exists is skipped; every other spec follows, sorted. Each
 * file is printed once (a file given twice may run twice, once per worker).
 */
const fs = require("node:fs");
const path = require("node:path");

/** Measured slowest (CPU incl. the processes they start; tests/README.md "Speed"), longest first. */
const SLOWEST = [
    "tests/components/linstorDbBackup/restoreScript.spec.ts",
    "tests/components/package.spec.ts",
    "tests/components/snapshots/retention.spec.ts",
    "tests/stacks/offline/planCli.spec.ts",
    "tests/components/linstorCluster/resyncGate.spec.ts",
    "tests/stacks/drChoice.spec.ts",
    "tests/components/snapshots/restoreGate.spec.ts",
    "tests/components/snapshots/releaseChain.spec.ts",
    "tests/components/snapshots/restoreDownload.spec.ts",
];

const root = path.join(__dirname, "..", "..");
const specs = (dir) =>
    fs
        .readdirSync(path.join(root, dir), { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? specs(`${dir}/${e.name}`) : e.name.endsWith(".spec.ts") ? [`${dir}/${e.name}`] : []));
const all = specs("tests").sort();
const first = SLOWEST.filter((f) => all.includes(f));
process.stdout.write(`${[...first, ...all.filter((f) => !first.includes(f))].join("\n")}\n`);
