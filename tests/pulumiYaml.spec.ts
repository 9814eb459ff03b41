import { expect } from "chai";
import { loadConfig } from "../stacks/config";
import { loadStackConfig, projectDefaults } from "../stacks/stackFile";
import { useStack } from "./mocks";

describe("Pulumi.yaml", () => {
    it("declares the same defaults the code applies (no CLI applies them offline)", () => {
        useStack("dev", { "aws:region": "us-west-2" });
        const fromCode = loadConfig();
        useStack("dev", { "aws:region": "us-west-2", ...projectDefaults() });
        const fromYaml = loadConfig();
        expect(fromYaml).to.deep.equal(fromCode);
    });

    it("declares only keys the program reads, each with a type", () => {
        const defaults = projectDefaults();
        expect(Object.keys(defaults).length).to.be.greaterThan(20);
        for (const key of Object.keys(defaults)) expect(key.startsWith("ha-jenkins-eks:"), key).to.equal(true);
    });

    it("gives both stacks a role and a region", () => {
        expect(loadStackConfig("dev").config["ha-jenkins-eks:role"]).to.equal("primary");
        expect(loadStackConfig("dev").config["aws:region"]).to.equal("us-west-2");
        expect(loadStackConfig("dr").config["ha-jenkins-eks:role"]).to.equal("dr");
        expect(loadStackConfig("dr").config["aws:region"]).to.not.equal("us-west-2");
    });
});
