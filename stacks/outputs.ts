/**
 * What the DR stack reads from the primary stack, through a StackReference. Every output is awaited
 * before the DR stack registers anything else, so a missing one fails early with its name and the
 * primary stack's name instead of half-building a region.
 */
import * as pulumi from "@pulumi/pulumi";

/** Outputs the primary stack exports for DR (see stacks/primary.ts). */
export interface PrimaryStackOutputs {
    readonly region: string;
    readonly clusterName: string;
    readonly snapshotBucketName: string;
    readonly snapshotBucketRegion: string;
    readonly snapshotBucketArn: string;
    readonly snapshotKmsKeyArn: string;
    readonly linstorRemoteName: string;
    readonly snapshotClassParameters: Record<string, string>;
    readonly jenkinsPvcName: string;
    readonly jenkinsNamespace: string;
    readonly jenkinsStorageSize: string;
    /** Present only when the primary declared a snapshot whose handle it knows. */
    readonly latestSnapshotHandle?: string;
    /** Jenkins settings the DR copy reuses unless the DR stack overrides them. */
    readonly jenkinsSettings: Record<string, unknown>;
}

const REQUIRED: (keyof PrimaryStackOutputs)[] = [
    "region", "clusterName", "snapshotBucketName", "snapshotBucketRegion", "snapshotBucketArn", "snapshotKmsKeyArn",
    "linstorRemoteName", "snapshotClassParameters", "jenkinsPvcName", "jenkinsNamespace", "jenkinsStorageSize",
    "jenkinsSettings",
];
const OPTIONAL: (keyof PrimaryStackOutputs)[] = ["latestSnapshotHandle"];

export class MissingPrimaryOutputError extends Error {
    constructor(readonly output: string, readonly primaryStack: string) {
        super(`The primary stack ${primaryStack} has no output "${output}". Run \`pulumi up -s ${primaryStack}\` with ` +
            "the current version of this program (it exports everything the DR stack needs), then retry.");
        this.name = "MissingPrimaryOutputError";
    }
}

/** Reads and checks the primary's outputs; secret outputs stay usable (their values are not needed as secrets here). */
export async function readPrimaryOutputs(ref: pulumi.StackReference, primaryStack: string): Promise<PrimaryStackOutputs> {
    const result: Record<string, unknown> = {};
    for (const name of [...REQUIRED, ...OPTIONAL]) {
        const details = await ref.getOutputDetails(name);
        const value = details.value ?? details.secretValue;
        if (value === undefined || value === null || value === "") {
            if (REQUIRED.includes(name)) throw new MissingPrimaryOutputError(name, primaryStack);
            continue;
        }
        result[name] = value;
    }
    return result as unknown as PrimaryStackOutputs;
}
