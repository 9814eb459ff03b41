import { expect } from "chai";
import { rtoModel } from "../../../components/rto";
import type { RecordedResource } from "../../../policy/offline";
import { budgetGantt, DIAGRAM_END, DIAGRAM_START, stackFlowchart, withDiagram } from "../../../stacks/offline/diagram";

const rec = (type: string, name: string, inputs: Record<string, unknown>, provider?: string): RecordedResource =>
    ({ type, name, inputs, custom: true, id: `${name}-id`, provider }) as unknown as RecordedResource;

const ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
const records = [
    rec("awsx:ec2:Vpc", "vpc", { availabilityZoneNames: ZONES }),
    ...ZONES.map((z) => rec("eks:index:ManagedNodeGroup", `ng-${z}`, { subnetIds: [`s-${z}`], scalingConfig: { desiredSize: 2 } })),
    rec("aws:ec2/launchTemplate:LaunchTemplate", "lt", { instanceType: "m6i.xlarge" }),
    rec("kubernetes:storage.k8s.io/v1:StorageClass", "r2", {
        metadata: { name: "r2" },
        provisioner: "linstor.csi.linbit.com",
        parameters: { "linstor.csi.linbit.com/placementCount": "2" },
    }),
    rec("kubernetes:core/v1:PersistentVolumeClaim", "home", { spec: { storageClassName: "r2" } }),
    rec("pulumi:providers:aws", "bucket-region", { region: "eu-central-1" }),
    rec("aws:s3/bucket:Bucket", "bucket", {}, "urn:pulumi:s::p::pulumi:providers:aws::bucket-region::id"),
    rec("kubernetes:batch/v1:CronJob", "x-snapshots-schedule", { spec: { schedule: "*/15 * * * *" } }),
];

describe("the offline plan's diagrams", () => {
    const flow = stackFlowchart({
        stack: "prod",
        region: "eu-west-1",
        records,
        subnetZones: new Map(ZONES.map((z) => [`s-${z}`, z])),
        rto: rtoModel(),
    });

    it("draws every zone with its nodes, as many replicas as the Jenkins claim's class places, and fail-over to them", () => {
        for (const z of ZONES) expect(flow).to.contain(`["${z}"]`).and.to.contain(`2 storage nodes (m6i.xlarge)`);
        expect(flow.match(/JENKINS_HOME replica \d/g)).to.deep.equal(["JENKINS_HOME replica 1", "JENKINS_HOME replica 2"]);
        expect(flow.match(/fails over/g)).to.have.length(1);
    });

    it("draws the backup path to the bucket's region with the schedule", () => {
        expect(flow).to.contain('subgraph bucket_eu_central_1["eu-central-1"]');
        expect(flow).to.contain('-->|"snapshots (*/15 * * * *)"| bucket');
    });

    it("charts each RTO/RPO path phase by phase, bars adding up to its total", () => {
        const r = rtoModel();
        const gantt = budgetGantt(r);
        const bars = [...gantt.matchAll(/:p0_\d+, (\d+), (\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
        expect(bars).to.have.length(r.nodeFailover.haController.phases.length);
        bars.slice(1).forEach(([start], n) => {
            expect(start).to.equal(bars[n][1]);
        });
        expect(bars[bars.length - 1][1]).to.be.closeTo(r.nodeFailover.haController.totalSeconds, 3);
        expect(gantt).to.contain("section region RPO");
    });

    it("replaces only the block between the markers of a Markdown file", () => {
        const doc = `# Title\n\n${DIAGRAM_START}\nold\n${DIAGRAM_END}\n\nrest\n`;
        expect(withDiagram(doc, `${DIAGRAM_START}\nnew\n${DIAGRAM_END}`)).to.equal(`# Title\n\n${DIAGRAM_START}\nnew\n${DIAGRAM_END}\n\nrest\n`);
        expect(withDiagram(undefined, "block")).to.equal("block\n");
    });
});
