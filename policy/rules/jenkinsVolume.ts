/**
 * Rules: jenkins volume. Jenkins arrives as a Helm v3 Release or v4 Chart (judged from its values, value files
 * included) or as rendered objects (a v3 Chart renders in the program; a v4 Chart's children in a real preview):
 * a StatefulSet whose `jenkins-home` volume the chart builds (jenkinsci/helm-charts jenkins 5.9.53
 * templates/jenkins-controller-statefulset.yaml).
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
    cannotJudgeYet,
    configValue,
    hasUnknown,
    isString,
    isUnknown,
    known,
    linstorParameterValues,
    objectName,
    objectNamespace,
    type Props,
    snapshot,
} from "../props";
import { describeFiles, type HelmInstall, helmInstall, isPlainObject, opaqueAffecting } from "./helmValues";
import { LINSTOR_PROVISIONER, ofTypes, TYPES, ZONE_TOPOLOGY_KEY } from "./shared";

/** The chart's volume name for JENKINS_HOME. */
const HOME_VOLUME = "jenkins-home";

interface Ctx {
    readonly resources: PolicyResource[];
    readonly min: number;
    readonly zoneKey: string;
    readonly unknown: string[];
}

export const jenkinsVolumeReplicated: StackValidationPolicy = {
    name: "jenkins-volume-replicated",
    description: "JENKINS_HOME lives on a LINSTOR StorageClass with ≥ 3 replicas placed in different zones.",
    configSchema: {
        properties: {
            minJenkinsReplicas: { type: "integer", minimum: 1, default: 3, description: "Fewest DRBD replicas of JENKINS_HOME." },
            zoneTopologyKey: { type: "string", default: ZONE_TOPOLOGY_KEY, description: "Key replicasOnDifferent must name." },
            jenkinsCharts: { type: "array", items: { type: "string" }, default: ["jenkins"], description: "Chart names that are Jenkins." },
        },
    },
    validateStack: async (args, report) => {
        const config = args.getConfig<Record<string, unknown>>();
        const charts = configValue<string[]>(config, "jenkinsCharts", ["jenkins"]);
        const ctx: Ctx = {
            resources: args.resources,
            min: configValue(config, "minJenkinsReplicas", 3),
            zoneKey: configValue(config, "zoneTopologyKey", ZONE_TOPOLOGY_KEY),
            unknown: [],
        };
        const installs: { r: PolicyResource; install: HelmInstall }[] = [];
        for (const r of ofTypes(args.resources, TYPES.helmRelease, TYPES.helmChartV4)) {
            const install = await helmInstall(r.type, r.props, r.name);
            if (install && charts.includes(install.chart)) installs.push({ r, install });
        }
        const judged = new Set(installs.map((i) => i.r.urn));
        const rendered = ofTypes(args.resources, TYPES.statefulSet).filter((s) => homeVolume(s) !== undefined && !hasAncestor(s, judged));
        if (installs.length === 0 && rendered.length === 0) args.notApplicable("This stack installs no Jenkins chart.");
        for (const { r, install } of installs) {
            const problem = installProblem(install, ctx);
            if (problem) report(`Jenkins ${install.kind === "Helm release" ? "release" : "chart"} ${install.release}: ${problem}`, r.urn);
        }
        for (const sts of rendered) {
            const problem = renderedProblem(sts, ctx);
            if (problem) report(`Jenkins StatefulSet ${objectName(sts.props, sts.name)}: ${problem}`, sts.urn);
        }
        if (ctx.unknown.length > 0) cannotJudgeYet(`${ctx.unknown.join("; ")} not known yet; judged again at the end of pulumi up`);
    },
};

const hasAncestor = (r: PolicyResource, urns: Set<string>): boolean =>
    r.parent !== undefined && (urns.has(r.parent.urn) || hasAncestor(r.parent, urns));

/** The pod template's `jenkins-home` volume, when the StatefulSet has one. */
function homeVolume(sts: PolicyResource): Props | undefined {
    const volumes = snapshot(() => sts.props.spec?.template?.spec?.volumes);
    return Array.isArray(volumes) ? volumes.find((v) => isPlainObject(v) && v.name === HOME_VOLUME) : undefined;
}

function installProblem(install: HelmInstall, ctx: Ctx): string | undefined {
    const files = opaqueAffecting(install, /persistence/i);
    ctx.unknown.push(...files.filter((f) => f.unknown).map((f) => `Jenkins ${install.release}: ${f.source}`));
    const unreadable = files.filter((f) => !f.unknown);
    if (unreadable.length > 0) {
        return (
            `its values come partly from ${describeFiles(unreadable)}, which the pack cannot read, so where JENKINS_HOME lives cannot ` +
            "be proven. Pass the persistence settings as `values` (parse the file in the program) or as a JSON StringAsset."
        );
    }
    if (isUnknown(install.values)) {
        ctx.unknown.push(`Jenkins ${install.release}: its values`);
        return undefined;
    }
    const values = isPlainObject(install.values) ? install.values : {};
    const persistence = isPlainObject(values.persistence) ? values.persistence : {};
    if (hasUnknown(values.persistence)) {
        ctx.unknown.push(`Jenkins ${install.release}: persistence`);
        return undefined;
    }
    // The chart swaps in any volume called jenkins-home listed here for its claim (the "contains" test in the template).
    if (JSON.stringify(persistence.volumes ?? null).includes(HOME_VOLUME)) {
        return `persistence.volumes defines its own ${HOME_VOLUME} volume, which replaces the chart's claim. Remove it and keep JENKINS_HOME on the claim.`;
    }
    if (persistence.enabled === false) {
        return "persistence.enabled is false, so JENKINS_HOME lives in the pod and dies with it. Set persistence.enabled: true.";
    }
    // The chart's `if .Values.persistence.enabled` is Go template truth (the string "false" is on, 0 is off): say what is meant.
    if (persistence.enabled !== undefined && persistence.enabled !== true) {
        return `persistence.enabled is ${JSON.stringify(persistence.enabled)}, not a boolean, so whether JENKINS_HOME is kept depends on Go template truth. Set persistence.enabled: true.`;
    }
    if (isString(persistence.existingClaim)) return claimProblem(persistence.existingClaim, install.namespace, ctx);
    return classProblem(persistence.storageClass, "persistence.storageClass", ctx);
}

function renderedProblem(sts: PolicyResource, ctx: Ctx): string | undefined {
    const volume = homeVolume(sts) as Props;
    const claimName = isPlainObject(volume.persistentVolumeClaim) ? volume.persistentVolumeClaim.claimName : undefined;
    if (isUnknown(claimName)) {
        ctx.unknown.push(`Jenkins StatefulSet ${sts.name}: its claim`);
        return undefined;
    }
    if (!isString(claimName)) return `its ${HOME_VOLUME} volume is not a PersistentVolumeClaim, so JENKINS_HOME dies with the pod.`;
    return claimProblem(claimName, objectNamespace(sts.props), ctx);
}

function claimProblem(claimName: string, namespace: string | undefined, ctx: Ctx): string | undefined {
    const claim = ofTypes(ctx.resources, TYPES.claim).find(
        (c) =>
            objectName(c.props, c.name) === claimName &&
            (namespace === undefined || objectNamespace(c.props) === undefined || objectNamespace(c.props) === namespace),
    );
    if (!claim) {
        return (
            `its claim ${claimName} is not created by this stack, so its class cannot be checked. ` +
            `Create the claim in this program (HaJenkins does) on a ${ctx.min}-replica LINSTOR class.`
        );
    }
    const className = snapshot(() => claim.props.spec?.storageClassName);
    if (isUnknown(className)) {
        ctx.unknown.push(`the class of claim ${claimName}`);
        return undefined;
    }
    return classProblem(className, `claim ${claimName}`, ctx);
}

function classProblem(className: unknown, via: string, ctx: Ctx): string | undefined {
    const { min, zoneKey } = ctx;
    if (!isString(className) || className === "-") {
        return (
            `${via} names no StorageClass, so the cluster default class (single-AZ EBS on EKS, if one is set) would hold JENKINS_HOME. ` +
            `Use the LINSTOR class with ${min} replicas, e.g. linstor-csi-lvm-thin-r${min} (ha-jenkins-eks:jenkinsStorageClassReplicas: ${min}).`
        );
    }
    if (className.includes("{{"))
        return `${via} is a template (${className}) the chart renders, so its class cannot be checked. Name the class literally.`;
    const sc = ofTypes(ctx.resources, TYPES.storageClass).find((s) => objectName(s.props, s.name) === className);
    if (!sc) return `${via} uses StorageClass ${className}, which this stack does not create, so its replication cannot be checked.`;
    const provisioner = known(() => sc.props.provisioner);
    const parameters = known(() => sc.props.parameters);
    // A parameter spelled twice (placementCount and autoPlace, or two casings) may resolve either way: take the worst.
    const values = (...keys: string[]) => keys.flatMap((k) => linstorParameterValues(parameters, k));
    const counts = values("placementCount", "autoPlace").map(Number);
    const replicas = counts.length > 0 ? Math.min(...counts) : 1;
    const differents = values("replicasOnDifferent");
    const spread = differents.length > 0 && differents.every((v) => v.split(/[\s,]+/).includes(zoneKey));
    const problems: string[] = [];
    // linstor-csi v1.11.3 pkg/volume/parameter.go:327-333: a nodeList or clientList zeroes placementCount, clears
    // replicasOnDifferent and switches to Manual placement, which creates replicas only on the listed nodes; the
    // pack cannot tell which zones those nodes are in, so any list fails. Manual without a list places nothing.
    const manual = ["nodeList", "clientList"].filter((k) => values(k).some((v) => v.trim() !== ""));
    if (manual.length > 0) {
        problems.push(
            `it sets ${manual.join(" and ")}, which makes linstor-csi place replicas by hand on the named nodes and drop placementCount ` +
                "and replicasOnDifferent, so neither the replica count nor the zone spread holds; remove it",
        );
    }
    const policy = values("placementPolicy").find((p) => !["autoplacetopology", "autoplace"].includes(p.toLowerCase()));
    // AutoPlaceTopology (the default) and AutoPlace leave placement to LINSTOR's autoplacer and the resource group's
    // placementCount/replicasOnDifferent; FollowTopology assigns replicas to the pod's preferred segments first
    // (pkg/topology/scheduler/followtopology/follow_topology.go:47) and Balanced never reads placementCount
    // (balancer/balancer.go); Manual places only listed nodes (pkg/client/linstor.go schedulerByPlacementPolicy).
    if (policy !== undefined) {
        problems.push(`its placementPolicy is ${policy}, not AutoPlaceTopology, so LINSTOR's autoplacer does not place the replicas across zones`);
    }
    if (provisioner !== LINSTOR_PROVISIONER) problems.push(`its provisioner is ${provisioner ?? "unset"}, not ${LINSTOR_PROVISIONER}`);
    if (!(replicas >= min)) problems.push(`it places ${replicas} replica(s), fewer than ${min}`);
    if (!spread) problems.push(`it does not set replicasOnDifferent: ${zoneKey}, so replicas may share a zone`);
    if (problems.length === 0) return undefined;
    return (
        `JENKINS_HOME (${via}) uses StorageClass ${className}, but ${problems.join("; ")}. Use a LINSTOR class with ` +
        `linstor.csi.linbit.com/placementCount "${min}" and replicasOnDifferent "${zoneKey}" (the r${min} class LinstorCluster creates).`
    );
}
