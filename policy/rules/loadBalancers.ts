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
    "grafanaLoadBalancerSourceRanges), make it internal (service.beta.kubernetes.io/aws-load-balancer-scheme: internal), " +
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
            const problem = openLoadBalancerProblem(ranges, annotations);
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
                if (svc.enabledKey !== undefined && settings?.[svc.enabledKey] !== true) continue;
                const type = settings?.[svc.typeKey] ?? (svc.enabledKey !== undefined ? "LoadBalancer" : "ClusterIP");
                if (type !== "LoadBalancer") continue;
                const problem = openLoadBalancerProblem(settings?.[svc.rangesKey] ?? svc.defaultRanges, settings?.[svc.annotationsKey]);
                if (problem) {
                    report(
                        `${where} renders an internet-facing LoadBalancer from ${svc.at}: ${problem}. ` +
                            `Set ${svc.at}.${svc.rangesKey} in the release values. ${LB_FIX}`,
                    );
                }
            }
            if (pending.length > 0) cannotJudgeYet(`${where}: ${pending.join(", ")} not known yet`);
        }
    },
};
