import type { ScheduledJob } from "../shared/schedule";
import { LINSTOR_NAME } from "../shared/validation";
import { fullShippingSeconds } from "./retention";
import { maxScheduleGapSeconds, type S3SnapshotSettings } from "./settings";

/**
 * Kubernetes specs for S3 snapshot shipping with linstor-csi: the VolumeSnapshotClass parameters, the
 * snapshot-controller chart values, snapshot handles and the objects of a restore. Pure builders, tested without
 * mocks. The schedule's CronJob and its script: snapshotJob.ts.
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
/** What a snapshot is: `full` or `incremental` (scheduled, the pruning reads it), `on-demand`. */
export const SNAPSHOT_KIND_LABEL = "ha-jenkins-eks.io/snapshot-kind";
export const ON_DEMAND_LABEL = SNAPSHOT_KIND_LABEL;

/**
 * The three VolumeSnapshotClasses of one remote: the schedule's incremental class (`snapshotClassName`), the full
 * class that starts each of its chains (keeps its local snapshot: the next increments build on it), and the full
 * class of on-demand and restore-point snapshots, which also drops its local snapshot once shipped (linstor-csi
 * `delete-local`, pkg/driver/driver.go maybeDeleteLocalSnapshot): it pins no chain, in S3 or in the thin pools.
 */
export function snapshotClassNames(snapshotClassName: string) {
    return { incremental: snapshotClassName, full: `${snapshotClassName}-full`, onDemand: `${snapshotClassName}-on-demand` };
}

/**
 * How the snapshot schedule describes itself to monitoring; undefined when no schedule runs. With the claim's size, the
 * alerts also allow for shipping a full backup (the daily one keeps newer snapshots waiting: retention.ts).
 */
export function describeSnapshotSchedule(
    s: Pick<S3SnapshotSettings, "snapshotScheduleEnabled" | "snapshotSchedule">,
    jenkinsNamespace: string,
    claimGiB?: number,
): ScheduledJob | undefined {
    const intervalSeconds = s.snapshotScheduleEnabled ? maxScheduleGapSeconds(s.snapshotSchedule) : undefined;
    if (intervalSeconds === undefined) return undefined;
    return {
        namespace: jenkinsNamespace,
        name: SCHEDULE_NAME,
        intervalSeconds,
        purpose: "Jenkins snapshot schedule",
        volumeSnapshotLabel: SCHEDULE_LABEL,
        ...(claimGiB !== undefined ? { slackSeconds: fullShippingSeconds(claimGiB) } : {}),
    };
}

export const SNAPSHOT_NAME_PREFIX = "jenkins-home";

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
    /** Drop LINSTOR's local snapshot once the backup is shipped (only for backups nothing builds on). */
    readonly deleteLocal?: boolean;
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
    if (a.deleteLocal) p[`${SNAP_PARAM}/delete-local`] = "true";
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
