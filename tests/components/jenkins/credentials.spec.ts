/** HaJenkins' admin credentials, the prometheus plugin with monitoring, user JCasC documents and the disruption budget. */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { HaJenkins } from "../../../components/jenkins";
import type { ConfigError } from "../../../components/shared/errors";
import { thrown } from "../../support/fixtures";
import { isSecret, ofType, one, outputValue, unsecret, useStack } from "../../support/mocks";
import { build, PDB, SC, SECRET, values } from "./fixtures";

describe("HaJenkins", () => {
    // Earlier specs may leave another stack's region behind; the NLB hostname carries the region.
    before(() => useStack("dev", { "aws:region": "us-west-2" }));

    describe("credentials, monitoring and JCasC", () => {
        it("uses the configured password (kept secret) instead of generating one", async () => {
            const jenkins = await build({ adminUser: "ops", adminPassword: pulumi.secret("correct-horse-battery") });
            expect(ofType("random:index/randomPassword:RandomPassword")).to.have.length(0);
            expect(unsecret<any>(one(SECRET).inputs.stringData)).to.deep.equal({
                "jenkins-admin-user": "ops",
                "jenkins-admin-password": "correct-horse-battery",
            });
            expect(values().controller.admin.username).to.equal("ops");
            expect(await isSecret(jenkins.adminPassword)).to.equal(true);
            expect(await outputValue(jenkins.adminPassword)).to.equal("correct-horse-battery");
        });

        it("keeps a plain-text password argument secret too", async () => {
            const jenkins = await build({ adminPassword: "plain-input" });
            expect(await isSecret(jenkins.adminPassword)).to.equal(true);
            expect(one(SECRET).inputs.stringData).to.have.property("4dabf18193072939515e22adb298388d");
        });

        it("turns on the ServiceMonitor and the pinned prometheus plugin with monitoring", async () => {
            await build({ monitoringEnabled: true });
            const c = values().controller;
            expect(c.prometheus).to.deep.equal({ enabled: true });
            expect(c.installPlugins).to.include("prometheus:852.v317db_5d17a_b_0");
            expect(c.installPlugins).to.have.length(5);
        });

        it("passes user JCasC documents and refuses invalid YAML", async () => {
            await build({ cascConfigScripts: { welcome: "jenkins:\n  systemMessage: hi\n" } });
            expect(values().controller.JCasC.configScripts).to.deep.equal({ welcome: "jenkins:\n  systemMessage: hi\n" });
            const e = thrown(
                () =>
                    new HaJenkins("bad-casc", {
                        storageClassName: SC,
                        storageClassReplicas: 3,
                        cascConfigScripts: { broken: "jenkins: [" },
                    }),
            );
            expect((e as ConfigError).key).to.equal("HaJenkins.cascConfigScripts");
        });

        it("blocks voluntary disruptions only when asked", async () => {
            await build({ blockVoluntaryDisruptions: true });
            expect(one(PDB).inputs.spec.maxUnavailable).to.equal(0);
        });
    });
});
