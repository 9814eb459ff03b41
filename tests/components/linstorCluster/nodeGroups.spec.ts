/** LinstorCluster's network and managed node groups: one group per AZ, existing subnets, load balancer tags, NAT. */
import { expect } from "chai";
import { LinstorCluster } from "../../../components/linstorCluster";
import { clusterSettings } from "../../support/fixtures";
import { ofType, one, setExistingSubnets, settle } from "../../support/mocks";
import { build, SUBNETS } from "./fixtures";

describe("LinstorCluster", () => {
    describe("network and node groups", () => {
        for (const azCount of [3, 4, 5, 6]) {
            it(`puts one managed node group in each of ${azCount} distinct AZs`, async () => {
                const zones = ["a", "b", "c", "d", "e", "f"].slice(0, azCount).map((z) => `us-west-2${z}`);
                await build({ availabilityZones: zones, nodesPerAz: 2 });
                const vpc = one("awsx:ec2:Vpc");
                expect(vpc.inputs.availabilityZoneNames).to.deep.equal(zones);
                const groups = ofType("eks:index:ManagedNodeGroup");
                expect(groups).to.have.length(azCount);
                const subnets = groups.map((g) => g.inputs.subnetIds);
                subnets.forEach((s) => {
                    expect(s).to.have.length(1);
                });
                expect(new Set(subnets.map((s) => s[0])).size).to.equal(azCount);
                expect(subnets.map((s) => s[0])).to.deep.equal(zones.map((az) => `subnet-private-${az}`));
                for (const g of groups) {
                    expect(g.inputs.scalingConfig).to.deep.equal({ minSize: 2, desiredSize: 2, maxSize: 3 });
                    expect(g.inputs.launchTemplate.version).to.equal("1");
                    expect(g.inputs.nodeGroupNamePrefix).to.match(/^hje-test-storage-us-west-2[a-f]-$/);
                    expect(g.inputs).to.not.have.property("nodeGroupName");
                    expect(g.inputs.labels).to.deep.equal({ "ha-jenkins-eks.io/linstor-storage": "true" });
                    expect(g.inputs).to.not.have.property("userData");
                    expect(g.inputs).to.not.have.property("amiType");
                }
            });
        }

        it("uses existing subnets one per AZ instead of creating a VPC, reading each so the stack shows its zone", async () => {
            const zones = ["us-west-2a", "us-west-2b", "us-west-2c"];
            setExistingSubnets(Object.fromEntries(SUBNETS.map((id, i) => [id, { availabilityZone: zones[i], vpcId: "vpc-0aaaabbbbccccdddd" }])));
            try {
                await build({ vpcId: "vpc-0aaaabbbbccccdddd", privateSubnetIds: SUBNETS });
            } finally {
                setExistingSubnets(undefined);
            }
            expect(ofType("awsx:ec2:Vpc")).to.have.length(0);
            expect(ofType("eks:index:ManagedNodeGroup").map((g) => g.inputs.subnetIds[0])).to.deep.equal(SUBNETS);
            expect(one("eks:index:Cluster").inputs.vpcId).to.equal("vpc-0aaaabbbbccccdddd");
            expect(one("eks:index:Cluster").inputs.privateSubnetIds).to.deep.equal(SUBNETS);
            // Reads (Resource.get: no registration options), named after the ID, with the state the provider would return.
            const reads = ofType("aws:ec2/subnet:Subnet");
            expect(reads.map((r) => [r.name, r.id, r.options, r.outputs?.availabilityZone, r.outputs?.vpcId])).to.deep.equal(
                SUBNETS.map((id, i) => [`hje-test-${id}`, id, undefined, zones[i], "vpc-0aaaabbbbccccdddd"]),
            );
        });

        it("fails the read of an existing subnet that does not exist, as the engine does", async () => {
            setExistingSubnets({});
            try {
                const cluster = new LinstorCluster("hje-test", clusterSettings({ vpcId: "vpc-0aaaabbbbccccdddd", privateSubnetIds: SUBNETS }));
                // Output.promise() (the SDK's own accessor) rejects with the read's error.
                const failure = await (cluster.privateSubnetIds as unknown as { promise(): Promise<unknown> }).promise().catch((e: Error) => e);
                expect(String(failure)).to.match(
                    /failed to read resource #subnet-0aaaa000000000001 .*resource 'subnet-0aaaa000000000001' does not exist/,
                );
                await settle();
            } finally {
                setExistingSubnets(undefined);
            }
        });

        it("tags subnets for load balancers and gives each AZ its own NAT gateway", async () => {
            await build();
            const vpc = one("awsx:ec2:Vpc");
            expect(vpc.inputs.natGateways).to.deep.equal({ strategy: "OnePerAz" });
            const specs = vpc.inputs.subnetSpecs;
            expect(specs.find((s: any) => s.type === "Private").tags["kubernetes.io/role/internal-elb"]).to.equal("1");
            expect(specs.find((s: any) => s.type === "Public").tags["kubernetes.io/role/elb"]).to.equal("1");
        });
    });
});
