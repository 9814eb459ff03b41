/** Rules: iam. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configValue, type Props, policyStatements, strings } from "../props";
import { TYPES } from "./shared";

/** An action that grants everything ("*", "*:*"), or a whole service ("s3:*") unless that service is allowed. */
export function isWildcardAction(action: string, allowedServices: string[]): boolean {
    if (action === "*" || action === "*:*") return true;
    const m = /^([A-Za-z0-9-]+):\*$/.exec(action);
    return m !== null && !allowedServices.map((s) => s.toLowerCase()).includes(m[1].toLowerCase());
}

/** Statements that allow a wildcard action on every resource; Allow+NotAction/NotResource count as wildcards. */
export function wildcardStatements(document: unknown, allowedServices: string[]): string[] {
    return policyStatements(document).flatMap((s, i) => {
        if ((s.Effect ?? "Allow") !== "Allow") return [];
        const actions = strings(s.Action);
        const anyAction = s.NotAction !== undefined || actions.some((a) => isWildcardAction(a, allowedServices));
        const anyResource = s.NotResource !== undefined || strings(s.Resource).includes("*");
        if (!anyAction || !anyResource) return [];
        const what = s.NotAction !== undefined ? `NotAction ${JSON.stringify(s.NotAction)}` : `Action ${JSON.stringify(s.Action)}`;
        const where = s.NotResource !== undefined ? `NotResource ${JSON.stringify(s.NotResource)}` : 'Resource "*"';
        return [`statement ${(s as { Sid?: string }).Sid ?? `#${i + 1}`} allows ${what} on ${where}`];
    });
}

export const iamNoWildcardAdmin: ResourceValidationPolicy = {
    name: "iam-no-wildcard-admin",
    description: 'IAM policies we create never allow a wildcard action ("*", "*:*" or "service:*") on Resource "*".',
    configSchema: {
        properties: {
            allowedServiceWildcards: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: 'Services whose "<service>:*" on "*" is accepted.',
            },
        },
    },
    validateResource: (args, report) => {
        const documents: [string, unknown][] = [];
        if ((TYPES.iamPolicies as readonly string[]).includes(args.type)) documents.push(["policy", args.props.policy]);
        else if (args.type === TYPES.iamRole) {
            ((args.props.inlinePolicies ?? []) as Props[]).forEach((p, i) => {
                documents.push([`inline policy ${p.name ?? i}`, p.policy]);
            });
        } else return;
        const allowed = configValue<string[]>(args.getConfig(), "allowedServiceWildcards", []);
        for (const [label, document] of documents) {
            if (document === undefined || document === null || document === "") continue;
            let findings: string[];
            try {
                findings = wildcardStatements(document, allowed);
            } catch {
                report(
                    `${args.type.split(":").pop()} ${args.name}: the ${label} document is not valid JSON, so it cannot be checked. Fix the document.`,
                );
                continue;
            }
            if (findings.length === 0) continue;
            report(
                `${args.type.split(":").pop()} ${args.name}: ${label} ${findings.join("; ")} — administrator access. ` +
                    "Name the actions the workload calls and scope Resource to its ARNs (see components/snapshots/iamPolicies.ts for the pattern).",
            );
        }
    },
};
