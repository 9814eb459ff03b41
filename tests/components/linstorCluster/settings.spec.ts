import { expect } from "chai";
import { LinstorCluster } from "../../../components/linstorCluster";
import {
    LINSTOR_CLUSTER_RULES,
    type LinstorClusterSettings,
    validateLinstorClusterSettings,
    withLinstorClusterDefaults,
} from "../../../components/linstorCluster/settings";
import { ConfigError } from "../../../components/shared/errors";
import { clusterSettings, thrown } from "../../support/fixtures";
import { recorded, resetRecords, settle } from "../../support/mocks";

/** The error a library user gets: settings built in code, no stack config, the component's default KeyOf. */
async function libraryError(overrides: Partial<LinstorClusterSettings>): Promise<ConfigError> {
    resetRecords();
    const e = thrown(() => new LinstorCluster("lib", clusterSettings(overrides)));
    expect(e).to.be.instanceOf(ConfigError);
    // Registrations arrive asynchronously: without waiting, a resource registered before the throw is not seen yet.
    await settle();
    expect(recorded, "nothing registered").to.have.length(0);
    return e as ConfigError;
}

describe("LinstorCluster settings (library use, no stack config)", () => {
    it("accepts the documented defaults", () => {
        validateLinstorClusterSettings(clusterSettings(), (f) => `LinstorCluster.${f}`);
    });

    it("lists only the satelliteDeletionPolicy values it accepts (Evacuate is refused, so it is not offered)", () => {
        const e = thrown(() =>
            validateLinstorClusterSettings(clusterSettings({ satelliteDeletionPolicy: "delete" as never }), (f) => `LinstorCluster.${f}`),
        );
        expect((e as Error).message)
            .to.contain("Allowed: Retain, Delete")
            .and.contain("Evacuate is refused");
        expect((e as Error).message).to.not.match(/Allowed:[^.(]*Evacuate/);
    });

    it("has a rule for every settings field (the compiler insists; this guards the runtime list the naming test reads)", () => {
        for (const field of Object.keys(clusterSettings())) expect(LINSTOR_CLUSTER_RULES, field).to.have.property(field);
    });

    // Each of these was checked only when read from stack config before; the component now checks them itself.
    const formerlyConfigOnly: [Partial<LinstorClusterSettings>, string, RegExp][] = [
        [{ rootVolumeSizeGiB: 19 }, "rootVolumeSizeGiB", /Must be an integer from 20 to 16384/],
        [{ rootVolumeSizeGiB: 16385 }, "rootVolumeSizeGiB", /from 20 to 16384/],
        [{ drbdMaxBuffers: 31 }, "drbdMaxBuffers", /Must be an integer from 32 to 131072/],
        [{ drbdMaxBuffers: 131073 }, "drbdMaxBuffers", /from 32 to 131072/],
        [{ maxVolumesPerNode: 0 }, "maxVolumesPerNode", /Must be an integer from 1 to 10000/],
        [{ maxVolumesPerNode: 10001 }, "maxVolumesPerNode", /from 1 to 10000/],
        [{ nodesPerAz: 21 }, "nodesPerAz", /from 1 to 20/],
        [{ instanceMemoryMiB: 511 }, "instanceMemoryMiB", /≥ 512/],
        [{ instanceType: "large" }, "instanceType", /EC2 instance type/],
        [{ ebsKmsKeyArn: "alias/ebs" }, "ebsKmsKeyArn", /Use an ARN such as arn:aws:kms/],
        [{ vpcId: "my-vpc" }, "vpcId", /VPC ID such as vpc-/],
        [{ clusterAdminRoleArns: ["arn:aws:iam::123456789012:user/admin"] }, "clusterAdminRoleArns", /arn:aws:iam::<account>:role/],
        [{ piraeusOperatorChartVersion: "^2.10" }, "piraeusOperatorChartVersion", /Pin an exact version/],
        [{ linbitOperatorChartVersion: "2.10.x" }, "linbitOperatorChartVersion", /Pin an exact version/],
        [{ storageClassPrefix: "Linstor" }, "storageClassPrefix", /DNS-1123 label: at most 36/],
        [{ storageClassPrefix: "x".repeat(37) }, "storageClassPrefix", /at most 36/],
        [{ storageClassReplicas: [] }, "storageClassReplicas", /non-empty list/],
        [{ natGateways: "None" as never }, "natGateways", /Allowed: OnePerAz, Single/],
        // Copies of this check had drifted: localhost registries and floating tags passed.
        [{ resyncGateImage: "localhost:5000/curl" }, "resyncGateImage", /fully qualified host name/],
        [{ resyncGateImage: "docker.io/curlimages/curl:latest" }, "resyncGateImage", /can move/],
        [{ resyncGateImage: "docker.io/curlimages/curl" }, "resyncGateImage", /no tag/],
        [{ privateSubnetIds: ["subnet-1"] }, "privateSubnetIds", /subnet ID such as subnet-/],
        [{ drbdDisableFlushes: "no" as never }, "drbdDisableFlushes", /true or false/],
        [{ tags: { team: 7 } as never }, "tags", /mapping of strings/],
    ];
    for (const [overrides, field, message] of formerlyConfigOnly) {
        it(`refuses ${JSON.stringify(overrides)}, naming LinstorCluster.${field}`, async () => {
            const e = await libraryError(overrides);
            expect(e.key).to.equal(`LinstorCluster.${field}`);
            expect(e.message).to.match(message);
        });
    }

    it("reports every wrong field at once", async () => {
        const e = await libraryError({ rootVolumeSizeGiB: 1, drbdMaxBuffers: 1, maxVolumesPerNode: 0 });
        expect(e.problems.map((p) => p.key)).to.deep.equal([
            "LinstorCluster.rootVolumeSizeGiB",
            "LinstorCluster.maxVolumesPerNode",
            "LinstorCluster.drbdMaxBuffers",
        ]);
    });

    it("names the caller's key through the exported check (the component names its own argument)", () => {
        resetRecords();
        const args = clusterSettings({ drbdMaxBuffers: 1 });
        const e = thrown(() => validateLinstorClusterSettings(withLinstorClusterDefaults(args), (f) => `acme:${f}`));
        expect((e as ConfigError).key).to.equal("acme:drbdMaxBuffers");
        expect((thrown(() => new LinstorCluster("lib", args)) as ConfigError).key).to.equal("LinstorCluster.drbdMaxBuffers");
    });
});
