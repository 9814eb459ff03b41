/** LinstorCluster's LINSTOR: the operator release, the LinstorCluster and satellite resources, the StorageClasses. */
import { expect } from "chai";
import { linstorClasses, one, unsecret } from "../../support/mocks";
import { build } from "./fixtures";

describe("LinstorCluster", () => {
    describe("LINSTOR", () => {
        before(async () => {
            await build();
        });

        it("installs the pinned Piraeus v2 operator with its CRDs into a privileged namespace", () => {
            const release = one("kubernetes:helm.sh/v3:Release");
            expect(release.inputs.chart).to.equal("oci://ghcr.io/piraeusdatastore/piraeus-operator/piraeus");
            expect(release.inputs.version).to.equal("2.10.8");
            expect(release.inputs.namespace).to.equal("piraeus-datastore");
            expect(release.inputs.values.installCRDs).to.equal(true);
            expect(release.inputs.skipAwait).to.equal(false);
            const ns = one("kubernetes:core/v1:Namespace");
            expect(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).to.equal("privileged");
        });

        it("declares the LinstorCluster with HA Controller on and the passphrase secret", () => {
            const cr = one("kubernetes:piraeus.io/v1:LinstorCluster");
            expect(cr.inputs.spec.highAvailabilityController.enabled).to.equal(true);
            expect(cr.inputs.spec.highAvailabilityController.podTemplate.spec.containers[0].args).to.deep.equal([
                "/agent",
                "--fail-over-timeout=5s",
                "--drbd-status-interval=5s",
            ]);
            expect(cr.inputs.spec.linstorPassphraseSecret).to.equal("linstor-passphrase");
            expect(cr.inputs.spec.nodeSelector).to.deep.equal({ "ha-jenkins-eks.io/linstor-storage": "true" });
            expect(cr.inputs.spec.properties).to.deep.equal([]);
            // The full lists, the operator's drbd.linbit.com tolerations included (tolerations.spec.ts models the merge).
            const t = (key: string) =>
                cr.inputs.spec[key].podTemplate.spec.tolerations.map((x: any) => `${x.key}:${x.effect}:${x.tolerationSeconds ?? "-"}`);
            expect(t("controller")).to.deep.equal([
                "node.kubernetes.io/unreachable:NoExecute:30",
                "node.kubernetes.io/not-ready:NoExecute:30",
                "drbd.linbit.com/force-io-error:NoSchedule:-",
                "drbd.linbit.com/lost-quorum:NoSchedule:-",
            ]);
            expect(t("csiController")).to.deep.equal([
                "drbd.linbit.com/force-io-error:NoSchedule:-",
                "drbd.linbit.com/lost-quorum:NoSchedule:-",
                "node.kubernetes.io/not-ready:NoExecute:30",
                "node.kubernetes.io/unreachable:NoExecute:30",
            ]);
            const secret = one("kubernetes:core/v1:Secret", "linstor-passphrase");
            expect(secret.inputs.immutable).to.equal(true);
            expect(secret.inputs.stringData).to.have.property("4dabf18193072939515e22adb298388d");
            expect(unsecret<any>(secret.inputs.stringData)).to.deep.equal({ MASTER_PASSPHRASE: "generated-hje-test-linstor-passphrase" });
        });

        it("declares two LVM-thin pools on the stable device paths and drops removed nodes from LINSTOR (node lost)", () => {
            const sat = one("kubernetes:piraeus.io/v1:LinstorSatelliteConfiguration");
            expect(sat.inputs.spec.deletionPolicy).to.equal("Delete");
            expect(sat.inputs.spec.storagePools).to.deep.equal([
                { name: "data", lvmThinPool: { volumeGroup: "linstor_data", thinPool: "data" }, source: { hostDevices: ["/dev/linstor/data"] } },
                {
                    name: "drbdmeta",
                    lvmThinPool: { volumeGroup: "linstor_drbdmeta", thinPool: "drbdmeta" },
                    source: { hostDevices: ["/dev/linstor/drbdmeta"] },
                },
            ]);
            expect(sat.inputs.spec.podTemplate.spec.initContainers[0]).to.deep.equal({
                name: "drbd-module-loader",
                env: [{ name: "LB_HOW", value: "compile" }],
            });
        });

        it("creates r1/r2/r3 StorageClasses that retain, expand and wait for the consumer", () => {
            const classes = linstorClasses();
            expect(classes.map((c) => c.inputs.metadata.name)).to.deep.equal([
                "linstor-csi-lvm-thin-r1",
                "linstor-csi-lvm-thin-r2",
                "linstor-csi-lvm-thin-r3",
            ]);
            for (const [i, c] of classes.entries()) {
                expect(c.inputs.provisioner).to.equal("linstor.csi.linbit.com");
                expect(c.inputs.reclaimPolicy).to.equal("Retain");
                expect(c.inputs.allowVolumeExpansion).to.equal(true);
                expect(c.inputs.volumeBindingMode).to.equal("WaitForFirstConsumer");
                expect(c.inputs.parameters["linstor.csi.linbit.com/placementCount"]).to.equal(String(i + 1));
                expect(c.inputs.parameters["linstor.csi.linbit.com/replicasOnDifferent"]).to.equal("topology.kubernetes.io/zone");
            }
        });

        it("sets PeerSlotsNewResource only when it differs from LINSTOR's default", async () => {
            await build({ drbdPeerSlots: 3 });
            expect(one("kubernetes:piraeus.io/v1:LinstorCluster").inputs.spec.properties).to.deep.equal([
                { name: "PeerSlotsNewResource", value: "3" },
            ]);
        });

        it("installs LINBIT SDS from charts.linstor.io with drbd.io credentials kept secret", async () => {
            await build({ linstorDistribution: "linbit", drbdIoUsername: "acme", drbdIoPassword: "s3cret" });
            const release = one("kubernetes:helm.sh/v3:Release");
            expect(release.inputs.chart).to.equal("linstor-operator");
            expect(release.inputs.repositoryOpts).to.deep.equal({ repo: "https://charts.linstor.io" });
            expect(release.inputs.namespace).to.equal("linbit-sds");
            expect(release.inputs.version).to.equal("2.10.0");
            const values = unsecret<any>(release.inputs.values);
            expect(values.imageCredentials).to.deep.equal({ registry: "drbd.io", username: "acme", password: "s3cret" });
            expect(release.inputs.values).to.have.property("4dabf18193072939515e22adb298388d");
        });
    });
});
