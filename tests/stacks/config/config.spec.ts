import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { validateLinstorClusterSettings } from "../../../components/linstorCluster/settings";
import { loadConfig, projectKey, validateAcrossSections } from "../../../stacks/config";
import { linstorClusterArgs } from "../../../stacks/wiring";
import { resolveAvailabilityZones } from "../../../stacks/zones";
import { isSecret, outputValue, setAvailableZones, useStack } from "../../support/mocks";
import { QUICK_START_API_ACCESS } from "../../support/stacks";

const K = (key: string) => `ha-jenkins-eks:${key}`;
const base = { "aws:region": "us-west-2", ...QUICK_START_API_ACCESS };

/** Loads and validates config the way the stack does; resolves to the validated args or rejects. */
async function evaluate(config: Record<string, string>, secretKeys: string[] = []) {
    useStack("dev", { ...base, ...config }, secretKeys);
    const cfg = loadConfig();
    const args = linstorClusterArgs(cfg, await resolveAvailabilityZones(cfg));
    validateLinstorClusterSettings(args, projectKey);
    validateAcrossSections(cfg);
    return args;
}

async function rejection(config: Record<string, string>, secretKeys: string[] = []): Promise<string> {
    try {
        await evaluate(config, secretKeys);
    } catch (e) {
        return (e as Error).message;
    }
    throw new Error(`config ${JSON.stringify(config)} was accepted`);
}

describe("stack config", () => {
    after(() => setAvailableZones(undefined));

    it("applies documented defaults", async () => {
        const args = await evaluate({});
        expect(args.availabilityZones).to.deep.equal(["us-west-2a", "us-west-2b", "us-west-2c"]);
        expect(args.namePrefix).to.equal("hje-dev");
        expect(args.nodesPerAz).to.equal(1);
        expect(args.instanceType).to.equal("m6i.large");
        expect(args.dataVolumeSizeGiB).to.equal(200);
        expect(args.storageClassReplicas).to.deep.equal([1, 2, 3]);
        expect(args.linstorDistribution).to.equal("piraeus");
        expect(args.kubernetesVersion).to.equal("1.35");
        expect(args.apiPrivateAccessCidrs).to.deep.equal([]);
        expect(args.apiPrivateAccessSecurityGroupIds).to.deep.equal([]);
    });

    it("refuses a stack with no way to reach the Kubernetes API, naming the three keys", async () => {
        useStack("dev", { "aws:region": "us-west-2" });
        const msg = await rejection({ [K("apiPublicAccessCidrs")]: "[]" });
        expect(msg).to.match(/^Invalid value for ha-jenkins-eks:apiPublicAccessCidrs: \[\]\. Choose how pulumi and kubectl reach the Kubernetes API/);
        expect(msg).to.contain("ha-jenkins-eks:apiPrivateAccessCidrs").and.to.contain("ha-jenkins-eks:apiPrivateAccessSecurityGroupIds");
        for (const chosen of [
            { [K("apiPublicAccessCidrs")]: "[]", [K("apiPrivateAccessCidrs")]: '["10.20.0.0/16"]' },
            { [K("apiPublicAccessCidrs")]: "[]", [K("apiPrivateAccessSecurityGroupIds")]: '["sg-0123456789abcdef0"]' },
        ]) {
            expect((await evaluate(chosen)).apiPublicAccessCidrs).to.deep.equal([]);
        }
        expect(await rejection({ [K("apiPrivateAccessSecurityGroupIds")]: '["vpc-0123456789abcdef0"]' })).to.match(
            /apiPrivateAccessSecurityGroupIds: "vpc-0123456789abcdef0"\. Use a security group ID/,
        );
        const many = JSON.stringify(Array.from({ length: 41 }, (_, i) => `198.51.${i}.0/24`));
        expect(await rejection({ [K("apiPublicAccessCidrs")]: many })).to.match(/at most 40 public access CIDRs; this list has 41/);
        expect(await rejection({ [K("apiPrivateAccessCidrs")]: '["0.0.0.0/0"]' })).to.match(/apiPrivateAccessCidrs: \["0\.0\.0\.0\/0"\]\. Refusing/);
    });

    it("reads lists, maps and secrets in their stack-file forms", async () => {
        const args = await evaluate(
            {
                [K("availabilityZones")]: '["us-west-2b","us-west-2c","us-west-2d"]',
                [K("apiPublicAccessCidrs")]: '["198.51.100.0/24"]',
                [K("tags")]: '{"team":"platform"}',
                [K("linstorDistribution")]: "linbit",
                [K("drbdIoUsername")]: "acme",
                [K("drbdIoPassword")]: "pw",
                // LINBIT 2.10.0's linstor-csi is unknown (operatorReleases.ts): max-increments would be refused.
                [K("snapshotAllowIncremental")]: "false",
            },
            [K("drbdIoPassword")],
        );
        expect(args.availabilityZones).to.deep.equal(["us-west-2b", "us-west-2c", "us-west-2d"]);
        expect(args.tags).to.deep.equal({ team: "platform" });
        // The value of this key, kept secret (a missing one would already have failed the LINBIT check above).
        expect(await outputValue(args.drbdIoPassword!)).to.equal("pw");
        expect(await isSecret(pulumi.output(args.drbdIoPassword!))).to.equal(true);
    });

    const cases: [string, Record<string, string>, RegExp][] = [
        [
            "fewer than 3 AZs",
            { [K("availabilityZones")]: '["us-west-2a","us-west-2b"]' },
            /ha-jenkins-eks:availabilityZones: \["us-west-2a","us-west-2b"\]\. Need at least 3 distinct/,
        ],
        ["an azCount below 3", { [K("azCount")]: "2" }, /ha-jenkins-eks:azCount: 2\. Must be an integer from 3 to 6/],
        ["duplicate AZs", { [K("availabilityZones")]: '["us-west-2a","us-west-2a","us-west-2b"]' }, /ha-jenkins-eks:availabilityZones.*3 distinct/],
        [
            "AZs of another region",
            { [K("availabilityZones")]: '["us-east-1a","us-east-1b","us-east-1c"]' },
            /ha-jenkins-eks:availabilityZones.*region us-west-2/,
        ],
        [
            "more replicas than AZs",
            { [K("storageClassReplicas")]: "[1,2,3,4]" },
            /ha-jenkins-eks:storageClassReplicas: 4\. Must be an integer from 1 to 3 \(replicas are spread over distinct zones/,
        ],
        ["nodes per AZ below 1", { [K("nodesPerAz")]: "0" }, /ha-jenkins-eks:nodesPerAz: 0/],
        [
            "an instance type too small for DRBD",
            { [K("instanceType")]: "t3.small" },
            /ha-jenkins-eks:instanceType: "t3.small"\. It has 2048 MiB.*needs at least \d+ MiB/,
        ],
        [
            "a large volume on a small node",
            {
                [K("instanceType")]: "c5.large",
                [K("dataVolumeSizeGiB")]: "65536",
                [K("dataVolumeIops")]: "16000",
                [K("metadataVolumeSizeGiB")]: "64",
            },
            /ha-jenkins-eks:instanceType: "c5.large"\. It has 4096 MiB/,
        ],
        ["an instance type of unknown memory", { [K("instanceType")]: "im4gn.large" }, /ha-jenkins-eks:instanceMemoryMiB.*set instanceMemoryMiB/],
        [
            "a data volume above the EBS maximum",
            { [K("dataVolumeSizeGiB")]: "70000" },
            /ha-jenkins-eks:dataVolumeSizeGiB: 70000\. A gp3 volume must be .* from 1 to 65536/,
        ],
        ["a data volume of 0 GiB", { [K("dataVolumeSizeGiB")]: "0" }, /ha-jenkins-eks:dataVolumeSizeGiB: 0/],
        ["too many IOPS", { [K("dataVolumeIops")]: "90000" }, /ha-jenkins-eks:dataVolumeIops: 90000/],
        [
            "a metadata volume too small for the data",
            { [K("dataVolumeSizeGiB")]: "20000", [K("metadataVolumeSizeGiB")]: "4" },
            /ha-jenkins-eks:metadataVolumeSizeGiB: 4\. External metadata for 20000 GiB .* needs 4775 MiB; use at least 5 GiB/,
        ],
        [
            "io1 IOPS above 50 per GiB",
            { [K("dataVolumeType")]: "io1", [K("dataVolumeIops")]: "6000", [K("dataVolumeSizeGiB")]: "100" },
            /ha-jenkins-eks:dataVolumeIops: 6000\. A io1 volume takes 100 to 64000 IOPS and at most 50 IOPS per GiB \(5000 for 100 GiB\)/,
        ],
        ["an io2 metadata volume", { [K("metadataVolumeType")]: "io2" }, /ha-jenkins-eks:metadataVolumeType: "io2"\. Allowed: gp3, gp2/],
        [
            "a StorageClass prefix LINSTOR cannot name a resource group after",
            { [K("storageClassPrefix")]: "1-replicated" },
            /ha-jenkins-eks:storageClassPrefix: "1-replicated"\. Use a DNS-1123 label: at most 36 .*starting with a letter/,
        ],
        [
            "an ACM certificate from another region",
            {
                [K("jenkinsServiceType")]: "LoadBalancer",
                [K("jenkinsLoadBalancerSourceRanges")]: '["10.0.0.0/16"]',
                [K("jenkinsTlsCertificateArn")]: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000",
            },
            /ha-jenkins-eks:jenkinsTlsCertificateArn: .*own region us-west-2 \(this one is in us-east-1\)/,
        ],
        [
            "an EBS KMS key from another region",
            { [K("ebsKmsKeyArn")]: "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d" },
            /ha-jenkins-eks:ebsKmsKeyArn: .*cluster's region us-west-2/,
        ],
        ["an unknown volume type", { [K("dataVolumeType")]: "st1" }, /ha-jenkins-eks:dataVolumeType: "st1"\. Allowed: gp3, gp2, io1, io2/],
        [
            "a malformed Kubernetes version",
            { [K("kubernetesVersion")]: "v1.35.2" },
            /ha-jenkins-eks:kubernetesVersion: "v1.35.2"\. Use a Kubernetes minor version/,
        ],
        ["a malformed VPC CIDR", { [K("vpcCidr")]: "10.0.0.0/33" }, /ha-jenkins-eks:vpcCidr: "10.0.0.0\/33"/],
        ["a CIDR with host bits", { [K("apiPublicAccessCidrs")]: '["198.51.100.7/24"]' }, /ha-jenkins-eks:apiPublicAccessCidrs: "198.51.100.7\/24"/],
        [
            "an API open to the world without opt-in",
            { [K("apiPublicAccessCidrs")]: '["0.0.0.0/0"]' },
            /ha-jenkins-eks:apiPublicAccessCidrs: \["0.0.0.0\/0"\]\. Refusing to open the Kubernetes API to the internet: together these ranges cover 100 % of the public IPv4 space/,
        ],
        [
            "an unknown LINSTOR distribution",
            { [K("linstorDistribution")]: "rook" },
            /ha-jenkins-eks:linstorDistribution: "rook"\. Allowed: piraeus, linbit/,
        ],
        ["LINBIT without drbd.io credentials", { [K("linstorDistribution")]: "linbit" }, /ha-jenkins-eks:drbdIoUsername.*drbd\.io/],
        [
            "LINBIT without the drbd.io password",
            { [K("linstorDistribution")]: "linbit", [K("drbdIoUsername")]: "acme" },
            /ha-jenkins-eks:drbdIoPassword/,
        ],
        ["a non-integer", { [K("nodesPerAz")]: "two" }, /ha-jenkins-eks:nodesPerAz: "two"\. Must be an integer/],
        ["a non-boolean", { [K("drbdDisableFlushes")]: "yes" }, /ha-jenkins-eks:drbdDisableFlushes: "yes"\. Must be true or false/],
        ["an unknown role", { [K("role")]: "standby" }, /ha-jenkins-eks:role: "standby"\. Allowed: primary, dr/],
        ["an empty region", { "aws:region": "" }, /aws:region: ""\. An empty value is not the default/],
        ["a range in a chart version", { [K("piraeusOperatorChartVersion")]: "^2.10" }, /ha-jenkins-eks:piraeusOperatorChartVersion.*Pin an exact/],
        [
            "existing VPC without one subnet per AZ",
            { [K("vpcId")]: "vpc-0123456789abcdef0", [K("privateSubnetIds")]: '["subnet-0123456789abcdef0"]' },
            /ha-jenkins-eks:privateSubnetIds.*exactly one private subnet per availability zone \(3\)/,
        ],
        ["an IMDS hop limit of 3", { [K("imdsHopLimit")]: "3" }, /ha-jenkins-eks:imdsHopLimit: 3/],
        [
            "Jenkins on a class the stack does not create",
            { [K("storageClassReplicas")]: "[1,2]" },
            /ha-jenkins-eks:jenkinsStorageClassReplicas: 3\. Jenkins needs one of the StorageClasses this stack creates \(storageClassReplicas: 1, 2\)/,
        ],
        [
            "Jenkins larger than a node's data pool",
            { [K("jenkinsStorageSize")]: "500Gi" },
            /ha-jenkins-eks:dataVolumeSizeGiB: \d+\. .*Jenkins claim 500 GiB.*lower ha-jenkins-eks:jenkinsStorageSize/,
        ],
        [
            "an open Jenkins load balancer without opt-in",
            { [K("jenkinsServiceType")]: "LoadBalancer", [K("jenkinsLoadBalancerSourceRanges")]: '["0.0.0.0/0"]' },
            /ha-jenkins-eks:jenkinsLoadBalancerSourceRanges/,
        ],
        [
            "Jenkins on fewer than 3 replicas without opt-in",
            { [K("jenkinsStorageClassReplicas")]: "2" },
            /ha-jenkins-eks:jenkinsStorageClassReplicas: 2/,
        ],
        ["a bad satellite deletion policy", { [K("satelliteDeletionPolicy")]: "Drain" }, /Allowed: Retain, Delete \(Evacuate is refused/],
    ];
    for (const [what, config, message] of cases) {
        it(`rejects ${what}, naming the key`, async () => {
            expect(await rejection(config)).to.match(message);
        });
    }

    it("rejects a region with fewer than 3 AZs", async () => {
        setAvailableZones(["us-west-1b", "us-west-1c"]);
        const msg = await rejection({ "aws:region": "us-west-1" });
        expect(msg).to.match(/ha-jenkins-eks:azCount: 3\. Region us-west-1 offers only 2 availability zones \(us-west-1b, us-west-1c\)/);
    });
});
