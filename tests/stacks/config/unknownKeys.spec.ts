/**
 * Keys nobody reads are refused (stacks/config/keys.ts): misspelled keys of the project's namespace, with the nearest
 * known key, and namespaces that look like the project's; other packages' namespaces are left alone.
 */
import { expect } from "chai";
import type { ConfigError } from "../../../components/shared/errors";
import { closestMatch, editDistance } from "../../../components/shared/validation";
import { loadConfig } from "../../../stacks/config";
import { isNearMissNamespace, unknownKeyProblems } from "../../../stacks/config/keys";
import { thrown } from "../../support/fixtures";
import { useStack } from "../../support/mocks";
import { QUICK_START_API_ACCESS } from "../../support/stacks";

const base = { "aws:region": "us-west-2", ...QUICK_START_API_ACCESS };
function refusal(config: Record<string, string>, secretKeys: string[] = []): ConfigError {
    useStack("dev", { ...base, ...config }, secretKeys);
    return thrown(() => loadConfig()) as ConfigError;
}

describe("unknown keys and namespaces", () => {
    after(() => useStack("dev", { "aws:region": "us-west-2" }));

    it("accepts the shipped keys (the stack reads everything it knows)", () => {
        useStack("dev", base);
        expect(() => loadConfig()).to.not.throw();
    });

    const typos: [string, string][] = [
        ["instancetype", "instanceType"],
        ["protectStatefulResource", "protectStatefulResources"],
        ["snapshotBucketRegions", "snapshotBucketRegion"],
        ["nodesPerAZ", "nodesPerAz"],
        ["kubernetesVerison", "kubernetesVersion"],
        ["jenkinsPlugin", "jenkinsPlugins"],
        ["vpcID", "vpcId"],
        ["availabilityZone", "availabilityZones"],
    ];
    for (const [typo, meant] of typos) {
        it(`refuses ${typo}, suggesting ${meant}`, () => {
            const e = refusal({ [`ha-jenkins-eks:${typo}`]: "m6i.large" });
            expect(e.problems.map((p) => p.key)).to.deep.equal([`ha-jenkins-eks:${typo}`]);
            expect(e.message).to.equal(
                `Invalid value for ha-jenkins-eks:${typo}: "m6i.large". This program has no such key: did you mean ha-jenkins-eks:${meant}? ` +
                    `Every key is in the configuration reference, stacks/config/README.md (pulumi config rm ha-jenkins-eks:${typo} removes it).`,
            );
        });
    }

    it("refuses a key that resembles none, without a guess", () => {
        expect(refusal({ "ha-jenkins-eks:foo": "1" }).message).to.match(/ha-jenkins-eks:foo: "1"\. This program has no such key\. Every key/);
    });

    for (const namespace of ["ha-jenkins-ek", "hajenkinseks", "HA-Jenkins-EKS", "ha_jenkins_eks", "ha-jenkins", "ha-jenkins-eks-dev", "jenkinseks"]) {
        it(`refuses the near-miss namespace ${namespace}:`, () => {
            const e = refusal({ [`${namespace}:instanceType`]: "m6i.xlarge" });
            expect(e.message).to.equal(
                `Invalid value for ${namespace}:instanceType: "m6i.xlarge". The namespace ${namespace} is not this project's (ha-jenkins-eks), ` +
                    "so nothing reads this key: did you mean ha-jenkins-eks:instanceType?",
            );
        });
    }

    it("leaves other packages' namespaces to them", () => {
        for (const ns of ["aws", "kubernetes", "pulumi", "random", "tls", "eks", "awsx", "github"])
            expect(isNearMissNamespace(ns), ns).to.equal(false);
        useStack("dev", { ...base, "aws:skipMetadataApiCheck": "false", "kubernetes:context": "x", "pulumi:tags": "{}", "random:foo": "1" });
        expect(() => loadConfig()).to.not.throw();
    });

    it("never echoes a secret it does not know", () => {
        const e = refusal({ "ha-jenkins-eks:jenkinsAdminPasswd": "hunter2" }, ["ha-jenkins-eks:jenkinsAdminPasswd"]);
        expect(e.message)
            .to.contain("(secret value hidden)")
            .and.contain("did you mean ha-jenkins-eks:jenkinsAdminPassword?")
            .and.not.contain("hunter2");
    });

    it("reports every unknown key at once, with the other problems", () => {
        const e = refusal({ "ha-jenkins-eks:instancetype": "x", "ha-jenkins-ek:role": "dr", "ha-jenkins-eks:nodesPerAz": "0" });
        expect(e.problems.map((p) => p.key).sort()).to.deep.equal(["ha-jenkins-ek:role", "ha-jenkins-eks:instancetype", "ha-jenkins-eks:nodesPerAz"]);
    });

    it("judges from the keys the readers asked for (unknownKeyProblems)", () => {
        const known = new Set(["instanceType", "role"]);
        const all = { "ha-jenkins-eks:instanceType": "a", "ha-jenkins-eks:rol": "b", "aws:region": "c", "ha-jenkins-ek:role": "d" };
        expect(unknownKeyProblems(known, all).map((p) => p.key)).to.deep.equal(["ha-jenkins-eks:rol", "ha-jenkins-ek:role"]);
    });

    it("finds the nearest name by edits, case aside, or by a missing prefix or suffix", () => {
        expect(editDistance("instancetype", "instanceType")).to.equal(0);
        expect(editDistance("kubernetesVerison", "kubernetesVersion")).to.equal(1);
        expect(editDistance("abc", "acb")).to.equal(1);
        expect(closestMatch("snapshotSchedules", ["snapshotSchedule", "snapshotRetentionHours"])).to.equal("snapshotSchedule");
        expect(closestMatch("dataVolumeSize", ["dataVolumeSizeGiB", "rootVolumeSizeGiB"])).to.equal("dataVolumeSizeGiB");
        expect(closestMatch("zzz", ["instanceType", "role"])).to.equal(undefined);
        expect(closestMatch("anything", [])).to.equal(undefined);
    });
});
