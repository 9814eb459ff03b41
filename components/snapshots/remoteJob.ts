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
 *
 * The POST carries the S3 secret key: it goes to LINSTOR's API over HTTPS only, with the CA and the client certificate
 * of LinstorCluster's Jobs (linstorCluster/apiTls.ts), never over the controller's plain port.
 */
import { apiClientPodParts, controllerApiUrl } from "../linstorCluster/apiTls";

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

export const REMOTE_JOB_SCRIPT = [
    "set -eu",
    'case "${LINSTOR_API}" in https://*) ;; *) echo "refusing to send S3 credentials to ${LINSTOR_API}: not HTTPS" >&2; exit 1 ;; esac',
    'tls() { curl --proto =https --cacert "${LINSTOR_CA}" --cert "${LINSTOR_CLIENT_CERT}" --key "${LINSTOR_CLIENT_KEY}" "$@"; }',
    // Retries ride out a controller that is still starting (about 5 minutes); CONNECT_RETRIES lets tests skip them.
    'remotes="$(tls -fsS --retry "${CONNECT_RETRIES:-30}" --retry-delay 10 --retry-all-errors "${LINSTOR_API}/v1/remotes/s3")"',
    'if printf "%s" "${remotes}" | grep -Eq "\\"remote_name\\" ?: ?\\"${REMOTE_NAME}\\""; then',
    '  echo "LINSTOR S3 remote ${REMOTE_NAME} exists; leaving it unchanged"',
    "  exit 0",
    "fi",
    'body="$(printf \'{"remote_name":"%s","endpoint":"%s","bucket":"%s","region":"%s","access_key":"%s","secret_key":"%s","use_path_style":%s}\' \\',
    '  "${REMOTE_NAME}" "${S3_ENDPOINT}" "${S3_BUCKET}" "${S3_REGION}" "${ACCESS_KEY}" "${SECRET_KEY}" "${USE_PATH_STYLE}")"',
    'tls -fsS --retry 5 --retry-all-errors -X POST -H "Content-Type: application/json" --data "${body}" "${LINSTOR_API}/v1/remotes/s3"',
    'echo "created LINSTOR S3 remote ${REMOTE_NAME}"',
].join("\n");

/**
 * The Job's hard deadline: curl retries the controller for about 5 minutes per attempt and the Job retries a failed
 * pod up to 6 times with back-off, so 25 minutes covers a LINSTOR controller that is still starting.
 */
export const REMOTE_JOB_DEADLINE_SECONDS = 1500;

export function remoteJobSpec(args: RemoteJobArgs) {
    const client = apiClientPodParts();
    const secretEnv = (name: string, key: string) => ({
        name,
        valueFrom: { secretKeyRef: { name: args.credentialsSecretName, key } },
    });
    return {
        backoffLimit: 6,
        activeDeadlineSeconds: REMOTE_JOB_DEADLINE_SECONDS,
        ttlSecondsAfterFinished: 86400,
        template: {
            // The LINSTOR controller's NetworkPolicy admits this label.
            metadata: { labels: client.labels },
            spec: {
                restartPolicy: "OnFailure",
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
                volumes: [client.volume],
                containers: [
                    {
                        name: "ensure-remote",
                        image: args.image,
                        command: ["/bin/sh", "-c", REMOTE_JOB_SCRIPT],
                        volumeMounts: [client.volumeMount],
                        env: [
                            { name: "LINSTOR_API", value: controllerApiUrl(args.linstorNamespace) },
                            ...client.env,
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
