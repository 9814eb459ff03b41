/**
 * The upgrade guard's storage-node check (stacks/upgradeGuard.ts): a change that adds, removes or rolls storage nodes
 * must go through the resync gate, and no pool volume shrinks; refused before anything but the self-reference exists.
 */
import { expect } from "chai";
import { loadConfig } from "../../stacks/config";
import { deployPrimary } from "../../stacks/primary";
import { checkStorageNodes, storageNodes } from "../../stacks/upgradeGuard";
import { thrown } from "../support/fixtures";
import { recorded, resetRecords, stackOutputs, useStack } from "../support/mocks";
import { stackConfig } from "../support/stacks";

const SELF = "organization/ha-jenkins-eks/dev";

/** The dev stack's config with `overrides` (full keys), as loadConfig reads it. */
function devConfig(overrides: Record<string, string> = {}) {
    const { config, secretKeys } = stackConfig("dev");
    useStack("dev", { ...config, ...overrides }, secretKeys);
    return loadConfig();
}

describe("upgrade guard: storage nodes", () => {
    const deployed = storageNodes(devConfig());
    const shape = (overrides: Record<string, string>) => storageNodes(devConfig(overrides));

    it("records what shapes the storage nodes", () => {
        expect(JSON.parse(shape({ "ha-jenkins-eks:dataVolumeSizeGiB": "300" }))).to.include({
            nodesPerAz: 1,
            instanceType: "m6i.large",
            dataVolumeSizeGiB: 300,
            imdsHopLimit: 1,
        });
    });

    it("lets every change through the resync gate, and nothing on a first deployment or without a change", () => {
        checkStorageNodes(undefined, shape({ "ha-jenkins-eks:nodesPerAz": "2" }), false);
        checkStorageNodes(deployed, deployed, false);
        const changes: Record<string, string>[] = [
            { "ha-jenkins-eks:nodesPerAz": "2" },
            { "ha-jenkins-eks:instanceType": "m6i.xlarge" },
            { "ha-jenkins-eks:dataVolumeSizeGiB": "1000" },
            { "ha-jenkins-eks:nodeAmiId": "ami-0123456789abcdef0" },
        ];
        for (const change of changes) {
            checkStorageNodes(deployed, shape(change), true);
        }
    });

    it("refuses a change that replaces or removes storage nodes while the resync gate is off, naming what changed", () => {
        const lowered = thrown(() => checkStorageNodes(shape({ "ha-jenkins-eks:nodesPerAz": "2" }), deployed, false)).message;
        expect(lowered).to.match(/^Invalid value for ha-jenkins-eks:nodeRolloutResyncGate: false\. Changing ha-jenkins-eks:nodesPerAz replaces/);
        expect(lowered).to.contain("two zones could lose a replica of the same volume");
        const rolled = thrown(() =>
            checkStorageNodes(deployed, shape({ "ha-jenkins-eks:instanceType": "m6i.xlarge", "ha-jenkins-eks:imdsHopLimit": "2" }), false),
        );
        expect(rolled.message).to.contain("Changing ha-jenkins-eks:instanceType, ha-jenkins-eks:imdsHopLimit replaces");
    });

    it("refuses a smaller pool volume even through the gate", () => {
        const big = shape({ "ha-jenkins-eks:dataVolumeSizeGiB": "400" });
        const smaller = thrown(() => checkStorageNodes(big, shape({ "ha-jenkins-eks:dataVolumeSizeGiB": "300" }), true)).message;
        expect(smaller).to.match(/^Invalid value for ha-jenkins-eks:dataVolumeSizeGiB: 300\. The storage nodes run 400 GiB volumes/);
        const metadata = shape({ "ha-jenkins-eks:metadataVolumeSizeGiB": "8" });
        expect(thrown(() => checkStorageNodes(metadata, shape({ "ha-jenkins-eks:metadataVolumeSizeGiB": "6" }), true)).message).to.match(
            /ha-jenkins-eks:metadataVolumeSizeGiB: 6\. The storage nodes run 8 GiB/,
        );
    });

    describe("in the stack (reading its own last outputs)", () => {
        afterEach(() => {
            delete stackOutputs[SELF];
        });

        async function rejection(overrides: Record<string, string>): Promise<string | undefined> {
            const cfg = devConfig(overrides);
            resetRecords();
            try {
                await deployPrimary(cfg);
            } catch (e) {
                return (e as Error).message;
            }
            return undefined;
        }

        it("refuses a lowered nodesPerAz with the gate off before registering anything but the self-reference", async () => {
            stackOutputs[SELF] = {
                kubernetesVersion: "1.35",
                linstorDistribution: "piraeus",
                linstorOperatorChartVersion: "2.10.8",
                storageNodes: shape({ "ha-jenkins-eks:nodesPerAz": "2" }),
            };
            const msg = await rejection({ "ha-jenkins-eks:nodeRolloutResyncGate": "false" });
            expect(msg).to.match(/ha-jenkins-eks:nodeRolloutResyncGate: false\. Changing ha-jenkins-eks:nodesPerAz/);
            expect(recorded.map((r) => r.type)).to.deep.equal(["pulumi:pulumi:StackReference"]);
        });

        it("exports the shape for the next run", async () => {
            const { deployedVersionOutputs } = await import("../../stacks/upgradeGuard");
            const cfg = devConfig();
            expect(deployedVersionOutputs(cfg, ["us-west-2a", "us-west-2b", "us-west-2c"]).storageNodes).to.equal(storageNodes(cfg));
        });
    });
});
