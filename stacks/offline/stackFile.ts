/**
 * Reads `Pulumi.yaml` defaults and `Pulumi.<stack>.yaml` into the flat `namespace:key → string` map
 * the Pulumi runtime hands a program, so tests and the offline plan evaluate a stack with its real
 * config and no CLI. Encrypted (`secure:`) values cannot be decrypted offline: they become a
 * placeholder and are reported as secret keys.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

/** The project root: the nearest folder above this file with a Pulumi.yaml (also from compiled output in bin/). */
export const REPO_ROOT = findProjectRoot(__dirname);

function findProjectRoot(from: string): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) throw new Error(`No Pulumi.yaml above ${from}`);
    }
}
export const SECRET_PLACEHOLDER = "offline-placeholder-secret";

export interface StackConfigMap {
    readonly config: Record<string, string>;
    readonly secretKeys: string[];
}

function encode(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

// biome-ignore lint/suspicious/noExplicitAny: YAML of any shape; callers check what they read
function readYaml(file: string): any {
    return yaml.load(fs.readFileSync(file, "utf8")) ?? {};
}

/** Project-key defaults declared in Pulumi.yaml, as full keys. */
export function projectDefaults(root = REPO_ROOT): Record<string, string> {
    const project = readYaml(path.join(root, "Pulumi.yaml"));
    const out: Record<string, string> = {};
    // biome-ignore lint/suspicious/noExplicitAny: Pulumi.yaml config declarations of any shape
    for (const [key, decl] of Object.entries<any>(project.config ?? {})) {
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        if (decl && typeof decl === "object" && "default" in decl) out[full] = encode(decl.default);
        else if (decl && typeof decl === "object" && "value" in decl) out[full] = encode(decl.value);
    }
    return out;
}

export function loadStackConfig(stack: string, root = REPO_ROOT): StackConfigMap {
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) throw new Error(`No stack file ${file}: stacks are named after Pulumi.<stack>.yaml.`);
    const config: Record<string, string> = projectDefaults(root);
    const secretKeys: string[] = [];
    // biome-ignore lint/suspicious/noExplicitAny: stack config values of any shape
    for (const [key, value] of Object.entries<any>(readYaml(file).config ?? {})) {
        if (value && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
            config[key] = SECRET_PLACEHOLDER;
            secretKeys.push(key);
        } else {
            config[key] = encode(value);
        }
    }
    return { config, secretKeys };
}
