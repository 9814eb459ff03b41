import type * as pulumi from "@pulumi/pulumi";
import { pluginList, requiredPlugins } from "../../components/jenkins/plugins";
import { JENKINS_DEFAULTS as D, type JenkinsSettings } from "../../components/jenkins/settings";
import { configKey, fullKey } from "./naming";
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

/**
 * The note a stack prints when `jenkinsPlugins` leaves out plugins the program needs (components/jenkins/plugins.ts
 * requiredPlugins): they are added, not refused. The program, not the user, needs them (the chart's JCasC and cloud,
 * the /prometheus scrape), and refusing would make every list copy pins that go stale with the chart's; the note and
 * the reference say what is installed beyond the list. Undefined when the list names them all.
 */
export function requiredPluginNote(
    s: Pick<JenkinsSettings, "plugins" | "prometheusPluginVersion" | "pluginSource">,
    monitoringEnabled: boolean,
): string | undefined {
    const listed = new Set(s.plugins.map((p) => p.split(":")[0]));
    const added = requiredPlugins(monitoringEnabled).filter((n) => !listed.has(n));
    // The prometheus plugin is added whenever monitoring is on (pinned by jenkinsPrometheusPluginVersion): no news.
    const notable = added.filter((n) => n !== "prometheus");
    if (notable.length === 0) return undefined;
    const pins = pluginList(s, monitoringEnabled).filter((p) => notable.includes(p.split(":")[0]));
    return s.pluginSource === "image"
        ? `${fullKey(jenkinsConfigKey("plugins"))} does not list ${notable.join(", ")}: the image must contain them too (the program needs them).`
        : `${fullKey(jenkinsConfigKey("plugins"))} does not list ${notable.join(", ")}: the program adds ${pins.join(", ")} (it needs them).`;
}
