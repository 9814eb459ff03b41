/**
 * The library's public face: the components, their argument types and defaults. Components take typed
 * Args (never stack config), validate them before registering anything, and throw ConfigError naming
 * the argument to fix.
 */
export { ConfigError } from "./lib/errors";

export { CONTROL_PLANE_LOG_TYPES, LinstorCluster, LinstorClusterArgs } from "./linstorCluster";
export { LINSTOR_CLUSTER_DEFAULTS, LinstorClusterSettings, validateLinstorClusterSettings } from "./lib/linstorClusterArgs";

export { HaJenkins, HaJenkinsArgs } from "./haJenkins";
export { JENKINS_DEFAULTS, JenkinsSettings, validateJenkinsSettings } from "./lib/jenkinsArgs";

export { JenkinsVolume, S3SnapshotShipping, S3SnapshotShippingArgs } from "./s3SnapshotShipping";
export { SnapshotBucket, SnapshotBucketArgs } from "./snapshotBucket";
export { RestoreSource, SnapshotRestore, SnapshotRestoreArgs } from "./snapshotRestore";
export { BucketSource, CreateBucketSettings, S3_SNAPSHOT_DEFAULTS, S3SnapshotSettings, validateS3SnapshotSettings } from "./lib/s3Args";

export { DrbdMonitoring, DrbdMonitoringArgs } from "./drbdMonitoring";
export { MONITORING_DEFAULTS, MonitoringSettings } from "./lib/monitoringArgs";

export { LinstorDbBackup, LinstorDbBackupArgs } from "./linstorDbBackup";
export { LINSTOR_DB_BACKUP_DEFAULTS, LinstorDbBackupSettings } from "./lib/linstorDbBackupSpecs";

export * as sizing from "./lib/sizing";
export { formatRtoReport, rtoInputsFromSettings, rtoModel } from "./lib/rtoModel";
