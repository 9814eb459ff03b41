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
import { validateLinstorClusterSettings } from "../../components/linstorCluster/settings";
import { linstorDbBackupLifecycleRule, validateLinstorDbBackupSettings } from "../../components/linstorDbBackup/settings";
import { validateMonitoringSettings, validateSlackWebhookUrl } from "../../components/monitoring/settings";
import { ConfigError } from "../../components/shared/errors";
import { validateRemoteJobImage, validateS3SnapshotSettings } from "../../components/snapshots/settings";
import { validateAcrossSections } from "./across";
import { awsNamespaceProblems } from "./awsKeys";
import { type ClusterConfig, readClusterConfig } from "./cluster";
import { reportContradictions } from "./contradictions";
import { type DrConfig, drConfigChecks, readDrConfig } from "./dr";
import { type JenkinsConfig, readJenkinsConfig, requiredPluginNote } from "./jenkins";
import { unknownKeyProblems } from "./keys";
import { kubectlSkewProblems } from "./kubectlSkew";
import { type LinstorDbBackupConfig, readLinstorDbBackupConfig } from "./linstorDbBackup";
import { type MonitoringConfig, readMonitoringConfig } from "./monitoring";
import { PROJECT, projectKey, stackKeyOf } from "./naming";
import { ConfigReader } from "./reader";
import { redactSecrets } from "./redact";
import { retentionGapProblem } from "./retentionGap";
import { readSnapshotConfig, type SnapshotConfig } from "./snapshots";
import { reportSwitchedOffKeys } from "./switches";

export { namespaceProblems, validateAcrossSections } from "./across";
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
 * Reads the stack's configuration and reports, at once, every problem that needs neither the AWS lookups (zones,
 * subnets) nor the primary stack: values of the wrong type, empty values, plain-text secrets, unknown keys and
 * namespaces, contradictions between keys, each component's own validation of what the stack hands it, and the
 * checks between sections. One ConfigError lists them all (one per key); nothing has been registered yet. The
 * wiring repeats the components' checks with the resolved zones (stacks/wiring.ts).
 */
export function loadConfig(): StackConfig {
    const r = new ConfigReader(PROJECT, { collect: true });
    const cfg = readStackConfig(r);
    reportContradictions(r, {
        role: cfg.role,
        linstorDistribution: cfg.cluster.linstorDistribution,
        drSnapshotsEnabled: cfg.dr?.drSnapshotsEnabled ?? false,
        jenkins: cfg.jenkins,
    });
    reportSwitchedOffKeys(r, {
        role: cfg.role,
        drMode: cfg.dr?.drMode,
        monitoringEnabled: cfg.monitoring.monitoringEnabled,
        useExistingPrometheusOperator: cfg.monitoring.useExistingPrometheusOperator,
        linstorDbBackupEnabled: cfg.linstorDbBackup.linstorDbBackupEnabled,
        snapshotScheduleEnabled: cfg.snapshots.snapshotScheduleEnabled ?? true,
        installSnapshotController: cfg.snapshots.installSnapshotController ?? true,
        jenkinsServiceType: cfg.jenkins.serviceType ?? "ClusterIP",
    });
    const problems: ConfigError[] = [...r.problems, ...unknownKeyProblems(r.keysRead), ...awsNamespaceProblems()];
    const crashes: unknown[] = [];
    for (const check of stackChecks(cfg)) {
        try {
            check();
        } catch (e) {
            if (e instanceof ConfigError) problems.push(...e.problems);
            else crashes.push(e);
        }
    }
    // One problem per key: the first found (a type error before the range check that saw its fallback).
    const seen = new Set<string>();
    const unique = problems.filter((p) => !seen.has(p.key) && seen.add(p.key));
    if (unique.length > 0) throw ConfigError.all(redactSecrets(unique));
    // A check that tripped over a bad value another check reports is no news; one that crashed on good values is a bug.
    if (crashes.length > 0) throw crashes[0];
    const note = requiredPluginNote(cfg.jenkins, cfg.monitoring.monitoringEnabled);
    if (note !== undefined) void pulumi.log.info(note);
    return cfg;
}

/** Every key, read once and defaulted, types only (integer, boolean, list, map): no range or format checks. */
export function readStackConfig(r = new ConfigReader(PROJECT)): StackConfig {
    const awsConfig = new ConfigReader("aws");
    const stack = pulumi.getStack();
    const region = awsConfig.raw("region");
    // Checked first: the snapshot bucket's default region derives from it.
    if (region === undefined)
        throw new ConfigError("aws:region", region, "Set the stack's AWS region, e.g. `pulumi config set aws:region us-west-2`.");
    awsConfig.check("region").awsRegion(region);
    const role = r.choice<StackRole>("role", "primary");
    // Read in every role, so a key of the other role is known (and refused as a contradiction, not as unknown).
    const dr = readDrConfig(r);
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
        dr: role === "dr" ? dr : undefined,
        upgradeGuards: r.boolean("upgradeGuards", true),
        awsCredentials: readAwsCredentials(awsConfig),
    };
}

/** Placeholder zones of the right count, for the checks that only count zones before the lookup. */
function zonesFor(cfg: StackConfig): string[] {
    return cfg.cluster.availabilityZones !== undefined
        ? [...cfg.cluster.availabilityZones]
        : Array.from({ length: Math.max(0, Math.min(cfg.cluster.azCount, 26)) }, (_, i) => `${cfg.region}${String.fromCharCode(97 + i)}`);
}

/** The checks of the stack's own keys and the components' checks that need nothing resolved later, one per entry. */
function stackChecks(cfg: StackConfig): (() => void)[] {
    const r = new ConfigReader(PROJECT);
    const { azCount: _azCount, ...cluster } = cfg.cluster;
    const { adminPassword: _password, ...jenkins } = cfg.jenkins;
    const { monitoringEnabled: _on, prometheusStorageReplicas, ...monitoring } = cfg.monitoring;
    const { linstorDbBackupEnabled, ...linstorDbBackup } = cfg.linstorDbBackup;
    const checks: (() => void)[] = [
        () => r.check("role").oneOf(cfg.role, ROLES),
        // How many zones to look up when availabilityZones is not given (LinstorCluster checks the zones themselves).
        () => {
            if (cfg.cluster.availabilityZones === undefined) r.check("azCount").integer(cfg.cluster.azCount, { min: 3, max: 6 });
        },
        () => r.check("namePrefix").namePrefix(cfg.namePrefix),
        () =>
            validateLinstorClusterSettings(
                { ...cluster, availabilityZones: zonesFor(cfg), region: cfg.region, namePrefix: cfg.namePrefix },
                projectKey,
            ),
        () => validateJenkinsSettings(jenkins, stackKeyOf("HaJenkins")),
        () => r.check("prometheusStorageReplicas").integer(prometheusStorageReplicas, { min: 1, max: 6 }),
        () => {
            // The secret's plain text (errors never echo it): DrbdMonitoring only sees the secret Output.
            const slack = new pulumi.Config(PROJECT).get("alertSlackWebhookUrl");
            if (slack !== undefined && slack.trim() !== "") validateSlackWebhookUrl(slack, r.fullKey("alertSlackWebhookUrl"));
        },
        () => validateMonitoringSettings(monitoring, stackKeyOf("DrbdMonitoring")),
        () => validateAcrossSections(cfg),
        () => {
            const gap = cfg.role === "primary" ? retentionGapProblem(cfg.snapshots) : undefined;
            if (gap !== undefined) throw gap;
        },
        () => {
            const skew = kubectlSkewProblems(cfg);
            if (skew.length > 0) throw ConfigError.all(skew);
        },
    ];
    if (cfg.role === "primary" && cfg.snapshots.bucket !== undefined) {
        const { bucket, ...snapshots } = cfg.snapshots;
        const create = linstorDbBackupEnabled ? { ...bucket.create, prefixRules: [linstorDbBackupLifecycleRule(linstorDbBackup)] } : bucket.create;
        checks.push(() =>
            validateS3SnapshotSettings(
                {
                    ...snapshots,
                    bucket: { create },
                    namePrefix: cfg.namePrefix,
                    protect: cfg.cluster.protectStatefulResources,
                    tags: cfg.cluster.tags,
                },
                { clusterRegion: cfg.region },
                projectKey,
            ),
        );
        checks.push(() => {
            if (linstorDbBackupEnabled) validateLinstorDbBackupSettings(linstorDbBackup, projectKey);
        });
    }
    if (cfg.dr !== undefined) {
        const dr = cfg.dr;
        checks.push(...drConfigChecks(dr, r, JENKINS_STORAGE_SIZE), () =>
            validateRemoteJobImage(dr.remoteJobImage, stackKeyOf("S3SnapshotShipping")),
        );
    }
    return checks;
}

export type { ClusterConfig, DrConfig, JenkinsConfig, LinstorDbBackupConfig, MonitoringConfig, SnapshotConfig };
