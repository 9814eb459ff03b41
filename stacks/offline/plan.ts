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
import {
    defaultMetadataVolumeGiB,
    drbdBitmapMemoryMiB,
    externalMetadataMiB,
    instanceMemoryMiB,
    requiredNodeMemoryMiB,
} from "../../components/linstorCluster/sizing";
import { formatRtoReport, rtoInputsFromSettings, rtoModel } from "../../components/rto";
import { type Finding, mandatory, type PackResult, type RecordedResource, runPolicies, toPolicyResources } from "../../policy/offline";
import { policies } from "../../policy/policies";
import { linstorParameter } from "../../policy/props";
import type { StackConfig } from "../config";
import type { ClusterConfig } from "../config/cluster";
import { snapshotSchedule } from "../wiring";
import { loadStackConfig, REPO_ROOT } from "./stackFile";

export const USAGE =
    "usage: npm run plan -- <stack> [-c <namespace:key>=<value>]... [--policy-pack-config <file.json>] " +
    "[--stack-outputs <org/project/stack>=<file.json>]... [--write-outputs <file.json>] [--timing]";
/** The plan may take this many times the bare SDK import time (issue 8). */
export const OVERHEAD_TARGET = 1.5;

export const OFFLINE_LIMITS = [
    "IDs, ARNs, endpoints, the AMI and the kubeconfig are placeholders: nothing is looked up in AWS or Kubernetes.",
    "Helm charts are not rendered and operators do not run: chart-made objects are judged from release values only.",
    "Account limits, quotas, IAM permission sufficiency, prices and instance-type availability per AZ are not checked.",
    "Secret config values are not decrypted (placeholders); StackReferences see only outputs given with --stack-outputs.",
];

// ---- pure parts (tested in tests/stacks/offline/plan.spec.ts) -----------------------------------------------------------------

export interface ComponentGroup {
    readonly label: string;
    readonly count: number;
    readonly kinds: Record<string, number>;
}

/** `aws:iam/role:Role` → `aws:Role`: short and still unambiguous between providers. */
export const kindOf = (type: string) => `${type.split(":")[0]}:${type.split(":").pop()}`;

/** Registered resources grouped under their top-level component (reads and root resources apart). */
export function resourcesByComponent(records: readonly RecordedResource[]): ComponentGroup[] {
    const byUrn = new Map(records.filter((r) => r.options).map((r) => [r.options!.urn, r]));
    const groups = new Map<string, { count: number; kinds: Record<string, number> }>();
    for (const r of records) {
        let top: RecordedResource | undefined;
        for (
            let cur = r.options?.parent ? byUrn.get(r.options.parent) : undefined;
            cur;
            cur = cur.options?.parent ? byUrn.get(cur.options.parent) : undefined
        )
            top = cur;
        if (!top && r.custom === false && r.options) continue; // a top-level component heads its own group
        const label = r.options === undefined ? "(read, not managed)" : top ? `${top.type} ${top.name}` : "(stack root)";
        const g = groups.get(label) ?? { count: 0, kinds: {} };
        g.count++;
        g.kinds[kindOf(r.type)] = (g.kinds[kindOf(r.type)] ?? 0) + 1;
        groups.set(label, g);
    }
    return [...groups].map(([label, g]) => ({ label, ...g })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

export interface NodeGroupPlacement {
    readonly name: string;
    readonly zones: string[];
    readonly scaling?: { minSize?: number; desiredSize?: number; maxSize?: number };
}

export function azLayout(records: readonly RecordedResource[], subnetZones: ReadonlyMap<string, string>) {
    const vpcZones = records.filter((r) => r.type === "awsx:ec2:Vpc").flatMap((r) => r.inputs.availabilityZoneNames ?? []) as string[];
    const groups: NodeGroupPlacement[] = records
        .filter((r) => r.type === "eks:index:ManagedNodeGroup" || r.type === "aws:eks/nodeGroup:NodeGroup")
        .map((r) => ({
            name: r.inputs.nodeGroupName ?? r.inputs.nodeGroupNamePrefix ?? r.name,
            zones: ((r.inputs.subnetIds ?? []) as string[]).map((id) => subnetZones.get(id) ?? `subnet ${id}`),
            scaling: r.inputs.scalingConfig,
        }));
    const instanceTypes = [...new Set(records.filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate").map((r) => r.inputs.instanceType))];
    return { vpcZones, groups, instanceTypes };
}

export interface ClassSummary {
    readonly name: string;
    readonly provisioner: string;
    readonly replicas?: number;
    readonly zoneSpread: boolean;
    readonly reclaimPolicy: string;
}

export function storageClasses(records: readonly RecordedResource[]): ClassSummary[] {
    return records
        .filter((r) => r.type === "kubernetes:storage.k8s.io/v1:StorageClass")
        .map((r) => {
            const p = r.inputs.parameters;
            const replicas = linstorParameter(p, "placementCount") ?? linstorParameter(p, "autoPlace");
            return {
                name: r.inputs.metadata?.name ?? r.name,
                provisioner: r.inputs.provisioner ?? "?",
                replicas: replicas === undefined ? undefined : Number(replicas),
                zoneSpread: (linstorParameter(p, "replicasOnDifferent") ?? "").includes("topology.kubernetes.io/zone"),
                reclaimPolicy: r.inputs.reclaimPolicy ?? "Delete (unset)",
            };
        });
}

export interface Sizing {
    readonly nodes: number;
    readonly dataGiB: number;
    readonly dataType: string;
    readonly maxReplicas: number;
    readonly bitmapMiB: number;
    readonly requiredMemoryMiB: number;
    readonly instanceType: string;
    readonly instanceMemoryMiB?: number;
    readonly peerSlots: number;
    readonly maxVolumes: number;
    readonly metadataNeededMiB: number;
    readonly metadataVolumeGiB: number;
    /** Usable replicated capacity by replica count, assuming data spreads evenly. */
    readonly usableGiB: Record<number, number>;
}

/** DRBD sizing of one storage node, from components/linstorCluster/sizing.ts (the rules the component validates with). */
export function sizingOf(c: ClusterConfig, zones: number): Sizing {
    const maxReplicas = Math.max(...c.storageClassReplicas);
    const nodes = zones * c.nodesPerAz;
    return {
        nodes,
        dataGiB: c.dataVolumeSizeGiB,
        dataType: c.dataVolumeType,
        maxReplicas,
        bitmapMiB: drbdBitmapMemoryMiB(c.dataVolumeSizeGiB, maxReplicas),
        requiredMemoryMiB: requiredNodeMemoryMiB(c.dataVolumeSizeGiB, maxReplicas),
        instanceType: c.instanceType,
        instanceMemoryMiB: c.instanceMemoryMiB ?? instanceMemoryMiB(c.instanceType),
        peerSlots: c.drbdPeerSlots,
        maxVolumes: c.maxVolumesPerNode,
        metadataNeededMiB: externalMetadataMiB(c.dataVolumeSizeGiB, c.drbdPeerSlots, c.maxVolumesPerNode),
        metadataVolumeGiB: c.metadataVolumeSizeGiB ?? defaultMetadataVolumeGiB(c.dataVolumeSizeGiB, c.drbdPeerSlots, c.maxVolumesPerNode),
        usableGiB: Object.fromEntries(c.storageClassReplicas.map((n) => [n, Math.floor((nodes * c.dataVolumeSizeGiB) / n)])),
    };
}

export interface Timing {
    /** Process start → verdict. */
    readonly planMs: number;
    /** A bare `node -e "require(...)"` of the same SDKs; undefined when not measured. */
    readonly floorMs?: number;
    readonly sdks: string[];
    /** Where the time went, in order: label → milliseconds. */
    readonly phases?: [string, number][];
}

export function formatTiming(t: Timing): string {
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const phases = t.phases?.length ? ` (${t.phases.map(([label, ms]) => `${label} ${s(ms)}`).join(", ")})` : "";
    if (t.floorMs === undefined) return `Timing: plan ${s(t.planMs)} wall${phases}; SDK import floor not measured.`;
    const ratio = t.planMs / t.floorMs;
    return (
        `Timing: plan ${s(t.planMs)} wall${phases}; importing its SDKs alone (${t.sdks.join(", ")}) takes ` +
        `${s(t.floorMs)} → ${ratio.toFixed(2)}× (target ≤ ${OVERHEAD_TARGET}×: ${ratio <= OVERHEAD_TARGET ? "met" : "missed"}).`
    );
}

/** 0 clean, 1 a mandatory violation, 2 a failure before policies could judge the stack. */
export function exitCodeFor(o: { readonly failure?: "config" | "evaluation" | "usage"; readonly violations: readonly Finding[] }): number {
    if (o.failure) return 2;
    return o.violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
}

export interface PlanReport {
    readonly stack: string;
    readonly project: string;
    readonly role: string;
    readonly region: string;
    readonly records: readonly RecordedResource[];
    readonly subnetZones: ReadonlyMap<string, string>;
    readonly guesses: readonly string[];
    readonly sizing?: Sizing;
    readonly result: PackResult;
    /** The RTO/RPO model of the stack's config (components/rto/index.ts), already formatted. */
    readonly rto?: string;
    readonly timing?: Timing;
}

export function formatPlan(p: PlanReport): string {
    const out: string[] = [];
    const managed = p.records.filter((r) => r.options).length;
    out.push(`Offline plan of stack ${p.stack} (project ${p.project}, role ${p.role}, region ${p.region})`, "");
    out.push(`Resources: ${managed} registered, ${p.records.length - managed} read`);
    for (const g of resourcesByComponent(p.records)) {
        out.push(`  ${g.label}: ${g.count}`);
        out.push(
            `      ${Object.entries(g.kinds)
                .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
                .map(([k, n]) => `${k} ×${n}`)
                .join(", ")}`,
        );
    }
    const az = azLayout(p.records, p.subnetZones);
    out.push(
        "",
        `Availability zones: VPC ${az.vpcZones.length > 0 ? az.vpcZones.join(", ") : "(existing VPC)"}; ` +
            `storage instance type ${az.instanceTypes.join(", ") || "?"}`,
    );
    for (const g of az.groups) {
        const s = g.scaling;
        out.push(`  node group ${g.name}: ${g.zones.join(", ")}${s ? ` — ${s.desiredSize} node(s), min ${s.minSize}, max ${s.maxSize}` : ""}`);
    }
    out.push("", "StorageClasses:");
    for (const c of storageClasses(p.records)) {
        out.push(
            `  ${c.name}: ${c.provisioner}, ${c.replicas ?? "?"} replica(s)${c.zoneSpread && (c.replicas ?? 1) > 1 ? " in different zones" : ""}, reclaim ${c.reclaimPolicy}`,
        );
    }
    if (p.sizing) {
        const z = p.sizing;
        out.push(
            "",
            `Sizing (per storage node, ${z.nodes} nodes):`,
            `  data ${z.dataGiB} GiB ${z.dataType}; usable replicated capacity ${Object.entries(z.usableGiB)
                .map(([n, g]) => `r${n} ${g} GiB`)
                .join(", ")}`,
            `  DRBD bitmaps in RAM at ${z.maxReplicas} replicas: ${z.bitmapMiB} MiB; node needs ≥ ${z.requiredMemoryMiB} MiB, ` +
                `${z.instanceType} has ${z.instanceMemoryMiB ?? "?"} MiB`,
            `  DRBD metadata: ${z.metadataNeededMiB} MiB needed (${z.peerSlots} peer slots, ≤ ${z.maxVolumes} volumes) on a ${z.metadataVolumeGiB} GiB volume`,
        );
    }
    if (p.rto) out.push("", p.rto);
    const bad = p.result.violations;
    out.push(
        "",
        `Policies: ${policies.length} rules of pack ha-jenkins-eks; ${mandatory(p.result).length} mandatory violation(s), ` +
            `${bad.length - mandatory(p.result).length} advisory`,
    );
    for (const v of bad) {
        out.push(
            `  ✖ [${v.enforcementLevel}] ${v.policyName}${v.resourceName ? ` — ${v.resourceType} ${v.resourceName}` : ""}`,
            `      ${v.message}`,
        );
    }
    for (const n of p.result.notApplicable) out.push(`  – ${n.policyName}: not applicable (${n.reason})`);
    if (bad.length === 0) out.push("  ✔ no violations");
    out.push("", "Cannot be known offline:", ...[...OFFLINE_LIMITS, ...p.guesses.map((g) => `Guessed: ${g}.`)].map((l) => `  - ${l}`));
    if (p.timing) out.push("", formatTiming(p.timing));
    return out.join("\n");
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
    readonly benchmark: boolean;
}

export function parseArgs(argv: readonly string[]): PlanArgs {
    const rest = [...argv];
    let stack: string | undefined;
    const overrides: Record<string, string> = {};
    const stackOutputs: Record<string, string> = {};
    let policyConfigFile: string | undefined;
    let writeOutputs: string | undefined;
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
        // Maintainers: how long the plan takes against a bare import of the SDKs (not shown to users by default).
        else if (a === "--timing") benchmark = true;
        else if (!a.startsWith("-") && stack === undefined) stack = a;
        else throw new Error(`unexpected argument ${a}`);
    }
    if (!stack) throw new Error("name the stack to plan (Pulumi.<stack>.yaml)");
    return { stack, overrides, policyConfigFile, stackOutputs, writeOutputs, benchmark };
}

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
    const resources = toPolicyResources(run.records, { stack: args.stack, project: cfg.project, config });
    const result = await runPolicies(policies, resources, { config: policyConfig, enforcementLevel: "mandatory" });
    const planMs = performance.now();
    marks.push(["policies", planMs]);
    const phases = marks.map(([label, at], i): [string, number] => [label, at - (i === 0 ? 0 : marks[i - 1][1])]);
    const sdks = sdkPackages(Object.keys(require.cache));
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
            rto: formatRtoReport(
                rtoModel(
                    rtoInputsFromSettings({
                        linstor: cfg.cluster,
                        jenkins: cfg.jenkins,
                        snapshotIntervalSeconds: snapshotSchedule(cfg)?.intervalSeconds ?? null,
                    }),
                ),
            ),
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
