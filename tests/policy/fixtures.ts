/** Hand-made registrations the rule specs share (what pulumi-eks, awsx and the charts register), and preview sentinels. */
import * as P from "../../policy/policies";
import { resource } from "../support/policyHarness";

/** What a preview sends for values not known yet (@pulumi/policy proxy.ts sentinels). */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";
export const T = P.TYPES;

export const cluster = (props: Record<string, unknown> = {}) =>
    resource(T.eksCluster, {
        enabledClusterLogTypes: P.CONTROL_PLANE_LOG_TYPES,
        encryptionConfigKeyArn: "arn:aws:kms:us-west-2:123456789012:key/k",
        ...props,
    });
export const vpc = (zones: string[]) => resource(T.vpc, { availabilityZoneNames: zones });
/** A node group of one node (the AWS node group requires its sizes; pulumi-eks fills them in). */
export const nodeGroup = (subnets: unknown, type: string = T.managedNodeGroup) =>
    resource(type, { subnetIds: subnets, ...(type === T.awsNodeGroup ? { scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 2 } } : {}) });
export const launchTemplate = (props: Record<string, unknown> = {}) =>
    resource(T.launchTemplate, {
        blockDeviceMappings: [
            { deviceName: "/dev/xvda", ebs: { volumeSize: 50, encrypted: "true" } },
            { deviceName: "/dev/sdf", ebs: { volumeSize: 100, encrypted: "true" } },
        ],
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
        ...props,
    });
export const storageClass = (name: string, props: Record<string, unknown> = {}, parameters: Record<string, string> = {}) =>
    resource(T.storageClass, {
        metadata: { name },
        provisioner: P.LINSTOR_PROVISIONER,
        reclaimPolicy: "Retain",
        parameters: {
            "linstor.csi.linbit.com/placementCount": "3",
            "linstor.csi.linbit.com/replicasOnDifferent": P.ZONE_TOPOLOGY_KEY,
            ...parameters,
        },
        ...props,
    });
