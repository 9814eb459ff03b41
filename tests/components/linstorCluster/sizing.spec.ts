import { expect } from "chai";
import {
    defaultMetadataVolumeGiB,
    drbdBitmapMemoryMiB,
    externalMetadataMiB,
    instanceArchitecture,
    instanceMemoryMiB,
    instanceVcpus,
    LINSTOR_DEFAULT_PEER_SLOTS,
    requiredNodeMemoryMiB,
} from "../../../components/linstorCluster/sizing";
import { nodeReservedCpuMillicores } from "../../../stacks/config/across";

describe("sizing", () => {
    it("DRBD bitmap RAM is 32 KiB per GiB per peer (the 2022 reference architecture's rule)", () => {
        // 1 TiB at 3 replicas = 2 peers × 32 MiB.
        expect(drbdBitmapMemoryMiB(1024, 3)).to.equal(64);
        expect(drbdBitmapMemoryMiB(100, 3)).to.equal(7); // 6.25 MiB rounded up
        expect(drbdBitmapMemoryMiB(1024, 1)).to.equal(0);
        expect(requiredNodeMemoryMiB(1024, 3)).to.equal(3072 + 64);
    });

    it("external metadata counts LINSTOR's 7 peer slots, not current peers", () => {
        expect(LINSTOR_DEFAULT_PEER_SLOTS).to.equal(7);
        // 1 TiB × 32 MiB × 7 slots + 10 volumes × 4 MiB.
        expect(externalMetadataMiB(1024, 7, 10)).to.equal(224 + 40);
        // The 2022 reference architecture's claim "4 GiB covers 64 TiB at 3 replicas" holds for 2 slots, not for 7.
        expect(externalMetadataMiB(64 * 1024, 2, 0)).to.equal(4096);
        expect(externalMetadataMiB(64 * 1024, 7, 0)).to.equal(14336);
    });

    it("defaults the metadata volume to the requirement + 25 %, at least 4 GiB", () => {
        expect(defaultMetadataVolumeGiB(100, 7, 100)).to.equal(4);
        expect(defaultMetadataVolumeGiB(64 * 1024, 7, 100)).to.equal(Math.ceil(((14336 + 400) * 1.25) / 1024));
        for (const dataGiB of [1, 100, 1000, 16384, 65536]) {
            const needed = externalMetadataMiB(dataGiB, 7, 100);
            expect(defaultMetadataVolumeGiB(dataGiB, 7, 100) * 1024).to.be.at.least(needed);
        }
    });

    it("derives instance memory from the type name, or gives up", () => {
        expect(instanceMemoryMiB("m6i.large")).to.equal(8192);
        expect(instanceMemoryMiB("c5.xlarge")).to.equal(8192);
        expect(instanceMemoryMiB("r6i.2xlarge")).to.equal(65536);
        expect(instanceMemoryMiB("m7g.4xlarge")).to.equal(65536);
        expect(instanceMemoryMiB("t3.small")).to.equal(2048);
        expect(instanceMemoryMiB("t3.micro")).to.equal(1024);
        expect(instanceMemoryMiB("p4d.24xlarge")).to.equal(undefined);
        expect(instanceMemoryMiB("m6i.metal")).to.equal(undefined);
        expect(instanceMemoryMiB("nonsense")).to.equal(undefined);
    });

    it("tells Graviton from x86", () => {
        expect(instanceArchitecture("m7g.large")).to.equal("arm64");
        expect(instanceArchitecture("c6gn.xlarge")).to.equal("arm64");
        expect(instanceArchitecture("m6i.large")).to.equal("x86_64");
        expect(instanceArchitecture("m6a.large")).to.equal("x86_64");
    });

    it("derives vCPUs for the types whose memory it derives, and none for the others", () => {
        expect(instanceVcpus("m6i.large")).to.equal(2);
        expect(instanceVcpus("r7g.4xlarge")).to.equal(16);
        expect(instanceVcpus("t3.micro")).to.equal(2);
        expect(instanceVcpus("t3.2xlarge")).to.equal(8);
        expect(instanceVcpus("g5.xlarge")).to.equal(undefined);
    });

    it("reserves CPU as EKS' nodeadm does (6 %, 1 %, 0.5 % ×2, then 0.25 % per core)", () => {
        expect(nodeReservedCpuMillicores(1)).to.equal(60);
        expect(nodeReservedCpuMillicores(2)).to.equal(70);
        expect(nodeReservedCpuMillicores(4)).to.equal(80);
        expect(nodeReservedCpuMillicores(8)).to.equal(90);
    });
});
