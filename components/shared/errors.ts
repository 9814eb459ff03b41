/**
 * Raised for invalid configuration or component arguments, before any resource is registered.
 * The message always names the offending key, the value received and what is allowed, so a user
 * can fix `Pulumi.<stack>.yaml` without reading a stack trace.
 */
export class ConfigError extends Error {
    constructor(
        /** Full key, e.g. `ha-jenkins-eks:azCount`, or `LinstorCluster.args.azCount` for library use. */
        readonly key: string,
        readonly value: unknown,
        readonly allowed: string,
    ) {
        super(`Invalid value for ${key}: ${formatValue(value)}. ${allowed}`);
        this.name = "ConfigError";
    }
}

function formatValue(value: unknown): string {
    if (value === undefined) return "(not set)";
    if (typeof value === "string") return JSON.stringify(value);
    try {
        return JSON.stringify(value);
    } catch {
        return String(value);
    }
}
