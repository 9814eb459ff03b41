/** HaJenkins with its defaults: the chart, JENKINS_HOME's claim, the admin Secret, scheduling, PDB and outputs. */
import { expect } from "chai";
import type { HaJenkins } from "../../../components/jenkins";
import { isSecret, ofType, one, outputValue, recorded, unsecret, useStack } from "../../support/mocks";
import { build, PDB, PVC, release, SC, SECRET, SERVICE, seenOpts, values } from "./fixtures";

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
            const ns = ofType("kubernetes:core/v1:Namespace").find((n) => n.name === "hje-test-jenkins-namespace")!;
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
            // Deleting its namespace would delete it: the namespace is protected and retained the same way.
            expect(seenOpts["hje-test-jenkins-namespace"].protect).to.equal(true);
            expect(seenOpts["hje-test-jenkins-namespace"].retainOnDelete).to.equal(true);
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
});
