/**
 * How values are read (stacks/config/reader.ts) and reported (loadConfig): an empty or blank value is an error, not
 * the default; whitespace around a value and empty list entries are refused; secrets must be stored as secrets;
 * unquoted YAML numbers get a hint; every problem is reported at once, as a RunError (no stack trace under the CLI).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ConfigError } from "../../../components/shared/errors";
import { loadConfig } from "../../../stacks/config";
import { isConfigSecret } from "../../../stacks/config/reader";
import { thrown } from "../../support/fixtures";
import { useStack } from "../../support/mocks";
import { QUICK_START_API_ACCESS } from "../../support/stacks";

const K = (key: string) => `ha-jenkins-eks:${key}`;
const base = { "aws:region": "us-west-2", ...QUICK_START_API_ACCESS };
function refusal(config: Record<string, string>, secretKeys: string[] = []): ConfigError {
    useStack("dev", { ...base, ...config }, secretKeys);
    const e = thrown(() => loadConfig());
    expect(e).to.be.instanceOf(ConfigError);
    return e as ConfigError;
}

describe("reading values", () => {
    after(() => useStack("dev", { "aws:region": "us-west-2" }));

    describe("empty values are errors, not the default", () => {
        for (const key of [
            "instanceType",
            "jenkinsImageTag",
            "snapshotSchedule",
            "nodesPerAz",
            "apiPublicAccessCidrs",
            "tags",
            "vpcId",
            "monitoringEnabled",
        ]) {
            for (const value of ["", "  "]) {
                it(`${key}: ${JSON.stringify(value)}`, () => {
                    const e = refusal({ [K(key)]: value });
                    expect(e.problems.map((p) => p.key)).to.include(K(key));
                    expect(e.problems.find((p) => p.key === K(key))?.message).to.equal(
                        `Invalid value for ${K(key)}: ${JSON.stringify(value)}. An empty value is not the default: set a value, or remove ` +
                            `the key for the default (pulumi config rm ${K(key)}).`,
                    );
                });
            }
        }
        it("an empty secret too", () => {
            expect(refusal({ [K("jenkinsAdminPassword")]: "" }, [K("jenkinsAdminPassword")]).message).to.contain("An empty value is not the default");
        });
    });

    it("refuses whitespace around a value and empty or padded list entries", () => {
        expect(refusal({ [K("instanceType")]: "m6i.large " }).message).to.match(
            /instanceType: "m6i\.large "\. Remove the leading or trailing whitespace/,
        );
        expect(refusal({ [K("apiPublicAccessCidrs")]: '["198.51.100.0/24", ""]' }).message).to.match(
            /Entry "" is empty or has leading or trailing whitespace/,
        );
        expect(refusal({ [K("availabilityZones")]: '["us-west-2a ","us-west-2b","us-west-2c"]' }).message).to.match(/Entry "us-west-2a "/);
        expect(refusal({ [K("apiPublicAccessCidrs")]: "198.51.100.0/24," }).message).to.match(/Entry "" is empty/);
        expect(refusal({ [K("tags")]: '{"": "x"}' }).message).to.match(/tags: .*A mapping key must not be empty/);
    });

    describe("secrets given as plain config", () => {
        for (const key of ["jenkinsAdminPassword", "grafanaAdminPassword", "alertSlackWebhookUrl", "alertSmtpPassword"]) {
            it(`refuses ${key} in plain text, without echoing it`, () => {
                const value = key === "alertSlackWebhookUrl" ? "https://hooks.slack.com/services/T0/B0/secretpart" : "hunter2hunter2";
                const e = refusal({ [K(key)]: value });
                const problem = e.problems.find((p) => p.key === K(key));
                expect(problem?.message).to.equal(
                    `Invalid value for ${K(key)}: "(plain text, hidden)". This key holds a secret: store it encrypted with ` +
                        `\`pulumi config set --secret ${K(key)}\` (and remove the plain value).`,
                );
                expect(e.message).to.not.contain(value);
                // SMTP login needs the rest of the e-mail routing.
                const companions =
                    key === "alertSmtpPassword"
                        ? {
                              [K("alertEmailTo")]: "ops@example.com",
                              [K("alertEmailFrom")]: "hje@example.com",
                              [K("alertSmtpSmarthost")]: "smtp.example.com:587",
                              [K("alertSmtpUsername")]: "u",
                          }
                        : {};
                useStack("dev", { ...base, ...companions, [K(key)]: value }, [K(key)]);
                expect(() => loadConfig(), "accepted as a secret").to.not.throw();
            });
        }
        it("the drbd.io password of the LINBIT distribution too", () => {
            const linbit = {
                [K("linstorDistribution")]: "linbit",
                [K("drbdIoUsername")]: "acme",
                [K("drbdIoPassword")]: "pw",
                [K("snapshotAllowIncremental")]: "false",
            };
            expect(refusal(linbit).problems.map((p) => p.key)).to.deep.equal([K("drbdIoPassword")]);
        });
        it("knows a secret by the engine's list of secure keys (runtime.isConfigSecret, keys as <namespace>:<name>)", () => {
            useStack("dev", { ...base, [K("grafanaAdminPassword")]: "x" }, [K("grafanaAdminPassword")]);
            expect(isConfigSecret(K("grafanaAdminPassword"))).to.equal(true);
            expect(isConfigSecret(K("instanceType"))).to.equal(false);
            expect(isConfigSecret("grafanaAdminPassword"), "a bare name is not the key").to.equal(false);
        });
    });

    it("hints to quote a YAML number that lost its trailing zero", () => {
        expect(refusal({ [K("kubernetesVersion")]: "1.3" }).message).to.equal(
            'Invalid value for ha-jenkins-eks:kubernetesVersion: "1.3". Use a Kubernetes minor version such as "1.35". ' +
                'YAML reads 1.30 as the number 1.3: quote it ("1.30").',
        );
        expect(refusal({ [K("kubernetesVersion")]: "1.350" }).message).to.not.contain("YAML");
    });

    it("reports every problem at once, one per key", () => {
        const e = refusal({
            [K("nodesPerAz")]: "two",
            [K("instanceType")]: "",
            [K("jenkinsImageTag")]: "latest",
            [K("monitoringNamespace")]: "kube-system",
            [K("snapshotSchedule")]: "every hour",
            [K("instancetype")]: "m6i.large",
        });
        expect(e.problems.map((p) => p.key).sort()).to.deep.equal(
            ["instanceType", "instancetype", "jenkinsImageTag", "monitoringNamespace", "nodesPerAz", "snapshotSchedule"].map(K).sort(),
        );
        expect(e.message).to.match(/^6 invalid values:\n- Invalid value for /);
    });

    describe("under the CLI, no stack trace", () => {
        it("every refusal is a pulumi.RunError", () => {
            const e = refusal({ [K("nodesPerAz")]: "0", [K("role")]: "x" });
            expect(pulumi.RunError.isInstance(e)).to.equal(true);
            for (const p of e.problems) expect(pulumi.RunError.isInstance(p)).to.equal(true);
        });
        it("and the pinned SDK's program runner prints a RunError's message alone", () => {
            // @pulumi/pulumi cmd/run/run.js, uncaughtHandler (also for unhandled rejections of the program's promise).
            const run = fs.readFileSync(path.join(require.resolve("@pulumi/pulumi"), "..", "cmd", "run", "run.js"), "utf8");
            expect(run).to.match(
                /if \(errors_1\.RunError\.isInstance\(err\)\) \{\s*\/\/ Always hide the stack for RunErrors\.\s*log\.error\(err\.message\);/,
            );
            expect(run).to.match(/process\.on\("unhandledRejection", uncaughtHandler\)/);
        });
    });
});
