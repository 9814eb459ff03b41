/**
 * The one place that reads stack configuration. Every key is read once, validated and defaulted,
 * and the result is one typed object; invalid input throws a ConfigError naming the full key
 * before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../components/lib/errors";
import { ClusterConfig, readClusterConfig } from "./settings/cluster";
import { ConfigReader } from "./settings/reader";

export const PROJECT = "ha-jenkins-eks";
export const ROLES = ["primary", "dr"] as const;
export type StackRole = (typeof ROLES)[number];

export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    readonly role: StackRole;
    /** AWS region of this stack (`aws:region`). */
    readonly region: string;
    /** Prefix of every resource name. Default `hje-<stack>`. */
    readonly namePrefix: string;
    readonly cluster: ClusterConfig;
    /** Refuse Kubernetes minor skips/downgrades and operator downgrades against the last deployment. Default true. */
    readonly upgradeGuards: boolean;
}

/** Full config key of a project key, as it appears in error messages and the README. */
export const projectKey = (key: string) => `${PROJECT}:${key}`;

export function loadConfig(): StackConfig {
    const r = new ConfigReader(PROJECT);
    const awsConfig = new ConfigReader("aws");
    const stack = pulumi.getStack();
    const region = awsConfig.raw("region");
    if (region === undefined || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
        throw new ConfigError("aws:region", region, "Set the stack's AWS region, e.g. `pulumi config set aws:region us-west-2`.");
    }
    return {
        project: PROJECT,
        stack,
        role: r.oneOf("role", ROLES, "primary"),
        region,
        namePrefix: r.string("namePrefix", `hje-${stack}`.slice(0, 23)),
        cluster: readClusterConfig(r),
        upgradeGuards: r.boolean("upgradeGuards", true),
    };
}
