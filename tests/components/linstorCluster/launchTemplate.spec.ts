/** LinstorCluster's storage-node launch template: encrypted volumes, IMDSv2, the AMI and its user data. */
import { expect } from "chai";
import { one } from "../../support/mocks";
import { build, decodedUserData } from "./fixtures";

describe("LinstorCluster", () => {
    describe("launch template", () => {
        before(async () => {
            await build();
        });

        it("adds encrypted gp3 data and metadata volumes next to an encrypted root", () => {
            const lt = one("aws:ec2/launchTemplate:LaunchTemplate");
            expect(lt.inputs.blockDeviceMappings).to.deep.equal([
                { deviceName: "/dev/xvda", ebs: { volumeSize: 50, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
                {
                    deviceName: "/dev/sdf",
                    ebs: { volumeSize: 200, volumeType: "gp3", iops: 3000, throughput: 125, encrypted: "true", deleteOnTermination: "true" },
                },
                { deviceName: "/dev/sdg", ebs: { volumeSize: 4, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
            ]);
        });

        it("requires IMDSv2 with hop limit 1", () => {
            const lt = one("aws:ec2/launchTemplate:LaunchTemplate");
            expect(lt.inputs.metadataOptions).to.deep.equal({
                httpEndpoint: "enabled",
                httpTokens: "required",
                httpPutResponseHopLimit: 1,
                instanceMetadataTags: "disabled",
            });
        });

        it("uses the AL2023 EKS AMI of the pinned Kubernetes version with matching user data", () => {
            const lt = one("aws:ec2/launchTemplate:LaunchTemplate");
            expect(lt.inputs.imageId).to.equal("ami-0123456789abcdef0");
            expect(lt.inputs.instanceType).to.equal("m6i.large");
            const ud = decodedUserData();
            expect(ud).to.contain("kind: NodeConfig");
            expect(ud).to.contain("    name: hje-test");
            expect(ud).to.contain("    apiServerEndpoint: https://hje-test.gr7.eks.amazonaws.com");
            expect(ud).to.contain("    cidr: 172.20.0.0/16");
            expect(ud).to.contain("kernel6.12-devel");
            expect(ud).to.contain('SYMLINK+="%c"');
        });

        it("passes a customer KMS key to every volume when configured", async () => {
            const key = "arn:aws:kms:us-west-2:123456789012:key/abcd";
            await build({ ebsKmsKeyArn: key });
            const lt = one("aws:ec2/launchTemplate:LaunchTemplate");
            expect(lt.inputs.blockDeviceMappings, "root, data and metadata volumes").to.have.length(3);
            for (const m of lt.inputs.blockDeviceMappings) expect(m.ebs.kmsKeyId, m.deviceName).to.equal(key);
        });
    });
});
