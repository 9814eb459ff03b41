/**
 * The stack's `aws:` keys the program has a stake in (the provider checks the rest): credentials written in plain text
 * (they would sit readable in Pulumi.<stack>.yaml and in the state's config, the "secrets given as plain config"
 * class) and the pre-v7 singular `aws:assumeRole`, which the explicit providers the program creates never copy
 * (index.ts readAwsCredentials reads `aws:assumeRoles`), so the bucket-region provider would run as someone else.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../components/shared/errors";
import { isConfigSecret } from "./reader";

const CREDENTIALS = ["aws:secretKey", "aws:accessKey", "aws:token"];

export function awsNamespaceProblems(all: Record<string, string> = pulumi.runtime.allConfig()): ConfigError[] {
    const problems: ConfigError[] = [];
    for (const key of CREDENTIALS) {
        if (all[key] === undefined || isConfigSecret(key)) continue;
        problems.push(
            new ConfigError(
                key,
                "(plain text, hidden)",
                "AWS credentials in plain config sit readable in Pulumi.<stack>.yaml and the state: remove it and use a profile " +
                    `(aws:profile), the environment (AWS_ACCESS_KEY_ID, …), or at least \`pulumi config set --secret ${key}\`.`,
            ),
        );
    }
    if (all["aws:assumeRole"] !== undefined) {
        problems.push(
            new ConfigError(
                "aws:assumeRole",
                isConfigSecret("aws:assumeRole") ? "(secret value hidden)" : all["aws:assumeRole"],
                "@pulumi/aws 7 reads aws:assumeRoles (a list), and the program copies only that into the providers it creates: " +
                    "write it as aws:assumeRoles: [{roleArn: …}] instead.",
            ),
        );
    }
    return problems;
}
