/** DrbdMonitoring's alert routing: Slack or e-mail through a secret Alertmanager Secret, or none. */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as yaml from "js-yaml";
import { one, unsecret } from "../../support/mocks";
import { build, RELEASE, SECRET, WRAP } from "./fixtures";

describe("DrbdMonitoring", () => {
    describe("alert routing", () => {
        it("delivers the Slack webhook only inside a secret Alertmanager Secret", async () => {
            const url = "https://hooks.slack.com/services/T000/B000/XXXX";
            const m = await build({ alertSlackWebhookUrl: pulumi.secret(url), alertSlackChannel: "#storage" });
            const secret = one(SECRET, "alertmanager");
            expect(secret.inputs.stringData).to.have.property(WRAP);
            const config = yaml.load(unsecret<any>(secret.inputs.stringData)["alertmanager.yaml"]) as any;
            expect(config.route.receiver).to.equal("notify");
            expect(config.receivers[1].slack_configs[0]).to.include({ api_url: url, channel: "#storage" });
            expect(JSON.stringify(one(RELEASE).inputs)).to.not.contain("hooks.slack.com");
            expect(m.alertRouting).to.equal("slack");
        });

        it("keeps a webhook given as a plain string secret too", async () => {
            await build({ alertSlackWebhookUrl: "https://hooks.slack.com/services/T1/B1/PLAIN" });
            expect(one(SECRET, "alertmanager").inputs.stringData).to.have.property(WRAP);
        });

        it("keeps alerts visible in Alertmanager only (null receiver) when nothing is configured", async () => {
            const m = await build();
            const config = yaml.load(unsecret<any>(one(SECRET, "alertmanager").inputs.stringData)["alertmanager.yaml"]) as any;
            expect(config.route.receiver).to.equal("null");
            expect(config.receivers).to.deep.equal([{ name: "null" }]);
            expect(m.alertRouting).to.equal("none");
        });

        it("routes by e-mail with the SMTP password kept secret", async () => {
            const m = await build({
                alertEmailTo: "ops@example.com",
                alertEmailFrom: "alerts@example.com",
                alertSmtpSmarthost: "email-smtp.us-west-2.amazonaws.com:587",
                alertSmtpUsername: "AKIAEXAMPLE",
                alertSmtpPassword: pulumi.secret("smtp-pw"),
            });
            const secret = one(SECRET, "alertmanager");
            expect(secret.inputs.stringData).to.have.property(WRAP);
            const config = yaml.load(unsecret<any>(secret.inputs.stringData)["alertmanager.yaml"]) as any;
            expect(config.receivers[1].email_configs[0]).to.include({ to: "ops@example.com", auth_password: "smtp-pw", require_tls: true });
            expect(m.alertRouting).to.equal("email");
        });
    });
});
