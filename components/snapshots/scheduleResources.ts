/**
 * S3SnapshotShipping's snapshot schedule, run next to LINSTOR (never in the Jenkins namespace): the CronJob (schedule.ts builds its spec and
 * script) and its least-privilege identity. Every resource is created under the component (`parent`), so their URNs
 * are the component's children.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { CONTENT_PRUNE_RULES, SCHEDULE_LABEL, SCHEDULE_NAME, SNAPSHOT_ROLE_RULES, snapshotCronJobSpec } from "./schedule";
import type { S3SnapshotSettings } from "./settings";

/** The claim to snapshot and what the schedule depends on. */
export interface ScheduleTarget {
    /** The Jenkins namespace. */
    readonly namespace: string;
    /** Resources that create the namespace. */
    readonly namespaceReady: pulumi.Resource[];
    /** The claim that is snapshotted. */
    readonly claim: string;
    readonly credentialsSecretName: string;
    /** Namespace of the credentials Secret (LINSTOR's). */
    readonly credentialsNamespace: string;
    /**
     * Where the CronJob and its account live: LINSTOR's namespace, beside the credentials, never the Jenkins one, where
     * any build pod could run as an account of that namespace (and the prune account can delete every backup).
     */
    readonly jobNamespace: string;
    /** Resources that create that namespace. */
    readonly jobNamespaceReady: pulumi.Resource[];
    readonly snapshotClass: pulumi.Resource;
}

/** The CronJob and its least-privilege identity next to LINSTOR; returns the schedule's name. */
export function snapshotSchedule(
    k8s$: { parent: pulumi.Resource; provider?: pulumi.ProviderResource },
    name: string,
    args: S3SnapshotSettings,
    target: ScheduleTarget,
): string {
    const ns = target.namespace;
    const inNamespace = { ...k8s$, dependsOn: target.namespaceReady };
    const metadata = { name: SCHEDULE_NAME, namespace: ns, labels: { [SCHEDULE_LABEL]: SCHEDULE_NAME } };
    // Only the Role on VolumeSnapshots stays in the Jenkins namespace: a VolumeSnapshot must be in its claim's namespace
    // (external-snapshotter reads `source.persistentVolumeClaimName` in the snapshot's own namespace). The account, the
    // CronJob and its pods live in jobNamespace; the RoleBinding there grants that account only these verbs here.
    const jobMetadata = { ...metadata, namespace: target.jobNamespace };
    const account = new k8s.core.v1.ServiceAccount(`${name}-schedule`, { metadata: jobMetadata }, { ...k8s$, dependsOn: target.jobNamespaceReady });
    const role = new k8s.rbac.v1.Role(`${name}-schedule`, { metadata, rules: SNAPSHOT_ROLE_RULES }, inNamespace);
    const subjects = [{ kind: "ServiceAccount", name: SCHEDULE_NAME, namespace: target.jobNamespace }];
    const bindings: pulumi.Resource[] = [
        new k8s.rbac.v1.RoleBinding(
            `${name}-schedule`,
            {
                metadata,
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: SCHEDULE_NAME },
                subjects,
            },
            { ...k8s$, dependsOn: [role, account] },
        ),
    ];
    if (args.snapshotPruneDeletesBackups) {
        const clusterName = `${args.namePrefix}-${SCHEDULE_NAME}-prune`;
        const clusterRole = new k8s.rbac.v1.ClusterRole(
            `${name}-schedule-prune`,
            {
                metadata: { name: clusterName },
                rules: CONTENT_PRUNE_RULES,
            },
            k8s$,
        );
        bindings.push(
            new k8s.rbac.v1.ClusterRoleBinding(
                `${name}-schedule-prune`,
                {
                    metadata: { name: clusterName },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterName },
                    subjects,
                },
                { ...k8s$, dependsOn: [clusterRole, account] },
            ),
        );
    }
    new k8s.batch.v1.CronJob(
        `${name}-schedule`,
        {
            metadata: jobMetadata,
            spec: snapshotCronJobSpec({
                schedule: args.snapshotSchedule,
                image: args.snapshotJobImage,
                namespace: ns,
                pvcName: target.claim,
                snapshotClassName: args.snapshotClassName,
                retention: args.snapshotRetention,
                readyTimeoutSeconds: args.snapshotReadyTimeoutSeconds,
                pruneDeletesBackups: args.snapshotPruneDeletesBackups,
                credentialsSecretName: target.credentialsSecretName,
                credentialsNamespace: target.credentialsNamespace,
                serviceAccountName: SCHEDULE_NAME,
            }),
        },
        { ...k8s$, dependsOn: [target.snapshotClass, ...bindings] },
    );
    return SCHEDULE_NAME;
}
