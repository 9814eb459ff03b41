import { expect } from "chai";
import {
    cpuCores,
    JENKINS_DEFAULTS,
    type JenkinsSettings,
    memoryBytes,
    validateJenkinsSettings,
    withJenkinsDefaults,
} from "../../../components/jenkins/settings";
import { chartFullname, disruptionBudgetSpec, jenkinsUrl, jenkinsValues, pluginList, serviceAnnotations } from "../../../components/jenkins/values";
import { ConfigError } from "../../../components/shared/errors";
import { thrown } from "../../support/fixtures";

const key = (f: string) => `T.${f}`;
const ARN = "arn:aws:acm:us-west-2:123456789012:certificate/12345678-90ab-cdef-1234-567890abcdef";
const LB: Partial<JenkinsSettings> = { serviceType: "LoadBalancer", loadBalancerSourceRanges: ["10.0.0.0/16", "198.51.100.0/24"] };

function settings(overrides: Partial<JenkinsSettings> = {}): JenkinsSettings {
    return withJenkinsDefaults(overrides);
}

function values(overrides: Partial<JenkinsSettings> = {}, monitoringEnabled = false): any {
    const s = settings(overrides);
    validateJenkinsSettings(s, key);
    return jenkinsValues({ settings: s, claimName: "jenkins-home", adminSecretName: "jenkins-admin-credentials", monitoringEnabled });
}

function rejection(overrides: Partial<JenkinsSettings>): ConfigError {
    const e = thrown(() => validateJenkinsSettings(settings(overrides), key));
    expect(e).to.be.instanceOf(ConfigError);
    return e as ConfigError;
}

describe("Jenkins Helm values", () => {
    it("renders the complete values for an internal NLB with the documented defaults", () => {
        const v = values(LB);
        // The install-once gate (its script and fingerprint) has tests of its own below.
        expect(v.controller.customInitContainers.map((c: any) => c.name)).to.deep.equal(["plugins-install-once"]);
        delete v.controller.customInitContainers;
        expect(v).to.deep.equal({
            controller: {
                image: { registry: "docker.io", repository: "jenkins/jenkins", tag: "2.568.2-jdk21", pullPolicy: "IfNotPresent" },
                admin: {
                    username: "admin",
                    existingSecret: "jenkins-admin-credentials",
                    userKey: "jenkins-admin-user",
                    passwordKey: "jenkins-admin-password",
                    createSecret: true,
                },
                serviceType: "LoadBalancer",
                servicePort: 8080,
                targetPort: 8080,
                serviceAnnotations: {
                    "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
                    "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
                },
                loadBalancerSourceRanges: ["10.0.0.0/16", "198.51.100.0/24"],
                serviceExternalTrafficPolicy: "Cluster",
                tolerations: [
                    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
                    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
                ],
                affinity: {
                    nodeAffinity: {
                        requiredDuringSchedulingIgnoredDuringExecution: {
                            nodeSelectorTerms: [
                                { matchExpressions: [{ key: "ha-jenkins-eks.io/linstor-storage", operator: "In", values: ["true"] }] },
                            ],
                        },
                    },
                },
                probes: { startupProbe: { periodSeconds: 10, failureThreshold: 60 } },
                resources: { requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } },
                podDisruptionBudget: { enabled: false },
                installPlugins: [
                    "kubernetes:4540.v612369217f87",
                    "workflow-aggregator:608.v67378e9d3db_1",
                    "git:5.10.1",
                    "configuration-as-code:2115.vf6de120eef70",
                ],
                additionalPlugins: [],
                installLatestPlugins: false,
                installLatestSpecifiedPlugins: false,
                initializeOnce: true,
                overwritePlugins: true,
                overwritePluginsFromImage: true,
                JCasC: { configScripts: {} },
                sidecars: {
                    configAutoReload: { enabled: true, image: { registry: "docker.io", repository: "kiwigrid/k8s-sidecar", tag: "2.10.1" } },
                },
                prometheus: { enabled: false },
            },
            persistence: { enabled: true, existingClaim: "jenkins-home" },
        });
    });

    it("defaults to a ClusterIP service: no NLB annotations, no source ranges, no external traffic policy", () => {
        const c = values().controller;
        expect(c.serviceType).to.equal("ClusterIP");
        expect(c.serviceAnnotations).to.deep.equal({});
        expect(c.loadBalancerSourceRanges).to.deep.equal([]);
        expect(c).to.not.have.property("serviceExternalTrafficPolicy");
        expect(c.servicePort).to.equal(8080);
    });

    it("never sets the obsolete on-storage-lost label (HA Controller v2 watches every DRBD pod)", () => {
        for (const v of [values(), values(LB, true)]) {
            expect(v.controller).to.not.have.property("podLabels");
            expect(JSON.stringify(v)).to.not.contain("on-storage-lost");
            expect(JSON.stringify(v)).to.not.contain("ignore-fail-over");
        }
    });

    it("annotates for the AWS Load Balancer Controller: internet-facing and ip targets when asked", () => {
        expect(
            serviceAnnotations(
                settings({
                    ...LB,
                    loadBalancerController: "aws-load-balancer-controller",
                    loadBalancerScheme: "internet-facing",
                    loadBalancerTargetType: "ip",
                }),
            ),
        ).to.deep.equal({
            "service.beta.kubernetes.io/aws-load-balancer-type": "external",
            "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
        });
    });

    it("annotates for the in-tree cloud provider: nlb, internal only when internal", () => {
        expect(serviceAnnotations(settings({ ...LB, loadBalancerController: "in-tree" }))).to.deep.equal({
            "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
            "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
        });
        expect(serviceAnnotations(settings({ ...LB, loadBalancerController: "in-tree", loadBalancerScheme: "internet-facing" }))).to.deep.equal({
            "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        });
    });

    it("terminates TLS with the ACM certificate on 443 → 8080 with a TLS 1.3 policy", () => {
        for (const loadBalancerController of ["aws-load-balancer-controller", "in-tree"] as const) {
            const c = values({ ...LB, loadBalancerController, tlsCertificateArn: ARN, publicUrl: "https://ci.example.com/" }).controller;
            expect(c.servicePort).to.equal(443);
            expect(c.targetPort).to.equal(8080);
            expect(c.jenkinsUrl).to.equal("https://ci.example.com/");
            expect(c.serviceAnnotations).to.include({
                "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": ARN,
                "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
                "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
            });
        }
    });

    it("applies toleration, probe and resource settings", () => {
        const c = values({
            tolerationSeconds: 10,
            startupProbePeriodSeconds: 15,
            startupProbeFailureThreshold: 8,
            cpuRequest: "1",
            memoryLimit: "6Gi",
        }).controller;
        expect(c.tolerations.map((t: any) => t.tolerationSeconds)).to.deep.equal([10, 10]);
        expect(c.probes).to.deep.equal({ startupProbe: { periodSeconds: 15, failureThreshold: 8 } });
        expect(c.resources).to.deep.equal({ requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "2", memory: "6Gi" } });
    });

    it("adds the pinned prometheus plugin and the ServiceMonitor only with monitoring", () => {
        const on = values({}, true).controller;
        expect(on.prometheus).to.deep.equal({ enabled: true });
        expect(on.installPlugins).to.deep.equal([...JENKINS_DEFAULTS.plugins, "prometheus:852.v317db_5d17a_b_0"]);
        expect(on.installLatestPlugins).to.equal(false);
        // A version the user pinned wins; nothing is listed twice (the chart fails on duplicates).
        expect(pluginList(settings({ plugins: ["prometheus:819.v50953a_c560dd"] }), true)).to.deep.equal([
            "prometheus:819.v50953a_c560dd",
            "configuration-as-code:2115.vf6de120eef70",
            "kubernetes:4540.v612369217f87",
        ]);
    });

    it("passes JCasC documents through as configScripts", () => {
        const doc = "jenkins:\n  systemMessage: managed by Pulumi\n";
        expect(values({ cascConfigScripts: { welcome: doc } }).controller.JCasC).to.deep.equal({ configScripts: { welcome: doc } });
    });

    it("builds a PDB that allows one eviction, or none when disruptions are blocked", () => {
        const selector = { matchLabels: { "app.kubernetes.io/component": "jenkins-controller", "app.kubernetes.io/instance": "jenkins" } };
        expect(disruptionBudgetSpec("jenkins", false)).to.deep.equal({ maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow", selector });
        expect(disruptionBudgetSpec("jenkins", true)).to.deep.equal({ maxUnavailable: 0, unhealthyPodEvictionPolicy: "AlwaysAllow", selector });
    });

    it("derives the chart's full name from the release name", () => {
        expect(chartFullname("jenkins")).to.equal("jenkins");
        expect(chartFullname("ci-jenkins")).to.equal("ci-jenkins");
        expect(chartFullname("ci")).to.equal("ci-jenkins");
    });

    it("builds the URL from the configured URL, the NLB address or the in-cluster name", () => {
        const host = "a1.elb.us-west-2.amazonaws.com";
        expect(jenkinsUrl(settings(LB), "jenkins", "jenkins", host)).to.equal(`http://${host}:8080/`);
        expect(jenkinsUrl(settings({ ...LB, tlsCertificateArn: ARN }), "jenkins", "jenkins", host)).to.equal(`https://${host}/`);
        expect(jenkinsUrl(settings({ ...LB, publicUrl: "https://ci.example.com/" }), "jenkins", "jenkins", host)).to.equal("https://ci.example.com/");
        expect(jenkinsUrl(settings(), "jenkins", "ci", undefined)).to.equal("http://jenkins.ci.svc.cluster.local:8080/");
    });

    it("parses Kubernetes quantities", () => {
        expect(cpuCores("500m")).to.equal(0.5);
        expect(cpuCores("2")).to.equal(2);
        expect(cpuCores("2 cores")).to.equal(undefined);
        expect(memoryBytes("2Gi")).to.equal(2 * 2 ** 30);
        expect(memoryBytes("512M")).to.equal(512e6);
        expect(memoryBytes("2GB")).to.equal(undefined);
    });
});

describe("Jenkins settings validation", () => {
    it("accepts the defaults and a restricted load balancer", () => {
        validateJenkinsSettings(settings(), key);
        validateJenkinsSettings(settings(LB), key);
    });

    const openRanges: string[][] = [[], ["0.0.0.0/0"], ["10.0.0.0/8", "0.0.0.0/0"]];
    for (const ranges of openRanges) {
        it(`refuses a LoadBalancer open to everyone (${JSON.stringify(ranges)}) unless allowOpenLoadBalancer`, () => {
            const e = rejection({ serviceType: "LoadBalancer", loadBalancerSourceRanges: ranges });
            expect(e.key).to.equal("T.loadBalancerSourceRanges");
            expect(e.message).to.contain("T.allowOpenLoadBalancer").and.contain("ClusterIP");
            validateJenkinsSettings(settings({ serviceType: "LoadBalancer", loadBalancerSourceRanges: ranges, allowOpenLoadBalancer: true }), key);
        });
    }

    it("refuses a StorageClass with fewer than 3 replicas unless allowFewerReplicas", () => {
        for (const replicas of [1, 2]) {
            const e = rejection({ storageClassReplicas: replicas });
            expect(e.key).to.equal("T.storageClassReplicas");
            expect(e.message).to.contain("quorum").and.contain("T.allowFewerReplicas");
            validateJenkinsSettings(settings({ storageClassReplicas: replicas, allowFewerReplicas: true }), key);
        }
    });

    const cases: [string, Partial<JenkinsSettings>, string, RegExp][] = [
        ["zero size", { storageSize: "0Gi" }, "storageSize", /whole Kubernetes quantity such as "20Gi" \(Gi, Ti\)/],
        ["negative size", { storageSize: "-5Gi" }, "storageSize", /whole Kubernetes quantity such as "20Gi" \(Gi, Ti\)/],
        ["size without unit", { storageSize: "20" }, "storageSize", /whole Kubernetes quantity such as "20Gi" \(Gi, Ti\)/],
        ["size in GB", { storageSize: "20GB" }, "storageSize", /whole Kubernetes quantity such as "20Gi" \(Gi, Ti\)/],
        ["negative tolerationSeconds", { tolerationSeconds: -1 }, "tolerationSeconds", /0 to 300/],
        ["tolerationSeconds above the default", { tolerationSeconds: 600 }, "tolerationSeconds", /0 to 300/],
        ["fractional tolerationSeconds", { tolerationSeconds: 2.5 }, "tolerationSeconds", /Must be an integer from 0 to 300/],
        ["startup budget under a minute", { startupProbePeriodSeconds: 5, startupProbeFailureThreshold: 6 }, "startupProbeFailureThreshold", /30 s/],
        ["zero probe period", { startupProbePeriodSeconds: 0 }, "startupProbePeriodSeconds", /1 to 60/],
        [
            "bad ACM ARN",
            { ...LB, tlsCertificateArn: "arn:aws:iam::123456789012:server-certificate/x" },
            "tlsCertificateArn",
            /arn:aws:acm:<region>:<account>:certificate\/<uuid>/,
        ],
        [
            "ACM ARN with a short id",
            { ...LB, tlsCertificateArn: "arn:aws:acm:us-west-2:123456789012:certificate/abc" },
            "tlsCertificateArn",
            /arn:aws:acm:<region>:<account>:certificate\/<uuid>/,
        ],
        ["TLS without a load balancer", { tlsCertificateArn: ARN }, "tlsCertificateArn", /LoadBalancer/],
        ["http URL with TLS", { ...LB, tlsCertificateArn: ARN, publicUrl: "http://ci.example.com/" }, "publicUrl", /https/],
        ["relative URL", { publicUrl: "ci.example.com" }, "publicUrl", /absolute/],
        ["unpinned plugin", { plugins: ["git"] }, "plugins", /pinned as "name:version"/],
        ["latest plugin", { plugins: ["git:latest"] }, "plugins", /pinned/],
        ["plugin URL", { plugins: ["git:5.10.1:https://example.com/git.hpi"] }, "plugins", /pinned/],
        ["duplicate plugin", { plugins: ["git:5.10.1", "git:5.9.0"] }, "plugins", /listed twice/],
        ["bad prometheus version", { prometheusPluginVersion: "latest" }, "prometheusPluginVersion", /Pin a release/],
        ["JCasC that is not YAML", { cascConfigScripts: { broken: "jenkins:\n  systemMessage: [unclosed" } }, "cascConfigScripts", /not valid YAML/],
        ["JCasC that is a list", { cascConfigScripts: { list: "- a\n- b\n" } }, "cascConfigScripts", /YAML mapping/],
        ["JCasC with a bad name", { cascConfigScripts: { "My Config": "jenkins: {}" } }, "cascConfigScripts", /lowercase/],
        ["CIDR with host bits", { ...LB, loadBalancerSourceRanges: ["10.0.0.1/16"] }, "loadBalancerSourceRanges", /IPv4 CIDR/],
        ["not a CIDR", { loadBalancerSourceRanges: ["office"] }, "loadBalancerSourceRanges", /IPv4 CIDR/],
        [
            "ip targets in-tree",
            { ...LB, loadBalancerController: "in-tree", loadBalancerTargetType: "ip" },
            "loadBalancerTargetType",
            /aws-load-balancer-controller/,
        ],
        ["unknown service type", { serviceType: "NodePort" as any }, "serviceType", /ClusterIP, LoadBalancer/],
        ["request above limit", { memoryRequest: "8Gi" }, "memoryRequest", /memoryLimit/],
        ["malformed CPU", { cpuLimit: "two" }, "cpuLimit", /Kubernetes quantity such as "500m"/],
        ["zero memory", { memoryLimit: "0Gi" }, "memoryLimit", /positive/],
        ["latest image", { imageTag: "latest" }, "imageTag", /never latest/],
        ["chart version range", { chartVersion: "^5.9.0" }, "chartVersion", /Pin an exact version/],
        ["bad namespace", { namespace: "Jenkins" }, "namespace", /DNS-1123 label/],
        ["bad admin user", { adminUser: "" }, "adminUser", /letters/],
    ];
    for (const [what, overrides, field, message] of cases) {
        it(`refuses ${what}, naming ${field}`, () => {
            const e = rejection(overrides);
            expect(e.key).to.equal(`T.${field}`);
            expect(e.message).to.match(message);
        });
    }
});
