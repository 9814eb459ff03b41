/**
 * The library's public face: the components, their argument types and defaults. Components take typed
 * Args (never stack config), validate them before registering anything, and throw ConfigError naming
 * the argument to fix.
 */

export { HaJenkins, HaJenkinsArgs, validateHaJenkinsArgs } from "./jenkins";
export { JENKINS_DEFAULTS, JenkinsSettings, validateJenkinsSettings } from "./jenkins/settings";

export { CONTROL_PLANE_LOG_TYPES, LinstorCluster, LinstorClusterArgs } from "./linstorCluster";
export {
    LINSTOR_CLUSTER_DEFAULTS,
    LINSTOR_CLUSTER_SETTINGS_DEFAULTS,
    LinstorClusterInput,
    LinstorClusterSettings,
    validateLinstorClusterSettings,
} from "./linstorCluster/settings";
export * as sizing from "./linstorCluster/sizing";
export { LinstorDbBackup, LinstorDbBackupArgs, validateLinstorDbBackup } from "./linstorDbBackup";
export {
    LINSTOR_DB_BACKUP_DEFAULTS,
    LINSTOR_DB_BACKUP_SETTINGS_DEFAULTS,
    LinstorDbBackupInput,
    LinstorDbBackupSettings,
    validateLinstorDbBackupSettings,
} from "./linstorDbBackup/settings";
export { DrbdMonitoring, DrbdMonitoringArgs, validateDrbdMonitoringArgs } from "./monitoring";
export {
    MONITORING_DEFAULTS,
    MONITORING_SETTINGS_DEFAULTS,
    MonitoringInput,
    MonitoringSettings,
    validateMonitoringSettings,
} from "./monitoring/settings";
export { formatRtoReport, rtoInputsFromSettings, rtoModel } from "./rto";
export { ConfigError } from "./shared/errors";
/** Maps a settings field to the key to name in errors: the validate*Args checks take one (components name `<Component>.<field>`). */
export type { KeyOf } from "./shared/validation";
export { JenkinsVolume, S3SnapshotShipping, S3SnapshotShippingArgs, S3SnapshotShippingOptions, validateS3SnapshotShippingArgs } from "./snapshots";
export { SnapshotBucket, SnapshotBucketArgs, validateSnapshotBucketArgs } from "./snapshots/bucket";
export { RestoreSource, SnapshotRestore, SnapshotRestoreArgs } from "./snapshots/restore";
export {
    BucketSource,
    BucketSourceInput,
    CREATE_BUCKET_DEFAULTS,
    CreateBucketInput,
    CreateBucketSettings,
    S3_SNAPSHOT_DEFAULTS,
    S3_SNAPSHOT_SETTINGS_DEFAULTS,
    S3SnapshotInput,
    S3SnapshotSettings,
    validateS3SnapshotSettings,
} from "./snapshots/settings";
