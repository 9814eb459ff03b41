/**
 * The rules of the ha-jenkins-eks CrossGuard pack (one file per concern in rules/). index.ts only constructs the pack from `policies`; tests and
 * `npm run plan` import this module directly (constructing a PolicyPack starts a gRPC server).
 *
 * Self-contained on purpose: the pack is installed on its own (policy/package.json), so it imports nothing from
 * the program, and rules match resource types and properties, never our resource names. Each rule reads both
 * what a real preview shows (e.g. `aws:eks/cluster:Cluster`, subnets, node groups made by pulumi-eks/awsx) and
 * what a mocked evaluation shows (the inputs of the remote components `eks:index:Cluster`, `awsx:ec2:Vpc`).
 */

import { bucketOtherRegion, bucketProtected } from "./rules/bucket";
import { claimsRetain } from "./rules/claims";
import { eksControlPlaneLogging, eksSecretsEncryption } from "./rules/eks";
import { eksEndpointRestricted } from "./rules/endpoint";
import { iamNoWildcardAdmin } from "./rules/iam";
import { jenkinsVolumeReplicated } from "./rules/jenkinsVolume";
import { launchTemplateEbsEncrypted, launchTemplateImdsV2 } from "./rules/launchTemplate";
import { noOpenLoadBalancers } from "./rules/loadBalancers";
import { helmNoPostRenderer } from "./rules/postRenderer";
import { snapshotRetain, storageClassRetain } from "./rules/retain";
import { noOpenIngress } from "./rules/securityGroups";
import { nodesSpanZones } from "./rules/zones";

export * from "./rules/bucket";
export * from "./rules/cidr";
export * from "./rules/claims";
export * from "./rules/eks";
export * from "./rules/endpoint";
export * from "./rules/iam";
export * from "./rules/jenkinsVolume";
export * from "./rules/launchTemplate";
export * from "./rules/loadBalancers";
export * from "./rules/postRenderer";
export * from "./rules/retain";
export * from "./rules/securityGroups";
export * from "./rules/shared";
export * from "./rules/zones";

/** Every rule, in the order the README lists them. */
export const policies = [
    nodesSpanZones,
    storageClassRetain,
    claimsRetain,
    snapshotRetain,
    jenkinsVolumeReplicated,
    helmNoPostRenderer,
    bucketOtherRegion,
    bucketProtected,
    launchTemplateEbsEncrypted,
    launchTemplateImdsV2,
    noOpenLoadBalancers,
    noOpenIngress,
    eksEndpointRestricted,
    iamNoWildcardAdmin,
    eksControlPlaneLogging,
    eksSecretsEncryption,
];
