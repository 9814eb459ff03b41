/** policy/rules/endpoint.ts: the EKS API endpoint is private, or public only to CIDRs far from the whole internet. */
import { expect } from "chai";
import * as P from "../../policy/policies";
import { evaluate, resource, violations } from "../support/policyHarness";
import { cluster, T, UNKNOWN_ARRAY } from "./fixtures";

describe("eks-endpoint-restricted", () => {
    const rule = P.eksEndpointRestricted;
    /** The child pulumi-eks creates: its vpcConfig as pulumi-eks 4.3 cluster.ts builds it. */
    const awsCluster = (vpcConfig: Record<string, unknown>) =>
        resource(T.awsEksCluster, { vpcConfig: { subnetIds: ["subnet-0"], ...vpcConfig } }, { name: "raw" });

    it("passes a private endpoint and a public one for listed networks, in both shapes", async () => {
        expect(
            await violations(rule, [
                cluster({ endpointPublicAccess: false, endpointPrivateAccess: true }),
                cluster({ endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.0/24"] }),
                awsCluster({ endpointPublicAccess: false, endpointPrivateAccess: true }),
                awsCluster({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.10/32"] }),
            ]),
        ).to.deep.equal([]);
    });

    it("fails a public endpoint without CIDRs: pulumi-eks and EKS default to public and 0.0.0.0/0", async () => {
        const found = await violations(rule, [cluster({}), cluster({ endpointPublicAccess: true, publicAccessCidrs: [] }), awsCluster({})]);
        expect(found).to.have.length(3);
        expect(found[0]).to.match(
            /API endpoint is public \(endpointPublicAccess\/publicAccessCidrs: the public access is unset, which means public\) without CIDRs, so EKS admits 0\.0\.0\.0\/0/,
        );
        expect(found[1]).to.match(/the public access is true\) without CIDRs/);
        expect(found[2]).to.match(/EKS cluster raw's API endpoint is public \(vpcConfig\./);
        expect(found[0]).to.match(/ha-jenkins-eks:apiPublicAccessCidrs/);
    });

    it("fails CIDRs that together cover the internet, and entries that are not CIDRs", async () => {
        const found = await violations(rule, [
            cluster({ publicAccessCidrs: ["0.0.0.0/0"] }),
            cluster({ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"] }),
            // Far from half the internet, but over 1/16 of its public space: open, as the program judges it.
            awsCluster({ endpointPublicAccess: true, publicAccessCidrs: ["64.0.0.0/5", "72.0.0.0/5"] }),
            cluster({ endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.7"] }),
        ]);
        expect(found).to.have.length(4);
        expect(found[0]).to.match(/public API endpoint is open to the internet: 0\.0\.0\.0\/0 admits 100 % of the public IPv4 space/);
        expect(found[1]).to.match(/0\.0\.0\.0\/1, 128\.0\.0\.0\/1 together admit 100 %/);
        expect(found[2]).to.match(/64\.0\.0\.0\/5, 72\.0\.0\.0\/5 together admit 7\.\d % of the public IPv4 space/);
        expect(found[3]).to.match(/not CIDRs \(198\.51\.100\.7\)/);
    });

    it("gives an advisory while the CIDRs are unknown during a preview", async () => {
        const result = await evaluate([rule], [cluster({ endpointPublicAccess: true, publicAccessCidrs: UNKNOWN_ARRAY })]);
        expect(result.violations.map((v) => v.enforcementLevel)).to.deep.equal(["advisory"]);
    });
});
