/**
 * The ONE contract for stack outputs: every output the primary and DR stacks export (as `pulumi stack output
 * --json` shows it), what the DR stack reads from the primary, and the names the operational tools read. The
 * stacks pass their outputs through `exportOutputs`, so an output missing here does not compile.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { JenkinsSettings } from "../components/jenkins/settings";
import { ConfigError } from "../components/shared/errors";

/** Every output of a stack of this program, by name, with its resolved value. */
export interface StackOutputs {
    // Both roles: the cluster.
    readonly role: "primary" | "dr";
    readonly region: string;
    readonly clusterName: string;
    readonly availabilityZones: readonly string[];
    /** Secret. */
    readonly kubeconfig: unknown;
    /** StorageClass name by replica count. */
    readonly storageClassNames: Record<string, string>;
    readonly linstorNamespace: string;
    readonly nodeAmiId: string;
    readonly vpcId: string;
    // Versions the next run's upgrade guard reads back (stacks/upgradeGuard.ts).
    readonly kubernetesVersion: string;
    readonly linstorDistribution: string;
    readonly linstorOperatorChartVersion: string;
    /** What the storage node groups' subnets depend on (JSON), so a change that would replace them all is refused. */
    readonly storageNetwork: string;
    /** What shapes the storage nodes (JSON), so a change that bypasses the resync gate, or shrinks a pool, is refused. */
    readonly storageNodes: string;
    // Jenkins.
    readonly jenkinsUrl: string;
    readonly jenkinsAdminUser: string;
    /** Secret. */
    readonly jenkinsAdminPassword: string;
    readonly jenkinsNamespace: string;
    readonly jenkinsPvcName: string;
    readonly jenkinsServiceName: string;
    readonly jenkinsStorageClassName: string;
    readonly jenkinsStorageSize: string;
    /** Jenkins settings a DR copy reuses unless the DR stack overrides them. */
    readonly jenkinsSettings: Partial<JenkinsSettings>;
    /**
     * The LINSTOR resource of the Jenkins claim (linstor-csi names it after the PV, `pvc-<claim UID>`): the DR stack
     * matches backups by it when their metas carry no claim properties (stacks/drChoice.ts).
     */
    readonly jenkinsLinstorResource: string;
    // Snapshots to S3.
    readonly snapshotBucketName: string;
    readonly snapshotBucketRegion: string;
    readonly snapshotBucketArn: string;
    readonly snapshotKmsKeyArn: string;
    readonly linstorRemoteName: string;
    readonly snapshotClassName: string;
    /** The full class for on-demand and restore-point snapshots (no chain, no local copy). */
    readonly onDemandSnapshotClassName: string;
    readonly snapshotClassParameters: Record<string, string>;
    readonly snapshotAccessKeyId: string;
    /** Present only when the stack declared a snapshot whose handle it knows. */
    readonly latestSnapshotHandle: string;
    readonly latestSnapshotName: string;
    readonly restoredClaimName: string;
    // LINSTOR database backup (primary, when enabled).
    readonly linstorDbBackupLocation: string;
    readonly linstorDbBackupSchedule: string;
    readonly linstorDbBackupRetentionDays: number;
    readonly linstorDbBackupAccessKeyId: string;
    readonly linstorDbBackupRestoreCommand: string;
    // Monitoring (when enabled).
    readonly monitoringNamespace: string;
    /** Secret. */
    readonly grafanaAdminPassword: string;
    readonly grafanaService: string;
    readonly alertmanagerService: string;
    /** The newest complete backup in the bucket when this `pulumi up` ran (a convenience; the DR stack finds it itself). */
    readonly newestBackup: BackupSummary;
    readonly newestBackupHandle: string;
    // DR only.
    /** `restore` (Jenkins restored and running) or `standby` (cluster, LINSTOR, remote and the restore check). */
    readonly drMode: "restore" | "standby";
    readonly primaryStack: string;
    readonly primaryRegion: string;
    /** The primary's outputs this stack last used (live or recorded): what a later run falls back on. */
    readonly primaryRecord: PrimaryStackOutputs;
    /** The backup this stack restored, as it chose it: the record that keeps the choice (stacks/drChoice.ts). */
    readonly restoredBackup: RestoredBackup;
    readonly restoredSnapshotHandle: string;
    /** URN of the restored claim: `pulumi state unprotect` it to release this restore (runbook). */
    readonly restoredClaimUrn: string;
    /** Whether the restore reads the backup from another region than the DR cluster's. */
    readonly restoreReadsAcrossRegions: boolean;
}

/** A backup in the bucket, as the program describes it. */
export interface BackupSummary {
    /** LINSTOR's backup id (`linstor backup list`): the meta key without `.meta`. */
    readonly id: string;
    readonly resource: string;
    readonly snapshot: string;
    /** linstor-csi handle through the stack's LINSTOR remote. */
    readonly handle: string;
    /** Start of the shipment, ms since the epoch. */
    readonly startTimestamp: number;
    /** The backup and every base down to its full one. */
    readonly chainLength: number;
    /** Bytes of every data object of the chain (what a restore downloads). */
    readonly chainBytes: number;
    /** Size of the volume in bytes. */
    readonly volumeBytes: number;
    /** LINSTOR cluster that shipped it. */
    readonly clusterId?: string;
}

/** The DR stack's choice: the backup, and under which `restoreSelection` it was made (or that it was pinned). */
export interface RestoredBackup extends BackupSummary {
    readonly selection: number;
    readonly pinned: boolean;
}

export type OutputName = keyof StackOutputs;

/** The names of every output, e.g. for the tools (`OUTPUT_NAMES.kubeconfig`). */
export const OUTPUT_NAMES: { readonly [K in OutputName]: K } = {
    role: "role",
    region: "region",
    clusterName: "clusterName",
    availabilityZones: "availabilityZones",
    kubeconfig: "kubeconfig",
    storageClassNames: "storageClassNames",
    linstorNamespace: "linstorNamespace",
    nodeAmiId: "nodeAmiId",
    vpcId: "vpcId",
    kubernetesVersion: "kubernetesVersion",
    linstorDistribution: "linstorDistribution",
    linstorOperatorChartVersion: "linstorOperatorChartVersion",
    storageNetwork: "storageNetwork",
    storageNodes: "storageNodes",
    jenkinsUrl: "jenkinsUrl",
    jenkinsAdminUser: "jenkinsAdminUser",
    jenkinsAdminPassword: "jenkinsAdminPassword",
    jenkinsNamespace: "jenkinsNamespace",
    jenkinsPvcName: "jenkinsPvcName",
    jenkinsServiceName: "jenkinsServiceName",
    jenkinsStorageClassName: "jenkinsStorageClassName",
    jenkinsStorageSize: "jenkinsStorageSize",
    jenkinsSettings: "jenkinsSettings",
    jenkinsLinstorResource: "jenkinsLinstorResource",
    snapshotBucketName: "snapshotBucketName",
    snapshotBucketRegion: "snapshotBucketRegion",
    snapshotBucketArn: "snapshotBucketArn",
    snapshotKmsKeyArn: "snapshotKmsKeyArn",
    linstorRemoteName: "linstorRemoteName",
    snapshotClassName: "snapshotClassName",
    onDemandSnapshotClassName: "onDemandSnapshotClassName",
    snapshotClassParameters: "snapshotClassParameters",
    snapshotAccessKeyId: "snapshotAccessKeyId",
    latestSnapshotHandle: "latestSnapshotHandle",
    latestSnapshotName: "latestSnapshotName",
    restoredClaimName: "restoredClaimName",
    linstorDbBackupLocation: "linstorDbBackupLocation",
    linstorDbBackupSchedule: "linstorDbBackupSchedule",
    linstorDbBackupRetentionDays: "linstorDbBackupRetentionDays",
    linstorDbBackupAccessKeyId: "linstorDbBackupAccessKeyId",
    linstorDbBackupRestoreCommand: "linstorDbBackupRestoreCommand",
    monitoringNamespace: "monitoringNamespace",
    grafanaAdminPassword: "grafanaAdminPassword",
    grafanaService: "grafanaService",
    alertmanagerService: "alertmanagerService",
    newestBackup: "newestBackup",
    newestBackupHandle: "newestBackupHandle",
    drMode: "drMode",
    primaryStack: "primaryStack",
    primaryRegion: "primaryRegion",
    primaryRecord: "primaryRecord",
    restoredBackup: "restoredBackup",
    restoredSnapshotHandle: "restoredSnapshotHandle",
    restoredClaimUrn: "restoredClaimUrn",
    restoreReadsAcrossRegions: "restoreReadsAcrossRegions",
};

/** What a stack program returns: contract names only, each an Input of its contract type. */
export type ExportedOutputs = { readonly [K in OutputName]?: pulumi.Input<StackOutputs[K] | undefined> };

/**
 * Checks a stack's outputs against the contract at compile time: an unknown name is an error (spreads are not
 * checked for excess properties by `satisfies`, so the check is on the key type).
 */
export function exportOutputs<T extends ExportedOutputs>(outputs: T & Record<Exclude<keyof T, OutputName>, never>): T {
    return outputs;
}

/** What the DR stack needs from the primary: required (a missing one stops the DR stack) and optional outputs. */
export const DR_READS_REQUIRED = [
    "region",
    "clusterName",
    "snapshotBucketName",
    "snapshotBucketRegion",
    "snapshotBucketArn",
    "snapshotKmsKeyArn",
    "linstorRemoteName",
    "snapshotClassParameters",
    "jenkinsPvcName",
    "jenkinsNamespace",
    "jenkinsStorageSize",
    "jenkinsSettings",
] as const satisfies readonly OutputName[];
export const DR_READS_OPTIONAL = ["latestSnapshotHandle", "restoredBackup", "jenkinsLinstorResource"] as const satisfies readonly OutputName[];

/** The primary's outputs as the DR stack sees them. */
export type PrimaryStackOutputs = Pick<StackOutputs, (typeof DR_READS_REQUIRED)[number]> &
    Partial<Pick<StackOutputs, (typeof DR_READS_OPTIONAL)[number]>>;

/**
 * The primary stack lacks an output the DR stack needs: a ConfigError naming `primaryStack` (a RunError: no stack trace
 * under the CLI), because the fix is either that key (a wrong or never-deployed stack) or an update of that stack.
 */
export class MissingPrimaryOutputError extends ConfigError {
    constructor(
        readonly output: string,
        readonly primaryStack: string,
        /** Whether the stack has none of the outputs the DR stack reads (a wrong name, or a stack never deployed). */
        none = false,
    ) {
        super(
            "ha-jenkins-eks:primaryStack",
            primaryStack,
            none
                ? `The stack ${primaryStack} has none of the outputs a primary stack of this program exports: check the name ` +
                      "(`pulumi stack ls -a` lists them, <org>/<project>/<stack>), deploy it first with `pulumi up`, or, when the primary " +
                      "is gone, name its bucket with restoreBucketName, restoreBucketRegion and restoreBucketKmsKeyArn."
                : `The primary stack ${primaryStack} has no output "${output}". Run \`pulumi up -s ${primaryStack}\` with ` +
                      "the current version of this program (it exports everything the DR stack needs), then retry.",
        );
        this.name = "MissingPrimaryOutputError";
    }
}

/** Reads and checks the primary's outputs; secret outputs stay usable (their values are not needed as secrets here). */
export async function readPrimaryOutputs(ref: pulumi.StackReference, primaryStack: string): Promise<PrimaryStackOutputs> {
    const result: Record<string, unknown> = {};
    const required: readonly string[] = DR_READS_REQUIRED;
    const missing: string[] = [];
    for (const name of [...DR_READS_REQUIRED, ...DR_READS_OPTIONAL]) {
        const details = await ref.getOutputDetails(name);
        const value = details.value ?? details.secretValue;
        if (value === undefined || value === null || value === "") {
            if (required.includes(name)) missing.push(name);
            continue;
        }
        result[name] = value;
    }
    if (missing.length > 0) throw new MissingPrimaryOutputError(missing[0], primaryStack, Object.keys(result).length === 0);
    return result as unknown as PrimaryStackOutputs;
}
