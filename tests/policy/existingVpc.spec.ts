/**
 * The pack over a stack on an existing VPC (vpcId + one private subnet per zone): LinstorCluster reads each subnet
 * (aws.ec2.Subnet.get), so the stack shows each subnet's availabilityZone and eks-nodes-span-three-azs can prove the
 * zones; the invoke the program checks them with (stacks/zones.ts) is invisible to CrossGuard.
 */
import { expect } from "chai";
import type { RecordedResource } from "../../policy/offline";
import * as P from "../../policy/policies";
import { cloneRecords, crossGuardViolations, packViolations } from "../support/policyHarness";
import { evaluatedDev } from "../support/stackEvaluation";
import { T } from "./fixtures";

const K = (key: string) => `ha-jenkins-eks:${key}`;
const VPC = "vpc-0123456789abcdef0";
const SUBNETS = ["subnet-0a0a0a0a0a0a0a0a1", "subnet-0a0a0a0a0a0a0a0a2", "subnet-0a0a0a0a0a0a0a0a3"];
/** The mock cloud places configured subnets where the config says (mockCloud.ts configuredSubnet): one per zone. */
const EXISTING_VPC = { [K("vpcId")]: VPC, [K("privateSubnetIds")]: JSON.stringify(SUBNETS) };

describe("the pack over a stack on an existing VPC", () => {
    let records: RecordedResource[];
    let stackConfig: Record<string, string>;

    before(async () => {
        const dev = await evaluatedDev(EXISTING_VPC);
        stackConfig = dev.config;
        records = cloneRecords(dev.records);
    });

    const run = (recs: RecordedResource[]) => packViolations(recs, { stack: "dev", stackConfig });
    const reads = (recs: RecordedResource[]) => recs.filter((r) => r.type === T.subnet);

    it("reads each existing subnet, with the zone and VPC the provider would return, and creates no VPC", () => {
        expect(records.some((r) => r.type === T.vpc)).to.equal(false);
        expect(reads(records).map((r) => [r.id, r.options, r.outputs?.availabilityZone, r.outputs?.vpcId])).to.deep.equal(
            SUBNETS.map((id, i) => [id, undefined, ["us-west-2a", "us-west-2b", "us-west-2c"][i], VPC]),
        );
    });

    it("passes: three subnets in three zones, proven by the reads (offline runner and CrossGuard's own handlers)", async () => {
        expect((await run(records)).map((v) => `${v.policyName}: ${v.message}`)).to.deep.equal([]);
        expect(await crossGuardViolations(records, { stack: "dev", stackConfig })).to.deep.equal([]);
    });

    it("fails three subnets in one zone", async () => {
        // The program refuses this config before registering anything (stacks/zones.ts); the pack must not rely on that,
        // so the reads are edited as if the subnets were all in one zone.
        const oneZone = cloneRecords(records);
        for (const r of reads(oneZone)) r.outputs.availabilityZone = "us-west-2a";
        const found = await run(oneZone);
        expect(found.map((v) => v.policyName)).to.deep.equal([P.nodesSpanZones.name, P.nodesSpanZones.name]);
        expect(found[0].message).to.match(/The VPC's subnets span 1 availability zone\(s\) \(us-west-2a\), fewer than 3/);
        expect(found[1].message).to.match(/The node groups run in 1 proven availability zone\(s\) \(us-west-2a\), fewer than 3/);
        const handlers = await crossGuardViolations(oneZone, { stack: "dev", stackConfig });
        expect(handlers.map((v) => v.policyName)).to.deep.equal([P.nodesSpanZones.name, P.nodesSpanZones.name]);
    });

    it("fails without the reads: subnet IDs alone prove no zone", async () => {
        const found = await run(records.filter((r) => r.type !== T.subnet));
        expect(found.map((v) => v.policyName)).to.deep.equal([P.nodesSpanZones.name]);
        expect(found[0].message).to.match(/0 proven availability zone\(s\).*The zone of subnet-0a0a0a0a0a0a0a0a1, .* is not shown by this stack/);
    });

    it("adds no subnet read to the shipped dev stack, which creates its VPC (its URN baseline stays)", async () => {
        const shipped = await evaluatedDev();
        expect(shipped.records.some((r) => r.type === T.subnet)).to.equal(false);
        expect(shipped.records.some((r) => r.type === T.vpc)).to.equal(true);
    });
});
