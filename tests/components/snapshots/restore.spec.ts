/** Restores from a snapshot: into the origin cluster (S3SnapshotShipping) and from a handle at the DR site (SnapshotRestore). */

import * as k8s from "@pulumi/kubernetes";
import { expect } from "chai";
import type { S3SnapshotShipping } from "../../../components/snapshots";
import { SnapshotRestore } from "../../../components/snapshots/restore";
import { thrown } from "../../support/fixtures";
import { byUrn, dependsOn, ofType, one, recorded, resetRecords, settle } from "../../support/mocks";
import { build, cronEnv } from "./fixtures";

describe("S3SnapshotShipping", () => {
    describe("restore into the origin cluster", () => {
        let c: S3SnapshotShipping;
        before(async () => {
            c = await build({ restoreFromSnapshot: "jenkins-home-20260101-000000", onDemandSnapshotName: "after-restore" });
        });

        it("creates a claim on the 3-replica class from the snapshot and hands it over", () => {
            const pvc = one("kubernetes:core/v1:PersistentVolumeClaim");
            expect(pvc.inputs.metadata).to.include({ name: "restored-jenkins-home-20260101-000000", namespace: "jenkins" });
            expect(pvc.inputs.metadata.annotations).to.deep.equal({ "pulumi.com/skipAwait": "true" });
            expect(pvc.inputs.spec).to.deep.equal({
                accessModes: ["ReadWriteOnce"],
                storageClassName: "linstor-csi-lvm-thin-r3",
                resources: { requests: { storage: "50Gi" } },
                dataSource: { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: "jenkins-home-20260101-000000" },
            });
            expect(c.restoredClaimName).to.equal("restored-jenkins-home-20260101-000000");
            expect(ofType("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent")).to.have.length(0);
        });

        it("snapshots the restored claim from then on", () => {
            expect(cronEnv().PVC_NAME).to.equal("restored-jenkins-home-20260101-000000");
            expect(one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshot").inputs.spec.source).to.deep.equal({
                persistentVolumeClaimName: "restored-jenkins-home-20260101-000000",
            });
            expect(c.jenkinsClaimName).to.equal(c.restoredClaimName);
        });
    });

    describe("SnapshotRestore from a handle (pre-provisioned, for DR)", () => {
        let r: SnapshotRestore;
        before(async () => {
            resetRecords();
            r = new SnapshotRestore("dr-restore", {
                provider: new k8s.Provider("dr-k8s", { kubeconfig: "{}" }),
                namespace: "jenkins",
                claimName: "jenkins-home",
                storageClassName: "linstor-csi-lvm-thin-r3",
                size: "50Gi",
                source: {
                    fromHandle: {
                        snapshotHandle: "s3://s3-eu-central-1/pvc-0f1e/snapshot-9a8b",
                        snapshotName: "jenkins-dr",
                        snapshotClassName: "linstor-csi-s3",
                    },
                },
            });
            await settle();
        });

        it("chains a Retain content with the handle → its VolumeSnapshot → the claim", () => {
            const content = one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent");
            expect(content.inputs.spec).to.deep.equal({
                deletionPolicy: "Retain",
                driver: "linstor.csi.linbit.com",
                source: { snapshotHandle: "s3://s3-eu-central-1/pvc-0f1e/snapshot-9a8b" },
                volumeSnapshotClassName: "linstor-csi-s3",
                volumeSnapshotRef: { name: "jenkins-dr", namespace: "jenkins" },
            });
            const vs = one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshot");
            expect(vs.inputs.spec.source).to.deep.equal({ volumeSnapshotContentName: content.inputs.metadata.name });
            const pvc = one("kubernetes:core/v1:PersistentVolumeClaim");
            expect(pvc.inputs.spec.dataSource).to.deep.equal({ apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: "jenkins-dr" });
            expect(pvc.inputs.spec.storageClassName).to.equal("linstor-csi-lvm-thin-r3");
            expect(dependsOn(vs, content)).to.equal(true);
            expect(dependsOn(pvc, vs)).to.equal(true);
            expect(byUrn(pvc.options?.parent as string)?.type).to.equal("ha-jenkins-eks:index:SnapshotRestore");
            expect(r.claimName).to.equal("jenkins-home");
            for (const rec of recorded.filter((x) => x.type.startsWith("kubernetes:") && !x.type.startsWith("pulumi:"))) {
                expect(rec.provider, rec.name).to.contain("pulumi:providers:kubernetes::dr-k8s::");
            }
        });

        it("rejects a malformed handle", () => {
            const e = thrown(
                () =>
                    new SnapshotRestore("bad", {
                        provider: new k8s.Provider("bad-k8s", { kubeconfig: "{}" }),
                        namespace: "jenkins",
                        claimName: "jenkins-home",
                        storageClassName: "r3",
                        size: "50Gi",
                        source: {
                            fromHandle: { snapshotHandle: "http://bucket/x", snapshotName: "jenkins-dr", snapshotClassName: "linstor-csi-s3" },
                        },
                    }),
            );
            expect(e.message).to.contain("SnapshotRestore.snapshotHandle").and.contain("linstor backup list");
        });
    });
});
