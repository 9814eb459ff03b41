/**
 * Numeric and size flags of the tools, checked before anything is contacted: plain decimal digits only (no "abc",
 * "", "0x10", "1e3" or "-5", which Number() would take or turn into NaN, and a NaN timeout never expires), inside a
 * range that means something (a poll of 0 s spins, a timeout past a week is a typo; setTimeout would fire at once
 * past 2^31 ms).
 */

/** A flag's value is unusable; the CLIs print the message and exit 2. */
export class FlagError extends Error {
    override readonly name = "FlagError";
}

export interface NumberFlag {
    readonly flag: string;
    /** Printed after the number, e.g. "seconds". */
    readonly unit: string;
    readonly min: number;
    readonly max: number;
    /** Whole numbers only (the default); false accepts decimals such as 0.5. */
    readonly integer?: boolean;
}

/** The flag's value, or `fallback` when it was not given. */
export function numberFlag(raw: string | undefined, fallback: number, spec: NumberFlag): number {
    if (raw === undefined) return fallback;
    const whole = spec.integer !== false;
    const what = `${spec.flag} takes ${whole ? "a whole number" : "a number"} of ${spec.unit} from ${spec.min} to ${spec.max}`;
    if (/^-\s*\d/.test(raw)) throw new FlagError(`${what}; a negative value means nothing here, got ${JSON.stringify(raw)}.`);
    if (!(whole ? /^\d+$/ : /^\d+(\.\d+)?$/).test(raw)) {
        const hint = whole && /^\d+\.\d+$/.test(raw) ? " (no fractions)" : "";
        throw new FlagError(`${what}${hint}; got ${JSON.stringify(raw)}.`);
    }
    const n = Number(raw);
    if (n === 0 && spec.min > 0) throw new FlagError(`${what}; 0 would ${spec.unit === "seconds" ? "never wait" : "do nothing"}.`);
    if (n < spec.min || n > spec.max) throw new FlagError(`${what}; got ${raw}.`);
    return n;
}

/** A week: longer than any wait a drill needs, far below setTimeout's 2^31 ms. */
export const MAX_WAIT_SECONDS = 7 * 24 * 3600;

export const secondsFlag = (flag: string, min = 1, max = MAX_WAIT_SECONDS): NumberFlag => ({ flag, unit: "seconds", min, max });

const BINARY = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 } as const;

/**
 * A size for fio (`4G`, `512M`, `100`: bytes, or K/M/G/T as fio reads them by default, powers of 1024), in bytes.
 * fio accepts more spellings; the tool takes these, which cannot be misread.
 */
export function fioSizeFlag(raw: string | undefined, fallback: string, flag: string): { text: string; bytes: number } {
    const text = raw ?? fallback;
    const m = /^([1-9]\d{0,5})([KMGT]?)$/.exec(text);
    if (!m)
        throw new FlagError(`${flag} takes a size such as 4G, 512M or 100K (a whole number, K/M/G/T = powers of 1024), got ${JSON.stringify(text)}.`);
    return { text, bytes: Number(m[1]) * BINARY[m[2] as keyof typeof BINARY] };
}

/** A claim size as Kubernetes quantities with binary suffixes (`10Gi`), in bytes. */
export function claimSizeFlag(raw: string | undefined, fallback: string, flag: string): { text: string; bytes: number } {
    const text = raw ?? fallback;
    const m = /^([1-9]\d{0,5})(Mi|Gi|Ti)$/.exec(text);
    if (!m) throw new FlagError(`${flag} takes a claim size such as 10Gi (a whole number with Mi, Gi or Ti), got ${JSON.stringify(text)}.`);
    return { text, bytes: Number(m[1]) * BINARY[m[2][0] as "M" | "G" | "T"] };
}
