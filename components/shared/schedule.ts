/**
 * How a scheduled job describes itself to monitoring. The component that owns a CronJob builds this
 * (S3SnapshotShipping's schedule, LinstorDbBackup's export), so monitoring never guesses names or intervals.
 */
export interface ScheduledJob {
    /** The CronJob's namespace. */
    readonly namespace: string;
    /** The CronJob's name. */
    readonly name: string;
    /** Longest gap between its runs, in seconds (the alert fires after twice this without a success). */
    readonly intervalSeconds: number;
    /**
     * How much longer than that a healthy run may take to deliver, e.g. shipping a full backup; the alerts wait for it
     * on top of twice the interval. Default 0.
     */
    readonly slackSeconds?: number;
    /**
     * Also alert as soon as its newest run failed (its newest Job, `<name>-<minutes>` as the CronJob controller names
     * them), not only once successes stop: for a job whose failure is news at once (the warm standby's restore check).
     */
    readonly alertOnFailedRun?: boolean;
    /** What it protects, for the alert text, e.g. "LINSTOR database backup". */
    readonly purpose: string;
    /**
     * Label key the job puts on the VolumeSnapshots it creates (valued with the job's name): monitoring then also
     * alerts when the newest ready snapshot is older than twice the interval.
     */
    readonly volumeSnapshotLabel?: string;
}

/**
 * A ScheduledJob as DrbdMonitoring takes it. A type of its own because the schema analyzer names a type once, at its
 * first use: ScheduledJob is first an output (LinstorDbBackup.watchedSchedule), so its fields would carry no `plain`
 * and the SDKs would offer Inputs that monitoring's plain validation refuses.
 */
export interface WatchedScheduleInput extends ScheduledJob {}
