/** policy/rules/cidr.ts: "open to the world" is what the whole list covers, not whether one entry ends in /0. */
import { expect } from "chai";
import { exposure, parseCidr } from "../../policy/rules/cidr";

describe("CIDR coverage (the pack's own helper)", () => {
    it("counts a list open when together it admits 1/16 of the public IPv4 or IPv6 space, or more", () => {
        for (const open of [
            ["0.0.0.0/0"],
            ["0.0.0.0/1", "128.0.0.0/1"],
            ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"],
            ["0.0.0.0/1"],
            ["64.0.0.0/4"],
            ["::/0"],
            ["::/1", "8000::/1"],
            ["2000::/3"],
            ["2200::/7"],
            [" 0.0.0.0/0 "],
            ["1.2.3.4/0"],
        ]) {
            expect(exposure(open).open, open.join(" ")).to.be.a("string");
        }
        for (const closed of [
            ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
            ["203.0.113.0/24"],
            ["2001:db8::/32"],
            ["64.0.0.0/5"],
            ["224.0.0.0/3"],
            ["2000::/8"],
            // A /7 is 1/16 of 2000::/3, but this one holds the documentation block 2001:db8::/32: just below.
            ["2000::/7"],
            ["fc00::/7"],
            [],
        ]) {
            expect(exposure(closed).open, closed.join(" ")).to.equal(undefined);
        }
    });

    it("counts overlaps once, and everything but one address as open", () => {
        expect(exposure(["64.0.0.0/5", "64.0.0.0/6", "68.0.0.0/6"]).open).to.equal(undefined);
        expect(exposure(["64.0.0.0/5", "72.0.0.0/5"]).open).to.match(
            /^64\.0\.0\.0\/5, 72\.0\.0\.0\/5 together admit 7\.\d % of the public IPv4 space$/,
        );
        // The complement of 8.8.8.8/32: at each prefix length, the sibling of the branch holding the address.
        const address = (8 << 24) | (8 << 16) | (8 << 8) | 8;
        const allButOne = Array.from({ length: 32 }, (_, i) => {
            const sibling = ((address >>> (31 - i)) ^ 1) << (31 - i);
            return `${[24, 16, 8, 0].map((s) => (sibling >>> s) & 255).join(".")}/${i + 1}`;
        });
        expect(exposure(allButOne).open).to.match(/together admit 100 % of the public IPv4 space/);
        // Without the /1 to /4 siblings, 0.0.0.0/4 but one address is left: 14 public /8s, just above 1/16 of the public
        // space; without the /5 sibling too, 8.0.0.0/5 (7 public /8s) is well below.
        expect(exposure(allButOne.slice(4)).open, "the /4 holding the address").to.match(/together admit 6\.3 %/);
        expect(exposure(allButOne.slice(5)).open, "the /5 holding the address").to.equal(undefined);
    });

    it("parses both families, masks host bits and rejects what is not a CIDR", () => {
        expect(parseCidr("10.1.2.3/8")?.start).to.equal(10n << 24n);
        expect(parseCidr("::ffff:10.0.0.1/128")?.start).to.equal((0xffffn << 32n) | (10n << 24n) | 1n);
        expect(parseCidr("2001:db8::/32")?.end).to.equal((0x20010db8n << 96n) + (1n << 96n));
        for (const bad of ["10.0.0.0", "10.0.0.256/8", "10.0.0.0/33", "::/129", "1:2:3:4:5:6:7:8:9/64", "1::2::3/64", "abc/8", ""]) {
            expect(parseCidr(bad), bad).to.equal(undefined);
        }
        expect(exposure(["10.0.0.0", "10.0.0.0/8"]).invalid).to.deep.equal(["10.0.0.0"]);
    });
});
