/**
 * The one place that reads stack configuration. Every key is read once and defaulted, and the result is one typed
 * object. The readers parse types only (integer, boolean, list, map); every range and format check lives once, in
 * the component that uses the value (its settings.ts, with the validation kit components/shared/validation.ts), and
 * the stack runs those checks before any resource is registered. Errors name the full key to fix.
 *
 * THE NAMING RULE from config key to settings field (naming.ts; tests/stacks/config/naming.spec.ts checks it):
 *
 *   key = prefix + field, the field's first letter capitalized after a non-empty prefix; a nested field path
 *   (a.b.c) joins its parts the same way.
 *
 *   | settings of                              | prefix           | example                                         |
 *   | ---------------------------------------- | ---------------- | ----------------------------------------------- |
 *   | LinstorCluster                           | (none)           | drbdMaxBuffers → drbdMaxBuffers                 |
 *   | S3SnapshotShipping                       | (none)           | snapshotSchedule → snapshotSchedule             |
 *   | S3SnapshotShipping `bucket.create.*`     | snapshotBucket   | bucket.create.objectLock.mode → snapshotBucketObjectLockMode |
 *   | DrbdMonitoring                           | (none)           | prometheusRetention → prometheusRetention       |
 *   | LinstorDbBackup                          | (none)           | linstorDbBackupSchedule → linstorDbBackupSchedule |
 *   | HaJenkins                                | jenkins          | storageSize → jenkinsStorageSize                |
 *
 *   Components without a prefix name their fields after what they belong to (snapshot*, prometheus*, alert*,
 *   linstorDbBackup*), so the field name is the key. The exceptions (KEY_EXCEPTIONS, kept small):
 *     LinstorCluster.region                                    → aws:region
 *     HaJenkins.storageClassName                               → jenkinsStorageClassReplicas (the class by replicas)
 *     DrbdMonitoring.prometheusStorageClassName                → prometheusStorageReplicas (the class by replicas)
 *     S3SnapshotShipping.protect                               → protectStatefulResources
 *     S3SnapshotShipping.bucket.create.noncurrentVersionExpirationDays → snapshotBucketNoncurrentVersionDays
 *     S3SnapshotShipping.bucket.create.abortIncompleteMultipartUploadDays → snapshotBucketAbortMultipartDays
 *     S3SnapshotShipping.bucket.create.expireCurrentObjectsAfterDays → snapshotBucketExpireCurrentObjectsDays
 *   Keys of the stack itself, which no component field takes (role, azCount, monitoringEnabled, …), are listed in
 *   STACK_ONLY_KEYS. Fields no key sets: S3SnapshotShipping's bucket.existing.* (the DR stack takes them from the
 *   primary stack's outputs; errors name the output, FROM_PRIMARY_OUTPUTS) and bucket.create.prefixRules (other
 *   components' lifecycle rules).
 */
import * as pulumi from "@pulumi/pulumi";
import { STORAGE_SIZE as JENKINS_STORAGE_SIZE, validateJenkinsSettings } from "../../components/jenkins/settings";
import { operatorRelease } from "../../components/linstorCluster/operatorReleases";
import { validateMonitoringSettings, validateSlackWebhookUrl } from "../../components/monitoring/settings";
import { ConfigError } from "../../components/shared/errors";
import { BYTE_SUFFIXES, parseArn, parseQuantity } from "../../components/shared/validation";
import { refuseIgnoredSnapshotKeys } from "../../components/snapshots/csiSupport";
import { validateRemoteJobImage } from "../../components/snapshots/settings";
import { type ClusterConfig, readClusterConfig } from "./cluster";
import { type DrConfig, readDrConfig } from "./dr";
import { type JenkinsConfig, jenkinsConfigKey, readJenkinsConfig } from "./jenkins";
import { type LinstorDbBackupConfig, readLinstorDbBackupConfig } from "./linstorDbBackup";
import { type MonitoringConfig, readMonitoringConfig } from "./monitoring";
import { PROJECT, projectKey, stackKeyOf } from "./naming";
import { ConfigReader } from "./reader";
import { readSnapshotConfig, type SnapshotConfig } from "./snapshots";

export { configKey, fullKey, KEY_EXCEPTIONS, KEY_PREFIXES, PROJECT, projectKey, STACK_ONLY_KEYS, stackKeyOf } from "./naming";
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

/**
 * Reads the stack's configuration and runs, at once, every check that needs neither the AWS lookup of the zones nor
 * the primary stack: the components' own validation of what the stack hands them and the checks of the stack's own
 * keys. The remaining component checks run in the wiring, still before the first resource (stacks/wiring.ts).
 */
export function loadConfig(): StackConfig {
    const cfg = readStackConfig();
    validateStackConfig(cfg);
    return cfg;
}

/** Every key, read once and defaulted, types only (integer, boolean, list, map): no range or format checks. */
export function readStackConfig(): StackConfig {
    const r = new ConfigReader(PROJECT);
    const awsConfig = new ConfigReader("aws");
    const stack = pulumi.getStack();
    const region = awsConfig.raw("region");
    // Checked first: the snapshot bucket's default region derives from it.
    if (region === undefined)
        throw new ConfigError("aws:region", region, "Set the stack's AWS region, e.g. `pulumi config set aws:region us-west-2`.");
    awsConfig.check("region").awsRegion(region);
    const role = r.choice<StackRole>("role", "primary");
    return {
        project: PROJECT,
        stack,
        role,
        region,
        namePrefix: r.string("namePrefix", `hje-${stack}`.slice(0, 23)),
        cluster: readClusterConfig(r),
        jenkins: readJenkinsConfig(r),
        monitoring: readMonitoringConfig(r),
        snapshots: readSnapshotConfig(r, region, role === "primary"),
        linstorDbBackup: readLinstorDbBackupConfig(r),
        dr: role === "dr" ? readDrConfig(r) : undefined,
        upgradeGuards: r.boolean("upgradeGuards", true),
        awsCredentials: readAwsCredentials(awsConfig),
    };
}

/** The checks of the stack's own keys, and the components' checks that need nothing resolved later. */
function validateStackConfig(cfg: StackConfig): void {
    const r = new ConfigReader(PROJECT);
    r.check("role").oneOf(cfg.role, ROLES);
    // How many zones to look up when availabilityZones is not given (LinstorCluster checks the zones themselves).
    if (cfg.cluster.availabilityZones === undefined) r.check("azCount").integer(cfg.cluster.azCount, { min: 3, max: 6 });
    const { adminPassword: _password, ...jenkins } = cfg.jenkins;
    validateJenkinsSettings(jenkins, stackKeyOf("HaJenkins"));
    const { monitoringEnabled: _on, prometheusStorageReplicas, ...monitoring } = cfg.monitoring;
    r.check("prometheusStorageReplicas").integer(prometheusStorageReplicas, { min: 1, max: 6 });
    // The secret's plain text (errors never echo it): DrbdMonitoring only sees the secret Output.
    const slack = r.raw("alertSlackWebhookUrl");
    if (slack !== undefined) validateSlackWebhookUrl(slack, r.fullKey("alertSlackWebhookUrl"));
    validateMonitoringSettings(monitoring, stackKeyOf("DrbdMonitoring"));
    if (cfg.dr !== undefined) {
        r.check("primaryStack").matches(
            cfg.dr.primaryStack,
            /^[^/\s]+\/[^/\s]+\/[^/\s]+$/,
            "Use the primary's fully qualified stack name <org>/<project>/<stack>, e.g. acme/ha-jenkins-eks/dev.",
        );
        // Becomes the restored Jenkins' storageSize.
        r.check("restoreStorageSize").ifSet.quantity(cfg.dr.restoreStorageSize, JENKINS_STORAGE_SIZE);
        validateRemoteJobImage(cfg.dr.remoteJobImage, stackKeyOf("S3SnapshotShipping"));
    }
}

/**
 * Checks between sections (after each section validated itself): Jenkins and Prometheus must fit
 * the storage the cluster offers. Throws a ConfigError naming the Jenkins key.
 */
export function validateAcrossSections(cfg: StackConfig): void {
    const { cluster, jenkins, monitoring } = cfg;
    const r = new ConfigReader(PROJECT);
    if (
        monitoring.monitoringEnabled &&
        !monitoring.useExistingPrometheusOperator &&
        !cluster.storageClassReplicas.includes(monitoring.prometheusStorageReplicas)
    ) {
        r.fail(
            "prometheusStorageReplicas",
            monitoring.prometheusStorageReplicas,
            `Prometheus needs one of the StorageClasses this stack creates (storageClassReplicas: ${cluster.storageClassReplicas.join(", ")}).`,
        );
    }
    if (!cluster.storageClassReplicas.includes(jenkins.storageClassReplicas)) {
        r.fail(
            jenkinsConfigKey("storageClassReplicas"),
            jenkins.storageClassReplicas,
            `Jenkins needs one of the StorageClasses this stack creates (storageClassReplicas: ${cluster.storageClassReplicas.join(", ")}).`,
        );
    }
    const certificateRegion = jenkins.tlsCertificateArn === undefined ? undefined : parseArn(jenkins.tlsCertificateArn)?.region;
    if (certificateRegion !== undefined && certificateRegion !== cfg.region) {
        r.fail(
            jenkinsConfigKey("tlsCertificateArn"),
            jenkins.tlsCertificateArn,
            `An NLB can only use an ACM certificate from its own region ${cfg.region} (this one is in ${certificateRegion}).`,
        );
    }
    // The schedule's VolumeSnapshotClass must carry only keys the linstor-csi of the chosen operator release parses.
    const chartKey = cluster.linstorDistribution === "linbit" ? "linbitOperatorChartVersion" : "piraeusOperatorChartVersion";
    const chartVersion = cluster.linstorDistribution === "linbit" ? cluster.linbitOperatorChartVersion : cluster.piraeusOperatorChartVersion;
    refuseIgnoredSnapshotKeys(
        cfg.snapshots,
        operatorRelease(cluster.linstorDistribution, chartVersion)?.linstorCsi,
        `${projectKey(chartKey)} ${chartVersion}`,
        projectKey,
    );
    const jenkinsBytes = parseQuantity(jenkins.storageSize, BYTE_SUFFIXES);
    if (jenkinsBytes !== undefined && jenkinsBytes > cluster.dataVolumeSizeGiB * 2 ** 30) {
        r.fail(
            jenkinsConfigKey("storageSize"),
            jenkins.storageSize,
            `Each replica lives in one node's data pool of dataVolumeSizeGiB (${cluster.dataVolumeSizeGiB} GiB); raise that or shrink this.`,
        );
    }
}
