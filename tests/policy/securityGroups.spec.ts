/** policy/rules/securityGroups.ts: no security group admits the internet, judged over all its ingress rules together. */
import { expect } from "chai";
import * as P from "../../policy/policies";
import { evaluate, notApplicable, resource, violations } from "../support/policyHarness";
import { T, UNKNOWN_STRING } from "./fixtures";

describe("no-world-open-ingress", () => {
    const rule = P.noOpenIngress;
    const ingress = (cidr: string, props: Record<string, unknown> = {}) =>
        resource(T.ingressRule, {
            securityGroupId: "sg-api",
            ipProtocol: "tcp",
            fromPort: 443,
            toPort: 443,
            [cidr.includes(":") ? "cidrIpv6" : "cidrIpv4"]: cidr,
            ...props,
        });

    it("passes ingress from listed networks and from security groups", async () => {
        expect(
            await violations(rule, [
                ingress("10.0.0.0/8"),
                ingress("198.51.100.0/24"),
                resource(T.ingressRule, {
                    securityGroupId: "sg-api",
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    referencedSecurityGroupId: "sg-nodes",
                }),
                resource(T.securityGroupRule, {
                    type: "egress",
                    securityGroupId: "sg-api",
                    protocol: "-1",
                    fromPort: 0,
                    toPort: 0,
                    cidrBlocks: ["0.0.0.0/0"],
                }),
            ]),
        ).to.deep.equal([]);
    });

    it("fails rules whose CIDRs together are the internet, on the same group and port", async () => {
        // Each /6 admits under 2 % of the public IPv4 space; the four together over 1/16 (pack and program agree).
        const quarters = ["32.0.0.0/6", "36.0.0.0/6", "40.0.0.0/6", "44.0.0.0/6"];
        const found = await violations(
            rule,
            quarters.map((q) => ingress(q)),
        );
        expect(found).to.have.length(1);
        expect(found[0]).to.match(
            /admit the internet on tcp port 443: 32\.0\.0\.0\/6, 36\.0\.0\.0\/6, 40\.0\.0\.0\/6, 44\.0\.0\.0\/6 together admit 7\.\d % of the public IPv4 space/,
        );
        // Different groups, or different ports, do not add up.
        expect(
            await violations(
                rule,
                quarters.map((q, i) => ingress(q, { securityGroupId: `sg-${i}` })),
            ),
        ).to.deep.equal([]);
        expect(
            await violations(
                rule,
                quarters.map((q, i) => ingress(q, { fromPort: 440 + i, toPort: 440 + i })),
            ),
        ).to.deep.equal([]);
        // An all-protocols rule joins every port.
        const all = ingress("40.0.0.0/5", { ipProtocol: "-1", fromPort: undefined, toPort: undefined });
        expect(await violations(rule, [ingress("32.0.0.0/5"), all])).to.have.length(1);
        expect(await violations(rule, [ingress("32.0.0.0/5")])).to.deep.equal([]);
    });

    it("reads inline ingress, aws.ec2.SecurityGroupRule and IPv6 halves", async () => {
        const group = resource(T.securityGroup, {
            id: "sg-web",
            ingress: [{ protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/1"] }],
        });
        const rule2 = resource(T.securityGroupRule, {
            type: "ingress",
            securityGroupId: "sg-web",
            protocol: "tcp",
            fromPort: 0,
            toPort: 1024,
            cidrBlocks: ["128.0.0.0/1"],
        });
        expect((await violations(rule, [group, rule2])).join()).to.match(/tcp port 80/);
        const v6 = await violations(rule, [ingress("::/1"), ingress("8000::/1")]);
        expect(v6.join()).to.match(/::\/1, 8000::\/1 together admit 100 % of the public IPv6 space/);
    });

    it("groups rules whose security group is unknown during a preview by what the ID depends on (else their parent), and allows named exceptions", async () => {
        // The offline runner knows no property dependencies: rules made by one parent (LinstorCluster's API rules) count together.
        const parent = "urn:pulumi:test::ha-jenkins-eks::ha-jenkins-eks:index:LinstorCluster::c";
        const pending = ["0.0.0.0/2", "128.0.0.0/2"].map((cidr) => {
            const r = ingress(cidr, { securityGroupId: UNKNOWN_STRING });
            return { ...r, options: { ...r.options!, parent } };
        });
        expect((await violations(rule, pending)).join()).to.match(/admit the internet/);
        const allowed = { config: { [rule.name]: { allowedOpenSecurityGroups: ["sg-api"] } } };
        expect(await violations(rule, [ingress("0.0.0.0/0")], allowed)).to.deep.equal([]);
        const unknownCidr = await evaluate([rule], [ingress("10.0.0.0/8", { cidrIpv4: UNKNOWN_STRING })]);
        expect(unknownCidr.violations.map((v) => v.enforcementLevel)).to.deep.equal(["advisory"]);
        expect(await notApplicable(rule, [resource(T.subnet, {})])).to.equal(true);
    });
});
