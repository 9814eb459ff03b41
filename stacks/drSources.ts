/**
 * What the DR stack works from, so a recovery needs nothing from the primary: the primary's outputs when its stack
 * answers with them, else the copy this stack recorded the last time it read them (its own output `primaryRecord`,
 * read back through a StackReference to itself, as the upgrade guard reads its versions), else the `restoreBucket*`
 * keys alone. A StackReference to a stack that does not exist fails the whole run and cannot be caught
 * (pulumi/pulumi#3540), so the primary is referenced only when `primaryStack` is set.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../components/shared/errors";
import type { ExistingBucket } from "../components/snapshots/settings";
import { projectKey, type StackConfig } from "./config";
import type { DrConfig, DrMode } from "./config/dr";
import { DR_READS_OPTIONAL, DR_READS_REQUIRED, MissingPrimaryOutputError, type PrimaryStackOutputs, type RestoredBackup } from "./outputs";

/** What this stack recorded in its own outputs on its last successful (or partly successful) run. */
export interface OwnRecord {
    readonly restoredBackup?: RestoredBackup;
    readonly primaryRecord?: PrimaryStackOutputs;
    /** The mode of the last run (its output `drMode`): a run that turns a standby into a restore defers the chain's release. */
    readonly drMode?: DrMode;
}

/**
 * This stack's own last outputs. Pulumi keeps the outputs of a run that failed half-way as far as the program set
 * them (pulumi/pulumi#15754, CLI 3.112), so a choice made by a run that then failed is kept too.
 */
export async function readOwnRecord(cfg: StackConfig): Promise<OwnRecord> {
    const self = new pulumi.StackReference(`${cfg.namePrefix}-dr-self`, { name: `${pulumi.getOrganization()}/${cfg.project}/${cfg.stack}` });
    const value = async <T>(name: string): Promise<T | undefined> => {
        const d = await self.getOutputDetails(name);
        const v = d.value ?? d.secretValue;
        return v === null || v === "" ? undefined : (v as T | undefined);
    };
    return {
        restoredBackup: await value<RestoredBackup>("restoredBackup"),
        primaryRecord: await value<PrimaryStackOutputs>("primaryRecord"),
        drMode: await value<DrMode>("drMode"),
    };
}

export interface PrimarySource {
    /** The primary's outputs the DR stack uses, or undefined when none are known. */
    readonly primary?: PrimaryStackOutputs;
    /** Where they come from. */
    readonly from: "live" | "recorded" | "none";
    /** Required outputs the live primary lacked (when it was asked and fell short). */
    readonly missing: readonly string[];
    /** Whether the live primary had any of the outputs at all (none: a wrong name or a stack never deployed). */
    readonly answered: boolean;
}

/** The primary's outputs: live when complete, else the recorded copy, else none. */
export async function readPrimary(cfg: StackConfig, dr: DrConfig, own: OwnRecord): Promise<PrimarySource> {
    let missing: string[] = [];
    let answered = false;
    if (dr.primaryStack !== undefined) {
        const ref = new pulumi.StackReference(`${cfg.namePrefix}-primary`, { name: dr.primaryStack });
        const found: Record<string, unknown> = {};
        for (const name of [...DR_READS_REQUIRED, ...DR_READS_OPTIONAL]) {
            const d = await ref.getOutputDetails(name);
            const v = d.value ?? d.secretValue;
            if (v !== undefined && v !== null && v !== "") found[name] = v;
        }
        missing = DR_READS_REQUIRED.filter((n) => found[n] === undefined);
        answered = Object.keys(found).length > 0;
        if (missing.length === 0) return { primary: found as unknown as PrimaryStackOutputs, from: "live", missing, answered };
        const from = own.primaryRecord ? "the outputs this stack recorded from it" : "the restoreBucket* keys";
        // Without a recorded copy or the restoreBucket* keys, restoreBucket() refuses naming primaryStack: no warning first.
        if (own.primaryRecord || dr.restoreBucketName !== undefined)
            void pulumi.log.warn(
                `The primary stack ${dr.primaryStack} has no output ${missing.join(", ")} (destroyed, never deployed, or an older program); ` +
                    `the DR stack goes on with ${from}.`,
            );
    }
    if (own.primaryRecord) return { primary: own.primaryRecord, from: "recorded", missing, answered };
    return { from: "none", missing, answered };
}

/** The bucket to restore from: the `restoreBucket*` keys, else the primary's (live or recorded). */
export function restoreBucket(dr: DrConfig, source: PrimarySource): ExistingBucket {
    const access = dr.drSnapshotsEnabled ? "readWrite" : "restoreOnly";
    if (dr.restoreBucketName !== undefined) {
        return { name: dr.restoreBucketName, region: dr.restoreBucketRegion as string, kmsKeyArn: dr.restoreBucketKmsKeyArn, access };
    }
    const p = source.primary;
    if (p === undefined && dr.primaryStack !== undefined) {
        // The primary was asked, fell short, and nothing else names the bucket: its name or its deployment is what to fix.
        throw new MissingPrimaryOutputError(source.missing[0], dr.primaryStack, !source.answered);
    }
    if (p === undefined) {
        throw new ConfigError(
            projectKey("restoreBucketName"),
            undefined,
            "Name the bucket to restore from: no primaryStack is set and this stack recorded none. Set restoreBucketName, restoreBucketRegion and " +
                "restoreBucketKmsKeyArn (the primary's outputs snapshotBucketName, snapshotBucketRegion, snapshotKmsKeyArn; in S3 the bucket " +
                "is <namePrefix>-snapshots-<region>-<hex>, its key the one its default encryption names).",
        );
    }
    return { name: p.snapshotBucketName, region: p.snapshotBucketRegion, kmsKeyArn: p.snapshotKmsKeyArn, access };
}
