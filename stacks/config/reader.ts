import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../components/shared/errors";
import { Check } from "../../components/shared/validation";

interface Range {
    readonly min?: number;
    readonly max?: number;
}

/**
 * Typed access to one config namespace. Every getter validates and throws a ConfigError that names
 * the full key (`ha-jenkins-eks:azCount`), the value and what is allowed — before any resource exists.
 */
export class ConfigReader {
    private readonly config: pulumi.Config;

    constructor(readonly namespace: string) {
        this.config = new pulumi.Config(namespace);
    }

    /** The full key as a user writes it in `Pulumi.<stack>.yaml`. */
    fullKey(key: string): string {
        return `${this.namespace}:${key}`;
    }

    fail(key: string, value: unknown, allowed: string): never {
        throw new ConfigError(this.fullKey(key), value, allowed);
    }

    /** The validation kit's checks, naming the full key: for stack-only keys (components check their own). */
    check(key: string): Check {
        return new Check(this.fullKey(key));
    }

    raw(key: string): string | undefined {
        const value = this.config.get(key);
        return value === undefined || value === "" ? undefined : value;
    }

    string(key: string, fallback: string, pattern?: RegExp, allowed?: string): string {
        const value = this.optionalString(key, pattern, allowed);
        return value ?? fallback;
    }

    optionalString(key: string, pattern?: RegExp, allowed?: string): string | undefined {
        const value = this.raw(key);
        if (value !== undefined && pattern && !pattern.test(value)) {
            this.fail(key, value, allowed ?? `Must match ${pattern}.`);
        }
        return value;
    }

    /** A string typed as one of a component's choices; the component checks it (so library users get the check too). */
    choice<T extends string>(key: string, fallback: T): T {
        return (this.raw(key) ?? fallback) as T;
    }

    oneOf<T extends string>(key: string, choices: readonly T[], fallback: T): T {
        const value = this.raw(key) ?? fallback;
        if (!choices.includes(value as T)) this.fail(key, value, `Allowed: ${choices.join(", ")}.`);
        return value as T;
    }

    integer(key: string, fallback: number, range: Range = {}): number {
        return this.optionalInteger(key, range) ?? fallback;
    }

    optionalInteger(key: string, range: Range = {}): number | undefined {
        const value = this.raw(key);
        if (value === undefined) return undefined;
        const n = Number(value);
        if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) this.fail(key, value, `Must be an integer${describe(range)}.`);
        if ((range.min !== undefined && n < range.min) || (range.max !== undefined && n > range.max)) {
            this.fail(key, n, `Must be an integer${describe(range)}.`);
        }
        return n;
    }

    boolean(key: string, fallback: boolean): boolean {
        const value = this.raw(key);
        if (value === undefined) return fallback;
        if (value !== "true" && value !== "false") this.fail(key, value, "Must be true or false.");
        return value === "true";
    }

    /** A YAML list in the stack file (JSON array at runtime); a single comma-separated string is accepted too. */
    stringList(key: string, fallback: readonly string[]): string[] {
        return this.optionalStringList(key) ?? [...fallback];
    }

    optionalStringList(key: string): string[] | undefined {
        const value = this.raw(key);
        if (value === undefined) return undefined;
        let parsed: unknown;
        if (value.trim().startsWith("[")) {
            try {
                parsed = JSON.parse(value);
            } catch {
                this.fail(key, value, "Must be a list of strings.");
            }
        } else {
            parsed = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
        }
        if (!Array.isArray(parsed) || parsed.some((s) => typeof s !== "string")) {
            this.fail(key, value, "Must be a list of strings.");
        }
        return parsed as string[];
    }

    integerList(key: string, fallback: readonly number[], range: Range = {}): number[] {
        const value = this.raw(key);
        if (value === undefined) return [...fallback];
        let parsed: unknown;
        try {
            parsed = JSON.parse(value.trim().startsWith("[") ? value : `[${value}]`);
        } catch {
            this.fail(key, value, `Must be a list of integers${describe(range)}.`);
        }
        const ok = Array.isArray(parsed) && parsed.length > 0 && parsed.every((n) =>
            Number.isSafeInteger(n) && (range.min === undefined || n >= range.min) && (range.max === undefined || n <= range.max));
        if (!ok) this.fail(key, value, `Must be a non-empty list of integers${describe(range)}.`);
        return parsed as number[];
    }

    /** A string-to-string map (YAML mapping in the stack file). */
    stringMap(key: string): Record<string, string> {
        const value = this.raw(key);
        if (value === undefined) return {};
        let parsed: unknown;
        try {
            parsed = JSON.parse(value);
        } catch {
            this.fail(key, value, "Must be a mapping of strings to strings.");
        }
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) ||
            Object.values(parsed).some((v) => typeof v !== "string")) {
            this.fail(key, value, "Must be a mapping of strings to strings.");
        }
        return parsed as Record<string, string>;
    }

    /** A secret value, kept secret; `undefined` when unset. */
    secret(key: string): pulumi.Output<string> | undefined {
        if (this.raw(key) === undefined) return undefined;
        return this.config.requireSecret(key);
    }
}

function describe(range: Range): string {
    if (range.min !== undefined && range.max !== undefined) return ` from ${range.min} to ${range.max}`;
    if (range.min !== undefined) return ` ≥ ${range.min}`;
    if (range.max !== undefined) return ` ≤ ${range.max}`;
    return "";
}
