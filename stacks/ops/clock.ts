/** Time source of the drills: the real one, or a fake in tests so timing logic runs without waiting. */
export interface Clock {
    /** Milliseconds since the epoch. */
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Polls `probe` every `intervalMs` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function pollUntil<T>(
    clock: Clock,
    what: string,
    timeoutMs: number,
    intervalMs: number,
    probe: () => Promise<T | undefined>,
): Promise<T> {
    const deadline = clock.now() + timeoutMs;
    for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (clock.now() >= deadline) throw new Error(`Timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}.`);
        await clock.sleep(intervalMs);
    }
}
