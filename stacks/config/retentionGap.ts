/**
 * A scheduled snapshot is pruned after `snapshotRetentionHours` (the newest ready one excepted: the prune never takes
 * it, tests/components/snapshots/retention.spec.ts). With no daily snapshots kept (`snapshotDailyRetentionDays` 0), a
 * retention shorter than the schedule's longest gap means the stack keeps the newest snapshot only: no earlier point
 * to go back to when the newest holds the damage, whatever the retention promises. Refused as a retention that the
 * schedule cannot fill. Checked by the stack (S3SnapshotShipping's retention files were being reworked; move it there).
 */
import { ConfigError } from "../../components/shared/errors";
import { cronProblem, maxScheduleGapSeconds } from "../../components/shared/validation";
import { projectKey } from "./naming";
import type { SnapshotConfig } from "./snapshots";

export function retentionGapProblem(s: SnapshotConfig): ConfigError | undefined {
    const schedule = s.snapshotSchedule;
    if (s.snapshotScheduleEnabled === false || schedule === undefined || cronProblem(schedule) !== undefined) return undefined;
    const gap = maxScheduleGapSeconds(schedule);
    const hours = s.snapshotRetentionHours;
    if (gap === undefined || hours === undefined || (s.snapshotDailyRetentionDays ?? 0) > 0 || hours * 3600 >= gap) return undefined;
    return new ConfigError(
        projectKey("snapshotRetentionHours"),
        hours,
        `The schedule ${JSON.stringify(schedule)} can leave ${Math.ceil(gap / 3600)} h between snapshots and no daily ones are kept ` +
            `(snapshotDailyRetentionDays 0): keep each at least ${Math.ceil(gap / 3600)} h, or keep daily snapshots; otherwise only the newest snapshot is ever kept (no earlier point to restore).`,
    );
}
