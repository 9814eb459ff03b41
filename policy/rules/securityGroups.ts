/**
 * Rule: no security group admits the internet. Ingress is judged per security group and port over ALL its rules
 * together — inline `ingress` of `aws:ec2/securityGroup:SecurityGroup`, `aws:ec2/securityGroupRule:SecurityGroupRule`
 * (type ingress) and `aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule` — so two rules for 0.0.0.0/1 and
 * 128.0.0.0/1 open a port as much as one for 0.0.0.0/0 does (AWS provider v7 argument names). A prefix list
 * (`prefixListIds`, `prefixListId`) counts with its entries when the stack creates it; any other list is refused
 * unless allow-listed, since its entries are unknown — AWS-managed lists included (CloudFront's origin-facing list
 * admits anyone routing through CloudFront).
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { cannotJudgeYet, configValue, isString, isUnknown, snapshot, strings, UNKNOWN } from "../props";
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

/**
 * The entries of each managed prefix list the stack creates, by its ID: `entries[].cidr` of
 * `aws:ec2/managedPrefixList:ManagedPrefixList` plus `aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry`.
 * A list whose entries are not known yet maps to UNKNOWN.
 */
function prefixLists(resources: PolicyResource[]): Map<string, string[] | typeof UNKNOWN> {
    const lists = new Map<string, string[] | typeof UNKNOWN>();
    for (const pl of ofTypes(resources, TYPES.prefixList)) {
        const id = snapshot(() => pl.props.id);
        if (!isString(id)) continue;
        const entries = snapshot(() => pl.props.entries);
        const cidrs = Array.isArray(entries) ? entries.map((e) => (isPlainObject(e) ? e.cidr : e)) : [];
        lists.set(id, isUnknown(entries) || cidrs.some(isUnknown) ? UNKNOWN : cidrs.filter(isString));
    }
    for (const e of ofTypes(resources, TYPES.prefixListEntry)) {
        const id = snapshot(() => e.props.prefixListId);
        const cidr = snapshot(() => e.props.cidr);
        if (!isString(id)) continue;
        const before = lists.get(id) ?? [];
        lists.set(id, isUnknown(cidr) || isUnknown(before) ? UNKNOWN : [...before, ...strings(cidr)]);
    }
    return lists;
}

function ingressOf(resources: PolicyResource[], pending: string[], allowedLists: readonly string[], unproven: Ingress[]): Ingress[] {
    const out: Ingress[] = [];
    const lists = prefixLists(resources);
    const add = (r: PolicyResource, group: string, label: string, rule: Record<string, unknown>, cidrs: unknown[], listIds: unknown = []) => {
        if (cidrs.some(isUnknown) || isUnknown(listIds) || [rule.protocol, rule.fromPort, rule.toPort].some(isUnknown)) {
            pending.push(`the ingress of ${label}`);
            return;
        }
        // A prefix list admits its entries: an in-stack list is judged by them, any other one proves nothing.
        const fromLists: unknown[] = [];
        const external: string[] = [];
        for (const id of Array.isArray(listIds) ? listIds : [listIds]) {
            if (isUnknown(id)) {
                pending.push(`the prefix list of ${label}`);
                return;
            }
            if (!isString(id) || allowedLists.includes(id)) continue;
            const entries = lists.get(id);
            if (isUnknown(entries)) {
                pending.push(`the entries of prefix list ${id}`);
                return;
            }
            if (entries === undefined) external.push(id);
            else fromLists.push(entries);
        }
        cidrs = [...cidrs, ...fromLists];
        const protocol = protocolOf(rule.protocol);
        const all = protocol === "all";
        const from = all ? 0 : Number(rule.fromPort ?? 0);
        const to = all ? 65535 : Number(rule.toPort ?? from);
        out.push({ group, label, protocol, from, to, cidrs: cidrs.flatMap((c) => strings(c)), resource: r });
        if (external.length > 0)
            unproven.push({ group, label: `${label} (prefix list ${external.join(", ")})`, protocol, from, to, cidrs: [], resource: r });
    };
    for (const sg of ofTypes(resources, TYPES.securityGroup)) {
        const id = snapshot(() => sg.props.id);
        const group = isString(id) ? id : sg.urn;
        const ingress = snapshot(() => sg.props.ingress);
        if (isUnknown(ingress)) pending.push(`the ingress of security group ${sg.name}`);
        for (const rule of Array.isArray(ingress) ? ingress.filter(isPlainObject) : []) {
            add(sg, group, `security group ${sg.name}`, rule, [rule.cidrBlocks, rule.ipv6CidrBlocks], rule.prefixListIds);
        }
    }
    for (const r of ofTypes(resources, TYPES.securityGroupRule)) {
        const rule = snapshot(() => r.props);
        if (!isPlainObject(rule) || rule.type !== "ingress") continue;
        add(r, groupKey(r, rule.securityGroupId), `security group rule ${r.name}`, rule, [rule.cidrBlocks, rule.ipv6CidrBlocks], rule.prefixListIds);
    }
    for (const r of ofTypes(resources, TYPES.ingressRule)) {
        const rule = snapshot(() => r.props);
        if (!isPlainObject(rule)) continue;
        const normalized = { protocol: rule.ipProtocol, fromPort: rule.fromPort, toPort: rule.toPort };
        add(r, groupKey(r, rule.securityGroupId), `ingress rule ${r.name}`, normalized, [rule.cidrIpv4, rule.cidrIpv6], rule.prefixListId);
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
            allowedPrefixLists: {
                type: "array",
                items: { type: "string" },
                default: [],
                description:
                    "IDs of prefix lists the stack does not create (AWS-managed com.amazonaws.* lists, shared ones) whose entries you checked.",
            },
        },
    },
    validateStack: (args, report) => {
        const allowed = configValue<string[]>(args.getConfig(), "allowedOpenSecurityGroups", []);
        const allowedLists = configValue<string[]>(args.getConfig(), "allowedPrefixLists", []);
        const pending: string[] = [];
        const unproven: Ingress[] = [];
        const exempt = (i: Ingress) => allowed.includes(i.group) || allowed.includes(i.resource.name);
        const ingress = ingressOf(args.resources, pending, allowedLists, unproven).filter((i) => !exempt(i));
        if (ingress.length === 0 && pending.length === 0) args.notApplicable("This stack opens no security group to CIDRs.");
        for (const i of unproven.filter((u) => !exempt(u))) {
            const port = i.protocol === "all" ? "every port" : `${i.protocol} ports ${i.from}-${i.to}`;
            report(
                `${i.label} admits on ${port} whatever the prefix list holds, and the stack does not show its entries. Create the ` +
                    "list in the stack (aws.ec2.ManagedPrefixList, judged by its entries), or name its ID in this policy's allowedPrefixLists.",
                i.resource.urn,
            );
        }
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
