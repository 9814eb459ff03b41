/**
 * What S3SnapshotShipping installs in the cluster beside the VolumeSnapshotClass: the CSI snapshot controller, and
 * the Job that registers the bucket as LINSTOR's S3 remote (remoteJob.ts builds its spec). Both are created under the
 * component (`parent`), so their URNs are the component's children.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { jobAwaitTimeouts } from "../shared/jobs";
import { REMOTE_JOB_DEADLINE_SECONDS, remoteJobSpec } from "./remoteJob";
import { SNAP_PARAM, SNAPSHOT_CONTROLLER_CHART, snapshotControllerValues } from "./schedule";
import type { S3SnapshotSettings } from "./settings";

/** The CSI snapshot controller and its CRDs; protected, because uninstalling the chart removes the CRDs. */
export function snapshotController(
    k8s$: { parent: pulumi.Resource; provider?: pulumi.ProviderResource },
    name: string,
    args: Pick<S3SnapshotSettings, "snapshotControllerChartVersion" | "snapshotControllerReplicas" | "protect">,
): pulumi.Resource {
    const ns = new k8s.core.v1.Namespace(
        `${name}-snapshot-controller`,
        {
            metadata: { name: SNAPSHOT_CONTROLLER_CHART.namespace, labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
        },
        // Deleting it would delete the protected release in it.
        { ...k8s$, protect: args.protect },
    );
    return new k8s.helm.v3.Release(
        `${name}-snapshot-controller`,
        {
            name: SNAPSHOT_CONTROLLER_CHART.releaseName,
            chart: SNAPSHOT_CONTROLLER_CHART.chart,
            version: args.snapshotControllerChartVersion,
            repositoryOpts: { repo: SNAPSHOT_CONTROLLER_CHART.repo },
            namespace: SNAPSHOT_CONTROLLER_CHART.namespace,
            values: snapshotControllerValues(args.snapshotControllerReplicas),
            skipAwait: false,
            timeout: 600,
        },
        { ...k8s$, dependsOn: [ns], protect: args.protect },
    );
}

/** The LINSTOR S3 remote to register, and what the Job waits for. */
export interface RemoteJobInputs {
    readonly namePrefix: string;
    readonly linstorNamespace: string;
    readonly remoteName: string;
    readonly bucketRegion: string;
    /** The VolumeSnapshotClass's parameters: bucket, endpoint and path style come from them. */
    readonly snapshotClassParameters: pulumi.Output<Record<string, string>>;
    readonly credentialsSecretName: string;
    readonly image: string;
    /** The credentials Secret, the VolumeSnapshotClass and LINSTOR's readiness. */
    readonly dependsOn: pulumi.Resource[];
}

/** The idempotent Job that registers the remote in LINSTOR when it is missing (remoteJob.ts). */
export function ensureRemoteJob(k8s$: { parent: pulumi.Resource; provider?: pulumi.ProviderResource }, r: RemoteJobInputs): pulumi.Resource {
    return new k8s.batch.v1.Job(
        `${r.namePrefix}-ensure-linstor-remote`,
        {
            metadata: { name: `ensure-remote-${r.remoteName}`.slice(0, 63), namespace: r.linstorNamespace },
            spec: r.snapshotClassParameters.apply((p) =>
                remoteJobSpec({
                    linstorNamespace: r.linstorNamespace,
                    remoteName: r.remoteName,
                    bucket: p[`${SNAP_PARAM}/s3-bucket`],
                    region: r.bucketRegion,
                    endpoint: p[`${SNAP_PARAM}/s3-endpoint`],
                    usePathStyle: p[`${SNAP_PARAM}/s3-use-path-style`] === "true",
                    credentialsSecretName: r.credentialsSecretName,
                    image: r.image,
                }),
            ),
            // Created by the DR stack at top level before it moved here: keep its identity.
        },
        {
            ...k8s$,
            dependsOn: r.dependsOn,
            aliases: [{ parent: pulumi.rootStackResource }],
            customTimeouts: jobAwaitTimeouts(REMOTE_JOB_DEADLINE_SECONDS),
        },
    );
}
