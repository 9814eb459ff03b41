/**
 * S3SnapshotShipping's snapshot schedule, run next to LINSTOR (never in the Jenkins namespace): the CronJob (snapshotJob.ts builds its spec and
 * script) and its least-privilege identity. Every resource is created under the component (`parent`), so their URNs
 * are the component's children.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { fullAfterHours } from "./retention";
import { SCHEDULE_LABEL, SCHEDULE_NAME, SNAPSHOT_NAME_PREFIX, snapshotClassNames } from "./schedule";
import type { S3SnapshotSettings } from "./settings";
import { CONTENT_PRUNE_RULES, SNAPSHOT_ROLE_RULES, snapshotCronJobSpec } from "./snapshotJob";

/**
 * What the prune account may do to a VolumeSnapshotContent, beyond RBAC (contents are cluster-scoped and named by the
 * snapshotter, so RBAC cannot name them): change only those of this schedule's snapshots — bound to a VolumeSnapshot
 * of the Jenkins namespace named `<SNAPSHOT_NAME_PREFIX>-…` — and never what they point at. A stolen token of the
 * account then cannot delete an on-demand or restore-point backup, a DR restore's content or another application's.
 * A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, GA since Kubernetes 1.30) with a matchCondition on
 * the account, so nothing else is judged by it.
 */
export function pruneGuardPolicySpec(account: { namespace: string; name: string }, snapshotNamespace: string) {
    return {
        failurePolicy: "Fail",
        matchConstraints: {
            resourceRules: [
                {
                    apiGroups: ["snapshot.storage.k8s.io"],
                    apiVersions: ["*"],
                    operations: ["UPDATE", "DELETE"],
                    resources: ["volumesnapshotcontents"],
                },
            ],
        },
        matchConditions: [
            { name: "prune-account", expression: `request.userInfo.username == 'system:serviceaccount:${account.namespace}:${account.name}'` },
        ],
        validations: [
            {
                expression: `request.operation == 'UPDATE' && oldObject.spec.volumeSnapshotRef.namespace == '${snapshotNamespace}' && oldObject.spec.volumeSnapshotRef.name.startsWith('${SNAPSHOT_NAME_PREFIX}-')`,
                message: `the snapshot schedule may only update contents of its own VolumeSnapshots (${snapshotNamespace}/${SNAPSHOT_NAME_PREFIX}-*)`,
            },
            {
                expression: "object.spec.volumeSnapshotRef == oldObject.spec.volumeSnapshotRef && object.spec.source == oldObject.spec.source",
                message: "the snapshot schedule may not change what a content points at",
            },
        ],
    };
}

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
    /** The incremental and full classes the schedule takes its snapshots with. */
    readonly snapshotClasses: pulumi.Resource[];
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
        const guard = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
            `${name}-schedule-prune-guard`,
            {
                metadata: { name: clusterName },
                spec: pruneGuardPolicySpec({ namespace: target.jobNamespace, name: SCHEDULE_NAME }, ns),
            },
            k8s$,
        );
        bindings.push(
            new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
                `${name}-schedule-prune-guard`,
                { metadata: { name: clusterName }, spec: { policyName: clusterName, validationActions: ["Deny"] } },
                { ...k8s$, dependsOn: [guard] },
            ),
        );
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
                snapshotClassName: snapshotClassNames(args.snapshotClassName).incremental,
                fullSnapshotClassName: snapshotClassNames(args.snapshotClassName).full,
                fullAfterSeconds: Math.round(fullAfterHours(args) * 3600),
                retentionHours: args.snapshotRetentionHours,
                dailyRetentionDays: args.snapshotDailyRetentionDays,
                readyTimeoutSeconds: args.snapshotReadyTimeoutSeconds,
                pruneDeletesBackups: args.snapshotPruneDeletesBackups,
                credentialsSecretName: target.credentialsSecretName,
                credentialsNamespace: target.credentialsNamespace,
                serviceAccountName: SCHEDULE_NAME,
                ...(args.snapshotLocalSnapshots > 0
                    ? {
                          trim: {
                              localSnapshots: args.snapshotLocalSnapshots,
                              image: args.snapshotTrimImage,
                              linstorNamespace: target.jobNamespace,
                              onDemandSnapshotClassName: snapshotClassNames(args.snapshotClassName).onDemand,
                          },
                      }
                    : {}),
            }),
        },
        { ...k8s$, dependsOn: [...target.snapshotClasses, ...bindings] },
    );
    return SCHEDULE_NAME;
}
