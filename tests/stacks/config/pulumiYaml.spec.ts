import { expect } from "chai";
import { readStackConfig } from "../../../stacks/config";
import { ConfigReader } from "../../../stacks/config/reader";
import { loadStackConfig, projectDefaults } from "../../../stacks/offline/stackFile";
import { useStack } from "../../support/mocks";

describe("Pulumi.yaml", () => {
    it("declares the same defaults the code applies (no CLI applies them offline)", () => {
        useStack("dev", { "aws:region": "us-west-2" });
        const fromCode = readStackConfig();
        useStack("dev", { "aws:region": "us-west-2", ...projectDefaults() });
        const fromYaml = readStackConfig();
        expect(fromYaml).to.deep.equal(fromCode);
    });

    it("declares only keys the program reads (a typo or a dead key fails here)", () => {
        const read = new Set<string>();
        // Every read goes through ConfigReader#raw or #isSet (the reader reads Pulumi's config once, then from its copy).
        const proto = ConfigReader.prototype as unknown as Record<"raw" | "isSet", (this: ConfigReader, key: string) => unknown>;
        const originals = { raw: proto.raw, isSet: proto.isSet };
        for (const m of ["raw", "isSet"] as const) {
            proto[m] = function (this: ConfigReader, key: string) {
                read.add(this.fullKey(key));
                return originals[m].call(this, key);
            };
        }
        try {
            for (const role of ["primary", "dr"]) {
                useStack("dev", { "aws:region": "us-west-2", "ha-jenkins-eks:role": role, "ha-jenkins-eks:primaryStack": "o/p/s" });
                readStackConfig();
            }
        } finally {
            Object.assign(proto, originals);
        }
        const declared = Object.keys(projectDefaults());
        expect(declared.length).to.be.greaterThan(90);
        for (const key of declared) expect(read.has(key), `${key} is declared in Pulumi.yaml but never read`).to.equal(true);
    });

    it("gives both stacks a role and a region", () => {
        expect(loadStackConfig("dev").config["ha-jenkins-eks:role"]).to.equal("primary");
        expect(loadStackConfig("dev").config["aws:region"]).to.equal("us-west-2");
        expect(loadStackConfig("dr").config["ha-jenkins-eks:role"]).to.equal("dr");
        expect(loadStackConfig("dr").config["aws:region"]).to.not.equal("us-west-2");
    });
});
