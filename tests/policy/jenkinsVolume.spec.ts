/** policy/rules/jenkinsVolume.ts: the Jenkins volume is replicated three times across zones. */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as P from "../../policy/policies";
import { notApplicable, resource, violations } from "../support/policyHarness";
import { storageClass, T } from "./fixtures";

describe("jenkins-volume-replicated", () => {
    const rule = P.jenkinsVolumeReplicated;
    const release = (persistence: Record<string, unknown>, chart = "jenkins") =>
        resource(T.helmRelease, { name: "jenkins", chart, namespace: "jenkins", values: { controller: {}, persistence } });
    const claim = (storageClassName?: string) =>
        resource(T.claim, { metadata: { name: "jenkins-home", namespace: "jenkins" }, spec: { storageClassName } });
    const classes = () => [storageClass("linstor-r3"), storageClass("linstor-r1", {}, { "linstor.csi.linbit.com/placementCount": "1" })];

    it("passes an existing claim on a 3-replica zone-spread LINSTOR class", async () => {
        expect(await violations(rule, [release({ enabled: true, existingClaim: "jenkins-home" }), claim("linstor-r3"), ...classes()])).to.deep.equal(
            [],
        );
        expect(
            await violations(rule, [release({ storageClass: "linstor-r3" }, "oci://registry.example/charts/jenkins"), ...classes()]),
        ).to.deep.equal([]);
    });

    it("fails a claim on the 1-replica class and says which class to use", async () => {
        const found = await violations(rule, [release({ existingClaim: "jenkins-home" }), claim("linstor-r1"), ...classes()]);
        expect(found).to.have.length(1);
        expect(found[0]).to.match(/claim jenkins-home\) uses StorageClass linstor-r1, but it places 1 replica\(s\), fewer than 3/);
        expect(found[0]).to.match(/placementCount "3"/);
    });

    it("fails a class without zone spread, the default class, a disabled or foreign volume", async () => {
        const noSpread = storageClass("linstor-r3", {}, { "linstor.csi.linbit.com/replicasOnDifferent": "" });
        expect((await violations(rule, [release({ existingClaim: "jenkins-home" }), claim("linstor-r3"), noSpread])).join()).to.match(
            /does not set replicasOnDifferent: topology\.kubernetes\.io\/zone/,
        );
        expect((await violations(rule, [release({}), ...classes()])).join()).to.match(/names no StorageClass, so the cluster default/);
        expect((await violations(rule, [release({ enabled: false }), ...classes()])).join()).to.match(/persistence\.enabled is false/);
        expect((await violations(rule, [release({ existingClaim: "elsewhere" }), ...classes()])).join()).to.match(/not created by this stack/);
        const ebs = storageClass("gp3", { provisioner: "ebs.csi.aws.com" }, {});
        expect((await violations(rule, [release({ storageClass: "gp3" }), ebs])).join()).to.match(/provisioner is ebs\.csi\.aws\.com/);
    });

    it("reads linstor-csi keys case-insensitively and honours minJenkinsReplicas", async () => {
        const mixed = storageClass("linstor-r3", {
            parameters: { "linstor.csi.linbit.com/PlacementCount": "3", replicasOnDifferent: P.ZONE_TOPOLOGY_KEY },
        });
        expect(await violations(rule, [release({ storageClass: "linstor-r3" }), mixed])).to.deep.equal([]);
        const five = await violations(rule, [release({ storageClass: "linstor-r3" }), mixed], { config: { [rule.name]: { minJenkinsReplicas: 5 } } });
        expect(five.join()).to.match(/fewer than 5/);
        // linstor-csi matches the prefix exactly: a differently cased or foreign prefix is ignored, so it proves nothing.
        for (const prefix of ["LINSTOR.CSI.LINBIT.COM/", "property.linstor.csi.linbit.com/", "example.com/"]) {
            const ignored = storageClass("linstor-r3", {
                parameters: { [`${prefix}placementCount`]: "3", replicasOnDifferent: P.ZONE_TOPOLOGY_KEY },
            });
            expect((await violations(rule, [release({ storageClass: "linstor-r3" }), ignored])).join(), prefix).to.match(/places 1 replica/);
        }
        // Spelled twice, either value may win in linstor-csi: the worst counts.
        const twice = storageClass("linstor-r3", {
            parameters: {
                placementCount: "3",
                "linstor.csi.linbit.com/autoPlace": "1",
                replicasOnDifferent: P.ZONE_TOPOLOGY_KEY,
                ReplicasOnDifferent: "",
            },
        });
        expect((await violations(rule, [release({ storageClass: "linstor-r3" }), twice])).join()).to.match(
            /places 1 replica.*does not set replicasOnDifferent/,
        );
    });

    it("judges Jenkins installed as a Helm v4 Chart, and value files: read when JSON, refused when unreadable", async () => {
        const v4 = (persistence: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
            resource(T.helmChartV4, { name: "jenkins", chart: "jenkins", namespace: "jenkins", values: { persistence }, ...extra });
        expect(await violations(rule, [v4({ existingClaim: "jenkins-home" }), claim("linstor-r3"), ...classes()])).to.deep.equal([]);
        expect((await violations(rule, [v4({ existingClaim: "jenkins-home" }), claim("linstor-r1"), ...classes()])).join()).to.match(
            /Jenkins chart jenkins: .*uses StorageClass linstor-r1, but it places 1 replica/,
        );
        const file = v4({}, { valueYamlFiles: [new pulumi.asset.FileAsset("jenkins-values.yaml")] });
        expect((await violations(rule, [file, ...classes()])).join()).to.match(
            /come partly from file jenkins-values\.yaml, which the pack cannot read/,
        );
        const json = new pulumi.asset.StringAsset(JSON.stringify({ persistence: { storageClass: "linstor-r1" } }));
        expect((await violations(rule, [v4({}, { valueYamlFiles: [json] }), ...classes()])).join()).to.match(/linstor-r1, but it places 1 replica/);
        const unrelated = new pulumi.asset.StringAsset("controller:\n  numExecutors: 0\n");
        expect(await violations(rule, [v4({ storageClass: "linstor-r3" }, { valueYamlFiles: [unrelated] }), ...classes()])).to.deep.equal([]);
    });

    it("fails a jenkins-home volume swapped in through persistence.volumes, and a templated class", async () => {
        const swapped = release({ existingClaim: "jenkins-home", volumes: [{ name: "jenkins-home", emptyDir: {} }] });
        expect((await violations(rule, [swapped, claim("linstor-r3"), ...classes()])).join()).to.match(
            /persistence\.volumes defines its own jenkins-home volume/,
        );
        expect((await violations(rule, [release({ storageClass: "{{ .Values.sc }}" }), ...classes()])).join()).to.match(/is a template/);
    });

    it("judges Jenkins rendered into objects (a v3 Chart, a v4 Chart's children): the StatefulSet's jenkins-home claim", async () => {
        const sts = (volume: Record<string, unknown>) =>
            resource(T.statefulSet, {
                metadata: { name: "jenkins", namespace: "jenkins" },
                spec: {
                    template: {
                        spec: {
                            volumes: [
                                { name: "jenkins-cache", emptyDir: {} },
                                { name: "jenkins-home", ...volume },
                            ],
                        },
                    },
                },
            });
        const onClaim = sts({ persistentVolumeClaim: { claimName: "jenkins-home" } });
        expect(await violations(rule, [onClaim, claim("linstor-r3"), ...classes()])).to.deep.equal([]);
        expect((await violations(rule, [onClaim, claim("linstor-r1"), ...classes()])).join()).to.match(/Jenkins StatefulSet jenkins: .*1 replica/);
        expect((await violations(rule, [sts({ emptyDir: {} }), ...classes()])).join()).to.match(/jenkins-home volume is not a PersistentVolumeClaim/);
    });

    it("is not applicable without a Jenkins release", async () => {
        expect(await notApplicable(rule, [release({}, "kube-prometheus-stack"), ...classes()])).to.equal(true);
    });
});
