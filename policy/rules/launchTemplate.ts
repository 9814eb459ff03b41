/** Rules: launch templates. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configValue, type Props } from "../props";
import { TYPES } from "./shared";

export const launchTemplateEbsEncrypted: ResourceValidationPolicy = {
    name: "launch-template-ebs-encrypted",
    description: "Every EBS volume of a launch template is encrypted.",
    validateResource: (args, report) => {
        if (args.type !== TYPES.launchTemplate) return;
        const mappings = (args.props.blockDeviceMappings ?? []) as Props[];
        const clear = mappings
            .filter((m) => m.ebs !== undefined && m.ebs !== null && String(m.ebs.encrypted) !== "true")
            .map((m) => m.deviceName ?? "(unnamed device)");
        if (clear.length === 0) return;
        report(
            `Launch template ${args.name}: EBS volume(s) ${clear.join(", ")} are not encrypted (encrypted unset uses the account default, ` +
                'which may be off). Set ebs.encrypted: "true" on every block-device mapping (optionally with kmsKeyId, ha-jenkins-eks:ebsKmsKeyArn).',
        );
    },
};

export const launchTemplateImdsV2: ResourceValidationPolicy = {
    name: "launch-template-imdsv2",
    description: "Launch templates require IMDSv2 session tokens and keep the metadata hop limit low.",
    configSchema: {
        properties: {
            maxHopLimit: { type: "integer", minimum: 1, maximum: 64, default: 2, description: "Highest httpPutResponseHopLimit allowed." },
        },
    },
    validateResource: (args, report) => {
        if (args.type !== TYPES.launchTemplate) return;
        const options = (args.props.metadataOptions ?? {}) as Props;
        if (options.httpEndpoint === "disabled") return;
        if (options.httpTokens !== "required") {
            report(
                `Launch template ${args.name}: metadataOptions.httpTokens is ${options.httpTokens ?? "unset (IMDSv1 allowed)"}. ` +
                    'Set metadataOptions.httpTokens: "required" so only IMDSv2 session requests reach instance credentials.',
            );
        }
        const max = configValue(args.getConfig<Record<string, unknown>>(), "maxHopLimit", 2);
        const hops = Number(options.httpPutResponseHopLimit ?? 1);
        if (hops > max) {
            report(
                `Launch template ${args.name}: metadataOptions.httpPutResponseHopLimit is ${hops}, above ${max}: containers could ` +
                    "reach the node role's credentials. Use 1 (ha-jenkins-eks:imdsHopLimit), or 2 only if pods need IMDS.",
            );
        }
    },
};
