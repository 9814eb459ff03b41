/**
 * An idempotent Kubernetes Job that makes sure LINSTOR knows an S3 remote before a restore.
 *
 * linstor-csi registers the remote of an S3 VolumeSnapshotClass from its class watcher
 * (piraeusdatastore/linstor-csi: pkg/driver/volumesnapshotclass_watcher.go → ReconcileRemote in
 * pkg/client/linstor.go), but a restore that races ahead of the watcher fails with "not found", and
 * upstream docs still tell users to add the remote by hand in a foreign cluster. This Job settles
 * the order: it asks the controller's REST API for the remote and creates it only when missing
 * (GET/POST /v1/remotes/s3, the calls golinstor's RemoteService makes). It never modifies an existing
 * remote, like linstor-csi itself.
 */

export interface RemoteJobArgs {
    readonly linstorNamespace: string;
    readonly remoteName: string;
    readonly bucket: string;
    readonly region: string;
    readonly endpoint: string;
    readonly usePathStyle: boolean;
    /** Secret of type linstor.csi.linbit.com/s3-credentials.v1 (keys access-key, secret-key). */
    readonly credentialsSecretName: string;
    /** Pinned image with curl and a POSIX shell. */
    readonly image: string;
}

/** The controller Service Piraeus v2 creates (`linstor-controller`, REST API on 3370, plain HTTP without apiTLS). */
export function controllerApiUrl(namespace: string): string {
    return `http://linstor-controller.${namespace}.svc:3370`;
}

export const REMOTE_JOB_SCRIPT = [
    "set -eu",
    'remotes="$(curl -fsS --retry 30 --retry-delay 10 --retry-all-errors "${LINSTOR_API}/v1/remotes/s3")"',
    'if printf "%s" "${remotes}" | grep -Eq "\\"remote_name\\" ?: ?\\"${REMOTE_NAME}\\""; then',
    '  echo "LINSTOR S3 remote ${REMOTE_NAME} exists; leaving it unchanged"',
    "  exit 0",
    "fi",
    'body="$(printf \'{"remote_name":"%s","endpoint":"%s","bucket":"%s","region":"%s","access_key":"%s","secret_key":"%s","use_path_style":%s}\' \\',
    '  "${REMOTE_NAME}" "${S3_ENDPOINT}" "${S3_BUCKET}" "${S3_REGION}" "${ACCESS_KEY}" "${SECRET_KEY}" "${USE_PATH_STYLE}")"',
    'curl -fsS --retry 5 --retry-all-errors -X POST -H "Content-Type: application/json" --data "${body}" "${LINSTOR_API}/v1/remotes/s3"',
    'echo "created LINSTOR S3 remote ${REMOTE_NAME}"',
].join("\n");

/**
 * The Job's hard deadline: curl retries the controller for about 5 minutes per attempt and the Job retries a failed
 * pod up to 6 times with back-off, so 25 minutes covers a LINSTOR controller that is still starting.
 */
export const REMOTE_JOB_DEADLINE_SECONDS = 1500;

export function remoteJobSpec(args: RemoteJobArgs) {
    const secretEnv = (name: string, key: string) => ({
        name,
        valueFrom: { secretKeyRef: { name: args.credentialsSecretName, key } },
    });
    return {
        backoffLimit: 6,
        activeDeadlineSeconds: REMOTE_JOB_DEADLINE_SECONDS,
        ttlSecondsAfterFinished: 86400,
        template: {
            spec: {
                restartPolicy: "OnFailure",
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    {
                        name: "ensure-remote",
                        image: args.image,
                        command: ["/bin/sh", "-c", REMOTE_JOB_SCRIPT],
                        env: [
                            { name: "LINSTOR_API", value: controllerApiUrl(args.linstorNamespace) },
                            { name: "REMOTE_NAME", value: args.remoteName },
                            { name: "S3_ENDPOINT", value: args.endpoint },
                            { name: "S3_BUCKET", value: args.bucket },
                            { name: "S3_REGION", value: args.region },
                            { name: "USE_PATH_STYLE", value: String(args.usePathStyle) },
                            secretEnv("ACCESS_KEY", "access-key"),
                            secretEnv("SECRET_KEY", "secret-key"),
                        ],
                        securityContext: {
                            allowPrivilegeEscalation: false,
                            readOnlyRootFilesystem: true,
                            capabilities: { drop: ["ALL"] },
                        },
                        resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
                    },
                ],
            },
        },
    };
}
