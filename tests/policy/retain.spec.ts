/** policy/rules/retain.ts: storage classes, volumes and volume snapshots retain the data they hold. */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as P from "../../policy/policies";
import { evaluate, resource, violations } from "../support/policyHarness";
import { cluster, storageClass, T, UNKNOWN_STRING } from "./fixtures";

describe("storage-class-reclaim-retain", () => {
    const rule = P.storageClassRetain;

    it("passes Retain classes and PVs without a Delete policy", async () => {
        expect(await violations(rule, [storageClass("r3"), resource(T.persistentVolume, { spec: {} })])).to.deep.equal([]);
    });

    it("fails Delete and unset reclaim policies, naming the class and the fix", async () => {
        const found = await violations(rule, [
            storageClass("linstor-r3", { reclaimPolicy: "Delete" }),
            storageClass("gp3", { reclaimPolicy: undefined, provisioner: "ebs.csi.aws.com" }),
            resource(T.persistentVolume, { metadata: { name: "pv-1" }, spec: { persistentVolumeReclaimPolicy: "Delete" } }),
        ]);
        expect(found).to.have.length(3);
        expect(found[0]).to.match(/StorageClass linstor-r3 \(linstor\.csi\.linbit\.com\) has reclaimPolicy Delete.*Set reclaimPolicy: "Retain"/);
        expect(found[1]).to.match(/gp3 \(ebs\.csi\.aws\.com\) has reclaimPolicy unset, which Kubernetes treats as Delete/);
        expect(found[2]).to.match(/PersistentVolume pv-1 .*persistentVolumeReclaimPolicy: "Retain"/);
    });

    it("lets policy config exempt a class by name", async () => {
        const records = [storageClass("scratch", { reclaimPolicy: "Delete" })];
        expect(await violations(rule, records, { config: { [rule.name]: { exemptStorageClasses: ["scratch"] } } })).to.deep.equal([]);
    });

    it("fails a PersistentVolumePatch or StorageClassPatch that switches to Delete; patches that leave the policy alone pass", async () => {
        const found = await violations(rule, [
            resource(T.persistentVolumePatch, { metadata: { name: "pvc-jenkins" }, spec: { persistentVolumeReclaimPolicy: "Delete" } }),
            resource(T.storageClassPatch, { metadata: { name: "linstor-csi-lvm-thin-r3" }, reclaimPolicy: "Delete" }),
            resource(T.persistentVolumePatch, { metadata: { name: "pvc-other" }, spec: { persistentVolumeReclaimPolicy: "Retain" } }),
            resource(T.storageClassPatch, { metadata: { name: "gp3" }, allowVolumeExpansion: true }),
        ]);
        expect(found).to.have.length(2);
        expect(found[0]).to.match(/PersistentVolumePatch pvc-jenkins has persistentVolumeReclaimPolicy Delete/);
        expect(found[1]).to.match(/StorageClassPatch linstor-csi-lvm-thin-r3 has reclaimPolicy Delete/);
    });

    it("fails classes pulumi-eks creates through storageClasses, which default to Delete", async () => {
        const found = await violations(rule, [
            cluster({ storageClasses: "gp2" }),
            cluster({ storageClasses: { fast: { type: "io1" }, kept: { type: "gp3", reclaimPolicy: "Retain" } } }),
        ]);
        expect(found).to.have.length(2);
        expect(found[0]).to.match(/creates a gp2 StorageClass through storageClasses, whose reclaimPolicy pulumi-eks leaves at Delete/);
        expect(found[1]).to.match(/StorageClass fast through storageClasses with reclaimPolicy unset/);
    });

    describe("classes defined in Helm values (v3 Release, v4 Chart)", () => {
        const chart = (type: string, values: unknown, extra: Record<string, unknown> = {}) =>
            resource(type, { name: "csi", chart: "aws-ebs-csi-driver", namespace: "kube-system", values, ...extra });

        it("fails storageClasses entries, storageClass objects and raw manifests that delete", async () => {
            const found = await violations(rule, [
                chart(T.helmRelease, { storageClasses: [{ name: "ebs-gp3", parameters: { type: "gp3" } }] }),
                chart(T.helmChartV4, { storageClass: { create: true, reclaimPolicy: "Delete" } }),
                chart(T.helmRelease, {
                    extraObjects: [{ kind: "StorageClass", metadata: { name: "raw" }, provisioner: "x", reclaimPolicy: "Delete" }],
                }),
                chart(T.helmRelease, { extraManifests: [{ kind: "PersistentVolume", spec: { persistentVolumeReclaimPolicy: "Recycle" } }] }),
                chart(T.helmRelease, { storageClasses: { gp3: { reclaimPolicy: "Delete" } } }),
            ]);
            expect(found).to.have.length(5);
            expect(found[0]).to.match(
                /Helm release csi \(aws-ebs-csi-driver\) defines StorageClass ebs-gp3 in its values at storageClasses\[0\], which has reclaimPolicy unset/,
            );
            expect(found[1]).to.match(/Helm v4 Chart csi .*at storageClass, which has reclaimPolicy Delete/);
            expect(found[2]).to.match(/StorageClass raw .*extraObjects\[0\]/);
            expect(found[3]).to.match(/extraManifests\[0\]\.spec\.persistentVolumeReclaimPolicy: "Recycle"/);
            expect(found[4]).to.match(/StorageClass gp3 in its values at storageClasses\.gp3/);
        });

        it("passes Retain definitions and classes switched off", async () => {
            expect(
                await violations(rule, [
                    chart(T.helmRelease, { storageClasses: [{ name: "ebs-gp3", reclaimPolicy: "Retain" }] }),
                    chart(T.helmChartV4, { storageClass: { create: false } }),
                ]),
            ).to.deep.equal([]);
        });

        it("reads JSON value files, refuses files it cannot read, and scans YAML text for storage keys", async () => {
            const json = new pulumi.asset.StringAsset(JSON.stringify({ storageClasses: [{ name: "x", reclaimPolicy: "Delete" }] }));
            expect((await violations(rule, [chart(T.helmRelease, {}, { valueYamlFiles: [json] })])).join()).to.match(
                /StorageClass x .*reclaimPolicy Delete/,
            );
            // Inline values override the files' (@pulumi/kubernetes helm/v3/release.d.ts).
            const overridden = chart(T.helmRelease, { storageClasses: [{ name: "x", reclaimPolicy: "Retain" }] }, { valueYamlFiles: [json] });
            expect(await violations(rule, [overridden])).to.deep.equal([]);
            const file = chart(T.helmChartV4, {}, { valueYamlFiles: [new pulumi.asset.FileAsset("./values.yaml")] });
            expect((await violations(rule, [file])).join()).to.match(
                /takes values from file \.\/values\.yaml, which the pack cannot read.*trustedValueFiles/,
            );
            expect(await violations(rule, [file], { config: { [rule.name]: { trustedValueFiles: ["kube-system/csi"] } } })).to.deep.equal([]);
            const yaml = (text: string) => chart(T.helmRelease, {}, { valueYamlFiles: [new pulumi.asset.StringAsset(text)] });
            expect((await violations(rule, [yaml("storageClasses:\n  - name: x\n    reclaimPolicy: Delete\n")])).join()).to.match(/YAML text/);
            expect((await violations(rule, [yaml('"reclaim\\u0050olicy": Delete\n')])).join()).to.match(/YAML text/);
            expect(await violations(rule, [yaml("controller:\n  replicas: 2\n")])).to.deep.equal([]);
        });

        it("during a preview, reports values it cannot see yet as advisory", async () => {
            const result = await evaluate([rule], [chart(T.helmRelease, { storageClass: { create: true, reclaimPolicy: UNKNOWN_STRING } })]);
            expect(result.violations.map((v) => v.enforcementLevel)).to.deep.equal(["advisory"]);
        });
    });
});

describe("volume-snapshot-retain", () => {
    const rule = P.snapshotRetain;
    const snapshotClass = (deletionPolicy?: string) =>
        resource(T.snapshotClass, { metadata: { name: "linstor-csi-s3" }, driver: P.LINSTOR_PROVISIONER, deletionPolicy });

    it("passes Retain classes and contents", async () => {
        expect(await violations(rule, [snapshotClass("Retain"), resource(T.snapshotContent, { spec: { deletionPolicy: "Retain" } })])).to.deep.equal(
            [],
        );
    });

    it("fails Delete set through a VolumeSnapshotClass or VolumeSnapshotContent patch", async () => {
        const found = await violations(rule, [
            resource(`${T.snapshotClass}Patch`, { metadata: { name: "linstor-csi-s3" }, deletionPolicy: "Delete" }),
            resource(`${T.snapshotContent}Patch`, { metadata: { name: "restore" }, spec: { deletionPolicy: "Delete" } }),
            resource(`${T.snapshotContent}Patch`, { metadata: { name: "labels-only" }, spec: {} }),
        ]);
        expect(found).to.have.length(2);
        expect(found[0]).to.match(/VolumeSnapshotClassPatch linstor-csi-s3 has deletionPolicy Delete/);
    });

    it("fails Delete on a class and on a pre-provisioned content", async () => {
        const found = await violations(rule, [
            snapshotClass("Delete"),
            resource(T.snapshotContent, { metadata: { name: "restore" }, spec: { deletionPolicy: "Delete" } }),
        ]);
        expect(found).to.have.length(2);
        expect(found[0]).to.match(/VolumeSnapshotClass linstor-csi-s3 has deletionPolicy Delete.*Set deletionPolicy: "Retain"/);
        expect(found[1]).to.match(/VolumeSnapshotContent restore has spec\.deletionPolicy Delete/);
    });
});
