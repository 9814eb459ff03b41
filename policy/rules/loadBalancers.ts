/** Rules: load balancers. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { at, chartName, configValue, isString, isWorldCidr, objectName, objectNamespace, type Props, strings } from "../props";
import { TYPES } from "./shared";

const ANNOTATION = "service.beta.kubernetes.io/";

interface ChartService {
    /** Values path of the service block. */
    readonly at: string;
    readonly typeKey: string;
    readonly rangesKey: string;
    readonly annotationsKey: string;
    /** The chart's default source ranges when the value is unset. */
    readonly defaultRanges: string[];
    /** For services that only exist when switched on (default type LoadBalancer). */
    readonly enabledKey?: string;
}

const serviceBlock = (at: string): ChartService => ({
    at,
    typeKey: "type",
    rangesKey: "loadBalancerSourceRanges",
    annotationsKey: "annotations",
    defaultRanges: [],
});

/** Where charts we install put their Service settings (jenkinsci/helm-charts jenkins 5.9; kube-prometheus-stack 88.5; grafana 12.11). */
export const CHART_SERVICES: Record<string, ChartService[]> = {
    // The Jenkins chart's loadBalancerSourceRanges defaults to [0.0.0.0/0].
    jenkins: [
        {
            at: "controller",
            typeKey: "serviceType",
            rangesKey: "loadBalancerSourceRanges",
            annotationsKey: "serviceAnnotations",
            defaultRanges: ["0.0.0.0/0"],
        },
    ],
    "kube-prometheus-stack": [
        serviceBlock("grafana.service"),
        serviceBlock("prometheus.service"),
        serviceBlock("alertmanager.service"),
        serviceBlock("thanosRuler.service"),
        { ...serviceBlock("prometheus.thanosServiceExternal"), enabledKey: "enabled" },
    ],
    grafana: [serviceBlock("service")],
};

/** Why a LoadBalancer with these settings is reachable from anywhere, or undefined when it is not. */
export function openLoadBalancerProblem(ranges: unknown, annotations: unknown): string | undefined {
    const notes = (annotations && typeof annotations === "object" ? annotations : {}) as Record<string, unknown>;
    if (
        String(notes[`${ANNOTATION}aws-load-balancer-internal`]).toLowerCase() === "true" ||
        notes[`${ANNOTATION}aws-load-balancer-scheme`] === "internal"
    )
        return undefined;
    const cidrs = strings(ranges);
    if (cidrs.length === 0) return "it has no loadBalancerSourceRanges, so it accepts every address";
    const open = cidrs.filter(isWorldCidr);
    return open.length > 0 ? `its loadBalancerSourceRanges include ${open.join(", ")}` : undefined;
}

const LB_FIX =
    "List the client CIDRs in loadBalancerSourceRanges (ha-jenkins-eks:jenkinsLoadBalancerSourceRanges / " +
    "grafanaLoadBalancerSourceRanges), make it internal (service.beta.kubernetes.io/aws-load-balancer-scheme: internal), " +
    "use ClusterIP, or allow it by name in this policy's allowedOpenLoadBalancers.";

export const noOpenLoadBalancers: ResourceValidationPolicy = {
    name: "no-open-load-balancers",
    description: "No internet-facing LoadBalancer Service (ours, or one a Jenkins/monitoring chart renders) is open to 0.0.0.0/0.",
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
    validateResource: (args, report) => {
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
            const problem = openLoadBalancerProblem(ranges, annotations);
            if (problem) report(`LoadBalancer Service ${name} is open to the internet: ${problem}. ${LB_FIX}`);
        } else if (args.type === TYPES.helmRelease || args.type === TYPES.helmChartV4) {
            const chart = chartName(args.props.chart) ?? "";
            const release = isString(args.props.name) ? args.props.name : args.name;
            if (!CHART_SERVICES[chart] || isAllowed(release, isString(args.props.namespace) ? args.props.namespace : undefined)) return;
            const values = (args.props.values ?? {}) as Props;
            for (const svc of CHART_SERVICES[chart]) {
                const block = at(values, svc.at) as Props | undefined;
                if (svc.enabledKey !== undefined && block?.[svc.enabledKey] !== true) continue;
                const type = block?.[svc.typeKey] ?? (svc.enabledKey !== undefined ? "LoadBalancer" : "ClusterIP");
                if (type !== "LoadBalancer") continue;
                const problem = openLoadBalancerProblem(block?.[svc.rangesKey] ?? svc.defaultRanges, block?.[svc.annotationsKey]);
                if (problem) {
                    report(
                        `Helm release ${release} (${chart}) renders an internet-facing LoadBalancer from ${svc.at}: ${problem}. ` +
                            `Set ${svc.at}.${svc.rangesKey} in the release values. ${LB_FIX}`,
                    );
                }
            }
        }
    },
};
