/**
 * S3SnapshotShipping's static S3 credentials for LINSTOR: the IAM user and its least-privilege policy, one access key
 * and one immutable Secret per live key generation, and the Role that lets linstor-csi read exactly those Secrets.
 * Every resource is created under the component (`parent`), so their URNs are the component's children.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { linstorS3UserPolicy } from "./iamPolicies";
import { CSI_CONTROLLER_SERVICE_ACCOUNT, credentialsSecretName, S3_CREDENTIALS_SECRET_TYPE } from "./schedule";
import { bucketAccess, liveGenerations, type S3SnapshotSettings } from "./settings";

/** The bucket the credentials grant access to, and where LINSTOR reads them. */
export interface CredentialsTarget {
    readonly remoteName: string;
    /** Namespace of LINSTOR and linstor-csi: the Secrets and their reader Role live there. */
    readonly linstorNamespace: string;
    readonly bucketArn: pulumi.Output<string>;
    readonly kmsKeyArn: pulumi.Output<string | undefined>;
    readonly bucketRegion: string;
    /** dependsOn before using LINSTOR. */
    readonly storageReady: pulumi.Resource[];
}

export interface LinstorS3Credentials {
    readonly iamUserName: pulumi.Output<string>;
    /** Access key ID of the current generation. */
    readonly currentAccessKeyId: pulumi.Output<string>;
    /** Secret of the current generation. */
    readonly currentSecret: k8s.core.v1.Secret;
    /** The binding that lets linstor-csi read the Secrets (the VolumeSnapshotClass waits for it). */
    readonly readerBinding: k8s.rbac.v1.RoleBinding;
}

export function linstorS3Credentials(
    k8s$: { parent: pulumi.Resource; provider?: pulumi.ProviderResource },
    name: string,
    args: S3SnapshotSettings,
    target: CredentialsTarget,
): LinstorS3Credentials {
    const { parent } = k8s$;
    const { remoteName, linstorNamespace, storageReady } = target;
    const generations = liveGenerations(args.s3AccessKeyGeneration, args.s3AccessKeyRetiredGeneration);
    const user = new aws.iam.User(
        `${name}-linstor`,
        {
            name: `${args.namePrefix}-linstor-s3`,
            path: "/ha-jenkins-eks/",
            tags: { ...args.tags, "ha-jenkins-eks:purpose": "linstor-s3-remote" },
        },
        { parent },
    );
    const policy = new aws.iam.UserPolicy(
        `${name}-linstor`,
        {
            name: "linstor-s3-backups",
            user: user.name,
            policy: pulumi.all([target.bucketArn, target.kmsKeyArn]).apply(([bucketArn, kmsKeyArn]) =>
                JSON.stringify(
                    linstorS3UserPolicy({
                        bucketArn,
                        kmsKeyArn,
                        bucketRegion: target.bucketRegion,
                        access: bucketAccess(args.bucket),
                    }),
                ),
            ),
        },
        { parent },
    );
    const secrets = generations.map((generation) => {
        // Named by generation: a bump creates the new key next to the old one instead of replacing it.
        const key = new aws.iam.AccessKey(`${name}-linstor-g${generation}`, { user: user.name }, { parent });
        const secret = new k8s.core.v1.Secret(
            `${name}-credentials-g${generation}`,
            {
                metadata: {
                    name: credentialsSecretName(remoteName, generation),
                    namespace: linstorNamespace,
                    labels: {
                        "ha-jenkins-eks.io/linstor-remote": remoteName,
                        "ha-jenkins-eks.io/key-generation": String(generation),
                    },
                },
                type: S3_CREDENTIALS_SECRET_TYPE,
                // Immutable, so a rotation is always a new Secret under a new name.
                immutable: true,
                stringData: { "access-key": key.id, "secret-key": key.secret },
            },
            { ...k8s$, dependsOn: [policy, ...storageReady], deleteBeforeReplace: true },
        );
        return { key, secret };
    });
    const current = secrets[secrets.length - 1];

    const readerName = `linstor-s3-credentials-${remoteName}`;
    const reader = new k8s.rbac.v1.Role(
        `${name}-credentials-reader`,
        {
            metadata: { name: readerName, namespace: linstorNamespace },
            rules: [
                {
                    apiGroups: [""],
                    resources: ["secrets"],
                    verbs: ["get"],
                    resourceNames: generations.map((g) => credentialsSecretName(remoteName, g)),
                },
            ],
        },
        { ...k8s$, dependsOn: storageReady },
    );
    const readerBinding = new k8s.rbac.v1.RoleBinding(
        `${name}-credentials-reader`,
        {
            metadata: { name: readerName, namespace: linstorNamespace },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: readerName },
            subjects: [{ kind: "ServiceAccount", name: CSI_CONTROLLER_SERVICE_ACCOUNT, namespace: linstorNamespace }],
        },
        { ...k8s$, dependsOn: [reader] },
    );
    return { iamUserName: user.name, currentAccessKeyId: current.key.id, currentSecret: current.secret, readerBinding };
}
