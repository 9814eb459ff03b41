import * as pulumi from "@pulumi/pulumi";
import { JENKINS_DEFAULTS as D, JenkinsSettings, KeyOf, validateJenkinsSettings } from "../../components/jenkins/settings";
import { ConfigReader } from "./reader";

/** Jenkins settings of a stack plus the optional admin password (a Pulumi secret). */
export interface JenkinsConfig extends JenkinsSettings {
    readonly adminPassword?: pulumi.Output<string>;
}

/**
 * The stack config key of a HaJenkins field: `jenkins<Field>` (e.g. loadBalancerSourceRanges →
 * jenkinsLoadBalancerSourceRanges). The StorageClass name comes from LinstorCluster, chosen by
 * jenkinsStorageClassReplicas, so errors about it name that key.
 */
export function jenkinsConfigKey(field: string): string {
    const f = field === "storageClassName" ? "storageClassReplicas" : field;
    return `jenkins${f[0].toUpperCase()}${f.slice(1)}`;
}

/** A KeyOf for HaJenkins errors that names the stack's full config keys. */
export function jenkinsKeyOf(r: ConfigReader): KeyOf {
    return (field) => r.fullKey(jenkinsConfigKey(field));
}

/**
 * Reads every `jenkins*` key (types only) and runs HaJenkins' own validation on them at once, so a bad key fails
 * before any resource exists, naming the key.
 */
export function readJenkinsConfig(r: ConfigReader): JenkinsConfig {
    const k = jenkinsConfigKey;
    const settings: JenkinsSettings = {
        namespace: r.string(k("namespace"), D.namespace),
        chartVersion: r.string(k("chartVersion"), D.chartVersion),
        imageRegistry: r.string(k("imageRegistry"), D.imageRegistry),
        imageRepository: r.string(k("imageRepository"), D.imageRepository),
        imageTag: r.string(k("imageTag"), D.imageTag),
        storageSize: r.string(k("storageSize"), D.storageSize),
        storageClassReplicas: r.integer(k("storageClassReplicas"), D.storageClassReplicas),
        allowFewerReplicas: r.boolean(k("allowFewerReplicas"), D.allowFewerReplicas),
        serviceType: r.choice(k("serviceType"), D.serviceType),
        loadBalancerController: r.choice(k("loadBalancerController"), D.loadBalancerController),
        loadBalancerScheme: r.choice(k("loadBalancerScheme"), D.loadBalancerScheme),
        loadBalancerTargetType: r.choice(k("loadBalancerTargetType"), D.loadBalancerTargetType),
        loadBalancerSourceRanges: r.stringList(k("loadBalancerSourceRanges"), D.loadBalancerSourceRanges),
        allowOpenLoadBalancer: r.boolean(k("allowOpenLoadBalancer"), D.allowOpenLoadBalancer),
        tlsCertificateArn: r.optionalString(k("tlsCertificateArn")),
        publicUrl: r.optionalString(k("publicUrl")),
        adminUser: r.string(k("adminUser"), D.adminUser),
        tolerationSeconds: r.integer(k("tolerationSeconds"), D.tolerationSeconds),
        startupProbePeriodSeconds: r.integer(k("startupProbePeriodSeconds"), D.startupProbePeriodSeconds),
        startupProbeFailureThreshold: r.integer(k("startupProbeFailureThreshold"), D.startupProbeFailureThreshold),
        cpuRequest: r.string(k("cpuRequest"), D.cpuRequest),
        cpuLimit: r.string(k("cpuLimit"), D.cpuLimit),
        memoryRequest: r.string(k("memoryRequest"), D.memoryRequest),
        memoryLimit: r.string(k("memoryLimit"), D.memoryLimit),
        blockVoluntaryDisruptions: r.boolean(k("blockVoluntaryDisruptions"), D.blockVoluntaryDisruptions),
        prePullImage: r.boolean(k("prePullImage"), D.prePullImage),
        plugins: r.stringList(k("plugins"), D.plugins),
        prometheusPluginVersion: r.string(k("prometheusPluginVersion"), D.prometheusPluginVersion),
        cascConfigScripts: r.stringMap(k("cascConfigScripts")),
    };
    validateJenkinsSettings(settings, jenkinsKeyOf(r));
    return { ...settings, adminPassword: r.secret(k("adminPassword")) };
}
