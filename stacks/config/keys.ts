/**
 * Keys the program does not know. Pulumi hands a program every key of the stack (`pulumi.runtime.allConfig()`,
 * keys `<namespace>:<name>`, Pulumi.yaml defaults merged in), and silently ignores what nobody reads: a misspelled
 * key (`instancetype`, `protectStatefulResource`) or namespace (`ha-jenkins-ek:foo`) would deploy the default
 * instead. So every key of the project's namespace must be one the readers asked for, and a namespace that looks
 * like the project's is refused; other packages' namespaces (aws:, kubernetes:, pulumi:, …) are theirs to check.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../components/shared/errors";
import { closestMatch, editDistance } from "../../components/shared/validation";
import { PROJECT } from "./naming";
import { isConfigSecret } from "./reader";

const normalize = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Whether `namespace` is not the project's but looks like a misspelling of it (ha-jenkins-ek, hajenkinseks, HA-Jenkins-EKS). */
export function isNearMissNamespace(namespace: string, project = PROJECT): boolean {
    if (namespace === project) return false;
    const n = normalize(namespace);
    const p = normalize(project);
    // Its initials too (hje: the prefix of every resource name, hje-<stack>).
    const initials = project
        .split(/[^A-Za-z0-9]+/)
        .map((w) => w[0] ?? "")
        .join("")
        .toLowerCase();
    return n === p || n === initials || editDistance(namespace, project) <= 3 || (n.length >= 6 && (p.includes(n) || n.includes(p)));
}

function shown(fullKey: string, value: string): string {
    return isConfigSecret(fullKey) ? "(secret value hidden)" : value;
}

/**
 * A ConfigError for every key of the project's namespace the program never read (`known`: the readers' keys), with
 * the nearest known key, and for every key in a namespace that is a near miss of the project's.
 */
export function unknownKeyProblems(known: ReadonlySet<string>, all: Record<string, string> = pulumi.runtime.allConfig()): ConfigError[] {
    const names = [...known];
    const problems: ConfigError[] = [];
    for (const [fullKey, value] of Object.entries(all)) {
        const colon = fullKey.indexOf(":");
        const namespace = fullKey.slice(0, colon);
        const name = fullKey.slice(colon + 1);
        if (namespace === PROJECT) {
            if (known.has(name)) continue;
            const near = closestMatch(name, names);
            problems.push(
                new ConfigError(
                    fullKey,
                    shown(fullKey, value),
                    `This program has no such key${near ? `: did you mean ${PROJECT}:${near}?` : "."} Every key is in the configuration ` +
                        `reference, stacks/config/README.md (pulumi config rm ${fullKey} removes it).`,
                ),
            );
        } else if (isNearMissNamespace(namespace)) {
            const near = known.has(name) ? name : closestMatch(name, names);
            problems.push(
                new ConfigError(
                    fullKey,
                    shown(fullKey, value),
                    `The namespace ${namespace} is not this project's (${PROJECT}), so nothing reads this key` +
                        `${near ? `: did you mean ${PROJECT}:${near}?` : "."}`,
                ),
            );
        }
    }
    return problems;
}
