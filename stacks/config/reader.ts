import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../components/shared/errors";
import { Check } from "../../components/shared/validation";

/**
 * Typed access to one config namespace: parses types only (string, integer, boolean, list, map, secret) and throws
 * a ConfigError naming the full key (`ha-jenkins-eks:azCount`) when a value is not of its type. Ranges and formats
 * are the components' to check (components/shared/validation.ts); `check` gives the kit for the stack's own keys.
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

    string(key: string, fallback: string): string {
        return this.optionalString(key) ?? fallback;
    }

    optionalString(key: string): string | undefined {
        return this.raw(key);
    }

    /** A string typed as one of a component's choices; the component checks it (so library users get the check too). */
    choice<T extends string>(key: string, fallback: T): T {
        return (this.raw(key) ?? fallback) as T;
    }

    integer(key: string, fallback: number): number {
        return this.optionalInteger(key) ?? fallback;
    }

    optionalInteger(key: string): number | undefined {
        const value = this.raw(key);
        if (value === undefined) return undefined;
        const n = Number(value);
        if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) this.fail(key, value, "Must be an integer.");
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
            parsed = value
                .split(",")
                .map((s) => s.trim())
                .filter((s) => s !== "");
        }
        if (!Array.isArray(parsed) || parsed.some((s) => typeof s !== "string")) {
            this.fail(key, value, "Must be a list of strings.");
        }
        return parsed as string[];
    }

    integerList(key: string, fallback: readonly number[]): number[] {
        const value = this.raw(key);
        if (value === undefined) return [...fallback];
        let parsed: unknown;
        try {
            parsed = JSON.parse(value.trim().startsWith("[") ? value : `[${value}]`);
        } catch {
            this.fail(key, value, "Must be a list of integers.");
        }
        if (!Array.isArray(parsed) || !parsed.every((n) => Number.isSafeInteger(n))) this.fail(key, value, "Must be a list of integers.");
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
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== "string")) {
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
