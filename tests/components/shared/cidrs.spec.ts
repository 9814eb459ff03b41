/**
 * Address-space coverage (components/shared/cidrs.ts), property style: random lists from a seeded generator checked
 * against a bitmap of a small address block, and against laws any coverage must obey (order, duplicates, subdividing a
 * range, adding a range, the complement of one address).
 */
import { expect } from "chai";
import {
    coveredAddresses,
    describeCoverage,
    isOpenToInternet,
    mergeRanges,
    OPEN_TO_INTERNET_SHARE,
    parseCidr,
    publicCoverage,
} from "../../../components/shared/cidrs";

/** A small deterministic PRNG (mulberry32), so a failure names a seed that reproduces it. */
function rng(seed: number): () => number {
    let a = seed;
    return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
const int = (r: () => number, n: number) => Math.floor(r() * n);
const ipv4 = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
/** A random canonical IPv4 CIDR inside base/baseBits (prefix at least baseBits). */
function cidrWithin(r: () => number, base: number, baseBits: number): string {
    const prefix = baseBits + int(r, 32 - baseBits + 1);
    const size = 2 ** (32 - prefix);
    const offset = int(r, 2 ** (32 - baseBits) / size) * size;
    return `${ipv4(base + offset)}/${prefix}`;
}
/** Halves a CIDR into its two children (a /32 stays). */
function split(cidr: string): string[] {
    const [address, bits] = cidr.split("/");
    const prefix = Number(bits);
    if (prefix === 32) return [cidr];
    const base = address.split(".").reduce((a, o) => a * 256 + Number(o), 0);
    return [`${address}/${prefix + 1}`, `${ipv4(base + 2 ** (31 - prefix))}/${prefix + 1}`];
}
/** Every CIDR needed to cover the IPv4 space except one address (the siblings along its path). */
function allBut(address: number): string[] {
    const out: string[] = [];
    for (let prefix = 1; prefix <= 32; prefix++) {
        const size = 2 ** (32 - prefix);
        const sibling = Math.floor(address / size) * size + (Math.floor(address / size) % 2 === 0 ? size : -size);
        out.push(`${ipv4(sibling)}/${prefix}`);
    }
    return out;
}

describe("address-space coverage (components/shared/cidrs.ts)", () => {
    it("parses canonical IPv4 and IPv6 CIDRs only", () => {
        for (const ok of ["0.0.0.0/0", "10.0.0.0/8", "198.51.100.7/32", "::/0", "2001:db8::/32", "2000::/3", "fe80::1/128"]) {
            expect(parseCidr(ok), ok).to.not.equal(undefined);
        }
        for (const bad of [
            "10.0.0.1/8",
            "10.0.0.0/33",
            "10.0.0/8",
            "256.0.0.0/8",
            "10.0.0.0",
            "2001:db8::1/32",
            "::/129",
            "1::2::3/64",
            " 10.0.0.0/8",
            "10.0.0.0/08",
        ]) {
            expect(parseCidr(bad), bad).to.equal(undefined);
        }
    });

    it("counts the union of random lists exactly (bitmap of a /20, 300 seeds)", () => {
        const base = (10 << 24) >>> 0;
        for (let seed = 1; seed <= 300; seed++) {
            const r = rng(seed);
            const list = Array.from({ length: 1 + int(r, 8) }, () => cidrWithin(r, base, 20));
            const bitmap = new Uint8Array(4096);
            for (const c of list) {
                const range = parseCidr(c)!;
                for (let a = Number(range.start) - base; a < Number(range.end) - base; a++) bitmap[a] = 1;
            }
            const expected = bitmap.reduce((n, b) => n + b, 0);
            expect(Number(coveredAddresses(list)[4]), `seed ${seed}: ${list.join(" ")}`).to.equal(expected);
        }
    });

    it("does not care about order, duplicates or how a range is cut up (200 seeds)", () => {
        for (let seed = 1; seed <= 200; seed++) {
            const r = rng(seed);
            const list = Array.from({ length: 1 + int(r, 6) }, () => cidrWithin(r, 0, int(r, 12)));
            const share = publicCoverage(list);
            const shuffled = [...list].sort(() => r() - 0.5);
            const cut = list.flatMap(split);
            for (const variant of [shuffled, [...list, ...list], cut]) {
                expect(publicCoverage(variant), `seed ${seed}: ${list.join(" ")}`).to.deep.equal(share);
            }
            // Adding a range never lets fewer addresses in.
            const more = publicCoverage([...list, cidrWithin(r, 0, 4)]);
            expect(more[4]).to.be.at.least(share[4]);
            expect(mergeRanges(list.map((c) => parseCidr(c)!)).every((m, i, all) => i === 0 || all[i - 1].end < m.start)).to.equal(true);
        }
    });

    it("sees the whole internet however it is written", () => {
        expect(publicCoverage(["0.0.0.0/0"])[4]).to.equal(1);
        expect(publicCoverage(["0.0.0.0/1", "128.0.0.0/1"])[4]).to.equal(1);
        expect(publicCoverage(["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"])[4]).to.equal(1);
        expect(publicCoverage(["::/0"])[6]).to.equal(1);
        expect(publicCoverage(["::/1", "8000::/1"])[6]).to.equal(1);
        expect(publicCoverage(["2000::/4", "3000::/4"])[6]).to.equal(1);
        // Every public address but one, for random addresses: still everyone.
        for (let seed = 1; seed <= 50; seed++) {
            const address = int(rng(seed), 2 ** 32);
            expect(isOpenToInternet(allBut(address)), ipv4(address)).to.equal(true);
            expect(coveredAddresses(allBut(address))[4]).to.equal(2n ** 32n - 1n);
        }
    });

    it("counts only public space: private, documentation and multicast ranges let nobody from the internet in", () => {
        const notPublic = [
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "100.64.0.0/10",
            "127.0.0.0/8",
            "169.254.0.0/16",
            "224.0.0.0/4",
            "240.0.0.0/4",
        ];
        expect(publicCoverage([...notPublic, "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32", "fe80::/10"])).to.deep.equal({ 4: 0, 6: 0 });
        expect(isOpenToInternet(notPublic)).to.equal(false);
    });

    it("draws the line at a sixteenth of the public space: every own network is below, every 'everyone' above", () => {
        for (const own of [["17.0.0.0/8"], ["198.51.100.7/32", "203.0.113.0/24"], ["3.0.0.0/9", "52.0.0.0/8", "54.0.0.0/8"], ["2600:1f00::/24"]]) {
            expect(isOpenToInternet(own), own.join(" ")).to.equal(false);
        }
        for (const everyone of [["0.0.0.0/1"], ["32.0.0.0/3"], ["64.0.0.0/4", "198.51.100.7/32"], ["2000::/4"]]) {
            expect(isOpenToInternet(everyone), everyone.join(" ")).to.equal(true);
        }
        // The threshold itself: just below and at it.
        expect(OPEN_TO_INTERNET_SHARE).to.equal(1 / 16);
        expect(publicCoverage(["64.0.0.0/5"])[4]).to.be.lessThan(OPEN_TO_INTERNET_SHARE);
        expect(publicCoverage(["64.0.0.0/4"])[4]).to.be.at.least(OPEN_TO_INTERNET_SHARE);
    });

    it("describes the share in words", () => {
        expect(describeCoverage(["0.0.0.0/1", "128.0.0.0/1"])).to.equal("100 % of the public IPv4 space");
        expect(describeCoverage(["0.0.0.0/1"])).to.match(/^5\d(\.\d)? % of the public IPv4 space$/);
        expect(describeCoverage(["::/0", "0.0.0.0/0"])).to.equal("100 % of the public IPv4 space and 100 % of the public IPv6 space");
    });
});
