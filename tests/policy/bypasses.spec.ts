/**
 * Issue 14's ways around the pack, each tried on the shipped dev stack as the mock recorded it: every one must be
 * refused (the rule specs cover each shape in detail). The dev stack itself passes (pack.spec.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import type { RecordedResource } from "../../policy/offline";
import * as P from "../../policy/policies";
import { mockSubnetZones } from "../support/mocks";
import { cloneRecords, packViolations, resource } from "../support/policyHarness";
import { evaluatedDev } from "../support/stackEvaluation";
import { T } from "./fixtures";

describe("the pack refuses issue 14's bypasses on the dev stack", () => {
    let records: RecordedResource[];
    let stackConfig: Record<string, string>;

    before(async () => {
        const dev = await evaluatedDev();
        stackConfig = dev.config;
        records = cloneRecords(dev.records);
    });

    /** The policies that fail, once `change` edited a copy of the dev stack. */
    const failing = async (
        change: (recs: RecordedResource[]) => RecordedResource[] | undefined,
        subnetZones: ReadonlyMap<string, string> = mockSubnetZones,
    ) => {
        const recs = cloneRecords(records);
        const found = await packViolations(change(recs) ?? recs, { stack: "dev", stackConfig, subnetZones });
        return { names: [...new Set(found.map((v) => v.policyName))].sort(), messages: found.map((v) => v.message).join("\n") };
    };
    const inputsOf = (recs: RecordedResource[], type: string, where: (inputs: any) => boolean = () => true) => {
        const found = recs.filter((r) => r.type === type && where(r.inputs));
        expect(found.length, type).to.be.greaterThan(0);
        return found.map((r) => r.inputs);
    };
    const isJenkins = (i: any) => i.chart === "jenkins";

    describe("three zones", () => {
        it("refuses the three node groups' subnets when they all lie in one zone", async () => {
            const oneZone = new Map([...mockSubnetZones].map(([id]) => [id, "us-west-2a"]));
            const { names, messages } = await failing(() => undefined, oneZone);
            expect(names).to.deep.equal([P.nodesSpanZones.name]);
            expect(messages).to.match(/node groups run in 1 proven availability zone\(s\) \(us-west-2a\)/);
        });

        it("refuses existing subnets whose zones the stack does not show", async () => {
            const { names, messages } = await failing(() => undefined, new Map());
            expect(names).to.deep.equal([P.nodesSpanZones.name]);
            expect(messages).to.match(/The zone of subnet-private-us-west-2a, subnet-private-us-west-2b, subnet-private-us-west-2c is not shown/);
        });

        it("refuses node groups moved into one subnet, or onto the cluster's subnets of one zone", async () => {
            const oneSubnet = await failing((recs) => {
                for (const i of inputsOf(recs, T.managedNodeGroup)) i.subnetIds = ["subnet-private-us-west-2a"];
                return recs;
            });
            expect(oneSubnet.names).to.deep.equal([P.nodesSpanZones.name]);
            const clusterSubnets = await failing((recs) => {
                for (const i of inputsOf(recs, T.managedNodeGroup)) delete i.subnetIds;
                for (const i of inputsOf(recs, T.eksCluster)) {
                    i.privateSubnetIds = ["subnet-private-us-west-2a"];
                    i.publicSubnetIds = ["subnet-public-us-west-2a"];
                }
                return recs;
            });
            expect(clusterSubnets.names).to.deep.equal([P.nodesSpanZones.name]);
        });
    });

    describe("Retain", () => {
        it("refuses the Jenkins claim on the cluster's default class (no class) and on EKS's gp2", async () => {
            for (const storageClassName of [undefined, "gp2"]) {
                const { names } = await failing((recs) => {
                    for (const i of inputsOf(recs, T.claim)) i.spec.storageClassName = storageClassName;
                    return recs;
                });
                expect(names, String(storageClassName)).to.deep.equal([P.claimsRetain.name, P.jenkinsVolumeReplicated.name].sort());
            }
        });

        it("refuses a PersistentVolumePatch to Delete and a StorageClass defined in Helm values", async () => {
            const patch = await failing((recs) => [
                ...recs,
                resource(T.persistentVolumePatch, { metadata: { name: "pvc-0123" }, spec: { persistentVolumeReclaimPolicy: "Delete" } }),
            ]);
            expect(patch.names).to.deep.equal([P.storageClassRetain.name]);
            const inValues = await failing((recs) => {
                for (const i of inputsOf(recs, T.helmRelease, (x) => x.chart === "kube-prometheus-stack")) {
                    i.values.extraManifests = [
                        { kind: "StorageClass", metadata: { name: "scratch" }, provisioner: "ebs.csi.aws.com", reclaimPolicy: "Delete" },
                    ];
                }
                return recs;
            });
            expect(inValues.names).to.deep.equal([P.storageClassRetain.name]);
        });

        it("refuses Jenkins through valueYamlFiles the pack cannot read, and through a Helm v4 Chart on the default class", async () => {
            const files = await failing((recs) => {
                for (const i of inputsOf(recs, T.helmRelease, isJenkins)) i.valueYamlFiles = [new pulumi.asset.FileAsset("jenkins-values.yaml")];
                return recs;
            });
            // Each rule whose guarantee the unreadable file could break says so.
            expect(files.names).to.deep.equal(
                [
                    P.claimsRetain.name,
                    P.jenkinsVolumeReplicated.name,
                    P.noOpenLoadBalancers.name,
                    P.storageClassRetain.name,
                    P.snapshotRetain.name,
                ].sort(),
            );
            expect(files.messages).to.match(/file jenkins-values\.yaml, which the pack cannot read/);
            const v4 = await failing((recs) =>
                recs.map((r) =>
                    r.type === T.helmRelease && isJenkins(r.inputs)
                        ? { ...r, type: T.helmChartV4, inputs: { ...r.inputs, values: { controller: {} } } }
                        : r,
                ),
            );
            expect(v4.names).to.deep.equal([P.claimsRetain.name, P.jenkinsVolumeReplicated.name].sort());
        });
    });

    describe("open to the world", () => {
        it("refuses the EKS API endpoint opened with two halves of the internet, or public without CIDRs", async () => {
            const halves = await failing((recs) => {
                for (const i of inputsOf(recs, T.eksCluster)) i.publicAccessCidrs = ["0.0.0.0/1", "128.0.0.0/1"];
                return recs;
            });
            expect(halves.names).to.deep.equal([P.eksEndpointRestricted.name]);
            const none = await failing((recs) => {
                for (const i of inputsOf(recs, T.eksCluster)) delete i.publicAccessCidrs;
                return recs;
            });
            expect(none.names).to.deep.equal([P.eksEndpointRestricted.name]);
        });

        it("refuses the Jenkins NLB and Grafana opened with halves, and API ingress rules that add up to the internet", async () => {
            const lb = await failing((recs) => {
                for (const i of inputsOf(recs, T.helmRelease, isJenkins)) {
                    Object.assign(i.values.controller, { serviceType: "LoadBalancer", loadBalancerSourceRanges: ["0.0.0.0/1", "128.0.0.0/1"] });
                }
                for (const i of inputsOf(recs, T.helmRelease, (x) => x.chart === "kube-prometheus-stack")) {
                    i.values.grafana.service = { type: "LoadBalancer", loadBalancerSourceRanges: ["::/1", "8000::/1"] };
                }
                return recs;
            });
            expect(lb.names).to.deep.equal([P.noOpenLoadBalancers.name]);
            expect(lb.messages).to.match(/from controller: .*together admit 100 % of the public IPv/);
            expect(lb.messages).to.match(/from grafana\.service: .*together admit 100 % of the public IPv/);
            // LinstorCluster's API ingress rules (clusterExtras.ts privateApiAccess), one per CIDR, on the cluster's group.
            const parent = records.find((r) => r.type === T.eksCluster)?.options?.parent;
            const ingress = await failing((recs) => [
                ...recs,
                // Each /6 alone is under 1/16 of the public IPv4 space; together they are over it.
                ...["32.0.0.0/6", "36.0.0.0/6", "40.0.0.0/6", "44.0.0.0/6"].map((cidrIpv4) => {
                    const r = resource(T.ingressRule, { securityGroupId: "sg-0cluster", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4 });
                    return { ...r, options: { ...r.options!, parent } };
                }),
            ]);
            expect(ingress.names).to.deep.equal([P.noOpenIngress.name]);
        });
    });

    /** The second review's bypasses (/tmp/review h-bypass*.spec.ts): each passed the pack before its fix. */
    describe("second review", () => {
        const kps = (i: any) => i.chart === "kube-prometheus-stack";
        const expectOnly = async (change: (recs: RecordedResource[]) => RecordedResource[] | undefined, rule: { name: string }, message: RegExp) => {
            const { names, messages } = await failing(change);
            expect(names).to.deep.equal([rule.name]);
            expect(messages).to.match(message);
        };

        it("M1: refuses one node group over three zones with one node, and groups scaled to 0", async () => {
            await expectOnly(
                (recs) => {
                    const groups = recs.filter((r) => r.type === T.managedNodeGroup);
                    (groups[0].inputs as any).subnetIds = groups.flatMap((g) => (g.inputs as any).subnetIds);
                    (groups[0].inputs as any).scalingConfig = { desiredSize: 1, minSize: 1, maxSize: 1 };
                    return recs.filter((r) => r.type !== T.managedNodeGroup || r === groups[0]);
                },
                P.nodesSpanZones,
                /keeps 1 node\(s\) over more zones than that/,
            );
            await expectOnly(
                (recs) => {
                    for (const g of inputsOf(recs, T.managedNodeGroup).slice(1)) g.scalingConfig = { desiredSize: 0, minSize: 0, maxSize: 1 };
                    return recs;
                },
                P.nodesSpanZones,
                /1 proven availability zone\(s\).*may run no node/,
            );
        });

        it("H2: refuses the scheme annotation EKS ignores, the Jenkins agent listener and kube-prometheus-stack's other Services", async () => {
            const scheme = { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" };
            await expectOnly(
                (recs) => [
                    ...recs,
                    resource(T.service, { metadata: { name: "x", namespace: "jenkins", annotations: scheme }, spec: { type: "LoadBalancer" } }),
                ],
                P.noOpenLoadBalancers,
                /LoadBalancer Service x is open to the internet/,
            );
            await expectOnly(
                (recs) => {
                    for (const i of inputsOf(recs, T.helmRelease, isJenkins)) {
                        Object.assign(i.values.controller, { serviceType: "LoadBalancer", serviceAnnotations: scheme });
                        delete i.values.controller.loadBalancerSourceRanges;
                    }
                    return recs;
                },
                P.noOpenLoadBalancers,
                /from controller: its loadBalancerSourceRanges are open to the internet: 0\.0\.0\.0\/0/,
            );
            await expectOnly(
                (recs) => {
                    for (const i of inputsOf(recs, T.helmRelease, isJenkins)) i.values.controller.agentListenerServiceType = "LoadBalancer";
                    return recs;
                },
                P.noOpenLoadBalancers,
                /Set controller\.agentListenerLoadBalancerSourceRanges/,
            );
            await expectOnly(
                (recs) => {
                    for (const i of inputsOf(recs, T.helmRelease, kps)) {
                        i.values.prometheusOperator = { ...(i.values.prometheusOperator ?? {}), service: { type: "LoadBalancer" } };
                        i.values["kube-state-metrics"] = { ...(i.values["kube-state-metrics"] ?? {}), service: { type: "LoadBalancer" } };
                    }
                    return recs;
                },
                P.noOpenLoadBalancers,
                /from prometheusOperator\.service[\s\S]*from kube-state-metrics\.service/,
            );
        });

        it("M2: refuses snapshot classes in the snapshot-controller chart's values, snapshot contents in extraObjects, manifests as text", async () => {
            await expectOnly(
                (recs) => {
                    for (const i of inputsOf(recs, T.helmRelease, (x) => x.chart === "snapshot-controller")) {
                        i.values = {
                            ...(i.values ?? {}),
                            volumeSnapshotClasses: [{ name: "s3-delete", driver: "linstor.csi.linbit.com", deletionPolicy: "Delete" }],
                        };
                    }
                    return recs;
                },
                P.snapshotRetain,
                /defines VolumeSnapshotClass s3-delete in its values at volumeSnapshotClasses\[0\] with deletionPolicy Delete/,
            );
            const content = {
                apiVersion: "snapshot.storage.k8s.io/v1",
                kind: "VolumeSnapshotContent",
                metadata: { name: "c" },
                spec: { deletionPolicy: "Delete", driver: "linstor.csi.linbit.com", source: { snapshotHandle: "x" } },
            };
            await expectOnly(
                (recs) => {
                    for (const i of inputsOf(recs, T.helmRelease, isJenkins)) i.values.extraObjects = { snap: content };
                    return recs;
                },
                P.snapshotRetain,
                /VolumeSnapshotContent c .*deletionPolicy Delete/,
            );
            // JSON text is read like objects; YAML text naming a guarded kind cannot be proven.
            await expectOnly(
                (recs) => {
                    for (const i of inputsOf(recs, T.helmRelease, isJenkins)) i.values.extraObjects = { snap: JSON.stringify(content) };
                    return recs;
                },
                P.snapshotRetain,
                /VolumeSnapshotContent c .*deletionPolicy Delete/,
            );
            await expectOnly(
                (recs) => {
                    for (const i of inputsOf(recs, T.helmRelease, isJenkins)) {
                        i.values.extraObjects = {
                            sc: "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: scratch}\nprovisioner: ebs.csi.aws.com\nreclaimPolicy: Delete",
                        };
                    }
                    return recs;
                },
                P.storageClassRetain,
                /text at extraObjects\.sc naming kind StorageClass, which the pack cannot parse/,
            );
            // A YAML v2 ConfigGroup's objs and yaml, which a mocked evaluation shows only as inputs.
            await expectOnly(
                (recs) => [
                    ...recs,
                    resource("kubernetes:yaml/v2:ConfigGroup", {
                        objs: [
                            {
                                apiVersion: "storage.k8s.io/v1",
                                kind: "StorageClass",
                                metadata: { name: "x" },
                                provisioner: "ebs.csi.aws.com",
                                reclaimPolicy: "Delete",
                            },
                        ],
                    }),
                ],
                P.storageClassRetain,
                /YAML ConfigGroup .* defines StorageClass x .*reclaimPolicy Delete/,
            );
            await expectOnly(
                (recs) => [...recs, resource("kubernetes:yaml/v2:ConfigGroup", { yaml: "kind: VolumeSnapshotClass\ndeletionPolicy: Delete" })],
                P.snapshotRetain,
                /naming kind VolumeSnapshotClass, which the pack cannot parse/,
            );
        });

        it("M3: refuses a Jenkins class whose nodeList/clientList or placementPolicy replaces zone-spread autoplacement", async () => {
            const setParameters = (extra: Record<string, string>) => (recs: RecordedResource[]) => {
                for (const r of recs.filter((x) => x.type === T.storageClass)) {
                    const i: any = r.inputs;
                    i.parameters = { ...(i.parameters ?? {}), ...extra };
                }
                return recs;
            };
            await expectOnly(
                setParameters({ "linstor.csi.linbit.com/nodeList": "node-a node-b node-c" }),
                P.jenkinsVolumeReplicated,
                /sets nodeList, which makes linstor-csi place replicas by hand/,
            );
            await expectOnly(setParameters({ clientList: "node-a" }), P.jenkinsVolumeReplicated, /sets clientList/);
            await expectOnly(
                setParameters({ "linstor.csi.linbit.com/placementPolicy": "FollowTopology" }),
                P.jenkinsVolumeReplicated,
                /placementPolicy is FollowTopology/,
            );
            // The default AutoPlaceTopology, spelled out in any case, stays accepted.
            expect((await failing(setParameters({ placementpolicy: "autoplacetopology" }))).names).to.deep.equal([]);
        });

        it("refuses persistence.enabled that is not a boolean (Go template truth decides it)", async () => {
            await expectOnly(
                (recs) => {
                    for (const i of inputsOf(recs, T.helmRelease, isJenkins))
                        i.values.persistence = { ...(i.values.persistence ?? {}), enabled: "false" };
                    return recs;
                },
                P.jenkinsVolumeReplicated,
                /persistence\.enabled is "false", not a boolean/,
            );
        });

        it("L9: refuses admin through an all-wildcard ARN, iam: wildcards and AWS managed admin policies", async () => {
            const policy = (Statement: unknown) =>
                resource("aws:iam/policy:Policy", { policy: JSON.stringify({ Version: "2012-10-17", Statement }) });
            for (const [statement, shown] of [
                [{ Effect: "Allow", Action: "*", Resource: "arn:aws:*:*:*:*" }, /Action "\*" on Resource "arn:aws:\*:\*:\*:\*"/],
                [{ Effect: "Allow", Action: ["iam:*Policy*", "iam:PassRole"], Resource: "*" }, /iam:\*Policy\*/],
                [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::*" }, /s3:\*/],
                [{ Effect: "Allow", Action: "*:Get*", Resource: "*" }, /\*:Get\*/],
                // No wildcard at all, still administrator in two steps: pass any role to a service the holder runs.
                [{ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }, /iam:PassRole/],
                [{ Effect: "Allow", Action: ["s3:GetObject", "iam:AttachRolePolicy"], Resource: "arn:aws:iam::*:*" }, /iam:AttachRolePolicy/],
                [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }, /sts:AssumeRole/],
            ] as const) {
                await expectOnly((recs) => [...recs, policy([statement])], P.iamNoWildcardAdmin, shown);
            }
            await expectOnly(
                (recs) => [
                    ...recs,
                    resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
                        role: "x",
                        policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
                    }),
                ],
                P.iamNoWildcardAdmin,
                /attaches arn:aws:iam::aws:policy\/AdministratorAccess/,
            );
            // Scoped wildcards stay accepted: one bucket's objects, and read-only IAM on one role.
            const scoped = await failing((recs) => [
                ...recs,
                policy([
                    { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::one-bucket/*" },
                    { Effect: "Allow", Action: "iam:GetRole", Resource: "*" },
                ]),
            ]);
            expect(scoped.names).to.deep.equal([]);
        });

        it("L9: refuses a TLS deny scoped to another principal or to another bucket", async () => {
            const withStatement = (statement: Record<string, unknown>) => (recs: RecordedResource[]) => {
                for (const p of recs.filter((r) => r.type === T.bucketPolicy)) {
                    (p.inputs as any).policy = JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Deny", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } }, ...statement }],
                    });
                }
                return recs;
            };
            const bucket = records.find((r) => (T.buckets as readonly string[]).includes(r.type))?.inputs.bucket as string;
            expect(bucket).to.be.a("string");
            const own = [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`];
            await expectOnly(
                withStatement({ Principal: { AWS: "arn:aws:iam::111111111111:root" }, Resource: own }),
                P.bucketProtected,
                /no bucket policy denies requests without TLS/,
            );
            await expectOnly(withStatement({ Principal: "*", Resource: "arn:aws:s3:::unrelated/*" }), P.bucketProtected, /no bucket policy denies/);
            await expectOnly(withStatement({ Principal: "*", Resource: own[1] }), P.bucketProtected, /no bucket policy denies/);
            expect((await failing(withStatement({ Principal: { AWS: "*" }, Resource: own }))).names).to.deep.equal([]);
        });
    });

    describe("issue 14 review round 2", () => {
        const only = async (change: (recs: RecordedResource[]) => RecordedResource[] | undefined, rule: { name: string }, message: RegExp) => {
            const { names, messages } = await failing(change);
            expect(names).to.deep.equal([rule.name]);
            expect(messages).to.match(message);
        };
        const bucketName = (recs: RecordedResource[]) => recs.find((r) => (T.buckets as readonly string[]).includes(r.type))?.inputs.bucket as string;
        const add =
            (...extra: RecordedResource[]) =>
            (recs: RecordedResource[]) => [...recs, ...extra];

        it("N4: refuses a post-renderer on the Jenkins release and on a v4 Chart, unless trusted", async () => {
            await only(
                (recs) => {
                    for (const i of inputsOf(recs, T.helmRelease, isJenkins)) i.postrender = "./rewrite-storage.sh";
                    return recs;
                },
                P.helmNoPostRenderer,
                /Helm release \S+ \(chart jenkins\) sets postrender "\.\/rewrite-storage\.sh"/,
            );
            const chart = resource(T.helmChartV4, {
                chart: "kube-prometheus-stack",
                name: "kps",
                namespace: "monitoring",
                postRenderer: { command: "kustomize" },
            });
            await only(add(chart), P.helmNoPostRenderer, /Helm v4 Chart kps .* sets postRenderer/);
            const trusted = await packViolations(add(chart)(cloneRecords(records)), {
                stack: "dev",
                stackConfig,
                subnetZones: mockSubnetZones,
                config: { [P.helmNoPostRenderer.name]: { trustedPostRenderers: ["monitoring/kps"] } },
            });
            expect(trusted).to.deep.equal([]);
        });

        it("N9: refuses a second versioning resource that suspends the snapshot bucket's versioning", async () => {
            for (const status of ["Suspended", "Disabled"]) {
                await only(
                    (recs) => [...recs, resource(T.versioning[1], { bucket: bucketName(recs), versioningConfiguration: { status } })],
                    P.bucketProtected,
                    new RegExp(`versioning is ${status}`),
                );
            }
            const enabled = await failing((recs) => [
                ...recs,
                resource(T.versioning[1], { bucket: bucketName(recs), versioningConfiguration: { status: "Enabled" } }),
            ]);
            expect(enabled.names).to.deep.equal([]);
        });

        it("N11/N15: refuses ingress from an external prefix list and judges an in-stack one by its entries", async () => {
            const rule = (props: Record<string, unknown>) =>
                resource(T.ingressRule, { securityGroupId: "sg-0cluster", ipProtocol: "tcp", fromPort: 443, toPort: 443, ...props });
            await only(
                add(rule({ prefixListId: "pl-0123456789abcdef0" })),
                P.noOpenIngress,
                /prefix list pl-0123456789abcdef0\) admits on tcp ports 443-443/,
            );
            await only(
                add(
                    resource(T.securityGroupRule, {
                        type: "ingress",
                        securityGroupId: "sg-0x",
                        protocol: "tcp",
                        fromPort: 443,
                        toPort: 443,
                        prefixListIds: ["pl-0ext"],
                    }),
                ),
                P.noOpenIngress,
                /prefix list pl-0ext/,
            );
            const list = (cidrs: string[], id: string) =>
                resource(T.prefixList, { name: id, addressFamily: "IPv4", maxEntries: 2, entries: cidrs.map((cidr) => ({ cidr })) }, { id });
            await only(
                add(list(["0.0.0.0/0"], "pl-0open"), rule({ prefixListId: "pl-0open" })),
                P.noOpenIngress,
                /admit the internet on tcp port 443/,
            );
            // Two halves, one from the list and one from an entry resource, add up to the internet too.
            await only(
                add(
                    list(["0.0.0.0/1"], "pl-0half"),
                    resource(T.prefixListEntry, { prefixListId: "pl-0half", cidr: "128.0.0.0/1" }),
                    rule({ prefixListId: "pl-0half" }),
                ),
                P.noOpenIngress,
                /admit the internet/,
            );
            expect((await failing(add(list(["10.0.0.0/16"], "pl-0office"), rule({ prefixListId: "pl-0office" })))).names).to.deep.equal([]);
            const allowed = await packViolations(add(rule({ prefixListId: "pl-0123456789abcdef0" }))(cloneRecords(records)), {
                stack: "dev",
                stackConfig,
                subnetZones: mockSubnetZones,
                config: { [P.noOpenIngress.name]: { allowedPrefixLists: ["pl-0123456789abcdef0"] } },
            });
            expect(allowed).to.deep.equal([]);
        });

        it("N16: refuses a lifecycle that expires backups sooner than the floor or over the whole bucket", async () => {
            const lifecycle = (rules: Record<string, unknown>[]) => (recs: RecordedResource[]) => [
                ...recs,
                resource(T.lifecycle[1], {
                    bucket: bucketName(recs),
                    rules: rules.map((r, i) => ({ id: `r${i}`, status: "Enabled", filter: {}, ...r })),
                }),
            ];
            await only(
                lifecycle([{ expiration: { days: 1 }, noncurrentVersionExpiration: { noncurrentDays: 1 } }]),
                P.bucketProtected,
                /lifecycle rule r0 expires every object after 1 days/,
            );
            await only(
                lifecycle([{ noncurrentVersionExpiration: { noncurrentDays: 1 } }]),
                P.bucketProtected,
                /removes noncurrent versions of every object after 1 days/,
            );
            await only(lifecycle([{ expiration: { date: "2027-01-01T00:00:00Z" } }]), P.bucketProtected, /expires every object on 2027/);
            await only(
                lifecycle([{ filter: { prefix: "linstor-db/" }, expiration: { days: 2 } }]),
                P.bucketProtected,
                /objects under linstor-db\/ after 2 days/,
            );
            await only(
                lifecycle([{ filter: { and: { tags: { a: "b" } } }, expiration: { days: 30 } }]),
                P.bucketProtected,
                /expires every object after 30 days/,
            );
            // Disabled rules, prefixed ones at the floor and the program's optional backstop at 90 days pass.
            const fine = await failing(
                lifecycle([
                    { status: "Disabled", expiration: { days: 1 } },
                    { filter: { prefix: "linstor-db/" }, expiration: { days: 7 }, noncurrentVersionExpiration: { noncurrentDays: 7 } },
                    { expiration: { days: 90 } },
                ]),
            );
            expect(fine.names).to.deep.equal([]);
        });
    });
});
