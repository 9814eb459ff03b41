/** policy/rules/zones.ts: the EKS nodes span three availability zones, proven from the subnets' zones. */
import { expect } from "chai";
import * as P from "../../policy/policies";
import { evaluate, notApplicable, resource, violations } from "../support/policyHarness";
import { cluster, nodeGroup, T, UNKNOWN_ARRAY, UNKNOWN_STRING, vpc } from "./fixtures";

describe("eks-nodes-span-three-azs", () => {
    const rule = P.nodesSpanZones;
    const zones = ["us-west-2a", "us-west-2b", "us-west-2c"];
    const subnet = (id: string, availabilityZone: unknown) => resource(T.subnet, { id, availabilityZone }, { name: id });
    /** One subnet per zone (as awsx's VPC registers them) and one node group per subnet. */
    const spread = (azs: string[], type: string = T.managedNodeGroup) => [
        ...azs.map((az, i) => subnet(`subnet-${i}`, az)),
        ...azs.map((_, i) => nodeGroup([`subnet-${i}`], type)),
    ];

    it("passes node groups whose subnets lie in three zones (component inputs and the aws:eks/nodeGroup shape)", async () => {
        expect(await violations(rule, [cluster(), vpc(zones), ...spread(zones)])).to.deep.equal([]);
        expect(await violations(rule, [resource(T.awsEksCluster, {}), ...spread(zones, T.awsNodeGroup)])).to.deep.equal([]);
    });

    it("fails three subnets in ONE zone: subnets are not zones", async () => {
        const found = await violations(rule, [cluster(), vpc(zones), ...spread(["us-west-2a", "us-west-2a", "us-west-2a"])]);
        expect(found).to.have.length(1);
        expect(found[0]).to.match(
            /node groups run in 1 proven availability zone\(s\) \(us-west-2a\), fewer than 3.*ha-jenkins-eks:availabilityZones/,
        );
    });

    it("does not count existing subnet IDs whose zone the stack does not show", async () => {
        // The program's existing-VPC path: literal subnet IDs, no subnet resource in the stack.
        const found = await violations(rule, [cluster(), ...["subnet-a", "subnet-b", "subnet-c"].map((id) => nodeGroup([id]))]);
        expect(found).to.have.length(1);
        expect(found[0]).to.match(
            /run in 0 proven availability zone\(s\) \(none\).*The zone of subnet-a, subnet-b, subnet-c is not shown by this stack.*aws\.ec2\.Subnet\.get/,
        );
        // Two proven zones plus an unproven subnet are still two.
        const mixed = [
            subnet("subnet-0", "us-west-2a"),
            subnet("subnet-1", "us-west-2b"),
            nodeGroup(["subnet-0"]),
            nodeGroup(["subnet-1"]),
            nodeGroup(["subnet-x"]),
        ];
        expect((await violations(rule, [cluster(), ...mixed])).join()).to.match(
            /2 proven availability zone\(s\) \(us-west-2a, us-west-2b\).*subnet-x/,
        );
    });

    it("counts zones that hold nodes: a group scaled to 0 proves no zone, a group spanning zones only as many as its nodes", async () => {
        const sized = (subnets: string[], scalingConfig: Record<string, number>, type: string = T.managedNodeGroup) =>
            resource(type, { subnetIds: subnets, scalingConfig });
        const subnets = zones.map((az, i) => subnet(`subnet-${i}`, az));
        // Review bypass: one group over the three zones' subnets with a single node.
        const single = await violations(rule, [
            cluster(),
            vpc(zones),
            ...subnets,
            sized(["subnet-0", "subnet-1", "subnet-2"], { minSize: 1, desiredSize: 1, maxSize: 1 }),
        ]);
        expect(single.join()).to.match(/run in 1 proven availability zone\(s\) \(none\), fewer than 3.*keeps 1 node\(s\) over more zones than that/);
        // Review bypass: two of three groups at desired/min size 0 (the aws:eks/nodeGroup shape too).
        for (const type of [T.managedNodeGroup, T.awsNodeGroup]) {
            const scaledDown = [
                sized(["subnet-0"], { minSize: 1, desiredSize: 1, maxSize: 2 }, type),
                sized(["subnet-1"], { minSize: 0, desiredSize: 0, maxSize: 2 }, type),
                sized(["subnet-2"], { minSize: 1, desiredSize: 0, maxSize: 2 }, type),
            ];
            expect((await violations(rule, [cluster(), vpc(zones), ...subnets, ...scaledDown])).join()).to.match(
                /run in 1 proven availability zone\(s\) \(us-west-2a\).*may run no node \(minimum or desired size 0\)/,
            );
        }
        // pulumi-eks self-managed groups: minSize/desiredCapacity.
        const selfManaged = zones.map((_, i) => resource(T.selfManagedNodeGroups[0], { nodeSubnetIds: [`subnet-${i}`], minSize: i === 0 ? 1 : 0 }));
        expect((await violations(rule, [cluster(), ...subnets, ...selfManaged])).join()).to.match(/1 proven availability zone/);
        // A group with a node per zone reaches every zone; unknown sizes wait for `pulumi up`.
        expect(
            await violations(rule, [cluster(), ...subnets, sized(["subnet-0", "subnet-1", "subnet-2"], { minSize: 3, desiredSize: 3, maxSize: 4 })]),
        ).to.deep.equal([]);
        const pending = await evaluate(
            [rule],
            [cluster(), ...subnets, ...zones.map((_, i) => sized([`subnet-${i}`], { minSize: UNKNOWN_STRING as never, desiredSize: 1 }))],
        );
        expect(pending.violations.map((v) => v.enforcementLevel)).to.deep.equal(["advisory"]);
    });

    it("fails a two-zone VPC with two node groups, saying what to set", async () => {
        const found = await violations(rule, [cluster(), vpc(zones.slice(0, 2)), ...spread(zones.slice(0, 2))]);
        expect(found).to.have.length(2);
        expect(found[0]).to.match(/subnets span 2 availability zone\(s\) \(us-west-2a, us-west-2b\), fewer than 3/);
        expect(found[1]).to.match(/node groups run in 2 proven availability zone/);
    });

    it("takes the zone a launch template pins, and the zones an autoscaling group names", async () => {
        const template = resource(T.launchTemplate, { id: "lt-1", placement: { availabilityZone: "us-west-2a" } }, { name: "pinned" });
        const pinned = spread(zones).map((r) =>
            r.type === T.managedNodeGroup ? { ...r, inputs: { ...r.inputs, launchTemplate: { id: "lt-1" } } } : r,
        );
        expect((await violations(rule, [cluster(), template, ...pinned])).join()).to.match(/1 proven availability zone\(s\) \(us-west-2a\)/);
        const asg = resource(T.autoScalingGroup, { availabilityZones: zones, minSize: 3, desiredCapacity: 3 });
        expect(await violations(rule, [cluster(), asg])).to.deep.equal([]);
    });

    it("gives a node group without subnetIds the cluster's subnets, as pulumi-eks does", async () => {
        const ids = ["subnet-0", "subnet-1", "subnet-2"];
        const withSubnets = cluster({ privateSubnetIds: ids });
        const bare = resource(T.managedNodeGroup, { scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 4 } });
        expect(await violations(rule, [withSubnets, ...zones.map((az, i) => subnet(ids[i], az)), bare])).to.deep.equal([]);
        const oneZone = ids.map((id) => subnet(id, "us-west-2a"));
        expect((await violations(rule, [withSubnets, ...oneZone, bare])).join()).to.match(/1 proven availability zone/);
    });

    it("judges a pulumi-eks group by its aws:eks/nodeGroup child when a real preview shows it", async () => {
        const component = resource(T.managedNodeGroup, { subnetIds: ["subnet-x"] }, { name: "storage-a" });
        const child = resource(
            T.awsNodeGroup,
            { subnetIds: ["subnet-0"], scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 2 } },
            {
                name: "storage-a",
                options: {
                    urn: `urn:pulumi:test::ha-jenkins-eks::${T.managedNodeGroup}$${T.awsNodeGroup}::storage-a`,
                    parent: component.options!.urn,
                    dependencies: [],
                },
            },
        );
        const found = await violations(rule, [cluster(), subnet("subnet-0", "us-west-2a"), component, child]);
        expect(found.join()).to.match(/1 proven availability zone\(s\) \(us-west-2a\)/);
        expect(found.join()).not.to.match(/not shown/);
    });

    it("during a preview: advisory while the subnets are unknown, mandatory once the known zones alone fall short", async () => {
        const unknownGroups = [0, 1, 2].map(() => nodeGroup(UNKNOWN_ARRAY));
        const preview = await evaluate(
            [rule],
            [cluster(), vpc(zones), ...zones.map((az) => resource(T.subnet, { id: UNKNOWN_STRING, availabilityZone: az })), ...unknownGroups],
        );
        expect(preview.violations).to.have.length(1);
        expect(preview.violations[0].enforcementLevel).to.equal("advisory");
        expect(preview.violations[0].message).to.match(
            /can't run policy 'eks-nodes-span-three-azs' during preview: .*not known yet — judged again at the end of pulumi up/,
        );
        // The VPC's known zones are judged meanwhile, mandatory.
        const narrow = await evaluate([rule], [cluster(), vpc(zones.slice(0, 1)), ...unknownGroups]);
        expect(narrow.violations.map((v) => v.enforcementLevel)).to.deep.equal(["mandatory", "advisory"]);
        // A subnet whose zone AWS will pick is unknown too: not proof, not yet a failure.
        const computed = await evaluate([rule], [cluster(), subnet("subnet-0", UNKNOWN_STRING), nodeGroup(["subnet-0"])]);
        expect(computed.violations.map((v) => v.enforcementLevel)).to.deep.equal(["advisory"]);
    });

    it("fails a cluster without node groups, honours minAvailabilityZones, and is not applicable without a cluster", async () => {
        expect((await violations(rule, [cluster(), vpc(zones)])).join()).to.match(/no node groups/);
        const four = await violations(rule, [cluster(), vpc(zones), ...spread(zones)], { config: { [rule.name]: { minAvailabilityZones: 4 } } });
        expect(four).to.have.length(2);
        expect(await notApplicable(rule, [vpc(zones)])).to.equal(true);
    });
});
