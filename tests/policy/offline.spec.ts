/** policy/offline.ts, the runner behind these specs and `npm run plan`, agrees with CrossGuard's own handlers. */
import { expect } from "chai";
import * as P from "../../policy/policies";
import { cloneRecords, crossGuardViolations, packViolations } from "../support/policyHarness";
import { evaluatedDev } from "../support/stackEvaluation";
import { launchTemplate, T } from "./fixtures";

describe("the offline runner agrees with CrossGuard's own analyzer handlers", () => {
    const key = (f: { policyName: string; enforcementLevel: string; message: string; urn?: string }) =>
        `${f.enforcementLevel} ${f.policyName} ${f.urn} ${f.message}`;

    it("on a stack broken in five ways, and on hand-made preview values", async () => {
        const { config, records } = await evaluatedDev();
        const recs = cloneRecords(records);
        const mutate = (type: string, change: (inputs: any) => void) =>
            recs
                .filter((r) => r.type === type)
                .forEach((r) => {
                    change(r.inputs);
                });
        mutate(T.storageClass, (i) => {
            i.reclaimPolicy = "Delete";
        });
        mutate(T.launchTemplate, (i) => {
            i.metadataOptions.httpTokens = "optional";
        });
        mutate(T.eksCluster, (i) => {
            i.enabledClusterLogTypes = ["api"];
        });
        mutate("pulumi:providers:aws", (i) => {
            i.region = "us-west-2";
        });
        mutate(T.publicAccessBlock, (i) => {
            i.blockPublicPolicy = false;
        });
        recs.push(launchTemplate({ metadataOptions: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff" }));
        const opts = { stack: "dev", stackConfig: config };
        const ours = (await packViolations(recs, opts)).map(key).sort();
        const theirs = (await crossGuardViolations(recs, opts)).map(key).sort();
        expect(new Set((await packViolations(recs, opts)).map((v) => v.policyName))).to.deep.equal(
            new Set([
                P.storageClassRetain.name,
                P.claimsRetain.name,
                P.launchTemplateImdsV2.name,
                P.eksControlPlaneLogging.name,
                P.bucketOtherRegion.name,
                P.bucketProtected.name,
            ]),
        );
        expect(ours).to.deep.equal(theirs);
    });
});
