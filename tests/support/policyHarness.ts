/**
 * Runs CrossGuard rules in mocha without the engine (UPSTREAM §2.6): hand-built validation args (policy/offline.ts,
 * shared with `npm run plan`), `notApplicable` thrown and caught, config defaulted from each rule's schema.
 */
import type { EnforcementLevel, PolicyPackConfig, PolicyResource } from "@pulumi/policy";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { type Finding, type PackResult, type RecordedResource, runPolicies, toPolicyResources } from "../../policy/offline";
import { policies } from "../../policy/policies";
import { mockSubnetZones, PROJECT, recorded } from "./mocks";

type Rule = (typeof policies)[number];

export interface HarnessOptions {
    readonly stack?: string;
    /** Stack config, for default providers (e.g. `{"aws:region": "us-west-2"}`). */
    readonly stackConfig?: Record<string, string>;
    readonly config?: PolicyPackConfig;
    /**
     * Subnets of mocked awsx VPCs (policy/offline.ts EvaluationContext): `evaluate` and `violations` add none (hand-made
     * records bring their own), the whole-stack helpers default to every one the shared mock invented.
     */
    readonly subnetZones?: ReadonlyMap<string, string>;
}

let counter = 0;

/** A hand-made registration: `props` are the inputs; `extra` sets name, provider reference, id or options. */
export function resource(type: string, props: Record<string, unknown>, extra: Partial<RecordedResource> = {}): RecordedResource {
    const name = extra.name ?? `test-${++counter}`;
    return {
        type,
        name,
        inputs: props,
        custom: !type.startsWith("eks:index:") && !type.startsWith("awsx:"),
        id: `${name}-id`,
        options: { urn: `urn:pulumi:test::${PROJECT}::${type}::${name}`, dependencies: [] },
        ...extra,
    };
}

/** An explicit provider plus the reference string a resource would carry for it (`<urn>::<id>`). */
export function provider(pkg: string, props: Record<string, unknown>, name = `${pkg}-provider`): { record: RecordedResource; ref: string } {
    const record = resource(`pulumi:providers:${pkg}`, props, { name });
    return { record, ref: `${record.options!.urn}::${record.id}` };
}

export async function evaluate(rules: readonly Rule[], records: readonly RecordedResource[], opts: HarnessOptions = {}): Promise<PackResult> {
    const resources = toPolicyResources(records, {
        stack: opts.stack ?? "test",
        project: PROJECT,
        config: opts.stackConfig ?? { "aws:region": "us-west-2" },
        subnetZones: opts.subnetZones,
    });
    return runPolicies([...rules], resources, { config: opts.config, enforcementLevel: "mandatory" });
}

/** Messages of one rule's violations over hand-made resources. */
export async function violations(rule: Rule, records: readonly RecordedResource[], opts: HarnessOptions = {}): Promise<string[]> {
    return (await evaluate([rule], records, opts)).violations.map((v) => v.message);
}

/** Whether `rule` reported itself not applicable to these resources. */
export async function notApplicable(rule: Rule, records: readonly RecordedResource[], opts: HarnessOptions = {}): Promise<boolean> {
    return (await evaluate([rule], records, opts)).notApplicable.some((n) => n.policyName === rule.name);
}

/** The WHOLE pack over what the shared mock recorded (default: everything the last evaluated stack registered). */
export async function packViolations(records: readonly RecordedResource[] = recorded, opts: HarnessOptions = {}): Promise<Finding[]> {
    return (await evaluate(policies, records, { subnetZones: mockSubnetZones, ...opts })).violations;
}

/** Deep copy of recorded resources, to hand-edit a "broken stack" without touching the shared records. */
export function cloneRecords(records: readonly RecordedResource[] = recorded): RecordedResource[] {
    return records.map((r) => ({
        ...r,
        inputs: structuredClone(stripResources(r.inputs)),
        ...(r.outputs !== undefined ? { outputs: structuredClone(stripResources(r.outputs)) } : {}),
    }));
}

/** Resource objects inside inputs (e.g. a node group's `cluster`) cannot be cloned; policies never read them. */
function stripResources(value: unknown): unknown {
    if (value === null || typeof value !== "object") return value;
    if ((value as { __pulumiResource?: boolean }).__pulumiResource === true) return `resource:${(value as { __name?: string }).__name}`;
    if (Array.isArray(value)) return value.map(stripResources);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripResources(v)]));
}

// ---- the same resources through CrossGuard's own analyzer handlers ------------------------------------------

/** The Analyze/AnalyzeStack RPC handlers of @pulumi/policy (server.ts; internal, no typings). */
const server = require("@pulumi/policy/server") as Record<
    string,
    (...args: unknown[]) => (call: unknown, cb: (err: unknown, resp: any) => void) => void
>;
const LEVELS: Record<number, EnforcementLevel> = {
    [analyzer.EnforcementLevel.ADVISORY]: "advisory",
    [analyzer.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzer.EnforcementLevel.DISABLED]: "disabled",
    [analyzer.EnforcementLevel.REMEDIATE]: "remediate",
};

/** Props behind the offline runner's unknown-checking proxy, as the engine would serialize them (sentinels included). */
const struct = (props: unknown) =>
    Struct.fromJavaScript(JSON.parse(JSON.stringify((props as Record<string, unknown>).__getSpecialProxyTarget ?? props ?? {})));

function options(r: PolicyResource): analyzer.AnalyzerResourceOptions {
    const o = new analyzer.AnalyzerResourceOptions();
    o.setProtect(r.opts.protect);
    if (r.opts.parent) o.setParent(r.opts.parent);
    return o;
}

function providerMessage(r: PolicyResource): analyzer.AnalyzerProviderResource | undefined {
    if (!r.provider) return undefined;
    const p = new analyzer.AnalyzerProviderResource();
    p.setType(r.provider.type);
    p.setUrn(r.provider.urn);
    p.setName(r.provider.name);
    p.setProperties(struct(r.provider.props));
    return p;
}

/** Builds the engine's gRPC requests for `records` and returns the diagnostics CrossGuard's own handlers produce. */
export async function crossGuardViolations(records: readonly RecordedResource[], opts: HarnessOptions = {}): Promise<Finding[]> {
    const resources = toPolicyResources(records, {
        stack: opts.stack ?? "test",
        project: PROJECT,
        config: opts.stackConfig ?? { "aws:region": "us-west-2" },
        subnetZones: opts.subnetZones ?? mockSubnetZones,
    });
    const call = (handler: ReturnType<typeof server.makeAnalyzeRpcFun>, request: unknown) =>
        new Promise<analyzer.AnalyzeResponse>((resolve, reject) => handler({ request }, (err, resp) => (err ? reject(err) : resolve(resp))));
    const findings: Finding[] = [];
    // Normalized to the offline runner's shape: CrossGuard prefixes the rule's description and names the pack, and
    // the engine (not the pack) attaches a resource rule's URN.
    const collect = (resp: analyzer.AnalyzeResponse, urn?: string) =>
        resp.getDiagnosticsList().forEach((d) => {
            findings.push({
                policyName: d.getPolicyname(),
                enforcementLevel: LEVELS[d.getEnforcementlevel()],
                message: d.getMessage().replace(`${d.getDescription()}\n`, "").replace(" from policy pack 'ha-jenkins-eks@v0.1.0'", ""),
                urn: d.getUrn() || urn,
            });
        });
    const analyze = server.makeAnalyzeRpcFun("ha-jenkins-eks", "0.1.0", "mandatory", policies);
    for (const r of resources.filter((x) => records.find((rec) => rec.name === x.name && rec.type === x.type)?.options !== undefined)) {
        const req = new analyzer.AnalyzeRequest();
        req.setType(r.type);
        req.setUrn(r.urn);
        req.setName(r.name);
        req.setProperties(struct(r.props));
        req.setOptions(options(r));
        const p = providerMessage(r);
        if (p) req.setProvider(p);
        collect(await call(analyze, req), r.urn);
    }
    const stackReq = new analyzer.AnalyzeStackRequest();
    stackReq.setResourcesList(
        resources.map((r) => {
            const a = new analyzer.AnalyzerResource();
            a.setType(r.type);
            a.setUrn(r.urn);
            a.setName(r.name);
            a.setProperties(struct(r.props));
            a.setOptions(options(r));
            if (r.parent) a.setParent(r.parent.urn);
            const p = providerMessage(r);
            if (p) a.setProvider(p);
            return a;
        }),
    );
    collect(await call(server.makeAnalyzeStackRpcFun("ha-jenkins-eks", "0.1.0", "mandatory", policies), stackReq));
    return findings;
}
