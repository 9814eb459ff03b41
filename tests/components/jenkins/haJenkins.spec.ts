import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { HaJenkins, type HaJenkinsArgs } from "../../../components/jenkins";
import { ConfigError } from "../../../components/shared/errors";
import { loadConfig } from "../../../stacks/config";
import { thrown } from "../../support/fixtures";
import { isSecret, ofType, one, outputValue, PROJECT, recorded, resetRecords, settle, unsecret, useStack } from "../../support/mocks";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
const SECRET = "kubernetes:core/v1:Secret";
const SERVICE = "kubernetes:core/v1:Service";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const SC = "linstor-csi-lvm-thin-r3";
const ARN = "arn:aws:acm:us-west-2:123456789012:certificate/12345678-90ab-cdef-1234-567890abcdef";
const LB: Partial<HaJenkinsArgs> = { serviceType: "LoadBalancer", loadBalancerSourceRanges: ["10.0.0.0/16"] };

/** Resource options as the SDK saw them (mocks receive no `protect`), captured by a transformation. */
let seenOpts: Record<string, pulumi.CustomResourceOptions> = {};

async function build(overrides: Partial<HaJenkinsArgs> = {}, extraOpts: pulumi.ComponentResourceOptions = {}) {
    resetRecords();
    seenOpts = {};
    const provider = new k8s.Provider("test-k8s", { kubeconfig: "{}" });
    const jenkins = new HaJenkins(
        "hje-test-jenkins",
        { storageClassName: SC, storageClassReplicas: 3, ...overrides },
        {
            provider,
            transformations: [
                (a) => {
                    seenOpts[a.name] = a.opts;
                    return undefined;
                },
            ],
            ...extraOpts,
        },
    );
    await outputValue(jenkins.url);
    await settle();
    return jenkins;
}

const release = () => one(RELEASE);
const values = () => release().inputs.values;

describe("HaJenkins", () => {
    // Earlier specs may leave another stack's region behind; the NLB hostname carries the region.
    before(() => useStack("dev", { "aws:region": "us-west-2" }));

    describe("defaults", () => {
        let jenkins: HaJenkins;
        before(async () => {
            jenkins = await build();
        });

        it("keeps the pinned controller and JCasC reload images on every storage node, so a failover pulls nothing", () => {
            const ds = one("kubernetes:apps/v1:DaemonSet");
            expect(ds.inputs.metadata).to.deep.equal({ name: "jenkins-image-prepull", namespace: "jenkins" });
            const pod = ds.inputs.spec.template.spec;
            expect(pod.containers).to.have.length(2);
            expect(pod.containers[0].image).to.equal("docker.io/jenkins/jenkins:2.568.2-jdk21");
            expect(pod.containers[0].command).to.deep.equal(["sleep", "infinity"]);
            // The same reference the chart renders for config-reload-init and the reload sidecar (values pin it).
            const v = values().controller.sidecars.configAutoReload.image;
            expect(pod.containers[1].image).to.equal(`${v.registry}/${v.repository}:${v.tag}`).and.equal("docker.io/kiwigrid/k8s-sidecar:2.10.1");
            for (const c of pod.containers) expect(c.securityContext.capabilities).to.deep.equal({ drop: ["ALL"] });
            expect(pod.securityContext.runAsNonRoot).to.equal(true);
            expect(pod.automountServiceAccountToken).to.equal(false);
            expect(JSON.stringify(pod.affinity)).to.contain("ha-jenkins-eks.io/linstor-storage");
        });

        it("installs the pinned official chart into its own namespace and waits for it", () => {
            const r = release();
            expect(r.inputs.chart).to.equal("jenkins");
            expect(r.inputs.version).to.equal("5.9.53");
            expect(r.inputs.repositoryOpts).to.deep.equal({ repo: "https://charts.jenkins.io" });
            expect(r.inputs.name).to.equal("jenkins");
            expect(r.inputs.namespace).to.equal("jenkins");
            expect(r.inputs.createNamespace).to.equal(false);
            expect(r.inputs.skipAwait).to.equal(false);
            expect(r.inputs.timeout).to.equal(1200);
            expect(values().controller.image).to.deep.equal({
                registry: "docker.io",
                repository: "jenkins/jenkins",
                tag: "2.568.2-jdk21",
                pullPolicy: "IfNotPresent",
            });
            const ns = one("kubernetes:core/v1:Namespace");
            expect(ns.inputs.metadata).to.deep.equal({
                name: "jenkins",
                labels: {
                    "pod-security.kubernetes.io/enforce": "baseline",
                    "pod-security.kubernetes.io/warn": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                },
            });
        });

        it("creates every Kubernetes object through the provider passed in opts", () => {
            const k8sObjects = recorded.filter((r) => r.type.startsWith("kubernetes:"));
            expect(k8sObjects.length).to.be.greaterThan(4);
            for (const r of k8sObjects) expect(r.provider, r.name).to.match(/::test-k8s::/);
        });

        it("puts JENKINS_HOME on a Pulumi-managed PVC of the 3-replica class, handed to the chart as existingClaim", () => {
            const pvc = one(PVC);
            expect(pvc.inputs.metadata.name).to.equal("jenkins-home");
            expect(pvc.inputs.metadata.namespace).to.equal("jenkins");
            expect(pvc.inputs.metadata.annotations).to.deep.equal({ "pulumi.com/skipAwait": "true" });
            expect(pvc.inputs.spec).to.deep.equal({
                accessModes: ["ReadWriteOnce"],
                storageClassName: SC,
                resources: { requests: { storage: "20Gi" } },
            });
            expect(values().persistence).to.deep.equal({ enabled: true, existingClaim: "jenkins-home" });
        });

        it("protects the PVC and keeps it in the cluster even when removed from the program", () => {
            expect(seenOpts["hje-test-jenkins-home"].protect).to.equal(true);
            expect(seenOpts["hje-test-jenkins-home"].retainOnDelete).to.equal(true);
            expect(jenkins.pvc).to.not.equal(undefined);
        });

        it("hands the chart an admin Secret by reference, keeping createSecret so the chart mounts it", async () => {
            const secret = one(SECRET);
            expect(secret.inputs.metadata.name).to.equal("jenkins-admin-credentials");
            expect(secret.inputs.metadata.namespace).to.equal("jenkins");
            expect(secret.inputs).to.not.have.property("immutable");
            expect(secret.inputs.stringData).to.have.property("4dabf18193072939515e22adb298388d");
            expect(unsecret<any>(secret.inputs.stringData)).to.deep.equal({
                "jenkins-admin-user": "admin",
                "jenkins-admin-password": "generated-hje-test-jenkins-admin-password",
            });
            expect(values().controller.admin).to.deep.equal({
                username: "admin",
                existingSecret: "jenkins-admin-credentials",
                userKey: "jenkins-admin-user",
                passwordKey: "jenkins-admin-password",
                createSecret: true,
            });
            expect(JSON.stringify(values())).to.not.contain("generated-hje-test-jenkins-admin-password");
        });

        it("outputs the generated admin password only as a secret", async () => {
            const pw = one("random:index/randomPassword:RandomPassword");
            expect(pw.inputs).to.include({ length: 32, special: false });
            expect(await isSecret(jenkins.adminPassword)).to.equal(true);
            expect(await outputValue(jenkins.adminPassword)).to.equal("generated-hje-test-jenkins-admin-password");
            expect(await outputValue(jenkins.adminUser)).to.equal("admin");
        });

        it("evicts from dead nodes after 30 s, allows 10 min to boot and schedules onto LINSTOR storage nodes", () => {
            const c = values().controller;
            expect(c.tolerations).to.deep.equal([
                { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
                { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
            ]);
            expect(c.probes).to.deep.equal({ startupProbe: { periodSeconds: 10, failureThreshold: 60 } });
            expect(c.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).to.deep.equal([
                { matchExpressions: [{ key: "ha-jenkins-eks.io/linstor-storage", operator: "In", values: ["true"] }] },
            ]);
            expect(c.resources).to.deep.equal({ requests: { cpu: "500m", memory: "2Gi" }, limits: { cpu: "2", memory: "4Gi" } });
            expect(c).to.not.have.property("podLabels");
        });

        it("pins the plugins and never upgrades them to latest", () => {
            const c = values().controller;
            expect(c.installPlugins).to.deep.equal([
                "kubernetes:4540.v612369217f87",
                "workflow-aggregator:608.v67378e9d3db_1",
                "git:5.10.1",
                "configuration-as-code:2115.vf6de120eef70",
            ]);
            expect(c.installLatestPlugins).to.equal(false);
            expect(c.installLatestSpecifiedPlugins).to.equal(false);
            expect(c.prometheus).to.deep.equal({ enabled: false });
        });

        it("replaces the chart's PDB with a policy/v1 one that still lets nodes drain", () => {
            expect(values().controller.podDisruptionBudget).to.deep.equal({ enabled: false });
            const pdb = one(PDB);
            expect(pdb.inputs.apiVersion).to.equal("policy/v1");
            expect(pdb.inputs.metadata).to.deep.equal({ name: "jenkins-pdb", namespace: "jenkins" });
            expect(pdb.inputs.spec).to.deep.equal({
                maxUnavailable: 1,
                unhealthyPodEvictionPolicy: "AlwaysAllow",
                selector: { matchLabels: { "app.kubernetes.io/component": "jenkins-controller", "app.kubernetes.io/instance": "jenkins" } },
            });
        });

        it("is a ClusterIP service by default, reachable in the cluster (port-forward for people)", async () => {
            expect(values().controller.serviceType).to.equal("ClusterIP");
            expect(values().controller.serviceAnnotations).to.deep.equal({});
            expect(ofType(SERVICE)).to.have.length(0);
            expect(await outputValue(jenkins.url)).to.equal("http://jenkins.jenkins.svc.cluster.local:8080/");
            expect(await outputValue(jenkins.loadBalancerHostname)).to.equal(undefined);
        });

        it("outputs namespace, PVC, class, size, release and service names", async () => {
            expect(await outputValue(jenkins.namespace)).to.equal("jenkins");
            expect(await outputValue(jenkins.pvcName)).to.equal("jenkins-home");
            expect(await outputValue(jenkins.storageClassName)).to.equal(SC);
            expect(await outputValue(jenkins.storageSize)).to.equal("20Gi");
            expect(await outputValue(jenkins.releaseName)).to.equal("jenkins");
            expect(await outputValue(jenkins.serviceName)).to.equal("jenkins");
        });
    });

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

    describe("storage", () => {
        it("refuses a class with fewer than 3 replicas unless allowFewerReplicas, naming the caller's key", async () => {
            resetRecords();
            const e = thrown(
                () =>
                    new HaJenkins("r2", {
                        storageClassName: "linstor-csi-lvm-thin-r2",
                        storageClassReplicas: 2,
                        keyOf: (f) => `ha-jenkins-eks:jenkins.${f}`,
                    }),
            );
            expect(e).to.be.instanceOf(ConfigError);
            expect(e.message).to.match(/^Invalid value for ha-jenkins-eks:jenkins\.storageClassReplicas: 2\./);
            await settle();
            expect(recorded).to.have.length(0);
            await build({ storageClassName: "linstor-csi-lvm-thin-r2", storageClassReplicas: 2, allowFewerReplicas: true });
            expect(one(PVC).inputs.spec.storageClassName).to.equal("linstor-csi-lvm-thin-r2");
        });

        it("refuses a malformed size", () => {
            for (const storageSize of ["0Gi", "-1Gi", "20 GB"]) {
                const e = thrown(() => new HaJenkins("bad", { storageClassName: SC, storageClassReplicas: 3, storageSize }));
                expect((e as ConfigError).key).to.equal("HaJenkins.storageSize");
            }
        });

        it("uses an existing (restored) claim without creating a volume or a namespace", async () => {
            const jenkins = await build({ existingClaim: "jenkins-home-restored", createNamespace: false, storageSize: "50Gi" });
            expect(ofType(PVC)).to.have.length(0);
            expect(ofType("kubernetes:core/v1:Namespace")).to.have.length(0);
            expect(jenkins.pvc).to.equal(undefined);
            expect(values().persistence).to.deep.equal({ enabled: true, existingClaim: "jenkins-home-restored" });
            expect(await outputValue(jenkins.pvcName)).to.equal("jenkins-home-restored");
        });

        it("lets the caller lift protection, waits for storage readiness before the PVC and the release", async () => {
            const ready = new k8s.core.v1.ConfigMap("storage-ready", {});
            const jenkins = await build({ protect: false, dependsOn: [ready] });
            expect(seenOpts["hje-test-jenkins-home"].protect).to.equal(false);
            expect(seenOpts["hje-test-jenkins-home"].retainOnDelete).to.equal(true);
            for (const child of ["hje-test-jenkins-home", "hje-test-jenkins-release"]) {
                expect(seenOpts[child].dependsOn as pulumi.Resource[], child).to.include(ready);
            }
            // The release starts only after its claim exists (the chart creates none).
            expect(seenOpts["hje-test-jenkins-release"].dependsOn as pulumi.Resource[]).to.include(jenkins.pvc);
        });
    });

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

describe("Jenkins stack config", () => {
    const K = (key: string) => `${PROJECT}:${key}`;
    const read = (config: Record<string, string>, secretKeys: string[] = []) => {
        useStack("dev", { "aws:region": "us-west-2", ...config }, secretKeys);
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
