/**
 * Settings of the HaJenkins component: the interface, the pinned defaults and the validation shared by
 * the stack config and the component (for library users). No resources here.
 */
import * as yaml from "js-yaml";
import { isIpv4Cidr, isOpenToWorld } from "../shared/validation";
import { ConfigError } from "../shared/errors";

export const SERVICE_TYPES = ["ClusterIP", "LoadBalancer"] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];
export const LOAD_BALANCER_SCHEMES = ["internal", "internet-facing"] as const;
export type LoadBalancerScheme = (typeof LOAD_BALANCER_SCHEMES)[number];
export const LOAD_BALANCER_TARGET_TYPES = ["instance", "ip"] as const;
export type LoadBalancerTargetType = (typeof LOAD_BALANCER_TARGET_TYPES)[number];
/** Who turns the Service into an NLB: the AWS Load Balancer Controller add-on, or EKS's built-in cloud provider. */
export const LOAD_BALANCER_CONTROLLERS = ["aws-load-balancer-controller", "in-tree"] as const;
export type LoadBalancerController = (typeof LOAD_BALANCER_CONTROLLERS)[number];

/** The four plugins the chart pins (jenkinsci/helm-charts, charts/jenkins/values.yaml at jenkins-5.9.53). */
export const CHART_DEFAULT_PLUGINS = [
    "kubernetes:4540.v612369217f87",
    "workflow-aggregator:608.v67378e9d3db_1",
    "git:5.10.1",
    "configuration-as-code:2115.vf6de120eef70",
] as const;
/** jenkinsci/prometheus-plugin tag 852.v317db_5d17a_b_0 (2026-02-02; needs Jenkins ≥ 2.479.3). */
export const PROMETHEUS_PLUGIN_VERSION = "852.v317db_5d17a_b_0";

/** Plain, fully-resolved settings of HaJenkins (stack config keys are `jenkins<Field>`). */
export interface JenkinsSettings {
    /** Namespace of the release, the PVC and the admin Secret. Default "jenkins". */
    readonly namespace: string;
    /** Exact version of the `jenkins` chart from https://charts.jenkins.io. Default 5.9.53. */
    readonly chartVersion: string;
    /** Controller image; bake plugins into your own image to make restarts independent of the update center. */
    readonly imageRegistry: string;
    readonly imageRepository: string;
    /** Pinned tag (optionally `tag@sha256:…`). Default 2.568.2-jdk21, the chart's appVersion. */
    readonly imageTag: string;
    /** JENKINS_HOME size, e.g. "20Gi". Default 20Gi (the seed's size). */
    readonly storageSize: string;
    /** Replica count of the StorageClass JENKINS_HOME lives on. Default 3. */
    readonly storageClassReplicas: number;
    /** Accept a class with fewer than 3 replicas (no quorum, so no automatic fail-over). Default false. */
    readonly allowFewerReplicas: boolean;
    /** ClusterIP (port-forward only, the default) or LoadBalancer (an NLB). */
    readonly serviceType: ServiceType;
    /** Which controller builds the NLB. Default aws-load-balancer-controller (must be installed in the cluster). */
    readonly loadBalancerController: LoadBalancerController;
    /** NLB scheme. Default internal (reachable from the VPC and networks routed to it only). */
    readonly loadBalancerScheme: LoadBalancerScheme;
    /** NLB targets with the AWS Load Balancer Controller. Default instance: no target re-registration on fail-over. */
    readonly loadBalancerTargetType: LoadBalancerTargetType;
    /** Client CIDRs allowed through the NLB. Required with LoadBalancer unless allowOpenLoadBalancer. */
    readonly loadBalancerSourceRanges: readonly string[];
    /** Accept an empty source range list or 0.0.0.0/0. Default false. */
    readonly allowOpenLoadBalancer: boolean;
    /** ACM certificate ARN: the NLB terminates TLS on 443 and forwards to Jenkins' 8080. */
    readonly tlsCertificateArn?: string;
    /** The URL users reach Jenkins at (e.g. your DNS name); sets Jenkins' root URL and the `url` output. */
    readonly publicUrl?: string;
    /** Admin user name. Default "admin". */
    readonly adminUser: string;
    /** Seconds the pod stays on a not-ready/unreachable node before eviction. Default 30 (Kubernetes: 300). */
    readonly tolerationSeconds: number;
    /** Startup probe: Jenkins may take periodSeconds × failureThreshold to boot. Defaults 10 × 60 = 10 min. */
    readonly startupProbePeriodSeconds: number;
    readonly startupProbeFailureThreshold: number;
    /** Controller resources (Kubernetes quantities). Defaults 500m/2 CPU, 2Gi/4Gi memory. */
    readonly cpuRequest: string;
    readonly cpuLimit: string;
    readonly memoryRequest: string;
    readonly memoryLimit: string;
    /** PDB maxUnavailable 0: blocks node drains (and node-group updates) while set. Default false. */
    readonly blockVoluntaryDisruptions: boolean;
    /** Keep the controller image on every storage node (a DaemonSet), so a failover skips the pull. Default true. */
    readonly prePullImage: boolean;
    /** Plugins as `name:version`, all pinned. Default: the chart's four. */
    readonly plugins: readonly string[];
    /** Version of the prometheus plugin added when monitoring is on. */
    readonly prometheusPluginVersion: string;
    /** Extra JCasC documents by name (file name without .yaml); each must be a YAML mapping. */
    readonly cascConfigScripts: Readonly<Record<string, string>>;
}

export const JENKINS_DEFAULTS: JenkinsSettings = {
    namespace: "jenkins",
    chartVersion: "5.9.53",
    imageRegistry: "docker.io",
    imageRepository: "jenkins/jenkins",
    imageTag: "2.568.2-jdk21",
    storageSize: "20Gi",
    storageClassReplicas: 3,
    allowFewerReplicas: false,
    serviceType: "ClusterIP",
    // The in-tree AWS cloud provider needs no add-on; switch to the AWS Load Balancer Controller once you run it.
    loadBalancerController: "in-tree",
    loadBalancerScheme: "internal",
    loadBalancerTargetType: "instance",
    loadBalancerSourceRanges: [],
    allowOpenLoadBalancer: false,
    adminUser: "admin",
    tolerationSeconds: 30,
    startupProbePeriodSeconds: 10,
    startupProbeFailureThreshold: 60,
    cpuRequest: "500m",
    cpuLimit: "2",
    memoryRequest: "2Gi",
    memoryLimit: "4Gi",
    blockVoluntaryDisruptions: false,
    prePullImage: true,
    plugins: [...CHART_DEFAULT_PLUGINS],
    prometheusPluginVersion: PROMETHEUS_PLUGIN_VERSION,
    cascConfigScripts: {},
};

/** Maps a settings field to the key a user must fix (a stack config key or a component argument). */
export type KeyOf = (field: string) => string;

/** Fills every unset (undefined) field with its default. */
export function withJenkinsDefaults(partial: Partial<JenkinsSettings>): JenkinsSettings {
    const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
    return { ...JENKINS_DEFAULTS, ...defined } as JenkinsSettings;
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;
export const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const STORAGE_SIZE = /^([1-9]\d*)(Gi|Ti)$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(@sha256:[a-f0-9]{64})?$/;
const IMAGE_REGISTRY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?$/;
const IMAGE_REPOSITORY = /^[a-z0-9]+([._/-][a-z0-9]+)*$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const URL = /^(https?):\/\/[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?(\/\S*)?$/;
const ADMIN_USER = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
/** `name:version`, the version pinned (no `latest`, no URL, no incrementals). */
export const PLUGIN_SPEC = /^([A-Za-z0-9][A-Za-z0-9_.-]*):(\d[0-9A-Za-z._+-]*)$/;
const PLUGIN_VERSION = /^\d[0-9A-Za-z._+-]*$/;

/** A CPU quantity in cores ("500m" → 0.5), or undefined when malformed. */
export function cpuCores(q: string): number | undefined {
    const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(q);
    return m ? Number(m[1]) / (m[2] ? 1000 : 1) : undefined;
}

const MEMORY_UNITS: Record<string, number> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** A memory quantity in bytes ("2Gi"), or undefined when malformed. */
export function memoryBytes(q: string): number | undefined {
    const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|)$/.exec(q);
    return m ? Number(m[1]) * MEMORY_UNITS[m[2]] : undefined;
}

/** Seconds Jenkins may take to answer /login before the kubelet restarts it. */
export function startupBudgetSeconds(s: Pick<JenkinsSettings, "startupProbePeriodSeconds" | "startupProbeFailureThreshold">): number {
    return s.startupProbePeriodSeconds * s.startupProbeFailureThreshold;
}

function integerIn(s: JenkinsSettings, field: keyof JenkinsSettings, min: number, max: number, key: KeyOf, why: string): void {
    const v = s[field] as number;
    if (!Number.isInteger(v) || v < min || v > max) throw new ConfigError(key(field), v, `Must be a whole number from ${min} to ${max}${why}.`);
}

function validateResources(s: JenkinsSettings, key: KeyOf): void {
    const pairs = [["cpuRequest", "cpuLimit", cpuCores, '"500m" or "2"'], ["memoryRequest", "memoryLimit", memoryBytes, '"2Gi" or "512Mi"']] as const;
    for (const [requestField, limitField, parse, example] of pairs) {
        for (const field of [requestField, limitField]) {
            const value = parse(s[field]);
            if (value === undefined || value <= 0) {
                throw new ConfigError(key(field), s[field], `Use a positive Kubernetes quantity such as ${example}.`);
            }
        }
        if (parse(s[requestField])! > parse(s[limitField])!) {
            throw new ConfigError(key(requestField), s[requestField], `Must not exceed ${limitField} (${s[limitField]}).`);
        }
    }
}

function validateService(s: JenkinsSettings, key: KeyOf): void {
    for (const [field, allowed] of [["serviceType", SERVICE_TYPES], ["loadBalancerController", LOAD_BALANCER_CONTROLLERS],
        ["loadBalancerScheme", LOAD_BALANCER_SCHEMES], ["loadBalancerTargetType", LOAD_BALANCER_TARGET_TYPES]] as const) {
        if (!(allowed as readonly string[]).includes(s[field])) throw new ConfigError(key(field), s[field], `Allowed: ${allowed.join(", ")}.`);
    }
    for (const cidr of s.loadBalancerSourceRanges) {
        if (!isIpv4Cidr(cidr)) {
            throw new ConfigError(key("loadBalancerSourceRanges"), cidr, "Each entry must be an IPv4 CIDR such as 203.0.113.0/24 (no host bits set).");
        }
    }
    if (s.loadBalancerController === "in-tree" && s.loadBalancerTargetType === "ip") {
        throw new ConfigError(key("loadBalancerTargetType"), s.loadBalancerTargetType,
            `The in-tree cloud provider registers nodes only; ip targets need ${key("loadBalancerController")} aws-load-balancer-controller.`);
    }
    const loadBalancer = s.serviceType === "LoadBalancer";
    if (loadBalancer && !s.allowOpenLoadBalancer) {
        const open = s.loadBalancerSourceRanges.find(isOpenToWorld);
        if (s.loadBalancerSourceRanges.length === 0 || open !== undefined) {
            throw new ConfigError(key("loadBalancerSourceRanges"), s.loadBalancerSourceRanges,
                "Refusing a load balancer open to every address: list the CIDRs allowed to reach Jenkins, " +
                `set ${key("allowOpenLoadBalancer")} to true to accept that, or use ${key("serviceType")} ClusterIP (port-forward).`);
        }
    }
    if (s.tlsCertificateArn !== undefined) {
        if (!ACM_ARN.test(s.tlsCertificateArn)) {
            throw new ConfigError(key("tlsCertificateArn"), s.tlsCertificateArn,
                "Use an ACM certificate ARN: arn:aws:acm:<region>:<12-digit account>:certificate/<uuid>.");
        }
        if (!loadBalancer) {
            throw new ConfigError(key("tlsCertificateArn"), s.tlsCertificateArn,
                `TLS is terminated by the NLB; set ${key("serviceType")} to LoadBalancer or remove the certificate.`);
        }
    }
    if (s.publicUrl !== undefined) {
        const m = URL.exec(s.publicUrl);
        if (!m) throw new ConfigError(key("publicUrl"), s.publicUrl, "Use an absolute http(s) URL such as https://jenkins.example.com/.");
        if (s.tlsCertificateArn !== undefined && m[1] !== "https") {
            throw new ConfigError(key("publicUrl"), s.publicUrl, "With a TLS certificate the URL must start with https://.");
        }
    }
}

function validatePlugins(s: JenkinsSettings, key: KeyOf): void {
    const names = new Set<string>();
    for (const spec of s.plugins) {
        const m = PLUGIN_SPEC.exec(spec);
        if (!m) {
            throw new ConfigError(key("plugins"), spec,
                'Each plugin must be pinned as "name:version", e.g. "git:5.10.1" (no "latest", URLs or incrementals).');
        }
        if (names.has(m[1])) throw new ConfigError(key("plugins"), spec, `Plugin ${m[1]} is listed twice; keep one pinned version.`);
        names.add(m[1]);
    }
    if (!PLUGIN_VERSION.test(s.prometheusPluginVersion)) {
        throw new ConfigError(key("prometheusPluginVersion"), s.prometheusPluginVersion,
            `Pin a release of the prometheus plugin such as ${PROMETHEUS_PLUGIN_VERSION}.`);
    }
}

function validateCasc(s: JenkinsSettings, key: KeyOf): void {
    for (const [name, text] of Object.entries(s.cascConfigScripts)) {
        if (!DNS_LABEL.test(name) || name === "jcasc-default-config") {
            throw new ConfigError(key("cascConfigScripts"), name,
                'Each JCasC document name must be lowercase letters, digits and "-" (the chart makes it a file name), and not jcasc-default-config.');
        }
        let doc: unknown;
        try {
            doc = yaml.load(text);
        } catch (e) {
            throw new ConfigError(key("cascConfigScripts"), name, `Document ${name} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
        }
        if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
            throw new ConfigError(key("cascConfigScripts"), name,
                `Document ${name} must be a YAML mapping of JCasC root elements (jenkins:, credentials:, unclassified:, …).`);
        }
    }
}

/** Validates resolved settings; throws a ConfigError naming `key(field)` before anything is registered. */
export function validateJenkinsSettings(s: JenkinsSettings, key: KeyOf): void {
    if (!DNS_LABEL.test(s.namespace)) throw new ConfigError(key("namespace"), s.namespace, "Use a DNS label: lowercase letters, digits and '-', at most 63.");
    if (!EXACT_VERSION.test(s.chartVersion)) {
        throw new ConfigError(key("chartVersion"), s.chartVersion, "Pin an exact chart version such as 5.9.53 (no ranges, no 'latest').");
    }
    if (!IMAGE_REGISTRY.test(s.imageRegistry)) throw new ConfigError(key("imageRegistry"), s.imageRegistry, "Use a registry host such as docker.io.");
    if (!IMAGE_REPOSITORY.test(s.imageRepository)) throw new ConfigError(key("imageRepository"), s.imageRepository, "Use a repository path such as jenkins/jenkins.");
    if (!IMAGE_TAG.test(s.imageTag) || s.imageTag.startsWith("latest")) {
        throw new ConfigError(key("imageTag"), s.imageTag, "Pin an image tag such as 2.568.2-jdk21 (optionally @sha256:<digest>); never latest.");
    }
    if (!STORAGE_SIZE.test(s.storageSize)) {
        throw new ConfigError(key("storageSize"), s.storageSize, 'Use a positive whole size in Gi or Ti, such as "20Gi".');
    }
    if (!Number.isInteger(s.storageClassReplicas) || s.storageClassReplicas < 1) {
        throw new ConfigError(key("storageClassReplicas"), s.storageClassReplicas, "Must be a whole number ≥ 1.");
    }
    if (s.storageClassReplicas < 3 && !s.allowFewerReplicas) {
        throw new ConfigError(key("storageClassReplicas"), s.storageClassReplicas,
            "JENKINS_HOME needs 3 replicas: with fewer, DRBD has no quorum, the HA Controller cannot fail over and an AZ loss can " +
            `lose or freeze the volume. Use the 3-replica class, or set ${key("allowFewerReplicas")} to true to accept that.`);
    }
    validateService(s, key);
    if (!ADMIN_USER.test(s.adminUser)) {
        throw new ConfigError(key("adminUser"), s.adminUser, "Use 1–64 letters, digits, '_', '.', '@' or '-', starting with a letter or digit.");
    }
    integerIn(s, "tolerationSeconds", 0, 300, key, " (Kubernetes' default is 300; lower moves Jenkins off a dead node sooner)");
    integerIn(s, "startupProbePeriodSeconds", 1, 60, key, "");
    integerIn(s, "startupProbeFailureThreshold", 1, 1000, key, "");
    const budget = startupBudgetSeconds(s);
    if (budget < 60 || budget > 3600) {
        throw new ConfigError(key("startupProbeFailureThreshold"), s.startupProbeFailureThreshold,
            `startupProbePeriodSeconds × startupProbeFailureThreshold is ${budget} s; Jenkins needs 60–3600 s to boot with its plugins.`);
    }
    validateResources(s, key);
    validatePlugins(s, key);
    validateCasc(s, key);
}

/** Checks a Kubernetes object name given as an argument (StorageClass, existing PVC, Helm release). */
export function validateObjectName(field: string, value: string | undefined, key: KeyOf, kind: "label" | "subdomain" | "release"): void {
    if (value === undefined) return;
    const ok = kind === "subdomain" ? DNS_SUBDOMAIN.test(value) : DNS_LABEL.test(value) && (kind !== "release" || value.length <= 53);
    if (!ok) {
        throw new ConfigError(key(field), value, kind === "release"
            ? "A Helm release name is a DNS label of at most 53 characters."
            : "Use a Kubernetes object name: lowercase letters, digits, '-' (and '.').");
    }
}
