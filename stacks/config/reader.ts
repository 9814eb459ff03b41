import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../components/shared/errors";
import { Check } from "../../components/shared/validation";

/**
 * Typed access to one config namespace: parses types only (string, integer, boolean, list, map, secret) and names
 * the full key (`ha-jenkins-eks:azCount`) when a value is not of its type, is empty, or is a secret given in plain
 * text. Ranges and formats are the components' to check (components/shared/validation.ts); `check` gives the kit for
 * the stack's own keys.
 *
 * It remembers every key it was asked for (`keysRead`: the keys the program knows, for the unknown-key check) and,
 * with `collect`, records problems instead of throwing (`problems`), answering with the fallback, so loadConfig
 * reports every bad key at once.
 */
export class ConfigReader {
    private readonly config: pulumi.Config;
    /**
     * The stack's config as Pulumi hands it over, read once: `pulumi.Config#get` parses the whole PULUMI_CONFIG JSON on
     * every call (@pulumi/pulumi runtime/config.js parseConfig), hundreds of times per loadConfig otherwise.
     */
    private readonly values: Readonly<Record<string, string>> = pulumi.runtime.allConfig();
    /** Every key (without the namespace) this reader was asked for. */
    readonly keysRead = new Set<string>();
    /** Problems recorded in `collect` mode. */
    readonly problems: ConfigError[] = [];

    constructor(
        readonly namespace: string,
        private readonly opts: { readonly collect?: boolean } = {},
    ) {
        this.config = new pulumi.Config(namespace);
    }

    /** The full key as a user writes it in `Pulumi.<stack>.yaml`. */
    fullKey(key: string): string {
        return `${this.namespace}:${key}`;
    }

    fail(key: string, value: unknown, allowed: string): never {
        throw new ConfigError(this.fullKey(key), value, allowed);
    }

    /** A problem: thrown at once, or recorded in `collect` mode (the caller then goes on with a fallback). */
    report(key: string, value: unknown, allowed: string): void {
        const problem = new ConfigError(this.fullKey(key), value, allowed);
        if (!this.opts.collect) throw problem;
        this.problems.push(problem);
    }

    /** `parse()`, or `fallback` once a problem was recorded (`collect` mode). */
    private attempt<T>(parse: () => T, fallback: T): T {
        try {
            return parse();
        } catch (e) {
            if (!this.opts.collect || !(e instanceof ConfigError)) throw e;
            this.problems.push(...e.problems);
            return fallback;
        }
    }

    /** The raw value of `key` in this namespace (no bookkeeping). */
    private get(key: string): string | undefined {
        return this.values[this.fullKey(key)];
    }

    /** The validation kit's checks, naming the full key: for stack-only keys (components check their own). */
    check(key: string): Check {
        return new Check(this.fullKey(key));
    }

    /** Whether the key is present in the stack's config at all (Pulumi.yaml defaults included). */
    isSet(key: string): boolean {
        this.keysRead.add(key);
        return this.get(key) !== undefined;
    }

    /**
     * The value as Pulumi hands it over, or undefined when the key is absent. An empty (or blank) value is an error,
     * never "the default": remove the key to get the default.
     */
    raw(key: string): string | undefined {
        this.keysRead.add(key);
        const value = this.get(key);
        if (value === undefined) return undefined;
        if (value.trim() === "") {
            this.report(
                key,
                value,
                `An empty value is not the default: set a value, or remove the key for the default (pulumi config rm ${this.fullKey(key)}).`,
            );
            return undefined;
        }
        return value;
    }

    string(key: string, fallback: string): string {
        return this.optionalString(key) ?? fallback;
    }

    optionalString(key: string): string | undefined {
        const value = this.raw(key);
        if (value !== undefined && value !== value.trim()) {
            this.report(key, value, "Remove the leading or trailing whitespace.");
            return undefined;
        }
        return value;
    }

    /** A string typed as one of a component's choices; the component checks it (so library users get the check too). */
    choice<T extends string>(key: string, fallback: T): T {
        return (this.optionalString(key) ?? fallback) as T;
    }

    integer(key: string, fallback: number): number {
        return this.optionalInteger(key) ?? fallback;
    }

    optionalInteger(key: string): number | undefined {
        const value = this.raw(key);
        if (value === undefined) return undefined;
        return this.attempt(() => {
            const n = Number(value);
            if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) this.fail(key, value, "Must be an integer.");
            return n;
        }, undefined);
    }

    /** A decimal number such as 0.25 (digits and one optional fraction: no sign, no exponent). */
    decimal(key: string, fallback: number): number {
        const value = this.raw(key);
        if (value === undefined) return fallback;
        return this.attempt(() => {
            if (!/^\d+(\.\d+)?$/.test(value)) this.fail(key, value, "Must be a decimal number, e.g. 0.25.");
            return Number(value);
        }, fallback);
    }

    boolean(key: string, fallback: boolean): boolean {
        const value = this.raw(key);
        if (value === undefined) return fallback;
        return this.attempt(() => {
            if (value !== "true" && value !== "false") this.fail(key, value, "Must be true or false.");
            return value === "true";
        }, fallback);
    }

    /** A YAML list in the stack file (JSON array at runtime); a single comma-separated string is accepted too. */
    stringList(key: string, fallback: readonly string[]): string[] {
        return this.optionalStringList(key) ?? [...fallback];
    }

    optionalStringList(key: string): string[] | undefined {
        const value = this.raw(key);
        if (value === undefined) return undefined;
        return this.attempt(() => {
            let parsed: unknown;
            if (value.trim().startsWith("[")) {
                try {
                    parsed = JSON.parse(value);
                } catch {
                    this.fail(key, value, "Must be a list of strings.");
                }
            } else {
                parsed = value.split(",").map((s) => s.trim());
            }
            if (!Array.isArray(parsed) || parsed.some((s) => typeof s !== "string")) this.fail(key, value, "Must be a list of strings.");
            const list = parsed as string[];
            const blank = list.find((s) => s.trim() === "" || s !== s.trim());
            if (blank !== undefined) {
                this.fail(key, value, `Entry ${JSON.stringify(blank)} is empty or has leading or trailing whitespace; remove it or write it out.`);
            }
            return list;
        }, undefined);
    }

    integerList(key: string, fallback: readonly number[]): number[] {
        const value = this.raw(key);
        if (value === undefined) return [...fallback];
        return this.attempt(() => {
            let parsed: unknown;
            try {
                parsed = JSON.parse(value.trim().startsWith("[") ? value : `[${value}]`);
            } catch {
                this.fail(key, value, "Must be a list of integers.");
            }
            if (!Array.isArray(parsed) || !parsed.every((n) => Number.isSafeInteger(n))) this.fail(key, value, "Must be a list of integers.");
            return parsed as number[];
        }, [...fallback]);
    }

    /** A string-to-string map (YAML mapping in the stack file). */
    stringMap(key: string): Record<string, string> {
        const value = this.raw(key);
        if (value === undefined) return {};
        return this.attempt(() => {
            let parsed: unknown;
            try {
                parsed = JSON.parse(value);
            } catch {
                this.fail(key, value, "Must be a mapping of strings to strings.");
            }
            if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== "string")) {
                this.fail(key, value, "Must be a mapping of strings to strings.");
            }
            if (Object.keys(parsed as object).some((k) => k.trim() === "")) this.fail(key, value, "A mapping key must not be empty.");
            return parsed as Record<string, string>;
        }, {});
    }

    /**
     * A secret value, kept secret; `undefined` when unset. It must be stored as a secret (`pulumi config set --secret`,
     * a `secure:` value): a plain one would sit readable in Pulumi.<stack>.yaml and in the state's config.
     */
    secret(key: string): pulumi.Output<string> | undefined {
        const value = this.raw(key);
        if (value === undefined) return undefined;
        if (value !== value.trim()) {
            this.report(key, "(secret value hidden)", "Remove the leading or trailing whitespace (it would become part of the secret).");
        }
        if (!isConfigSecret(this.fullKey(key))) {
            this.report(
                key,
                "(plain text, hidden)",
                `This key holds a secret: store it encrypted with \`pulumi config set --secret ${this.fullKey(key)}\` (and remove the plain value).`,
            );
        }
        return this.config.requireSecret(key);
    }
}

/**
 * Whether the stack's config holds `fullKey` as a secret. @pulumi/pulumi 3.276.0 runtime/config.js `isConfigSecret`
 * (exported, though marked @internal and absent from the typings): true when the key is in PULUMI_CONFIG_SECRET_KEYS,
 * the list the language host passes from the engine (`config.Map.SecureKeys()`, keys as `<namespace>:<name>`).
 */
export function isConfigSecret(fullKey: string): boolean {
    const check = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    if (typeof check !== "function") throw new Error("@pulumi/pulumi no longer exports runtime.isConfigSecret: update stacks/config/reader.ts");
    return check(fullKey);
}
