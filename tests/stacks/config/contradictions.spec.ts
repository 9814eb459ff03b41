/**
 * Keys that contradict each other, or that the stack would ignore, are reported instead of resolved silently
 * (stacks/config/contradictions.ts for what only the reader can see, the components for the rest).
 */
import { expect } from "chai";
import { ConfigError } from "../../../components/shared/errors";
import { loadConfig } from "../../../stacks/config";
import { thrown } from "../../support/fixtures";
import { useStack } from "../../support/mocks";
import { stackConfig } from "../../support/stacks";

const K = (key: string) => `ha-jenkins-eks:${key}`;
const SUBNETS = '["subnet-0a0a0a0a0a0a0a0a1","subnet-0a0a0a0a0a0a0a0a2","subnet-0a0a0a0a0a0a0a0a3"]';
const VPC = { [K("vpcId")]: "vpc-0123456789abcdef0", [K("privateSubnetIds")]: SUBNETS };

/** The problem loadConfig reports for `key` when the shipped stack gets `config` on top. */
function problem(stack: "dev" | "dr", config: Record<string, string>, key: string, secretKeys: string[] = []): string {
    const shipped = stackConfig(stack);
    useStack(stack, { ...shipped.config, ...config }, [...shipped.secretKeys, ...secretKeys]);
    const e = thrown(() => loadConfig());
    expect(e, e.message).to.be.instanceOf(ConfigError);
    const found = (e as ConfigError).problems.find((p) => p.key === K(key));
    expect(found, `no problem names ${key}: ${e.message}`).to.not.equal(undefined);
    return found!.message;
}

describe("contradictions", () => {
    after(() => useStack("dev", { "aws:region": "us-west-2" }));

    it("azCount with availabilityZones, even when they agree", () => {
        for (const n of ["3", "4"]) {
            expect(problem("dev", { [K("azCount")]: n }, "azCount")).to.contain(
                "availabilityZones decides the zones and their number; azCount only says how many to look up when no list is given. Remove one of the two.",
            );
        }
    });

    it("vpcCidr and natGateways with vpcId (no VPC is created)", () => {
        expect(problem("dev", { ...VPC, [K("vpcCidr")]: "10.1.0.0/16" }, "vpcCidr")).to.contain("With vpcId the stack creates no VPC");
        expect(problem("dev", { ...VPC, [K("natGateways")]: "Single" }, "natGateways")).to.contain("no NAT gateway");
        // The default NAT strategy (always present from Pulumi.yaml) is no contradiction.
        const shipped = stackConfig("dev");
        useStack("dev", { ...shipped.config, ...VPC, [K("natGateways")]: "OnePerAz" });
        expect(() => loadConfig()).to.not.throw();
    });

    it("subnets without vpcId", () => {
        expect(problem("dev", { [K("privateSubnetIds")]: SUBNETS }, "privateSubnetIds")).to.contain("Subnets are used only in an existing VPC");
        expect(problem("dev", { [K("publicSubnetIds")]: SUBNETS }, "publicSubnetIds")).to.contain("set vpcId too");
    });

    it("IOPS and throughput on a volume type that ignores them (also for library users: LinstorCluster)", () => {
        expect(problem("dev", { [K("dataVolumeType")]: "gp2", [K("dataVolumeIops")]: "3000" }, "dataVolumeIops")).to.contain(
            "A gp2 volume has no provisioned IOPS",
        );
        for (const type of ["gp2", "io1", "io2"]) {
            expect(problem("dev", { [K("dataVolumeType")]: type, [K("dataVolumeThroughputMiBps")]: "250" }, "dataVolumeThroughputMiBps")).to.contain(
                `Only gp3 takes a provisioned throughput; a ${type} volume ignores it`,
            );
        }
        // Unset, they are the gp3 baseline, and io1 keeps its IOPS.
        const shipped = stackConfig("dev");
        for (const extra of [{ [K("dataVolumeType")]: "gp2" }, { [K("dataVolumeType")]: "io1", [K("dataVolumeIops")]: "3000" }]) {
            useStack("dev", { ...shipped.config, ...extra });
            expect(() => loadConfig()).to.not.throw();
        }
    });

    it("drbd.io credentials on the Piraeus distribution", () => {
        expect(problem("dev", { [K("drbdIoUsername")]: "acme" }, "drbdIoUsername")).to.contain("Only the LINBIT distribution");
        const msg = problem("dev", { [K("drbdIoPassword")]: "pw" }, "drbdIoPassword", [K("drbdIoPassword")]);
        expect(msg).to.contain("(secret value hidden)").and.not.contain('"pw"');
    });

    it("instanceMemoryMiB that disagrees with the type's known memory", () => {
        expect(problem("dev", { [K("instanceMemoryMiB")]: "4096" }, "instanceMemoryMiB")).to.contain("m6i.large has 8192 MiB");
    });

    it("source ranges of a Service that is not a load balancer", () => {
        const ranges = '["198.51.100.0/24"]';
        expect(problem("dev", { [K("jenkinsLoadBalancerSourceRanges")]: ranges }, "jenkinsLoadBalancerSourceRanges")).to.contain(
            "Only a load balancer has source ranges",
        );
        expect(problem("dev", { [K("grafanaLoadBalancerSourceRanges")]: ranges }, "grafanaLoadBalancerSourceRanges")).to.contain(
            "Only a load balancer has source ranges",
        );
    });

    it("keys of the other role", () => {
        expect(problem("dev", { [K("primaryStack")]: "acme/ha-jenkins-eks/dev" }, "primaryStack")).to.contain(
            "Only a DR stack (role: dr) reads this key",
        );
        expect(problem("dev", { [K("drSnapshotsEnabled")]: "true" }, "drSnapshotsEnabled")).to.contain("Only a DR stack");
        for (const [key, value] of [
            ["snapshotBucketRegion", "eu-west-1"],
            ["snapshotBucketObjectLockMode", "GOVERNANCE"],
            ["restoreFromSnapshot", "pre-upgrade"],
            ["snapshotBucketNoncurrentVersionDays", "60"],
        ]) {
            expect(problem("dr", { [K(key)]: value }, key), key).to.contain("A DR stack creates no bucket");
        }
    });

    it("Jenkins settings a DR stack takes from the primary", () => {
        for (const [key, value] of [
            ["jenkinsImageTag", "2.570"],
            ["jenkinsPlugins", '["git:5.10.1"]'],
            ["jenkinsNamespace", "ci"],
        ]) {
            expect(problem("dr", { [K(key)]: value }, key), key).to.contain("A DR stack runs the primary's Jenkins");
        }
    });

    it("Object Lock half set: the error names the missing key, not the one given", () => {
        expect(problem("dev", { [K("snapshotBucketObjectLockMode")]: "GOVERNANCE" }, "snapshotBucketObjectLockDays")).to.equal(
            "Invalid value for ha-jenkins-eks:snapshotBucketObjectLockDays: (not set). snapshotBucketObjectLockMode is set: Object Lock " +
                "needs both snapshotBucketObjectLockMode (GOVERNANCE or COMPLIANCE) and snapshotBucketObjectLockDays.",
        );
        expect(problem("dev", { [K("snapshotBucketObjectLockDays")]: "30" }, "snapshotBucketObjectLockMode")).to.contain(
            "(not set). snapshotBucketObjectLockDays is set",
        );
    });
});
