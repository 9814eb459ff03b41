/** Rules: jenkins volume. */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { chartName, configValue, isString, known, linstorParameter, objectName, objectNamespace, type Props } from "../props";
import { LINSTOR_PROVISIONER, ofTypes, TYPES, ZONE_TOPOLOGY_KEY } from "./shared";

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
    validateStack: (args, report) => {
        const config = args.getConfig<Record<string, unknown>>();
        const min = configValue(config, "minJenkinsReplicas", 3);
        const zoneKey = configValue(config, "zoneTopologyKey", ZONE_TOPOLOGY_KEY);
        const charts = configValue<string[]>(config, "jenkinsCharts", ["jenkins"]);
        const releases = ofTypes(args.resources, TYPES.helmRelease).filter((r) => charts.includes(chartName(known(() => r.props.chart)) ?? ""));
        if (releases.length === 0) args.notApplicable("This stack installs no Jenkins chart.");
        for (const release of releases) {
            const problem = jenkinsVolumeProblem(release, args.resources, min, zoneKey);
            if (problem) report(`Jenkins release ${known(() => release.props.name) ?? release.name}: ${problem}`, release.urn);
        }
    },
};

function jenkinsVolumeProblem(release: PolicyResource, resources: PolicyResource[], min: number, zoneKey: string): string | undefined {
    const persistence = known(() => release.props.values?.persistence) as Props | undefined;
    if (persistence === undefined && known(() => release.props.values) === undefined) return undefined; // unknown in preview
    if (persistence?.enabled === false) {
        return "persistence.enabled is false, so JENKINS_HOME lives in the pod and dies with it. Set persistence.enabled: true.";
    }
    let className: unknown = persistence?.storageClass;
    let via = "persistence.storageClass";
    if (isString(persistence?.existingClaim)) {
        const namespace = known(() => release.props.namespace);
        const claim = ofTypes(resources, TYPES.claim).find(
            (c) =>
                objectName(c.props, c.name) === persistence!.existingClaim &&
                (!isString(namespace) || objectNamespace(c.props) === undefined || objectNamespace(c.props) === namespace),
        );
        if (!claim) {
            return (
                `its existingClaim ${persistence.existingClaim} is not created by this stack, so its class cannot be checked. ` +
                "Create the claim in this program (HaJenkins does) on a 3-replica LINSTOR class."
            );
        }
        className = known(() => claim.props.spec?.storageClassName);
        via = `claim ${persistence.existingClaim}`;
    }
    if (!isString(className) || className === "-") {
        return (
            `${via} names no StorageClass, so the cluster default class (single-AZ EBS on EKS, if one is set) would hold JENKINS_HOME. ` +
            `Use the LINSTOR class with ${min} replicas, e.g. linstor-csi-lvm-thin-r${min} (ha-jenkins-eks:jenkinsStorageClassReplicas: ${min}).`
        );
    }
    const sc = ofTypes(resources, TYPES.storageClass).find((s) => objectName(s.props, s.name) === className);
    if (!sc) return `${via} uses StorageClass ${className}, which this stack does not create, so its replication cannot be checked.`;
    const provisioner = known(() => sc.props.provisioner);
    const parameters = known(() => sc.props.parameters);
    const replicas = Number(linstorParameter(parameters, "placementCount") ?? linstorParameter(parameters, "autoPlace") ?? 1);
    const spread = (linstorParameter(parameters, "replicasOnDifferent") ?? "").split(/[\s,]+/).includes(zoneKey);
    const problems: string[] = [];
    if (provisioner !== LINSTOR_PROVISIONER) problems.push(`its provisioner is ${provisioner ?? "unset"}, not ${LINSTOR_PROVISIONER}`);
    if (!(replicas >= min)) problems.push(`it places ${replicas} replica(s), fewer than ${min}`);
    if (!spread) problems.push(`it does not set replicasOnDifferent: ${zoneKey}, so replicas may share a zone`);
    if (problems.length === 0) return undefined;
    return (
        `JENKINS_HOME (${via}) uses StorageClass ${className}, but ${problems.join("; ")}. Use a LINSTOR class with ` +
        `linstor.csi.linbit.com/placementCount "${min}" and replicasOnDifferent "${zoneKey}" (the r${min} class LinstorCluster creates).`
    );
}
