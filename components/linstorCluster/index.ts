import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Hidden } from "../shared/componentOptions";
import { KMS_MAX_DELETION_WINDOW_DAYS } from "../shared/kms";
import { EBS_GP3_CLASS, ebsGp3Parameters } from "./addons";
import { linstorApiCertificates } from "./apiTls";
import { addonVersion, managedAddons, privateApiAccess } from "./clusterExtras";
import { linstorInternalCertificates } from "./internalTls";
import { buildKubeconfig } from "./kubeconfig";
import { DATA_DEVICE, METADATA_DEVICE } from "./launchTemplate";
import { controllerNetworkPolicySpec, satelliteNetworkPolicySpec } from "./networkPolicy";
import { storageNodes } from "./nodeGroups";
import { DATA_POOL, linstorClusterSpec, METADATA_POOL, operatorChart, operatorValues, PASSPHRASE_KEY, satelliteConfigurationSpec } from "./operator";
import { operatorRelease } from "./operatorReleases";
import { type LinstorClusterInput, type LinstorClusterSettings, validateLinstorClusterSettings, withLinstorClusterDefaults } from "./settings";
import { LINSTOR_PROVISIONER, storageClassSpec } from "./storageClasses";

/** LinstorCluster's settings (each field with a default optional: the component fills it). */
export interface LinstorClusterArgs extends LinstorClusterInput {
    /** AWS CLI profile the kubeconfig's `aws eks get-token` uses: the stack's `aws:profile`. */
    readonly kubeconfigAwsProfile?: string;
    /** Role the kubeconfig's `aws eks get-token` assumes: the role the stack's AWS provider assumes. */
    readonly kubeconfigAwsRoleArn?: string;
}

/** What LinstorCluster keeps for TypeScript callers only (shared/componentOptions.ts). */
const handles = new Hidden<{ provider: k8s.Provider; storageReady: pulumi.Resource[] }>();

/** All five control-plane log types (CIS EKS 2.1.1). */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
const NODE_POLICIES = [
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    // Shell access through SSM Session Manager instead of SSH keys and open port 22.
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
];
const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

/**
 * An EKS cluster across ≥3 AZs whose storage nodes carry two extra EBS volumes, with the LINSTOR
 * operator (Piraeus v2 or LINBIT SDS), two LVM-thin pools and StorageClasses r1/r2/r3.
 */
export class LinstorCluster extends pulumi.ComponentResource {
    /** EKS cluster name. */
    readonly clusterName: pulumi.Output<string>;
    /** AWS region of the cluster (the consumer's `aws:region` must be the same). */
    readonly region: string;
    /** The three zones the storage nodes run in. */
    readonly availabilityZones: string[];
    /** Kubeconfig (secret). */
    readonly kubeconfig: pulumi.Output<string>;
    /** StorageClass name by replica count ("1", "2", "3"). */
    readonly storageClassNames: Record<string, string>;
    /** Namespace of the LINSTOR operator, controller and CSI. */
    readonly linstorNamespace: string;
    /** Secret holding LINSTOR's master passphrase (needed for S3 remotes). */
    readonly passphraseSecretName: string;
    /** The cluster's VPC (created or given). */
    readonly vpcId: pulumi.Output<string>;
    /** Private subnets of the nodes, one per zone. */
    readonly privateSubnetIds: pulumi.Output<string[]>;
    /** AMI the storage nodes run (export it: the stacks keep it until kubernetesVersion changes). */
    readonly nodeAmiId: pulumi.Output<string>;
    /**
     * linstor-csi version the chosen operator release deploys (operatorReleases.ts); undefined when the release is not
     * in the table. Pass it to S3SnapshotShipping's `linstorCsiVersion` so it refuses snapshot keys that CSI ignores.
     */
    readonly linstorCsiVersion: string | undefined;

    /**
     * Kubernetes provider for everything deployed into this cluster (TypeScript only; other languages build one from
     * `kubeconfig`). Pass it to the other components as `providers`.
     */
    get provider(): k8s.Provider {
        return handles.get(this).provider;
    }
    /** Resources that must exist before anything uses LINSTOR volumes: the other components' `dependsOn` (TypeScript only). */
    get storageReady(): pulumi.Resource[] {
        return handles.get(this).storageReady;
    }

    constructor(name: string, args: LinstorClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const { kubeconfigAwsProfile, kubeconfigAwsRoleArn, ...given } = args;
        // The defaults of every unset field, filled here once: everything below reads `s`.
        const s = withLinstorClusterDefaults(given);
        // Validate before registering anything, so bad input never leaves a half-created stack.
        validateLinstorClusterSettings(s, (f) => `LinstorCluster.${f}`);
        super("ha-jenkins-eks:index:LinstorCluster", name, {}, opts);
        const p = s.namePrefix;
        const tags = { ...s.tags, "ha-jenkins-eks:cluster": p };
        const parent = { parent: this };
        const protect = s.protectStatefulResources;
        this.region = s.region;
        this.linstorCsiVersion = operatorRelease(
            s.linstorDistribution,
            s.linstorDistribution === "linbit" ? s.linbitOperatorChartVersion : s.piraeusOperatorChartVersion,
        )?.linstorCsi;
        this.availabilityZones = [...s.availabilityZones];

        const network = this.network(p, s, tags);
        this.vpcId = network.vpcId;
        this.privateSubnetIds = network.privateSubnetIds;

        const secretsKey = new aws.kms.Key(
            `${p}-eks-secrets`,
            {
                description: `Envelope encryption of Kubernetes Secrets in ${p}`,
                enableKeyRotation: true,
                deletionWindowInDays: KMS_MAX_DELETION_WINDOW_DAYS,
                tags,
            },
            // The cluster depends on it, so a destroy deletes the cluster (protected) before the key.
            { ...parent, protect },
        );

        const nodeRole = new aws.iam.Role(
            `${p}-storage-node`,
            {
                assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "ec2.amazonaws.com" }),
                tags,
            },
            parent,
        );
        const nodePolicies = NODE_POLICIES.map(
            (arn, i) =>
                new aws.iam.RolePolicyAttachment(
                    `${p}-storage-node-${i}`,
                    {
                        role: nodeRole.name,
                        policyArn: arn,
                    },
                    parent,
                ),
        );

        const adminEntries = Object.fromEntries(
            s.clusterAdminRoleArns.map((arn, i) => [
                `admin-${i}`,
                {
                    principalArn: arn,
                    accessPolicies: { admin: { policyArn: CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" } } },
                },
            ]),
        );
        const publicEndpoint = s.apiPublicAccessCidrs.length > 0;
        const cluster = new eks.Cluster(
            `${p}-eks`,
            {
                name: p,
                version: s.kubernetesVersion,
                vpcId: network.vpcId,
                privateSubnetIds: network.privateSubnetIds,
                publicSubnetIds: network.publicSubnetIds,
                skipDefaultNodeGroup: true,
                nodeAssociatePublicIpAddress: false,
                authenticationMode: eks.AuthenticationMode.Api,
                accessEntries: {
                    ...adminEntries,
                    storageNodes: { principalArn: nodeRole.arn, type: eks.AccessEntryType.EC2Linux },
                },
                endpointPrivateAccess: true,
                endpointPublicAccess: publicEndpoint,
                ...(publicEndpoint ? { publicAccessCidrs: [...s.apiPublicAccessCidrs] } : {}),
                enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
                // Managed kube-proxy and VPC CNI add-ons (pulumi-eks creates both), at the versions of kubernetesVersion.
                kubeProxyAddonOptions: { version: addonVersion(this, s, "kubeProxy") },
                // The CNI's network policy agent enforces NetworkPolicies (none without it): LINSTOR's API admits only its clients.
                vpcCniOptions: { addonVersion: addonVersion(this, s, "vpcCni"), enableNetworkPolicy: true },
                encryptionConfigKeyArn: secretsKey.arn,
                tags,
            },
            // Its etcd holds LINSTOR's database (the internal.linstor.linbit.com resources) and every Secret: replacing or
            // deleting the cluster loses them. A remote component hands `protect` to all its children (the EKS cluster,
            // its roles, security groups, add-ons, access entries): removing one of them needs `pulumi state unprotect`.
            { ...parent, protect },
        );
        this.clusterName = cluster.core.cluster.name;
        privateApiAccess(this, p, s, cluster);
        const core = cluster.core.cluster;
        const kubeconfig = pulumi.all([core.name, core.endpoint, core.certificateAuthority.data]).apply(([clusterName, endpoint, ca]) =>
            JSON.stringify(
                buildKubeconfig({
                    clusterName,
                    endpoint,
                    certificateAuthority: ca,
                    region: s.region,
                    profile: kubeconfigAwsProfile,
                    roleArn: kubeconfigAwsRoleArn,
                }),
            ),
        );
        this.kubeconfig = pulumi.secret(kubeconfig);

        const provider = new k8s.Provider(
            `${p}-k8s`,
            {
                kubeconfig,
                enableServerSideApply: true,
            },
            parent,
        );
        const k8sOpts = { parent: this, provider };

        const chart = operatorChart(s.linstorDistribution);
        this.linstorNamespace = chart.namespace;
        const namespace = new k8s.core.v1.Namespace(
            `${p}-linstor`,
            {
                metadata: {
                    name: chart.namespace,
                    // Satellites and the module loader are privileged by nature (CIS EKS 4.2.x exception).
                    labels: { "pod-security.kubernetes.io/enforce": "privileged" },
                },
            },
            // Deleting the namespace deletes the passphrase Secret, the operator and the S3 credentials in it: protected, and
            // left in the cluster even unprotected when the program stops declaring it.
            { ...k8sOpts, protect, retainOnDelete: true },
        );
        // LINSTOR's API over TLS with client certificates (apiTls.ts), reachable only from its clients (networkPolicy.ts).
        const apiTls = linstorApiCertificates(p, { parent: this, provider: k8sOpts.provider, namespace, namespaceName: chart.namespace });
        new k8s.networking.v1.NetworkPolicy(
            `${p}-linstor-api`,
            { metadata: { name: "linstor-controller-api", namespace: chart.namespace }, spec: controllerNetworkPolicySpec() },
            { ...k8sOpts, dependsOn: [namespace] },
        );
        // The satellite protocol over TLS (internalTls.ts); satellites reachable only from the controller and each other.
        const internalTls = linstorInternalCertificates(p, { parent: this, provider: k8sOpts.provider, namespace, namespaceName: chart.namespace });
        new k8s.networking.v1.NetworkPolicy(
            `${p}-linstor-satellites`,
            { metadata: { name: "linstor-satellites", namespace: chart.namespace }, spec: satelliteNetworkPolicySpec() },
            { ...k8sOpts, dependsOn: [namespace] },
        );

        const storage = storageNodes(p, s, {
            parent: this,
            provider,
            cluster,
            nodeRole,
            privateSubnetIds: network.privateSubnetIds,
            tags,
            dependsOn: nodePolicies,
            linstorNamespace: namespace,
            apiClientSecret: apiTls.jobs,
        });
        const nodeGroups = storage.groups;
        this.nodeAmiId = storage.nodeAmiId;
        const addons = managedAddons(this, p, s, cluster, nodeGroups, tags);

        const baseValues = operatorValues(s.linstorDistribution, s.drbdIoUsername);
        const values =
            s.drbdIoPassword === undefined
                ? baseValues
                : pulumi.secret(
                      pulumi.output(s.drbdIoPassword).apply((password) => ({
                          ...baseValues,
                          imageCredentials: { ...(baseValues.imageCredentials as object), password },
                      })),
                  );
        const version = s.linstorDistribution === "linbit" ? s.linbitOperatorChartVersion : s.piraeusOperatorChartVersion;
        const operator = new k8s.helm.v3.Release(
            `${p}-linstor-operator`,
            {
                name: "linstor-operator",
                chart: chart.chart,
                version,
                ...(chart.repo ? { repositoryOpts: { repo: chart.repo } } : {}),
                namespace: chart.namespace,
                values,
                // Wait until the operator and its webhook are Ready: custom resources are validated by it.
                skipAwait: false,
                timeout: 900,
            },
            {
                ...k8sOpts,
                dependsOn: [namespace, ...nodeGroups],
                // The chart templates the CRDs: deleting or replacing the release would delete every LinstorCluster,
                // satellite configuration and the LINSTOR database they hold.
                protect,
            },
        );

        const passphrase = new random.RandomPassword(
            `${p}-linstor-passphrase`,
            {
                length: 48,
                special: false,
            },
            { ...parent, protect },
        );
        this.passphraseSecretName = "linstor-passphrase";
        const passphraseSecret = new k8s.core.v1.Secret(
            `${p}-linstor-passphrase`,
            {
                metadata: { name: this.passphraseSecretName, namespace: chart.namespace },
                immutable: true,
                stringData: { [PASSPHRASE_KEY]: passphrase.result },
            },
            { ...k8sOpts, dependsOn: [namespace], protect },
        );

        const linstor = new k8s.apiextensions.CustomResource(
            `${p}-linstorcluster`,
            {
                apiVersion: "piraeus.io/v1",
                kind: "LinstorCluster",
                metadata: { name: "linstorcluster" },
                spec: pulumi.all([apiTls.hash, internalTls.hash]).apply(([apiTlsHash, internalTlsHash]) =>
                    linstorClusterSpec({
                        passphraseSecretName: this.passphraseSecretName,
                        peerSlots: s.drbdPeerSlots,
                        haController: {
                            failOverTimeoutSeconds: s.haControllerFailOverTimeoutSeconds,
                            drbdStatusIntervalSeconds: s.haControllerDrbdStatusIntervalSeconds,
                        },
                        controllerTolerationSeconds: s.linstorControllerTolerationSeconds,
                        apiTlsHash,
                        internalTlsHash,
                    }),
                ),
            },
            { ...k8sOpts, dependsOn: [operator, passphraseSecret, ...apiTls.secrets, ...internalTls.secrets] },
        );

        const satellites = new k8s.apiextensions.CustomResource(
            `${p}-storage-pools`,
            {
                apiVersion: "piraeus.io/v1",
                kind: "LinstorSatelliteConfiguration",
                metadata: { name: "ebs-storage-pools" },
                spec: internalTls.hash.apply((internalTlsHash) =>
                    satelliteConfigurationSpec({
                        dataDevicePath: DATA_DEVICE.stablePath,
                        metadataDevicePath: METADATA_DEVICE.stablePath,
                        deletionPolicy: s.satelliteDeletionPolicy,
                        internalTlsHash,
                    }),
                ),
            },
            { ...k8sOpts, dependsOn: [operator, ...internalTls.secrets] },
        );

        this.storageClassNames = {};
        const classes = s.storageClassReplicas.map((replicas) => {
            const spec = storageClassSpec({
                namePrefix: s.storageClassPrefix,
                replicas,
                dataPool: DATA_POOL,
                metadataPool: METADATA_POOL,
                tuning: { disableFlushes: s.drbdDisableFlushes, maxBuffers: s.drbdMaxBuffers },
            });
            this.storageClassNames[replicas] = spec.name;
            return new k8s.storage.v1.StorageClass(
                `${p}-${spec.name}`,
                {
                    metadata: { name: spec.name, labels: { "ha-jenkins-eks.io/replicas": String(replicas) } },
                    provisioner: LINSTOR_PROVISIONER,
                    parameters: spec.parameters,
                    reclaimPolicy: "Retain",
                    allowVolumeExpansion: true,
                    volumeBindingMode: "WaitForFirstConsumer",
                },
                { ...k8sOpts, dependsOn: [operator, linstor, satellites], deleteBeforeReplace: true },
            );
        });
        handles.set(this, { provider, storageReady: [operator, linstor, satellites, ...classes] });
        new k8s.storage.v1.StorageClass(
            `${p}-${EBS_GP3_CLASS}`,
            {
                metadata: { name: EBS_GP3_CLASS },
                provisioner: "ebs.csi.aws.com",
                parameters: ebsGp3Parameters(s.ebsKmsKeyArn),
                reclaimPolicy: "Retain",
                allowVolumeExpansion: true,
                volumeBindingMode: "WaitForFirstConsumer",
            },
            { ...k8sOpts, dependsOn: [addons.ebsCsiDriver] },
        );

        this.registerOutputs({
            clusterName: this.clusterName,
            kubeconfig: this.kubeconfig,
            storageClassNames: this.storageClassNames,
            linstorNamespace: this.linstorNamespace,
        });
    }

    private network(p: string, args: LinstorClusterSettings, tags: Record<string, string>) {
        if (args.vpcId !== undefined) {
            // Each existing subnet is read (Resource.get: changes nothing in AWS) and the cluster and node groups take the
            // read's ID: the stack then shows each subnet's availabilityZone, from which the policy pack proves the zones
            // (policy/rules/zones.ts); a bare ID or an invoke (stacks/zones.ts) proves nothing to it. Named after the ID,
            // the subnet's identity.
            const read = (ids: readonly string[] = []) =>
                pulumi.all(ids.map((id) => aws.ec2.Subnet.get(`${p}-${id}`, id, undefined, { parent: this }).id));
            return { vpcId: pulumi.output(args.vpcId), privateSubnetIds: read(args.privateSubnetIds), publicSubnetIds: read(args.publicSubnetIds) };
        }
        const vpc = new awsx.ec2.Vpc(
            `${p}-vpc`,
            {
                cidrBlock: args.vpcCidr,
                availabilityZoneNames: [...args.availabilityZones],
                enableDnsHostnames: true,
                natGateways: { strategy: args.natGateways },
                subnetStrategy: "Auto",
                subnetSpecs: [
                    { type: "Private", tags: { ...tags, "kubernetes.io/role/internal-elb": "1" } },
                    { type: "Public", tags: { ...tags, "kubernetes.io/role/elb": "1" } },
                ],
                // An S3 gateway endpoint (free): same-region S3 traffic skips the NAT gateways' per-GB processing and
                // bandwidth limit. It serves a bucket in this region (a DR stack's restores and restore checks from the
                // bucket it sits beside, image layers ECR keeps in S3), never a bucket in another region (the primary's
                // shipping, which the cost model keeps on NAT). `Auto` puts it on every route table the Vpc creates
                // (pulumi-awsx awsx/ec2/vpc.ts, vpcEndpointStrategy Auto, since v3.7.0). The default full-access policy
                // stays: a policy naming only our bucket would cut ECR's layer bucket off.
                vpcEndpointStrategy: "Auto",
                vpcEndpointSpecs: [{ serviceName: `com.amazonaws.${args.region}.s3`, vpcEndpointType: "Gateway", tags }],
                tags,
            },
            { parent: this },
        );
        return { vpcId: vpc.vpcId, privateSubnetIds: vpc.privateSubnetIds, publicSubnetIds: vpc.publicSubnetIds };
    }
}
