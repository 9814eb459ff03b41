/** The pack as a whole (policy/policies.ts, index.ts): its shape, and every rule over the shipped dev and dr stacks. */

import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import type { RecordedResource } from "../../policy/offline";
import * as P from "../../policy/policies";
import { mockSubnetZones } from "../support/mocks";
import { cloneRecords, evaluate, packViolations } from "../support/policyHarness";
import { evaluatedDev, evaluatedDr } from "../support/stackEvaluation";
import { T } from "./fixtures";

const ROOT = path.resolve(__dirname, "..", "..");

describe("policy pack", () => {
    it("has uniquely named, described rules and a pack that only constructs them", () => {
        const names = P.policies.map((p) => p.name);
        expect(new Set(names).size).to.equal(names.length);
        for (const p of P.policies) expect(p.description.length, p.name).to.be.greaterThan(20);
        // policy/README.md is where the pack's rules are documented: one table row per rule, in the pack's order.
        const readme = fs.readFileSync(path.join(ROOT, "policy/README.md"), "utf8");
        expect([...readme.matchAll(/^\| `([a-z0-9-]+)` \| (?:stack|resource) \|/gm)].map((m) => m[1])).to.deep.equal(names);
        const index = fs.readFileSync(path.join(ROOT, "policy/index.ts"), "utf8");
        expect(index).to.match(/new PolicyPack\("ha-jenkins-eks", \{ policies, enforcementLevel: "mandatory" \}\)/);
    });

    it("is self-contained and pins the same SDK as the program", () => {
        const files = ["policies.ts", "props.ts", "index.ts", ...fs.readdirSync(path.join(ROOT, "policy/rules")).map((f) => `rules/${f}`)];
        expect(files).to.include("rules/zones.ts");
        for (const file of files) {
            const imports = [...fs.readFileSync(path.join(ROOT, "policy", file), "utf8").matchAll(/from "([^"]+)"/g)].map((m) => m[1]);
            // Only the policy SDK and the pack's own files (./ or, from rules/, ../props).
            for (const i of imports) expect(/^(@pulumi\/policy|\.\/|\.\.\/props$)/.test(i), `${file}: ${i}`).to.equal(true);
        }
        const pack = JSON.parse(fs.readFileSync(path.join(ROOT, "policy/package.json"), "utf8"));
        const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        expect(pack.version).to.match(/^\d+\.\d+\.\d+$/);
        expect(pack.dependencies["@pulumi/pulumi"]).to.equal(root.dependencies["@pulumi/pulumi"]);
        expect(pack.dependencies["@pulumi/policy"]).to.equal(root.devDependencies["@pulumi/policy"]);
        const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "policy/package-lock.json"), "utf8"));
        expect(lock.packages["node_modules/@pulumi/policy"].version).to.equal("1.21.0");
    });
});

describe("the whole pack over the dev stack under mocks", () => {
    let records: RecordedResource[];
    let stackConfig: Record<string, string>;

    before(async () => {
        const dev = await evaluatedDev();
        stackConfig = dev.config;
        records = cloneRecords(dev.records);
    });

    const run = (recs: RecordedResource[]) => packViolations(recs, { stack: "dev", stackConfig });
    const edit = (type: string, change: (inputs: any) => void, recs = cloneRecords(records)) => {
        const targets = recs.filter((r) => r.type === type);
        expect(targets.length, type).to.be.greaterThan(0);
        targets.forEach((r) => {
            change(r.inputs);
        });
        return recs;
    };

    it("finds zero violations, with every rule applied to what the stack registers", async () => {
        const result = await evaluate(P.policies, records, { stack: "dev", stackConfig, subnetZones: mockSubnetZones });
        expect(result.violations.map((v) => `${v.policyName}: ${v.message}`)).to.deep.equal([]);
        // The shipped stacks open no security group to CIDRs (pulumi-eks's own groups appear only in a real preview).
        expect(result.notApplicable.map((n) => n.policyName)).to.deep.equal([P.noOpenIngress.name]);
        for (const type of [
            T.storageClass,
            T.launchTemplate,
            T.eksCluster,
            T.helmRelease,
            T.claim,
            T.snapshotClass,
            T.buckets[0],
            "aws:iam/userPolicy:UserPolicy",
        ]) {
            expect(
                records.some((r) => r.type === type),
                type,
            ).to.equal(true);
        }
    });

    it("rejects a snapshot bucket moved into the cluster's region", async () => {
        const found = await run(
            edit("pulumi:providers:aws", (i) => {
                i.region = "us-west-2";
            }),
        );
        expect(found.map((v) => v.policyName)).to.deep.equal([P.bucketOtherRegion.name]);
        expect(found[0].message).to.match(/is in us-west-2, the EKS cluster's own region/);
    });

    it("rejects a StorageClass whose reclaimPolicy was changed to Delete", async () => {
        const found = await run(
            edit(T.storageClass, (i) => {
                i.reclaimPolicy = "Delete";
            }),
        );
        // The class itself, and the claims on it (Jenkins' claim on r3, Prometheus' and Alertmanager's on r2).
        expect(new Set(found.map((v) => v.policyName))).to.deep.equal(new Set([P.storageClassRetain.name, P.claimsRetain.name]));
        expect(found.map((v) => v.message).join("\n")).to.match(/StorageClass linstor-csi-lvm-thin-r3 .*reclaimPolicy Delete/);
    });

    it("rejects a launch template with optional IMDS tokens", async () => {
        const found = await run(
            edit(T.launchTemplate, (i) => {
                i.metadataOptions.httpTokens = "optional";
            }),
        );
        expect(found.map((v) => v.policyName)).to.deep.equal([P.launchTemplateImdsV2.name]);
    });

    it("rejects a stack that lost a zone (two AZs, two node groups)", async () => {
        const recs = edit(T.vpc, (i) => {
            i.availabilityZoneNames = i.availabilityZoneNames.slice(0, 2);
        });
        const withoutThird = recs.filter((r) => !(r.type === T.managedNodeGroup && r.name.endsWith("us-west-2c")));
        expect(withoutThird.length).to.equal(recs.length - 1);
        const found = await run(withoutThird);
        expect(found.map((v) => v.policyName)).to.deep.equal([P.nodesSpanZones.name, P.nodesSpanZones.name]);
    });

    it("rejects Jenkins moved to a one-replica class and opened to the internet", async () => {
        let recs = edit(T.claim, (i) => {
            i.spec.storageClassName = "linstor-csi-lvm-thin-r1";
        });
        recs = edit(
            T.helmRelease,
            (i) => {
                if (i.chart === "jenkins")
                    Object.assign(i.values.controller, { serviceType: "LoadBalancer", loadBalancerSourceRanges: ["0.0.0.0/0"] });
            },
            recs,
        );
        const names = (await run(recs)).map((v) => v.policyName).sort();
        expect(names).to.deep.equal([P.jenkinsVolumeReplicated.name, P.noOpenLoadBalancers.name].sort());
    });
});

describe("the whole pack over the dr stack under mocks", () => {
    let records: RecordedResource[];
    let stackConfig: Record<string, string>;

    before(async () => {
        // Reads the primary's outputs as its StackReference would: the dev stack evaluated under mocks.
        const dr = await evaluatedDr();
        stackConfig = dr.config;
        records = cloneRecords(dr.records);
    });

    it("finds zero violations; the bucket rules do not apply (the DR stack creates no bucket)", async () => {
        const result = await evaluate(P.policies, records, { stack: "dr", stackConfig, subnetZones: mockSubnetZones });
        expect(result.violations.map((v) => `${v.policyName}: ${v.message}`)).to.deep.equal([]);
        expect(result.notApplicable.map((n) => n.policyName).sort()).to.deep.equal(
            [P.bucketOtherRegion.name, P.bucketProtected.name, P.noOpenIngress.name].sort(),
        );
        expect(records.some((r) => r.type === T.snapshotContent)).to.equal(true);
    });

    it("rejects a restored snapshot content that would delete the backup", async () => {
        const recs = cloneRecords(records);
        recs.filter((r) => r.type === T.snapshotContent).forEach((r) => {
            r.inputs.spec.deletionPolicy = "Delete";
        });
        const found = await packViolations(recs, { stack: "dr", stackConfig });
        expect(found.map((v) => v.policyName)).to.deep.equal([P.snapshotRetain.name]);
    });
});
