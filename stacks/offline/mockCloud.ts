/**
 * The one mock of the cloud that both the tests (tests/support/mocks.ts) and the offline plan
 * (stacks/offline/offlineMocks.ts) evaluate the program under: what each resource type "returns", the
 * invokes the program makes, and the capture of resource options the Mocks API does not show.
 * Values are deterministic placeholders derived from names, so assertions can be exact.
 */
import * as pulumi from "@pulumi/pulumi";

export const MOCK_ACCOUNT = "123456789012";

/** What the mock needs to know about the evaluation it serves. */
export interface MockContext {
    /** The stack's region (`aws:region`), for ARNs of resources on the default provider. */
    readonly region: () => string;
    /** Outputs served to StackReferences, by referenced stack name. */
    readonly stackOutputs: () => Record<string, Record<string, unknown>>;
    /** AZ names getAvailabilityZones answers with. */
    readonly availabilityZones: () => string[];
    /** Called with every subnet the VPC mock invents (ID → AZ), e.g. to show the AZ layout. */
    readonly onSubnet?: (subnetId: string, zone: string) => void;
    /** S3 buckets the S3 data sources read, by name; a bucket not listed is empty. */
    readonly s3Buckets?: () => Record<string, MockBucket>;
    /** Existing subnets aws.ec2.getSubnet finds; default: the stack's configured ones, where it says they are. */
    readonly subnet?: (id: string) => ExistingSubnet | undefined;
}

/** What aws.ec2.getSubnet tells about an existing subnet (the fields the program reads). */
export interface ExistingSubnet {
    readonly availabilityZone: string;
    readonly vpcId: string;
}

/**
 * The subnets a stack configures, as if they were where its config says: `privateSubnetIds[i]` and `publicSubnetIds[i]`
 * in `availabilityZones[i]` (or the region's i-th zone) of `vpcId`. An ID the config does not name is not found.
 */
export function configuredSubnet(id: string): ExistingSubnet | undefined {
    const get = (key: string) => pulumi.runtime.getConfig(`ha-jenkins-eks:${key}`);
    const list = (key: string): string[] => {
        try {
            const value = JSON.parse(get(key) ?? "[]");
            return Array.isArray(value) ? value : [];
        } catch {
            return [];
        }
    };
    const region = pulumi.runtime.getConfig("aws:region") ?? "us-west-2";
    const zones = list("availabilityZones");
    const i = [list("privateSubnetIds").indexOf(id), list("publicSubnetIds").indexOf(id)].find((n) => n >= 0);
    if (i === undefined) return undefined;
    return { availabilityZone: zones[i] ?? `${region}${String.fromCharCode(97 + i)}`, vpcId: get("vpcId") ?? "vpc-00000000" };
}

/**
 * The zones DescribeAvailabilityZones lists with the filters the program passes (aws.getAvailabilityZones; EC2 API
 * reference, DescribeAvailabilityZones: `opt-in-status` is opt-in-not-required | opted-in | not-opted-in, `zone-type`
 * is availability-zone | local-zone | wavelength-zone; without AllAvailabilityZones it lists the zones you opted in to,
 * so an opted-in Local Zone is listed unless filtered). Names beyond `<region><letter>` are Local or Wavelength Zones.
 */
function filterZones(names: string[], region: string, filters: { name: string; values: string[] }[] = []): string[] {
    const describe = (name: string): Record<string, string> => {
        const az = new RegExp(`^${region}[a-z]$`).test(name);
        const type = az ? "availability-zone" : /-wl\d/.test(name) ? "wavelength-zone" : "local-zone";
        return { "zone-type": type, "opt-in-status": az ? "opt-in-not-required" : "opted-in", "zone-name": name };
    };
    return names.filter((n) => filters.every((f) => f.values.includes(describe(n)[f.name])));
}

/** What the S3 data-source invokes read from a mock bucket. */
export interface MockBucket {
    /** The object's bytes; undefined when there is no such key. */
    object(key: string): Buffer | undefined;
    /** The object's size (HeadObject); undefined when there is no such key. */
    size(key: string): number | undefined;
    /** Every key. */
    keys(): readonly string[];
}

/** Resource options as the engine receives them; absent for reads (`Resource.get`). */
export interface MockOptions {
    readonly urn: string;
    readonly parent: string;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly deleteBeforeReplace: boolean;
    /** URNs of explicit and implicit dependencies. */
    readonly dependencies: string[];
    /** Earlier identities the engine would match (`aliases`), as the SDK sends them to the engine. */
    readonly aliases: MockAlias[];
    /** `customTimeouts` as the SDK sends them (empty strings when unset). */
    readonly customTimeouts: { readonly create: string; readonly update: string; readonly delete: string };
}

/**
 * An alias as the engine receives it (pulumi/pulumi proto/pulumi/alias.proto): a whole URN, or a spec whose
 * empty fields mean "same as now"; `noParent` marks a former top-level resource (`parent: rootStackResource`).
 */
export interface MockAlias {
    readonly urn?: string;
    readonly name?: string;
    readonly type?: string;
    readonly parentUrn?: string;
    readonly noParent?: boolean;
}

export interface MockRecord {
    readonly type: string;
    readonly name: string;
    // biome-ignore lint/suspicious/noExplicitAny: resource inputs are arbitrary JSON from the program
    readonly inputs: any;
    readonly custom: boolean;
    readonly provider?: string;
    readonly id: string;
    readonly options?: MockOptions;
    /**
     * For reads (`Resource.get`) only: the state the provider's Read returned. A read sends no inputs, and a stack policy
     * sees its outputs (pulumi/pulumi pkg/resource/deploy/step.go ReadStep.Apply, which reads during previews too;
     * step_generator.go AnalyzeResources hands AnalyzeStack each resource's Outputs), so the pack's runner needs them.
     */
    readonly outputs?: Record<string, unknown>;
}

/** A recording Mocks implementation over `ctx`, appending to `records`. */
export function recordingMocks(ctx: MockContext, records: MockRecord[]): pulumi.runtime.Mocks {
    const providerRegions = new Map<string, string>();
    const regionOf = (providerRef: string | undefined): string => {
        const name = /pulumi:providers:aws::([^:]+)::/.exec(providerRef ?? "")?.[1];
        return (name && providerRegions.get(name)) ?? ctx.region();
    };
    return {
        newResource(args) {
            if (args.type === "pulumi:providers:aws" && args.inputs.region) providerRegions.set(args.name, args.inputs.region);
            const options = pendingOptions.get(`${args.type}::${args.name}`);
            pendingOptions.delete(`${args.type}::${args.name}`);
            // A registration always passes the wrapped monitor (installMocks) and so has options; a read does not, and
            // keeps the ID it was asked to read (the mock monitor's readResource passes it as `id`).
            const read = options === undefined && args.id !== undefined && args.id !== "";
            const id = read
                ? (args.id as string)
                : args.type === "pulumi:pulumi:StackReference"
                  ? (args.inputs.name ?? args.name)
                  : `${args.name}-id`;
            const state = stateFor(args, ctx, regionOf(args.provider));
            records.push({
                type: args.type,
                name: args.name,
                inputs: args.inputs,
                custom: args.custom ?? true,
                provider: args.provider,
                id,
                options,
                ...(read ? { outputs: state } : {}),
            });
            return { id, state };
        },
        call: (args) => {
            try {
                return invoke(args, ctx);
            } catch (e) {
                // The engine returns a failed invoke as a gRPC error whose details are the provider's message, and the
                // SDK rejects with `new Error(err.details)` (@pulumi/pulumi runtime/invoke.js): keep the message.
                Object.assign(e as object, { details: (e as Error).message });
                throw e;
            }
        },
    };
}

function stateFor(args: pulumi.runtime.MockResourceArgs, ctx: MockContext, region: string): Record<string, unknown> {
    const base = { ...args.inputs };
    const name = args.name;
    const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${MOCK_ACCOUNT}:${resource}`;
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
                eksCluster: { name: clusterName, arn: arn("eks", `cluster/${clusterName}`) },
                oidcProviderArn: `arn:aws:iam::${MOCK_ACCOUNT}:oidc-provider/oidc.eks.${region}.amazonaws.com/id/MOCK`,
                clusterSecurityGroupId: "sg-0cluster",
                nodeSecurityGroupId: "sg-0node",
            };
        }
        case "awsx:ec2:Vpc": {
            const zones: string[] = args.inputs.availabilityZoneNames ?? [];
            const subnets = (kind: string) =>
                zones.map((az) => {
                    const id = `subnet-${kind}-${az}`;
                    ctx.onSubnet?.(id, az);
                    return id;
                });
            return { ...base, vpcId: "vpc-0123456789abcdef0", privateSubnetIds: subnets("private"), publicSubnetIds: subnets("public") };
        }
        case "aws:ec2/subnet:Subnet": {
            if (!args.id) return base;
            // A read (aws.ec2.Subnet.get) of an existing subnet: what getSubnet finds, as the provider's Read returns it
            // (@pulumi/aws ec2/subnet.d.ts SubnetState: availabilityZone, vpcId, arn). A missing one fails the read as the
            // engine does when Read returns no outputs (pulumi/pulumi pkg/resource/deploy/step.go ReadStep.Apply).
            const found = (ctx.subnet ?? configuredSubnet)(args.id);
            if (found === undefined) throw new Error(`resource '${args.id}' does not exist`);
            return { ...base, id: args.id, arn: arn("ec2", `subnet/${args.id}`), ...found };
        }
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { ...base, latestVersion: 1, arn: arn("ec2", `launch-template/${name}`) };
        case "aws:iam/role:Role":
        case "aws:iam/user:User":
        case "aws:iam/policy:Policy":
            return {
                ...base,
                name: base.name ?? name,
                arn: `arn:aws:iam::${MOCK_ACCOUNT}:${args.type.split(":")[2].toLowerCase()}/${base.name ?? name}`,
            };
        case "aws:kms/key:Key":
            return { ...base, arn: arn("kms", `key/${name}`), keyId: name };
        case "aws:s3/bucket:Bucket":
        case "aws:s3/bucketV2:BucketV2":
            return { ...base, bucket: base.bucket ?? name, arn: `arn:aws:s3:::${base.bucket ?? name}` };
        case "aws:iam/accessKey:AccessKey":
            return {
                ...base,
                secret: "mock-secret-access-key",
                id: `AKIA${name
                    .toUpperCase()
                    .replace(/[^A-Z0-9]/g, "")
                    .slice(-12)}`,
            };
        case "kubernetes:core/v1:Service":
            // A read (`Service.get`, e.g. the NLB address of a Helm-made Service) carries an id "<namespace>/<name>".
            if (args.id) {
                const [namespace, svc] = args.id.split("/");
                return {
                    ...base,
                    metadata: { name: svc, namespace },
                    status: { loadBalancer: { ingress: [{ hostname: `${svc}-0123456789.elb.${region}.amazonaws.com` }] } },
                };
            }
            return base;
        // The tls provider's PEMs: placeholders naming their resource, so a Secret shows which key or certificate it holds.
        case "tls:index/privateKey:PrivateKey":
            return { ...base, privateKeyPem: `-----BEGIN RSA PRIVATE KEY-----\nmock key ${name}\n-----END RSA PRIVATE KEY-----\n` };
        case "tls:index/certRequest:CertRequest":
            return { ...base, certRequestPem: `-----BEGIN CERTIFICATE REQUEST-----\nmock request ${name}\n-----END CERTIFICATE REQUEST-----\n` };
        case "tls:index/selfSignedCert:SelfSignedCert":
        case "tls:index/locallySignedCert:LocallySignedCert":
            return { ...base, certPem: `-----BEGIN CERTIFICATE-----\nmock certificate ${name}\n-----END CERTIFICATE-----\n` };
        case "random:index/randomPassword:RandomPassword":
            return { ...base, result: `generated-${name}` };
        case "random:index/randomId:RandomId":
            return { ...base, hex: "0a1b2c3d", b64Std: "ChssPQ==" };
        case "kubernetes:core/v1:PersistentVolumeClaim":
            // The API server assigns a UID (external-provisioner names the PV pvc-<UID>); deterministic from the name.
            return {
                ...base,
                metadata: { ...base.metadata, uid: `11111111-0000-4000-8000-${Buffer.from(name).toString("hex").padEnd(12, "0").slice(0, 12)}` },
            };
        case "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshot":
            // The API server assigns a UID; a deterministic one derived from the name keeps assertions exact.
            return {
                ...base,
                metadata: { ...base.metadata, uid: `00000000-0000-4000-8000-${Buffer.from(name).toString("hex").padEnd(12, "0").slice(0, 12)}` },
            };
        case "pulumi:pulumi:StackReference": {
            const stackName = args.inputs.name ?? name;
            return { ...base, name: stackName, outputs: ctx.stackOutputs()[stackName] ?? {}, secretOutputNames: [] };
        }
        default:
            return base;
    }
}

function invoke(args: pulumi.runtime.MockCallArgs, ctx: MockContext): Record<string, unknown> {
    switch (args.token) {
        case "aws:ec2/getSubnet:getSubnet": {
            const found = (ctx.subnet ?? configuredSubnet)(args.inputs.id);
            // terraform-provider-aws data source aws_subnet (tfresource.SingularDataSourceFindError): a missing ID fails the
            // lookup with "no matching EC2 Subnet found"; the SDK rejects the invoke with the gRPC error's details.
            if (found === undefined) {
                const message = `invoking aws:ec2/getSubnet:getSubnet: 1 error occurred: * no matching EC2 Subnet found (${args.inputs.id})`;
                throw Object.assign(new Error(message), { details: message });
            }
            return { id: args.inputs.id, ...found };
        }
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
            // An entry may carry its zone ID as `name=id` (e.g. us-east-1e=use1-az3, a zone EKS does not support).
            const listed = ctx.availabilityZones().map((z) => z.split("="));
            const names = filterZones(
                listed.map(([name]) => name),
                ctx.region(),
                args.inputs.filters,
            );
            return { names, zoneIds: names.map((n, i) => listed.find(([name]) => name === n)?.[1] ?? `mock-az${i + 1}`) };
        }
        case "aws:ssm/getParameter:getParameter":
            return { name: args.inputs.name, value: "ami-0123456789abcdef0", type: "String" };
        case "aws:iam/getPolicyDocument:getPolicyDocument":
            return { json: JSON.stringify({ Version: "2012-10-17", Statement: args.inputs.statements ?? [] }) };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/mock`, userId: "AIDAMOCK" };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com" };
        case "aws:eks/getAddonVersion:getAddonVersion":
            // A recognizable placeholder for "the default version of this add-on for this Kubernetes version".
            return { ...args.inputs, version: `v0.0.0-eksbuild.0-${args.inputs.addonName}-${args.inputs.kubernetesVersion}` };
        case "aws:index/getRegion:getRegion":
            return { name: ctx.region(), region: ctx.region(), id: ctx.region() };
        case "aws:s3/getObjects:getObjects":
            return s3List(ctx.s3Buckets?.()[args.inputs.bucket], args.inputs);
        case "aws:s3/getObject:getObject":
            return s3Object(ctx.s3Buckets?.()[args.inputs.bucket], args.inputs);
        default:
            // A new invoke must be answered here deliberately, not slip through with an empty result.
            throw new Error(`The mock cannot answer the invoke ${args.token}; add it to stacks/offline/mockCloud.ts.`);
    }
}

/**
 * ListObjectsV2 as the `aws_s3_objects` data source returns it: keys in UTF-8 binary order after `startAfter`, at most
 * `maxKeys` (default 1000), under `prefix`.
 */
function s3List(bucket: MockBucket | undefined, a: Record<string, unknown>): Record<string, unknown> {
    const prefix = (a.prefix as string | undefined) ?? "";
    const after = a.startAfter as string | undefined;
    const keys = [...(bucket?.keys() ?? [])]
        .filter((k) => k.startsWith(prefix) && (after === undefined || Buffer.compare(Buffer.from(k), Buffer.from(after)) > 0))
        .sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))
        .slice(0, (a.maxKeys as number | undefined) ?? 1000);
    return { bucket: a.bucket, keys, commonPrefixes: [], owners: [], id: a.bucket, region: a.region ?? "" };
}

/** GetObject/HeadObject as the `aws_s3_object` data source returns them; a missing key fails like S3's 404. */
function s3Object(bucket: MockBucket | undefined, a: Record<string, unknown>): Record<string, unknown> {
    const body = a.downloadBody === "true" ? bucket?.object(a.key as string) : undefined;
    const size = body?.length ?? bucket?.size(a.key as string);
    if (size === undefined) throw new Error(`reading S3 Bucket (${a.bucket}) Object (${a.key}): couldn't find resource (NotFound: 404)`);
    return { bucket: a.bucket, key: a.key, contentLength: size, ...(body !== undefined ? { bodyBase64: body.toString("base64") } : {}) };
}

const pendingOptions = new Map<string, MockOptions>();

/**
 * Installs `mocks` and wraps the mock monitor so each record also carries its options (protect,
 * dependsOn, parent): the Mocks API does not show them, the monitor's request does.
 */
export function installMocks(mocks: pulumi.runtime.Mocks, project: string, stack: string): void {
    pulumi.runtime.setMocks(mocks, project, stack, false, "organization");
    // biome-ignore lint/suspicious/noExplicitAny: the mock monitor's request objects are untyped protobuf messages
    const monitor: any = pulumi.runtime.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    // biome-ignore lint/suspicious/noExplicitAny: the mock monitor's request objects are untyped protobuf messages
    monitor.registerResource = (req: any, callback: unknown) => {
        pendingOptions.set(`${req.getType()}::${req.getName()}`, {
            urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
            parent: req.getParent(),
            protect: req.getProtect() ?? false,
            retainOnDelete: req.getRetainondelete() ?? false,
            deleteBeforeReplace: req.getDeletebeforereplace(),
            dependencies: req.getDependenciesList(),
            // biome-ignore lint/suspicious/noExplicitAny: the mock monitor's request objects are untyped protobuf messages
            aliases: (req.getAliasesList?.() ?? []).map((a: any): MockAlias => {
                if (a.hasSpec?.()) {
                    const spec = a.getSpec();
                    return {
                        name: spec.getName() || undefined,
                        type: spec.getType() || undefined,
                        parentUrn: spec.getParenturn() || undefined,
                        noParent: spec.getNoparent() || undefined,
                    };
                }
                return { urn: a.getUrn() };
            }),
            customTimeouts: {
                create: req.getCustomtimeouts?.()?.getCreate() ?? "",
                update: req.getCustomtimeouts?.()?.getUpdate() ?? "",
                delete: req.getCustomtimeouts?.()?.getDelete() ?? "",
            },
        });
        return register(req, callback);
    };
}
