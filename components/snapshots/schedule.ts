import type { types } from "@pulumi/kubernetes";
import type { ScheduledJob } from "../shared/schedule";
import { LINSTOR_NAME } from "../shared/validation";
import { maxScheduleGapSeconds, type S3SnapshotSettings } from "./settings";

/**
 * Kubernetes specs for S3 snapshot shipping with linstor-csi: the VolumeSnapshotClass parameters, the
 * snapshot-controller chart values, the scheduled-snapshot CronJob and its script, RBAC rules, and
 * the objects of a restore. Pure builders, tested without mocks.
 */

export const LINSTOR_CSI_DRIVER = "linstor.csi.linbit.com";
/** piraeusdatastore/linstor-csi: pkg/linstor/const.go SnapshotParameterNamespace. */
export const SNAP_PARAM = "snap.linstor.csi.linbit.com";
export const SNAPSHOT_API = "snapshot.storage.k8s.io/v1";
/** Secret type linstor-csi expects (piraeusdatastore/piraeus-operator: docs/how-to/s3-backup.md). */
export const S3_CREDENTIALS_SECRET_TYPE = "linstor.csi.linbit.com/s3-credentials.v1";
/** The ServiceAccount of the CSI controller (csi-snapshotter sidecar included) in the LINSTOR namespace. */
export const CSI_CONTROLLER_SERVICE_ACCOUNT = "linstor-csi-controller";

export const SNAPSHOT_CONTROLLER_CHART = {
    chart: "snapshot-controller",
    repo: "https://piraeus.io/helm-charts/",
    namespace: "snapshot-controller",
    /** Release name equal to the chart name, so the chart's fullname and selector labels are `snapshot-controller`. */
    releaseName: "snapshot-controller",
};

export const SCHEDULE_NAME = "jenkins-snapshots";
export const SCHEDULE_LABEL = "ha-jenkins-eks.io/snapshot-schedule";
export const ON_DEMAND_LABEL = "ha-jenkins-eks.io/snapshot-kind";
/** Scheduled snapshots are `<prefix>-YYYYMMDD-HHMMSS`. */
/** How the snapshot schedule describes itself to monitoring; undefined when no schedule runs. */
export function describeSnapshotSchedule(
    s: Pick<S3SnapshotSettings, "snapshotScheduleEnabled" | "snapshotSchedule">,
    jenkinsNamespace: string,
): ScheduledJob | undefined {
    const intervalSeconds = s.snapshotScheduleEnabled ? maxScheduleGapSeconds(s.snapshotSchedule) : undefined;
    if (intervalSeconds === undefined) return undefined;
    return {
        namespace: jenkinsNamespace,
        name: SCHEDULE_NAME,
        intervalSeconds,
        purpose: "Jenkins snapshot schedule",
        volumeSnapshotLabel: SCHEDULE_LABEL,
    };
}

export const SNAPSHOT_NAME_PREFIX = "jenkins-home";
const DELETION_SECRET = "snapshot.storage.kubernetes.io/deletion-secret";

export function s3Endpoint(region: string): string {
    return `https://s3.${region}.amazonaws.com`;
}

/** Name of the immutable credentials Secret of one access-key generation. */
export function credentialsSecretName(remote: string, generation: number): string {
    return `linstor-remote-${remote}-g${generation}`;
}

export interface SnapshotClassArgs {
    readonly remoteName: string;
    readonly bucket: string;
    readonly region: string;
    readonly allowIncremental: boolean;
    readonly maxIncrements: number;
    readonly fullSnapshotAfter?: string;
}

/**
 * The linstor-csi S3 parameters (piraeusdatastore/linstor-csi: pkg/volume/snapshot_params.go), without
 * secrets: this is what the DR stack needs to reach the same remote.
 */
export function snapshotClassParameters(a: SnapshotClassArgs): Record<string, string> {
    const p: Record<string, string> = {
        [`${SNAP_PARAM}/type`]: "S3",
        [`${SNAP_PARAM}/remote-name`]: a.remoteName,
        [`${SNAP_PARAM}/s3-bucket`]: a.bucket,
        [`${SNAP_PARAM}/s3-endpoint`]: s3Endpoint(a.region),
        [`${SNAP_PARAM}/s3-signing-region`]: a.region,
        [`${SNAP_PARAM}/s3-use-path-style`]: "false",
        [`${SNAP_PARAM}/allow-incremental`]: String(a.allowIncremental),
    };
    if (a.allowIncremental && a.maxIncrements > 0) p[`${SNAP_PARAM}/max-increments`] = String(a.maxIncrements);
    if (a.allowIncremental && a.fullSnapshotAfter !== undefined) p[`${SNAP_PARAM}/full-snapshot-after`] = a.fullSnapshotAfter;
    return p;
}

/** The CSI parameters that hand the credentials Secret to CreateSnapshot (and record it for deletion). */
export function snapshotterSecretParameters(secretName: string, namespace: string): Record<string, string> {
    return {
        "csi.storage.k8s.io/snapshotter-secret-name": secretName,
        "csi.storage.k8s.io/snapshotter-secret-namespace": namespace,
    };
}

/** Values of piraeusdatastore/helm-charts: charts/snapshot-controller (5.2.0). */
export function snapshotControllerValues(replicas: number): Record<string, unknown> {
    const selector = { "app.kubernetes.io/name": "snapshot-controller", "app.kubernetes.io/instance": SNAPSHOT_CONTROLLER_CHART.releaseName };
    return {
        installCRDs: true,
        controller: {
            replicaCount: replicas,
            // Only an old group-snapshot API needs the conversion webhook; keep it off (chart default).
            ...(replicas > 1 ? { pdb: { minAvailable: 1 } } : {}),
            topologySpreadConstraints: [
                {
                    maxSkew: 1,
                    topologyKey: "topology.kubernetes.io/zone",
                    whenUnsatisfiable: "ScheduleAnyway",
                    labelSelector: { matchLabels: selector },
                },
            ],
            // Restricted Pod Security: the chart's default context lacks seccomp and allowPrivilegeEscalation.
            podSecurityContext: { seccompProfile: { type: "RuntimeDefault" } },
            securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                runAsUser: 1000,
            },
            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
        },
        webhook: { enabled: false },
    };
}

/**
 * Creates a labelled VolumeSnapshot, waits until linstor-csi reports it shipped (readyToUse), then prunes
 * the oldest ready snapshots of this schedule beyond RETENTION. Only ready snapshots count, so a failing
 * schedule never prunes the last good backups. With PRUNE_DELETES_BACKUPS the bound content is switched to
 * deletionPolicy Delete first (after checking it belongs to that snapshot), so linstor-csi also deletes the
 * S3 backup and LINSTOR's local snapshot; its deletion-secret annotations are pointed at the current
 * credentials Secret because older generations' Secrets are deleted on rotation.
 * Uses only get/list/create/delete on volumesnapshots (no watch) and get/patch on volumesnapshotcontents.
 */
export const SNAPSHOT_SCRIPT = `set -euo pipefail
log() { printf '%s %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
name="\${SNAPSHOT_PREFIX}-$(date -u +%Y%m%d-%H%M%S)"
log "creating VolumeSnapshot \${NAMESPACE}/\${name} of PVC \${PVC_NAME} with class \${SNAPSHOT_CLASS}"
kubectl -n "\${NAMESPACE}" create -f - <<EOF
apiVersion: ${SNAPSHOT_API}
kind: VolumeSnapshot
metadata:
  name: \${name}
  labels:
    ${SCHEDULE_LABEL}: \${SCHEDULE_NAME}
spec:
  volumeSnapshotClassName: \${SNAPSHOT_CLASS}
  source:
    persistentVolumeClaimName: \${PVC_NAME}
EOF
rc=1
deadline=$(( $(date +%s) + READY_TIMEOUT_SECONDS ))
while [ "$(date +%s)" -lt "\${deadline}" ]; do
  status="$(kubectl -n "\${NAMESPACE}" get volumesnapshot "\${name}" -o json | jq -c '.status // {}')"
  if [ "$(jq -r '.readyToUse // false' <<<"\${status}")" = "true" ]; then
    log "snapshot \${name} is shipped and ready"; rc=0; break
  fi
  err="$(jq -r '.error.message // empty' <<<"\${status}")"
  [ -z "\${err}" ] || log "snapshot \${name} reports: \${err}"
  sleep "\${POLL_SECONDS}"
done
[ "\${rc}" -eq 0 ] || log "snapshot \${name} not ready after \${READY_TIMEOUT_SECONDS}s; pruning only counts ready snapshots"
mapfile -t ready < <(kubectl -n "\${NAMESPACE}" get volumesnapshot -l "${SCHEDULE_LABEL}=\${SCHEDULE_NAME}" -o json |
  jq -r '.items | map(select(.status.readyToUse == true and .metadata.deletionTimestamp == null))
    | sort_by(.metadata.creationTimestamp) | reverse | .[].metadata.name')
log "\${#ready[@]} ready scheduled snapshots; keeping the newest \${RETENTION}"
for old in "\${ready[@]:\${RETENTION}}"; do
  if [ "\${PRUNE_DELETES_BACKUPS}" = "true" ]; then
    content="$(kubectl -n "\${NAMESPACE}" get volumesnapshot "\${old}" -o jsonpath='{.status.boundVolumeSnapshotContentName}' || true)"
    ref=""
    [ -z "\${content}" ] || ref="$(kubectl get volumesnapshotcontent "\${content}" \\
      -o jsonpath='{.spec.volumeSnapshotRef.namespace}/{.spec.volumeSnapshotRef.name}' || true)"
    if [ -z "\${content}" ] || [ "\${ref}" != "\${NAMESPACE}/\${old}" ]; then
      log "skipping \${old}: bound content '\${content}' does not point back to it"; continue
    fi
    patch="$(jq -nc --arg s "\${CREDENTIALS_SECRET}" --arg n "\${CREDENTIALS_NAMESPACE}" \\
      '{metadata: {annotations: {"${DELETION_SECRET}-name": $s, "${DELETION_SECRET}-namespace": $n}}, spec: {deletionPolicy: "Delete"}}')"
    kubectl patch volumesnapshotcontent "\${content}" --type merge -p "\${patch}"
  fi
  log "deleting VolumeSnapshot \${old}"
  kubectl -n "\${NAMESPACE}" delete volumesnapshot "\${old}" --wait=false
done
exit "\${rc}"
`;

export interface CronJobArgs {
    readonly schedule: string;
    readonly image: string;
    readonly namespace: string;
    readonly pvcName: string;
    readonly snapshotClassName: string;
    readonly retention: number;
    readonly readyTimeoutSeconds: number;
    readonly pruneDeletesBackups: boolean;
    readonly credentialsSecretName: string;
    readonly credentialsNamespace: string;
    readonly serviceAccountName: string;
}

/** spec of the batch/v1 CronJob. One run at a time; a run that starts more than 10 minutes late is skipped. */
export function snapshotCronJobSpec(a: CronJobArgs): types.input.batch.v1.CronJobSpec {
    const env: Record<string, string> = {
        NAMESPACE: a.namespace,
        PVC_NAME: a.pvcName,
        SNAPSHOT_CLASS: a.snapshotClassName,
        SNAPSHOT_PREFIX: SNAPSHOT_NAME_PREFIX,
        SCHEDULE_NAME,
        RETENTION: String(a.retention),
        READY_TIMEOUT_SECONDS: String(a.readyTimeoutSeconds),
        POLL_SECONDS: "15",
        PRUNE_DELETES_BACKUPS: String(a.pruneDeletesBackups),
        CREDENTIALS_SECRET: a.credentialsSecretName,
        CREDENTIALS_NAMESPACE: a.credentialsNamespace,
        // kubectl writes its discovery cache under $HOME; the root filesystem is read-only.
        HOME: "/tmp",
    };
    return {
        schedule: a.schedule,
        timeZone: "Etc/UTC",
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
            metadata: { labels: { [SCHEDULE_LABEL]: SCHEDULE_NAME } },
            spec: {
                backoffLimit: 1,
                activeDeadlineSeconds: a.readyTimeoutSeconds + 600,
                template: {
                    metadata: { labels: { [SCHEDULE_LABEL]: SCHEDULE_NAME } },
                    spec: {
                        serviceAccountName: a.serviceAccountName,
                        restartPolicy: "Never",
                        securityContext: {
                            runAsNonRoot: true,
                            runAsUser: 65532,
                            runAsGroup: 65532,
                            seccompProfile: { type: "RuntimeDefault" },
                        },
                        containers: [
                            {
                                name: "snapshot",
                                image: a.image,
                                // The image's entrypoint is kubectl itself.
                                command: ["/bin/bash", "-c", SNAPSHOT_SCRIPT],
                                env: Object.entries(env).map(([name, value]) => ({ name, value })),
                                securityContext: {
                                    allowPrivilegeEscalation: false,
                                    readOnlyRootFilesystem: true,
                                    capabilities: { drop: ["ALL"] },
                                },
                                resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                            },
                        ],
                        volumes: [{ name: "tmp", emptyDir: { sizeLimit: "32Mi" } }],
                    },
                },
            },
        },
    };
}

/** Namespaced rules of the schedule's Role: exactly what the script calls on VolumeSnapshots. */
export const SNAPSHOT_ROLE_RULES = [
    { apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshots"], verbs: ["create", "get", "list", "delete"] },
];
/** Cluster rules, only when pruning deletes backups: read a content and flip its deletionPolicy. */
export const CONTENT_PRUNE_RULES = [{ apiGroups: ["snapshot.storage.k8s.io"], resources: ["volumesnapshotcontents"], verbs: ["get", "patch"] }];

/**
 * The legacy bare handle of a VolumeSnapshot that linstor-csi provisioned: csi-snapshotter names the
 * CSI snapshot `snapshot-<VolumeSnapshot UID>` (kubernetes-csi/external-snapshotter:
 * pkg/sidecar-controller/csi_handler.go makeSnapshotName, default prefix), linstor-csi keeps valid names
 * as the LINSTOR snapshot name (pkg/client/linstor.go CompatibleSnapshotId), and a bare name is looked
 * up in every S3 remote on restore (pkg/volume/volume.go ParseSnapshotId).
 */
export function legacySnapshotHandle(volumeSnapshotUid: string): string {
    return `snapshot-${volumeSnapshotUid}`;
}

/**
 * The LINSTOR resource of a claim's volume: external-provisioner names the PV `pvc-<claim UID>` (default
 * --volume-name-prefix, full UID) and linstor-csi names the resource definition after it.
 */
export function linstorResourceOfClaim(claimUid: string): string {
    return `pvc-${claimUid}`;
}

/** The current handle format `s3://<remote>/<resource>[/<volNr>]/<snapshot>` (linstor-csi ≥1.10). */
export function s3SnapshotHandle(remote: string, resource: string, snapshot: string): string {
    return `s3://${remote}/${resource}/${snapshot}`;
}

const HANDLE = new RegExp(`^(?:[sS]3://[a-z0-9][a-z0-9.-]*/${LINSTOR_NAME}(?:/\\d{1,5})?/${LINSTOR_NAME}|${LINSTOR_NAME})$`);

export function isSnapshotHandle(handle: string): boolean {
    return HANDLE.test(handle);
}

export interface VolumeSnapshotArgs {
    readonly name: string;
    readonly namespace: string;
    readonly className: string;
    readonly labels?: Record<string, string>;
}

export function volumeSnapshotFromClaim(a: VolumeSnapshotArgs & { readonly pvcName: string }) {
    return {
        apiVersion: SNAPSHOT_API,
        kind: "VolumeSnapshot",
        metadata: { name: a.name, namespace: a.namespace, ...(a.labels ? { labels: a.labels } : {}) },
        spec: { volumeSnapshotClassName: a.className, source: { persistentVolumeClaimName: a.pvcName } },
    };
}

/** Claim restored in the origin cluster from a VolumeSnapshot (a DNS label, ≤63). */
export function restoredClaimName(snapshotName: string): string {
    return `restored-${snapshotName}`.slice(0, 63).replace(/-+$/, "");
}

/** Name of the cluster-scoped content pre-provisioned for a snapshot restored from a handle. */
export function preProvisionedContentName(namespace: string, snapshotName: string): string {
    return `restored-${namespace}-${snapshotName}`;
}

/** A VolumeSnapshotContent for a backup that exists only in S3; Retain, so deleting it keeps the backup. */
export function preProvisionedContent(a: VolumeSnapshotArgs & { readonly snapshotHandle: string }) {
    return {
        apiVersion: SNAPSHOT_API,
        kind: "VolumeSnapshotContent",
        metadata: { name: preProvisionedContentName(a.namespace, a.name) },
        spec: {
            deletionPolicy: "Retain",
            driver: LINSTOR_CSI_DRIVER,
            source: { snapshotHandle: a.snapshotHandle },
            volumeSnapshotClassName: a.className,
            volumeSnapshotRef: { name: a.name, namespace: a.namespace },
        },
    };
}

export function volumeSnapshotFromContent(a: VolumeSnapshotArgs) {
    return {
        apiVersion: SNAPSHOT_API,
        kind: "VolumeSnapshot",
        metadata: { name: a.name, namespace: a.namespace, ...(a.labels ? { labels: a.labels } : {}) },
        spec: {
            volumeSnapshotClassName: a.className,
            source: { volumeSnapshotContentName: preProvisionedContentName(a.namespace, a.name) },
        },
    };
}

/** spec of a claim filled from a VolumeSnapshot in its namespace. */
export function restoredClaimSpec(a: { storageClassName: string; size: string; snapshotName: string }) {
    return {
        accessModes: ["ReadWriteOnce"],
        storageClassName: a.storageClassName,
        resources: { requests: { storage: a.size } },
        dataSource: { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: a.snapshotName },
    };
}
