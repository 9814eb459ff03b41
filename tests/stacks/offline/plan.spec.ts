import { expect } from "chai";
import type { Finding, RecordedResource } from "../../../policy/offline";
import {
    azLayout,
    exitCodeFor,
    formatPlan,
    formatTiming,
    OFFLINE_LIMITS,
    type PlanReport,
    parseArgs,
    resourcesByComponent,
    sdkPackages,
    sizingOf,
    storageClasses,
} from "../../../stacks/offline/plan";
import { clusterSettings } from "../../support/fixtures";

const urn = (type: string, name: string) => `urn:pulumi:dev::ha-jenkins-eks::${type}::${name}`;
function rec(type: string, name: string, inputs: Record<string, unknown> = {}, parent?: RecordedResource, custom = true): RecordedResource {
    return { type, name, inputs, custom, id: `${name}-id`, options: { urn: urn(type, name), parent: parent?.options?.urn ?? "", dependencies: [] } };
}
const finding = (enforcementLevel: Finding["enforcementLevel"]): Finding => ({
    policyName: "storage-class-reclaim-retain",
    enforcementLevel,
    message: "StorageClass r3 has reclaimPolicy Delete: set Retain.",
});

describe("offline plan", () => {
    const cluster = rec("ha-jenkins-eks:index:LinstorCluster", "hje-dev", {}, undefined, false);
    const bucketComponent = rec("ha-jenkins-eks:index:SnapshotBucket", "hje-dev-bucket", {}, undefined, false);
    const records: RecordedResource[] = [
        cluster,
        rec("awsx:ec2:Vpc", "hje-dev-vpc", { availabilityZoneNames: ["us-west-2a", "us-west-2b", "us-west-2c"] }, cluster, false),
        ...["a", "b", "c"].map((z) =>
            rec(
                "eks:index:ManagedNodeGroup",
                `hje-dev-storage-us-west-2${z}`,
                {
                    nodeGroupName: `hje-dev-storage-us-west-2${z}`,
                    subnetIds: [`subnet-private-us-west-2${z}`],
                    scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 2 },
                },
                cluster,
                false,
            ),
        ),
        rec("aws:ec2/launchTemplate:LaunchTemplate", "hje-dev-storage-node", { instanceType: "m6i.large" }, cluster),
        rec(
            "kubernetes:storage.k8s.io/v1:StorageClass",
            "hje-dev-r3",
            {
                metadata: { name: "linstor-csi-lvm-thin-r3" },
                provisioner: "linstor.csi.linbit.com",
                reclaimPolicy: "Retain",
                parameters: {
                    "linstor.csi.linbit.com/placementCount": "3",
                    "linstor.csi.linbit.com/replicasOnDifferent": "topology.kubernetes.io/zone",
                },
            },
            cluster,
        ),
        rec("aws:iam/role:Role", "hje-dev-storage-node", {}, cluster),
        bucketComponent,
        rec("aws:s3/bucket:Bucket", "hje-dev-bucket-bucket", {}, bucketComponent),
        rec("kubernetes:core/v1:Namespace", "hje-dev-jenkins-namespace"),
        { type: "pulumi:pulumi:StackReference", name: "hje-dev-self", inputs: {}, id: "self" },
    ];
    const subnetZones = new Map(["a", "b", "c"].map((z) => [`subnet-private-us-west-2${z}`, `us-west-2${z}`]));

    it("groups resources under their top-level component, with reads and root resources apart", () => {
        const groups = resourcesByComponent(records);
        expect(groups.map((g) => [g.label, g.count])).to.deep.equal([
            ["ha-jenkins-eks:index:LinstorCluster hje-dev", 7],
            ["(read, not managed)", 1],
            ["(stack root)", 1],
            ["ha-jenkins-eks:index:SnapshotBucket hje-dev-bucket", 1],
        ]);
        expect(groups[0].kinds).to.deep.equal({
            "awsx:Vpc": 1,
            "eks:ManagedNodeGroup": 3,
            "aws:LaunchTemplate": 1,
            "kubernetes:StorageClass": 1,
            "aws:Role": 1,
        });
    });

    it("lays node groups out by zone and summarizes StorageClasses", () => {
        const az = azLayout(records, subnetZones);
        expect(az.vpcZones).to.deep.equal(["us-west-2a", "us-west-2b", "us-west-2c"]);
        expect(az.groups.map((g) => g.zones[0])).to.deep.equal(["us-west-2a", "us-west-2b", "us-west-2c"]);
        expect(az.instanceTypes).to.deep.equal(["m6i.large"]);
        expect(azLayout(records, new Map()).groups[0].zones).to.deep.equal(["subnet subnet-private-us-west-2a"]);
        // In an existing VPC the zones come from the subnets the stack reads (what each read returned).
        const existing = [
            ...records.filter((r) => r.type !== "awsx:ec2:Vpc"),
            ...["a", "b", "c"].map((z): RecordedResource => {
                const { options: _reads, ...r } = rec("aws:ec2/subnet:Subnet", `hje-dev-subnet-private-us-west-2${z}`);
                return { ...r, id: `subnet-private-us-west-2${z}`, outputs: { availabilityZone: `us-west-2${z}`, vpcId: "vpc-0" } };
            }),
        ];
        const read = azLayout(existing, new Map());
        expect(read.vpcZones).to.deep.equal(["us-west-2a", "us-west-2b", "us-west-2c"]);
        expect(read.groups.map((g) => g.zones[0])).to.deep.equal(["us-west-2a", "us-west-2b", "us-west-2c"]);
        expect(storageClasses(records)).to.deep.equal([
            { name: "linstor-csi-lvm-thin-r3", provisioner: "linstor.csi.linbit.com", replicas: 3, zoneSpread: true, reclaimPolicy: "Retain" },
        ]);
    });

    it("sizes DRBD memory and metadata with the component's own rules", () => {
        const z = sizingOf({ ...clusterSettings(), azCount: 3 }, 3);
        // 200 GiB × 32 KiB/GiB × 2 peers = 12.5 MiB → 13; metadata 200 GiB × 32 KiB × 7 slots ≈ 44 MiB + 100 × 4 MiB.
        expect(z).to.include({
            nodes: 3,
            dataGiB: 200,
            maxReplicas: 3,
            bitmapMiB: 13,
            requiredMemoryMiB: 3085,
            instanceMemoryMiB: 8192,
            metadataNeededMiB: 444,
            metadataVolumeGiB: 4,
        });
        expect(z.usableGiB).to.deep.equal({ 1: 600, 2: 300, 3: 200 });
    });

    it("exits 1 only on a mandatory violation and 2 when the stack could not be judged", () => {
        expect(exitCodeFor({ violations: [] })).to.equal(0);
        expect(exitCodeFor({ violations: [finding("advisory")] })).to.equal(0);
        expect(exitCodeFor({ violations: [finding("advisory"), finding("mandatory")] })).to.equal(1);
        expect(exitCodeFor({ failure: "config", violations: [] })).to.equal(2);
        expect(exitCodeFor({ failure: "evaluation", violations: [finding("mandatory")] })).to.equal(2);
    });

    it("prints violations with their rule and message, what it cannot know, and the timing", () => {
        const report: PlanReport = {
            stack: "dev",
            project: "ha-jenkins-eks",
            role: "primary",
            region: "us-west-2",
            records,
            subnetZones,
            guesses: ["AZ names of us-west-2"],
            sizing: sizingOf({ ...clusterSettings(), azCount: 3 }, 3),
            result: { violations: [finding("mandatory")], notApplicable: [{ policyName: "jenkins-volume-replicated", reason: "No Jenkins." }] },
            timing: {
                planMs: 1500,
                floorMs: 1000,
                sdks: ["@pulumi/aws", "@pulumi/pulumi"],
                phases: [
                    ["startup", 500],
                    ["evaluating", 1000],
                ],
            },
        };
        const text = formatPlan(report);
        expect(text).to.contain("Offline plan of stack dev (project ha-jenkins-eks, role primary, region us-west-2)");
        expect(text).to.contain("Resources: 11 registered, 1 read");
        expect(text).to.contain("node group hje-dev-storage-us-west-2b: us-west-2b — 1 node(s), min 1, max 2");
        expect(text).to.contain("linstor-csi-lvm-thin-r3: linstor.csi.linbit.com, 3 replica(s) in different zones, reclaim Retain");
        expect(text).to.contain("DRBD bitmaps in RAM at 3 replicas: 13 MiB; node needs ≥ 3085 MiB, m6i.large has 8192 MiB");
        expect(text).to.contain("1 mandatory violation(s), 0 advisory");
        expect(text).to.contain("✖ [mandatory] storage-class-reclaim-retain\n      StorageClass r3 has reclaimPolicy Delete: set Retain.");
        expect(text).to.contain("– jenkins-volume-replicated: not applicable (No Jenkins.)");
        expect(text).to.not.contain("✔ no violations");
        for (const limit of OFFLINE_LIMITS) expect(text).to.contain(limit);
        expect(text).to.contain("Guessed: AZ names of us-west-2.");
        expect(text).to.contain("1.50× (target ≤ 1.5×: met)");
        expect(formatPlan({ ...report, result: { violations: [], notApplicable: [] } })).to.contain("✔ no violations");
    });

    it("formats the benchmark against the SDK import floor", () => {
        const t = formatTiming({
            planMs: 2600,
            floorMs: 1000,
            sdks: ["@pulumi/pulumi"],
            phases: [
                ["startup", 800],
                ["policies", 10],
            ],
        });
        expect(t).to.equal(
            "Timing: plan 2.60 s wall (startup 0.80 s, policies 0.01 s); importing its SDKs alone (@pulumi/pulumi) takes " +
                "1.00 s → 2.60× (target ≤ 1.5×: missed).",
        );
        expect(formatTiming({ planMs: 900, sdks: [] })).to.equal("Timing: plan 0.90 s wall; SDK import floor not measured.");
    });

    it("finds the Pulumi SDK packages among loaded files", () => {
        expect(
            sdkPackages([
                "/r/node_modules/@pulumi/aws/s3/bucket.js",
                "/r/node_modules/@pulumi/aws/index.js",
                "/r/node_modules/@pulumi/pulumi/index.js",
                "/r/node_modules/js-yaml/index.js",
                "/r/stacks/offline/plan.ts",
                "C:\\r\\node_modules\\@pulumi\\eks\\index.js",
            ]),
        ).to.deep.equal(["@pulumi/aws", "@pulumi/eks", "@pulumi/pulumi"]);
    });

    it("parses the command line, naming what is wrong", () => {
        expect(
            parseArgs([
                "dev",
                "-c",
                "jenkinsStorageClassReplicas=1",
                "--config",
                "aws:region=eu-west-1",
                "--stack-outputs",
                "org/p/dev=o.json",
                "--policy-pack-config",
                "p.json",
                "--write-outputs",
                "out.json",
                "--timing",
            ]),
        ).to.deep.equal({
            stack: "dev",
            overrides: { "ha-jenkins-eks:jenkinsStorageClassReplicas": "1", "aws:region": "eu-west-1" },
            stackOutputs: { "org/p/dev": "o.json" },
            policyConfigFile: "p.json",
            writeOutputs: "out.json",
            benchmark: true,
        });
        expect(() => parseArgs([])).to.throw(/name the stack/);
        expect(() => parseArgs(["dev", "-c", "novalue"])).to.throw(/-c needs <name>=<value>/);
        expect(() => parseArgs(["dev", "--bogus"])).to.throw(/unexpected argument --bogus/);
    });
});
