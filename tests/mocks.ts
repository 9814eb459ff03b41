/**
 * The ONE recording mock shared by every spec (mocha runs all specs in one process and a second
 * `setMocks` replaces the monitor). It records every registered resource and answers the invokes
 * the program makes; an unknown invoke throws so a new call can't slip by untested.
 */
import * as pulumi from "@pulumi/pulumi";

/** Resource options as the engine would receive them (the Mocks API itself does not show them). */
export interface RecordedOptions {
    readonly urn: string;
    readonly parent: string;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly deleteBeforeReplace: boolean;
    /** URNs of explicit and implicit dependencies. */
    readonly dependencies: string[];
}

export interface Recorded {
    readonly type: string;
    readonly name: string;
    readonly inputs: any;
    readonly custom: boolean;
    readonly provider?: string;
    readonly id: string;
    /** Undefined for reads (`Resource.get`), which carry no options. */
    readonly options?: RecordedOptions;
}

const pendingOptions = new Map<string, RecordedOptions>();

export const PROJECT = "ha-jenkins-eks";
export const recorded: Recorded[] = [];
/** StackReference outputs served by the mock, by referenced stack name. */
export const stackOutputs: Record<string, Record<string, unknown>> = {};
/** AZ names the mocked getAvailabilityZones returns. */
export let availableZones = ["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"];
export function setAvailableZones(names: string[]): void {
    availableZones = names;
}

/** Regions of explicit AWS providers by name, so regional ARNs come out in the provider's region. */
const providerRegions = new Map<string, string>();

function regionOf(providerRef: string | undefined): string {
    const name = /pulumi:providers:aws::([^:]+)::/.exec(providerRef ?? "")?.[1];
    return (name && providerRegions.get(name)) ?? "us-west-2";
}

function stateFor(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
    if (args.type === "pulumi:providers:aws" && args.inputs.region) providerRegions.set(args.name, args.inputs.region);
    const base = { ...args.inputs };
    const name = args.name;
    switch (args.type) {
        case "eks:index:Cluster": {
            const clusterName = args.inputs.name ?? name;
            const kubeconfig = { apiVersion: "v1", kind: "Config", clusters: [{ name: clusterName }] };
            return {
                ...base,
                kubeconfig,
                kubeconfigJson: JSON.stringify(kubeconfig),
                core: {
                    cluster: {
                        name: clusterName,
                        version: args.inputs.version,
                        endpoint: `https://${clusterName}.gr7.eks.amazonaws.com`,
                        certificateAuthority: { data: "Q0EtREFUQQ==" },
                        kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16" },
                    },
                },
                eksCluster: { name: clusterName, arn: `arn:aws:eks:us-west-2:123456789012:cluster/${clusterName}` },
                oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.amazonaws.com/id/MOCK",
                clusterSecurityGroupId: "sg-0cluster",
                nodeSecurityGroupId: "sg-0node",
            };
        }
        case "awsx:ec2:Vpc": {
            const azs: string[] = args.inputs.availabilityZoneNames ?? [];
            return {
                ...base,
                vpcId: "vpc-0123456789abcdef0",
                privateSubnetIds: azs.map((_, i) => `subnet-private-${i}`),
                publicSubnetIds: azs.map((_, i) => `subnet-public-${i}`),
            };
        }
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { ...base, latestVersion: 1, arn: `arn:aws:ec2:::launch-template/${name}` };
        case "aws:iam/role:Role":
        case "aws:iam/user:User":
        case "aws:iam/policy:Policy":
            return { ...base, name: base.name ?? name, arn: `arn:aws:iam::123456789012:${args.type.split(":")[2].toLowerCase()}/${name}` };
        case "aws:kms/key:Key":
            return { ...base, arn: `arn:aws:kms:${regionOf(args.provider)}:123456789012:key/${name}`, keyId: name };
        case "aws:s3/bucket:Bucket":
        case "aws:s3/bucketV2:BucketV2":
            return { ...base, bucket: base.bucket ?? name, arn: `arn:aws:s3:::${base.bucket ?? name}` };
        case "aws:iam/accessKey:AccessKey":
            return { ...base, secret: "mock-secret-access-key", id: `AKIA${name.toUpperCase().slice(0, 8)}` };
        case "kubernetes:core/v1:Service":
            // A read (`Service.get`, e.g. the NLB address of a Helm-made Service) carries an id "<namespace>/<name>".
            if (args.id) {
                const [namespace, svc] = args.id.split("/");
                return {
                    ...base,
                    metadata: { name: svc, namespace },
                    status: { loadBalancer: { ingress: [{ hostname: `${svc}-0123456789.elb.us-west-2.amazonaws.com` }] } },
                };
            }
            return base;
        case "random:index/randomPassword:RandomPassword":
            return { ...base, result: `generated-${name}` };
        case "random:index/randomId:RandomId":
            return { ...base, hex: "0a1b2c3d", b64Std: "ChssPQ==" };
        case "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshot":
            // The API server assigns a UID; a deterministic one derived from the name keeps assertions exact.
            return { ...base, metadata: { ...base.metadata, uid: `00000000-0000-4000-8000-${Buffer.from(name).toString("hex").padEnd(12, "0").slice(0, 12)}` } };
        case "pulumi:pulumi:StackReference": {
            const stackName = args.inputs.name ?? name;
            return { ...base, name: stackName, outputs: stackOutputs[stackName] ?? {}, secretOutputNames: [] };
        }
        default:
            return base;
    }
}

export const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
        const id = args.type === "pulumi:pulumi:StackReference" ? (args.inputs.name ?? args.name) : `${args.name}-id`;
        const options = pendingOptions.get(`${args.type}::${args.name}`);
        pendingOptions.delete(`${args.type}::${args.name}`);
        recorded.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? true, provider: args.provider, id, options });
        return { id, state: stateFor(args) };
    },
    call(args) {
        switch (args.token) {
            case "aws:index/getAvailabilityZones:getAvailabilityZones":
                return { names: availableZones, zoneIds: availableZones.map((_, i) => `usw2-az${i + 1}`) };
            case "aws:ssm/getParameter:getParameter":
                return { name: args.inputs.name, value: "ami-0123456789abcdef0", type: "String" };
            case "aws:iam/getPolicyDocument:getPolicyDocument":
                return { json: JSON.stringify({ Version: "2012-10-17", Statement: args.inputs.statements ?? [] }) };
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId: "123456789012", arn: "arn:aws:iam::123456789012:user/ci", userId: "AIDA" };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com" };
            default:
                throw new Error(`mocks: unexpected invoke ${args.token}`);
        }
    },
};

/** Points the runtime at the shared mocks for `stack`, with `config` as the stack's configuration. */
export function useStack(stack: string, config: Record<string, string>, secretKeys: string[] = []): void {
    pulumi.runtime.setMocks(mocks, PROJECT, stack, false, "organization");
    pulumi.runtime.setAllConfig(config, secretKeys);
    captureOptions();
}

/** Wraps the mock monitor so each recorded resource also carries its protect/dependsOn/parent options. */
function captureOptions(): void {
    const monitor: any = pulumi.runtime.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: any) => {
        pendingOptions.set(`${req.getType()}::${req.getName()}`, {
            urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
            parent: req.getParent(),
            protect: req.getProtect() ?? false,
            retainOnDelete: req.getRetainondelete() ?? false,
            deleteBeforeReplace: req.getDeletebeforereplace(),
            dependencies: req.getDependenciesList(),
        });
        return register(req, callback);
    };
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
        throw new Error(`expected exactly one ${type}${namePart ? ` named *${namePart}*` : ""}, found ${found.length}: ${found.map((f) => f.name).join(", ")}`);
    }
    return found[0];
}

/** Resolves an Output (or plain value) for assertions. */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(output).apply((v) => { resolve(v as T); return v; }));
}

/** Whether an Output is marked secret. */
export function isSecret(output: pulumi.Output<unknown>): Promise<boolean> {
    return pulumi.isSecret(output);
}

/** Waits until registrations stop arriving (inputs resolve asynchronously before the mock sees them). */
export async function settle(): Promise<void> {
    let stableRounds = 0;
    let last = -1;
    while (stableRounds < 4) {
        await new Promise((r) => setTimeout(r, 15));
        stableRounds = recorded.length === last ? stableRounds + 1 : 0;
        last = recorded.length;
    }
}

/** Unwraps a secret input as the mock monitor sees it. */
export function unsecret<T>(value: any): T {
    if (value && typeof value === "object" && value["4dabf18193072939515e22adb298388d"] !== undefined) return value.value as T;
    return value as T;
}

// Mocks must be in place before any program module is imported.
useStack("dev", { "aws:region": "us-west-2" });
