/**
 * Whether a list of CIDRs opens something to the internet, judged by the address space the WHOLE list covers
 * (0.0.0.0/1 plus 128.0.0.0/1 is the world as much as 0.0.0.0/0 is). Pure: no Pulumi, no I/O.
 *
 * A list is open when its union admits at least half of all IPv4 addresses, or at least half of IPv6's global
 * unicast space 2000::/3 (where every routable IPv6 address lives; ::/0 and ::/1 + 8000::/1 cover all of it).
 * Half, not all: "everything but one /32" is no restriction either, and no real client list comes near it.
 */

interface Family {
    readonly name: "IPv4" | "IPv6";
    readonly bits: number;
    /** The range whose coverage counts: all of IPv4, IPv6's global unicast 2000::/3. */
    readonly scope: readonly [bigint, bigint];
}

const V4: Family = { name: "IPv4", bits: 32, scope: [0n, (1n << 32n) - 1n] };
const V6: Family = { name: "IPv6", bits: 128, scope: [0x2n << 124n, (0x4n << 124n) - 1n] };

interface Range {
    readonly family: Family;
    readonly start: bigint;
    readonly end: bigint;
}

function parseV4(address: string): bigint | undefined {
    const parts = address.split(".");
    if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
    return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseV6(address: string): bigint | undefined {
    let text = address.toLowerCase();
    // An embedded IPv4 tail (::ffff:1.2.3.4) is two groups.
    const v4 = /(^|:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
    if (v4) {
        const value = parseV4(v4[2]);
        if (value === undefined) return undefined;
        text = `${text.slice(0, text.length - v4[2].length)}${(value >> 16n).toString(16)}:${(value & 0xffffn).toString(16)}`;
    }
    const halves = text.split("::");
    if (halves.length > 2) return undefined;
    const groups = (s: string) => (s === "" ? [] : s.split(":"));
    const head = groups(halves[0]);
    const tail = halves.length === 2 ? groups(halves[1]) : [];
    const missing = 8 - head.length - tail.length;
    if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
    const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
    if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
    return all.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

/** The addresses a CIDR admits, or undefined when it is not a CIDR (a prefix length is required). */
export function parseCidr(cidr: string): Range | undefined {
    const match = /^([^/\s]+)\/(\d{1,3})$/.exec(cidr.trim());
    if (!match) return undefined;
    const family = match[1].includes(":") ? V6 : V4;
    const value = family === V6 ? parseV6(match[1]) : parseV4(match[1]);
    const prefix = Number(match[2]);
    if (value === undefined || prefix > family.bits) return undefined;
    const hostBits = BigInt(family.bits - prefix);
    const start = (value >> hostBits) << hostBits;
    return { family, start, end: start + (1n << hostBits) - 1n };
}

// Math.min/max take numbers only.
function bigMax(a: bigint, b: bigint): bigint {
    if (a > b) return a;
    return b;
}
function bigMin(a: bigint, b: bigint): bigint {
    if (a < b) return a;
    return b;
}

/** How many addresses of the family's scope the ranges cover together (overlaps counted once). */
function covered(ranges: readonly Range[], family: Family): bigint {
    const [lo, hi] = family.scope;
    const clipped = ranges
        .filter((r) => r.family === family && r.end >= lo && r.start <= hi)
        .map((r) => [bigMax(r.start, lo), bigMin(r.end, hi)] as const)
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let total = 0n;
    let cursor = lo - 1n;
    for (const [start, end] of clipped) {
        const from = start > cursor ? start : cursor + 1n;
        if (end >= from) total += end - from + 1n;
        if (end > cursor) cursor = end;
    }
    return total;
}

export interface Exposure {
    /** Why the list is open to the internet, or undefined when it is not. */
    readonly open?: string;
    /** Entries that are not CIDRs: nothing can be judged about them. */
    readonly invalid: string[];
}

/** Judges a whole list of CIDRs (see the file comment). */
export function exposure(cidrs: readonly string[]): Exposure {
    const invalid: string[] = [];
    const ranges: Range[] = [];
    for (const cidr of cidrs) {
        const range = parseCidr(cidr);
        if (range) ranges.push(range);
        else invalid.push(cidr);
    }
    for (const family of [V4, V6]) {
        const size = family.scope[1] - family.scope[0] + 1n;
        const share = covered(ranges, family);
        if (share * 2n < size) continue;
        const members = cidrs.filter((c) => parseCidr(c)?.family === family).map((c) => c.trim());
        const percent = Number((share * 10000n) / size) / 100;
        const scope = family === V6 ? "of IPv6's global unicast space (2000::/3)" : "of all IPv4 addresses";
        const who = members.length === 1 ? `${members[0]} admits` : `${members.join(", ")} together admit`;
        return { open: `${who} ${percent}% ${scope}`, invalid };
    }
    return { invalid };
}
