import type * as pulumi from "@pulumi/pulumi";
import { JENKINS_DEFAULTS as D, type JenkinsSettings } from "../../components/jenkins/settings";
import { configKey } from "./naming";
import type { ConfigReader } from "./reader";

/** Jenkins settings of a stack plus the optional admin password (a Pulumi secret). */
export interface JenkinsConfig extends JenkinsSettings {
    readonly adminPassword?: pulumi.Output<string>;
}

/** The stack config key of a HaJenkins field, by the naming rule: `jenkins<Field>` (naming.ts). */
export const jenkinsConfigKey = (field: string): string => configKey("HaJenkins", field);

/** Reads every `jenkins*` key (types only; loadConfig runs HaJenkins' own validation on them at once). */
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
        pluginSource: r.choice(k("pluginSource"), D.pluginSource),
        plugins: r.stringList(k("plugins"), D.plugins),
        prometheusPluginVersion: r.string(k("prometheusPluginVersion"), D.prometheusPluginVersion),
        cascConfigScripts: r.stringMap(k("cascConfigScripts")),
    };
    return { ...settings, adminPassword: r.secret(k("adminPassword")) };
}
