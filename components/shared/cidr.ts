/** IPv4 CIDR helpers: validation only, no resources. */

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** True for a canonical IPv4 CIDR: four octets 0–255, prefix 0–32, no host bits set. */
export function isIpv4Cidr(value: string): boolean {
    const m = IPV4_CIDR.exec(value);
    if (!m) return false;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return false;
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    const hostBits = 2 ** (32 - prefix);
    return address % hostBits === 0;
}

/** A CIDR that lets the whole internet in. */
export function isOpenToWorld(cidr: string): boolean {
    return cidr === "0.0.0.0/0" || cidr === "::/0";
}
