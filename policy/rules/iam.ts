/** Rules: iam. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configValue, type Props, policyStatements, strings } from "../props";
import { TYPES } from "./shared";

const onlyWildcards = (text: string) => /^[*?]+$/.test(text);

/**
 * An action that grants everything ("*", "*:*", "*:Get*"), a whole service ("s3:*") unless that service is allowed,
 * or any wildcard over IAM's own actions ("iam:*Policy*" lets the holder attach AdministratorAccess to itself).
 */
export function isWildcardAction(action: string, allowedServices: string[]): boolean {
    if (onlyWildcards(action)) return true;
    const [service, name = ""] = action.split(":", 2);
    if (/[*?]/.test(service)) return true;
    if (allowedServices.map((s) => s.toLowerCase()).includes(service.toLowerCase())) return false;
    return onlyWildcards(name) || (service.toLowerCase() === "iam" && /[*?]/.test(name));
}

/**
 * Actions that escalate when granted on every resource even without a wildcard ("iam:PassRole" on "*" hands any role,
 * administrators' included, to a service the holder controls): the IAM privilege-escalation primitives and
 * sts:AssumeRole*. Read-only IAM (iam:GetRole on "*") stays accepted.
 */
const ESCALATING_IAM =
    /^(passrole|attach(user|group|role)policy|put(user|group|role)policy|createpolicyversion|setdefaultpolicyversion|createaccesskey|(create|update)loginprofile|updateassumerolepolicy|addusertogroup)$/;
export function isEscalationAction(action: string): boolean {
    const [service, name = ""] = action.toLowerCase().split(":", 2);
    return (service === "iam" && ESCALATING_IAM.test(name)) || (service === "sts" && name.startsWith("assumerole"));
}

/**
 * Whether a Resource entry matches every resource an action applies to: "*", or an ARN whose service is a wildcard
 * (or the action's own service, or any service for the action "*") and whose region, account and resource parts are
 * only wildcards ("arn:aws:*:*:*:*", "arn:*:s3:::*").
 */
export function coversEveryResource(resource: string, action?: string): boolean {
    if (onlyWildcards(resource)) return true;
    const m = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.*)$/.exec(resource);
    if (!m) return false;
    const [, , service, region, account, rest] = m;
    const actionService = action?.split(":")[0].toLowerCase();
    const serviceOk =
        onlyWildcards(service) || actionService === undefined || onlyWildcards(actionService) || service.toLowerCase() === actionService;
    return serviceOk && /^[*?]*$/.test(region) && /^[*?]*$/.test(account) && /^[*?]+([/:][*?]+)*$/.test(rest);
}

/** Statements that allow a wildcard or escalating action on every resource; Allow+NotAction/NotResource count as wildcards. */
export function wildcardStatements(document: unknown, allowedServices: string[]): string[] {
    return policyStatements(document).flatMap((s, i) => {
        if ((s.Effect ?? "Allow") !== "Allow") return [];
        const wild =
            s.NotAction !== undefined ? [undefined] : strings(s.Action).filter((a) => isWildcardAction(a, allowedServices) || isEscalationAction(a));
        const resources = strings(s.Resource);
        const everything = (a: string | undefined) => s.NotResource !== undefined || resources.some((r) => coversEveryResource(r, a));
        if (!wild.some(everything)) return [];
        const what = s.NotAction !== undefined ? `NotAction ${JSON.stringify(s.NotAction)}` : `Action ${JSON.stringify(s.Action)}`;
        const where = s.NotResource !== undefined ? `NotResource ${JSON.stringify(s.NotResource)}` : `Resource ${JSON.stringify(s.Resource)}`;
        return [`statement ${(s as { Sid?: string }).Sid ?? `#${i + 1}`} allows ${what} on ${where}`];
    });
}

/** AWS managed policies that are administrator access, or one step from it. */
const ADMIN_MANAGED_POLICY = /^arn:[^:]+:iam::aws:policy\/(AdministratorAccess|IAMFullAccess|PowerUserAccess)$/;

/** Types that attach managed policies by ARN, and the input holding the ARN(s). */
const ATTACHMENTS: Record<string, string> = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/role:Role": "managedPolicyArns",
};

export const iamNoWildcardAdmin: ResourceValidationPolicy = {
    name: "iam-no-wildcard-admin",
    description:
        'IAM policies we create never allow a wildcard action ("*", "*:*", "service:*" or any "iam:" wildcard), nor an IAM escalation action (iam:PassRole, iam:Attach*Policy, …) or sts:AssumeRole, on every resource ("*" or an all-wildcard ARN), and nothing attaches AdministratorAccess, IAMFullAccess or PowerUserAccess.',
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
        const arns = ATTACHMENTS[args.type] ? strings(args.props[ATTACHMENTS[args.type]]).filter((a) => ADMIN_MANAGED_POLICY.test(a)) : [];
        for (const arn of arns) {
            report(
                `${args.type.split(":").pop()} ${args.name} attaches ${arn} — administrator access. Attach a policy naming the actions ` +
                    "the workload calls, scoped to its ARNs (see components/snapshots/iamPolicies.ts for the pattern).",
            );
        }
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
