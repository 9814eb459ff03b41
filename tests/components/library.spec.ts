import { expect } from "chai";
import * as library from "../../components/index";

describe("library surface (components/index.ts)", () => {
    it("exports the components as ComponentResource classes with their defaults", () => {
        for (const name of [
            "LinstorCluster",
            "HaJenkins",
            "S3SnapshotShipping",
            "SnapshotBucket",
            "SnapshotRestore",
            "DrbdMonitoring",
            "LinstorDbBackup",
        ] as const) {
            // biome-ignore lint/performance/noDynamicNamespaceImportAccess: the test walks the library's exports by name on purpose
            expect(typeof library[name], name).to.equal("function");
        }
        expect(library.LINSTOR_CLUSTER_DEFAULTS.storageClassReplicas).to.deep.equal([1, 2, 3]);
        expect(library.JENKINS_DEFAULTS.chartVersion).to.equal("5.9.53");
        expect(library.sizing.LINSTOR_DEFAULT_PEER_SLOTS).to.equal(7);
    });

    it("lets a library user validate settings with their own key names", () => {
        const settings = {
            ...library.LINSTOR_CLUSTER_DEFAULTS,
            namePrefix: "acme",
            region: "eu-west-1",
            availabilityZones: ["eu-west-1a", "eu-west-1b"],
            apiPublicAccessCidrs: ["198.51.100.0/24"],
            apiPrivateAccessCidrs: [],
            apiPrivateAccessSecurityGroupIds: [],
            allowApiAccessFromAnywhere: false,
            clusterAdminRoleArns: [],
            tags: {},
        };
        expect(() => library.validateLinstorClusterSettings(settings, (f) => `acme.${f}`)).to.throw(
            library.ConfigError,
            /Invalid value for acme\.availabilityZones/,
        );
    });

    it("exports each component's own check, which names the caller's keys (components name `<Component>.<field>`)", () => {
        expect(() => library.validateHaJenkinsArgs({ storageClassName: "c", storageClassReplicas: 2 }, (f) => `acme.${f}`)).to.throw(
            /Invalid value for acme\.storageClassReplicas: 2/,
        );
        for (const check of [library.validateS3SnapshotShippingArgs, library.validateDrbdMonitoringArgs, library.validateLinstorDbBackup]) {
            expect(check).to.be.a("function");
        }
    });

    it("refuses a StorageClass prefix whose LINSTOR resource-group names would exceed 48 characters", () => {
        const settings = {
            ...library.LINSTOR_CLUSTER_DEFAULTS,
            namePrefix: "acme",
            region: "eu-west-1",
            availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
            apiPublicAccessCidrs: ["198.51.100.0/24"],
            apiPrivateAccessCidrs: [],
            apiPrivateAccessSecurityGroupIds: [],
            allowApiAccessFromAnywhere: false,
            clusterAdminRoleArns: [],
            tags: {},
            storageClassPrefix: "a".repeat(40),
        };
        expect(() => library.validateLinstorClusterSettings(settings, (f) => `acme.${f}`)).to.throw(
            /acme\.storageClassPrefix.*at most 48 characters/,
        );
    });
});
