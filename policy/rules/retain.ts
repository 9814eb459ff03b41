/** Rules: retain. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configValue, objectName } from "../props";
import { TYPES } from "./shared";

export const storageClassRetain: ResourceValidationPolicy = {
    name: "storage-class-reclaim-retain",
    description: "Every StorageClass (above all the LINSTOR provisioner's) and PersistentVolume we create keeps its volume: reclaimPolicy Retain.",
    configSchema: {
        properties: {
            exemptStorageClasses: { type: "array", items: { type: "string" }, default: [], description: "Class names allowed to delete volumes." },
        },
    },
    validateResource: (args, report) => {
        if (args.type === TYPES.storageClass) {
            const name = objectName(args.props, args.name);
            if (configValue<string[]>(args.getConfig(), "exemptStorageClasses", []).includes(name)) return;
            const policy = args.props.reclaimPolicy;
            if (policy === "Retain") return;
            const provisioner = args.props.provisioner ?? "unknown provisioner";
            report(
                `StorageClass ${name} (${provisioner}) has reclaimPolicy ${policy ?? "unset, which Kubernetes treats as Delete"}: ` +
                    'deleting a claim would delete its volume and every replica. Set reclaimPolicy: "Retain". The field is immutable, ' +
                    "so the class is replaced; volumes already provisioned keep their policy — patch each PersistentVolume's " +
                    "spec.persistentVolumeReclaimPolicy to Retain.",
            );
        } else if (args.type === TYPES.persistentVolume) {
            const policy = args.props.spec?.persistentVolumeReclaimPolicy;
            if (policy === undefined || policy === "Retain") return;
            report(
                `PersistentVolume ${objectName(args.props, args.name)} has persistentVolumeReclaimPolicy ${policy}: ` +
                    'set spec.persistentVolumeReclaimPolicy: "Retain" so releasing its claim never deletes the data.',
            );
        }
    },
};

export const snapshotRetain: ResourceValidationPolicy = {
    name: "volume-snapshot-retain",
    description:
        "Every VolumeSnapshotClass and VolumeSnapshotContent we create has deletionPolicy Retain (deleting an S3 snapshot deletes the backup).",
    validateResource: (args, report) => {
        let policy: unknown;
        if (args.type === TYPES.snapshotClass) policy = args.props.deletionPolicy;
        else if (args.type === TYPES.snapshotContent) policy = args.props.spec?.deletionPolicy;
        else return;
        if (policy === "Retain") return;
        const kind = args.type.split(":").pop();
        const where = kind === "VolumeSnapshotClass" ? "deletionPolicy" : "spec.deletionPolicy";
        report(
            `${kind} ${objectName(args.props, args.name)} has ${where} ${policy ?? "unset"}: deleting the Kubernetes object would ` +
                `delete the snapshot, and for linstor-csi's S3 type the backup in the bucket. Set ${where}: "Retain" ` +
                "(pruning old backups is the snapshot schedule's explicit job).",
        );
    },
};
