/**
 * A scheduled snapshot is pruned after `snapshotRetentionHours`; with no daily fulls kept (`snapshotDailyRetentionDays`
 * 0), a retention shorter than the schedule's longest gap leaves a window with no backup at all between the prune and
 * the next run. Checked by the stack (S3SnapshotShipping's retention files are being reworked elsewhere; move it there).
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
            `(snapshotDailyRetentionDays 0): keep each at least ${Math.ceil(gap / 3600)} h, or keep daily snapshots, or there is a window with no backup.`,
    );
}
