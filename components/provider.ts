/**
 * The component package's entry point (components/package.json `main`). The nodejs language host loads this file,
 * serves every ComponentResource it exports (@pulumi/pulumi cmd/run-plugin/run.js: getPulumiComponents, then
 * componentProviderHost) and infers the schema from their Args (provider/experimental/analyzer.js). So it exports
 * the five components and nothing else that is a ComponentResource: SnapshotBucket and SnapshotRestore stay
 * TypeScript-only parts of S3SnapshotShipping and the DR stack.
 */

export { HaJenkins, type HaJenkinsArgs } from "./jenkins";
export { LinstorCluster, type LinstorClusterArgs } from "./linstorCluster";
export { LinstorDbBackup, type LinstorDbBackupArgs } from "./linstorDbBackup";
export { DrbdMonitoring, type DrbdMonitoringArgs } from "./monitoring";
export { S3SnapshotShipping, type S3SnapshotShippingArgs } from "./snapshots";
