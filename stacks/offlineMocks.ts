/**
 * The mock monitor `npm run plan` evaluates a stack under: it records every registration with the options the
 * engine would see (URN, parent, dependencies), answers the invokes the program makes with placeholders, and fails
 * with a clear message on any other invoke. Nothing here touches a cloud.
 *
 * Deliberately separate from tests/mocks.ts (the one mock every spec shares, which program code must not import);
 * its state table is duplicated here until the two are unified. Importing this module has no side effects:
 * `startOfflineMocks()` installs it.
 */
import * as pulumi from "@pulumi/pulumi";
import type { RecordedResource } from "../policy/offline";

export const ACCOUNT = "123456789012";

export interface OfflineRun {
    readonly records: RecordedResource[];
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

function stateFor(args: pulumi.runtime.MockResourceArgs, o: OfflineOptions, run: OfflineRun): Record<string, unknown> {
    const base = { ...args.inputs };
    const name = args.name;
    // ARNs carry the region of the resource's provider (e.g. the snapshot bucket's key lives in the bucket's region).
    const providerUrn = args.provider?.slice(0, args.provider.lastIndexOf("::"));
    const region = run.records.find((r) => r.options?.urn === providerUrn)?.inputs.region ?? o.region;
    const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${ACCOUNT}:${resource}`;
    switch (args.type) {
        case "eks:index:Cluster": {
            const clusterName = args.inputs.name ?? name;
            const kubeconfig = { apiVersion: "v1", kind: "Config", clusters: [{ name: clusterName }] };
            return {
                ...base, kubeconfig, kubeconfigJson: JSON.stringify(kubeconfig),
                core: {
                    cluster: {
                        name: clusterName, version: args.inputs.version, endpoint: `https://${clusterName}.offline.eks.amazonaws.com`,
                        certificateAuthority: { data: "T0ZGTElORQ==" }, kubernetesNetworkConfig: { serviceIpv4Cidr: "172.20.0.0/16" },
                    },
                },
                eksCluster: { name: clusterName, arn: arn("eks", `cluster/${clusterName}`) },
                oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${region}.amazonaws.com/id/OFFLINE`,
                clusterSecurityGroupId: "sg-offline-cluster", nodeSecurityGroupId: "sg-offline-node",
            };
        }
        case "awsx:ec2:Vpc": {
            const zones: string[] = args.inputs.availabilityZoneNames ?? [];
            const subnets = (kind: string) => zones.map((az) => {
                run.subnetZones.set(`subnet-${kind}-${az}`, az);
                return `subnet-${kind}-${az}`;
            });
            return { ...base, vpcId: "vpc-offline", privateSubnetIds: subnets("private"), publicSubnetIds: subnets("public") };
        }
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { ...base, latestVersion: 1, arn: arn("ec2", `launch-template/${name}`) };
        case "aws:iam/role:Role":
        case "aws:iam/user:User":
        case "aws:iam/policy:Policy":
            return { ...base, name: base.name ?? name, arn: `arn:aws:iam::${ACCOUNT}:${args.type.split(":")[2].toLowerCase()}/${base.name ?? name}` };
        case "aws:kms/key:Key":
            return { ...base, arn: arn("kms", `key/${name}`), keyId: name };
        case "aws:s3/bucket:Bucket":
        case "aws:s3/bucketV2:BucketV2":
            return { ...base, bucket: base.bucket ?? name, arn: `arn:aws:s3:::${base.bucket ?? name}` };
        case "aws:iam/accessKey:AccessKey":
            return { ...base, secret: "offline-secret-access-key", id: "AKIAOFFLINE" };
        case "kubernetes:core/v1:Service":
            if (args.id) {
                const [namespace, svc] = args.id.split("/");
                return { ...base, metadata: { name: svc, namespace }, status: { loadBalancer: { ingress: [{ hostname: `${svc}.offline.elb.amazonaws.com` }] } } };
            }
            return base;
        case "random:index/randomPassword:RandomPassword":
            return { ...base, result: "offline-placeholder-password" };
        case "random:index/randomId:RandomId":
            return { ...base, hex: "0ff11e00", b64Std: "D/EeAA==" };
        case "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshot":
            return { ...base, metadata: { ...base.metadata, uid: "00000000-0000-4000-8000-0ff11e000000" } };
        case "pulumi:pulumi:StackReference": {
            const stackName = args.inputs.name ?? name;
            return { ...base, name: stackName, outputs: o.stackOutputs?.[stackName] ?? {}, secretOutputNames: [] };
        }
        default:
            return base;
    }
}

function invoke(args: pulumi.runtime.MockCallArgs, o: OfflineOptions, run: OfflineRun): Record<string, unknown> {
    switch (args.token) {
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
            const names = ["a", "b", "c", "d"].map((s) => `${o.region}${s}`);
            run.guesses.push(`AZ names of ${o.region} (assumed ${names.join(", ")}; set ha-jenkins-eks:availabilityZones to plan real ones)`);
            return { names, zoneIds: names.map((_, i) => `offline-az${i + 1}`) };
        }
        case "aws:ssm/getParameter:getParameter":
            return { name: args.inputs.name, value: "ami-offline", type: "String" };
        case "aws:iam/getPolicyDocument:getPolicyDocument":
            return { json: JSON.stringify({ Version: "2012-10-17", Statement: args.inputs.statements ?? [] }) };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/offline`, userId: "AIDAOFFLINE" };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com" };
        case "aws:index/getRegion:getRegion":
            return { name: o.region, region: o.region, id: o.region };
        default:
            throw new Error(`The offline plan cannot answer the invoke ${args.token}; add it to stacks/offlineMocks.ts.`);
    }
}

/** Installs the offline mocks and the stack's config; returns what the evaluation will record. */
export function startOfflineMocks(o: OfflineOptions): OfflineRun {
    const run: OfflineRun = { records: [], subnetZones: new Map(), guesses: [] };
    const pending = new Map<string, RecordedResource["options"]>();
    pulumi.runtime.setMocks({
        newResource(args) {
            const id = args.type === "pulumi:pulumi:StackReference" ? (args.inputs.name ?? args.name) : `${args.name}-offline-id`;
            const key = `${args.type}::${args.name}`;
            run.records.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? true, provider: args.provider, id, options: pending.get(key) });
            pending.delete(key);
            return { id, state: stateFor(args, o, run) };
        },
        call: (args) => invoke(args, o, run),
    }, o.project, o.stack, false, "organization");
    pulumi.runtime.setAllConfig(o.config, o.secretKeys);
    // The Mocks API does not show options; the monitor's request does (reads carry none, as for the engine).
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: unknown) => {
        pending.set(`${req.getType()}::${req.getName()}`, {
            urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
            parent: req.getParent(),
            protect: req.getProtect() ?? false,
            deleteBeforeReplace: req.getDeletebeforereplace(),
            dependencies: req.getDependenciesList(),
        });
        return register(req, callback);
    };
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
