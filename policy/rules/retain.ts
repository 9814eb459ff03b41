/** Rules: retain. Objects that delete volumes or backups when their Kubernetes object goes. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { cannotJudgeYet, configValue, isString, isUnknown, objectName, type Props, snapshot } from "../props";
import { describeFiles, type HelmInstall, helmInstall, isPlainObject, isTrusted, opaqueAffecting } from "./helmValues";
import { TYPES } from "./shared";
import { SNAPSHOT_KIND, storageInValues } from "./storageValues";

/** pulumi-kubernetes' YAML v2 ConfigGroup: a remote component, so a mocked evaluation sees only its `objs` and `yaml`. */
export const CONFIG_GROUP = "kubernetes:yaml/v2:ConfigGroup";

/** What a Helm install or a YAML v2 ConfigGroup will create, as values the storage scan reads (undefined for other resources). */
async function manifestSource(type: string, props: Props, name: string): Promise<HelmInstall | undefined> {
    if (type !== CONFIG_GROUP) return helmInstall(type, props, name);
    const objs = snapshot(() => props.objs);
    const yaml = snapshot(() => props.yaml);
    return { kind: "YAML ConfigGroup", chart: "", release: name, values: { objs, yaml }, opaque: [] };
}

const OPAQUE_FIX = "Give the manifest as an object (or JSON text) so the pack can read its policy, or define the object as a Pulumi resource.";

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
        const install = await manifestSource(args.type, args.props, args.name);
        if (!install) return;
        const where = install.chart ? `${install.kind} ${install.release} (${install.chart})` : `${install.kind} ${install.release}`;
        const found = storageInValues(install.values, install.chart);
        for (const m of found.opaqueManifests.filter((o) => o.kinds.some((k) => !SNAPSHOT_KIND.test(k)))) {
            report(
                `${where} has text at ${m.path} naming kind ${m.kinds.join(", ")}, which the pack cannot parse, so it cannot prove the ` +
                    `object retains its volumes. ${OPAQUE_FIX}`,
            );
        }
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
        "Every VolumeSnapshotClass and VolumeSnapshotContent we create, patch, or define in Helm values or a ConfigGroup has deletionPolicy Retain (deleting an S3 snapshot deletes the backup).",
    validateResource: async (args, report) => {
        if (!SNAPSHOT_TYPES.includes(args.type)) return snapshotsInValues(args.type, args.props, args.name, report);
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

/** Words a values file must contain to define a snapshot class or content. */
const SNAPSHOT_WORDS = /deletionPolicy|Snapshot/i;

/** Snapshot classes and contents defined in Helm values (the snapshot-controller chart's volumeSnapshotClasses, extraObjects …) or a ConfigGroup. */
async function snapshotsInValues(type: string, props: Props, name: string, report: (message: string) => void): Promise<void> {
    const install = await manifestSource(type, props, name);
    if (!install) return;
    const where = install.chart ? `${install.kind} ${install.release} (${install.chart})` : `${install.kind} ${install.release}`;
    const found = storageInValues(install.values, install.chart);
    for (const s of found.snapshots) {
        if (s.deletionPolicy === "Retain" || isUnknown(s.deletionPolicy)) continue;
        report(
            `${where} defines ${s.what} in its values at ${s.path} with deletionPolicy ${s.deletionPolicy ?? "unset"}: deleting a ` +
                'snapshot would delete its data, and for linstor-csi\'s S3 type the backup in the bucket. Set deletionPolicy: "Retain".',
        );
    }
    for (const m of found.opaqueManifests.filter((o) => o.kinds.some((k) => SNAPSHOT_KIND.test(k)))) {
        report(
            `${where} has text at ${m.path} naming kind ${m.kinds.join(", ")}, which the pack cannot parse, so it cannot prove deletionPolicy Retain. ${OPAQUE_FIX}`,
        );
    }
    const files = opaqueAffecting(install, SNAPSHOT_WORDS).filter((f) => !f.unknown);
    if (files.length > 0) {
        report(
            `${where} takes values from ${describeFiles(files)}, which the pack cannot read, so it cannot prove they define no snapshot ` +
                "class or content that deletes. Pass them as `values` (parse the file in the program) or as a JSON StringAsset.",
        );
    }
    const unknown = [...found.unknown, ...found.snapshots.filter((s) => isUnknown(s.deletionPolicy)).map((s) => s.path)];
    if (unknown.length > 0) cannotJudgeYet(`${where}: ${unknown.join(", ")} not known yet; checked again when the values are known`);
}
