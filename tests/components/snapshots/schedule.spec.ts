import { expect } from "chai";
import {
    isSnapshotHandle,
    legacySnapshotHandle,
    preProvisionedContent,
    restoredClaimName,
    restoredClaimSpec,
    s3SnapshotHandle,
    snapshotClassNames,
    snapshotClassParameters,
    snapshotControllerValues,
    volumeSnapshotFromContent,
} from "../../../components/snapshots/schedule";

describe("snapshot specs", () => {
    describe("VolumeSnapshotClass parameters", () => {
        it("point linstor-csi at the bucket over the regional https endpoint with virtual-hosted style", () => {
            expect(
                snapshotClassParameters({
                    remoteName: "s3-eu-central-1",
                    bucket: "b",
                    region: "eu-central-1",
                    allowIncremental: true,
                    maxIncrements: 23,
                }),
            ).to.deep.equal({
                "snap.linstor.csi.linbit.com/type": "S3",
                "snap.linstor.csi.linbit.com/remote-name": "s3-eu-central-1",
                "snap.linstor.csi.linbit.com/s3-bucket": "b",
                "snap.linstor.csi.linbit.com/s3-endpoint": "https://s3.eu-central-1.amazonaws.com",
                "snap.linstor.csi.linbit.com/s3-signing-region": "eu-central-1",
                "snap.linstor.csi.linbit.com/s3-use-path-style": "false",
                "snap.linstor.csi.linbit.com/allow-incremental": "true",
                "snap.linstor.csi.linbit.com/max-increments": "23",
            });
        });

        it("bounds the chain by age when asked, and drops chain limits for full-only backups", () => {
            const p = snapshotClassParameters({
                remoteName: "r",
                bucket: "b",
                region: "eu-west-1",
                allowIncremental: true,
                maxIncrements: 0,
                fullSnapshotAfter: "168h",
            });
            expect(p["snap.linstor.csi.linbit.com/full-snapshot-after"]).to.equal("168h");
            expect(p).to.not.have.property("snap.linstor.csi.linbit.com/max-increments");
            const full = snapshotClassParameters({ remoteName: "r", bucket: "b", region: "eu-west-1", allowIncremental: false, maxIncrements: 23 });
            expect(full["snap.linstor.csi.linbit.com/allow-incremental"]).to.equal("false");
            expect(Object.keys(full).filter((k) => /increments|full-snapshot/.test(k))).to.deep.equal([]);
            for (const v of Object.values(full)) expect(v).to.not.match(/^http:/);
        });
    });

    describe("the three classes of one remote", () => {
        it("names the full and on-demand classes after the schedule's, and only the on-demand one drops its local copy", () => {
            expect(snapshotClassNames("linstor-csi-s3")).to.deep.equal({
                incremental: "linstor-csi-s3",
                full: "linstor-csi-s3-full",
                onDemand: "linstor-csi-s3-on-demand",
            });
            const base = { remoteName: "r", bucket: "b", region: "eu-west-1", allowIncremental: false, maxIncrements: 0 };
            expect(snapshotClassParameters({ ...base, deleteLocal: true })["snap.linstor.csi.linbit.com/delete-local"]).to.equal("true");
            expect(snapshotClassParameters(base)).to.not.have.property("snap.linstor.csi.linbit.com/delete-local");
        });
    });

    describe("snapshot controller values", () => {
        it("installs the CRDs, runs replicas spread over zones and meets restricted Pod Security", () => {
            const v = snapshotControllerValues(2) as any;
            expect(v.installCRDs).to.equal(true);
            expect(v.webhook).to.deep.equal({ enabled: false });
            expect(v.controller.replicaCount).to.equal(2);
            expect(v.controller.pdb).to.deep.equal({ minAvailable: 1 });
            expect(v.controller.topologySpreadConstraints[0].topologyKey).to.equal("topology.kubernetes.io/zone");
            expect(v.controller.topologySpreadConstraints[0].labelSelector.matchLabels).to.deep.equal({
                "app.kubernetes.io/name": "snapshot-controller",
                "app.kubernetes.io/instance": "snapshot-controller",
            });
            expect(v.controller.podSecurityContext).to.deep.equal({ seccompProfile: { type: "RuntimeDefault" } });
            expect(v.controller.securityContext).to.include({ allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true });
            expect((snapshotControllerValues(1) as any).controller).to.not.have.property("pdb");
        });
    });

    describe("restore objects", () => {
        it("pre-provisions a Retain content with the handle, bound to the snapshot that names it", () => {
            const args = { name: "jenkins-dr", namespace: "jenkins", className: "linstor-csi-s3" };
            const content = preProvisionedContent({ ...args, snapshotHandle: "s3://s3-eu-central-1/pvc-1/snapshot-2" });
            expect(content).to.deep.equal({
                apiVersion: "snapshot.storage.k8s.io/v1",
                kind: "VolumeSnapshotContent",
                metadata: { name: "restored-jenkins-jenkins-dr" },
                spec: {
                    deletionPolicy: "Retain",
                    driver: "linstor.csi.linbit.com",
                    source: { snapshotHandle: "s3://s3-eu-central-1/pvc-1/snapshot-2" },
                    volumeSnapshotClassName: "linstor-csi-s3",
                    volumeSnapshotRef: { name: "jenkins-dr", namespace: "jenkins" },
                },
            });
            const snapshot = volumeSnapshotFromContent(args);
            expect(snapshot.metadata).to.deep.equal({ name: "jenkins-dr", namespace: "jenkins" });
            expect(snapshot.spec.source).to.deep.equal({ volumeSnapshotContentName: content.metadata.name });
            expect(restoredClaimSpec({ storageClassName: "r3", size: "50Gi", snapshotName: "jenkins-dr" })).to.deep.equal({
                accessModes: ["ReadWriteOnce"],
                storageClassName: "r3",
                resources: { requests: { storage: "50Gi" } },
                dataSource: { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: "jenkins-dr" },
            });
        });

        it("accepts current and legacy handles and rejects others", () => {
            expect(s3SnapshotHandle("s3-eu-central-1", "pvc-1a", "snapshot-2b")).to.equal("s3://s3-eu-central-1/pvc-1a/snapshot-2b");
            for (const ok of [
                "s3://s3-eu-central-1/pvc-1a/snapshot-2b",
                "S3://r/pvc-1a/1/snap",
                legacySnapshotHandle("3f2c1d0e-0000-4000-8000-000000000001"),
            ]) {
                expect(isSnapshotHandle(ok), ok).to.equal(true);
            }
            for (const bad of ["", "http://r/pvc/snap", "s3://r/pvc", "s3:///pvc/snap", "snap shot", "s3://r/pvc/1/2/snap"]) {
                expect(isSnapshotHandle(bad), bad).to.equal(false);
            }
        });

        it("names a restored claim as a DNS label", () => {
            expect(restoredClaimName("jenkins-home-20260101-000000")).to.equal("restored-jenkins-home-20260101-000000");
            const long = restoredClaimName(`a${"-b".repeat(31)}`);
            expect(long.length).to.be.at.most(63);
            expect(long).to.match(/[a-z0-9]$/);
        });
    });
});
