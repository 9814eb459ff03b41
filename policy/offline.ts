/**
 * Runs the pack's rules without the Pulumi engine, over resources a mock monitor recorded — for the tests and
 * `npm run plan`. It hands each rule the arguments CrossGuard's analyzer builds (pulumi/pulumi-policy:
 * sdk/nodejs/server.ts, 1.21): plain props without secret wrappers behind the same unknown-checking proxy (so a
 * preview's unknown sentinel in an input throws as it would there), the provider resource (explicit, or the
 * default provider configured from the stack's `<package>:*` keys), parent and dependencies, config with the schema
 * defaults the engine fills in, and a `notApplicable` that throws and is caught. Resource rules skip reads
 * (`Resource.get`), as the engine does; stack rules see everything, a read with the outputs its Read returned.
 *
 * Not part of the pack: index.ts never imports it.
 */
import {
    type EnforcementLevel,
    type Policies,
    type PolicyPackConfig,
    type PolicyProviderResource,
    type PolicyResource,
    type PolicyResourceOptions,
    type ReportViolation,
    type ResourceValidationArgs,
    type ResourceValidationPolicy,
    type StackValidationArgs,
    type StackValidationPolicy,
    UnknownValueError,
    unknownCheckingProxy,
} from "@pulumi/policy";

/** What a recording mock keeps of a registration (tests/support/mocks.ts `Recorded` and stacks/offline/offlineMocks.ts fit it). */
export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    // biome-ignore lint/suspicious/noExplicitAny: resource inputs are arbitrary JSON from the engine
    readonly inputs: any;
    /** False for component resources. */
    readonly custom?: boolean;
    /** Provider reference `<urn>::<id>` of an explicit provider. */
    readonly provider?: string;
    readonly id?: string;
    /**
     * A read's state as the provider's Read returned it (stacks/offline/mockCloud.ts). Stack rules see a read's outputs
     * (pulumi/pulumi pkg/resource/deploy/step_generator.go AnalyzeResources: every resource's Outputs, reads included;
     * step.go ReadStep.Apply reads during previews too); its inputs are empty.
     */
    // biome-ignore lint/suspicious/noExplicitAny: resource outputs are arbitrary JSON from the engine
    readonly outputs?: any;
    /** Absent for reads (`Resource.get`). */
    readonly options?: {
        readonly urn: string;
        readonly parent?: string;
        readonly protect?: boolean;
        readonly deleteBeforeReplace?: boolean;
        readonly dependencies?: string[];
    };
}

export interface EvaluationContext {
    readonly stack: string;
    readonly project: string;
    /** The stack's config (`aws:region` …): default providers are configured from it, as the engine does. */
    readonly config?: Record<string, string>;
    /**
     * Subnets a mocked awsx VPC invented (ID → AZ). A real preview shows them as the VPC's `aws:ec2/subnet:Subnet`
     * children with their `availabilityZone` (pulumi/pulumi-awsx awsx/ec2/vpc.ts); a mocked evaluation only records
     * the component, so the runner adds them, each under the VPC whose zones include its AZ.
     */
    readonly subnetZones?: ReadonlyMap<string, string>;
}

export interface Finding {
    readonly policyName: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly message: string;
    readonly urn?: string;
    readonly resourceType?: string;
    readonly resourceName?: string;
}

export interface PackResult {
    readonly violations: Finding[];
    readonly notApplicable: { readonly policyName: string; readonly reason: string }[];
}

export interface RunOptions {
    /** Same shape as `--policy-pack-config`: per policy an enforcement level or `{enforcementLevel?, ...props}`. */
    readonly config?: PolicyPackConfig;
    /** The pack's level (index.ts: mandatory). */
    readonly enforcementLevel?: EnforcementLevel;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const reads = new WeakSet<PolicyResource>();

class NotApplicableError extends Error {
    constructor(readonly reason: string) {
        super(reason);
    }
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicableError(reason ?? "");
}

/** Inputs as a policy sees them: secrets unwrapped, resource references replaced by their URN-like name. */
// biome-ignore lint/suspicious/noExplicitAny: returns the same arbitrary JSON shape it was given
export function plainProps(value: unknown, seen = new WeakSet<object>()): any {
    if (value === null || typeof value !== "object") return value;
    const obj = value as Record<string, unknown>;
    if (obj[SECRET_SIG] !== undefined) return plainProps(obj.value, seen);
    if (obj.__pulumiResource === true) return `resource:${String(obj.__name ?? "")}`;
    // Assets reach rules as @pulumi/pulumi Asset objects, as CrossGuard's deserializer builds them (deserialize.ts).
    if (obj.__pulumiAsset === true) return obj;
    if (seen.has(obj)) return undefined;
    seen.add(obj);
    if (Array.isArray(obj)) return obj.map((v) => plainProps(v, seen));
    return Object.fromEntries(
        Object.entries(obj)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, plainProps(v, seen)]),
    );
}

function parseConfigValue(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/** Provider config the engine gives a package's default provider: the stack's `<package>:<key>` values. */
export function defaultProviderProps(config: Record<string, string>, pkg: string): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(config)
            .filter(([k]) => k.startsWith(`${pkg}:`))
            .map(([k, v]) => [k.slice(pkg.length + 1), parseConfigValue(v)]),
    );
}

function options(r: RecordedResource): PolicyResourceOptions {
    return {
        protect: r.options?.protect ?? false,
        ignoreChanges: [],
        deleteBeforeReplace: r.options?.deleteBeforeReplace,
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        parent: r.options?.parent || undefined,
    };
}

/** Builds CrossGuard's view of every recorded resource (shared by resource and stack rules). */
export function toPolicyResources(given: readonly RecordedResource[], ctx: EvaluationContext): PolicyResource[] {
    const records = [...given, ...mockedSubnets(given, ctx)];
    const urnOf = (r: RecordedResource) => r.options?.urn ?? `urn:pulumi:${ctx.stack}::${ctx.project}::${r.type}::${r.name}`;
    const resources = records.map((r) => {
        const plain = plainProps(r.outputs ?? r.inputs ?? {});
        // Stack rules see outputs, which carry the ID; inputs never mention it, so adding it changes nothing else.
        if (r.custom !== false && r.id !== undefined && plain.id === undefined) plain.id = r.id;
        const props = unknownCheckingProxy(plain);
        // As the analyzer's isTypeOf: a resource class matches by its `__pulumiType` token.
        const isType = (cls: { __pulumiType?: string }) => cls.__pulumiType === r.type;
        const resource: PolicyResource = {
            type: r.type,
            props,
            urn: urnOf(r),
            name: r.name,
            opts: options(r),
            dependencies: [],
            propertyDependencies: {},
            isType: isType as PolicyResource["isType"],
            asType: ((cls: { __pulumiType?: string }) => (isType(cls) ? props : undefined)) as PolicyResource["asType"],
        };
        if (r.options === undefined) reads.add(resource);
        return resource;
    });
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const byTypeAndName = new Map(resources.map((r) => [`${r.type}::${r.name}`, r]));
    records.forEach((r, i) => {
        const resource = resources[i];
        if (r.options?.parent) {
            const parent = byUrn.get(r.options.parent);
            if (parent) resource.parent = parent;
        }
        resource.dependencies = (r.options?.dependencies ?? []).map((d) => byUrn.get(d)).filter((d): d is PolicyResource => d !== undefined);
        const provider = providerOf(r, ctx, byUrn, byTypeAndName);
        if (provider) resource.provider = provider;
    });
    return resources;
}

/** The awsx VPC children a real preview would show for the subnets the mock invented (see `subnetZones`). */
function mockedSubnets(records: readonly RecordedResource[], ctx: EvaluationContext): RecordedResource[] {
    const vpcs = records.filter((r) => r.type === "awsx:ec2:Vpc" && r.options !== undefined);
    return [...(ctx.subnetZones ?? new Map<string, string>())].flatMap(([id, zone]) => {
        const vpc = vpcs.find((v) => (v.inputs?.availabilityZoneNames ?? []).includes(zone));
        if (!vpc?.options) return [];
        const urn = `${vpc.options.urn.split("::").slice(0, 2).join("::")}::awsx:ec2:Vpc$aws:ec2/subnet:Subnet::${id}`;
        return [{ type: "aws:ec2/subnet:Subnet", name: id, id, inputs: { availabilityZone: zone }, options: { urn, parent: vpc.options.urn } }];
    });
}

function providerOf(
    r: RecordedResource,
    ctx: EvaluationContext,
    byUrn: Map<string, PolicyResource>,
    byTypeAndName: Map<string, PolicyResource>,
): PolicyProviderResource | undefined {
    if (r.provider) {
        const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
        // Mock URNs carry only the immediate parent's type, so also match on type and name.
        const [, , qualifiedType = "", ...name] = urn.split("::");
        const found = byUrn.get(urn) ?? byTypeAndName.get(`${qualifiedType.split("$").pop()}::${name.join("::")}`);
        if (found) return { type: found.type, props: found.props, urn: found.urn, name: found.name };
    }
    const pkg = r.type.split(":")[0];
    if (r.provider || pkg === "pulumi" || pkg === ctx.project) return undefined;
    return {
        type: `pulumi:providers:${pkg}`,
        urn: `urn:pulumi:${ctx.stack}::${ctx.project}::pulumi:providers:${pkg}::default`,
        name: "default",
        props: unknownCheckingProxy(defaultProviderProps(ctx.config ?? {}, pkg)),
    };
}

function configOf(policy: ResourceValidationPolicy | StackValidationPolicy, config: PolicyPackConfig): Record<string, unknown> {
    const defaults = Object.fromEntries(
        Object.entries(policy.configSchema?.properties ?? {})
            .filter(([, schema]) => schema.default !== undefined)
            .map(([k, schema]) => [k, JSON.parse(JSON.stringify(schema.default))]),
    );
    const given = config[policy.name];
    if (given === undefined || typeof given === "string") return defaults;
    const { enforcementLevel: _level, ...props } = given;
    return { ...defaults, ...props };
}

function levelOf(policy: ResourceValidationPolicy | StackValidationPolicy, config: PolicyPackConfig, pack: EnforcementLevel): EnforcementLevel {
    const given = config[policy.name];
    const level = (typeof given === "string" ? given : given?.enforcementLevel) ?? policy.enforcementLevel ?? pack;
    // As in the analyzer: a remediation that still violates, and any stack policy at "remediate", is mandatory.
    return level === "remediate" ? "mandatory" : level;
}

/** Hand-built ResourceValidationArgs for one resource, as the analyzer's Analyze RPC builds them. */
export function resourceArgs(r: PolicyResource, getConfig: () => Record<string, unknown>): ResourceValidationArgs {
    return {
        type: r.type,
        props: r.props,
        urn: r.urn,
        name: r.name,
        opts: r.opts,
        provider: r.provider,
        stackTags: new Map(),
        isType: r.isType,
        asType: r.asType as unknown as ResourceValidationArgs["asType"],
        getConfig: getConfig as ResourceValidationArgs["getConfig"],
        notApplicable: throwNotApplicable,
    };
}

/** Hand-built StackValidationArgs, as the analyzer's AnalyzeStack RPC builds them. */
export function stackArgs(resources: PolicyResource[], getConfig: () => Record<string, unknown>): StackValidationArgs {
    return { resources, stackTags: new Map(), getConfig: getConfig as StackValidationArgs["getConfig"], notApplicable: throwNotApplicable };
}

/** Runs `policies` over `resources` and returns every violation and not-applicable report. */
export async function runPolicies(policies: Policies, resources: PolicyResource[], opts: RunOptions = {}): Promise<PackResult> {
    const config = opts.config ?? {};
    const violations: Finding[] = [];
    const notApplicable: { policyName: string; reason: string }[] = [];
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    for (const policy of policies) {
        const enforcementLevel = levelOf(policy, config, opts.enforcementLevel ?? "mandatory");
        if (enforcementLevel === "disabled") continue;
        const getConfig = () => configOf(policy, config);
        const finding = (message: string, urn?: string): Finding => {
            const r = urn === undefined ? undefined : byUrn.get(urn);
            return { policyName: policy.name, enforcementLevel, message, urn, resourceType: r?.type, resourceName: r?.name };
        };
        const attempt = async (run: () => unknown, urn?: string) => {
            try {
                await run();
            } catch (e) {
                if (e instanceof NotApplicableError) notApplicable.push({ policyName: policy.name, reason: e.reason });
                else if (e instanceof UnknownValueError) {
                    const message = `can't run policy '${policy.name}' during preview: ${(e as Error).message}`;
                    violations.push({ ...finding(message, urn), enforcementLevel: "advisory" });
                } else throw e;
            }
        };
        if ("validateStack" in policy) {
            const report: ReportViolation = (message, urn) => violations.push(finding(message, urn));
            await attempt(() => policy.validateStack(stackArgs(resources, getConfig), report));
            continue;
        }
        const validations = policy.validateResource === undefined ? [] : [policy.validateResource].flat();
        for (const r of resources) {
            if (reads.has(r)) continue;
            const report: ReportViolation = (message, urn) => violations.push(finding(message, urn ?? r.urn));
            for (const validate of validations) await attempt(() => validate(resourceArgs(r, getConfig), report), r.urn);
        }
    }
    return { violations, notApplicable };
}

/** The mandatory violations: what makes `pulumi preview` (and `npm run plan`) fail. */
export const mandatory = (result: PackResult): Finding[] => result.violations.filter((v) => v.enforcementLevel === "mandatory");
