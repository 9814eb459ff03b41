/**
 * Bad input that spans keys or sections: exposure to the internet judged by the coverage of the whole list, namespace
 * collisions, replica counts, images pinned by one rule wherever the program runs one, the plugins the program needs,
 * versions and instance types, and the DR stack's primary.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { CHART_DEFAULT_PLUGINS } from "../../../components/jenkins/settings";
import { instanceMemoryMiB } from "../../../components/linstorCluster/sizing";
import { ConfigError } from "../../../components/shared/errors";
import { pinnedImageProblem, tagProblem } from "../../../components/shared/validation";
import { loadConfig } from "../../../stacks/config";
import { requiredPluginNote } from "../../../stacks/config/jenkins";
import { MissingPrimaryOutputError, readPrimaryOutputs } from "../../../stacks/outputs";
import { thrown } from "../../support/fixtures";
import { stackOutputs, useStack } from "../../support/mocks";
import { evaluatedDev, evaluatedDr } from "../../support/stackEvaluation";
import { stackConfig } from "../../support/stacks";

const K = (key: string) => `ha-jenkins-eks:${key}`;

function load(config: Record<string, string>, stack: "dev" | "dr" = "dev") {
    const shipped = stackConfig(stack);
    useStack(stack, { ...shipped.config, ...config }, shipped.secretKeys);
    return loadConfig();
}
function problem(config: Record<string, string>, key: string): string {
    const e = thrown(() => load(config));
    expect(e, e.message).to.be.instanceOf(ConfigError);
    const found = (e as ConfigError).problems.find((p) => p.key === K(key));
    expect(found, `no problem names ${key}: ${e.message}`).to.not.equal(undefined);
    return found!.message;
}

describe("bad input across sections", () => {
    after(() => useStack("dev", { "aws:region": "us-west-2" }));

    describe("open to the internet, judged by what the whole list covers", () => {
        const everyone: [string, string[]][] = [
            ["0.0.0.0/0", ["0.0.0.0/0"]],
            ["two /1 halves", ["0.0.0.0/1", "128.0.0.0/1"]],
            [
                "everything but the private ranges",
                ["0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8", "12.0.0.0/6", "16.0.0.0/4", "32.0.0.0/3", "64.0.0.0/2", "128.0.0.0/1"],
            ],
            ["a quarter of it", ["64.0.0.0/2"]],
        ];
        const exposures = [
            { what: "the Kubernetes API", key: "apiPublicAccessCidrs", optIn: "allowApiAccessFromAnywhere", extra: {} },
            { what: "the Kubernetes API", key: "apiPrivateAccessCidrs", optIn: "allowApiAccessFromAnywhere", extra: {} },
            {
                what: "Jenkins' load balancer",
                key: "jenkinsLoadBalancerSourceRanges",
                optIn: "jenkinsAllowOpenLoadBalancer",
                extra: { [K("jenkinsServiceType")]: "LoadBalancer" },
            },
            {
                what: "Grafana",
                key: "grafanaLoadBalancerSourceRanges",
                optIn: "allowGrafanaFromAnywhere",
                extra: { [K("grafanaServiceType")]: "LoadBalancer" },
            },
        ];
        for (const x of exposures) {
            for (const [how, cidrs] of everyone) {
                it(`refuses ${x.key}: ${how}, unless ${x.optIn}`, () => {
                    const config = { ...x.extra, [K(x.key)]: JSON.stringify(cidrs) };
                    expect(problem(config, x.key)).to.match(
                        new RegExp(
                            `Refusing to open ${x.what} to the internet: together these ranges cover \\d+(\\.\\d)? % of the public IPv4 space\\. List your own networks' CIDRs, or set ha-jenkins-eks:${x.optIn} to true`,
                        ),
                    );
                    expect(() => load({ ...config, [K(x.optIn)]: "true" }), "opted in").to.not.throw();
                });
            }
            it(`accepts ${x.key} of one's own networks`, () => {
                expect(() => load({ ...x.extra, [K(x.key)]: '["203.0.113.0/24", "198.51.100.7/32", "17.0.0.0/8"]' })).to.not.throw();
            });
        }
    });

    describe("namespaces", () => {
        for (const [key, ns, owner] of [
            ["jenkinsNamespace", "kube-system", "belongs to the cluster itself"],
            ["jenkinsNamespace", "default", "belongs to the cluster itself"],
            ["jenkinsNamespace", "piraeus-datastore", "already LINSTOR's"],
            ["jenkinsNamespace", "linbit-sds", "already LINSTOR's"],
            ["jenkinsNamespace", "snapshot-controller", "already the snapshot controller's"],
            ["monitoringNamespace", "jenkins", "already Jenkins'"],
            ["monitoringNamespace", "piraeus-datastore", "already LINSTOR's"],
            ["monitoringNamespace", "kube-node-lease", "belongs to the cluster itself"],
        ]) {
            it(`refuses ${key} ${ns}`, () => {
                expect(problem({ [K(key)]: ns }, key)).to.contain(owner);
            });
        }
        it("refuses a namespace that collides with node-exporter's, which monitoring names after its own", () => {
            expect(problem({ [K("jenkinsNamespace")]: "monitoring-node-exporter" }, "monitoringNamespace")).to.equal(
                'Invalid value for ha-jenkins-eks:monitoringNamespace: "monitoring". It puts node-exporter in monitoring-node-exporter, ' +
                    "which is already Jenkins': give each component a namespace of its own.",
            );
        });
        it("refuses a namespace that collides with the build agents', which HaJenkins names after Jenkins'", () => {
            expect(problem({ [K("monitoringNamespace")]: "jenkins-agents" }, "monitoringNamespace")).to.equal(
                'Invalid value for ha-jenkins-eks:monitoringNamespace: "jenkins-agents". This namespace is already the build agents\': ' +
                    "give each component a namespace of its own.",
            );
        });
        it("lets monitors of an existing operator live in its namespace, and the snapshot namespace be Jenkins' without its controller", () => {
            expect(() => load({ [K("useExistingPrometheusOperator")]: "true", [K("monitoringNamespace")]: "jenkins" })).to.not.throw();
            expect(() => load({ [K("installSnapshotController")]: "false", [K("jenkinsNamespace")]: "snapshot-controller" })).to.not.throw();
        });
    });

    it("refuses duplicate replica counts before a StorageClass is registered twice", () => {
        for (const v of ["[3,3,2]", "[1,2,2]"])
            expect(problem({ [K("storageClassReplicas")]: v }, "storageClassReplicas")).to.contain("Each entry may appear only once");
    });

    describe("images: one pinning rule wherever the program runs one", () => {
        const imageKeys = [
            "resyncGateImage",
            "snapshotJobImage",
            "linstorDbBackupKubectlImage",
            "linstorDbBackupAwsCliImage",
            "crdUpgradeKubectlImage",
            "crdUpgradeBusyboxImage",
        ];
        for (const [ref, reason] of [
            ["docker.io/library/busybox:latest", "can move to another image"],
            ["docker.io/library/busybox", "has no tag"],
            ["busybox:1.37.0", "Name the registry"],
            ["localhost:5000/busybox:1.37.0", "fully qualified host name"],
            ["docker.io/library/python:3.13-slim", "can move to another image"],
            ["docker.io/library/busybox@sha256:abc", "digest is @sha256: and 64 lowercase hex digits"],
        ]) {
            it(`refuses ${ref} for every image key, with the same reason`, () => {
                for (const key of imageKeys) expect(problem({ [K(key)]: ref }, key), key).to.contain(reason);
                const dr = stackConfig("dr");
                useStack("dr", { ...dr.config, [K("remoteJobImage")]: ref }, dr.secretKeys);
                expect(thrown(() => loadConfig()).message)
                    .to.contain("ha-jenkins-eks:remoteJobImage")
                    .and.contain(reason);
            });
        }

        it("every image the shipped stacks run passes that rule", async () => {
            const images = new Set<string>();
            const walk = (v: unknown): void => {
                if (Array.isArray(v)) v.forEach(walk);
                else if (v !== null && typeof v === "object") {
                    const o = v as Record<string, unknown>;
                    if (typeof o.image === "string") images.add(o.image);
                    // Helm values: { registry, repository, tag } (a chart joins them).
                    if (typeof o.repository === "string" && typeof o.tag === "string")
                        images.add(`${o.registry ?? "docker.io"}/${o.repository}:${o.tag}`);
                    Object.values(o).forEach(walk);
                }
            };
            for (const stack of [await evaluatedDev(), await evaluatedDr()]) for (const r of stack.records) walk(r.inputs);
            expect(images.size).to.be.greaterThan(5);
            for (const image of images) {
                // Jenkins numbers its releases with two or three parts; every other image needs three (tagProblem).
                const jenkins = image.includes("/jenkins/jenkins:");
                const problem = jenkins ? tagProblem(image.slice(image.lastIndexOf(":") + 1), 2) : pinnedImageProblem(image);
                expect(problem, image).to.equal(undefined);
            }
        });
    });

    describe("plugins the program needs are always installed", () => {
        it("merges them into a list that leaves them out, with a note (not a silent drop)", () => {
            const note = requiredPluginNote(
                { plugins: ["git:5.10.1"], prometheusPluginVersion: "852.v317db_5d17a_b_0", pluginSource: "install-once" },
                true,
            );
            const pins = CHART_DEFAULT_PLUGINS.filter((p) => /^(configuration-as-code|kubernetes):/.test(p));
            expect(note).to.equal(
                `ha-jenkins-eks:jenkinsPlugins does not list configuration-as-code, kubernetes: the program adds ${pins.sort().join(", ")} (it needs them).`,
            );
            expect(
                requiredPluginNote({ plugins: [...CHART_DEFAULT_PLUGINS], prometheusPluginVersion: "1", pluginSource: "install-once" }, true),
            ).to.equal(undefined);
            expect(requiredPluginNote({ plugins: [], prometheusPluginVersion: "1", pluginSource: "image" }, false)).to.match(
                /the image must contain them too/,
            );
        });
        it("refuses unpinned, floating or duplicate plugins", () => {
            for (const v of ['["git"]', '["git:latest"]', '["git:5.10.1","git:5.10.2"]', '["https://example.com/git.hpi"]']) {
                expect(problem({ [K("jenkinsPlugins")]: v }, "jenkinsPlugins"), v).to.match(/pinned|listed twice/);
            }
        });
    });

    describe("versions and instance types: form, and existence where the program keeps a table", () => {
        it("refuses a Piraeus operator release the program does not know", () => {
            expect(problem({ [K("piraeusOperatorChartVersion")]: "2.11.0" }, "piraeusOperatorChartVersion")).to.match(
                /Not a release this program knows \(operatorReleases\.ts: 2\.10\.7, 2\.10\.8, 2\.12\.1\)/,
            );
        });
        for (const [type, why] of [
            ["m6i", "family and size"],
            ["m6i.huge", "family and size"],
            ["M6I.LARGE", "family and size"],
            ["mi.large", "family and size"],
        ]) {
            it(`refuses the instance type ${type}`, () => {
                expect(problem({ [K("instanceType")]: type }, "instanceType")).to.contain(why);
            });
        }
        it("accepts real type names of every shape", () => {
            for (const t of ["m6i.large", "r7g.2xlarge", "m5.metal", "c6in.32xlarge", "u-6tb1.metal", "x2iedn.xlarge", "m7i.metal-24xl"]) {
                // sizing.ts derives the memory of common families' sized types; the others need instanceMemoryMiB.
                const memory = instanceMemoryMiB(t) === undefined ? { [K("instanceMemoryMiB")]: "65536" } : {};
                expect(() => load({ [K("instanceType")]: t, ...memory }), t).to.not.throw();
            }
        });
    });

    describe("the DR stack's primary", () => {
        it("names primaryStack when the primary has no outputs at all (a wrong name, or never deployed)", async () => {
            useStack("dr", stackConfig("dr").config);
            stackOutputs["acme/ha-jenkins-eks/nothing"] = {};
            const ref = new pulumi.StackReference("hje-dr-primary-test", { name: "acme/ha-jenkins-eks/nothing" });
            const e = await readPrimaryOutputs(ref, "acme/ha-jenkins-eks/nothing").then(
                () => undefined,
                (err) => err,
            );
            expect(e).to.be.instanceOf(MissingPrimaryOutputError).and.to.be.instanceOf(ConfigError);
            expect(pulumi.RunError.isInstance(e)).to.equal(true);
            expect(e.message).to.equal(
                'Invalid value for ha-jenkins-eks:primaryStack: "acme/ha-jenkins-eks/nothing". The stack acme/ha-jenkins-eks/nothing has none of the ' +
                    "outputs a primary stack of this program exports: check the name (`pulumi stack ls -a` lists them, <org>/<project>/<stack>), " +
                    "deploy it first with `pulumi up`, or, when the primary is gone, name its bucket with restoreBucketName, " +
                    "restoreBucketRegion and restoreBucketKmsKeyArn.",
            );
        });
    });
});
