import { expect } from "chai";
import { loadConfig } from "../stacks/config";
import { deployPrimary } from "../stacks/primary";
import { loadStackConfig } from "../stacks/stackFile";
import { isSecret, ofType, one, recorded, resetRecords, settle, useStack, valueOf } from "./mocks";

/** Evaluates the dev stack with its real Pulumi.dev.yaml (plus Pulumi.yaml defaults) under mocks. */
async function evaluateDev(overrides: Record<string, string> = {}) {
    const { config, secretKeys } = loadStackConfig("dev");
    useStack("dev", { ...config, ...overrides }, secretKeys);
    resetRecords();
    const outputs = await deployPrimary(loadConfig());
    await valueOf(outputs.clusterName);
    await settle();
    return outputs;
}

describe("dev stack (primary)", () => {
    let outputs: Awaited<ReturnType<typeof evaluateDev>>;
    before(async () => { outputs = await evaluateDev(); });

    it("builds the cluster in us-west-2 across the three configured AZs", async () => {
        expect(outputs.region).to.equal("us-west-2");
        expect(outputs.availabilityZones).to.deep.equal(["us-west-2a", "us-west-2b", "us-west-2c"]);
        expect(await valueOf(outputs.clusterName)).to.equal("hje-dev");
        expect(one("awsx:ec2:Vpc").inputs.availabilityZoneNames).to.deep.equal(["us-west-2a", "us-west-2b", "us-west-2c"]);
        expect(ofType("eks:index:ManagedNodeGroup")).to.have.length(3);
    });

    it("registers the whole LINSTOR storage layer", () => {
        const types = new Set(recorded.map((r) => r.type));
        for (const t of [
            "ha-jenkins-eks:index:LinstorCluster", "eks:index:Cluster", "aws:ec2/launchTemplate:LaunchTemplate",
            "kubernetes:helm.sh/v3:Release", "kubernetes:piraeus.io/v1:LinstorCluster",
            "kubernetes:piraeus.io/v1:LinstorSatelliteConfiguration", "kubernetes:storage.k8s.io/v1:StorageClass",
        ]) expect(types.has(t), t).to.equal(true);
        expect(outputs.storageClassNames).to.deep.equal({
            1: "linstor-csi-lvm-thin-r1", 2: "linstor-csi-lvm-thin-r2", 3: "linstor-csi-lvm-thin-r3",
        });
        expect(outputs.linstorNamespace).to.equal("piraeus-datastore");
    });

    it("exports the kubeconfig only as a secret", async () => {
        expect(await isSecret(outputs.kubeconfig)).to.equal(true);
    });

    it("parents every resource's name on the stack prefix so stacks never collide", () => {
        for (const r of recorded.filter((r) => r.custom && !r.type.startsWith("pulumi:"))) {
            expect(r.name.startsWith("hje-dev"), `${r.type} ${r.name}`).to.equal(true);
        }
    });

    it("registers nothing when the stack config is invalid", async () => {
        resetRecords();
        let error: Error | undefined;
        try {
            await evaluateDev({ "ha-jenkins-eks:availabilityZones": '["us-west-2a","us-west-2b"]' });
        } catch (e) {
            error = e as Error;
        }
        expect(error?.message).to.match(/ha-jenkins-eks:availabilityZones/);
        expect(recorded).to.have.length(0);
    });
});
