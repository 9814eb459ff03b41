import { expect } from "chai";
import { validateLinstorClusterSettings } from "../../../components/linstorCluster/settings";
import { checkUpgrade, compareSemver, nodeAmiToRun } from "../../../components/linstorCluster/versions";
import { loadConfig } from "../../../stacks/config";
import { deployPrimary } from "../../../stacks/primary";
import { clusterSettings, thrown } from "../../support/fixtures";
import { one, outputValue, recorded, resetRecords, settle, stackOutputs, useStack } from "../../support/mocks";
import { stackConfig } from "../../support/stacks";

const key = (f: string) => `ha-jenkins-eks:${f}`;
const requested = { kubernetesVersion: "1.35", linstorDistribution: "piraeus", linstorOperatorChartVersion: "2.10.7" };

describe("upgrade guard rails", () => {
    it("orders versions like semver", () => {
        expect(compareSemver("2.10.7", "2.9.0")).to.equal(1);
        expect(compareSemver("2.10.0", "2.10.0")).to.equal(0);
        expect(compareSemver("2.11.0-rc.1", "2.11.0")).to.equal(-1);
        expect(compareSemver("v2.10.1", "2.10.0")).to.equal(1);
    });

    it("allows a first deployment, a no-op and a one-minor step", () => {
        checkUpgrade({}, requested, key);
        checkUpgrade({ ...requested }, requested, key);
        checkUpgrade({ kubernetesVersion: "1.34", linstorDistribution: "piraeus", linstorOperatorChartVersion: "2.9.0" }, requested, key);
    });

    it("refuses a Kubernetes minor-version skip and a downgrade", () => {
        expect(thrown(() => checkUpgrade({ kubernetesVersion: "1.33" }, requested, key)).message).to.equal(
            'Invalid value for ha-jenkins-eks:kubernetesVersion: "1.35". The cluster runs 1.33; upgrade one minor version at a time (next: 1.34).',
        );
        expect(thrown(() => checkUpgrade({ kubernetesVersion: "1.36" }, requested, key)).message).to.match(/EKS cannot downgrade/);
    });

    it("refuses an operator downgrade and an in-place distribution switch", () => {
        expect(
            thrown(() => checkUpgrade({ linstorDistribution: "piraeus", linstorOperatorChartVersion: "2.11.0" }, requested, key)).message,
        ).to.match(
            /ha-jenkins-eks:piraeusOperatorChartVersion: "2\.10\.7"\. The cluster runs operator chart 2\.11\.0; operator downgrades are not supported/,
        );
        expect(thrown(() => checkUpgrade({ linstorDistribution: "linbit", linstorOperatorChartVersion: "2.10.0" }, requested, key)).message).to.match(
            /ha-jenkins-eks:linstorDistribution: "piraeus"\. The cluster runs linbit/,
        );
    });

    describe("in the stack (reading its own last outputs)", () => {
        const self = "organization/ha-jenkins-eks/dev";
        afterEach(() => {
            delete stackOutputs[self];
        });

        async function rejection(overrides: Record<string, string> = {}): Promise<string | undefined> {
            const { config, secretKeys } = stackConfig("dev");
            useStack("dev", { ...config, ...overrides }, secretKeys);
            resetRecords();
            try {
                await deployPrimary(loadConfig());
            } catch (e) {
                return (e as Error).message;
            }
            return undefined;
        }

        it("refuses a skip before creating anything but the self-reference", async () => {
            stackOutputs[self] = { kubernetesVersion: "1.33", linstorDistribution: "piraeus", linstorOperatorChartVersion: "2.10.7" };
            expect(await rejection()).to.match(/ha-jenkins-eks:kubernetesVersion.*next: 1\.34/);
            expect(recorded.map((r) => r.type)).to.deep.equal(["pulumi:pulumi:StackReference"]);
            expect(recorded[0].inputs.name).to.equal(self);
        });

        it("passes when the last deployment is one minor behind", async () => {
            stackOutputs[self] = { kubernetesVersion: "1.34", linstorDistribution: "piraeus", linstorOperatorChartVersion: "2.10.7" };
            expect(await rejection()).to.equal(undefined);
        });

        const deployedNetwork = (zones: string[]) =>
            JSON.stringify({ availabilityZones: zones, vpcId: null, privateSubnetIds: null, vpcCidr: "10.0.0.0/16" });
        const deployed = (zones: string[]) => ({
            kubernetesVersion: "1.35",
            linstorDistribution: "piraeus",
            linstorOperatorChartVersion: "2.10.7",
            storageNetwork: deployedNetwork(zones),
        });

        it("refuses a change that would replace every storage node group at once (their subnets), naming the key", async () => {
            stackOutputs[self] = deployed(["us-west-2a", "us-west-2b", "us-west-2d"]);
            const msg = await rejection();
            expect(msg).to.match(
                /^Invalid value for ha-jenkins-eks:availabilityZones: \["us-west-2a","us-west-2b","us-west-2c"\]\. This stack runs its storage nodes in \["us-west-2a","us-west-2b","us-west-2d"\]/,
            );
            expect(msg).to.contain("replaces every storage node group at once");
            expect(recorded.map((r) => r.type)).to.deep.equal(["pulumi:pulumi:StackReference"]);
            stackOutputs[self] = deployed(["us-west-2a", "us-west-2b", "us-west-2c"]);
            expect(await rejection()).to.equal(undefined);
            expect(await rejection({ "ha-jenkins-eks:vpcCidr": "10.1.0.0/16" })).to.match(/ha-jenkins-eks:vpcCidr: "10\.1\.0\.0\/16"/);
        });

        it("refuses a private-only endpoint in a VPC it is about to create, and allows it once deployed", async () => {
            const privateOnly = { "ha-jenkins-eks:apiPublicAccessCidrs": "[]", "ha-jenkins-eks:apiPrivateAccessCidrs": '["10.20.0.0/16"]' };
            expect(await rejection(privateOnly)).to.match(
                /^Invalid value for ha-jenkins-eks:apiPublicAccessCidrs: \[\]\. A first deployment into a VPC this stack creates/,
            );
            stackOutputs[self] = deployed(["us-west-2a", "us-west-2b", "us-west-2c"]);
            expect(await rejection(privateOnly)).to.equal(undefined);
        });
    });
});

describe("node AMI pinning", () => {
    it("keeps the last deployed AMI while the Kubernetes version stays, takes config first, looks up otherwise", () => {
        expect(nodeAmiToRun(undefined, { kubernetesVersion: "1.35", nodeAmiId: "ami-0aaaaaaaaaaaaaaaa" }, "1.35")).to.equal("ami-0aaaaaaaaaaaaaaaa");
        expect(nodeAmiToRun(undefined, { kubernetesVersion: "1.34", nodeAmiId: "ami-0aaaaaaaaaaaaaaaa" }, "1.35")).to.equal(undefined);
        expect(nodeAmiToRun("ami-0bbbbbbbbbbbbbbbb", { kubernetesVersion: "1.35", nodeAmiId: "ami-0aaaaaaaaaaaaaaaa" }, "1.35")).to.equal(
            "ami-0bbbbbbbbbbbbbbbb",
        );
        expect(nodeAmiToRun(undefined, {}, "1.35")).to.equal(undefined);
    });

    it("in the stack: an unrelated update keeps the deployed AMI instead of rolling the nodes", async () => {
        const self = "organization/ha-jenkins-eks/dev";
        stackOutputs[self] = {
            kubernetesVersion: "1.35",
            linstorDistribution: "piraeus",
            linstorOperatorChartVersion: "2.10.7",
            nodeAmiId: "ami-0aaaaaaaaaaaaaaaa",
        };
        try {
            const { config, secretKeys } = stackConfig("dev");
            useStack("dev", config, secretKeys);
            resetRecords();
            const outputs = await deployPrimary(loadConfig());
            expect(await outputValue(outputs.nodeAmiId)).to.equal("ami-0aaaaaaaaaaaaaaaa");
            await settle();
            expect(one("aws:ec2/launchTemplate:LaunchTemplate").inputs.imageId).to.equal("ami-0aaaaaaaaaaaaaaaa");
        } finally {
            delete stackOutputs[self];
        }
    });

    it("rejects a malformed nodeAmiId, naming the key", () => {
        const cfg = clusterSettings({ nodeAmiId: "ubuntu-22.04" });
        expect(thrown(() => validateLinstorClusterSettings(cfg, (f) => `ha-jenkins-eks:${f}`)).message).to.match(
            /^Invalid value for ha-jenkins-eks:nodeAmiId: "ubuntu-22.04"\. Use an AMI ID/,
        );
    });
});
