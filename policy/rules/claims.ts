/**
 * Rule: every volume the stack claims comes from a class that retains it. A claim outlives nothing: deleting it (or
 * its namespace, or its Helm release) deletes the volume unless the class's reclaimPolicy is Retain — so a claim on
 * the cluster's default class, on a class this stack cannot see or on a deleting class loses data as surely as a
 * deleting StorageClass does.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { cannotJudgeYet, configValue, isString, isUnknown, objectName, snapshot, type UNKNOWN } from "../props";
import { describeFiles, helmInstall, isPlainObject, isTrusted, opaqueAffecting } from "./helmValues";
import { ofTypes, TYPES } from "./shared";
import { storageInValues } from "./storageValues";

/** Words a values file must contain to claim a volume (the keys charts use for it). */
const CLAIM_WORDS = /storageClass|persistence|volumeClaimTemplate/i;

interface Claim {
    readonly what: string;
    readonly urn: string;
    /** undefined: no class (the cluster default); "": no dynamic provisioning. */
    readonly className?: string | typeof UNKNOWN;
    readonly volumeName?: string;
}

/** Class name → its reclaim policy ("Delete" when unset), from every place the stack defines classes. */
async function classCatalogue(resources: PolicyResource[]): Promise<Map<string, string | typeof UNKNOWN>> {
    const classes = new Map<string, string | typeof UNKNOWN>();
    const add = (name: string | undefined, policy: unknown) => {
        if (name === undefined) return;
        const value = isUnknown(policy) ? policy : isString(policy) ? policy : "Delete";
        // A class defined twice counts with its worse definition.
        if (classes.get(name) === undefined || value !== "Retain") classes.set(name, value);
    };
    for (const sc of ofTypes(resources, TYPES.storageClass))
        add(
            objectName(sc.props, sc.name),
            snapshot(() => sc.props.reclaimPolicy),
        );
    for (const patch of ofTypes(resources, TYPES.storageClassPatch)) {
        const policy = snapshot(() => patch.props.reclaimPolicy);
        if (policy !== undefined) add(objectName(patch.props, patch.name), policy);
    }
    for (const r of ofTypes(resources, TYPES.helmRelease, TYPES.helmChartV4)) {
        const install = await helmInstall(r.type, r.props, r.name);
        for (const c of install ? storageInValues(install.values, install.chart).classes : []) add(c.name, c.reclaimPolicy);
    }
    return classes;
}

async function claimsOf(
    resources: PolicyResource[],
    trusted: string[],
    report: (m: string, urn: string) => void,
    unknown: string[],
): Promise<Claim[]> {
    const claims: Claim[] = [];
    for (const pvc of ofTypes(resources, TYPES.claim, TYPES.claimPatch)) {
        const spec = snapshot(() => pvc.props.spec);
        if (isUnknown(spec)) {
            unknown.push(`${pvc.type.split(":").pop()} ${pvc.name}`);
            continue;
        }
        const s = isPlainObject(spec) ? spec : {};
        // A patch that does not set the class leaves the claim's class as it is.
        if (pvc.type === TYPES.claimPatch && !("storageClassName" in s)) continue;
        const what = `${pvc.type.split(":").pop()} ${objectName(pvc.props, pvc.name)}`;
        claims.push({
            what,
            urn: pvc.urn,
            className: s.storageClassName as Claim["className"],
            volumeName: isString(s.volumeName) ? s.volumeName : undefined,
        });
    }
    for (const sts of ofTypes(resources, TYPES.statefulSet, TYPES.statefulSetPatch)) {
        const templates = snapshot(() => sts.props.spec?.volumeClaimTemplates);
        if (isUnknown(templates)) unknown.push(`StatefulSet ${sts.name} volumeClaimTemplates`);
        for (const [i, t] of (Array.isArray(templates) ? templates : []).entries()) {
            const spec = isPlainObject(t) && isPlainObject(t.spec) ? t.spec : {};
            const name = isPlainObject(t) && isPlainObject(t.metadata) && isString(t.metadata.name) ? t.metadata.name : `#${i}`;
            claims.push({
                what: `StatefulSet ${objectName(sts.props, sts.name)} claim template ${name}`,
                urn: sts.urn,
                className: spec.storageClassName as Claim["className"],
            });
        }
    }
    for (const r of ofTypes(resources, TYPES.helmRelease, TYPES.helmChartV4)) {
        const install = await helmInstall(r.type, r.props, r.name);
        if (!install) continue;
        const where = `${install.kind} ${install.release} (${install.chart})`;
        const found = storageInValues(install.values, install.chart);
        unknown.push(...found.unknown.map((p) => `${where} ${p}`));
        for (const c of found.claims) claims.push({ what: `${where} claims a volume at ${c.path}: it`, urn: r.urn, className: c.className });
        const files = isTrusted(install, trusted) ? [] : opaqueAffecting(install, CLAIM_WORDS);
        unknown.push(...files.filter((f) => f.unknown).map((f) => `${where} ${f.source}`));
        const unreadable = files.filter((f) => !f.unknown);
        if (unreadable.length > 0) {
            report(
                `${where} takes values from ${describeFiles(unreadable)}, which the pack cannot read, so it cannot prove the volumes the ` +
                    "chart claims come from a Retain class. Pass them as `values` (parse the file in the program) or as a JSON " +
                    "StringAsset, or name the release in this policy's trustedValueFiles once you have checked them.",
                r.urn,
            );
        }
    }
    return claims;
}

export const claimsRetain: StackValidationPolicy = {
    name: "claims-on-retain-classes",
    description:
        "Every volume the stack claims (PersistentVolumeClaims, StatefulSet claim templates, claims in Helm values) comes from a StorageClass this stack defines with reclaimPolicy Retain.",
    configSchema: {
        properties: {
            exemptStorageClasses: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Classes claims may use although the stack does not define them as Retain (managed and checked elsewhere, or scratch).",
            },
            trustedValueFiles: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: 'Helm releases ("namespace/release" or release) whose value files you have checked yourself.',
            },
        },
    },
    validateStack: async (args, report) => {
        const config = args.getConfig<Record<string, unknown>>();
        const exempt = configValue<string[]>(config, "exemptStorageClasses", []);
        const unknown: string[] = [];
        const claims = await claimsOf(args.resources, configValue<string[]>(config, "trustedValueFiles", []), report, unknown);
        if (claims.length === 0 && unknown.length === 0) args.notApplicable("This stack claims no volume.");
        const classes = await classCatalogue(args.resources);
        const volumes = new Set(ofTypes(args.resources, TYPES.persistentVolume).map((pv) => objectName(pv.props, pv.name)));
        const fix = "Use a class this stack creates with reclaimPolicy Retain (LinstorCluster's linstor-csi-lvm-thin-r1/r2/r3 or gp3)";
        for (const claim of claims) {
            const name = claim.className;
            if (isUnknown(name)) {
                unknown.push(claim.what);
                continue;
            }
            if (name === undefined || name === null) {
                report(
                    `${claim.what} names no StorageClass, so the cluster's default class provisions it — on EKS the gp2 class ` +
                        "(reclaimPolicy Delete) unless another class is marked default — and the pack cannot prove it retains. " +
                        `${fix}, named explicitly.`,
                    claim.urn,
                );
            } else if (name === "") {
                if (claim.volumeName !== undefined && volumes.has(claim.volumeName)) continue;
                report(
                    `${claim.what} sets storageClassName "" (no dynamic provisioning), so it binds a PersistentVolume this stack ` +
                        "does not create and whose reclaim policy the pack cannot see. Create the PersistentVolume in this stack and name " +
                        `it in spec.volumeName, or ${fix.charAt(0).toLowerCase()}${fix.slice(1)}.`,
                    claim.urn,
                );
            } else if (exempt.includes(name)) {
                // Named in the policy config: managed and checked elsewhere.
            } else if (!classes.has(name)) {
                report(
                    `${claim.what} uses StorageClass ${name}, which this stack does not define, so the pack cannot prove it retains ` +
                        `(EKS's own gp2 class deletes). ${fix}, or name ${name} in this policy's exemptStorageClasses if it is managed elsewhere and retains.`,
                    claim.urn,
                );
            } else if (isUnknown(classes.get(name))) {
                unknown.push(`the reclaimPolicy of StorageClass ${name}`);
            } else if (classes.get(name) !== "Retain") {
                report(
                    `${claim.what} uses StorageClass ${name}, whose reclaimPolicy is ${String(classes.get(name))}: deleting the claim ` +
                        `would delete the volume. ${fix}.`,
                    claim.urn,
                );
            }
        }
        if (unknown.length > 0) cannotJudgeYet(`${unknown.join("; ")} not known yet; judged again at the end of pulumi up`);
    },
};
