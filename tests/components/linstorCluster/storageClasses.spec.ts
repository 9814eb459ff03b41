import { expect } from "chai";
import { PROPERTY_PREFIX, resourceGroupName, storageClassSpec } from "../../../components/linstorCluster/storageClasses";

const tuning = { disableFlushes: false, maxBuffers: 10000 };
const spec = (replicas: number, t = tuning) =>
    storageClassSpec({ namePrefix: "linstor-csi-lvm-thin", replicas, dataPool: "data", metadataPool: "drbdmeta", tuning: t });

describe("StorageClass parameters", () => {
    it("r3: three replicas on different zones, no remote access, external metadata, explicit quorum", () => {
        const s = spec(3);
        expect(s.name).to.equal("linstor-csi-lvm-thin-r3");
        expect(s.parameters).to.deep.equal({
            "linstor.csi.linbit.com/placementCount": "3",
            "linstor.csi.linbit.com/storagePool": "data",
            "linstor.csi.linbit.com/resourceGroup": s.resourceGroup,
            "linstor.csi.linbit.com/replicasOnDifferent": "topology.kubernetes.io/zone",
            "linstor.csi.linbit.com/allowRemoteVolumeAccess": "false",
            "property.linstor.csi.linbit.com/StorPoolNameDrbdMeta": "drbdmeta",
            "property.linstor.csi.linbit.com/DrbdOptions/Net/max-buffers": "10000",
            "property.linstor.csi.linbit.com/DrbdOptions/Resource/quorum": "majority",
            "property.linstor.csi.linbit.com/DrbdOptions/Resource/on-no-quorum": "suspend-io",
            "property.linstor.csi.linbit.com/DrbdOptions/Resource/on-suspended-primary-outdated": "force-secondary",
        });
    });

    it("r1/r2 leave quorum to LINSTOR (it manages DrbdOptions/Resource/quorum itself unless a user sets it)", () => {
        for (const r of [1, 2]) {
            const keys = Object.keys(spec(r).parameters);
            expect(
                keys.some((k) => k.includes("quorum")),
                `r${r}`,
            ).to.equal(false);
            expect(spec(r).parameters["linstor.csi.linbit.com/placementCount"]).to.equal(String(r));
        }
    });

    it("uses only current keys: no bare DrbdOptions/, no Aux/ zone prefix", () => {
        for (const r of [1, 2, 3]) {
            for (const [k, v] of Object.entries(spec(r, { disableFlushes: true, maxBuffers: 8000 }).parameters)) {
                expect(k.startsWith("DrbdOptions/"), k).to.equal(false);
                expect(k.startsWith("linstor.csi.linbit.com/") || k.startsWith(PROPERTY_PREFIX), k).to.equal(true);
                expect(v.startsWith("Aux/"), v).to.equal(false);
            }
        }
    });

    it("turns flushes off only when asked (the 2022 reference architecture's choice)", () => {
        expect(spec(3).parameters).to.not.have.property(`${PROPERTY_PREFIX}DrbdOptions/Disk/disk-flushes`);
        const fast = spec(3, { disableFlushes: true, maxBuffers: 10000 }).parameters;
        expect(fast[`${PROPERTY_PREFIX}DrbdOptions/Disk/disk-flushes`]).to.equal("no");
        expect(fast[`${PROPERTY_PREFIX}DrbdOptions/Disk/md-flushes`]).to.equal("no");
    });

    it("keeps the resource group stable for the same options and moves to a new one when options change", () => {
        expect(spec(3).resourceGroup).to.equal(spec(3).resourceGroup);
        expect(spec(3).resourceGroup).to.match(/^linstor-csi-lvm-thin-r3-[0-9a-f]{8}$/);
        expect(spec(3, { disableFlushes: true, maxBuffers: 10000 }).resourceGroup).to.not.equal(spec(3).resourceGroup);
        expect(spec(3, { disableFlushes: false, maxBuffers: 9000 }).resourceGroup).to.not.equal(spec(3).resourceGroup);
        expect(resourceGroupName("x", { a: "1", b: "2" })).to.equal(resourceGroupName("x", { b: "2", a: "1" }));
    });
});
