/** LinstorCluster's network and managed node groups: one group per AZ, existing subnets, load balancer tags, NAT. */
import { expect } from "chai";
import { ofType, one } from "../../support/mocks";
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

        it("uses existing subnets one per AZ instead of creating a VPC", async () => {
            await build({ vpcId: "vpc-0aaaabbbbccccdddd", privateSubnetIds: SUBNETS });
            expect(ofType("awsx:ec2:Vpc")).to.have.length(0);
            expect(ofType("eks:index:ManagedNodeGroup").map((g) => g.inputs.subnetIds[0])).to.deep.equal(SUBNETS);
            expect(one("eks:index:Cluster").inputs.vpcId).to.equal("vpc-0aaaabbbbccccdddd");
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
