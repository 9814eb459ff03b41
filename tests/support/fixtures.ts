import { LINSTOR_CLUSTER_DEFAULTS as D, type LinstorClusterSettings } from "../../components/linstorCluster/settings";

/** Valid LinstorCluster settings with the documented defaults; specs override single fields. */
export function clusterSettings(overrides: Partial<LinstorClusterSettings> = {}): LinstorClusterSettings {
    const { azCount: _azCount, ...defaults } = D;
    return {
        ...defaults,
        namePrefix: "hje-test",
        region: "us-west-2",
        availabilityZones: ["us-west-2a", "us-west-2b", "us-west-2c"],
        apiPublicAccessCidrs: ["198.51.100.0/24"],
        apiPrivateAccessCidrs: [],
        apiPrivateAccessSecurityGroupIds: [],
        allowApiAccessFromAnywhere: false,
        clusterAdminRoleArns: [],
        tags: {},
        ...overrides,
    };
}

/** Runs `fn` and returns the error it throws (fails the test if it does not throw). */
export function thrown(fn: () => unknown): Error {
    try {
        fn();
    } catch (e) {
        return e as Error;
    }
    throw new Error("expected an error, none was thrown");
}
