/**
 * Settings of the HaJenkins component: the interface, the pinned defaults and the validation shared by
 * the stack config and the component (for library users). No resources here.
 */
import * as yaml from "js-yaml";
import { type Filled, withDefaults } from "../shared/defaults";
import {
    ARNS,
    BYTE_SUFFIXES,
    type Check,
    CPU_SUFFIXES,
    type FieldRules,
    isDnsLabel,
    type KeyOf,
    parseQuantity,
    type QuantityRule,
    validateFields,
} from "../shared/validation";

// Choices as `as const` objects (name → value): the package schema turns them into enums (analyzer.js extractEnumMembers).
/** How Jenkins' Service is reached: ClusterIP (port-forward) or LoadBalancer (an NLB). */
export const ServiceType = { ClusterIP: "ClusterIP", LoadBalancer: "LoadBalancer" } as const;
export type ServiceType = (typeof ServiceType)[keyof typeof ServiceType];
export const SERVICE_TYPES = Object.values(ServiceType);
/** NLB scheme. */
export const LoadBalancerScheme = { Internal: "internal", InternetFacing: "internet-facing" } as const;
export type LoadBalancerScheme = (typeof LoadBalancerScheme)[keyof typeof LoadBalancerScheme];
export const LOAD_BALANCER_SCHEMES = Object.values(LoadBalancerScheme);
/** NLB target type (AWS Load Balancer Controller). */
export const LoadBalancerTargetType = { Instance: "instance", Ip: "ip" } as const;
export type LoadBalancerTargetType = (typeof LoadBalancerTargetType)[keyof typeof LoadBalancerTargetType];
export const LOAD_BALANCER_TARGET_TYPES = Object.values(LoadBalancerTargetType);
/** Who turns the Service into an NLB: the AWS Load Balancer Controller add-on, or EKS's built-in cloud provider. */
export const LoadBalancerController = { AwsLoadBalancerController: "aws-load-balancer-controller", InTree: "in-tree" } as const;
export type LoadBalancerController = (typeof LoadBalancerController)[keyof typeof LoadBalancerController];
export const LOAD_BALANCER_CONTROLLERS = Object.values(LoadBalancerController);

/** The four plugins the chart pins (jenkinsci/helm-charts, charts/jenkins/values.yaml at jenkins-5.9.53). */
export const CHART_DEFAULT_PLUGINS = [
    "kubernetes:4540.v612369217f87",
    "workflow-aggregator:608.v67378e9d3db_1",
    "git:5.10.1",
    "configuration-as-code:2115.vf6de120eef70",
] as const;
/**
 * Where the controller's plugins come from (README "Plugins: installed once, or baked into an image"):
 * - `install-once`: the chart's init container downloads the pinned list into JENKINS_HOME on the first start and
 *   again only when the list or the image changes; every other start (a fail-over) downloads nothing.
 * - `image`: an image you build with the plugins in /usr/share/jenkins/ref/plugins; nothing is ever downloaded and
 *   the list is what the image must contain (checked at pod start).
 */
export const PluginSource = { InstallOnce: "install-once", Image: "image" } as const;
export type PluginSource = (typeof PluginSource)[keyof typeof PluginSource];
export const PLUGIN_SOURCES = Object.values(PluginSource);
/** jenkinsci/prometheus-plugin tag 852.v317db_5d17a_b_0 (2026-02-02; needs Jenkins ≥ 2.479.3). */
export const PROMETHEUS_PLUGIN_VERSION = "852.v317db_5d17a_b_0";

/** HaJenkins' settings as its Args take them: every field is optional (stack config keys are `jenkins<Field>`). */
export interface JenkinsInput {
    /** Namespace of the release, the PVC and the admin Secret. Default "jenkins". */
    readonly namespace?: string;
    /** Exact version of the `jenkins` chart from https://charts.jenkins.io. Default 5.9.53. */
    readonly chartVersion?: string;
    /** Controller image; with `pluginSource: image`, your image with the plugins baked in. */
    readonly imageRegistry?: string;
    readonly imageRepository?: string;
    /** Pinned tag (optionally `tag@sha256:…`). Default 2.568.2-jdk21, the chart's appVersion. */
    readonly imageTag?: string;
    /** JENKINS_HOME size, e.g. "20Gi". Default 20Gi (the 2022 reference architecture's size). */
    readonly storageSize?: string;
    /** Replica count of the StorageClass JENKINS_HOME lives on. Default 3. */
    readonly storageClassReplicas?: number;
    /** Accept a class with fewer than 3 replicas (no quorum, so no automatic fail-over). Default false. */
    readonly allowFewerReplicas?: boolean;
    /** ClusterIP (port-forward only, the default) or LoadBalancer (an NLB). */
    readonly serviceType?: ServiceType;
    /** Which controller builds the NLB. Default aws-load-balancer-controller (must be installed in the cluster). */
    readonly loadBalancerController?: LoadBalancerController;
    /** NLB scheme. Default internal (reachable from the VPC and networks routed to it only). */
    readonly loadBalancerScheme?: LoadBalancerScheme;
    /** NLB targets with the AWS Load Balancer Controller. Default instance: no target re-registration on fail-over. */
    readonly loadBalancerTargetType?: LoadBalancerTargetType;
    /** Client CIDRs allowed through the NLB. Required with LoadBalancer unless allowOpenLoadBalancer. */
    readonly loadBalancerSourceRanges?: string[];
    /** Accept an empty source range list or 0.0.0.0/0. Default false. */
    readonly allowOpenLoadBalancer?: boolean;
    /** ACM certificate ARN: the NLB terminates TLS on 443 and forwards to Jenkins' 8080. */
    readonly tlsCertificateArn?: string;
    /** The URL users reach Jenkins at (e.g. your DNS name); sets Jenkins' root URL and the `url` output. */
    readonly publicUrl?: string;
    /** Admin user name. Default "admin". */
    readonly adminUser?: string;
    /** Seconds the pod stays on a not-ready/unreachable node before eviction. Default 30 (Kubernetes: 300). */
    readonly tolerationSeconds?: number;
    /** Startup probe: Jenkins may take periodSeconds × failureThreshold to boot. Defaults 10 × 60 = 10 min. */
    readonly startupProbePeriodSeconds?: number;
    readonly startupProbeFailureThreshold?: number;
    /** Controller resources (Kubernetes quantities). Defaults 500m/2 CPU, 2Gi/4Gi memory. */
    readonly cpuRequest?: string;
    readonly cpuLimit?: string;
    readonly memoryRequest?: string;
    readonly memoryLimit?: string;
    /** PDB maxUnavailable 0: blocks node drains (and node-group updates) while set. Default false. */
    readonly blockVoluntaryDisruptions?: boolean;
    /** Keep the controller image on every storage node (a DaemonSet), so a failover skips the pull. Default true. */
    readonly prePullImage?: boolean;
    /** Where plugins come from: `install-once` (default) or `image` (baked into the controller image). */
    readonly pluginSource?: PluginSource;
    /**
     * Plugins as `name:version`, all pinned. Default: the chart's four. With `install-once` they are installed
     * (the plugins the program needs are added when missing); with `image` the image must contain them.
     */
    readonly plugins?: string[];
    /** Version of the prometheus plugin added when monitoring is on. */
    readonly prometheusPluginVersion?: string;
    /** Extra JCasC documents by name (file name without .yaml); each must be a YAML mapping. */
    readonly cascConfigScripts?: Readonly<Record<string, string>>;
}

export const JENKINS_DEFAULTS = {
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
    pluginSource: "install-once",
    plugins: [...CHART_DEFAULT_PLUGINS],
    prometheusPluginVersion: PROMETHEUS_PLUGIN_VERSION,
    cascConfigScripts: {},
} satisfies JenkinsInput;

/** Plain, fully-resolved settings of HaJenkins: every field but the two without a default is set. */
export type JenkinsSettings = Filled<JenkinsInput, typeof JENKINS_DEFAULTS>;

export type { KeyOf };

/** Fills every unset (undefined) field with its default. */
export function withJenkinsDefaults(partial: JenkinsInput): JenkinsSettings {
    return withDefaults(JENKINS_DEFAULTS, partial);
}

/** JENKINS_HOME's size: whole Gi or Ti (the RTO model and the data-pool check read it in GiB). */
export const STORAGE_SIZE: QuantityRule = { suffixes: ["Gi", "Ti"], whole: true, example: "20Gi" };
const CPU: QuantityRule = { suffixes: CPU_SUFFIXES, example: "500m" };
// At least the chart's own request (jenkins-5.9.53 values.yaml controller.resources.requests.memory: 256Mi): below it the JVM cannot start.
const MEMORY: QuantityRule = { suffixes: BYTE_SUFFIXES, example: "2Gi", min: "256Mi" };
/** User IDs Jenkins core never persists (hudson.model.User: ACL.ANONYMOUS_USERNAME, ACL.SYSTEM_USERNAME, "unknown"). */
const RESERVED_USER_IDS = ["anonymous", "system", "unknown"];
const URL = /^(https?):\/\/[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?(\/\S*)?$/;
/** `name:version`, the version pinned (no `latest`, no URL, no incrementals). */
export const PLUGIN_SPEC = /^([A-Za-z0-9][A-Za-z0-9_.-]*):(\d[0-9A-Za-z._+-]*)$/;
const PLUGIN_VERSION = /^\d[0-9A-Za-z._+-]*$/;

/** A CPU quantity in cores ("500m" → 0.5), or undefined when malformed. */
export const cpuCores = (q: string): number | undefined => parseQuantity(q, CPU_SUFFIXES);
/** A memory quantity in bytes ("2Gi"), or undefined when malformed. */
export const memoryBytes = (q: string): number | undefined => parseQuantity(q, BYTE_SUFFIXES);

/** Seconds Jenkins may take to answer /login before the kubelet restarts it. */
export function startupBudgetSeconds(s: Pick<JenkinsSettings, "startupProbePeriodSeconds" | "startupProbeFailureThreshold">): number {
    return s.startupProbePeriodSeconds * s.startupProbeFailureThreshold;
}

/** A request must fit its limit. */
function withinLimit(parse: (q: string) => number | undefined, limitField: "cpuLimit" | "memoryLimit") {
    return (v: string, c: Check, s: JenkinsSettings): void => {
        const limit = parse(s[limitField]);
        if (limit !== undefined && limit > 0 && parse(v)! > limit) c.fail(v, `Must not exceed ${limitField} (${s[limitField]}).`);
    };
}

function plugins(specs: readonly string[], c: Check): void {
    const names = new Set<string>();
    c.list(specs, (spec, entry) => {
        const m =
            PLUGIN_SPEC.exec(spec) ??
            entry.fail(spec, 'Each plugin must be pinned as "name:version", e.g. "git:5.10.1" (no "latest", URLs or incrementals).');
        // Plugin IDs are matched case-insensitively by the update center and plugin manager: Git and git are one plugin.
        if (names.has(m[1].toLowerCase())) entry.fail(spec, `Plugin ${m[1]} is listed twice; keep one pinned version.`);
        names.add(m[1].toLowerCase());
    });
}

function cascConfigScripts(scripts: Readonly<Record<string, string>>, c: Check): void {
    c.stringMap(scripts);
    for (const [name, text] of Object.entries(scripts)) {
        if (!isDnsLabel(name) || name === "jcasc-default-config") {
            c.fail(
                name,
                'Each JCasC document name must be lowercase letters, digits and "-" (the chart makes it a file name), and not jcasc-default-config.',
            );
        }
        let doc: unknown;
        try {
            doc = yaml.load(text);
        } catch (e) {
            c.fail(name, `Document ${name} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
        }
        if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
            c.fail(name, `Document ${name} must be a YAML mapping of JCasC root elements (jenkins:, credentials:, unclassified:, …).`);
        }
        // jenkins-5.9.53 templates/_helpers.tpl "jenkins.casc.defaults" (jcasc-default-config) sets both from the admin
        // Secret: a second document setting them conflicts with it (JCasC refuses conflicting sources) or replaces the login.
        const root = (doc as { jenkins?: unknown }).jenkins;
        const owned = ["securityRealm", "authorizationStrategy"].filter((k) => typeof root === "object" && root !== null && k in root);
        if (owned.length > 0) {
            c.fail(
                name,
                `Document ${name} sets jenkins.${owned.join(" and jenkins.")}, which the chart's jcasc-default-config already sets ` +
                    "(the admin login from the program's Secret): remove it from this document.",
            );
        }
    }
}

/** One rule per field: a library user and a stack user get the same checks. */
export const JENKINS_RULES: FieldRules<JenkinsSettings> = {
    namespace: (v, c) => c.namespace(v),
    chartVersion: (v, c) => c.exactVersion(v, JENKINS_DEFAULTS.chartVersion),
    imageRegistry: (v, c) => c.imageRegistry(v),
    imageRepository: (v, c) => c.imageRepository(v),
    // Jenkins numbers weeklies with two parts (2.569) and LTS releases with three (2.568.2): both are exact.
    imageTag: (v, c) => c.imageTag(v, 2),
    storageSize: (v, c) => c.quantity(v, STORAGE_SIZE),
    storageClassReplicas: (v, c, s, key) => {
        c.integer(v, { min: 1, max: 6 });
        if (v < 3 && !s.allowFewerReplicas) {
            c.fail(
                v,
                "JENKINS_HOME needs 3 replicas: with fewer, DRBD has no quorum, the HA Controller cannot fail over and an AZ loss can " +
                    `lose or freeze the volume. Use the 3-replica class, or set ${key("allowFewerReplicas")} to true to accept that.`,
            );
        }
    },
    allowFewerReplicas: (v, c) => c.boolean(v),
    serviceType: (v, c) => c.oneOf(v, SERVICE_TYPES),
    loadBalancerController: (v, c) => c.oneOf(v, LOAD_BALANCER_CONTROLLERS),
    loadBalancerScheme: (v, c) => c.oneOf(v, LOAD_BALANCER_SCHEMES),
    loadBalancerTargetType: (v, c, s, key) => {
        c.oneOf(v, LOAD_BALANCER_TARGET_TYPES);
        if (s.loadBalancerController === "in-tree" && v === "ip") {
            c.fail(
                v,
                `The in-tree cloud provider registers nodes only; ip targets need ${key("loadBalancerController")} aws-load-balancer-controller.`,
            );
        }
    },
    loadBalancerSourceRanges: (v, c, s, key) => {
        c.list(v, (cidr, entry) => entry.cidr(cidr));
        if (s.serviceType !== "LoadBalancer") {
            if (v.length > 0) {
                c.fail(v, `Only a load balancer has source ranges: remove them, or set ${key("serviceType")} to LoadBalancer.`);
            }
            return;
        }
        if (!s.allowOpenLoadBalancer && v.length === 0) {
            c.fail(
                v,
                "Refusing a load balancer open to every address: list the CIDRs allowed to reach Jenkins, " +
                    `set ${key("allowOpenLoadBalancer")} to true to accept that, or use ${key("serviceType")} ClusterIP (port-forward).`,
            );
        }
        // Judged for the whole list: 0.0.0.0/1 and 128.0.0.0/1 together are everyone too.
        c.notOpenToInternet(v, {
            allowed: s.allowOpenLoadBalancer,
            key: key("allowOpenLoadBalancer"),
            what: "Jenkins' load balancer",
            otherwise: `use ${key("serviceType")} ClusterIP: port-forward`,
        });
    },
    allowOpenLoadBalancer: (v, c) => c.boolean(v),
    tlsCertificateArn: (v, c, s, key) => {
        c.ifSet.arn(v, ARNS.acmCertificate);
        if (v !== undefined && s.serviceType !== "LoadBalancer") {
            c.fail(v, `TLS is terminated by the NLB; set ${key("serviceType")} to LoadBalancer or remove the certificate.`);
        }
    },
    publicUrl: (v, c, s) => {
        c.ifSet.matches(v, URL, "Use an absolute http(s) URL such as https://jenkins.example.com/.");
        // Jenkins appends paths to its root URL: a query or fragment would end up in the middle of every link.
        if (typeof v === "string" && /[?#]/.test(v)) c.fail(v, "Use the root URL without a query or fragment, e.g. https://jenkins.example.com/.");
        if (v !== undefined && s.tlsCertificateArn !== undefined && !v.startsWith("https://")) {
            c.fail(v, "With a TLS certificate the URL must start with https://.");
        }
    },
    adminUser: (v, c) => {
        c.matches(v, /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/, "Use 1–64 letters, digits, '_', '.', '@' or '-', starting with a letter or digit.");
        // Jenkins core refuses these IDs in any case (hudson.model.User ILLEGAL_PERSISTED_USERNAMES, isIdOrFullnameAllowed
        // compares with equalsIgnoreCase): such an admin could never be saved nor log in.
        if (typeof v === "string" && RESERVED_USER_IDS.includes(v.toLowerCase())) {
            c.fail(v, `Jenkins reserves ${RESERVED_USER_IDS.join(", ")} (in any case); choose another name, e.g. admin.`);
        }
    },
    tolerationSeconds: (v, c) =>
        c.integer(v, { min: 0, max: 300 }, "(seconds; Kubernetes' default is 300, lower moves Jenkins off a dead node sooner)"),
    startupProbePeriodSeconds: (v, c) => c.integer(v, { min: 1, max: 60 }, "(seconds)"),
    startupProbeFailureThreshold: (v, c, s) => {
        c.integer(v, { min: 1, max: 1000 });
        const budget = startupBudgetSeconds(s);
        if (budget < 60 || budget > 3600) {
            c.fail(v, `startupProbePeriodSeconds × startupProbeFailureThreshold is ${budget} s; Jenkins needs 60–3600 s to boot with its plugins.`);
        }
    },
    cpuRequest: (v, c, s) => {
        c.quantity(v, CPU);
        withinLimit(cpuCores, "cpuLimit")(v, c, s);
    },
    cpuLimit: (v, c) => c.quantity(v, CPU),
    memoryRequest: (v, c, s) => {
        c.quantity(v, MEMORY);
        withinLimit(memoryBytes, "memoryLimit")(v, c, s);
    },
    memoryLimit: (v, c) => c.quantity(v, MEMORY),
    blockVoluntaryDisruptions: (v, c) => c.boolean(v),
    prePullImage: (v, c) => c.boolean(v),
    pluginSource: (v, c, s, key) => {
        c.oneOf(v, PLUGIN_SOURCES);
        // The stock image has no plugins in ref/plugins: Jenkins would start without JCasC or the kubernetes plugin.
        if (v === "image" && s.imageRegistry === JENKINS_DEFAULTS.imageRegistry && s.imageRepository === JENKINS_DEFAULTS.imageRepository) {
            c.fail(
                v,
                `The stock ${JENKINS_DEFAULTS.imageRepository} image has no plugins baked in: build one (README "Plugins") and name it ` +
                    `with ${key("imageRegistry")}, ${key("imageRepository")} and ${key("imageTag")}, or use install-once.`,
            );
        }
    },
    plugins: (v, c) => plugins(v, c),
    prometheusPluginVersion: (v, c) => c.matches(v, PLUGIN_VERSION, `Pin a release of the prometheus plugin such as ${PROMETHEUS_PLUGIN_VERSION}.`),
    cascConfigScripts: (v, c) => cascConfigScripts(v, c),
};

/** Validates resolved settings; throws a ConfigError naming `key(field)` before anything is registered. */
export function validateJenkinsSettings(s: JenkinsSettings, key: KeyOf): void {
    validateFields(s, JENKINS_RULES, key);
}

/** What HaJenkins takes besides its settings. */
export interface HaJenkinsPlacement {
    readonly storageClassName: string;
    readonly existingClaim?: string;
    readonly releaseName: string;
    readonly monitoringEnabled?: boolean;
    readonly chartServiceMonitor?: boolean;
    readonly restoreWaitSeconds?: number;
    readonly protect?: boolean;
    readonly createNamespace?: boolean;
}

const PLACEMENT_RULES: FieldRules<HaJenkinsPlacement> = {
    storageClassName: (v, c) => c.dnsSubdomain(v),
    existingClaim: (v, c) => c.ifSet.dnsSubdomain(v),
    // The chart derives DNS labels from it (the StatefulSet's pods, the Service).
    releaseName: (v, c) => c.dnsLabel(v, { maxLength: 53, why: "a Helm release name" }),
    monitoringEnabled: (v, c) => c.ifSet.boolean(v),
    chartServiceMonitor: (v, c) => c.ifSet.boolean(v),
    restoreWaitSeconds: (v, c) => c.ifSet.integer(v, { min: 0, max: 7 * 86400 }, "(seconds)"),
    protect: (v, c) => c.ifSet.boolean(v),
    createNamespace: (v, c) => c.ifSet.boolean(v),
};

/** Validates HaJenkins' arguments besides its settings. */
export function validateJenkinsPlacement(p: HaJenkinsPlacement, key: KeyOf): void {
    validateFields(p, PLACEMENT_RULES, key);
}
