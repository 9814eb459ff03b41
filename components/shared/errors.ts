import * as pulumi from "@pulumi/pulumi";

/**
 * Raised for invalid configuration or component arguments, before any resource is registered.
 * The message always names the offending key, the value received and what is allowed, so a user
 * can fix `Pulumi.<stack>.yaml` without reading a stack trace.
 *
 * A `pulumi.RunError`: the Node.js language host prints a RunError's message alone, without a stack trace
 * (@pulumi/pulumi cmd/run/run.js, uncaughtHandler: "Always hide the stack for RunErrors").
 */
export class ConfigError extends pulumi.RunError {
    /** Every problem found at once (this one first); one entry when only one key is wrong. */
    readonly problems: readonly ConfigError[];

    constructor(
        /** Full key, e.g. `ha-jenkins-eks:azCount`, or `LinstorCluster.azCount` for library use. */
        readonly key: string,
        readonly value: unknown,
        readonly allowed: string,
    ) {
        super(`Invalid value for ${key}: ${formatValue(value)}. ${allowed}`);
        // RunError extends Error: keep `instanceof ConfigError` and the name the offline plan looks for.
        Object.setPrototypeOf(this, new.target.prototype);
        this.name = "ConfigError";
        this.problems = [this];
    }

    /** One error reporting several problems (the first names the key), or the single one. */
    static all(problems: readonly ConfigError[]): ConfigError {
        if (problems.length === 0) throw new Error("ConfigError.all needs at least one problem");
        if (problems.length === 1) return problems[0];
        const [first] = problems;
        const error = new ConfigError(first.key, first.value, first.allowed);
        error.message = `${problems.length} invalid values:\n${problems.map((p) => `- ${p.message}`).join("\n")}`;
        (error as { problems: readonly ConfigError[] }).problems = [...problems];
        return error;
    }
}

function formatValue(value: unknown): string {
    if (value === undefined) return "(not set)";
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return String(value);
    }
}
