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
