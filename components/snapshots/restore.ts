import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BYTE_SUFFIXES, check, type KeyOf } from "../shared/validation";
import { isSnapshotHandle, preProvisionedContent, restoredClaimSpec, volumeSnapshotFromContent } from "./schedule";

/** Where the data comes from: a VolumeSnapshot in the claim's namespace, or a backup handle only S3 knows. */
export type RestoreSource =
    | { readonly volumeSnapshotName: string }
    | {
          readonly fromHandle: {
              /** `s3://<remote>/<resource>[/<volNr>]/<snapshot>` or a legacy bare LINSTOR snapshot name. */
              readonly snapshotHandle: string;
              /** Name of the VolumeSnapshot to create for it (its content is `restored-<namespace>-<name>`). */
              readonly snapshotName: string;
              /** An S3 VolumeSnapshotClass whose remote reaches the backup. */
              readonly snapshotClassName: string;
          };
      };

export interface SnapshotRestoreArgs {
    /** Kubernetes provider of the claim's cluster; default: the parent's (S3SnapshotShipping inherits its `providers`). */
    readonly provider?: pulumi.ProviderResource;
    readonly namespace: string;
    /** Name of the new claim. */
    readonly claimName: string;
    /** StorageClass of the new claim (the 3-replica class). */
    readonly storageClassName: string;
    /** Requested size, at least the snapshot's restore size, e.g. `50Gi`. */
    readonly size: string;
    readonly source: RestoreSource;
    /**
     * What must exist first (namespace, snapshot class, LINSTOR remote). Applied to the children themselves:
     * a component's own `dependsOn` does not hold its children back.
     */
    readonly dependsOn?: pulumi.Resource[];
    /**
     * Protect the restored claim like any live JENKINS_HOME (it also stays in the cluster if the program
     * stops declaring it). Default true.
     */
    readonly protect?: boolean;
    /** Names the key to fix in validation errors; default `SnapshotRestore.<field>`. */
    readonly keyOf?: KeyOf;
}

/** Validates the arguments (every data field) before anything is registered; errors name `key(field)`. */
export function validateSnapshotRestoreArgs(a: SnapshotRestoreArgs, key: KeyOf): void {
    check(key, "namespace").dnsLabel(a.namespace);
    check(key, "claimName").dnsLabel(a.claimName);
    check(key, "storageClassName").dnsSubdomain(a.storageClassName);
    check(key, "size").quantity(a.size, { suffixes: BYTE_SUFFIXES, example: "50Gi" });
    check(key, "protect").ifSet.boolean(a.protect);
    if ("volumeSnapshotName" in a.source) {
        check(key, "restoreFromSnapshot").dnsLabel(a.source.volumeSnapshotName, { why: "the name of a VolumeSnapshot" });
        return;
    }
    const h = a.source.fromHandle;
    if (!isSnapshotHandle(h.snapshotHandle)) {
        check(key, "snapshotHandle").fail(
            h.snapshotHandle,
            "Use s3://<remote>/<resource>/<snapshot> (as in VolumeSnapshotContent status.snapshotHandle or `linstor backup list`) " +
                "or a bare LINSTOR snapshot name such as snapshot-<uuid>.",
        );
    }
    check(key, "snapshotName").dnsLabel(h.snapshotName);
    check(key, "snapshotClassName").dnsLabel(h.snapshotClassName);
}

/**
 * A PersistentVolumeClaim filled from a snapshot. From a handle it first pre-provisions the
 * VolumeSnapshotContent (deletionPolicy Retain, so nothing here can delete the backup) and its bound
 * VolumeSnapshot — the path a foreign cluster (DR) uses; within the origin cluster it restores from an
 * existing VolumeSnapshot. Reused by S3SnapshotShipping and the DR stack.
 */
export class SnapshotRestore extends pulumi.ComponentResource {
    /** Name of the restored claim, for the workload's `existingClaim`. */
    readonly claimName: string;
    readonly volumeSnapshotName: string;
    /** The claim resource; depend on it before starting the workload. */
    readonly claim: k8s.core.v1.PersistentVolumeClaim;

    constructor(name: string, args: SnapshotRestoreArgs, opts?: pulumi.ComponentResourceOptions) {
        validateSnapshotRestoreArgs(args, args.keyOf ?? ((f) => `SnapshotRestore.${f}`));
        super("ha-jenkins-eks:index:SnapshotRestore", name, {}, opts);
        const k8s$ = { parent: this, provider: args.provider };
        const ns = args.namespace;
        let dependsOn: pulumi.Resource[] = [...(args.dependsOn ?? [])];
        if ("volumeSnapshotName" in args.source) {
            this.volumeSnapshotName = args.source.volumeSnapshotName;
        } else {
            const h = args.source.fromHandle;
            this.volumeSnapshotName = h.snapshotName;
            const spec = { name: h.snapshotName, namespace: ns, className: h.snapshotClassName };
            const content = new k8s.apiextensions.CustomResource(
                `${name}-content`,
                preProvisionedContent({ ...spec, snapshotHandle: h.snapshotHandle }),
                { ...k8s$, dependsOn },
            );
            const snapshot = new k8s.apiextensions.CustomResource(
                `${name}-snapshot`,
                volumeSnapshotFromContent({ ...spec, labels: { "ha-jenkins-eks.io/snapshot-kind": "restore" } }),
                { ...k8s$, dependsOn: [content] },
            );
            dependsOn = [snapshot];
        }
        this.claimName = args.claimName;
        this.claim = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-claim`,
            {
                metadata: {
                    name: args.claimName,
                    namespace: ns,
                    labels: { "ha-jenkins-eks.io/restored-from": this.volumeSnapshotName },
                    // WaitForFirstConsumer: the claim binds only when the workload starts, so don't wait for Bound.
                    annotations: { "pulumi.com/skipAwait": "true" },
                },
                spec: restoredClaimSpec({ storageClassName: args.storageClassName, size: args.size, snapshotName: this.volumeSnapshotName }),
            },
            { ...k8s$, dependsOn, protect: args.protect ?? true, retainOnDelete: true },
        );

        this.registerOutputs({ claimName: this.claimName, volumeSnapshotName: this.volumeSnapshotName });
    }
}
