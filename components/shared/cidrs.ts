/**
 * IP address ranges and how much of the internet a list of them lets in (pure). "Open to the internet" is judged
 * by the address space the WHOLE list covers, not entry by entry: 0.0.0.0/1 plus 128.0.0.0/1 is 0.0.0.0/0, and a
 * list that leaves out only a private range still admits every public address.
 *
 * The policy pack judges with a copy of this coverage code (its twin, policy/rules/cidr.ts: the pack stays
 * self-contained): change both together; tests/policy/cidrTwins.spec.ts requires the same verdicts.
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

function ipv4(address: string): bigint | undefined {
    const parts = address.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
    return parts.reduce((acc, p) => acc * 256n + BigInt(p), 0n);
}

function ipv6(address: string): bigint | undefined {
    if (!/^[0-9a-fA-F:]+$/.test(address) || address.split("::").length > 2) return undefined;
    const [head, tail] = address.includes("::") ? address.split("::") : [address, undefined];
    const groups = (s: string) => (s === "" ? [] : s.split(":"));
    const h = groups(head);
    const t = tail === undefined ? [] : groups(tail);
    const missing = 8 - h.length - t.length;
    if ((tail === undefined && missing !== 0) || (tail !== undefined && missing < 1)) return undefined;
    const all = [...h, ...Array(tail === undefined ? 0 : missing).fill("0"), ...t];
    if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return all.reduce((acc, g) => acc * 65536n + BigInt(`0x${g}`), 0n);
}

/** The range of a canonical CIDR (no host bits set), IPv4 `a.b.c.d/n` or IPv6 `x::/n`; undefined when malformed. */
export function parseCidr(cidr: string): AddressRange | undefined {
    const m = /^([^/\s]+)\/(\d{1,3})$/.exec(cidr);
    if (!m) return undefined;
    const family: 4 | 6 = m[1].includes(":") ? 6 : 4;
    const address = family === 4 ? ipv4(m[1]) : ipv6(m[1]);
    const prefix = Number(m[2]);
    if (address === undefined || prefix > BITS[family] || (m[2].length > 1 && m[2].startsWith("0"))) return undefined;
    const size = 1n << BigInt(BITS[family] - prefix);
    if (address % size !== 0n) return undefined;
    return { family, start: address, end: address + size };
}

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

/** Addresses the list covers in total, per family (malformed entries count for nothing). */
export function coveredAddresses(cidrs: readonly string[]): Record<4 | 6, bigint> {
    const merged = mergeRanges(cidrs.map(parseCidr).filter((r): r is AddressRange => r !== undefined));
    return { 4: sizeOf(merged.filter((r) => r.family === 4)), 6: sizeOf(merged.filter((r) => r.family === 6)) };
}

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

/** Private, shared (CGNAT), loopback, link-local and "this network" IPv4 blocks (RFC 6890): never a client's public address. */
const NON_PUBLIC_IPV4 = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"];

/** Whether an IPv4 CIDR lies wholly inside a private or special-use block (NON_PUBLIC_IPV4). */
export function isNonPublicIpv4Cidr(cidr: string): boolean {
    const r = parseCidr(cidr);
    return r !== undefined && r.family === 4 && overlap([r], mergeRanges(ranges(NON_PUBLIC_IPV4))) === r.end - r.start;
}

/** Whether the list, taken as a whole, admits a meaningful part of the internet (see OPEN_TO_INTERNET_SHARE). */
export function isOpenToInternet(cidrs: readonly string[]): boolean {
    const share = publicCoverage(cidrs);
    return share[4] >= OPEN_TO_INTERNET_SHARE || share[6] >= OPEN_TO_INTERNET_SHARE;
}

/** A short description of how much of the internet a list covers, e.g. "100 % of the public IPv4 space". */
export function describeCoverage(cidrs: readonly string[]): string {
    const share = publicCoverage(cidrs);
    const pct = (x: number) => `${x >= 0.995 ? 100 : Math.round(x * 1000) / 10} %`;
    return [share[4] > 0 ? `${pct(share[4])} of the public IPv4 space` : "", share[6] > 0 ? `${pct(share[6])} of the public IPv6 space` : ""]
        .filter((s) => s !== "")
        .join(" and ");
}
