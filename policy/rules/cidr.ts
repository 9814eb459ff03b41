/**
 * Whether a list of CIDRs opens something to the internet, judged by the address space the WHOLE list covers
 * (0.0.0.0/1 plus 128.0.0.0/1 is the world as much as 0.0.0.0/0 is). Pure: no Pulumi, no I/O.
 *
 * One rule with the program: a list is open when together it admits at least 1/16 of the public IPv4 space or of the
 * public IPv6 space (IANA special-purpose blocks left out). The coverage code below (PUBLIC_SPACE, mergeRanges,
 * overlap, subtract, publicCoverage, OPEN_TO_INTERNET_SHARE, isOpenToInternet) is a twin of the program's
 * components/shared/cidrs.ts, copied because the pack stays self-contained: change both together;
 * tests/policy/cidrTwins.spec.ts feeds both the same lists and requires the same verdicts.
 *
 * Only the parser differs, on entries the program refuses before it judges (its config takes canonical CIDRs): the
 * pack judges what a stack registers in whatever form, so it trims whitespace, masks host bits (`1.2.3.4/0` is the
 * world) and reads an IPv4 tail in IPv6 (`::ffff:1.2.3.4/128`).
 */

export interface AddressRange {
    readonly family: 4 | 6;
    /** First address and one past the last, as integers. */
    readonly start: bigint;
    readonly end: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;
/** Math.min/max for bigints (Math's take numbers only). */
const lesser = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const greater = (a: bigint, b: bigint): bigint => (a > b ? a : b);

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

/** The addresses a CIDR admits (host bits masked off), or undefined when it is not a CIDR (a prefix length is required). */
export function parseCidr(cidr: string): AddressRange | undefined {
    const match = /^([^/\s]+)\/(\d{1,3})$/.exec(cidr.trim());
    if (!match) return undefined;
    const family: 4 | 6 = match[1].includes(":") ? 6 : 4;
    const value = family === 6 ? parseV6(match[1]) : parseV4(match[1]);
    const prefix = Number(match[2]);
    if (value === undefined || prefix > BITS[family]) return undefined;
    const hostBits = BigInt(BITS[family] - prefix);
    const start = (value >> hostBits) << hostBits;
    return { family, start, end: start + (1n << hostBits) };
}

// ---- twin of components/shared/cidrs.ts from here on (keep in step) ----------------------------------------------

/** The ranges of one family, sorted and merged (overlapping or adjacent ranges joined). */
export function mergeRanges(ranges: readonly AddressRange[]): AddressRange[] {
    const sorted = [...ranges].sort((a, b) => a.family - b.family || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const merged: AddressRange[] = [];
    for (const r of sorted) {
        const last = merged.at(-1);
        if (last && last.family === r.family && r.start <= last.end) {
            merged[merged.length - 1] = { ...last, end: greater(r.end, last.end) };
        } else merged.push(r);
    }
    return merged;
}

/** How many addresses of `within` (merged ranges of one family) the merged `ranges` cover. */
function overlap(ranges: readonly AddressRange[], within: readonly AddressRange[]): bigint {
    let total = 0n;
    for (const r of ranges) {
        for (const w of within) {
            if (w.family !== r.family) continue;
            const start = greater(r.start, w.start);
            const end = lesser(r.end, w.end);
            if (end > start) total += end - start;
        }
    }
    return total;
}

/** Ranges minus holes (both merged, one family). */
function subtract(ranges: readonly AddressRange[], holes: readonly AddressRange[]): AddressRange[] {
    let out = [...ranges];
    for (const h of holes) {
        out = out.flatMap((r) => {
            if (r.family !== h.family || h.end <= r.start || h.start >= r.end) return [r];
            return [...(h.start > r.start ? [{ ...r, end: h.start }] : []), ...(h.end < r.end ? [{ ...r, start: h.end }] : [])];
        });
    }
    return out;
}

const ranges = (cidrs: readonly string[]): AddressRange[] => cidrs.map((c) => parseCidr(c) as AddressRange);

/**
 * The publicly routable address space: IPv4 without the IANA special-purpose blocks (RFC 6890: this network, private,
 * shared CGNAT, loopback, link-local, protocol assignments, documentation, benchmarking, multicast, reserved), and
 * IPv6 global unicast (2000::/3) without its documentation block.
 */
export const PUBLIC_SPACE: Readonly<Record<4 | 6, readonly AddressRange[]>> = {
    4: subtract(
        ranges(["0.0.0.0/0"]),
        mergeRanges(
            ranges([
                "0.0.0.0/8",
                "10.0.0.0/8",
                "100.64.0.0/10",
                "127.0.0.0/8",
                "169.254.0.0/16",
                "172.16.0.0/12",
                "192.0.0.0/24",
                "192.0.2.0/24",
                "192.88.99.0/24",
                "192.168.0.0/16",
                "198.18.0.0/15",
                "198.51.100.0/24",
                "203.0.113.0/24",
                "224.0.0.0/4",
                "240.0.0.0/4",
            ]),
        ),
    ),
    6: subtract(ranges(["2000::/3"]), ranges(["2001:db8::/32"])),
};

const sizeOf = (rs: readonly AddressRange[]): bigint => rs.reduce((n, r) => n + (r.end - r.start), 0n);

/** The share (0..1) of each family's public address space that the list, taken as a whole, lets in. */
export function publicCoverage(cidrs: readonly string[]): Record<4 | 6, number> {
    const merged = mergeRanges(cidrs.map(parseCidr).filter((r): r is AddressRange => r !== undefined));
    const share = (family: 4 | 6) => {
        // Scaled to keep the ratio exact enough in a double: IPv6 sizes exceed 2^53.
        const scale = family === 4 ? 1n : 1n << 64n;
        return Number(overlap(merged, PUBLIC_SPACE[family]) / scale) / Number(sizeOf(PUBLIC_SPACE[family]) / scale);
    };
    return { 4: share(4), 6: share(6) };
}

/**
 * From this share of a family's public space on, a list counts as open to the internet: 1/16, a /4's worth of IPv4
 * (about 14 /8s). The largest block any one organization holds is a /8 (under 0.5 % of the public space), so no list
 * of one's own networks comes near, while every way of writing "everyone" (0.0.0.0/0, two /1s, everything but the
 * private ranges, three quarters of the internet) is far above.
 */
export const OPEN_TO_INTERNET_SHARE = 1 / 16;

/** Whether the list, taken as a whole, admits a meaningful part of the internet (see OPEN_TO_INTERNET_SHARE). */
export function isOpenToInternet(cidrs: readonly string[]): boolean {
    const share = publicCoverage(cidrs);
    return share[4] >= OPEN_TO_INTERNET_SHARE || share[6] >= OPEN_TO_INTERNET_SHARE;
}

// ---- end of the twin ---------------------------------------------------------------------------------------------

export interface Exposure {
    /** Why the list is open to the internet, or undefined when it is not. */
    readonly open?: string;
    /** Entries that are not CIDRs: nothing can be judged about them. */
    readonly invalid: string[];
}

/** Judges a whole list of CIDRs (isOpenToInternet), saying which entries let how much of the internet in. */
export function exposure(cidrs: readonly string[]): Exposure {
    const invalid = cidrs.filter((c) => parseCidr(c) === undefined);
    const share = publicCoverage(cidrs);
    for (const family of [4, 6] as const) {
        if (share[family] < OPEN_TO_INTERNET_SHARE) continue;
        const members = cidrs.filter((c) => parseCidr(c)?.family === family).map((c) => c.trim());
        // As the program words it (components/shared/cidrs.ts describeCoverage).
        const percent = share[family] >= 0.995 ? 100 : Math.round(share[family] * 1000) / 10;
        const who = members.length === 1 ? `${members[0]} admits` : `${members.join(", ")} together admit`;
        return { open: `${who} ${percent} % of the public IPv${family} space`, invalid };
    }
    return { invalid };
}
