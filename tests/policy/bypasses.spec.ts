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
                [P.claimsRetain.name, P.jenkinsVolumeReplicated.name, P.noOpenLoadBalancers.name, P.storageClassRetain.name].sort(),
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
});
