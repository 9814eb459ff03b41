/**
 * Reading resource properties the way CrossGuard hands them over: plain JSON, where a value that is not
 * known yet (an output of a resource a preview has not created) throws UnknownValueError on access
 * (pulumi/pulumi-policy: sdk/nodejs/proxy.ts). Stack policies read such values through `known()` and skip
 * what cannot be judged yet; the stack policy runs again, with everything known, at the end of `pulumi up`.
 */
import { UnknownValueError } from "@pulumi/policy";

// biome-ignore lint/suspicious/noExplicitAny: resource properties are arbitrary JSON; rules read them defensively
export type Props = Record<string, any>;

/** `get()`'s value as plain data, or undefined when any part of it is unknown during a preview. */
export function known<T>(get: () => T): T | undefined {
    try {
        const value = get();
        // A deep copy touches every nested value, so an unknown anywhere inside surfaces here, not later.
        return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as T);
    } catch (e) {
        if (e instanceof UnknownValueError) return undefined;
        throw e;
    }
}

/** Stands for a part of a value a preview does not know yet, in `snapshot()` copies. */
export const UNKNOWN: unique symbol = Symbol("unknown during preview");
export const isUnknown = (value: unknown): value is typeof UNKNOWN => value === UNKNOWN;

/** Whether any part of a `snapshot()` copy is UNKNOWN. */
export function hasUnknown(value: unknown): boolean {
    if (isUnknown(value)) return true;
    if (value === null || typeof value !== "object" || isAsset(value)) return false;
    return Object.values(value).some(hasUnknown);
}

/** Pulumi assets (a Helm `valueYamlFiles` entry): CrossGuard hands them over as `@pulumi/pulumi` Asset objects. */
export const isAsset = (value: unknown): boolean =>
    value !== null && typeof value === "object" && (value as { __pulumiAsset?: unknown }).__pulumiAsset === true;

/**
 * A plain copy of `get()`'s value in which each part a preview does not know yet is UNKNOWN, so the known rest
 * stays readable (`known()` gives up on the whole value). Assets are kept as the objects they are.
 */
export function snapshot(get: () => unknown): unknown {
    try {
        return copyKnown(get());
    } catch (e) {
        if (e instanceof UnknownValueError) return UNKNOWN;
        throw e;
    }
}

function copyKnown(value: unknown): unknown {
    if (value === null || typeof value !== "object") return value;
    // The unknown-checking proxy would wrap an asset's promises; hand over the asset itself (proxy.ts).
    if (isAsset(value)) return (value as Record<string, unknown>).__getSpecialProxyTarget ?? value;
    const read = (obj: Record<string | number, unknown>, key: string | number) => {
        try {
            return copyKnown(obj[key]);
        } catch (e) {
            if (e instanceof UnknownValueError) return UNKNOWN;
            throw e;
        }
    };
    // Index by index: Array methods would read every element through the proxy and throw at the first unknown.
    if (Array.isArray(value)) return Array.from({ length: value.length }, (_, i) => read(value as unknown as Record<number, unknown>, i));
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(obj).map((k) => [k, read(obj, k)]));
}

/**
 * Gives up on a stack or resource rule during a preview, the way CrossGuard does when a rule touches an unknown
 * value: the analyzer turns UnknownValueError into an advisory "can't run policy … during preview: <message>"
 * (pulumi/pulumi-policy sdk/nodejs/server.ts), keeping what was reported before. Stack rules run again, with
 * everything known, at the end of `pulumi up`, where the same check is mandatory.
 */
export function cannotJudgeYet(message: string): never {
    const error = new UnknownValueError(UNKNOWN_SENTINEL, []);
    error.message = message;
    throw error;
}

/** CrossGuard's sentinel for an unknown string (pulumi/pulumi-policy sdk/nodejs/proxy.ts). */
const UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Whether a property was given at all (known or not), without reading its possibly unknown value. */
export function isSet(props: Props, key: string): boolean {
    return Object.hasOwn(props, key) && known(() => props[key] === undefined || props[key] === null) !== true;
}

export const isString = (v: unknown): v is string => typeof v === "string" && v.length > 0;

export function strings(value: unknown): string[] {
    if (Array.isArray(value)) return value.filter(isString);
    return isString(value) ? [value] : [];
}

/** `obj.a.b.c` for a dotted path; undefined when any step is missing, UNKNOWN when a step is (snapshot copies). */
export function at(obj: unknown, path: string): unknown {
    // biome-ignore lint/suspicious/noExplicitAny: walks arbitrary JSON by path
    let cur: any = obj;
    for (const key of path.split(".")) {
        if (isUnknown(cur)) return UNKNOWN;
        if (cur === null || typeof cur !== "object") return undefined;
        cur = cur[key];
    }
    return cur;
}

/** Kubernetes object name from `metadata.name`, else the Pulumi resource name. */
export function objectName(props: Props, fallback: string): string {
    const name = known(() => props.metadata?.name);
    return isString(name) ? name : fallback;
}

export function objectNamespace(props: Props): string | undefined {
    const ns = known(() => props.metadata?.namespace);
    return isString(ns) ? ns : undefined;
}

/** Config value of a policy, falling back to the schema default when the engine sent none. */
export function configValue<T>(config: Record<string, unknown>, key: string, fallback: T): T {
    const value = config[key];
    return value === undefined || value === null ? fallback : (value as T);
}

export interface IamStatement {
    readonly Effect?: string;
    readonly Action?: string | string[];
    readonly NotAction?: string | string[];
    readonly Resource?: string | string[];
    readonly NotResource?: string | string[];
    readonly Principal?: unknown;
    readonly Condition?: Record<string, Record<string, unknown>>;
}

/** Statements of an IAM/bucket policy given as a JSON string or an object; throws SyntaxError on bad JSON. */
export function policyStatements(document: unknown): IamStatement[] {
    const doc = typeof document === "string" ? JSON.parse(document) : document;
    const statement = doc && typeof doc === "object" ? (doc as { Statement?: unknown }).Statement : undefined;
    if (Array.isArray(statement)) return statement as IamStatement[];
    return statement && typeof statement === "object" ? [statement as IamStatement] : [];
}

/** Condition values under `operator`/`key`, matching the key case-insensitively as IAM does. */
export function conditionValues(statement: IamStatement, operator: string, key: string): string[] {
    const block = statement.Condition?.[operator];
    if (!block || typeof block !== "object") return [];
    const entry = Object.entries(block).find(([k]) => k.toLowerCase() === key.toLowerCase());
    if (!entry) return [];
    const value = entry[1];
    return (Array.isArray(value) ? value : [value]).map((v) => String(v).toLowerCase());
}

/**
 * Value of a linstor-csi StorageClass parameter: the prefix `linstor.csi.linbit.com/` is optional and matched exactly,
 * the key after it case-insensitively (linstor-csi v1.11.3 pkg/volume/parameter.go NewParameters: any other prefix,
 * a differently cased one included, is "some external parameter" and ignored).
 * Every value given is returned: spelled twice, either may win (linstor-csi ranges over a Go map).
 */
export function linstorParameterValues(parameters: unknown, key: string): string[] {
    if (!parameters || typeof parameters !== "object") return [];
    const found: string[] = [];
    for (const [k, v] of Object.entries(parameters as Record<string, unknown>)) {
        const parts = k.split("/");
        if (parts.length > 2 || (parts.length === 2 && parts[0] !== "linstor.csi.linbit.com")) continue;
        if (parts[parts.length - 1].toLowerCase() === key.toLowerCase() && v !== undefined && v !== null) found.push(String(v));
    }
    return found;
}

/** The first value given for a linstor-csi parameter (see linstorParameterValues). */
export function linstorParameter(parameters: unknown, key: string): string | undefined {
    return linstorParameterValues(parameters, key)[0];
}

/** The chart name of a Helm release's `chart` (a repo name, `repo/name`, an OCI or a tarball URL). */
export function chartName(chart: unknown): string | undefined {
    if (!isString(chart)) return undefined;
    const last = chart.replace(/\/+$/, "").split("/").pop() ?? "";
    return last
        .replace(/\.tgz$/, "")
        .replace(/-\d+\.\d+\.\d+.*$/, "")
        .replace(/[:@].*$/, "");
}
