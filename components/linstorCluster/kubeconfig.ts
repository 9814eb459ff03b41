/**
 * The cluster's kubeconfig, built here rather than taken from pulumi-eks: pulumi-eks puts `providerCredentialOpts`
 * (profile, role) only into the kubeconfig of its own internal provider, not into the `kubeconfig`/`kubeconfigJson`
 * it exports (pulumi/pulumi-eks v4.3.0 nodejs/eks/cluster/cluster.ts, generateKubeconfig). The token comes from the
 * AWS CLI v2 (`aws eks get-token`), run with the same profile and role the stack's AWS provider uses, so `pulumi up`
 * and `kubectl` act as the same identity that created the cluster (and holds its access entry).
 */
export interface KubeconfigArgs {
    readonly clusterName: string;
    readonly endpoint: string;
    /** Base64 CA bundle (`certificateAuthority.data`). */
    readonly certificateAuthority: string;
    readonly region: string;
    /** `aws:profile` of the stack, when set. */
    readonly profile?: string;
    /** Role the stack's AWS provider assumes (`aws:assumeRoles[0].roleArn`), when set. */
    readonly roleArn?: string;
}

export function buildKubeconfig(a: KubeconfigArgs): Record<string, unknown> {
    const args = ["--region", a.region, "eks", "get-token", "--cluster-name", a.clusterName, "--output", "json"];
    if (a.roleArn !== undefined) args.push("--role-arn", a.roleArn);
    if (a.profile !== undefined) args.push("--profile", a.profile);
    return {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: a.clusterName, cluster: { server: a.endpoint, "certificate-authority-data": a.certificateAuthority } }],
        contexts: [{ name: a.clusterName, context: { cluster: a.clusterName, user: a.clusterName } }],
        "current-context": a.clusterName,
        users: [
            {
                name: a.clusterName,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args,
                        interactiveMode: "Never",
                        // Without AWS CLI v2 kubectl would print only "executable aws not found".
                        installHint: "Install the AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html).",
                    },
                },
            },
        ],
    };
}
