/**
 * The EC2 side of the fail-over drill: look an instance up (state, zone, cluster tags) and kill it the
 * way the 2022 reference architecture does (terminate) or so that it can be started again (stop).
 */
import { DescribeInstancesCommand, EC2Client, type EC2ClientConfig, StopInstancesCommand, TerminateInstancesCommand } from "@aws-sdk/client-ec2";

export interface InstanceInfo {
    readonly instanceId: string;
    readonly state: string;
    readonly zone?: string;
    readonly tags: Readonly<Record<string, string>>;
}

export type FailureAction = "terminate" | "stop";

export interface InstanceApi {
    describe(instanceId: string): Promise<InstanceInfo | undefined>;
    /**
     * Terminates or stops the instance. `skipOsShutdown` cuts power without a guest shutdown (closest to
     * a crash: no kubelet graceful node shutdown, no page-cache flush); false reproduces the console action.
     */
    fail(instanceId: string, action: FailureAction, skipOsShutdown: boolean): Promise<string>;
}

export class Ec2Instances implements InstanceApi {
    private readonly client: EC2Client;

    /** `config` takes `endpoint`/`credentials` too, e.g. a local fake endpoint in tests. */
    constructor(config: EC2ClientConfig) {
        this.client = new EC2Client({ maxAttempts: 3, ...config });
    }

    async describe(instanceId: string): Promise<InstanceInfo | undefined> {
        const out = await this.client.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
        const i = out.Reservations?.flatMap((r) => r.Instances ?? []).find((x) => x.InstanceId === instanceId);
        if (!i) return undefined;
        return {
            instanceId,
            state: i.State?.Name ?? "unknown",
            zone: i.Placement?.AvailabilityZone,
            tags: Object.fromEntries((i.Tags ?? []).filter((t) => t.Key).map((t) => [t.Key as string, t.Value ?? ""])),
        };
    }

    async fail(instanceId: string, action: FailureAction, skipOsShutdown: boolean): Promise<string> {
        // Sent only when wanted, so the graceful path is the plain call every account and region accepts.
        const skip = skipOsShutdown ? { SkipOsShutdown: true } : {};
        if (action === "terminate") {
            const out = await this.client.send(new TerminateInstancesCommand({ InstanceIds: [instanceId], ...skip }));
            return out.TerminatingInstances?.find((x) => x.InstanceId === instanceId)?.CurrentState?.Name ?? "unknown";
        }
        const out = await this.client.send(new StopInstancesCommand({ InstanceIds: [instanceId], ...skip }));
        return out.StoppingInstances?.find((x) => x.InstanceId === instanceId)?.CurrentState?.Name ?? "unknown";
    }
}

/** True when the instance carries the tags EKS puts on a cluster's nodes (either form). */
export function belongsToCluster(tags: Readonly<Record<string, string>>, clusterName: string): boolean {
    return tags["eks:cluster-name"] === clusterName || tags[`kubernetes.io/cluster/${clusterName}`] !== undefined;
}

/** Region of a zone such as us-west-2a or us-west-2-lax-1a. */
export function regionOfZone(zone: string): string | undefined {
    return /^([a-z]{2}(?:-gov)?-[a-z]+-\d)/.exec(zone)?.[1];
}
