/**
 * The mock monitor `npm run plan` evaluates a stack under: it records every registration with the options the
 * engine would see (URN, parent, dependencies), answers the invokes the program makes with placeholders, and fails
 * with a clear message on any other invoke. Nothing here touches a cloud.
 *
 * The state table and option capture are shared with the tests (stacks/offline/mockCloud.ts); this module adds what the
 * plan reports (subnet zones, guessed values). Importing it has no side effects: `startOfflineMocks()` installs it.
 */
import * as pulumi from "@pulumi/pulumi";
import { exampleBucket } from "./exampleBucket";
import { installMocks, type MockBucket, type MockRecord, recordingMocks } from "./mockCloud";

export interface OfflineRun {
    readonly records: MockRecord[];
    /** Mock subnet ID → the AZ it was created for (awsx VPC subnets are named after their zone). */
    readonly subnetZones: Map<string, string>;
    /** Invokes answered with a guess the summary must disclose (e.g. the region's AZ names). */
    readonly guesses: string[];
}

export interface OfflineOptions {
    readonly project: string;
    readonly stack: string;
    readonly region: string;
    readonly config: Record<string, string>;
    readonly secretKeys: string[];
    /** Outputs served to StackReferences, by referenced stack name (e.g. from `pulumi stack output --json`). */
    readonly stackOutputs?: Record<string, Record<string, unknown>>;
}

/** Installs the shared cloud mock (stacks/offline/mockCloud.ts) and the stack's config; returns what the evaluation will record. */
export function startOfflineMocks(o: OfflineOptions): OfflineRun {
    const run: OfflineRun = { records: [], subnetZones: new Map(), guesses: [] };
    const mocks = recordingMocks(
        {
            region: () => o.region,
            stackOutputs: () => o.stackOutputs ?? {},
            availabilityZones: () => {
                const names = ["a", "b", "c", "d"].map((s) => `${o.region}${s}`);
                run.guesses.push(`AZ names of ${o.region} (assumed ${names.join(", ")}; set ha-jenkins-eks:availabilityZones to plan real ones)`);
                return names;
            },
            onSubnet: (id, zone) => run.subnetZones.set(id, zone),
            s3Buckets: () =>
                new Proxy({} as Record<string, MockBucket>, {
                    get: (_t, name) => {
                        const guess = `the contents of bucket ${String(name)} (assumed: one complete 20 GiB backup of jenkins/jenkins-home, exampleBucket.ts)`;
                        if (!run.guesses.includes(guess)) run.guesses.push(guess);
                        return exampleBucket();
                    },
                }),
        },
        run.records,
    );
    installMocks(mocks, o.project, o.stack);
    pulumi.runtime.setAllConfig(o.config, o.secretKeys);
    return run;
}

/** Resolves once the program's registrations have drained (the runtime's own RPC bookkeeping, then a quiet check). */
export async function settleOffline(run: OfflineRun): Promise<void> {
    const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
    let last = -1;
    while (run.records.length !== last) {
        last = run.records.length;
        if (waitForRPCs) await waitForRPCs();
        await new Promise((r) => setImmediate(r));
        await new Promise((r) => setTimeout(r, 5));
    }
}
