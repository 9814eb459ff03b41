/**
 * What a Helm install will render from, as far as the pack can read it: the chart, release and the values merged
 * from `valueYamlFiles` and `values` (values taking precedence, `@pulumi/kubernetes` 4.34 helm/v3/release.d.ts).
 *
 * `kubernetes:helm.sh/v3:Release` renders inside the provider: its values are all the pack ever sees.
 * `kubernetes:helm.sh/v4:Chart` is a remote component: a real preview also shows what it renders, a mocked
 * evaluation only its inputs. (`kubernetes:helm.sh/v3:Chart` renders in the program: its objects are ordinary
 * resources every rule sees.) A value file the pack cannot parse is handed back as `opaque` so each rule can
 * refuse it when it could change what the rule guards.
 */
import { chartName, isAsset, isString, isUnknown, type Props, snapshot, UNKNOWN } from "../props";
import { TYPES } from "./shared";

export interface ValueFile {
    /** How the file was given: `file ./values.yaml`, `remote https://…`, `text`, or unknown during a preview. */
    readonly source: string;
    /** Its text when the asset carries it (a StringAsset of YAML); undefined when the pack cannot read it. */
    readonly text?: string;
    /** The file reference itself is unknown during a preview. */
    readonly unknown?: boolean;
}

export interface HelmInstall {
    /** "Helm release" (v3 Release) or "Helm v4 Chart". */
    readonly kind: string;
    readonly chart: string;
    readonly release: string;
    readonly namespace?: string;
    /** Merged values; parts unknown during a preview are UNKNOWN (the whole object when `values` is unknown). */
    readonly values: unknown;
    /** Value files the pack could not parse (YAML text, files on disk, remote files, archives). */
    readonly opaque: ValueFile[];
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v) && !isAsset(v);

/** Helm's coalescing: maps merge key by key, anything else (lists included) replaces, null deletes. */
export function mergeValues(base: unknown, over: unknown): unknown {
    if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) {
        if (v === null) delete out[k];
        else out[k] = mergeValues(out[k], v);
    }
    return out;
}

async function readFile(entry: unknown): Promise<{ json?: unknown; file?: ValueFile }> {
    if (isUnknown(entry)) return { file: { source: "a value file unknown during preview", unknown: true } };
    if (!isAsset(entry)) return { file: { source: "a value archive" } };
    const asset = entry as { text?: Promise<string>; path?: Promise<string>; uri?: Promise<string> };
    if (asset.text !== undefined) {
        const text = String(await asset.text);
        try {
            return { json: JSON.parse(text) };
        } catch {
            // YAML proper: the pack carries no YAML parser (it is self-contained); rules scan the text instead.
            return { file: { source: "YAML text", text } };
        }
    }
    if (asset.path !== undefined) return { file: { source: `file ${await asset.path}` } };
    return { file: { source: `remote file ${String(await asset.uri)}` } };
}

/** The Helm install a resource describes, or undefined for any other resource. */
export async function helmInstall(type: string, props: Props, name: string): Promise<HelmInstall | undefined> {
    if (type !== TYPES.helmRelease && type !== TYPES.helmChartV4) return undefined;
    const release = snapshot(() => props.name);
    const namespace = snapshot(() => props.namespace);
    const files = snapshot(() => props.valueYamlFiles);
    let values: unknown = {};
    const opaque: ValueFile[] = [];
    if (isUnknown(files)) opaque.push({ source: "valueYamlFiles unknown during preview", unknown: true });
    for (const entry of Array.isArray(files) ? files : []) {
        const read = await readFile(entry);
        if (read.file) opaque.push(read.file);
        else values = mergeValues(values, read.json);
    }
    const inline = snapshot(() => props.values);
    values = isUnknown(inline) ? UNKNOWN : mergeValues(values, inline ?? {});
    return {
        kind: type === TYPES.helmRelease ? "Helm release" : "Helm v4 Chart",
        chart: chartName(snapshot(() => props.chart)) ?? "",
        release: isString(release) ? release : name,
        namespace: isString(namespace) ? namespace : undefined,
        values,
        opaque,
    };
}

/**
 * Value files that could change what a rule guards: the unreadable ones, and YAML text mentioning one of `words`
 * (keys are spelled out in YAML unless escaped, so text without them, and without escapes, cannot set them).
 */
export function opaqueAffecting(install: HelmInstall, words: RegExp): ValueFile[] {
    return install.opaque.filter((f) => f.text === undefined || words.test(f.text) || f.text.includes("\\"));
}

/** Whether policy config names the install ("namespace/release" or "release"). */
export const isTrusted = (install: HelmInstall, names: readonly string[]) =>
    names.includes(install.release) || (install.namespace !== undefined && names.includes(`${install.namespace}/${install.release}`));

export const describeFiles = (files: readonly ValueFile[]) => files.map((f) => f.source).join(", ");

/** Every object inside `value` with its dotted path (arrays as [i]); UNKNOWN leaves are skipped. */
export function* objectsIn(value: unknown, path = ""): Generator<{ path: string; node: Record<string, unknown> }> {
    if (Array.isArray(value)) {
        for (const [i, item] of value.entries()) yield* objectsIn(item, `${path}[${i}]`);
    } else if (isPlainObject(value)) {
        yield { path, node: value };
        for (const [k, v] of Object.entries(value)) yield* objectsIn(v, path ? `${path}.${k}` : k);
    }
}
