/** policy/rules/cidr.ts: "open to the world" is what the whole list covers, not whether one entry ends in /0. */
import { expect } from "chai";
import { exposure, parseCidr } from "../../policy/rules/cidr";

describe("CIDR coverage (the pack's own helper)", () => {
    it("counts a list open when together it admits half of IPv4 or of IPv6's global unicast space, or more", () => {
        for (const open of [
            ["0.0.0.0/0"],
            ["0.0.0.0/1", "128.0.0.0/1"],
            ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"],
            ["0.0.0.0/1"],
            ["::/0"],
            ["::/1", "8000::/1"],
            ["2000::/3"],
            [" 0.0.0.0/0 "],
        ]) {
            expect(exposure(open).open, open.join(" ")).to.be.a("string");
        }
        for (const closed of [
            ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
            ["203.0.113.0/24"],
            ["2001:db8::/32"],
            ["0.0.0.0/2"],
            ["fc00::/7"],
            [],
        ]) {
            expect(exposure(closed).open, closed.join(" ")).to.equal(undefined);
        }
    });

    it("counts overlaps once, and everything but one address as open", () => {
        expect(exposure(["0.0.0.0/2", "0.0.0.0/3", "32.0.0.0/3"]).open).to.equal(undefined);
        expect(exposure(["0.0.0.0/2", "64.0.0.0/3"]).open).to.equal(undefined);
        // The complement of 203.0.113.7/32: at each prefix length, the sibling of the branch holding the address.
        const address = (203 << 24) | (0 << 16) | (113 << 8) | 7;
        const allButOne = Array.from({ length: 32 }, (_, i) => {
            const sibling = ((address >>> (31 - i)) ^ 1) << (31 - i);
            return `${[24, 16, 8, 0].map((s) => (sibling >>> s) & 255).join(".")}/${i + 1}`;
        });
        expect(exposure(allButOne).open).to.match(/together admit 99\.99% of all IPv4 addresses/);
        expect(exposure(allButOne.slice(1)).open, "without the other half").to.equal(undefined);
    });

    it("parses both families, masks host bits and rejects what is not a CIDR", () => {
        expect(parseCidr("10.1.2.3/8")?.start).to.equal(10n << 24n);
        expect(parseCidr("::ffff:10.0.0.1/128")?.start).to.equal((0xffffn << 32n) | (10n << 24n) | 1n);
        expect(parseCidr("2001:db8::/32")?.end).to.equal((0x20010db8n << 96n) + (1n << 96n) - 1n);
        for (const bad of ["10.0.0.0", "10.0.0.256/8", "10.0.0.0/33", "::/129", "1:2:3:4:5:6:7:8:9/64", "1::2::3/64", "abc/8", ""]) {
            expect(parseCidr(bad), bad).to.equal(undefined);
        }
        expect(exposure(["10.0.0.0", "10.0.0.0/8"]).invalid).to.deep.equal(["10.0.0.0"]);
    });
});
