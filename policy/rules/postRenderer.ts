/**
 * Rule: no Helm install pipes its rendered manifests through a post-renderer. The rules that judge charts read their
 * values (helmValues.ts); a post-renderer rewrites what those values rendered — a class to Delete, a claim to gp2, a
 * Service to an open load balancer — where no rule can see it. `@pulumi/kubernetes` 4.34 names it `postrender` (a
 * command, helm/v3/release.d.ts) on a v3 Release and `postRenderer` ({command, args}, helm/v4/chart.d.ts) on a v4 Chart.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configValue, isUnknown, snapshot } from "../props";
import { helmInstall, isTrusted } from "./helmValues";

export const helmNoPostRenderer: ResourceValidationPolicy = {
    name: "helm-no-post-renderer",
    description: "No Helm v3 Release or v4 Chart sets a post-renderer: it rewrites the rendered objects the other rules judge by the chart's values.",
    configSchema: {
        properties: {
            trustedPostRenderers: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Helm releases (namespace/release or release) whose post-renderer you checked.",
            },
        },
    },
    validateResource: async (args, report) => {
        const install = await helmInstall(args.type, args.props, args.name);
        if (install === undefined) return;
        const key = install.kind === "Helm release" ? "postrender" : "postRenderer";
        const value = snapshot(() => args.props[key]);
        // An empty v3 `postrender` string means none (the provider runs it only when set).
        if (value === undefined || value === null || value === "") return;
        if (isTrusted(install, configValue<string[]>(args.getConfig(), "trustedPostRenderers", []))) return;
        const shown = isUnknown(value) ? "a command unknown during preview" : JSON.stringify(value);
        report(
            `${install.kind} ${install.release} (chart ${install.chart || "?"}) sets ${key} ${shown}: the pack judges the chart by its ` +
                "values and cannot see what the post-renderer makes of the rendered objects. Express the change in values, " +
                "render the chart in the program (a v3 Chart or YAML objects), or name the release in this policy's trustedPostRenderers once you have checked the command.",
        );
    },
};
