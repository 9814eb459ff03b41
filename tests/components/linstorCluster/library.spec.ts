/** LinstorCluster as a library user builds it: only the fields without a default, no LINSTOR_CLUSTER_DEFAULTS spread. */
import { expect } from "chai";
import { LinstorCluster, type LinstorClusterArgs } from "../../../components/linstorCluster";
import { PIRAEUS_CHART } from "../../../components/linstorCluster/operator";
import {
    LINSTOR_CLUSTER_DEFAULTS,
    LINSTOR_CLUSTER_SETTINGS_DEFAULTS,
    validateLinstorClusterSettings,
    withLinstorClusterDefaults,
} from "../../../components/linstorCluster/settings";
import { ConfigError } from "../../../components/shared/errors";
import { clusterSettings, thrown } from "../../support/fixtures";
import { linstorClasses, ofType, one, outputValue, recorded, resetRecords, settle } from "../../support/mocks";

/** Every field LinstorCluster has no default for, and nothing else. */
const REQUIRED: LinstorClusterArgs = {
    namePrefix: "hje-test",
    region: "us-west-2",
    availabilityZones: ["us-west-2a", "us-west-2b", "us-west-2c"],
    apiPublicAccessCidrs: ["198.51.100.0/24"],
    apiPrivateAccessCidrs: [],
    apiPrivateAccessSecurityGroupIds: [],
    clusterAdminRoleArns: [],
    tags: {},
};

async function buildWith(args: LinstorClusterArgs): Promise<LinstorCluster> {
    resetRecords();
    const cluster = new LinstorCluster("hje-test", args);
    await outputValue(cluster.clusterName);
    await settle();
    return cluster;
}

/** What the defaults show in the recorded resources. */
function expectDefaultsApplied(): void {
    const lt = one("aws:ec2/launchTemplate:LaunchTemplate");
    expect(lt.inputs.instanceType).to.equal("m6i.large");
    expect(lt.inputs.metadataOptions.httpPutResponseHopLimit).to.equal(1);
    expect(lt.inputs.blockDeviceMappings[1].ebs).to.include({ volumeSize: 200, volumeType: "gp3", iops: 3000, throughput: 125 });
    const operator = one("kubernetes:helm.sh/v3:Release", "linstor-operator");
    expect(operator.inputs.chart).to.equal(PIRAEUS_CHART);
    expect(operator.inputs.version).to.equal("2.10.8");
    expect(linstorClasses().map((c) => c.inputs.metadata.name)).to.deep.equal([
        "linstor-csi-lvm-thin-r1",
        "linstor-csi-lvm-thin-r2",
        "linstor-csi-lvm-thin-r3",
    ]);
    for (const g of ofType("eks:index:ManagedNodeGroup")) {
        expect(g.inputs.scalingConfig).to.deep.equal({ minSize: 1, desiredSize: 1, maxSize: 2 });
    }
    expect(one("eks:index:Cluster").inputs.version).to.equal("1.35");
}

describe("LinstorCluster (library use: only the fields without a default)", () => {
    it("fills every documented default, as the stack passes them, and no stack-only key", () => {
        const filled = withLinstorClusterDefaults(REQUIRED);
        expect(filled).to.deep.equal(clusterSettings());
        expect(filled).to.not.have.property("azCount");
        expect(LINSTOR_CLUSTER_SETTINGS_DEFAULTS).to.not.have.property("azCount");
        expect(LINSTOR_CLUSTER_DEFAULTS.azCount).to.equal(3);
        validateLinstorClusterSettings(REQUIRED, (f) => `LinstorCluster.${f}`);
    });

    it("builds the cluster with the defaults applied", async () => {
        await buildWith(REQUIRED);
        expectDefaultsApplied();
    });

    it("takes an explicit undefined as unset: the default stays", async () => {
        const undefinedDefaults = Object.fromEntries(Object.keys(LINSTOR_CLUSTER_SETTINGS_DEFAULTS).map((k) => [k, undefined]));
        const args: LinstorClusterArgs = { ...REQUIRED, ...undefinedDefaults };
        expect(withLinstorClusterDefaults(args)).to.deep.equal(clusterSettings());
        await buildWith(args);
        expectDefaultsApplied();
    });

    it("still refuses a bad value, naming LinstorCluster.<field>, with nothing registered", async () => {
        resetRecords();
        const e = thrown(() => new LinstorCluster("lib", { ...REQUIRED, nodesPerAz: 0 }));
        expect(e).to.be.instanceOf(ConfigError);
        expect(e.message).to.contain("LinstorCluster.nodesPerAz");
        await settle();
        expect(recorded, "nothing registered").to.have.length(0);
    });
});
