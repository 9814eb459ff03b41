/** Rules: eks control plane. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configValue, isSet, known, type Props, strings } from "../props";
import { CONTROL_PLANE_LOG_TYPES, TYPES } from "./shared";

export const eksControlPlaneLogging: ResourceValidationPolicy = {
    name: "eks-control-plane-logging",
    description: "EKS clusters send all five control-plane log types to CloudWatch (CIS EKS 2.1.1).",
    configSchema: {
        properties: {
            requiredLogTypes: {
                type: "array",
                items: { type: "string" },
                default: CONTROL_PLANE_LOG_TYPES,
                description: "Log types that must be on.",
            },
        },
    },
    validateResource: (args, report) => {
        if (args.type !== TYPES.eksCluster && args.type !== TYPES.awsEksCluster) return;
        const enabled = strings(args.props.enabledClusterLogTypes);
        const missing = configValue<string[]>(args.getConfig(), "requiredLogTypes", CONTROL_PLANE_LOG_TYPES).filter((t) => !enabled.includes(t));
        if (missing.length === 0) return;
        report(
            `EKS cluster ${args.name} does not log ${missing.join(", ")}: without the audit and authenticator logs nobody can ` +
                `reconstruct who changed the cluster. Set enabledClusterLogTypes: ${JSON.stringify(CONTROL_PLANE_LOG_TYPES)}.`,
        );
    },
};

export const eksSecretsEncryption: ResourceValidationPolicy = {
    name: "eks-secrets-encryption",
    description: "EKS clusters envelope-encrypt Kubernetes Secrets with a KMS key (CIS EKS 5.3.1).",
    validateResource: (args, report) => {
        const fix =
            "Pass a KMS key: encryptionConfigKeyArn on eks.Cluster (LinstorCluster creates a rotating key), or " +
            'encryptionConfig {provider: {keyArn}, resources: ["secrets"]} on aws.eks.Cluster.';
        if (args.type === TYPES.eksCluster) {
            // Presence is enough: the ARN of a key created in the same preview is unknown.
            if (!isSet(args.props, "encryptionConfigKeyArn"))
                report(`EKS cluster ${args.name} stores Secrets without KMS envelope encryption. ${fix}`);
        } else if (args.type === TYPES.awsEksCluster) {
            const config = args.props.encryptionConfig as Props | undefined;
            const resources = config ? strings(known(() => config.resources)) : [];
            const keySet = config?.provider ? isSet(config.provider, "keyArn") : false;
            if (!resources.includes("secrets") || !keySet) report(`EKS cluster ${args.name} stores Secrets without KMS envelope encryption. ${fix}`);
        }
    },
};
