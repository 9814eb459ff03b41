/** HaJenkins behind an AWS load balancer: NLB annotations, TLS on ACM, the public URL, refusing open ranges. */
import { expect } from "chai";
import { HaJenkins } from "../../../components/jenkins";
import { ConfigError } from "../../../components/shared/errors";
import { thrown } from "../../support/fixtures";
import { one, outputValue, recorded, resetRecords, settle, useStack } from "../../support/mocks";
import { ARN, build, LB, SC, SERVICE, values } from "./fixtures";

describe("HaJenkins", () => {
    // Earlier specs may leave another stack's region behind; the NLB hostname carries the region.
    before(() => useStack("dev", { "aws:region": "us-west-2" }));

    describe("load balancer", () => {
        it("builds an internal NLB restricted to the source ranges and reads its address for the URL", async () => {
            const jenkins = await build(LB);
            const c = values().controller;
            expect(c.serviceType).to.equal("LoadBalancer");
            expect(c.loadBalancerSourceRanges).to.deep.equal(["10.0.0.0/16"]);
            expect(c.serviceExternalTrafficPolicy).to.equal("Cluster");
            expect(c.serviceAnnotations).to.deep.equal({
                "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
                "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
            });
            const lookup = one(SERVICE);
            expect(lookup.name).to.equal("hje-test-jenkins-service");
            const host = "jenkins-0123456789.elb.us-west-2.amazonaws.com";
            expect(await outputValue(jenkins.loadBalancerHostname)).to.equal(host);
            expect(await outputValue(jenkins.url)).to.equal(`http://${host}:8080/`);
        });

        it("terminates TLS with the ACM certificate and serves https on 443", async () => {
            const jenkins = await build({ ...LB, loadBalancerScheme: "internet-facing", tlsCertificateArn: ARN });
            const c = values().controller;
            expect(c.servicePort).to.equal(443);
            expect(c.targetPort).to.equal(8080);
            expect(c.serviceAnnotations).to.deep.equal({
                "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
                "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": ARN,
                "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
                "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
            });
            expect(await outputValue(jenkins.url)).to.equal("https://jenkins-0123456789.elb.us-west-2.amazonaws.com/");
        });

        it("prefers the configured public URL, also as Jenkins' root URL", async () => {
            const jenkins = await build({ ...LB, tlsCertificateArn: ARN, publicUrl: "https://ci.example.com/" });
            expect(values().controller.jenkinsUrl).to.equal("https://ci.example.com/");
            expect(await outputValue(jenkins.url)).to.equal("https://ci.example.com/");
        });

        it("refuses an open range without opt-in, before registering anything", async () => {
            for (const ranges of [[], ["0.0.0.0/0"]]) {
                resetRecords();
                const e = thrown(
                    () =>
                        new HaJenkins("open", {
                            storageClassName: SC,
                            storageClassReplicas: 3,
                            serviceType: "LoadBalancer",
                            loadBalancerSourceRanges: ranges,
                        }),
                );
                expect(e).to.be.instanceOf(ConfigError);
                expect((e as ConfigError).key).to.equal("HaJenkins.loadBalancerSourceRanges");
                await settle();
                expect(recorded).to.have.length(0);
            }
            await build({ serviceType: "LoadBalancer", loadBalancerSourceRanges: ["0.0.0.0/0"], allowOpenLoadBalancer: true });
            expect(values().controller.loadBalancerSourceRanges).to.deep.equal(["0.0.0.0/0"]);
        });
    });
});
