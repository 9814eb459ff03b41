/** Constants and helpers every rule file shares. */
import type { PolicyResource } from "@pulumi/policy";

export const LINSTOR_PROVISIONER = "linstor.csi.linbit.com";
export const ZONE_TOPOLOGY_KEY = "topology.kubernetes.io/zone";
/** CIS EKS 2.1.1: all five control-plane log types. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export const TYPES = {
    storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
    storageClassPatch: "kubernetes:storage.k8s.io/v1:StorageClassPatch",
    persistentVolume: "kubernetes:core/v1:PersistentVolume",
    persistentVolumePatch: "kubernetes:core/v1:PersistentVolumePatch",
    claim: "kubernetes:core/v1:PersistentVolumeClaim",
    claimPatch: "kubernetes:core/v1:PersistentVolumeClaimPatch",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    statefulSetPatch: "kubernetes:apps/v1:StatefulSetPatch",
    service: "kubernetes:core/v1:Service",
    helmRelease: "kubernetes:helm.sh/v3:Release",
    helmChartV4: "kubernetes:helm.sh/v4:Chart",
    helmChartV3: "kubernetes:helm.sh/v3:Chart",
    snapshotClass: "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass",
    snapshotContent: "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent",
    eksCluster: "eks:index:Cluster",
    awsEksCluster: "aws:eks/cluster:Cluster",
    managedNodeGroup: "eks:index:ManagedNodeGroup",
    awsNodeGroup: "aws:eks/nodeGroup:NodeGroup",
    selfManagedNodeGroups: ["eks:index:NodeGroup", "eks:index:NodeGroupV2"],
    autoScalingGroup: "aws:autoscaling/group:Group",
    vpc: "awsx:ec2:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    prefixList: "aws:ec2/managedPrefixList:ManagedPrefixList",
    prefixListEntry: "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    buckets: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
    encryption: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    lifecycle: [
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
    ],
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    iamPolicies: ["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"],
    iamRole: "aws:iam/role:Role",
} as const;

export const ofTypes = (resources: PolicyResource[], ...types: readonly string[]) => resources.filter((r) => types.includes(r.type));
export const list = (items: Iterable<string>) => [...items].sort().join(", ") || "none";
