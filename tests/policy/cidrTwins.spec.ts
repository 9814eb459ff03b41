/**
 * "Open to the internet" is ONE rule: the program (components/shared/cidrs.ts) and the self-contained pack
 * (policy/rules/cidr.ts, a copy of the program's coverage code) get the same lists and must give the same verdicts and
 * the same coverage — a table of the cases that matter, boundaries included, then seeded random lists.
 */
import { expect } from "chai";
import * as program from "../../components/shared/cidrs";
import * as pack from "../../policy/rules/cidr";

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
const ipv4 = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");

/** A random canonical CIDR, mostly short prefixes so that lists land on both sides of the threshold. */
function randomCidr(r: () => number): string {
    const short = (max: number) => 1 + Math.floor(r() ** 2 * max);
    if (r() < 0.7) {
        const prefix = short(32);
        const address = Math.floor(r() * 2 ** 32);
        return `${ipv4(prefix === 32 ? address : address - (address % 2 ** (32 - prefix)))}/${prefix}`;
    }
    const prefix = short(64);
    const top = BigInt(Math.floor(r() * 2 ** 32)) << 32n;
    const value = ((top | BigInt(Math.floor(r() * 2 ** 32))) >> BigInt(64 - prefix)) << BigInt(64 - prefix);
    const groups = [48n, 32n, 16n, 0n].map((s) => ((value >> s) & 0xffffn).toString(16));
    return `${groups.join(":")}::/${prefix}`;
}

/** Everything but the named /8s, written as the siblings along their paths (no entry covers them). */
const everythingBut = (first: number) =>
    Array.from({ length: 8 }, (_, i) => {
        const size = 2 ** (31 - i);
        const sibling = Math.floor((first * 2 ** 24) / size) * size + (Math.floor((first * 2 ** 24) / size) % 2 === 0 ? size : -size);
        return `${ipv4(sibling)}/${i + 1}`;
    });

const TABLE: string[][] = [
    [],
    ["0.0.0.0/0"],
    ["0.0.0.0/1", "128.0.0.0/1"],
    ["0.0.0.0/1"],
    ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"],
    ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
    everythingBut(10),
    ["100.64.0.0/10", "169.254.0.0/16", "127.0.0.0/8"],
    ["224.0.0.0/3"],
    ["198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24"],
    ["3.0.0.0/8"],
    // 13 and 14 public /8s: either side of 1/16 of the public IPv4 space.
    Array.from({ length: 13 }, (_, i) => `${11 + i}.0.0.0/8`),
    Array.from({ length: 14 }, (_, i) => `${11 + i}.0.0.0/8`),
    ["64.0.0.0/5"],
    ["64.0.0.0/4"],
    ["64.0.0.0/5", "72.0.0.0/5"],
    ["64.0.0.0/5", "64.0.0.0/6", "68.0.0.0/6"],
    ["::/0"],
    ["::/1", "8000::/1"],
    ["2000::/3"],
    ["2000::/4"],
    ["2000::/7"],
    ["2200::/7"],
    ["2000::/8", "2100::/8"],
    ["2600::/12"],
    ["2001:db8::/32"],
    ["fc00::/7", "fe80::/10", "ff00::/8"],
    ["10.0.0.0/8", "::/0"],
    ["0.0.0.0/0", "2001:db8::/32"],
    ["203.0.113.7/32", "2001:db8::1/128"],
    // Entries that are not CIDRs count for nothing in both (the pack's rules also refuse them, separately).
    ["not-a-cidr"],
    ["not-a-cidr", "0.0.0.0/0"],
];

const verdicts = (list: string[]) => ({
    program: { open: program.isOpenToInternet(list), coverage: program.publicCoverage(list) },
    pack: { open: pack.isOpenToInternet(list), exposed: pack.exposure(list).open !== undefined, coverage: pack.publicCoverage(list) },
});

describe("one definition of open to the internet: program and pack", () => {
    it("share the threshold and the public address space", () => {
        expect(pack.OPEN_TO_INTERNET_SHARE).to.equal(program.OPEN_TO_INTERNET_SHARE);
        expect(pack.PUBLIC_SPACE).to.deep.equal(program.PUBLIC_SPACE);
    });

    it("give the same verdict and coverage for every list of the table, on both sides of the threshold", () => {
        const open = TABLE.filter((list) => {
            const v = verdicts(list);
            expect(v.pack.coverage, list.join(" ")).to.deep.equal(v.program.coverage);
            expect(v.pack.open, list.join(" ")).to.equal(v.program.open);
            expect(v.pack.exposed, list.join(" ")).to.equal(v.program.open);
            return v.program.open;
        });
        // The table has both verdicts, and its boundary pairs fall on either side.
        expect(open.length).to.be.within(5, TABLE.length - 5);
        expect(program.isOpenToInternet(TABLE[11])).to.equal(false);
        expect(program.isOpenToInternet(TABLE[12])).to.equal(true);
    });

    it("give the same verdict and coverage for seeded random lists", () => {
        let opened = 0;
        for (let seed = 1; seed <= 400; seed++) {
            const r = rng(seed);
            const list = Array.from({ length: 1 + Math.floor(r() * 6) }, () => randomCidr(r));
            const v = verdicts(list);
            expect(v.pack.coverage, `seed ${seed}: ${list.join(" ")}`).to.deep.equal(v.program.coverage);
            expect(v.pack.exposed, `seed ${seed}: ${list.join(" ")}`).to.equal(v.program.open);
            if (v.program.open) opened++;
        }
        expect(opened, "random lists on both sides").to.be.within(40, 360);
    });
});
