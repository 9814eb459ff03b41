import type { Clock } from "../../../stacks/ops/clock";

/** A clock that only moves when the code under test sleeps. */
export class FakeClock implements Clock {
    slept = 0;

    constructor(public t = Date.UTC(2026, 2, 1, 10, 0, 0)) {}

    now(): number {
        return this.t;
    }

    async sleep(ms: number): Promise<void> {
        this.t += ms;
        this.slept += ms;
    }
}
