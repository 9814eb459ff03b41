/**
 * The DR stack evaluated in a world the spec sets up: the primary's outputs (present, partial or absent), this stack's
 * own last outputs (what a StackReference to itself returns) and the primary's bucket (fakes/fakeLinstorBucket.ts).
 */
import { loadConfig } from "../../stacks/config";
import { deployDr } from "../../stacks/dr";
import { type FakeLinstorBucket, primaryBucket } from "../support/fakes/fakeLinstorBucket";
import { outputValue, resetRecords, s3Buckets, settle, stackOutputs, useStack } from "../support/mocks";
import { evaluatedDev } from "../support/stackEvaluation";
import { stackConfig } from "../support/stacks";

export const PRIMARY = "organization/ha-jenkins-eks/dev";
export const SELF = "organization/ha-jenkins-eks/dr";
/** An override that removes the key from Pulumi.dr.yaml (an empty value is refused, not the default). */
export const UNSET = "\u0000unset";

/** The dev stack's outputs (evaluated once per process). */
export async function devOutputs(): Promise<Record<string, unknown>> {
    return (await evaluatedDev({ "ha-jenkins-eks:onDemandSnapshotName": "jenkins-manual" })).outputs;
}

export interface DrWorld {
    /** The primary stack's outputs; undefined: none (a stack that was never deployed or is gone). Default: dev's. */
    readonly primary?: Record<string, unknown> | "none";
    /** This stack's own last outputs. Default: none (its first deployment). */
    readonly own?: Record<string, unknown>;
    /** The bucket the backups are in. Default: primaryBucket() under the dev stack's bucket name. */
    readonly bucket?: FakeLinstorBucket;
    /** The stack evaluated (its own outputs are `own`) and the primary it references. Default: dr and dev. */
    readonly stack?: string;
    readonly primaryName?: string;
    /** Called once every output resolved, before the registrations settle (a spec holding one back opens it here). */
    readonly afterOutputs?: () => void;
}

/** Resolves every output (as the engine stores them) into plain values, unset ones dropped. */
export async function plain(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const entries = await Promise.all(Object.entries(outputs).map(async ([k, v]) => [k, await outputValue(v as never)] as const));
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

/** Evaluates Pulumi.dr.yaml with `overrides` in `world`; returns its outputs resolved. */
export async function evaluateDr(overrides: Record<string, string> = {}, world: DrWorld = {}): Promise<Record<string, unknown>> {
    const dev = await devOutputs();
    const primary = world.primary ?? dev;
    const bucket = world.bucket ?? primaryBucket(dev.snapshotBucketName as string).bucket;
    const primaryName = world.primaryName ?? PRIMARY;
    const self = `organization/ha-jenkins-eks/${world.stack ?? "dr"}`;
    if (primary !== "none") stackOutputs[primaryName] = { ...primary };
    if (world.own) stackOutputs[self] = { ...world.own };
    s3Buckets[bucket.name] = bucket;
    try {
        const { config, secretKeys } = stackConfig("dr");
        const merged: Record<string, string> = { ...config, ...overrides };
        for (const [k, v] of Object.entries(merged)) if (v === UNSET) delete merged[k];
        useStack(world.stack ?? "dr", merged, secretKeys);
        resetRecords();
        const outputs = await plain(await deployDr(loadConfig()));
        world.afterOutputs?.();
        await settle();
        return outputs;
    } finally {
        delete stackOutputs[primaryName];
        delete stackOutputs[self];
        delete s3Buckets[bucket.name];
    }
}

/** The message a rejected DR evaluation fails with (after the registrations made before it arrived). */
export async function rejection(overrides: Record<string, string> = {}, world: DrWorld = {}): Promise<string> {
    try {
        await evaluateDr(overrides, world);
    } catch (e) {
        await settle();
        return (e as Error).message;
    }
    throw new Error("the DR stack was accepted");
}
