/** policy/rules/claims.ts: every claimed volume comes from a class this stack defines with reclaimPolicy Retain. */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as P from "../../policy/policies";
import { evaluate, notApplicable, resource, violations } from "../support/policyHarness";
import { storageClass, T, UNKNOWN_STRING } from "./fixtures";

describe("claims-on-retain-classes", () => {
    const rule = P.claimsRetain;
    const classes = () => [
        storageClass("linstor-r3"),
        storageClass("scratch", { reclaimPolicy: "Delete" }),
        storageClass("unset", { reclaimPolicy: undefined }),
    ];
    const claim = (storageClassName?: string, extra: Record<string, unknown> = {}) =>
        resource(T.claim, { metadata: { name: "data", namespace: "apps" }, spec: { storageClassName, ...extra } });
    const jenkins = (type: string, values: unknown, extra: Record<string, unknown> = {}) =>
        resource(type, { name: "jenkins", chart: "jenkins", namespace: "jenkins", values, ...extra });

    it("passes claims on a Retain class the stack creates", async () => {
        const found = await violations(rule, [
            ...classes(),
            claim("linstor-r3"),
            jenkins(T.helmRelease, { persistence: { existingClaim: "data" } }),
            jenkins(T.helmChartV4, { persistence: { storageClass: "linstor-r3" } }),
        ]);
        expect(found).to.deep.equal([]);
    });

    it("fails a claim with no class (the cluster default, gp2 on EKS), on gp2, and on the stack's deleting classes", async () => {
        const found = await violations(rule, [...classes(), claim(undefined), claim("gp2"), claim("scratch"), claim("unset")]);
        expect(found).to.have.length(4);
        expect(found[0]).to.match(
            /PersistentVolumeClaim data names no StorageClass, so the cluster's default class provisions it — on EKS the gp2 class \(reclaimPolicy Delete\)/,
        );
        expect(found[1]).to.match(
            /uses StorageClass gp2, which this stack does not define, so the pack cannot prove it retains.*exemptStorageClasses/,
        );
        expect(found[2]).to.match(/uses StorageClass scratch, whose reclaimPolicy is Delete/);
        expect(found[3]).to.match(/uses StorageClass unset, whose reclaimPolicy is Delete/);
        const exempt = { config: { [rule.name]: { exemptStorageClasses: ["gp2"] } } };
        expect(await violations(rule, [...classes(), claim("gp2")], exempt)).to.deep.equal([]);
    });

    it("fails a claim without dynamic provisioning unless it binds a PersistentVolume the stack creates", async () => {
        expect((await violations(rule, [claim("")])).join()).to.match(/storageClassName "" \(no dynamic provisioning\)/);
        const pv = resource(T.persistentVolume, { metadata: { name: "pv-1" }, spec: { persistentVolumeReclaimPolicy: "Retain" } });
        expect(await violations(rule, [pv, claim("", { volumeName: "pv-1" })])).to.deep.equal([]);
    });

    it("fails StatefulSet claim templates and claim patches on the default class; patches that keep the class pass", async () => {
        const sts = resource(T.statefulSet, {
            metadata: { name: "db" },
            spec: {
                volumeClaimTemplates: [
                    { metadata: { name: "data" }, spec: {} },
                    { metadata: { name: "wal" }, spec: { storageClassName: "linstor-r3" } },
                ],
            },
        });
        const patch = resource(T.claimPatch, { metadata: { name: "data" }, spec: { storageClassName: "gp2" } });
        const labels = resource(T.claimPatch, { metadata: { name: "data", labels: { a: "b" } } });
        const found = await violations(rule, [...classes(), sts, patch, labels]);
        expect(found).to.have.length(2);
        expect(found[0]).to.match(/PersistentVolumeClaimPatch data uses StorageClass gp2/);
        expect(found[1]).to.match(/StatefulSet db claim template data names no StorageClass/);
    });

    it("fails claims in Helm values: Jenkins (persistence on by default) through a v3 Release or v4 Chart, claim templates", async () => {
        const found = await violations(rule, [
            ...classes(),
            jenkins(T.helmRelease, {}),
            jenkins(T.helmChartV4, { persistence: { storageClass: "gp2" } }),
            resource(T.helmRelease, {
                name: "kube-prometheus-stack",
                chart: "kube-prometheus-stack",
                values: { prometheus: { prometheusSpec: { storageSpec: { volumeClaimTemplate: { spec: { resources: {} } } } } } },
            }),
            resource(T.helmRelease, { name: "grafana", chart: "grafana", values: { persistence: { enabled: true } } }),
        ]);
        expect(found).to.have.length(4);
        expect(found[0]).to.match(/Helm release jenkins \(jenkins\) claims a volume at persistence: it names no StorageClass/);
        expect(found[1]).to.match(/Helm v4 Chart jenkins \(jenkins\) claims a volume at persistence\.storageClass: it uses StorageClass gp2/);
        expect(found[2]).to.match(/at prometheus\.prometheusSpec\.storageSpec\.volumeClaimTemplate: it names no StorageClass/);
        expect(found[3]).to.match(/Helm release grafana \(grafana\) claims a volume at persistence/);
        expect(await violations(rule, [...classes(), jenkins(T.helmRelease, { persistence: { enabled: false } })])).to.deep.equal([]);
    });

    it("knows classes defined in Helm values; refuses value files it cannot read; reads JSON ones", async () => {
        const csi = resource(T.helmRelease, {
            name: "csi",
            chart: "aws-ebs-csi-driver",
            values: { storageClasses: [{ name: "ebs-kept", reclaimPolicy: "Retain" }] },
        });
        expect(await violations(rule, [csi, claim("ebs-kept")])).to.deep.equal([]);
        const file = jenkins(
            T.helmRelease,
            { persistence: { existingClaim: "x" } },
            { valueYamlFiles: [new pulumi.asset.FileAsset("jenkins.yaml")] },
        );
        expect((await violations(rule, [file])).join()).to.match(
            /takes values from file jenkins\.yaml, which the pack cannot read.*trustedValueFiles/,
        );
        const json = new pulumi.asset.StringAsset(JSON.stringify({ persistence: { storageClass: "gp2" } }));
        expect((await violations(rule, [...classes(), jenkins(T.helmRelease, {}, { valueYamlFiles: [json] })])).join()).to.match(
            /persistence\.storageClass: it uses StorageClass gp2/,
        );
    });

    it("during a preview, an unknown class is advisory; a stack without claims is not applicable", async () => {
        const result = await evaluate([rule], [...classes(), claim(UNKNOWN_STRING)]);
        expect(result.violations.map((v) => v.enforcementLevel)).to.deep.equal(["advisory"]);
        expect(result.violations[0].message).to.match(/PersistentVolumeClaim data not known yet/);
        expect(await notApplicable(rule, classes())).to.equal(true);
    });
});
