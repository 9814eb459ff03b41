/**
 * StorageClasses, PersistentVolumes and claims that chart values define, found by the shapes charts use for them
 * (no chart is rendered): manifests with `kind: StorageClass`/`PersistentVolume` (extraObjects, extraManifests …),
 * class definitions under `storageClasses` (aws-ebs-csi-driver) or an object `storageClass` with `create`,
 * `provisioner` or `reclaimPolicy` (most provisioner charts), any `reclaimPolicy`/`persistentVolumeReclaimPolicy`;
 * claims through `storageClassName`/`storageClass` strings, `volumeClaimTemplate(s)` and `persistence` blocks.
 * Snapshot classes and contents: entries of `volumeSnapshotClasses`/`volumeGroupSnapshotClasses` (the piraeus
 * snapshot-controller chart 5.2.0 templates/volumesnapshotclass.yaml renders each entry's deletionPolicy verbatim)
 * and manifests of those kinds. A string value that names one of these kinds is a manifest the chart may render
 * (jenkins 5.9.53 templates/extra-objects.yaml runs strings through `tpl`): JSON text is read like the rest, any
 * other text is handed back as opaque (the pack carries no YAML parser).
 * Parts unknown during a preview are reported as unknown, never guessed.
 */
import { isString, isUnknown, UNKNOWN } from "../props";
import { isPlainObject } from "./helmValues";

type Value = unknown;

export interface ValueClass {
    readonly path: string;
    readonly name?: string;
    /** undefined: not set (Kubernetes and these charts then delete). */
    readonly reclaimPolicy?: string | typeof UNKNOWN;
}

export interface ValueClaim {
    readonly path: string;
    /** undefined: no class, so the cluster's default class provisions it; "": no dynamic provisioning. */
    readonly className?: string | typeof UNKNOWN;
}

export interface ValueSnapshotPolicy {
    readonly path: string;
    readonly what: string;
    readonly deletionPolicy?: string | typeof UNKNOWN;
}

export interface OpaqueManifest {
    readonly path: string;
    /** The kinds the text names. */
    readonly kinds: string[];
}

export interface StorageInValues {
    readonly classes: ValueClass[];
    /** VolumeSnapshotClasses and contents the values define, with their deletion policy. */
    readonly snapshots: ValueSnapshotPolicy[];
    /** Text (not JSON) naming a StorageClass, PersistentVolume or snapshot kind. */
    readonly opaqueManifests: OpaqueManifest[];
    /** PersistentVolumes or loose reclaim settings that delete: "path: what". */
    readonly deleting: string[];
    readonly claims: ValueClaim[];
    /** Paths whose value is unknown during a preview and could hold any of the above. */
    readonly unknown: string[];
}

const CLASS_KEYS = ["create", "provisioner", "reclaimPolicy", "parameters", "volumeBindingMode", "allowVolumeExpansion"];
const switchedOff = (node: Record<string, Value>) => node.create === false || node.enabled === false;
const policyOf = (v: Value): string | typeof UNKNOWN | undefined => (isUnknown(v) ? UNKNOWN : isString(v) ? v : undefined);
const join = (path: string, key: string | number) => (typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key);

/** Charts whose persistence is on unless switched off (jenkinsci/helm-charts jenkins 5.9.53 values.yaml: persistence.enabled true). */
const PERSISTENCE_ON_BY_DEFAULT: Record<string, string[]> = { jenkins: ["persistence"] };

export function storageInValues(values: Value, chart: string): StorageInValues {
    const out: StorageInValues = { classes: [], snapshots: [], opaqueManifests: [], deleting: [], claims: [], unknown: [] };
    if (isUnknown(values)) {
        out.unknown.push("values");
        return out;
    }
    walk(values, "", undefined, out);
    for (const key of PERSISTENCE_ON_BY_DEFAULT[chart] ?? []) {
        const block = isPlainObject(values) ? values[key] : undefined;
        if (block === undefined || (isPlainObject(block) && block.enabled === undefined))
            persistenceClaim(key, isPlainObject(block) ? block : {}, out);
    }
    return out;
}

function walk(value: Value, path: string, parentKey: string | undefined, out: StorageInValues, nameHint?: string): void {
    if (isUnknown(value)) {
        out.unknown.push(path || "values");
        return;
    }
    if (Array.isArray(value)) {
        value.forEach((item, i) => {
            walk(item, join(path, i), parentKey, out);
        });
        return;
    }
    if (typeof value === "string") {
        manifestText(value, path, out);
        return;
    }
    if (!isPlainObject(value)) return;
    visit(value, path, parentKey, out, nameHint);
    for (const [k, v] of Object.entries(value)) {
        // `storageClasses` as a map: each entry is a class named by its key.
        if (k === "storageClasses" && isPlainObject(v) && !("kind" in v)) {
            for (const [name, entry] of Object.entries(v)) walk(entry, join(join(path, k), name), k, out, name);
        } else walk(v, join(path, k), k, out);
    }
}

function visit(node: Record<string, Value>, path: string, parentKey: string | undefined, out: StorageInValues, nameHint?: string): void {
    const metadataName = isPlainObject(node.metadata) && isString(node.metadata.name) ? node.metadata.name : undefined;
    const isClass =
        node.kind === "StorageClass" ||
        (parentKey === "storageClasses" && !switchedOff(node)) ||
        (parentKey === "storageClass" && CLASS_KEYS.some((k) => k in node) && !switchedOff(node));
    if (isClass) {
        const name = (isString(node.name) ? node.name : undefined) ?? metadataName ?? nameHint;
        out.classes.push({ path: path || "values", name, reclaimPolicy: policyOf(node.reclaimPolicy) });
    } else if ("reclaimPolicy" in node && node.reclaimPolicy !== "Retain") {
        loose(node.reclaimPolicy, join(path, "reclaimPolicy"), out);
    }
    // A PersistentVolume's spec (or any block) that sets it; one made by hand without it defaults to Retain.
    if ("persistentVolumeReclaimPolicy" in node && node.persistentVolumeReclaimPolicy !== "Retain") {
        loose(node.persistentVolumeReclaimPolicy, join(path, "persistentVolumeReclaimPolicy"), out);
    }
    snapshotPolicy(node, path, parentKey, out);
    claimsOf(node, path, parentKey, out);
}

/** Kinds whose manifests decide whether volumes or backups survive (PersistentVolume, not its claim). */
const GUARDED_KINDS = /\bkind["']?\s*:\s*["']?(StorageClass|PersistentVolume(?!Claim)|Volume(?:Group)?Snapshot(?:Class|Content))\b/g;
export const SNAPSHOT_KIND = /^Volume(Group)?Snapshot(Class|Content)$/;

function manifestText(text: string, path: string, out: StorageInValues): void {
    const kinds = [...new Set([...text.matchAll(GUARDED_KINDS)].map((m) => m[1]))];
    if (kinds.length === 0) return;
    let parsed: Value;
    try {
        parsed = JSON.parse(text);
    } catch {
        out.opaqueManifests.push({ path: path || "values", kinds });
        return;
    }
    walk(parsed, path, undefined, out);
}

function snapshotPolicy(node: Record<string, Value>, path: string, parentKey: string | undefined, out: StorageInValues): void {
    const entry = (parentKey === "volumeSnapshotClasses" || parentKey === "volumeGroupSnapshotClasses") && !("kind" in node);
    const kind = isString(node.kind) && SNAPSHOT_KIND.test(node.kind) ? node.kind : undefined;
    if (!entry && !kind) return;
    const isContent = kind?.endsWith("Content") ?? false;
    const spec = isPlainObject(node.spec) ? node.spec : {};
    const name =
        (isString(node.name) ? node.name : undefined) ??
        (isPlainObject(node.metadata) && isString(node.metadata.name) ? node.metadata.name : "(unnamed)");
    out.snapshots.push({
        path: path || "values",
        what: `${kind ?? (parentKey === "volumeGroupSnapshotClasses" ? "VolumeGroupSnapshotClass" : "VolumeSnapshotClass")} ${name}`,
        deletionPolicy: policyOf(isContent ? spec.deletionPolicy : node.deletionPolicy),
    });
}

function loose(value: Value, path: string, out: StorageInValues): void {
    if (isUnknown(value)) out.unknown.push(path);
    else out.deleting.push(`${path}: ${JSON.stringify(value ?? null)}`);
}

function claimsOf(node: Record<string, Value>, path: string, parentKey: string | undefined, out: StorageInValues): void {
    for (const key of ["storageClassName", "storageClass"]) {
        const v = node[key];
        if (isString(v) || v === "" || isUnknown(v))
            out.claims.push({ path: join(path, key), className: v === "-" ? "" : (v as string | typeof UNKNOWN) });
    }
    if (parentKey === "volumeClaimTemplate" || parentKey === "volumeClaimTemplates") {
        const spec = isPlainObject(node.spec) ? node.spec : {};
        if (!("storageClassName" in node) && !("storageClassName" in spec)) out.claims.push({ path: path || "values" });
    }
    if (parentKey === "persistence" && node.enabled === true) persistenceClaim(path, node, out);
}

/** A `persistence` block that is on: it claims its class, or the default class when it names none. */
function persistenceClaim(path: string, node: Record<string, Value>, out: StorageInValues): void {
    if (["storageClass", "storageClassName", "existingClaim"].some((k) => k in node && node[k] !== null && node[k] !== undefined)) return;
    out.claims.push({ path });
}
