/**
 * The offline plan's report: what `npm run plan` prints about a stack evaluated under mocks — resources by
 * component, AZ layout, StorageClass replicas, DRBD sizing, policy violations, what cannot be known offline and the
 * timing. Pure functions of the recorded resources (tested in tests/stacks/offline/plan.spec.ts).
 */

import {
    defaultMetadataVolumeGiB,
    drbdBitmapMemoryMiB,
    externalMetadataMiB,
    instanceMemoryMiB,
    requiredNodeMemoryMiB,
} from "../../components/linstorCluster/sizing";
import { mandatory, type PackResult, type RecordedResource } from "../../policy/offline";
import { policies } from "../../policy/policies";
import { linstorParameter } from "../../policy/props";
import type { ClusterConfig } from "../config/cluster";

/** The plan may take this many times the bare SDK import time. */
export const OVERHEAD_TARGET = 1.5;

export const OFFLINE_LIMITS = [
    "IDs, ARNs, endpoints, the AMI and the kubeconfig are placeholders: nothing is looked up in AWS or Kubernetes.",
    "Helm charts are not rendered and operators do not run: chart-made objects are judged from release values only.",
    "Account limits, quotas, IAM permission sufficiency, prices and instance-type availability per AZ are not checked.",
    "Secret config values are not decrypted (placeholders); StackReferences see only outputs given with --stack-outputs.",
];

export interface ComponentGroup {
    readonly label: string;
    readonly count: number;
    readonly kinds: Record<string, number>;
}

/** `aws:iam/role:Role` → `aws:Role`: short and still unambiguous between providers. */
export const kindOf = (type: string) => `${type.split(":")[0]}:${type.split(":").pop()}`;

/** Registered resources grouped under their top-level component (reads and root resources apart). */
export function resourcesByComponent(records: readonly RecordedResource[]): ComponentGroup[] {
    const byUrn = new Map(records.filter((r) => r.options).map((r) => [r.options!.urn, r]));
    const groups = new Map<string, { count: number; kinds: Record<string, number> }>();
    for (const r of records) {
        let top: RecordedResource | undefined;
        for (
            let cur = r.options?.parent ? byUrn.get(r.options.parent) : undefined;
            cur;
            cur = cur.options?.parent ? byUrn.get(cur.options.parent) : undefined
        )
            top = cur;
        if (!top && r.custom === false && r.options) continue; // a top-level component heads its own group
        const label = r.options === undefined ? "(read, not managed)" : top ? `${top.type} ${top.name}` : "(stack root)";
        const g = groups.get(label) ?? { count: 0, kinds: {} };
        g.count++;
        g.kinds[kindOf(r.type)] = (g.kinds[kindOf(r.type)] ?? 0) + 1;
        groups.set(label, g);
    }
    return [...groups].map(([label, g]) => ({ label, ...g })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

export interface NodeGroupPlacement {
    readonly name: string;
    readonly zones: string[];
    readonly scaling?: { minSize?: number; desiredSize?: number; maxSize?: number };
}

export function azLayout(records: readonly RecordedResource[], subnetZones: ReadonlyMap<string, string>) {
    // Existing subnets the stack reads (LinstorCluster with vpcId) show their zone in what the read returned.
    const read = new Map(
        records
            .filter((r) => r.type === "aws:ec2/subnet:Subnet" && typeof r.outputs?.availabilityZone === "string")
            .map((r) => [r.id as string, r.outputs.availabilityZone as string]),
    );
    const created = records.filter((r) => r.type === "awsx:ec2:Vpc").flatMap((r) => r.inputs.availabilityZoneNames ?? []) as string[];
    const vpcZones = created.length > 0 ? created : [...new Set(read.values())];
    const groups: NodeGroupPlacement[] = records
        .filter((r) => r.type === "eks:index:ManagedNodeGroup" || r.type === "aws:eks/nodeGroup:NodeGroup")
        .map((r) => ({
            name: r.inputs.nodeGroupName ?? r.inputs.nodeGroupNamePrefix ?? r.name,
            zones: ((r.inputs.subnetIds ?? []) as string[]).map((id) => subnetZones.get(id) ?? read.get(id) ?? `subnet ${id}`),
            scaling: r.inputs.scalingConfig,
        }));
    const instanceTypes = [...new Set(records.filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate").map((r) => r.inputs.instanceType))];
    return { vpcZones, groups, instanceTypes };
}

export interface ClassSummary {
    readonly name: string;
    readonly provisioner: string;
    readonly replicas?: number;
    readonly zoneSpread: boolean;
    readonly reclaimPolicy: string;
}

export function storageClasses(records: readonly RecordedResource[]): ClassSummary[] {
    return records
        .filter((r) => r.type === "kubernetes:storage.k8s.io/v1:StorageClass")
        .map((r) => {
            const p = r.inputs.parameters;
            const replicas = linstorParameter(p, "placementCount") ?? linstorParameter(p, "autoPlace");
            return {
                name: r.inputs.metadata?.name ?? r.name,
                provisioner: r.inputs.provisioner ?? "?",
                replicas: replicas === undefined ? undefined : Number(replicas),
                zoneSpread: (linstorParameter(p, "replicasOnDifferent") ?? "").includes("topology.kubernetes.io/zone"),
                reclaimPolicy: r.inputs.reclaimPolicy ?? "Delete (unset)",
            };
        });
}

export interface Sizing {
    readonly nodes: number;
    readonly dataGiB: number;
    readonly dataType: string;
    readonly maxReplicas: number;
    readonly bitmapMiB: number;
    readonly requiredMemoryMiB: number;
    readonly instanceType: string;
    readonly instanceMemoryMiB?: number;
    readonly peerSlots: number;
    readonly maxVolumes: number;
    readonly metadataNeededMiB: number;
    readonly metadataVolumeGiB: number;
    /** Usable replicated capacity by replica count, assuming data spreads evenly. */
    readonly usableGiB: Record<number, number>;
}

/** DRBD sizing of one storage node, from components/linstorCluster/sizing.ts (the rules the component validates with). */
export function sizingOf(c: ClusterConfig, zones: number): Sizing {
    const maxReplicas = Math.max(...c.storageClassReplicas);
    const nodes = zones * c.nodesPerAz;
    return {
        nodes,
        dataGiB: c.dataVolumeSizeGiB,
        dataType: c.dataVolumeType,
        maxReplicas,
        bitmapMiB: drbdBitmapMemoryMiB(c.dataVolumeSizeGiB, maxReplicas),
        requiredMemoryMiB: requiredNodeMemoryMiB(c.dataVolumeSizeGiB, maxReplicas),
        instanceType: c.instanceType,
        instanceMemoryMiB: c.instanceMemoryMiB ?? instanceMemoryMiB(c.instanceType),
        peerSlots: c.drbdPeerSlots,
        maxVolumes: c.maxVolumesPerNode,
        metadataNeededMiB: externalMetadataMiB(c.dataVolumeSizeGiB, c.drbdPeerSlots, c.maxVolumesPerNode),
        metadataVolumeGiB: c.metadataVolumeSizeGiB ?? defaultMetadataVolumeGiB(c.dataVolumeSizeGiB, c.drbdPeerSlots, c.maxVolumesPerNode),
        usableGiB: Object.fromEntries(c.storageClassReplicas.map((n) => [n, Math.floor((nodes * c.dataVolumeSizeGiB) / n)])),
    };
}

export interface Timing {
    /** Process start → verdict. */
    readonly planMs: number;
    /** A bare `node -e "require(...)"` of the same SDKs; undefined when not measured. */
    readonly floorMs?: number;
    readonly sdks: string[];
    /** Where the time went, in order: label → milliseconds. */
    readonly phases?: [string, number][];
}

export function formatTiming(t: Timing): string {
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const phases = t.phases?.length ? ` (${t.phases.map(([label, ms]) => `${label} ${s(ms)}`).join(", ")})` : "";
    if (t.floorMs === undefined) return `Timing: plan ${s(t.planMs)} wall${phases}; SDK import floor not measured.`;
    const ratio = t.planMs / t.floorMs;
    return (
        `Timing: plan ${s(t.planMs)} wall${phases}; importing its SDKs alone (${t.sdks.join(", ")}) takes ` +
        `${s(t.floorMs)} → ${ratio.toFixed(2)}× (target ≤ ${OVERHEAD_TARGET}×: ${ratio <= OVERHEAD_TARGET ? "met" : "missed"}).`
    );
}

export interface PlanReport {
    readonly stack: string;
    readonly project: string;
    readonly role: string;
    readonly region: string;
    readonly records: readonly RecordedResource[];
    readonly subnetZones: ReadonlyMap<string, string>;
    readonly guesses: readonly string[];
    readonly sizing?: Sizing;
    readonly result: PackResult;
    /** The RTO/RPO model of the stack's config (components/rto), already formatted. */
    readonly rto?: string;
    /** The data pool's budget per node (backupReport.ts), one line under the sizing. */
    readonly dataPool?: string;
    /** The monthly backup and replication cost (components/rto/cost.ts), already formatted. */
    readonly backupCost?: string;
    readonly timing?: Timing;
}

export function formatPlan(p: PlanReport): string {
    const out: string[] = [];
    const managed = p.records.filter((r) => r.options).length;
    out.push(`Offline plan of stack ${p.stack} (project ${p.project}, role ${p.role}, region ${p.region})`, "");
    out.push(`Resources: ${managed} registered, ${p.records.length - managed} read`);
    for (const g of resourcesByComponent(p.records)) {
        out.push(`  ${g.label}: ${g.count}`);
        out.push(
            `      ${Object.entries(g.kinds)
                .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
                .map(([k, n]) => `${k} ×${n}`)
                .join(", ")}`,
        );
    }
    const az = azLayout(p.records, p.subnetZones);
    out.push(
        "",
        `Availability zones: VPC ${az.vpcZones.length > 0 ? az.vpcZones.join(", ") : "(existing VPC)"}; ` +
            `storage instance type ${az.instanceTypes.join(", ") || "?"}`,
    );
    for (const g of az.groups) {
        const s = g.scaling;
        out.push(`  node group ${g.name}: ${g.zones.join(", ")}${s ? ` — ${s.desiredSize} node(s), min ${s.minSize}, max ${s.maxSize}` : ""}`);
    }
    out.push("", "StorageClasses:");
    for (const c of storageClasses(p.records)) {
        out.push(
            `  ${c.name}: ${c.provisioner}, ${c.replicas ?? "?"} replica(s)${c.zoneSpread && (c.replicas ?? 1) > 1 ? " in different zones" : ""}, reclaim ${c.reclaimPolicy}`,
        );
    }
    if (p.sizing) {
        const z = p.sizing;
        out.push(
            "",
            `Sizing (per storage node, ${z.nodes} nodes):`,
            `  data ${z.dataGiB} GiB ${z.dataType}; usable replicated capacity ${Object.entries(z.usableGiB)
                .map(([n, g]) => `r${n} ${g} GiB`)
                .join(", ")}`,
            `  DRBD bitmaps in RAM at ${z.maxReplicas} replicas: ${z.bitmapMiB} MiB; node needs ≥ ${z.requiredMemoryMiB} MiB, ` +
                `${z.instanceType} has ${z.instanceMemoryMiB ?? "?"} MiB`,
            `  DRBD metadata: ${z.metadataNeededMiB} MiB needed (${z.peerSlots} peer slots, ≤ ${z.maxVolumes} volumes) on a ${z.metadataVolumeGiB} GiB volume`,
        );
    }
    if (p.dataPool) out.push(p.dataPool);
    if (p.rto) out.push("", p.rto);
    if (p.backupCost) out.push("", p.backupCost);
    const bad = p.result.violations;
    out.push(
        "",
        `Policies: ${policies.length} rules of pack ha-jenkins-eks; ${mandatory(p.result).length} mandatory violation(s), ` +
            `${bad.length - mandatory(p.result).length} advisory`,
    );
    for (const v of bad) {
        out.push(
            `  ✖ [${v.enforcementLevel}] ${v.policyName}${v.resourceName ? ` — ${v.resourceType} ${v.resourceName}` : ""}`,
            `      ${v.message}`,
        );
    }
    for (const n of p.result.notApplicable) out.push(`  – ${n.policyName}: not applicable (${n.reason})`);
    if (bad.length === 0) out.push("  ✔ no violations");
    out.push("", "Cannot be known offline:", ...[...OFFLINE_LIMITS, ...p.guesses.map((g) => `Guessed: ${g}.`)].map((l) => `  - ${l}`));
    if (p.timing) out.push("", formatTiming(p.timing));
    return out.join("\n");
}
