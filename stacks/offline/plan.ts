/**
 * `npm run plan -- <stack>`: evaluates a stack with its real Pulumi.yaml + Pulumi.<stack>.yaml under offline mocks
 * (no credentials, no cloud), applies the CrossGuard rules of policy/policies.ts to every registered resource and
 * prints what would be built: resources by component, AZ layout, StorageClass replicas, DRBD sizing and policy
 * violations. Exit 0 = clean, 1 = a mandatory violation, 2 = invalid config, usage or evaluation error.
 * It runs the stack program itself (stacks/index.ts) and the pack's rules; nothing is reimplemented here.
 */

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { performance } from "node:perf_hooks";
import type { PolicyPackConfig } from "@pulumi/policy";
import { formatRtoReport, rtoInputsFromSettings, rtoModel } from "../../components/rto";
import { maxScheduleGapSeconds } from "../../components/shared/cron";
import { RESTORE_CHECK_DEFAULT_SCHEDULE, RESTORE_DOWNLOAD_DEFAULT_SCHEDULE } from "../../components/snapshots/restoreTiming";
import { type Finding, runPolicies, toPolicyResources } from "../../policy/offline";
import { policies } from "../../policy/policies";
import type { StackConfig } from "../config";
import { snapshotSchedule } from "../wiring";
import { backupReport } from "./backupReport";
import { diagramMarkdown, withDiagram } from "./diagram";
import { azLayout, formatPlan, sizingOf } from "./report";
import { loadStackConfig, REPO_ROOT } from "./stackFile";

// The report (report.ts) is part of the plan's interface.
export {
    azLayout,
    type ClassSummary,
    type ComponentGroup,
    formatPlan,
    formatTiming,
    kindOf,
    type NodeGroupPlacement,
    OFFLINE_LIMITS,
    OVERHEAD_TARGET,
    type PlanReport,
    resourcesByComponent,
    type Sizing,
    sizingOf,
    storageClasses,
    type Timing,
} from "./report";

export const USAGE =
    "usage: npm run plan -- <stack> [-c <namespace:key>=<value>]... [--policy-pack-config <file.json>] " +
    "[--stack-outputs <org/project/stack>=<file.json>]... [--write-outputs <file.json>] [--diagram <file.md>] [--timing]";

// ---- pure parts (tested in tests/stacks/offline/plan.spec.ts) -----------------------------------------------------------------

/** 0 clean, 1 a mandatory violation, 2 a failure before policies could judge the stack. */
export function exitCodeFor(o: { readonly failure?: "config" | "evaluation" | "usage"; readonly violations: readonly Finding[] }): number {
    if (o.failure) return 2;
    return o.violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
}

/** Pulumi SDK packages among loaded module files (what the floor measurement must import). */
export function sdkPackages(files: readonly string[]): string[] {
    const found = new Set<string>();
    for (const f of files) {
        const m = /node_modules[\\/](@pulumi[\\/][^\\/]+)[\\/]/.exec(f);
        if (m) found.add(m[1].replace("\\", "/"));
    }
    return [...found].sort();
}

export interface PlanArgs {
    readonly stack: string;
    readonly overrides: Record<string, string>;
    readonly policyConfigFile?: string;
    readonly stackOutputs: Record<string, string>;
    /** Write the stack's (mock) outputs here, e.g. to plan a DR stack against a planned primary. */
    readonly writeOutputs?: string;
    /** Write the Mermaid diagrams here (between the markers of a Markdown file that has them, e.g. README.md). */
    readonly diagram?: string;
    readonly benchmark: boolean;
}

export function parseArgs(argv: readonly string[]): PlanArgs {
    const rest = [...argv];
    let stack: string | undefined;
    const overrides: Record<string, string> = {};
    const stackOutputs: Record<string, string> = {};
    let policyConfigFile: string | undefined;
    let writeOutputs: string | undefined;
    let diagram: string | undefined;
    let benchmark = false;
    const pair = (flag: string, v: string | undefined) => {
        const i = v?.indexOf("=") ?? -1;
        if (v === undefined || i <= 0) throw new Error(`${flag} needs <name>=<value>`);
        return [v.slice(0, i), v.slice(i + 1)];
    };
    while (rest.length > 0) {
        const a = rest.shift()!;
        if (a === "-c" || a === "--config") {
            const [k, v] = pair(a, rest.shift());
            overrides[k.includes(":") ? k : `ha-jenkins-eks:${k}`] = v;
        } else if (a === "--stack-outputs") {
            const [k, v] = pair(a, rest.shift());
            stackOutputs[k] = v;
        } else if (a === "--policy-pack-config") policyConfigFile = rest.shift();
        else if (a === "--write-outputs") writeOutputs = rest.shift();
        else if (a === "--diagram") diagram = rest.shift();
        // Maintainers: how long the plan takes against a bare import of the SDKs (not shown to users by default).
        else if (a === "--timing") benchmark = true;
        else if (!a.startsWith("-") && stack === undefined) stack = a;
        else throw new Error(`unexpected argument ${a}`);
    }
    if (!stack) throw new Error("name the stack to plan (Pulumi.<stack>.yaml)");
    return { stack, overrides, policyConfigFile, stackOutputs, writeOutputs, ...(diagram ? { diagram } : {}), benchmark };
}

/** The backup report as the plan's report fields. */
const backupFigures = (b: ReturnType<typeof backupReport>) => ({ dataPool: b.dataPool, backupCost: b.cost });

// ---- the command --------------------------------------------------------------------------------------------

function measureFloor(sdks: string[]): number | undefined {
    const start = performance.now();
    const child = spawnSync(process.execPath, ["-e", sdks.map((p) => `require(${JSON.stringify(p)})`).join(";")], {
        cwd: REPO_ROOT,
        stdio: "ignore",
    });
    return child.status === 0 ? performance.now() - start : undefined;
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));

async function main(argv: readonly string[]): Promise<number> {
    let args: PlanArgs;
    try {
        args = parseArgs(argv);
    } catch (e) {
        console.error(`${(e as Error).message}\n${USAGE}`);
        return exitCodeFor({ failure: "usage", violations: [] });
    }
    const tsNode = (process as unknown as Record<symbol, unknown>)[Symbol.for("ts-node.register.instance")] !== undefined;
    const marks: [string, number][] = [[`startup (node${tsNode ? ", ts-node" : ""}, the plan's imports)`, performance.now()]];
    // Pulumi records a stack trace per resource; mapping each through ts-node's source maps costs more than the
    // evaluation itself and the plan never shows them (PLAN_DEBUG keeps them for debugging).
    if (!process.env.PLAN_DEBUG) {
        delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
        Error.stackTraceLimit = 2;
    }
    const stackFile = loadStackConfig(args.stack);
    const config = { ...stackFile.config, ...args.overrides };
    const { startOfflineMocks, settleOffline } = await import("./offlineMocks");
    const run = startOfflineMocks({
        project: "ha-jenkins-eks",
        stack: args.stack,
        region: config["aws:region"] ?? "?",
        config,
        secretKeys: stackFile.secretKeys,
        stackOutputs: Object.fromEntries(Object.entries(args.stackOutputs).map(([name, file]) => [name, readJson(file)])),
    });
    const asyncErrors: unknown[] = [];
    process.on("unhandledRejection", (e) => asyncErrors.push(e));
    let cfg: StackConfig;
    try {
        cfg = (await import("../config")).loadConfig();
        const program = (await import("..")).default;
        const pulumi = await import("@pulumi/pulumi");
        marks.push(["loading the program and SDKs", performance.now()]);
        const outputs = await program();
        const resolved = await new Promise((resolve, reject) => {
            pulumi.output(outputs).apply(resolve);
            setTimeout(() => reject(new Error("outputs did not resolve within 60 s")), 60_000).unref();
        });
        if (args.writeOutputs) fs.writeFileSync(args.writeOutputs, `${JSON.stringify(resolved, null, 2)}\n`);
        await settleOffline(run);
        if (asyncErrors.length > 0) throw asyncErrors[0];
        marks.push(["evaluating under mocks", performance.now()]);
    } catch (e) {
        const err = e as Error;
        const isConfig = err?.name === "ConfigError" || err?.name === "MissingPrimaryOutputError";
        console.error(`${isConfig ? "Invalid configuration" : "Evaluation failed"} for stack ${args.stack}: ${err?.message ?? String(e)}`);
        if (process.env.PLAN_DEBUG) console.error(err?.stack);
        return exitCodeFor({ failure: isConfig ? "config" : "evaluation", violations: [] });
    }
    const policyConfig: PolicyPackConfig = args.policyConfigFile ? readJson(args.policyConfigFile) : {};
    const resources = toPolicyResources(run.records, { stack: args.stack, project: cfg.project, config, subnetZones: run.subnetZones });
    const result = await runPolicies(policies, resources, { config: policyConfig, enforcementLevel: "mandatory" });
    const planMs = performance.now();
    marks.push(["policies", planMs]);
    const phases = marks.map(([label, at], i): [string, number] => [label, at - (i === 0 ? 0 : marks[i - 1][1])]);
    const sdks = sdkPackages(Object.keys(require.cache));
    const rto = rtoModel(
        rtoInputsFromSettings({
            linstor: cfg.cluster,
            jenkins: cfg.jenkins,
            snapshotIntervalSeconds: snapshotSchedule(cfg)?.intervalSeconds ?? null,
            snapshots: cfg.snapshots,
            // A warm standby's DR path starts on a running cluster with the chain its download step fetched (drPaths.ts).
            overrides: {
                ...(cfg.dr?.drMode === "standby" ? { drClusterPreProvisioned: true } : {}),
                restoreCheckIntervalSeconds: maxScheduleGapSeconds(cfg.dr?.restoreCheckSchedule ?? RESTORE_CHECK_DEFAULT_SCHEDULE) as number,
                restoreDownloadIntervalSeconds: maxScheduleGapSeconds(cfg.dr?.restoreDownloadSchedule ?? RESTORE_DOWNLOAD_DEFAULT_SCHEDULE) as number,
            },
        }),
    );
    if (args.diagram) {
        const block = diagramMarkdown({ stack: args.stack, region: cfg.region, records: run.records, subnetZones: run.subnetZones, rto });
        fs.writeFileSync(args.diagram, withDiagram(fs.existsSync(args.diagram) ? fs.readFileSync(args.diagram, "utf8") : undefined, block));
    }
    const zones = azLayout(run.records, run.subnetZones).vpcZones.length || cfg.cluster.availabilityZones?.length || cfg.cluster.azCount;
    console.log(
        formatPlan({
            stack: args.stack,
            project: cfg.project,
            role: cfg.role,
            region: cfg.region,
            records: run.records,
            subnetZones: run.subnetZones,
            guesses: run.guesses,
            sizing: sizingOf(cfg.cluster, zones),
            result,
            rto: formatRtoReport(rto),
            ...backupFigures(backupReport(cfg, zones)),
            timing: args.benchmark ? { planMs, floorMs: measureFloor(sdks), sdks, phases } : undefined,
        }),
    );
    return exitCodeFor({ violations: result.violations });
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(`Plan failed: ${(e as Error).message ?? e}`);
            process.exit(2);
        },
    );
}
