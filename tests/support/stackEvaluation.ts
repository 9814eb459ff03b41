/**
 * The shipped stacks evaluated under the shared mock ONCE per mocha process and per set of config overrides: specs
 * that only read what a stack registers share one evaluation instead of each repeating it in a `before`.
 * Records are deep copies (cloneRecords), so later evaluations or `resetRecords` do not touch them; a spec that
 * edits records must edit its own `cloneRecords(stack.records)`.
 */
import type { RecordedResource } from "../../policy/offline";
import { loadConfig } from "../../stacks/config";
import { deployDr } from "../../stacks/dr";
import { deployPrimary } from "../../stacks/primary";
import { primaryBucket } from "./fakes/fakeLinstorBucket";
import { outputValue, resetRecords, s3Buckets, settle, stackOutputs, useStack } from "./mocks";
import { cloneRecords } from "./policyHarness";
import { stackConfig } from "./stacks";

/** The primary stack as the DR stack's `primaryStack` names it. */
export const PRIMARY_STACK = "organization/ha-jenkins-eks/dev";

export interface EvaluatedStack {
    readonly stack: "dev" | "dr";
    /** The config it was evaluated with: the shipped stack file, the quick start's API access, the overrides. */
    readonly config: Record<string, string>;
    readonly secretKeys: string[];
    /** Every registration, deep-copied once the evaluation settled. Do not edit: clone first. */
    readonly records: readonly RecordedResource[];
    /** Its outputs resolved to plain values, unset ones dropped (what a StackReference to it reads). */
    readonly outputs: Record<string, unknown>;
}

const cache = new Map<string, Promise<EvaluatedStack>>();

function memo(stack: "dev" | "dr", overrides: Record<string, string>, evaluate: () => Promise<EvaluatedStack>): Promise<EvaluatedStack> {
    const key = `${stack} ${JSON.stringify(Object.entries(overrides).sort(([a], [b]) => a.localeCompare(b)))}`;
    let found = cache.get(key);
    if (found === undefined) {
        found = evaluate();
        cache.set(key, found);
    }
    return found;
}

async function plain(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const entries = await Promise.all(Object.entries(outputs).map(async ([k, v]) => [k, await outputValue(v as never)] as const));
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

/** The dev stack (Pulumi.dev.yaml) with `overrides` (full keys, e.g. `ha-jenkins-eks:onDemandSnapshotName`). */
export function evaluatedDev(overrides: Record<string, string> = {}): Promise<EvaluatedStack> {
    return memo("dev", overrides, async () => {
        const file = stackConfig("dev");
        const config = { ...file.config, ...overrides };
        useStack("dev", config, file.secretKeys);
        resetRecords();
        const outputs = await plain(await deployPrimary(loadConfig()));
        await settle();
        return { stack: "dev", config, secretKeys: file.secretKeys, records: cloneRecords(), outputs };
    });
}

/**
 * The dr stack (Pulumi.dr.yaml) with `overrides`, reading the outputs of the dev stack evaluated with an on-demand
 * snapshot (`jenkins-manual`), and the primary's bucket holding a day of hourly backups (fakes/fakeLinstorBucket.ts
 * primaryBucket), so the DR stack finds the newest complete one.
 */
export function evaluatedDr(overrides: Record<string, string> = {}): Promise<EvaluatedStack> {
    return memo("dr", overrides, async () => {
        const primary = await evaluatedDev({ "ha-jenkins-eks:onDemandSnapshotName": "jenkins-manual" });
        stackOutputs[PRIMARY_STACK] = { ...primary.outputs };
        const bucketName = primary.outputs.snapshotBucketName as string;
        s3Buckets[bucketName] = primaryBucket(bucketName).bucket;
        try {
            const file = stackConfig("dr");
            const config = { ...file.config, ...overrides };
            useStack("dr", config, file.secretKeys);
            resetRecords();
            const outputs = await plain(await deployDr(loadConfig()));
            await settle();
            return { stack: "dr", config, secretKeys: file.secretKeys, records: cloneRecords(), outputs };
        } finally {
            delete stackOutputs[PRIMARY_STACK];
            delete s3Buckets[bucketName];
        }
    });
}
