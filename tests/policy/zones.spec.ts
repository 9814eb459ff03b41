/** policy/rules/zones.ts: the EKS nodes span three availability zones. */
import { expect } from "chai";
import * as P from "../../policy/policies";
import { notApplicable, resource, violations } from "../support/policyHarness";
import { cluster, nodeGroup, T, UNKNOWN_ARRAY, vpc } from "./fixtures";

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
        const subnets = [
            ["subnet-a1", "us-west-2a"],
            ["subnet-a2", "us-west-2a"],
            ["subnet-b", "us-west-2b"],
            ["subnet-c", "us-west-2c"],
        ].map(([id, az]) => resource(T.subnet, { id, availabilityZone: az }));
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
        const four = await violations(rule, [cluster(), vpc(zones), ...[0, 1, 2].map((i) => nodeGroup([`subnet-${i}`]))], {
            config: { [rule.name]: { minAvailabilityZones: 4 } },
        });
        expect(four).to.have.length(2);
        expect(await notApplicable(rule, [vpc(zones)])).to.equal(true);
    });
});
