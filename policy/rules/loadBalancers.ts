/** Rules: load balancers. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { at, cannotJudgeYet, configValue, hasUnknown, objectName, objectNamespace, type Props, strings } from "../props";
import { exposure } from "./cidr";
import { describeFiles, helmInstall, isPlainObject, opaqueAffecting } from "./helmValues";
import { TYPES } from "./shared";

/** Words a values file must contain to render an internet-facing Service (a LoadBalancer type, or Thanos' external one). */
const LB_WORDS = /LoadBalancer|thanosServiceExternal/;

const ANNOTATION = "service.beta.kubernetes.io/";

interface ChartService {
    /** Values path of the service block. */
    readonly at: string;
    readonly typeKey: string;
    readonly rangesKey: string;
    readonly annotationsKey: string;
    /** The chart's default source ranges when the value is unset. */
    readonly defaultRanges: string[];
    /** The switch, in the block, of a service that exists only when on. */
    readonly enabledKey?: string;
    /** Whether the switch is on when unset. */
    readonly onByDefault?: boolean;
    /** The type when the block sets none (ClusterIP unless said). */
    readonly defaultType?: string;
}

const serviceBlock = (at: string): ChartService => ({
    at,
    typeKey: "type",
    rangesKey: "loadBalancerSourceRanges",
    annotationsKey: "annotations",
    defaultRanges: [],
});

/** A values path rendering no source ranges: such a LoadBalancer always admits every address. */
const NO_RANGES = "";

/**
 * Where charts we install put their Service settings. jenkinsci/helm-charts jenkins 5.9.53 (templates/jenkins-controller-svc.yaml,
 * jenkins-agent-svc.yaml: the agent listener is on by default, agentListenerLoadBalancerSourceRanges defaults to
 * [0.0.0.0/0] in values.yaml:355); kube-prometheus-stack 88.5.3 values.yaml and its subcharts kube-state-metrics 8.4.0
 * and prometheus-node-exporter 4.56.1 (whose templates/service.yaml renders no loadBalancerSourceRanges); grafana 12.11.
 */
export const CHART_SERVICES: Record<string, ChartService[]> = {
    jenkins: [
        {
            at: "controller",
            typeKey: "serviceType",
            rangesKey: "loadBalancerSourceRanges",
            annotationsKey: "serviceAnnotations",
            defaultRanges: ["0.0.0.0/0"],
        },
        {
            at: "controller",
            typeKey: "agentListenerServiceType",
            rangesKey: "agentListenerLoadBalancerSourceRanges",
            annotationsKey: "agentListenerServiceAnnotations",
            defaultRanges: ["0.0.0.0/0"],
            enabledKey: "agentListenerEnabled",
            onByDefault: true,
        },
    ],
    "kube-prometheus-stack": [
        serviceBlock("grafana.service"),
        serviceBlock("prometheus.service"),
        serviceBlock("alertmanager.service"),
        serviceBlock("thanosRuler.service"),
        { ...serviceBlock("prometheus.thanosServiceExternal"), enabledKey: "enabled", defaultType: "LoadBalancer" },
        { ...serviceBlock("prometheus.servicePerReplica"), enabledKey: "enabled" },
        { ...serviceBlock("alertmanager.servicePerReplica"), enabledKey: "enabled" },
        serviceBlock("prometheusOperator.service"),
        serviceBlock("prometheusOperator.admissionWebhooks.deployment.service"),
        serviceBlock("kube-state-metrics.service"),
        { ...serviceBlock("prometheus-node-exporter.service"), rangesKey: NO_RANGES },
    ],
    grafana: [serviceBlock("service")],
    "kube-state-metrics": [serviceBlock("service")],
    "prometheus-node-exporter": [{ ...serviceBlock("service"), rangesKey: NO_RANGES }],
};

/** The AWS Load Balancer Controller's own class (aws-load-balancer-controller pkg/config/service_config.go). */
export const AWS_LBC_CLASS = "service.k8s.aws/nlb";

/**
 * Whether an AWS load balancer for this Service is internal, as the controller that provisions it decides.
 * The AWS Load Balancer Controller owns a Service with its loadBalancerClass, `aws-load-balancer-type: nlb-ip`, or
 * `external` with `aws-load-balancer-nlb-target-type` ip/instance (pkg/service/service_utils.go IsServiceSupported);
 * it reads `aws-load-balancer-scheme` first, then `aws-load-balancer-internal` as a Go bool
 * (model_build_load_balancer.go buildLoadBalancerSchemeViaAnnotation). Every other Service goes to EKS's cloud
 * controller (kubernetes/cloud-provider-aws pkg/providers/v1/aws.go EnsureLoadBalancer), which ignores the scheme
 * annotation and makes the LB internal when `aws-load-balancer-internal` is set to anything but "false" or "".
 * The controller's default scheme (a flag) is not assumed.
 */
export function isInternalLoadBalancer(annotations: unknown, loadBalancerClass?: unknown): boolean {
    const notes = (annotations && typeof annotations === "object" ? annotations : {}) as Record<string, unknown>;
    const note = (key: string) => {
        const v = notes[`${ANNOTATION}${key}`];
        return v === undefined || v === null ? undefined : String(v);
    };
    const type = note("aws-load-balancer-type");
    const ownedByLbc =
        loadBalancerClass === AWS_LBC_CLASS ||
        type === "nlb-ip" ||
        (type === "external" && ["ip", "instance"].includes(note("aws-load-balancer-nlb-target-type") ?? ""));
    const internal = note("aws-load-balancer-internal");
    if (ownedByLbc) {
        const scheme = note("aws-load-balancer-scheme");
        if (scheme !== undefined) return scheme === "internal";
        return ["1", "t", "T", "true", "TRUE", "True"].includes(internal ?? "");
    }
    // Another class belongs to a controller the pack does not know: only its source ranges count.
    if (loadBalancerClass !== undefined && loadBalancerClass !== null) return false;
    return internal !== undefined && internal !== "" && internal !== "false";
}

/** Why a LoadBalancer with these settings is reachable from anywhere, or undefined when it is not. */
export function openLoadBalancerProblem(ranges: unknown, annotations: unknown, loadBalancerClass?: unknown): string | undefined {
    if (isInternalLoadBalancer(annotations, loadBalancerClass)) return undefined;
    const cidrs = strings(ranges).filter((c) => c.trim() !== "");
    if (cidrs.length === 0) return "it has no loadBalancerSourceRanges, so it accepts every address";
    // Judged by what the whole list covers: 0.0.0.0/1 plus 128.0.0.0/1 is as open as 0.0.0.0/0.
    const { open, invalid } = exposure(cidrs);
    if (open) return `its loadBalancerSourceRanges are open to the internet: ${open}`;
    return invalid.length > 0
        ? `its loadBalancerSourceRanges has entries that are not CIDRs (${invalid.join(", ")}), so its exposure cannot be judged`
        : undefined;
}

const LB_FIX =
    "List the client CIDRs in loadBalancerSourceRanges (ha-jenkins-eks:jenkinsLoadBalancerSourceRanges / " +
    'grafanaLoadBalancerSourceRanges), make it internal (service.beta.kubernetes.io/aws-load-balancer-internal: "true", which ' +
    "EKS's cloud controller honours; aws-load-balancer-scheme: internal counts only on a Service the AWS Load Balancer " +
    "Controller owns: loadBalancerClass service.k8s.aws/nlb, or aws-load-balancer-type nlb-ip or external with an nlb-target-type), " +
    "use ClusterIP, or allow it by name in this policy's allowedOpenLoadBalancers.";

export const noOpenLoadBalancers: ResourceValidationPolicy = {
    name: "no-open-load-balancers",
    description:
        "No internet-facing LoadBalancer Service (ours, or one a Jenkins/monitoring chart renders) is open to the internet, judged by what its whole list of source ranges covers.",
    configSchema: {
        properties: {
            allowedOpenLoadBalancers: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: 'Services ("namespace/name" or name) or Helm releases ("namespace/release" or release) allowed to be open.',
            },
        },
    },
    validateResource: async (args, report) => {
        const allowed = configValue<string[]>(args.getConfig(), "allowedOpenLoadBalancers", []);
        const isAllowed = (name: string, namespace?: string) =>
            allowed.includes(name) || allowed.includes(args.name) || (namespace !== undefined && allowed.includes(`${namespace}/${name}`));
        if (args.type === TYPES.service) {
            const spec = (args.props.spec ?? {}) as Props;
            if (spec.type !== "LoadBalancer") return;
            const name = objectName(args.props, args.name);
            if (isAllowed(name, objectNamespace(args.props))) return;
            const annotations = args.props.metadata?.annotations ?? {};
            const ranges = spec.loadBalancerSourceRanges ?? String(annotations[`${ANNOTATION}load-balancer-source-ranges`] ?? "").split(",");
            const problem = openLoadBalancerProblem(ranges, annotations, spec.loadBalancerClass);
            if (problem) report(`LoadBalancer Service ${name} is open to the internet: ${problem}. ${LB_FIX}`);
        } else {
            const install = await helmInstall(args.type, args.props, args.name);
            if (!install || !CHART_SERVICES[install.chart] || isAllowed(install.release, install.namespace)) return;
            const where = `${install.kind} ${install.release} (${install.chart})`;
            const files = opaqueAffecting(install, LB_WORDS);
            if (files.some((f) => !f.unknown)) {
                report(
                    `${where} takes values from ${describeFiles(files.filter((f) => !f.unknown))}, which the pack cannot read, so it ` +
                        `cannot prove the chart renders no open load balancer. Pass them as \`values\`. ${LB_FIX}`,
                );
            }
            const pending = files.filter((f) => f.unknown).map((f) => f.source);
            for (const svc of CHART_SERVICES[install.chart]) {
                const block = at(install.values, svc.at);
                if (hasUnknown(block)) {
                    pending.push(`${svc.at} values`);
                    continue;
                }
                const settings = isPlainObject(block) ? block : undefined;
                if (svc.enabledKey !== undefined) {
                    // Go templates' `if`: false, 0, "" and null are off; anything else (the string "false" too) is on.
                    const on = settings?.[svc.enabledKey];
                    if (on === undefined ? !svc.onByDefault : on === false || on === 0 || on === "" || on === null) continue;
                }
                const type = settings?.[svc.typeKey] ?? svc.defaultType ?? "ClusterIP";
                if (type !== "LoadBalancer") continue;
                const ranges = svc.rangesKey === NO_RANGES ? [] : (settings?.[svc.rangesKey] ?? svc.defaultRanges);
                const problem = openLoadBalancerProblem(ranges, settings?.[svc.annotationsKey]);
                if (problem) {
                    report(
                        `${where} renders an internet-facing LoadBalancer from ${svc.at}: ${problem}. ` +
                            (svc.rangesKey === NO_RANGES
                                ? `The chart renders no source ranges there: set ${svc.at}.${svc.typeKey} to ClusterIP or make it internal. `
                                : `Set ${svc.at}.${svc.rangesKey} in the release values. `) +
                            LB_FIX,
                    );
                }
            }
            if (pending.length > 0) cannotJudgeYet(`${where}: ${pending.join(", ")} not known yet`);
        }
    },
};
