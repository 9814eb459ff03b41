import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import type { RecordedResource } from "../../policy/offline";
import * as P from "../../policy/policies";
import { loadConfig } from "../../stacks/config";
import { deployDr } from "../../stacks/dr";
import { deployPrimary } from "../../stacks/primary";
import { stackConfig as shippedStack } from "../support/stacks";
import { resetRecords, settle, stackOutputs, useStack, valueOf } from "../support/mocks";
import { cloneRecords, crossGuardViolations, evaluate, notApplicable, packViolations, provider, resource, violations } from "../support/policyHarness";

/** What a preview sends for values not known yet (@pulumi/policy proxy.ts sentinels). */
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";
const T = P.TYPES;
const ROOT = path.resolve(__dirname, "..", "..");

const cluster = (props: Record<string, unknown> = {}) => resource(T.eksCluster, {
    enabledClusterLogTypes: P.CONTROL_PLANE_LOG_TYPES, encryptionConfigKeyArn: "arn:aws:kms:us-west-2:123456789012:key/k", ...props,
});
const vpc = (zones: string[]) => resource(T.vpc, { availabilityZoneNames: zones });
const nodeGroup = (subnets: unknown, type: string = T.managedNodeGroup) => resource(type, { subnetIds: subnets });
const launchTemplate = (props: Record<string, unknown> = {}) => resource(T.launchTemplate, {
    blockDeviceMappings: [
        { deviceName: "/dev/xvda", ebs: { volumeSize: 50, encrypted: "true" } },
        { deviceName: "/dev/sdf", ebs: { volumeSize: 100, encrypted: "true" } },
    ],
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
    ...props,
});
const storageClass = (name: string, props: Record<string, unknown> = {}, parameters: Record<string, string> = {}) => resource(T.storageClass, {
    metadata: { name },
    provisioner: P.LINSTOR_PROVISIONER,
    reclaimPolicy: "Retain",
    parameters: { "linstor.csi.linbit.com/placementCount": "3", "linstor.csi.linbit.com/replicasOnDifferent": P.ZONE_TOPOLOGY_KEY, ...parameters },
    ...props,
});

describe("policy pack", () => {
    it("has uniquely named, described rules and a pack that only constructs them", () => {
        const names = P.policies.map((p) => p.name);
        expect(new Set(names).size).to.equal(names.length);
        for (const p of P.policies) expect(p.description.length, p.name).to.be.greaterThan(20);
        const index = fs.readFileSync(path.join(ROOT, "policy/index.ts"), "utf8");
        expect(index).to.match(/new PolicyPack\("ha-jenkins-eks", \{ policies, enforcementLevel: "mandatory" \}\)/);
    });

    it("is self-contained and pins the same SDK as the program", () => {
        const files = ["policies.ts", "props.ts", "index.ts", ...fs.readdirSync(path.join(ROOT, "policy/rules")).map((f) => `rules/${f}`)];
        expect(files).to.include("rules/zones.ts");
        for (const file of files) {
            const imports = [...fs.readFileSync(path.join(ROOT, "policy", file), "utf8").matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
            // Only the policy SDK and the pack's own files (./ or, from rules/, ../props).
            for (const i of imports) expect(/^(@pulumi\/policy|\.\/|\.\.\/props$)/.test(i), `${file}: ${i}`).to.equal(true);
        }
        const pack = JSON.parse(fs.readFileSync(path.join(ROOT, "policy/package.json"), "utf8"));
        const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        expect(pack.version).to.match(/^\d+\.\d+\.\d+$/);
        expect(pack.dependencies["@pulumi/pulumi"]).to.equal(root.dependencies["@pulumi/pulumi"]);
        expect(pack.dependencies["@pulumi/policy"]).to.equal(root.devDependencies["@pulumi/policy"]);
        const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "policy/package-lock.json"), "utf8"));
        expect(lock.packages["node_modules/@pulumi/policy"].version).to.equal("1.21.0");
    });
});

describe("eks-nodes-span-three-azs", () => {
    const rule = P.nodesSpanZones;
    const zones = ["us-west-2a", "us-west-2b", "us-west-2c"];

    it("passes one node group per subnet of a three-zone VPC (mocked component inputs)", async () => {
        expect(await violations(rule, [cluster(), vpc(zones), ...[0, 1, 2].map((i) => nodeGroup([`subnet-${i}`]))])).to.deep.equal([]);
    });

    it("fails a two-zone VPC with two node groups, saying what to set", async () => {
        const found = await violations(rule, [cluster(), vpc(zones.slice(0, 2)), nodeGroup(["subnet-0"]), nodeGroup(["subnet-1"])]);
        expect(found).to.have.length(2);
        expect(found[0]).to.match(/subnets span 2 availability zone\(s\) \(us-west-2a, us-west-2b\), fewer than 3/);
        expect(found[1]).to.match(/node groups run in 2 availability zone/);
        expect(found[1]).to.match(/ha-jenkins-eks:availabilityZones/);
    });

    it("fails node groups that all sit in one subnet", async () => {
        const found = await violations(rule, [cluster(), vpc(zones), ...[0, 1, 2].map(() => nodeGroup(["subnet-0"]))]);
        expect(found.join()).to.match(/node groups run in 1 availability zone/);
    });

    it("maps real subnets to their zones (preview/update shape) and fails two zones", async () => {
        const subnets = [["subnet-a1", "us-west-2a"], ["subnet-a2", "us-west-2a"], ["subnet-b", "us-west-2b"], ["subnet-c", "us-west-2c"]]
            .map(([id, az]) => resource(T.subnet, { id, availabilityZone: az }));
        const groups = [["subnet-a1"], ["subnet-a2"], ["subnet-b"]].map((s) => nodeGroup(s, T.awsNodeGroup));
        const found = await violations(rule, [resource(T.awsEksCluster, {}), ...subnets, ...groups]);
        expect(found).to.have.length(1);
        expect(found[0]).to.match(/2 availability zone\(s\) \(us-west-2a, us-west-2b\)/);
        groups[1] = nodeGroup(["subnet-c"], T.awsNodeGroup);
        expect(await violations(rule, [resource(T.awsEksCluster, {}), ...subnets, ...groups])).to.deep.equal([]);
    });

    it("does not fail node groups whose subnets are unknown during a preview; judges the VPC meanwhile", async () => {
        const unknownGroups = [0, 1, 2].map(() => nodeGroup(UNKNOWN_ARRAY));
        expect(await violations(rule, [cluster(), vpc(zones), ...unknownGroups])).to.deep.equal([]);
        expect((await violations(rule, [cluster(), vpc(zones.slice(0, 1)), ...unknownGroups])).join()).to.match(/span 1 availability zone/);
    });

    it("fails a cluster without node groups, honours minAvailabilityZones, and is not applicable without a cluster", async () => {
        expect((await violations(rule, [cluster(), vpc(zones)])).join()).to.match(/no managed node groups/);
        const four = await violations(rule, [cluster(), vpc(zones), ...[0, 1, 2].map((i) => nodeGroup([`subnet-${i}`]))],
            { config: { [rule.name]: { minAvailabilityZones: 4 } } });
        expect(four).to.have.length(2);
        expect(await notApplicable(rule, [vpc(zones)])).to.equal(true);
    });
});

describe("storage-class-reclaim-retain", () => {
    const rule = P.storageClassRetain;

    it("passes Retain classes and PVs without a Delete policy", async () => {
        expect(await violations(rule, [storageClass("r3"), resource(T.persistentVolume, { spec: {} })])).to.deep.equal([]);
    });

    it("fails Delete and unset reclaim policies, naming the class and the fix", async () => {
        const found = await violations(rule, [
            storageClass("linstor-r3", { reclaimPolicy: "Delete" }),
            storageClass("gp3", { reclaimPolicy: undefined, provisioner: "ebs.csi.aws.com" }),
            resource(T.persistentVolume, { metadata: { name: "pv-1" }, spec: { persistentVolumeReclaimPolicy: "Delete" } }),
        ]);
        expect(found).to.have.length(3);
        expect(found[0]).to.match(/StorageClass linstor-r3 \(linstor\.csi\.linbit\.com\) has reclaimPolicy Delete.*Set reclaimPolicy: "Retain"/);
        expect(found[1]).to.match(/gp3 \(ebs\.csi\.aws\.com\) has reclaimPolicy unset, which Kubernetes treats as Delete/);
        expect(found[2]).to.match(/PersistentVolume pv-1 .*persistentVolumeReclaimPolicy: "Retain"/);
    });

    it("lets policy config exempt a class by name", async () => {
        const records = [storageClass("scratch", { reclaimPolicy: "Delete" })];
        expect(await violations(rule, records, { config: { [rule.name]: { exemptStorageClasses: ["scratch"] } } })).to.deep.equal([]);
    });
});

describe("volume-snapshot-retain", () => {
    const rule = P.snapshotRetain;
    const snapshotClass = (deletionPolicy?: string) => resource(T.snapshotClass, { metadata: { name: "linstor-csi-s3" }, driver: P.LINSTOR_PROVISIONER, deletionPolicy });

    it("passes Retain classes and contents", async () => {
        expect(await violations(rule, [snapshotClass("Retain"), resource(T.snapshotContent, { spec: { deletionPolicy: "Retain" } })])).to.deep.equal([]);
    });

    it("fails Delete on a class and on a pre-provisioned content", async () => {
        const found = await violations(rule, [snapshotClass("Delete"),
            resource(T.snapshotContent, { metadata: { name: "restore" }, spec: { deletionPolicy: "Delete" } })]);
        expect(found).to.have.length(2);
        expect(found[0]).to.match(/VolumeSnapshotClass linstor-csi-s3 has deletionPolicy Delete.*Set deletionPolicy: "Retain"/);
        expect(found[1]).to.match(/VolumeSnapshotContent restore has spec\.deletionPolicy Delete/);
    });
});

describe("jenkins-volume-replicated", () => {
    const rule = P.jenkinsVolumeReplicated;
    const release = (persistence: Record<string, unknown>, chart = "jenkins") =>
        resource(T.helmRelease, { name: "jenkins", chart, namespace: "jenkins", values: { controller: {}, persistence } });
    const claim = (storageClassName?: string) =>
        resource(T.claim, { metadata: { name: "jenkins-home", namespace: "jenkins" }, spec: { storageClassName } });
    const classes = () => [storageClass("linstor-r3"), storageClass("linstor-r1", {}, { "linstor.csi.linbit.com/placementCount": "1" })];

    it("passes an existing claim on a 3-replica zone-spread LINSTOR class", async () => {
        expect(await violations(rule, [release({ enabled: true, existingClaim: "jenkins-home" }), claim("linstor-r3"), ...classes()])).to.deep.equal([]);
        expect(await violations(rule, [release({ storageClass: "linstor-r3" }, "oci://registry.example/charts/jenkins"), ...classes()])).to.deep.equal([]);
    });

    it("fails a claim on the 1-replica class and says which class to use", async () => {
        const found = await violations(rule, [release({ existingClaim: "jenkins-home" }), claim("linstor-r1"), ...classes()]);
        expect(found).to.have.length(1);
        expect(found[0]).to.match(/claim jenkins-home\) uses StorageClass linstor-r1, but it places 1 replica\(s\), fewer than 3/);
        expect(found[0]).to.match(/placementCount "3"/);
    });

    it("fails a class without zone spread, the default class, a disabled or foreign volume", async () => {
        const noSpread = storageClass("linstor-r3", {}, { "linstor.csi.linbit.com/replicasOnDifferent": "" });
        expect((await violations(rule, [release({ existingClaim: "jenkins-home" }), claim("linstor-r3"), noSpread])).join())
            .to.match(/does not set replicasOnDifferent: topology\.kubernetes\.io\/zone/);
        expect((await violations(rule, [release({}), ...classes()])).join()).to.match(/names no StorageClass, so the cluster default/);
        expect((await violations(rule, [release({ enabled: false }), ...classes()])).join()).to.match(/persistence\.enabled is false/);
        expect((await violations(rule, [release({ existingClaim: "elsewhere" }), ...classes()])).join()).to.match(/not created by this stack/);
        const ebs = storageClass("gp3", { provisioner: "ebs.csi.aws.com" }, {});
        expect((await violations(rule, [release({ storageClass: "gp3" }), ebs])).join()).to.match(/provisioner is ebs\.csi\.aws\.com/);
    });

    it("reads linstor-csi keys case-insensitively and honours minJenkinsReplicas", async () => {
        const mixed = storageClass("linstor-r3", { parameters: { "linstor.csi.linbit.com/PlacementCount": "3", replicasOnDifferent: P.ZONE_TOPOLOGY_KEY } });
        expect(await violations(rule, [release({ storageClass: "linstor-r3" }), mixed])).to.deep.equal([]);
        const five = await violations(rule, [release({ storageClass: "linstor-r3" }), mixed], { config: { [rule.name]: { minJenkinsReplicas: 5 } } });
        expect(five.join()).to.match(/fewer than 5/);
    });

    it("is not applicable without a Jenkins release", async () => {
        expect(await notApplicable(rule, [release({}, "kube-prometheus-stack"), ...classes()])).to.equal(true);
    });
});

describe("snapshot bucket", () => {
    const east = provider("aws", { region: "us-east-2" });
    const tlsPolicy = JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"], Condition: { Bool: { "aws:SecureTransport": "false" } } }],
    });
    /** A hardened bucket as SnapshotBucket builds it; `omit`/`change` break one part. */
    function hardenedBucket(change: Record<string, Record<string, unknown> | null> = {}, name = "snapshots"): RecordedResource[] {
        const bucket = resource(T.buckets[0], { bucket: `${name}-bucket`, ...change.bucket }, { provider: east.ref, name });
        const parts: [string, string, Record<string, unknown>][] = [
            ["pab", T.publicAccessBlock, { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }],
            ["versioning", T.versioning[0], { versioningConfiguration: { status: "Enabled" } }],
            ["encryption", T.encryption[0], { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:k" }, bucketKeyEnabled: true }] }],
            ["policy", T.bucketPolicy, { policy: tlsPolicy }],
        ];
        const attachments = parts.filter(([key]) => change[key] !== null)
            .map(([key, type, props]) => resource(type, { bucket: bucket.id, ...props, ...change[key] }, { provider: east.ref }));
        return [bucket, ...attachments];
    }
    const clusterSide = () => [launchTemplate(), east.record];

    it("passes a hardened bucket in another region than the cluster", async () => {
        const records = [...clusterSide(), ...hardenedBucket()];
        expect(await violations(P.bucketOtherRegion, records)).to.deep.equal([]);
        expect(await violations(P.bucketProtected, records)).to.deep.equal([]);
    });

    it("fails a bucket in the cluster's region (default provider, or v7 per-resource region)", async () => {
        const local = resource(T.buckets[0], { bucket: "local-backups" });
        const found = await violations(P.bucketOtherRegion, [...clusterSide(), local]);
        expect(found).to.have.length(1);
        expect(found[0]).to.match(/local-backups is in us-west-2, the EKS cluster's own region.*snapshotBucketRegion/);
        const pinned = hardenedBucket({ bucket: { region: "us-west-2" } });
        expect(await violations(P.bucketOtherRegion, [...clusterSide(), ...pinned])).to.have.length(1);
        expect(await violations(P.bucketOtherRegion, [...clusterSide(), local],
            { config: { [P.bucketOtherRegion.name]: { sameRegionBuckets: ["local-backups"] } } })).to.deep.equal([]);
        expect(await notApplicable(P.bucketOtherRegion, clusterSide())).to.equal(true);
    });

    it("fails each missing or weak protection with its fix", async () => {
        const check = async (change: Record<string, Record<string, unknown> | null>) =>
            (await violations(P.bucketProtected, [...clusterSide(), ...hardenedBucket(change)])).join("\n");
        expect(await check({ pab: null })).to.match(/public access is not fully blocked \(blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets not true\)/);
        expect(await check({ pab: { restrictPublicBuckets: false } })).to.match(/\(restrictPublicBuckets not true\)/);
        expect(await check({ versioning: { versioningConfiguration: { status: "Suspended" } } })).to.match(/versioning is Suspended/);
        expect(await check({ versioning: null })).to.match(/versioning is off/);
        expect(await check({ encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] } }))
            .to.match(/default encryption is AES256, not aws:kms or aws:kms:dsse/);
        expect(await check({ policy: { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*", Principal: "*" }] }) } }))
            .to.match(/no bucket policy denies requests without TLS/);
        expect(await check({ policy: null })).to.match(/no bucket policy denies requests without TLS/);
    });

    it("does not credit one bucket with another bucket's settings", async () => {
        const other = hardenedBucket({}, "other");
        const bare = resource(T.buckets[0], { bucket: "bare" }, { provider: east.ref, name: "bare" });
        const found = await violations(P.bucketProtected, [...clusterSide(), ...other, bare]);
        expect(found).to.have.length(4);
        expect(found.every((m) => m.startsWith("S3 bucket bare:"))).to.equal(true);
    });

    it("during a preview, attaches by structure and skips the not-yet-known policy document", async () => {
        const records = hardenedBucket({ pab: { bucket: UNKNOWN_STRING }, policy: { bucket: UNKNOWN_STRING, policy: UNKNOWN_STRING } });
        expect(await violations(P.bucketProtected, [...clusterSide(), ...records])).to.deep.equal([]);
    });
});

describe("launch templates", () => {
    it("passes encrypted volumes and required IMDSv2 tokens with hop limit 1", async () => {
        expect(await violations(P.launchTemplateEbsEncrypted, [launchTemplate()])).to.deep.equal([]);
        expect(await violations(P.launchTemplateImdsV2, [launchTemplate()])).to.deep.equal([]);
    });

    it("fails unencrypted or default-encrypted volumes, naming the devices", async () => {
        const found = await violations(P.launchTemplateEbsEncrypted, [launchTemplate({
            blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }, { deviceName: "/dev/sdf", ebs: {} }, { deviceName: "/dev/sdg", noDevice: "" }],
        })]);
        expect(found).to.have.length(1);
        expect(found[0]).to.match(/EBS volume\(s\) \/dev\/xvda, \/dev\/sdf are not encrypted.*ebs\.encrypted: "true"/);
    });

    it("fails optional tokens and a high hop limit; passes a disabled metadata endpoint", async () => {
        const optional = await violations(P.launchTemplateImdsV2, [launchTemplate({ metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 3 } })]);
        expect(optional).to.have.length(2);
        expect(optional[0]).to.match(/httpTokens is optional.*"required"/);
        expect(optional[1]).to.match(/httpPutResponseHopLimit is 3, above 2/);
        expect((await violations(P.launchTemplateImdsV2, [launchTemplate({ metadataOptions: undefined })])).join()).to.match(/unset \(IMDSv1 allowed\)/);
        expect(await violations(P.launchTemplateImdsV2, [launchTemplate({ metadataOptions: { httpEndpoint: "disabled" } })])).to.deep.equal([]);
    });

    it("reports a value unknown during a preview as advisory, not as a violation", async () => {
        const result = await evaluate([P.launchTemplateImdsV2], [launchTemplate({ metadataOptions: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff" })]);
        expect(result.violations).to.have.length(1);
        expect(result.violations[0].enforcementLevel).to.equal("advisory");
        expect(result.violations[0].message).to.match(/can't run policy 'launch-template-imdsv2' during preview/);
    });
});

describe("no-open-load-balancers", () => {
    const rule = P.noOpenLoadBalancers;
    const service = (spec: Record<string, unknown>, annotations: Record<string, string> = {}) =>
        resource(T.service, { metadata: { name: "web", namespace: "apps", annotations }, spec: { type: "LoadBalancer", ...spec } });
    const jenkins = (controller: Record<string, unknown>) =>
        resource(T.helmRelease, { name: "jenkins", chart: "jenkins", namespace: "jenkins", values: { controller, persistence: {} } });
    const monitoring = (values: Record<string, unknown>) =>
        resource(T.helmRelease, { name: "kube-prometheus-stack", chart: "kube-prometheus-stack", namespace: "monitoring", values });

    it("passes restricted, internal and ClusterIP services", async () => {
        expect(await violations(rule, [
            service({ loadBalancerSourceRanges: ["203.0.113.0/24"] }),
            service({}, { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" }),
            service({ type: "ClusterIP" }),
            jenkins({ serviceType: "ClusterIP" }),
            jenkins({ serviceType: "LoadBalancer", loadBalancerSourceRanges: ["198.51.100.0/24"] }),
            monitoring({ grafana: { service: { type: "ClusterIP" } } }),
        ])).to.deep.equal([]);
    });

    it("fails a Service without source ranges or open to 0.0.0.0/0", async () => {
        const found = await violations(rule, [service({}), service({ loadBalancerSourceRanges: ["10.0.0.0/8", "0.0.0.0/0"] })]);
        expect(found).to.have.length(2);
        expect(found[0]).to.match(/LoadBalancer Service web is open to the internet: it has no loadBalancerSourceRanges/);
        expect(found[1]).to.match(/include 0\.0\.0\.0\/0\. List the client CIDRs in loadBalancerSourceRanges/);
    });

    it("fails Jenkins and monitoring releases whose chart values render an open load balancer", async () => {
        const found = await violations(rule, [
            jenkins({ serviceType: "LoadBalancer" }), // the chart's default ranges are [0.0.0.0/0]
            jenkins({ serviceType: "LoadBalancer", loadBalancerSourceRanges: [] }),
            monitoring({ grafana: { service: { type: "LoadBalancer", loadBalancerSourceRanges: ["::/0"] } } }),
            monitoring({ prometheus: { thanosServiceExternal: { enabled: true } } }),
        ]);
        expect(found).to.have.length(4);
        expect(found[0]).to.match(/Helm release jenkins \(jenkins\) renders an internet-facing LoadBalancer from controller: its loadBalancerSourceRanges include 0\.0\.0\.0\/0/);
        expect(found[1]).to.match(/from controller: it has no loadBalancerSourceRanges.*Set controller\.loadBalancerSourceRanges/);
        expect(found[2]).to.match(/kube-prometheus-stack\) renders .* from grafana\.service: its loadBalancerSourceRanges include ::\/0/);
        expect(found[3]).to.match(/from prometheus\.thanosServiceExternal/);
    });

    it("allows what policy config names", async () => {
        const config = { [rule.name]: { allowedOpenLoadBalancers: ["apps/web", "jenkins"] } };
        expect(await violations(rule, [service({}), jenkins({ serviceType: "LoadBalancer" })], { config })).to.deep.equal([]);
    });
});

describe("iam-no-wildcard-admin", () => {
    const rule = P.iamNoWildcardAdmin;
    const doc = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });

    it("passes scoped statements, partial wildcards and Deny *", async () => {
        expect(await violations(rule, [
            resource("aws:iam/userPolicy:UserPolicy", { policy: doc({ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::b/*" }) }),
            resource("aws:iam/policy:Policy", { policy: doc({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b" }, { Effect: "Allow", Action: "ec2:Describe*", Resource: "*" }) }),
            resource("aws:iam/rolePolicy:RolePolicy", { policy: { Statement: { Effect: "Deny", Action: "*", Resource: "*" } } }),
        ])).to.deep.equal([]);
    });

    it("fails *, *:*, service:* and NotAction on Resource *, also in role inline policies", async () => {
        const found = await violations(rule, [
            resource("aws:iam/policy:Policy", { policy: doc({ Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" }) }, { name: "admin" }),
            resource("aws:iam/userPolicy:UserPolicy", { policy: doc({ Effect: "Allow", Action: ["s3:*"], Resource: ["*"] }) }, { name: "s3-all" }),
            resource("aws:iam/groupPolicy:GroupPolicy", { policy: doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) }, { name: "not-iam" }),
            resource(T.iamRole, { inlinePolicies: [{ name: "inline", policy: doc({ Effect: "Allow", Action: "*:*", Resource: "*" }) }] }, { name: "role" }),
        ]);
        expect(found).to.have.length(4);
        expect(found[0]).to.match(/Policy admin: policy statement Admin allows Action "\*" on Resource "\*" — administrator access/);
        expect(found[1]).to.match(/UserPolicy s3-all: .*Action \["s3:\*"\]/);
        expect(found[2]).to.match(/NotAction "iam:\*"/);
        expect(found[3]).to.match(/Role role: inline policy inline statement #1/);
    });

    it("accepts allowed service wildcards and rejects unparsable documents", async () => {
        const logs = resource("aws:iam/policy:Policy", { policy: doc({ Effect: "Allow", Action: "logs:*", Resource: "*" }) });
        expect(await violations(rule, [logs], { config: { [rule.name]: { allowedServiceWildcards: ["logs"] } } })).to.deep.equal([]);
        expect((await violations(rule, [resource("aws:iam/policy:Policy", { policy: "{not json" })])).join()).to.match(/not valid JSON/);
    });
});

describe("EKS control plane", () => {
    it("passes all five log types and a secrets key, also unknown during a preview", async () => {
        expect(await violations(P.eksControlPlaneLogging, [cluster()])).to.deep.equal([]);
        expect(await violations(P.eksSecretsEncryption, [cluster(), cluster({ encryptionConfigKeyArn: UNKNOWN_STRING }),
            resource(T.awsEksCluster, { encryptionConfig: { provider: { keyArn: "arn:k" }, resources: ["secrets"] } })])).to.deep.equal([]);
    });

    it("fails missing log types and missing secrets encryption on both cluster types", async () => {
        const logs = await violations(P.eksControlPlaneLogging, [cluster({ enabledClusterLogTypes: ["api"] }),
            resource(T.awsEksCluster, { enabledClusterLogTypes: [] }, { name: "raw" })]);
        expect(logs).to.have.length(2);
        expect(logs[0]).to.match(/does not log audit, authenticator, controllerManager, scheduler.*enabledClusterLogTypes/);
        const secrets = await violations(P.eksSecretsEncryption, [cluster({ encryptionConfigKeyArn: undefined }),
            resource(T.awsEksCluster, { encryptionConfig: { provider: { keyArn: "arn:k" }, resources: [] } })]);
        expect(secrets).to.have.length(2);
        expect(secrets[0]).to.match(/stores Secrets without KMS envelope encryption\. Pass a KMS key/);
    });
});

describe("the whole pack over the dev stack under mocks", () => {
    let records: RecordedResource[];
    let stackConfig: Record<string, string>;

    before(async () => {
        const { config, secretKeys } = shippedStack("dev");
        stackConfig = config;
        useStack("dev", config, secretKeys);
        resetRecords();
        const outputs = await deployPrimary(loadConfig());
        await valueOf(outputs.clusterName);
        await settle();
        records = cloneRecords();
    });

    const run = (recs: RecordedResource[]) => packViolations(recs, { stack: "dev", stackConfig });
    const edit = (type: string, change: (inputs: any) => void, recs = cloneRecords(records)) => {
        const targets = recs.filter((r) => r.type === type);
        expect(targets.length, type).to.be.greaterThan(0);
        targets.forEach((r) => change(r.inputs));
        return recs;
    };

    it("finds zero violations, with every rule applied to what the stack registers", async () => {
        const result = await evaluate(P.policies, records, { stack: "dev", stackConfig });
        expect(result.violations.map((v) => `${v.policyName}: ${v.message}`)).to.deep.equal([]);
        expect(result.notApplicable).to.deep.equal([]);
        for (const type of [T.storageClass, T.launchTemplate, T.eksCluster, T.helmRelease, T.claim, T.snapshotClass, T.buckets[0], "aws:iam/userPolicy:UserPolicy"]) {
            expect(records.some((r) => r.type === type), type).to.equal(true);
        }
    });

    it("rejects a snapshot bucket moved into the cluster's region", async () => {
        const found = await run(edit("pulumi:providers:aws", (i) => { i.region = "us-west-2"; }));
        expect(found.map((v) => v.policyName)).to.deep.equal([P.bucketOtherRegion.name]);
        expect(found[0].message).to.match(/is in us-west-2, the EKS cluster's own region/);
    });

    it("rejects a StorageClass whose reclaimPolicy was changed to Delete", async () => {
        const found = await run(edit(T.storageClass, (i) => { i.reclaimPolicy = "Delete"; }));
        expect(new Set(found.map((v) => v.policyName))).to.deep.equal(new Set([P.storageClassRetain.name]));
        expect(found.map((v) => v.message).join("\n")).to.match(/StorageClass linstor-csi-lvm-thin-r3 .*reclaimPolicy Delete/);
    });

    it("rejects a launch template with optional IMDS tokens", async () => {
        const found = await run(edit(T.launchTemplate, (i) => { i.metadataOptions.httpTokens = "optional"; }));
        expect(found.map((v) => v.policyName)).to.deep.equal([P.launchTemplateImdsV2.name]);
    });

    it("rejects a stack that lost a zone (two AZs, two node groups)", async () => {
        const recs = edit(T.vpc, (i) => { i.availabilityZoneNames = i.availabilityZoneNames.slice(0, 2); });
        const withoutThird = recs.filter((r) => !(r.type === T.managedNodeGroup && r.name.endsWith("us-west-2c")));
        expect(withoutThird.length).to.equal(recs.length - 1);
        const found = await run(withoutThird);
        expect(found.map((v) => v.policyName)).to.deep.equal([P.nodesSpanZones.name, P.nodesSpanZones.name]);
    });

    it("rejects Jenkins moved to a one-replica class and opened to the internet", async () => {
        let recs = edit(T.claim, (i) => { i.spec.storageClassName = "linstor-csi-lvm-thin-r1"; });
        recs = edit(T.helmRelease, (i) => {
            if (i.chart === "jenkins") Object.assign(i.values.controller, { serviceType: "LoadBalancer", loadBalancerSourceRanges: ["0.0.0.0/0"] });
        }, recs);
        const names = (await run(recs)).map((v) => v.policyName).sort();
        expect(names).to.deep.equal([P.jenkinsVolumeReplicated.name, P.noOpenLoadBalancers.name].sort());
    });
});

describe("the whole pack over the dr stack under mocks", () => {
    const PRIMARY = "organization/ha-jenkins-eks/dev";
    let records: RecordedResource[];
    let stackConfig: Record<string, string>;

    before(async () => {
        // The primary's outputs, as the DR stack's StackReference reads them: the dev stack evaluated under mocks.
        const dev = shippedStack("dev");
        useStack("dev", { ...dev.config, "ha-jenkins-eks:onDemandSnapshotName": "jenkins-manual" }, dev.secretKeys);
        resetRecords();
        const primary = await deployPrimary(loadConfig());
        const resolved = await Promise.all(Object.entries(primary).map(async ([k, v]) => [k, await valueOf(v as any)] as const));
        await settle();
        stackOutputs[PRIMARY] = Object.fromEntries(resolved.filter(([, v]) => v !== undefined));
        const { config, secretKeys } = shippedStack("dr");
        stackConfig = config;
        useStack("dr", config, secretKeys);
        resetRecords();
        const outputs = await deployDr(loadConfig());
        await valueOf(outputs.clusterName);
        await settle();
        records = cloneRecords();
    });
    after(() => { delete stackOutputs[PRIMARY]; });

    it("finds zero violations; the bucket rules do not apply (the DR stack creates no bucket)", async () => {
        const result = await evaluate(P.policies, records, { stack: "dr", stackConfig });
        expect(result.violations.map((v) => `${v.policyName}: ${v.message}`)).to.deep.equal([]);
        expect(result.notApplicable.map((n) => n.policyName).sort()).to.deep.equal([P.bucketOtherRegion.name, P.bucketProtected.name].sort());
        expect(records.some((r) => r.type === T.snapshotContent)).to.equal(true);
    });

    it("rejects a restored snapshot content that would delete the backup", async () => {
        const recs = cloneRecords(records);
        recs.filter((r) => r.type === T.snapshotContent).forEach((r) => { r.inputs.spec.deletionPolicy = "Delete"; });
        const found = await packViolations(recs, { stack: "dr", stackConfig });
        expect(found.map((v) => v.policyName)).to.deep.equal([P.snapshotRetain.name]);
    });
});

describe("the offline runner agrees with CrossGuard's own analyzer handlers", () => {
    const key = (f: { policyName: string; enforcementLevel: string; message: string; urn?: string }) =>
        `${f.enforcementLevel} ${f.policyName} ${f.urn} ${f.message}`;

    it("on a stack broken in five ways, and on hand-made preview values", async () => {
        const { config, secretKeys } = shippedStack("dev");
        useStack("dev", config, secretKeys);
        resetRecords();
        const outputs = await deployPrimary(loadConfig());
        await valueOf(outputs.clusterName);
        await settle();
        const recs = cloneRecords();
        const mutate = (type: string, change: (inputs: any) => void) => recs.filter((r) => r.type === type).forEach((r) => change(r.inputs));
        mutate(T.storageClass, (i) => { i.reclaimPolicy = "Delete"; });
        mutate(T.launchTemplate, (i) => { i.metadataOptions.httpTokens = "optional"; });
        mutate(T.eksCluster, (i) => { i.enabledClusterLogTypes = ["api"]; });
        mutate("pulumi:providers:aws", (i) => { i.region = "us-west-2"; });
        mutate(T.publicAccessBlock, (i) => { i.blockPublicPolicy = false; });
        recs.push(launchTemplate({ metadataOptions: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff" }));
        const opts = { stack: "dev", stackConfig: config };
        const ours = (await packViolations(recs, opts)).map(key).sort();
        const theirs = (await crossGuardViolations(recs, opts)).map(key).sort();
        expect(new Set((await packViolations(recs, opts)).map((v) => v.policyName))).to.deep.equal(new Set([
            P.storageClassRetain.name, P.launchTemplateImdsV2.name, P.eksControlPlaneLogging.name, P.bucketOtherRegion.name, P.bucketProtected.name,
        ]));
        expect(ours).to.deep.equal(theirs);
    });
});
