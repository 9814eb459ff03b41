/**
 * Security contexts the program's own Jobs and CronJobs share, so they meet Pod Security "restricted" the same way
 * (kubernetes.io/docs/concepts/security/pod-security-standards: non-root, no privilege escalation, all capabilities
 * dropped, RuntimeDefault seccomp).
 */

/** Every container: nothing to escalate to, nothing to write outside its volumes. */
export const RESTRICTED_CONTAINER = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
};

/** A pod running as the distroless "nonroot" user (65532), whose group may read mounted Secrets (0440). */
export const NONROOT_POD = {
    runAsNonRoot: true,
    runAsUser: 65532,
    runAsGroup: 65532,
    fsGroup: 65532,
    seccompProfile: { type: "RuntimeDefault" },
};

/** Where Kubernetes clients (kubectl, client-go) look for the in-cluster service account credentials. */
export const KUBE_API_TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * What automountServiceAccountToken would mount (a bound, expiring token, the cluster CA, the namespace), as a volume to
 * give ONE container: the pods set automountServiceAccountToken false so their other containers get no token. Readable
 * by NONROOT_POD's group.
 */
export function kubeApiTokenVolume(name: string) {
    return {
        volume: {
            name,
            projected: {
                defaultMode: 0o440,
                sources: [
                    { serviceAccountToken: { path: "token", expirationSeconds: 3607 } },
                    { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                    { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } },
                ],
            },
        },
        volumeMount: { name, mountPath: KUBE_API_TOKEN_PATH, readOnly: true },
    };
}
