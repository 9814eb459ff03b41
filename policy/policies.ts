/**
 * The rules of the ha-jenkins-eks CrossGuard pack. index.ts only constructs the pack from `policies`; tests and
 * `npm run plan` import this module directly (constructing a PolicyPack starts a gRPC server).
 *
 * Self-contained on purpose: the pack is installed on its own (policy/package.json), so it imports nothing from
 * the program, and rules match resource types and properties, never our resource names. Each rule reads both
 * what a real preview shows (e.g. `aws:eks/cluster:Cluster`, subnets, node groups made by pulumi-eks/awsx) and
 * what a mocked evaluation shows (the inputs of the remote components `eks:index:Cluster`, `awsx:ec2:Vpc`).
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
    at, chartName, conditionValues, configValue, isSet, isString, isWorldCidr, known, linstorParameter, objectName,
    objectNamespace, policyStatements, Props, strings,
} from "./props";

export const LINSTOR_PROVISIONER = "linstor.csi.linbit.com";
export const ZONE_TOPOLOGY_KEY = "topology.kubernetes.io/zone";
/** CIS EKS 2.1.1: all five control-plane log types. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export const TYPES = {
    storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
    persistentVolume: "kubernetes:core/v1:PersistentVolume",
    claim: "kubernetes:core/v1:PersistentVolumeClaim",
    service: "kubernetes:core/v1:Service",
    helmRelease: "kubernetes:helm.sh/v3:Release",
    helmChartV4: "kubernetes:helm.sh/v4:Chart",
    snapshotClass: "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass",
    snapshotContent: "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent",
    eksCluster: "eks:index:Cluster",
    awsEksCluster: "aws:eks/cluster:Cluster",
    managedNodeGroup: "eks:index:ManagedNodeGroup",
    awsNodeGroup: "aws:eks/nodeGroup:NodeGroup",
    vpc: "awsx:ec2:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    buckets: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
    encryption: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    iamPolicies: ["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"],
    iamRole: "aws:iam/role:Role",
} as const;

const ofTypes = (resources: PolicyResource[], ...types: readonly string[]) => resources.filter((r) => types.includes(r.type));
const list = (items: Iterable<string>) => [...items].sort().join(", ") || "none";

// ---------------------------------------------------------------------------------------------------------------
// 1. Three availability zones
// ---------------------------------------------------------------------------------------------------------------

/**
 * Subnets (awsx VPC inputs, or real `aws:ec2/subnet:Subnet`s) and managed node groups span ≥ N AZs. A node group's
 * subnet counts as its AZ when the subnet is in the stack; otherwise (an existing VPC, or a mocked evaluation) each
 * distinct subnet counts as one zone — the program requires one private subnet per configured AZ.
 */
export const nodesSpanZones: StackValidationPolicy = {
    name: "eks-nodes-span-three-azs",
    description: "The VPC subnets and the EKS managed node groups span at least three distinct availability zones.",
    configSchema: {
        properties: {
            minAvailabilityZones: { type: "integer", minimum: 2, default: 3, description: "Fewest distinct AZs allowed." },
        },
    },
    validateStack: (args, report) => {
        const min = configValue(args.getConfig<Record<string, unknown>>(), "minAvailabilityZones", 3);
        const clusters = ofTypes(args.resources, TYPES.eksCluster, TYPES.awsEksCluster);
        const groups = ofTypes(args.resources, TYPES.managedNodeGroup, TYPES.awsNodeGroup);
        if (clusters.length === 0 && groups.length === 0) args.notApplicable("This stack has no EKS cluster.");
        const vpcZones = new Set<string>();
        const subnetZone = new Map<string, string>();
        for (const vpc of ofTypes(args.resources, TYPES.vpc)) strings(known(() => vpc.props.availabilityZoneNames)).forEach((z) => vpcZones.add(z));
        for (const subnet of ofTypes(args.resources, TYPES.subnet)) {
            const zone = known(() => subnet.props.availabilityZone) ?? known(() => subnet.props.availabilityZoneId);
            if (!isString(zone)) continue;
            vpcZones.add(zone);
            const id = known(() => subnet.props.id);
            if (isString(id)) subnetZone.set(id, zone);
        }
        const fix = `List at least ${min} zones of the region in ha-jenkins-eks:availabilityZones (or set azCount ≥ ${min}), ` +
            "one managed node group per zone: DRBD quorum and the HA Controller need a third zone to break ties.";
        const anchor = (clusters[0] ?? groups[0]).urn;
        if (vpcZones.size > 0 && vpcZones.size < min) {
            report(`The VPC's subnets span ${vpcZones.size} availability zone(s) (${list(vpcZones)}), fewer than ${min}. ${fix}`, anchor);
        }
        if (clusters.length > 0 && groups.length === 0) {
            report(`The EKS cluster has no managed node groups, so no storage node runs in any zone. ${fix}`, anchor);
            return;
        }
        const covered = new Set<string>();
        let judged = 0;
        for (const group of groups) {
            // Unknown until the VPC exists, and absent from the outputs of the pulumi-eks component itself
            // (its aws:eks/nodeGroup:NodeGroup child carries them); such groups are judged when known.
            const ids = known(() => group.props.subnetIds);
            if (!Array.isArray(ids)) continue;
            judged++;
            for (const id of strings(ids)) covered.add(subnetZone.get(id) ?? `subnet ${id}`);
        }
        if (judged > 0 && covered.size < min) {
            report(`The managed node groups run in ${covered.size} availability zone(s) (${list(covered)}), fewer than ${min}. ${fix}`, anchor);
        }
    },
};

// ---------------------------------------------------------------------------------------------------------------
// 2. Retain
// ---------------------------------------------------------------------------------------------------------------

export const storageClassRetain: ResourceValidationPolicy = {
    name: "storage-class-reclaim-retain",
    description: "Every StorageClass (above all the LINSTOR provisioner's) and PersistentVolume we create keeps its volume: reclaimPolicy Retain.",
    configSchema: {
        properties: {
            exemptStorageClasses: { type: "array", items: { type: "string" }, default: [], description: "Class names allowed to delete volumes." },
        },
    },
    validateResource: (args, report) => {
        if (args.type === TYPES.storageClass) {
            const name = objectName(args.props, args.name);
            if (configValue<string[]>(args.getConfig(), "exemptStorageClasses", []).includes(name)) return;
            const policy = args.props.reclaimPolicy;
            if (policy === "Retain") return;
            const provisioner = args.props.provisioner ?? "unknown provisioner";
            report(`StorageClass ${name} (${provisioner}) has reclaimPolicy ${policy ?? "unset, which Kubernetes treats as Delete"}: ` +
                "deleting a claim would delete its volume and every replica. Set reclaimPolicy: \"Retain\". The field is immutable, " +
                "so the class is replaced; volumes already provisioned keep their policy — patch each PersistentVolume's " +
                "spec.persistentVolumeReclaimPolicy to Retain.");
        } else if (args.type === TYPES.persistentVolume) {
            const policy = args.props.spec?.persistentVolumeReclaimPolicy;
            if (policy === undefined || policy === "Retain") return;
            report(`PersistentVolume ${objectName(args.props, args.name)} has persistentVolumeReclaimPolicy ${policy}: ` +
                "set spec.persistentVolumeReclaimPolicy: \"Retain\" so releasing its claim never deletes the data.");
        }
    },
};

export const snapshotRetain: ResourceValidationPolicy = {
    name: "volume-snapshot-retain",
    description: "Every VolumeSnapshotClass and VolumeSnapshotContent we create has deletionPolicy Retain (deleting an S3 snapshot deletes the backup).",
    validateResource: (args, report) => {
        let policy: unknown;
        if (args.type === TYPES.snapshotClass) policy = args.props.deletionPolicy;
        else if (args.type === TYPES.snapshotContent) policy = args.props.spec?.deletionPolicy;
        else return;
        if (policy === "Retain") return;
        const kind = args.type.split(":").pop();
        const where = kind === "VolumeSnapshotClass" ? "deletionPolicy" : "spec.deletionPolicy";
        report(`${kind} ${objectName(args.props, args.name)} has ${where} ${policy ?? "unset"}: deleting the Kubernetes object would ` +
            `delete the snapshot, and for linstor-csi's S3 type the backup in the bucket. Set ${where}: "Retain" ` +
            "(pruning old backups is the snapshot schedule's explicit job).");
    },
};

// ---------------------------------------------------------------------------------------------------------------
// 3. Jenkins volume
// ---------------------------------------------------------------------------------------------------------------

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
        const claim = ofTypes(resources, TYPES.claim).find((c) => objectName(c.props, c.name) === persistence!.existingClaim &&
            (!isString(namespace) || objectNamespace(c.props) === undefined || objectNamespace(c.props) === namespace));
        if (!claim) {
            return `its existingClaim ${persistence.existingClaim} is not created by this stack, so its class cannot be checked. ` +
                "Create the claim in this program (HaJenkins does) on a 3-replica LINSTOR class.";
        }
        className = known(() => claim.props.spec?.storageClassName);
        via = `claim ${persistence.existingClaim}`;
    }
    if (!isString(className) || className === "-") {
        return `${via} names no StorageClass, so the cluster default class (single-AZ EBS on EKS, if one is set) would hold JENKINS_HOME. ` +
            `Use the LINSTOR class with ${min} replicas, e.g. linstor-csi-lvm-thin-r${min} (ha-jenkins-eks:jenkinsStorageClassReplicas: ${min}).`;
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
    return `JENKINS_HOME (${via}) uses StorageClass ${className}, but ${problems.join("; ")}. Use a LINSTOR class with ` +
        `linstor.csi.linbit.com/placementCount "${min}" and replicasOnDifferent "${zoneKey}" (the r${min} class LinstorCluster creates).`;
}

// ---------------------------------------------------------------------------------------------------------------
// 4. Snapshot bucket
// ---------------------------------------------------------------------------------------------------------------

/** The bucket's region: v7's per-resource `region`, else its provider's (explicit, or the default from aws:region). */
export function regionOf(r: PolicyResource): string | undefined {
    const own = known(() => r.props.region);
    if (isString(own)) return own;
    const fromProvider = r.provider ? known(() => r.provider!.props.region) : undefined;
    return isString(fromProvider) ? fromProvider : undefined;
}

export const bucketOtherRegion: StackValidationPolicy = {
    name: "snapshot-bucket-other-region",
    description: "S3 buckets the stack creates (the LINSTOR snapshot bucket) live in a region other than the EKS cluster's.",
    configSchema: {
        properties: {
            sameRegionBuckets: { type: "array", items: { type: "string" }, default: [], description: "Bucket names allowed in the cluster's region." },
        },
    },
    validateStack: (args, report) => {
        const buckets = ofTypes(args.resources, ...TYPES.buckets);
        if (buckets.length === 0) args.notApplicable("This stack creates no S3 bucket.");
        // The launch template exists in real and mocked evaluations; aws:eks/cluster:Cluster only in real ones.
        const clusterRegions = ofTypes(args.resources, TYPES.awsEksCluster, TYPES.awsNodeGroup, TYPES.launchTemplate)
            .map(regionOf).filter(isString);
        if (clusterRegions.length === 0) args.notApplicable("This stack has no EKS cluster whose region is known.");
        const clusterRegion = clusterRegions[0];
        const allowed = configValue<string[]>(args.getConfig(), "sameRegionBuckets", []);
        for (const bucket of buckets) {
            const name = known(() => bucket.props.bucket);
            if (regionOf(bucket) !== clusterRegion || allowed.includes(name ?? "")) continue;
            report(`S3 bucket ${name ?? bucket.name} is in ${clusterRegion}, the EKS cluster's own region: one regional outage would ` +
                "take the cluster and its backups together. Create it through an aws.Provider for another region " +
                "(ha-jenkins-eks:snapshotBucketRegion), or list it in sameRegionBuckets if it holds no backups.", bucket.urn);
        }
    },
};

export const bucketProtected: StackValidationPolicy = {
    name: "snapshot-bucket-protected",
    description: "Every S3 bucket blocks public access, is versioned, is encrypted with SSE-KMS and denies requests without TLS.",
    configSchema: {
        properties: {
            allowedSseAlgorithms: { type: "array", items: { type: "string" }, default: ["aws:kms", "aws:kms:dsse"], description: "Accepted default encryption." },
        },
    },
    validateStack: (args, report) => {
        const buckets = ofTypes(args.resources, ...TYPES.buckets);
        if (buckets.length === 0) args.notApplicable("This stack creates no S3 bucket.");
        const sse = configValue<string[]>(args.getConfig(), "allowedSseAlgorithms", ["aws:kms", "aws:kms:dsse"]);
        for (const bucket of buckets) {
            const problems = bucketProblems(bucket, buckets, args.resources, sse);
            const name = known(() => bucket.props.bucket) ?? bucket.name;
            for (const problem of problems) report(`S3 bucket ${name}: ${problem}`, bucket.urn);
        }
    },
};

/** Attachments configure a bucket through `bucket` (its name/ID). Before the bucket exists that is unknown: fall back to structure. */
function attachedTo(bucket: PolicyResource, buckets: PolicyResource[], resources: PolicyResource[], types: readonly string[]): PolicyResource[] {
    const ids = new Set([known(() => bucket.props.bucket), known(() => bucket.props.id)].filter(isString));
    const siblings = buckets.filter((b) => b.parent?.urn === bucket.parent?.urn);
    return ofTypes(resources, ...types).filter((a) => {
        const target = known(() => a.props.bucket);
        if (isString(target)) return ids.has(target);
        return buckets.length === 1 || (siblings.length === 1 && a.parent?.urn === bucket.parent?.urn);
    });
}

function bucketProblems(bucket: PolicyResource, buckets: PolicyResource[], resources: PolicyResource[], sse: string[]): string[] {
    const problems: string[] = [];
    const attached = (types: readonly string[]) => attachedTo(bucket, buckets, resources, types);

    const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
    const blocks = attached([TYPES.publicAccessBlock]);
    const off = new Set(flags.filter((f) => !blocks.some((b) => known(() => b.props[f]) === true)));
    if (off.size > 0) {
        problems.push(`public access is not fully blocked (${list(off)} not true). Add an aws.s3.BucketPublicAccessBlock with ` +
            "blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.");
    }

    const statuses = attached(TYPES.versioning).map((v) => known(() => v.props.versioningConfiguration?.status));
    if (known(() => bucket.props.versioning?.enabled) === true) statuses.push("Enabled");
    if (!statuses.includes("Enabled")) {
        problems.push(`versioning is ${statuses.filter(isString)[0] ?? "off"}: a pruned or overwritten backup would be gone at once. ` +
            "Add an aws.s3.BucketVersioning with versioningConfiguration.status \"Enabled\" (and a noncurrent-version lifecycle).");
    }

    // Only the algorithm is read: the rule's KMS key ARN is unknown until the key exists.
    const perResource = attached(TYPES.encryption).map((e) =>
        known(() => (e.props.rules as Props[]).map((r) => r.applyServerSideEncryptionByDefault?.sseAlgorithm)));
    const used = [...perResource.flatMap((a) => a ?? []),
        known(() => bucket.props.serverSideEncryptionConfiguration?.rule?.applyServerSideEncryptionByDefault?.sseAlgorithm)].filter(isString);
    if (!used.some((a) => sse.includes(a)) && !perResource.includes(undefined)) {
        problems.push(`default encryption is ${used[0] ?? "not configured"}, not ${sse.join(" or ")}. Add an ` +
            "aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm \"aws:kms\", a customer-managed KMS key and bucketKeyEnabled.");
    }

    const documents = attached([TYPES.bucketPolicy]).map((p) => known(() => p.props.policy));
    if (isSet(bucket.props, "policy")) documents.push(known(() => bucket.props.policy));
    if (documents.includes(undefined)) return problems; // unknown until the bucket exists; judged after `pulumi up`
    if (!documents.some((d) => { try { return deniesInsecureTransport(d); } catch { return false; } })) {
        problems.push("no bucket policy denies requests without TLS. Add an aws.s3.BucketPolicy statement " +
            "{Effect: Deny, Principal: \"*\", Action: \"s3:*\", Resource: [bucket, bucket/*], Condition: {Bool: {\"aws:SecureTransport\": \"false\"}}}.");
    }
    return problems;
}

function deniesInsecureTransport(document: unknown): boolean {
    return policyStatements(document).some((s) => s.Effect === "Deny" &&
        strings(s.Action).some((a) => a === "*" || a.toLowerCase() === "s3:*") &&
        conditionValues(s, "Bool", "aws:SecureTransport").includes("false"));
}

// ---------------------------------------------------------------------------------------------------------------
// 5. Launch templates
// ---------------------------------------------------------------------------------------------------------------

export const launchTemplateEbsEncrypted: ResourceValidationPolicy = {
    name: "launch-template-ebs-encrypted",
    description: "Every EBS volume of a launch template is encrypted.",
    validateResource: (args, report) => {
        if (args.type !== TYPES.launchTemplate) return;
        const mappings = (args.props.blockDeviceMappings ?? []) as Props[];
        const clear = mappings.filter((m) => m.ebs !== undefined && m.ebs !== null && String(m.ebs.encrypted) !== "true")
            .map((m) => m.deviceName ?? "(unnamed device)");
        if (clear.length === 0) return;
        report(`Launch template ${args.name}: EBS volume(s) ${clear.join(", ")} are not encrypted (encrypted unset uses the account default, ` +
            "which may be off). Set ebs.encrypted: \"true\" on every block-device mapping (optionally with kmsKeyId, ha-jenkins-eks:ebsKmsKeyArn).");
    },
};

export const launchTemplateImdsV2: ResourceValidationPolicy = {
    name: "launch-template-imdsv2",
    description: "Launch templates require IMDSv2 session tokens and keep the metadata hop limit low.",
    configSchema: {
        properties: {
            maxHopLimit: { type: "integer", minimum: 1, maximum: 64, default: 2, description: "Highest httpPutResponseHopLimit allowed." },
        },
    },
    validateResource: (args, report) => {
        if (args.type !== TYPES.launchTemplate) return;
        const options = (args.props.metadataOptions ?? {}) as Props;
        if (options.httpEndpoint === "disabled") return;
        if (options.httpTokens !== "required") {
            report(`Launch template ${args.name}: metadataOptions.httpTokens is ${options.httpTokens ?? "unset (IMDSv1 allowed)"}. ` +
                "Set metadataOptions.httpTokens: \"required\" so only IMDSv2 session requests reach instance credentials.");
        }
        const max = configValue(args.getConfig<Record<string, unknown>>(), "maxHopLimit", 2);
        const hops = Number(options.httpPutResponseHopLimit ?? 1);
        if (hops > max) {
            report(`Launch template ${args.name}: metadataOptions.httpPutResponseHopLimit is ${hops}, above ${max}: containers could ` +
                "reach the node role's credentials. Use 1 (ha-jenkins-eks:imdsHopLimit), or 2 only if pods need IMDS.");
        }
    },
};

// ---------------------------------------------------------------------------------------------------------------
// 6. Load balancers
// ---------------------------------------------------------------------------------------------------------------

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

const serviceBlock = (at: string): ChartService => ({ at, typeKey: "type", rangesKey: "loadBalancerSourceRanges", annotationsKey: "annotations", defaultRanges: [] });

/** Where charts we install put their Service settings (jenkinsci/helm-charts jenkins 5.9; kube-prometheus-stack 88.5; grafana 12.11). */
export const CHART_SERVICES: Record<string, ChartService[]> = {
    // The Jenkins chart's loadBalancerSourceRanges defaults to [0.0.0.0/0].
    jenkins: [{ at: "controller", typeKey: "serviceType", rangesKey: "loadBalancerSourceRanges", annotationsKey: "serviceAnnotations", defaultRanges: ["0.0.0.0/0"] }],
    "kube-prometheus-stack": [
        serviceBlock("grafana.service"), serviceBlock("prometheus.service"), serviceBlock("alertmanager.service"),
        serviceBlock("thanosRuler.service"), { ...serviceBlock("prometheus.thanosServiceExternal"), enabledKey: "enabled" },
    ],
    grafana: [serviceBlock("service")],
};

/** Why a LoadBalancer with these settings is reachable from anywhere, or undefined when it is not. */
export function openLoadBalancerProblem(ranges: unknown, annotations: unknown): string | undefined {
    const notes = (annotations && typeof annotations === "object" ? annotations : {}) as Record<string, unknown>;
    if (String(notes[`${ANNOTATION}aws-load-balancer-internal`]).toLowerCase() === "true" ||
        notes[`${ANNOTATION}aws-load-balancer-scheme`] === "internal") return undefined;
    const cidrs = strings(ranges);
    if (cidrs.length === 0) return "it has no loadBalancerSourceRanges, so it accepts every address";
    const open = cidrs.filter(isWorldCidr);
    return open.length > 0 ? `its loadBalancerSourceRanges include ${open.join(", ")}` : undefined;
}

const LB_FIX = "List the client CIDRs in loadBalancerSourceRanges (ha-jenkins-eks:jenkinsLoadBalancerSourceRanges / " +
    "grafanaLoadBalancerSourceRanges), make it internal (service.beta.kubernetes.io/aws-load-balancer-scheme: internal), " +
    "use ClusterIP, or allow it by name in this policy's allowedOpenLoadBalancers.";

export const noOpenLoadBalancers: ResourceValidationPolicy = {
    name: "no-open-load-balancers",
    description: "No internet-facing LoadBalancer Service (ours, or one a Jenkins/monitoring chart renders) is open to 0.0.0.0/0.",
    configSchema: {
        properties: {
            allowedOpenLoadBalancers: {
                type: "array", items: { type: "string" }, default: [],
                description: "Services (\"namespace/name\" or name) or Helm releases (\"namespace/release\" or release) allowed to be open.",
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
                    report(`Helm release ${release} (${chart}) renders an internet-facing LoadBalancer from ${svc.at}: ${problem}. ` +
                        `Set ${svc.at}.${svc.rangesKey} in the release values. ${LB_FIX}`);
                }
            }
        }
    },
};

// ---------------------------------------------------------------------------------------------------------------
// 7. IAM
// ---------------------------------------------------------------------------------------------------------------

/** An action that grants everything ("*", "*:*"), or a whole service ("s3:*") unless that service is allowed. */
export function isWildcardAction(action: string, allowedServices: string[]): boolean {
    if (action === "*" || action === "*:*") return true;
    const m = /^([A-Za-z0-9-]+):\*$/.exec(action);
    return m !== null && !allowedServices.map((s) => s.toLowerCase()).includes(m[1].toLowerCase());
}

/** Statements that allow a wildcard action on every resource; Allow+NotAction/NotResource count as wildcards. */
export function wildcardStatements(document: unknown, allowedServices: string[]): string[] {
    return policyStatements(document).flatMap((s, i) => {
        if ((s.Effect ?? "Allow") !== "Allow") return [];
        const actions = strings(s.Action);
        const anyAction = s.NotAction !== undefined || actions.some((a) => isWildcardAction(a, allowedServices));
        const anyResource = s.NotResource !== undefined || strings(s.Resource).includes("*");
        if (!anyAction || !anyResource) return [];
        const what = s.NotAction !== undefined ? `NotAction ${JSON.stringify(s.NotAction)}` : `Action ${JSON.stringify(s.Action)}`;
        const where = s.NotResource !== undefined ? `NotResource ${JSON.stringify(s.NotResource)}` : "Resource \"*\"";
        return [`statement ${(s as { Sid?: string }).Sid ?? `#${i + 1}`} allows ${what} on ${where}`];
    });
}

export const iamNoWildcardAdmin: ResourceValidationPolicy = {
    name: "iam-no-wildcard-admin",
    description: "IAM policies we create never allow a wildcard action (\"*\", \"*:*\" or \"service:*\") on Resource \"*\".",
    configSchema: {
        properties: {
            allowedServiceWildcards: { type: "array", items: { type: "string" }, default: [], description: "Services whose \"<service>:*\" on \"*\" is accepted." },
        },
    },
    validateResource: (args, report) => {
        const documents: [string, unknown][] = [];
        if ((TYPES.iamPolicies as readonly string[]).includes(args.type)) documents.push(["policy", args.props.policy]);
        else if (args.type === TYPES.iamRole) {
            ((args.props.inlinePolicies ?? []) as Props[]).forEach((p, i) => documents.push([`inline policy ${p.name ?? i}`, p.policy]));
        } else return;
        const allowed = configValue<string[]>(args.getConfig(), "allowedServiceWildcards", []);
        for (const [label, document] of documents) {
            if (document === undefined || document === null || document === "") continue;
            let findings: string[];
            try {
                findings = wildcardStatements(document, allowed);
            } catch {
                report(`${args.type.split(":").pop()} ${args.name}: the ${label} document is not valid JSON, so it cannot be checked. Fix the document.`);
                continue;
            }
            if (findings.length === 0) continue;
            report(`${args.type.split(":").pop()} ${args.name}: ${label} ${findings.join("; ")} — administrator access. ` +
                "Name the actions the workload calls and scope Resource to its ARNs (see components/snapshots/iamPolicies.ts for the pattern).");
        }
    },
};

// ---------------------------------------------------------------------------------------------------------------
// 8. EKS control plane
// ---------------------------------------------------------------------------------------------------------------

export const eksControlPlaneLogging: ResourceValidationPolicy = {
    name: "eks-control-plane-logging",
    description: "EKS clusters send all five control-plane log types to CloudWatch (CIS EKS 2.1.1).",
    configSchema: {
        properties: {
            requiredLogTypes: { type: "array", items: { type: "string" }, default: CONTROL_PLANE_LOG_TYPES, description: "Log types that must be on." },
        },
    },
    validateResource: (args, report) => {
        if (args.type !== TYPES.eksCluster && args.type !== TYPES.awsEksCluster) return;
        const enabled = strings(args.props.enabledClusterLogTypes);
        const missing = configValue<string[]>(args.getConfig(), "requiredLogTypes", CONTROL_PLANE_LOG_TYPES).filter((t) => !enabled.includes(t));
        if (missing.length === 0) return;
        report(`EKS cluster ${args.name} does not log ${missing.join(", ")}: without the audit and authenticator logs nobody can ` +
            `reconstruct who changed the cluster. Set enabledClusterLogTypes: ${JSON.stringify(CONTROL_PLANE_LOG_TYPES)}.`);
    },
};

export const eksSecretsEncryption: ResourceValidationPolicy = {
    name: "eks-secrets-encryption",
    description: "EKS clusters envelope-encrypt Kubernetes Secrets with a KMS key (CIS EKS 5.3.1).",
    validateResource: (args, report) => {
        const fix = "Pass a KMS key: encryptionConfigKeyArn on eks.Cluster (LinstorCluster creates a rotating key), or " +
            "encryptionConfig {provider: {keyArn}, resources: [\"secrets\"]} on aws.eks.Cluster.";
        if (args.type === TYPES.eksCluster) {
            // Presence is enough: the ARN of a key created in the same preview is unknown.
            if (!isSet(args.props, "encryptionConfigKeyArn")) report(`EKS cluster ${args.name} stores Secrets without KMS envelope encryption. ${fix}`);
        } else if (args.type === TYPES.awsEksCluster) {
            const config = args.props.encryptionConfig as Props | undefined;
            const resources = config ? strings(known(() => config.resources)) : [];
            const keySet = config?.provider ? isSet(config.provider, "keyArn") : false;
            if (!resources.includes("secrets") || !keySet) report(`EKS cluster ${args.name} stores Secrets without KMS envelope encryption. ${fix}`);
        }
    },
};

/** Every rule, in the order the README lists them. */
export const policies = [
    nodesSpanZones,
    storageClassRetain,
    snapshotRetain,
    jenkinsVolumeReplicated,
    bucketOtherRegion,
    bucketProtected,
    launchTemplateEbsEncrypted,
    launchTemplateImdsV2,
    noOpenLoadBalancers,
    iamNoWildcardAdmin,
    eksControlPlaneLogging,
    eksSecretsEncryption,
];
