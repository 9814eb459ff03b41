/** policy/rules/retain.ts: storage classes, volumes and volume snapshots retain the data they hold. */
import { expect } from "chai";
import * as P from "../../policy/policies";
import { resource, violations } from "../support/policyHarness";
import { storageClass, T } from "./fixtures";

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
