/**
 * The ONE recording mock shared by every spec (mocha runs all specs in one process and a second
 * `setMocks` replaces the monitor): stacks/offline/mockCloud.ts answers for the cloud, this module keeps
 * the records and the helpers specs assert with. An unknown invoke throws, so a new call can't slip by untested.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    configuredSubnet,
    type ExistingSubnet,
    installMocks,
    type MockBucket,
    type MockOptions,
    type MockRecord,
    recordingMocks,
} from "../../stacks/offline/mockCloud";

export type RecordedOptions = MockOptions;
export type Recorded = MockRecord;

export const PROJECT = "ha-jenkins-eks";
export const recorded: Recorded[] = [];
/** StackReference outputs served by the mock, by referenced stack name. */
export const stackOutputs: Record<string, Record<string, unknown>> = {};
/** S3 buckets the S3 data-source invokes read, by bucket name (tests/support/fakes/fakeLinstorBucket.ts); absent = empty. */
export const s3Buckets: Record<string, MockBucket> = {};
/** AZ names the mocked getAvailabilityZones returns; default four zones of the stack's region (a–d). */
export let availableZones: string[] | undefined;
export function setAvailableZones(names: string[] | undefined): void {
    availableZones = names;
}
/** Existing subnets the mocked aws.ec2.getSubnet finds; default: where the stack's config says they are. */
export let existingSubnets: Record<string, ExistingSubnet> | undefined;
export function setExistingSubnets(subnets: Record<string, ExistingSubnet> | undefined): void {
    existingSubnets = subnets;
}
/** Subnets the mocked awsx VPC invented (ID → AZ): the policy harness shows them as the VPC's subnets, as a real preview does. */
export const mockSubnetZones = new Map<string, string>();
const currentRegion = () => (pulumi.runtime.getConfig("aws:region") as string | undefined) ?? "us-west-2";

/** The shared cloud mock (stacks/offline/mockCloud.ts, also behind the offline plan), recording into `recorded`. */
export const mocks = recordingMocks(
    {
        region: currentRegion,
        stackOutputs: () => stackOutputs,
        s3Buckets: () => s3Buckets,
        availabilityZones: () => availableZones ?? ["a", "b", "c", "d"].map((l) => `${currentRegion()}${l}`),
        subnet: (id) => (existingSubnets === undefined ? configuredSubnet(id) : existingSubnets[id]),
        onSubnet: (id, zone) => mockSubnetZones.set(id, zone),
    },
    recorded,
);

/** Points the runtime at the shared mocks for `stack`, with `config` as the stack's configuration. */
export function useStack(stack: string, config: Record<string, string>, secretKeys: string[] = []): void {
    installMocks(mocks, PROJECT, stack);
    pulumi.runtime.setAllConfig(config, secretKeys);
}

/** The recorded resource whose URN is `urn`. */
export function byUrn(urn: string): Recorded | undefined {
    return recorded.find((r) => r.options?.urn === urn);
}

/** Whether `dependent` lists `dependency` among its dependencies (explicit dependsOn or via inputs). */
export function dependsOn(dependent: Recorded, dependency: Recorded): boolean {
    return dependency.options !== undefined && (dependent.options?.dependencies ?? []).includes(dependency.options.urn);
}

export function resetRecords(): void {
    recorded.length = 0;
}

export function ofType(type: string): Recorded[] {
    return recorded.filter((r) => r.type === type);
}

export function one(type: string, namePart?: string): Recorded {
    const found = ofType(type).filter((r) => namePart === undefined || r.name.includes(namePart));
    if (found.length !== 1) {
        throw new Error(
            `expected exactly one ${type}${namePart ? ` named *${namePart}*` : ""}, found ${found.length}: ${found.map((f) => f.name).join(", ")}`,
        );
    }
    return found[0];
}

/** Resolves an Output (or plain value) for assertions. */
export function outputValue<T>(output: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) =>
        pulumi.output(output).apply((v) => {
            resolve(v as T);
            return v;
        }),
    );
}

/** Whether an Output is marked secret. */
export function isSecret(output: pulumi.Output<unknown>): Promise<boolean> {
    return pulumi.isSecret(output);
}

/**
 * Waits until registrations stop arriving: the runtime's own count of outstanding RPCs
 * (@pulumi/pulumi runtime/settings.js `waitForRPCs`), then one more turn to see nothing new came in.
 */
export async function settle(): Promise<void> {
    const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
    let last = -1;
    while (recorded.length !== last) {
        last = recorded.length;
        if (waitForRPCs) await waitForRPCs();
        await new Promise((r) => setImmediate(r));
    }
}

/** Unwraps a secret input as the mock monitor sees it. */
export function unsecret<T>(value: any): T {
    if (value && typeof value === "object" && value["4dabf18193072939515e22adb298388d"] !== undefined) return value.value as T;
    return value as T;
}

/**
 * Pulumi captures an empty `new Error().stack` with an unlimited frame count for every promise and resource it
 * creates (@pulumi/pulumi runtime/debuggable.js, resource.js `callsites`), and ts-node maps each through source
 * maps: two thirds of the suite's CPU, for stacks nobody reads. Those message-less Errors get no frames here;
 * every other error keeps its mapped stack. `HJE_FULL_STACKS=1` keeps them all (for debugging the runtime).
 */
function skipUnreadStackTraces(): void {
    const mapped = Error.prepareStackTrace;
    if (process.env.HJE_FULL_STACKS === "1" || mapped === undefined) return;
    Error.prepareStackTrace = (error, frames) => (error.constructor === Error && error.message === "" ? "Error" : mapped(error, frames));
    // That `.stack` is "Error" either way, so do not even collect its frames: capturing them for every promise was
    // still about 12 s of the suite's CPU. Same values as above: the promise's debug trace "Error", no callsites.
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: (p: Promise<unknown>, ctx: unknown) => Promise<unknown> };
    const debuggablePromise = debuggable.debuggablePromise;
    debuggable.debuggablePromise = (p, ctx) => {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            return debuggablePromise(p, ctx);
        } finally {
            Error.stackTraceLimit = limit;
        }
    };
    (pulumi.Resource as unknown as { callsites: () => unknown[] }).callsites = () => [];
}
skipUnreadStackTraces();

// Mocks must be in place before any program module is imported.
useStack("dev", { "aws:region": "us-west-2" });

/** The StorageClasses LINSTOR provisions (the cluster also offers a plain EBS gp3 class). */
export function linstorClasses(): Recorded[] {
    return ofType("kubernetes:storage.k8s.io/v1:StorageClass").filter((sc) => sc.inputs.provisioner === "linstor.csi.linbit.com");
}
