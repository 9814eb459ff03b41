/**
 * Values stored with `--secret` never reach an error: any key may be stored encrypted (users encrypt user names, CIDR
 * lists, tags with account IDs), and an error lands in CI logs. A problem whose key is a secret shows
 * "(secret value hidden)"; every problem's text has each secret's value (and, for a JSON secret, each string in it)
 * masked, since a check may quote one key's value in another key's message.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../components/shared/errors";
import { isConfigSecret } from "./reader";

export const HIDDEN = "(secret value hidden)";

/** The strings to mask: each secret's value, and the string leaves of a JSON secret (at least 4 characters). */
function secretStrings(all: Record<string, string>): string[] {
    const out = new Set<string>();
    const walk = (v: unknown): void => {
        if (typeof v === "string") {
            if (v.trim().length >= 4) out.add(v);
        } else if (Array.isArray(v)) v.forEach(walk);
        else if (v !== null && typeof v === "object") {
            for (const [k, x] of Object.entries(v)) {
                walk(k);
                walk(x);
            }
        }
    };
    for (const [key, value] of Object.entries(all)) {
        if (!isConfigSecret(key)) continue;
        walk(value);
        try {
            walk(JSON.parse(value));
        } catch {
            // not JSON: the value alone
        }
    }
    return [...out].sort((a, b) => b.length - a.length);
}

export function redactSecrets(problems: readonly ConfigError[], all: Record<string, string> = pulumi.runtime.allConfig()): ConfigError[] {
    const secrets = secretStrings(all);
    if (secrets.length === 0) return [...problems];
    const mask = (text: string): string => secrets.reduce((t, s) => t.split(s).join("(hidden)"), text);
    return problems.map((p) => {
        const hideValue = isConfigSecret(p.key);
        const allowed = mask(p.allowed);
        const shown = hideValue ? (p.value === "(plain text, hidden)" ? p.value : HIDDEN) : p.value;
        const valueText = JSON.stringify(shown) ?? "";
        if (!hideValue && allowed === p.allowed && mask(valueText) === valueText) return p;
        return new ConfigError(p.key, hideValue || mask(valueText) === valueText ? shown : HIDDEN, allowed);
    });
}
