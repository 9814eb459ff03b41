/** Rules: retain. Objects that delete volumes or backups when their Kubernetes object goes. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { cannotJudgeYet, configValue, isString, isUnknown, objectName, type Props, snapshot } from "../props";
import { describeFiles, helmInstall, isPlainObject, isTrusted, opaqueAffecting } from "./helmValues";
import { TYPES } from "./shared";
import { storageInValues } from "./storageValues";

/** Words a values file must contain to define a StorageClass or PersistentVolume (the keys and kinds they use). */
const STORAGE_WORDS = /reclaimPolicy|StorageClass|PersistentVolume/i;

const CLASS_FIX =
    'Set reclaimPolicy: "Retain". The field is immutable, so the class is replaced; volumes already provisioned keep ' +
    "their policy — patch each PersistentVolume's spec.persistentVolumeReclaimPolicy to Retain.";

export const storageClassRetain: ResourceValidationPolicy = {
    name: "storage-class-reclaim-retain",
    description:
        "Every StorageClass and PersistentVolume the stack defines — as a resource, a *Patch, a pulumi-eks storageClasses input or in Helm values — keeps its volume: reclaimPolicy Retain.",
    configSchema: {
        properties: {
            exemptStorageClasses: { type: "array", items: { type: "string" }, default: [], description: "Class names allowed to delete volumes." },
            trustedValueFiles: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: 'Helm releases ("namespace/release" or release) whose value files you have checked yourself.',
            },
        },
    },
    validateResource: async (args, report) => {
        const exempt = configValue<string[]>(args.getConfig(), "exemptStorageClasses", []);
        const trusted = configValue<string[]>(args.getConfig(), "trustedValueFiles", []);
        const classProblem = (what: string, name: string | undefined, policy: unknown, unset: string) => {
            if (policy === "Retain" || (name !== undefined && exempt.includes(name))) return;
            report(`${what} has reclaimPolicy ${policy ?? unset}: deleting a claim would delete its volume and every replica. ${CLASS_FIX}`);
        };
        const pvProblem = (what: string, policy: unknown) => {
            // A PersistentVolume made by hand defaults to Retain; a patch without the field leaves it as it is.
            if (policy === undefined || policy === "Retain") return;
            report(
                `${what} has persistentVolumeReclaimPolicy ${policy}: set spec.persistentVolumeReclaimPolicy: "Retain" so releasing its claim never deletes the data.`,
            );
        };
        switch (args.type) {
            case TYPES.storageClass: {
                const name = objectName(args.props, args.name);
                classProblem(
                    `StorageClass ${name} (${args.props.provisioner ?? "unknown provisioner"})`,
                    name,
                    args.props.reclaimPolicy,
                    "unset, which Kubernetes treats as Delete",
                );
                return;
            }
            case TYPES.storageClassPatch: {
                const name = objectName(args.props, args.name);
                if (args.props.reclaimPolicy !== undefined) classProblem(`StorageClassPatch ${name}`, name, args.props.reclaimPolicy, "");
                return;
            }
            case TYPES.persistentVolume:
            case TYPES.persistentVolumePatch:
                pvProblem(`${args.type.split(":").pop()} ${objectName(args.props, args.name)}`, args.props.spec?.persistentVolumeReclaimPolicy);
                return;
            case TYPES.eksCluster:
                eksStorageClasses(args.props, args.name, exempt, report);
                return;
        }
        const install = await helmInstall(args.type, args.props, args.name);
        if (!install) return;
        const where = `${install.kind} ${install.release} (${install.chart})`;
        const found = storageInValues(install.values, install.chart);
        for (const c of found.classes) {
            if (isUnknown(c.reclaimPolicy)) continue;
            classProblem(
                `${where} defines StorageClass ${c.name ?? "(unnamed)"} in its values at ${c.path}, which`,
                c.name,
                c.reclaimPolicy,
                "unset (Kubernetes and these charts then delete)",
            );
        }
        for (const d of found.deleting) {
            report(`${where} sets a reclaim policy that deletes volumes in its values (${d}). Set it to "Retain".`);
        }
        const files = isTrusted(install, trusted) ? [] : opaqueAffecting(install, STORAGE_WORDS);
        if (files.some((f) => !f.unknown)) {
            report(
                `${where} takes values from ${describeFiles(files.filter((f) => !f.unknown))}, which the pack cannot read, so it cannot ` +
                    "prove they define no StorageClass or PersistentVolume that deletes. Pass them as `values` (parse the file in the " +
                    "program) or as a JSON StringAsset, or name the release in this policy's trustedValueFiles once you have checked them.",
            );
        }
        const unknown = [
            ...found.unknown,
            ...found.classes.filter((c) => isUnknown(c.reclaimPolicy)).map((c) => c.path),
            ...files.filter((f) => f.unknown).map((f) => f.source),
        ];
        if (unknown.length > 0) cannotJudgeYet(`${where}: ${unknown.join(", ")} not known yet; checked again when the values are known`);
    },
};

/** pulumi-eks `storageClasses`: a volume type (one class, reclaimPolicy Delete) or classes by name (pulumi-eks 4.3 cluster/storageclass.ts: "Defaults to Delete"). */
function eksStorageClasses(props: Props, name: string, exempt: string[], report: (message: string) => void): void {
    const classes = snapshot(() => props.storageClasses);
    if (classes === undefined) return;
    const fix = 'Give each class reclaimPolicy: "Retain" in storageClasses, or create the classes yourself.';
    if (isString(classes)) {
        report(
            `EKS cluster ${name} creates a ${classes} StorageClass through storageClasses, whose reclaimPolicy pulumi-eks leaves at Delete. ${fix}`,
        );
        return;
    }
    if (isUnknown(classes) || !isPlainObject(classes)) return;
    for (const [key, spec] of Object.entries(classes)) {
        const policy = isPlainObject(spec) ? spec.reclaimPolicy : undefined;
        if (policy === "Retain" || isUnknown(policy) || exempt.includes(key)) continue;
        report(
            `EKS cluster ${name} creates StorageClass ${key} through storageClasses with reclaimPolicy ${policy ?? "unset (pulumi-eks: Delete)"}. ${fix}`,
        );
    }
}

/** Patch types that carry a deletion policy: the CRD kinds' `<Kind>Patch` (@pulumi/kubernetes CustomResourcePatch). */
const SNAPSHOT_TYPES = [TYPES.snapshotClass, TYPES.snapshotContent, `${TYPES.snapshotClass}Patch`, `${TYPES.snapshotContent}Patch`];

export const snapshotRetain: ResourceValidationPolicy = {
    name: "volume-snapshot-retain",
    description:
        "Every VolumeSnapshotClass and VolumeSnapshotContent we create or patch has deletionPolicy Retain (deleting an S3 snapshot deletes the backup).",
    validateResource: (args, report) => {
        if (!SNAPSHOT_TYPES.includes(args.type)) return;
        const isClass = args.type.includes("VolumeSnapshotClass");
        const patch = args.type.endsWith("Patch");
        const policy = isClass ? args.props.deletionPolicy : args.props.spec?.deletionPolicy;
        if (policy === "Retain" || (patch && policy === undefined)) return;
        const kind = args.type.split(":").pop();
        const where = isClass ? "deletionPolicy" : "spec.deletionPolicy";
        report(
            `${kind} ${objectName(args.props, args.name)} has ${where} ${policy ?? "unset"}: deleting the Kubernetes object would ` +
                `delete the snapshot, and for linstor-csi's S3 type the backup in the bucket. Set ${where}: "Retain" ` +
                "(pruning old backups is the snapshot schedule's explicit job).",
        );
    },
};
