/** policy/rules/eks.ts: the EKS control plane logs everything and encrypts Secrets. */
import { expect } from "chai";
import * as P from "../../policy/policies";
import { resource, violations } from "../support/policyHarness";
import { cluster, T, UNKNOWN_STRING } from "./fixtures";

describe("EKS control plane", () => {
    it("passes all five log types and a secrets key, also unknown during a preview", async () => {
        expect(await violations(P.eksControlPlaneLogging, [cluster()])).to.deep.equal([]);
        expect(
            await violations(P.eksSecretsEncryption, [
                cluster(),
                cluster({ encryptionConfigKeyArn: UNKNOWN_STRING }),
                resource(T.awsEksCluster, { encryptionConfig: { provider: { keyArn: "arn:k" }, resources: ["secrets"] } }),
            ]),
        ).to.deep.equal([]);
    });

    it("fails missing log types and missing secrets encryption on both cluster types", async () => {
        const logs = await violations(P.eksControlPlaneLogging, [
            cluster({ enabledClusterLogTypes: ["api"] }),
            resource(T.awsEksCluster, { enabledClusterLogTypes: [] }, { name: "raw" }),
        ]);
        expect(logs).to.have.length(2);
        expect(logs[0]).to.match(/does not log audit, authenticator, controllerManager, scheduler.*enabledClusterLogTypes/);
        const secrets = await violations(P.eksSecretsEncryption, [
            cluster({ encryptionConfigKeyArn: undefined }),
            resource(T.awsEksCluster, { encryptionConfig: { provider: { keyArn: "arn:k" }, resources: [] } }),
        ]);
        expect(secrets).to.have.length(2);
        expect(secrets[0]).to.match(/stores Secrets without KMS envelope encryption\. Pass a KMS key/);
    });
});
