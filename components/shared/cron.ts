/**
 * Five-field cron expressions as Kubernetes CronJobs read them (robfig/cron v3, parser.go): the parser behind
 * the validation kit's cron check, and the longest gap of a schedule (the worst-case RPO of scheduled backups).
 */

const CRON_FIELDS: readonly { name: string; min: number; max: number; names?: readonly string[] }[] = [
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day of month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
    { name: "day of week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

/** The values each field of a five-field cron expression selects, or the reason it is invalid. */
export function parseCron(expr: string): { sets: Set<number>[]; restricted: boolean[] } | string {
    const fields = expr.trim().split(/\s+/);
    if (fields.length !== 5) return `Need exactly five fields (minute hour day-of-month month day-of-week), got ${fields.length}.`;
    const sets: Set<number>[] = [];
    for (let i = 0; i < 5; i++) {
        const spec = CRON_FIELDS[i];
        const value = (v: string): number | undefined => {
            const named = spec.names?.indexOf(v.toUpperCase()) ?? -1;
            if (named >= 0) return named + (spec.min === 1 ? 1 : 0);
            return /^\d+$/.test(v) ? Number(v) : undefined;
        };
        const set = new Set<number>();
        for (const part of fields[i].split(",")) {
            const m = /^(\*|([^-/]+)(?:-([^/]+))?)(?:\/(\d+))?$/.exec(part);
            const lo = m?.[2] === undefined ? spec.min : value(m[2]);
            // "a/n" means a through the maximum, as in robfig/cron.
            const open = m?.[2] === undefined || m?.[4] !== undefined;
            const hi = m?.[3] === undefined ? (open ? spec.max : lo) : value(m[3]);
            const step = m?.[4] === undefined ? 1 : Number(m[4]);
            if (!m || lo === undefined || hi === undefined || lo < spec.min || hi > spec.max || lo > hi || step < 1) {
                return `The ${spec.name} field "${fields[i]}" must use values ${spec.min}–${spec.max} with *, lists, ranges and /steps.`;
            }
            for (let v = lo; v <= hi; v += step) set.add(i === 4 ? v % 7 : v);
        }
        sets.push(set);
    }
    return { sets, restricted: fields.map((f) => !f.startsWith("*")) };
}

/**
 * The longest gap between two runs of a valid schedule (2026–2029), in seconds: e.g. the worst-case RPO of
 * scheduled snapshots. Undefined if it never fires (e.g. `0 0 30 2 *`).
 */
export function maxScheduleGapSeconds(expr: string): number | undefined {
    // Pure and called by several checks per evaluation: each expression is walked once.
    if (!GAPS.has(expr)) GAPS.set(expr, walkSchedule(expr));
    return GAPS.get(expr);
}
const GAPS = new Map<string, number | undefined>();

function walkSchedule(expr: string): number | undefined {
    const parsed = parseCron(expr);
    if (typeof parsed === "string") throw new Error(parsed);
    const [minuteSet, hourSet, days, months, weekdays] = parsed.sets;
    const [, , dayRestricted, , weekdayRestricted] = parsed.restricted;
    const start = Date.UTC(2026, 0, 1);
    const sorted = (set: Set<number>) => [...set].sort((a, b) => a - b);
    const hours = sorted(hourSet);
    const minutes = sorted(minuteSet);
    let previous: number | undefined;
    let first: number | undefined;
    let gap = 0;
    // Four years, so leap days count and yearly schedules show their real gap.
    for (let day = start; day < Date.UTC(2030, 0, 1); day += 86400000) {
        const d = new Date(day);
        if (!months.has(d.getUTCMonth() + 1)) continue;
        const dom = days.has(d.getUTCDate());
        const dow = weekdays.has(d.getUTCDay());
        // Like cron: when both day fields are restricted, either one matching is enough.
        if (!(dayRestricted && weekdayRestricted ? dom || dow : dom && dow)) continue;
        for (const h of hours) {
            for (const m of minutes) {
                const t = day + h * 3600000 + m * 60000;
                if (previous !== undefined) gap = Math.max(gap, t - previous);
                first ??= t;
                previous = t;
            }
        }
    }
    if (first === undefined) return undefined;
    return (first === previous ? Date.UTC(2030, 0, 1) - start : gap) / 1000;
}

/** Why a five-field cron expression is invalid or never runs, or undefined when it is a usable schedule. */
export function cronProblem(expr: string): string | undefined {
    const parsed = parseCron(expr);
    if (typeof parsed === "string") return parsed;
    return maxScheduleGapSeconds(expr) === undefined ? "This schedule never runs (no such date)." : undefined;
}
