/**
 * The one place that reads stack configuration. Every key is read once, validated and defaulted,
 * and the result is one typed object; invalid input throws a ConfigError naming the full key
 * before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../components/shared/errors";
import { ClusterConfig, readClusterConfig } from "./cluster";
import { JenkinsConfig, jenkinsConfigKey, readJenkinsConfig } from "./jenkins";
import { MonitoringConfig, readMonitoringConfig } from "./monitoring";
import { DrConfig, readDrConfig } from "./dr";
import { readSnapshotConfig, SnapshotConfig } from "./snapshots";
import { LinstorDbBackupConfig, readLinstorDbBackupConfig } from "./linstorDbBackup";
import { ConfigReader } from "./reader";

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
    readonly jenkins: JenkinsConfig;
    readonly monitoring: MonitoringConfig;
    readonly snapshots: SnapshotConfig;
    /** Scheduled LINSTOR database backup (primary only). */
    readonly linstorDbBackup: LinstorDbBackupConfig;
    /** DR-only settings (role `dr`). */
    readonly dr?: DrConfig;
    /** Refuse Kubernetes minor skips/downgrades and operator downgrades against the last deployment. Default true. */
    readonly upgradeGuards: boolean;
    /**
     * The stack's AWS credential settings (`aws:profile`, `aws:assumeRoles`, …), for the explicit providers the
     * program creates in other regions: an explicit provider does not inherit them from the default one.
     */
    readonly awsCredentials: AwsCredentialSettings;
}

export interface AwsCredentialSettings {
    readonly profile?: string;
    readonly sharedCredentialsFiles?: string[];
    readonly allowedAccountIds?: string[];
    readonly assumeRoles?: Record<string, unknown>[];
}

function readAwsCredentials(aws: ConfigReader): AwsCredentialSettings {
    const assumeRoles = aws.raw("assumeRoles");
    let roles: Record<string, unknown>[] | undefined;
    if (assumeRoles !== undefined) {
        try {
            roles = JSON.parse(assumeRoles);
        } catch {
            aws.fail("assumeRoles", assumeRoles, "Must be a list of assume-role settings (roleArn, sessionName, …).");
        }
        if (!Array.isArray(roles)) aws.fail("assumeRoles", assumeRoles, "Must be a list of assume-role settings (roleArn, sessionName, …).");
    }
    return {
        profile: aws.optionalString("profile"),
        sharedCredentialsFiles: aws.optionalStringList("sharedCredentialsFiles"),
        allowedAccountIds: aws.optionalStringList("allowedAccountIds"),
        assumeRoles: roles,
    };
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
    const cluster = readClusterConfig(r);
    const jenkins = readJenkinsConfig(r);
    const role = r.oneOf("role", ROLES, "primary");
    return {
        project: PROJECT,
        stack,
        role,
        region,
        namePrefix: r.string("namePrefix", `hje-${stack}`.slice(0, 23)),
        cluster,
        jenkins,
        monitoring: readMonitoringConfig(r),
        snapshots: readSnapshotConfig(r, region, role === "primary"),
        linstorDbBackup: readLinstorDbBackupConfig(r),
        dr: role === "dr" ? readDrConfig(r) : undefined,
        upgradeGuards: r.boolean("upgradeGuards", true),
        awsCredentials: readAwsCredentials(awsConfig),
    };
}

/**
 * Checks between sections (after each section validated itself): Jenkins and Prometheus must fit
 * the storage the cluster offers. Throws a ConfigError naming the Jenkins key.
 */
export function validateAcrossSections(cfg: StackConfig): void {
    const { cluster, jenkins, monitoring } = cfg;
    const r = new ConfigReader(PROJECT);
    if (monitoring.monitoringEnabled && !monitoring.useExistingPrometheusOperator &&
        !cluster.storageClassReplicas.includes(monitoring.prometheusStorageReplicas)) {
        r.fail("prometheusStorageReplicas", monitoring.prometheusStorageReplicas,
            `Prometheus needs one of the StorageClasses this stack creates (storageClassReplicas: ${cluster.storageClassReplicas.join(", ")}).`);
    }
    if (!cluster.storageClassReplicas.includes(jenkins.storageClassReplicas)) {
        r.fail(jenkinsConfigKey("storageClassReplicas"), jenkins.storageClassReplicas,
            `Jenkins needs one of the StorageClasses this stack creates (storageClassReplicas: ${cluster.storageClassReplicas.join(", ")}).`);
    }
    const certificateRegion = jenkins.tlsCertificateArn?.split(":")[3];
    if (certificateRegion !== undefined && certificateRegion !== cfg.region) {
        r.fail(jenkinsConfigKey("tlsCertificateArn"), jenkins.tlsCertificateArn,
            `An NLB can only use an ACM certificate from its own region ${cfg.region} (this one is in ${certificateRegion}).`);
    }
    const jenkinsGiB = quantityGiB(jenkins.storageSize);
    if (jenkinsGiB !== undefined && jenkinsGiB > cluster.dataVolumeSizeGiB) {
        r.fail(jenkinsConfigKey("storageSize"), jenkins.storageSize,
            `Each replica lives in one node's data pool of dataVolumeSizeGiB (${cluster.dataVolumeSizeGiB} GiB); raise that or shrink this.`);
    }
}

/** GiB of a binary Kubernetes quantity (Mi/Gi/Ti), undefined for other forms (validated elsewhere). */
function quantityGiB(quantity: string): number | undefined {
    const m = /^(\d+(?:\.\d+)?)(Mi|Gi|Ti)$/.exec(quantity);
    if (!m) return undefined;
    return Number(m[1]) * { Mi: 1 / 1024, Gi: 1, Ti: 1024 }[m[2] as "Mi" | "Gi" | "Ti"];
}
