/** policy/rules/iam.ts: no IAM policy grants administrator or whole-service wildcards. */
import { expect } from "chai";
import * as P from "../../policy/policies";
import { resource, violations } from "../support/policyHarness";
import { T } from "./fixtures";

describe("iam-no-wildcard-admin", () => {
    const rule = P.iamNoWildcardAdmin;
    const doc = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });

    it("passes scoped statements, partial wildcards and Deny *", async () => {
        expect(
            await violations(rule, [
                resource("aws:iam/userPolicy:UserPolicy", {
                    policy: doc({ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::b/*" }),
                }),
                resource("aws:iam/policy:Policy", {
                    policy: doc(
                        { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b" },
                        { Effect: "Allow", Action: "ec2:Describe*", Resource: "*" },
                    ),
                }),
                resource("aws:iam/rolePolicy:RolePolicy", { policy: { Statement: { Effect: "Deny", Action: "*", Resource: "*" } } }),
            ]),
        ).to.deep.equal([]);
    });

    it("fails *, *:*, service:* and NotAction on Resource *, also in role inline policies", async () => {
        const found = await violations(rule, [
            resource("aws:iam/policy:Policy", { policy: doc({ Sid: "Admin", Effect: "Allow", Action: "*", Resource: "*" }) }, { name: "admin" }),
            resource("aws:iam/userPolicy:UserPolicy", { policy: doc({ Effect: "Allow", Action: ["s3:*"], Resource: ["*"] }) }, { name: "s3-all" }),
            resource("aws:iam/groupPolicy:GroupPolicy", { policy: doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) }, { name: "not-iam" }),
            resource(
                T.iamRole,
                { inlinePolicies: [{ name: "inline", policy: doc({ Effect: "Allow", Action: "*:*", Resource: "*" }) }] },
                { name: "role" },
            ),
        ]);
        expect(found).to.have.length(4);
        expect(found[0]).to.match(/Policy admin: policy statement Admin allows Action "\*" on Resource "\*" — administrator access/);
        expect(found[1]).to.match(/UserPolicy s3-all: .*Action \["s3:\*"\]/);
        expect(found[2]).to.match(/NotAction "iam:\*"/);
        expect(found[3]).to.match(/Role role: inline policy inline statement #1/);
    });

    it("accepts allowed service wildcards and rejects unparsable documents", async () => {
        const logs = resource("aws:iam/policy:Policy", { policy: doc({ Effect: "Allow", Action: "logs:*", Resource: "*" }) });
        expect(await violations(rule, [logs], { config: { [rule.name]: { allowedServiceWildcards: ["logs"] } } })).to.deep.equal([]);
        expect((await violations(rule, [resource("aws:iam/policy:Policy", { policy: "{not json" })])).join()).to.match(/not valid JSON/);
    });
});
