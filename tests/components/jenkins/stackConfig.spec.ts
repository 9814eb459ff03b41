/** The Jenkins part of the stack config: documented defaults, stack-file forms, refusals naming the key. */
import { expect } from "chai";
import { ConfigError } from "../../../components/shared/errors";
import { loadConfig } from "../../../stacks/config";
import { thrown } from "../../support/fixtures";
import { isSecret, ofType, outputValue, PROJECT, useStack } from "../../support/mocks";
import { QUICK_START_API_ACCESS } from "../../support/stacks";
import { build } from "./fixtures";

describe("Jenkins stack config", () => {
    const K = (key: string) => `${PROJECT}:${key}`;
    const read = (config: Record<string, string>, secretKeys: string[] = []) => {
        // Every stack must say how it reaches the Kubernetes API (loadConfig checks the whole stack at once).
        useStack("dev", { "aws:region": "us-west-2", ...QUICK_START_API_ACCESS, ...config }, secretKeys);
        // The reader parses types; loadConfig runs HaJenkins' own validation on what it read, naming the keys.
        return loadConfig().jenkins;
    };
    after(() => useStack("dev", { "aws:region": "us-west-2" }));

    it("applies the documented defaults", () => {
        const { adminPassword, ...cfg } = read({});
        expect(adminPassword).to.equal(undefined);
        expect(cfg).to.deep.include({
            namespace: "jenkins",
            chartVersion: "5.9.53",
            imageTag: "2.568.2-jdk21",
            storageSize: "20Gi",
            storageClassReplicas: 3,
            serviceType: "ClusterIP",
            loadBalancerScheme: "internal",
            loadBalancerTargetType: "instance",
            loadBalancerSourceRanges: [],
            tolerationSeconds: 30,
            startupProbePeriodSeconds: 10,
            startupProbeFailureThreshold: 60,
            prometheusPluginVersion: "852.v317db_5d17a_b_0",
            cascConfigScripts: {},
        });
    });

    it("reads lists, maps and the secret password in their stack-file forms", async () => {
        const cfg = read(
            {
                [K("jenkinsServiceType")]: "LoadBalancer",
                [K("jenkinsLoadBalancerSourceRanges")]: '["10.0.0.0/16","198.51.100.0/24"]',
                [K("jenkinsPlugins")]: '["git:5.10.1"]',
                [K("jenkinsCascConfigScripts")]: JSON.stringify({ welcome: "jenkins:\n  systemMessage: hi\n" }),
                [K("jenkinsAdminPassword")]: "s3cret",
            },
            [K("jenkinsAdminPassword")],
        );
        expect(cfg.loadBalancerSourceRanges).to.deep.equal(["10.0.0.0/16", "198.51.100.0/24"]);
        expect(cfg.plugins).to.deep.equal(["git:5.10.1"]);
        expect(cfg.cascConfigScripts).to.deep.equal({ welcome: "jenkins:\n  systemMessage: hi\n" });
        expect(await isSecret(cfg.adminPassword!)).to.equal(true);
        expect(await outputValue(cfg.adminPassword!)).to.equal("s3cret");
    });

    const refusals: [string, Record<string, string>, RegExp][] = [
        [
            "an open load balancer",
            { [K("jenkinsServiceType")]: "LoadBalancer", [K("jenkinsLoadBalancerSourceRanges")]: '["0.0.0.0/0"]' },
            /^Invalid value for ha-jenkins-eks:jenkinsLoadBalancerSourceRanges: \["0\.0\.0\.0\/0"\]\. .*ha-jenkins-eks:jenkinsAllowOpenLoadBalancer/,
        ],
        [
            "a load balancer without ranges",
            { [K("jenkinsServiceType")]: "LoadBalancer" },
            /^Invalid value for ha-jenkins-eks:jenkinsLoadBalancerSourceRanges: \[\]/,
        ],
        [
            "the 2-replica class",
            { [K("jenkinsStorageClassReplicas")]: "2" },
            /^Invalid value for ha-jenkins-eks:jenkinsStorageClassReplicas: 2\..*ha-jenkins-eks:jenkinsAllowFewerReplicas/,
        ],
        ["a non-positive size", { [K("jenkinsStorageSize")]: "0Gi" }, /^Invalid value for ha-jenkins-eks:jenkinsStorageSize: "0Gi"/],
        [
            "a non-integer toleration",
            { [K("jenkinsTolerationSeconds")]: "soon" },
            /^Invalid value for ha-jenkins-eks:jenkinsTolerationSeconds: "soon"/,
        ],
        [
            "a bad ACM ARN",
            {
                [K("jenkinsServiceType")]: "LoadBalancer",
                [K("jenkinsLoadBalancerSourceRanges")]: '["10.0.0.0/16"]',
                [K("jenkinsTlsCertificateArn")]: "cert",
            },
            /^Invalid value for ha-jenkins-eks:jenkinsTlsCertificateArn: "cert"/,
        ],
        ["a bad plugin", { [K("jenkinsPlugins")]: '["git"]' }, /^Invalid value for ha-jenkins-eks:jenkinsPlugins: "git"/],
        [
            "bad JCasC",
            { [K("jenkinsCascConfigScripts")]: '{"x":"a: [b"}' },
            /^Invalid value for ha-jenkins-eks:jenkinsCascConfigScripts: "x"\. Document x is not valid YAML/,
        ],
        [
            "an unknown service type",
            { [K("jenkinsServiceType")]: "NodePort" },
            /^Invalid value for ha-jenkins-eks:jenkinsServiceType: "NodePort"\. Allowed: ClusterIP, LoadBalancer/,
        ],
    ];
    for (const [what, config, message] of refusals) {
        it(`refuses ${what}, naming the config key`, () => {
            const e = thrown(() => read(config));
            expect(e).to.be.instanceOf(ConfigError);
            expect(e.message).to.match(message);
        });
    }

    it("runs no pre-pull DaemonSet when prePullImage is off", async () => {
        await build({ prePullImage: false });
        expect(ofType("kubernetes:apps/v1:DaemonSet")).to.have.length(0);
    });
});
