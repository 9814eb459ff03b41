/**
 * Rule: no security group admits the internet. Ingress is judged per security group and port over ALL its rules
 * together — inline `ingress` of `aws:ec2/securityGroup:SecurityGroup`, `aws:ec2/securityGroupRule:SecurityGroupRule`
 * (type ingress) and `aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule` — so two rules for 0.0.0.0/1 and
 * 128.0.0.0/1 open a port as much as one for 0.0.0.0/0 does (AWS provider v7 argument names).
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { cannotJudgeYet, configValue, isString, isUnknown, snapshot, strings } from "../props";
import { exposure } from "./cidr";
import { isPlainObject } from "./helmValues";
import { ofTypes, TYPES } from "./shared";

interface Ingress {
    /** Which security group: its ID, else what its ID depends on (unknown during a preview). */
    readonly group: string;
    readonly label: string;
    readonly protocol: string;
    readonly from: number;
    readonly to: number;
    readonly cidrs: string[];
    readonly resource: PolicyResource;
}

const ALL = new Set(["-1", "all"]);
const PROTOCOL_NUMBERS: Record<string, string> = { "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6" };
const protocolOf = (p: unknown) => {
    const v = String(p ?? "-1").toLowerCase();
    return ALL.has(v) ? "all" : (PROTOCOL_NUMBERS[v] ?? v);
};

/** The group a rule attaches to: its known ID, else the resources its ID comes from, else its parent. */
function groupKey(r: PolicyResource, id: unknown): string {
    if (isString(id)) return id;
    const deps = (r.propertyDependencies?.securityGroupId ?? []).map((d) => d.urn);
    return deps.length > 0 ? `group from ${deps.sort().join(" ")}` : `group of ${r.parent?.urn ?? r.opts?.parent ?? r.urn}`;
}

function ingressOf(resources: PolicyResource[], pending: string[]): Ingress[] {
    const out: Ingress[] = [];
    const add = (r: PolicyResource, group: string, label: string, rule: Record<string, unknown>, cidrs: unknown[]) => {
        if (cidrs.some(isUnknown) || [rule.protocol, rule.fromPort, rule.toPort].some(isUnknown)) {
            pending.push(`the ingress of ${label}`);
            return;
        }
        const protocol = protocolOf(rule.protocol);
        const all = protocol === "all";
        const from = all ? 0 : Number(rule.fromPort ?? 0);
        const to = all ? 65535 : Number(rule.toPort ?? from);
        out.push({ group, label, protocol, from, to, cidrs: cidrs.flatMap((c) => strings(c)), resource: r });
    };
    for (const sg of ofTypes(resources, TYPES.securityGroup)) {
        const id = snapshot(() => sg.props.id);
        const group = isString(id) ? id : sg.urn;
        const ingress = snapshot(() => sg.props.ingress);
        if (isUnknown(ingress)) pending.push(`the ingress of security group ${sg.name}`);
        for (const rule of Array.isArray(ingress) ? ingress.filter(isPlainObject) : []) {
            add(sg, group, `security group ${sg.name}`, rule, [rule.cidrBlocks, rule.ipv6CidrBlocks]);
        }
    }
    for (const r of ofTypes(resources, TYPES.securityGroupRule)) {
        const rule = snapshot(() => r.props);
        if (!isPlainObject(rule) || rule.type !== "ingress") continue;
        add(r, groupKey(r, rule.securityGroupId), `security group rule ${r.name}`, rule, [rule.cidrBlocks, rule.ipv6CidrBlocks]);
    }
    for (const r of ofTypes(resources, TYPES.ingressRule)) {
        const rule = snapshot(() => r.props);
        if (!isPlainObject(rule)) continue;
        const normalized = { protocol: rule.ipProtocol, fromPort: rule.fromPort, toPort: rule.toPort };
        add(r, groupKey(r, rule.securityGroupId), `ingress rule ${r.name}`, normalized, [rule.cidrIpv4, rule.cidrIpv6]);
    }
    return out;
}

export const noOpenIngress: StackValidationPolicy = {
    name: "no-world-open-ingress",
    description:
        "No security group admits the internet on any port: the CIDRs of all its ingress rules for that port together admit less than 1/16 of the public IPv4 and of the public IPv6 space.",
    configSchema: {
        properties: {
            allowedOpenSecurityGroups: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Security group IDs, or names of the security group / rule resources, allowed to admit the internet.",
            },
        },
    },
    validateStack: (args, report) => {
        const allowed = configValue<string[]>(args.getConfig(), "allowedOpenSecurityGroups", []);
        const pending: string[] = [];
        const ingress = ingressOf(args.resources, pending).filter((i) => !allowed.includes(i.group) && !allowed.includes(i.resource.name));
        if (ingress.length === 0 && pending.length === 0) args.notApplicable("This stack opens no security group to CIDRs.");
        const groups = new Map<string, Ingress[]>();
        for (const i of ingress) groups.set(i.group, [...(groups.get(i.group) ?? []), i]);
        for (const rules of groups.values()) {
            // The widest union for a port is reached at some rule's first port: check those.
            for (const probe of rules) {
                const admitting = rules.filter(
                    (r) => (r.protocol === "all" || r.protocol === probe.protocol) && r.from <= probe.from && probe.from <= r.to,
                );
                const { open } = exposure(admitting.flatMap((r) => r.cidrs));
                if (!open) continue;
                const port = probe.protocol === "all" ? "every port" : `${probe.protocol} port ${probe.from}`;
                report(
                    `${list(admitting)} admit the internet on ${port}: ${open}. Name the networks that need it, or reference a ` +
                        "security group instead of CIDRs; allow a deliberate exception in this policy's allowedOpenSecurityGroups.",
                    probe.resource.urn,
                );
                break;
            }
        }
        if (pending.length > 0) cannotJudgeYet(`${pending.join(", ")} not known yet; judged again at the end of pulumi up`);
    },
};

const list = (rules: Ingress[]) => [...new Set(rules.map((r) => r.label))].join(", ");
