/** policy/rules/launchTemplate.ts: node launch templates encrypt their volumes and require IMDSv2. */
import { expect } from "chai";
import * as P from "../../policy/policies";
import { evaluate, violations } from "../support/policyHarness";
import { launchTemplate } from "./fixtures";

describe("launch templates", () => {
    it("passes encrypted volumes and required IMDSv2 tokens with hop limit 1", async () => {
        expect(await violations(P.launchTemplateEbsEncrypted, [launchTemplate()])).to.deep.equal([]);
        expect(await violations(P.launchTemplateImdsV2, [launchTemplate()])).to.deep.equal([]);
    });

    it("fails unencrypted or default-encrypted volumes, naming the devices", async () => {
        const found = await violations(P.launchTemplateEbsEncrypted, [
            launchTemplate({
                blockDeviceMappings: [
                    { deviceName: "/dev/xvda", ebs: { encrypted: "false" } },
                    { deviceName: "/dev/sdf", ebs: {} },
                    { deviceName: "/dev/sdg", noDevice: "" },
                ],
            }),
        ]);
        expect(found).to.have.length(1);
        expect(found[0]).to.match(/EBS volume\(s\) \/dev\/xvda, \/dev\/sdf are not encrypted.*ebs\.encrypted: "true"/);
    });

    it("fails optional tokens and a high hop limit; passes a disabled metadata endpoint", async () => {
        const optional = await violations(P.launchTemplateImdsV2, [
            launchTemplate({ metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 3 } }),
        ]);
        expect(optional).to.have.length(2);
        expect(optional[0]).to.match(/httpTokens is optional.*"required"/);
        expect(optional[1]).to.match(/httpPutResponseHopLimit is 3, above 2/);
        expect((await violations(P.launchTemplateImdsV2, [launchTemplate({ metadataOptions: undefined })])).join()).to.match(
            /unset \(IMDSv1 allowed\)/,
        );
        expect(await violations(P.launchTemplateImdsV2, [launchTemplate({ metadataOptions: { httpEndpoint: "disabled" } })])).to.deep.equal([]);
    });

    it("reports a value unknown during a preview as advisory, not as a violation", async () => {
        const result = await evaluate([P.launchTemplateImdsV2], [launchTemplate({ metadataOptions: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff" })]);
        expect(result.violations).to.have.length(1);
        expect(result.violations[0].enforcementLevel).to.equal("advisory");
        expect(result.violations[0].message).to.match(/can't run policy 'launch-template-imdsv2' during preview/);
    });
});
