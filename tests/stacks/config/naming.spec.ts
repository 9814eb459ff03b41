/**
 * The naming rule from config key to settings field (stacks/config/index.ts, naming.ts): every settings field of
 * every component maps to exactly one key the program reads, every key read belongs to one field or is a documented
 * stack key, the exceptions are needed, and — by reading the stack config with one key changed at a time — each key
 * lands in the field the rule names and nowhere else.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { JENKINS_RULES } from "../../../components/jenkins/settings";
import { LINSTOR_CLUSTER_RULES } from "../../../components/linstorCluster/settings";
import { LINSTOR_DB_BACKUP_RULES } from "../../../components/linstorDbBackup/settings";
import { MONITORING_RULES } from "../../../components/monitoring/settings";
import { CREATE_BUCKET_RULES, S3_SNAPSHOT_RULES } from "../../../components/snapshots/settings";
import { readStackConfig } from "../../../stacks/config";
import {
    type Component,
    configKey,
    fullKey,
    KEY_EXCEPTIONS,
    KEY_PREFIXES,
    PROJECT,
    projectKey,
    STACK_ONLY_KEYS,
    stackKeyOf,
} from "../../../stacks/config/naming";
import { ConfigReader } from "../../../stacks/config/reader";
import { useStack } from "../../support/mocks";

const COMPONENTS = Object.keys(KEY_PREFIXES) as Component[];
const BASE = { "aws:region": "us-west-2" };
const DR = { ...BASE, [`${PROJECT}:role`]: "dr", [`${PROJECT}:primaryStack`]: "o/p/s" };

/**
 * Every field of each component that a config key sets, and where the stack config holds it. The settings fields come
 * from the components' rules (the compiler makes those complete); nested bucket fields by path; plus the two
 * arguments besides the settings that a key sets.
 */
function fieldsOf(component: Component): Map<string, string> {
    const at = (section: string, fields: readonly string[]) => fields.map((f) => [f, `${section}.${f}`] as const);
    const shared = { namePrefix: "namePrefix", tags: "cluster.tags", protect: "cluster.protectStatefulResources" } as Record<string, string>;
    switch (component) {
        case "LinstorCluster":
            return new Map([...at("cluster", Object.keys(LINSTOR_CLUSTER_RULES)), ["region", "region"], ["namePrefix", "namePrefix"]]);
        case "HaJenkins":
            return new Map([...at("jenkins", Object.keys(JENKINS_RULES)), ["adminPassword", "jenkins.adminPassword"]]);
        case "S3SnapshotShipping": {
            const bucket = Object.keys(CREATE_BUCKET_RULES)
                // Other components' lifecycle rules: no key.
                .filter((f) => f !== "prefixRules")
                .flatMap((f) => (f === "objectLock" ? ["objectLock.mode", "objectLock.days"] : [f]))
                .map((f) => [`bucket.create.${f}`, `snapshots.bucket.create.${f}`] as const);
            const own = Object.keys(S3_SNAPSHOT_RULES)
                .filter((f) => f !== "bucket")
                .map((f) => [f, shared[f] ?? `snapshots.${f}`] as const);
            return new Map([...own, ...bucket, ["remoteJobImage", "dr.remoteJobImage"]]);
        }
        case "DrbdMonitoring":
            return new Map(at("monitoring", Object.keys(MONITORING_RULES)));
        case "LinstorDbBackup":
            return new Map(at("linstorDbBackup", Object.keys(LINSTOR_DB_BACKUP_RULES)));
    }
}

/** Full key of each field, by the rule. */
const keyOfField = (component: Component, field: string) => fullKey(configKey(component, field));

/** Every key the stack config reads (primary and DR), with the reader method that reads it. */
function keysRead(): Map<string, string> {
    const read = new Map<string, string>();
    const methods = [
        "string",
        "optionalString",
        "choice",
        "integer",
        "optionalInteger",
        "decimal",
        "boolean",
        "stringList",
        "optionalStringList",
        "integerList",
        "stringMap",
        "secret",
        "raw",
    ] as const;
    const proto = ConfigReader.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const originals = methods.map((m) => proto[m]);
    let depth = 0;
    methods.forEach((m, i) => {
        proto[m] = function (this: ConfigReader, key: unknown, ...rest: unknown[]) {
            // The outermost call says the type (every getter reads through raw).
            if (depth === 0 && !read.has(this.fullKey(key as string))) read.set(this.fullKey(key as string), m);
            depth++;
            try {
                return originals[i].call(this, key, ...rest);
            } finally {
                depth--;
            }
        };
    });
    try {
        for (const config of [BASE, DR]) {
            useStack("dev", config);
            readStackConfig();
        }
    } finally {
        methods.forEach((m, i) => {
            proto[m] = originals[i];
        });
        useStack("dev", BASE);
    }
    return read;
}

/** Leaf values of the stack config by path (Outputs and arrays are leaves). */
function leaves(value: unknown, path = "", out = new Map<string, string>()): Map<string, string> {
    if (pulumi.Output.isInstance(value)) out.set(path, "<secret output>");
    else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
    } else out.set(path, JSON.stringify(value));
    return out;
}

describe("naming rule: config key ↔ settings field", () => {
    let read = new Map<string, string>();
    before(() => {
        read = keysRead();
    });
    after(() => useStack("dev", BASE));

    for (const component of COMPONENTS) {
        it(`${component}: every settings field maps by the rule to exactly one key the program reads`, () => {
            const keys = new Map<string, string>();
            for (const field of fieldsOf(component).keys()) {
                const key = keyOfField(component, field);
                expect(read.has(key), `${component}.${field} → ${key}, which the program never reads`).to.equal(true);
                expect(keys.get(key), `${component}.${field} and ${component}.${keys.get(key)} both map to ${key}`).to.equal(undefined);
                keys.set(key, field);
            }
        });
    }

    it("reads no key that is neither a component field's nor a documented stack key", () => {
        const fieldKeys = new Set(COMPONENTS.flatMap((c) => [...fieldsOf(c).keys()].map((f) => keyOfField(c, f))));
        const stackOnly = new Set(STACK_ONLY_KEYS.map(fullKey));
        for (const key of read.keys()) {
            expect(fieldKeys.has(key) || stackOnly.has(key), `${key} is read but no field maps to it and STACK_ONLY_KEYS does not list it`).to.equal(
                true,
            );
        }
        for (const key of stackOnly) {
            expect(read.has(key), `STACK_ONLY_KEYS lists ${key}, which is never read`).to.equal(true);
            expect(fieldKeys.has(key), `${key} is a field's key, not a stack key`).to.equal(false);
        }
    });

    it("needs every exception: without it the rule would name a key that is not read", () => {
        const prefixRule = (c: Component, field: string) => {
            const prefix = KEY_PREFIXES[c];
            return fullKey(prefix === "" ? field : `${prefix}${field[0].toUpperCase()}${field.slice(1)}`);
        };
        for (const component of COMPONENTS) {
            for (const [field, key] of Object.entries(KEY_EXCEPTIONS[component])) {
                expect(read.has(fullKey(key)), `${component}.${field} → ${key}, which the program never reads`).to.equal(true);
                expect(read.has(prefixRule(component, field)), `${component}.${field} needs no exception`).to.equal(false);
            }
        }
        const count = COMPONENTS.reduce((n, c) => n + Object.keys(KEY_EXCEPTIONS[c]).length, 0);
        expect(count, "keep the exceptions few").to.be.at.most(8);
    });

    it("gives the components without a prefix one unambiguous KeyOf (what the stack passes them)", () => {
        for (const component of COMPONENTS.filter((c) => KEY_PREFIXES[c] === "")) {
            for (const field of fieldsOf(component).keys()) {
                expect(projectKey(field), `${component}.${field}`).to.equal(stackKeyOf(component)(field));
            }
        }
        expect(projectKey("bucket.create.objectLock.mode")).to.equal(`${PROJECT}:snapshotBucketObjectLockMode`);
        expect(projectKey("region")).to.equal("aws:region");
        expect(stackKeyOf("HaJenkins")("storageSize")).to.equal(`${PROJECT}:jenkinsStorageSize`);
    });

    describe("each key lands in the field the rule names, and nowhere else", () => {
        const drOnly = new Set(["remoteJobImage"]);
        /** Keys that only make sense together. */
        const companions: Record<string, string> = {
            [`${PROJECT}:snapshotBucketObjectLockMode`]: `${PROJECT}:snapshotBucketObjectLockDays`,
            [`${PROJECT}:snapshotBucketObjectLockDays`]: `${PROJECT}:snapshotBucketObjectLockMode`,
        };
        /** What else a key may change: the zone count follows an explicit zone list. */
        const derived: Record<string, string[]> = { [`${PROJECT}:availabilityZones`]: ["cluster.azCount"] };
        const pathOf = new Map(COMPONENTS.flatMap((c) => [...fieldsOf(c)].map(([f, path]) => [keyOfField(c, f), path] as const)));

        const sample = (key: string, baseline: Map<string, string>): string => {
            switch (read.get(key)) {
                case "integer":
                case "optionalInteger":
                    return "4242";
                case "decimal":
                    return "42.42";
                case "boolean":
                    return baseline.get(pathOf.get(key)!) === "true" ? "false" : "true";
                case "stringList":
                case "optionalStringList":
                    return '["naming-test"]';
                case "integerList":
                    return "[4]";
                case "stringMap":
                    return '{"naming":"test"}';
                default:
                    return "naming-test";
            }
        };

        for (const component of COMPONENTS) {
            for (const [field, path] of fieldsOf(component)) {
                const key = keyOfField(component, field);
                if (!key.startsWith(`${PROJECT}:`)) continue; // aws:region: the provider's key, read before everything else
                it(`${key} → ${component}.${field}`, () => {
                    const base = drOnly.has(field) ? DR : BASE;
                    useStack("dev", base);
                    const baseline = leaves(readStackConfig());
                    const keys = [key, ...(companions[key] ? [companions[key]] : [])];
                    const config: Record<string, string> = { ...base };
                    for (const k of keys) config[k] = sample(k, baseline);
                    const secrets = keys.filter((k) => read.get(k) === "secret");
                    useStack("dev", config, secrets);
                    const changed = leaves(readStackConfig());
                    const diff = [...new Set([...baseline.keys(), ...changed.keys()])].filter((p) => baseline.get(p) !== changed.get(p));
                    const expected = [...new Set([...keys.map((k) => pathOf.get(k)!), ...(derived[key] ?? [])])];
                    // A map's entries are leaves below its field.
                    const fieldOf = (p: string) => expected.find((e) => p === e || p.startsWith(`${e}.`)) ?? p;
                    expect([...new Set(diff.map(fieldOf))].sort()).to.deep.equal(expected.sort());
                    expect(path).to.equal(pathOf.get(key));
                });
            }
        }
    });
});
