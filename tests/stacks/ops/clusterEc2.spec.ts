import { expect } from "chai";
import { KubeCluster, parseProviderId, toNodeInfo, toPodInfo } from "../../../stacks/ops/cluster";
import { belongsToCluster, Ec2Instances, regionOfZone } from "../../../stacks/ops/ec2";
import { FakeEc2 } from "../../support/fakes/fakeEc2";
import { FakeKube } from "../../support/fakes/fakeKube";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

describe("tools: cluster reads (real @kubernetes/client-node against a local fake API server)", () => {
    let kube: FakeKube;

    before(async () => {
        kube = new FakeKube();
        await kube.start();
        kube.put("/api/v1/nodes", {
            metadata: { name: "ip-10-0-1-5.us-west-2.compute.internal", labels: { "topology.kubernetes.io/zone": "us-west-2a" } },
            spec: { providerID: "aws:///us-west-2a/i-0123456789abcdef0", taints: [{ key: "drbd.linbit.com/lost-quorum", effect: "NoSchedule" }] },
            status: { conditions: [{ type: "Ready", status: "Unknown" }] },
        });
        kube.put("/api/v1/namespaces/jenkins/pods", {
            metadata: { name: "jenkins-0", uid: "uid-1", deletionTimestamp: "2026-03-01T10:00:00Z" },
            spec: {
                nodeName: "ip-10-0-1-5.us-west-2.compute.internal",
                containers: [{ name: "jenkins" }, { name: "config-reload" }],
                volumes: [
                    { name: "tmp", emptyDir: {} },
                    { name: "jenkins-home", persistentVolumeClaim: { claimName: "jenkins-home" } },
                ],
            },
            status: {
                phase: "Running",
                conditions: [{ type: "Ready", status: "True" }],
                containerStatuses: [
                    { name: "jenkins", state: { running: {} } },
                    { name: "config-reload", state: { waiting: { reason: "x" } } },
                ],
            },
        });
        kube.put("/api/v1/namespaces/jenkins/persistentvolumeclaims", { metadata: { name: "jenkins-home" }, spec: { volumeName: "pvc-42" } });
        for (const [name, node, pv, attached] of [
            ["va-1", "n1", "pvc-42", true],
            ["va-2", "n2", "pvc-42", false],
            ["va-3", "n1", "other", true],
        ] as const) {
            kube.put("/apis/storage.k8s.io/v1/volumeattachments", {
                metadata: { name },
                spec: { attacher: "linstor.csi.linbit.com", nodeName: node, source: { persistentVolumeName: pv } },
                status: { attached },
            });
        }
    });
    after(() => kube.stop());

    it("maps pod, node, claim and attachments; absent objects are undefined", async () => {
        const cluster = await KubeCluster.create(await kube.kubeConfig());
        const pod = await cluster.getPod("jenkins", "jenkins-0");
        expect(pod).to.deep.equal({
            name: "jenkins-0",
            uid: "uid-1",
            nodeName: "ip-10-0-1-5.us-west-2.compute.internal",
            phase: "Running",
            terminating: true,
            containersStarted: false,
            ready: true,
            claimNames: ["jenkins-home"],
        });
        expect(await cluster.getNode("ip-10-0-1-5.us-west-2.compute.internal")).to.deep.equal({
            name: "ip-10-0-1-5.us-west-2.compute.internal",
            ready: false,
            zone: "us-west-2a",
            providerId: "aws:///us-west-2a/i-0123456789abcdef0",
            taintKeys: ["drbd.linbit.com/lost-quorum"],
        });
        expect(await cluster.getClaimVolume("jenkins", "jenkins-home")).to.equal("pvc-42");
        expect(await cluster.listAttachments("pvc-42")).to.deep.equal([
            { name: "va-1", nodeName: "n1", attached: true },
            { name: "va-2", nodeName: "n2", attached: false },
        ]);
        expect(await cluster.getPod("jenkins", "nope")).to.equal(undefined);
        expect(await cluster.getNode("nope")).to.equal(undefined);
        expect((await cluster.listNodes()).map((n) => n.name)).to.deep.equal(["ip-10-0-1-5.us-west-2.compute.internal"]);
    });

    it("containers count as started only when all of them run or ran", () => {
        const base = { metadata: { name: "p", uid: "u" }, spec: { containers: [{ name: "a" }, { name: "b" }] } };
        const started = toPodInfo({
            ...base,
            status: {
                containerStatuses: [
                    { name: "a", state: { running: {} } },
                    { name: "b", state: { terminated: { exitCode: 0 } } },
                ],
            },
        } as never);
        expect(started.containersStarted).to.equal(true);
        expect(toPodInfo({ ...base, status: { containerStatuses: [{ name: "a", state: { running: {} } }] } } as never).containersStarted).to.equal(
            false,
        );
        expect(toNodeInfo({ metadata: { name: "n" }, status: { conditions: [{ type: "Ready", status: "True" }] } } as never).ready).to.equal(true);
    });

    it("parses EKS providerIDs", () => {
        expect(parseProviderId("aws:///eu-central-1b/i-0abc12345678def90")).to.deep.equal({
            zone: "eu-central-1b",
            instanceId: "i-0abc12345678def90",
        });
        expect(parseProviderId("aws:///us-west-2-lax-1a/i-0abc1234")).to.deep.equal({ zone: "us-west-2-lax-1a", instanceId: "i-0abc1234" });
        expect(parseProviderId("gce://p/z/n")).to.equal(undefined);
        expect(parseProviderId("aws:///us-west-2a/not-an-instance")).to.equal(undefined);
    });
});

describe("tools: EC2 (real @aws-sdk/client-ec2 against a local fake Query endpoint)", () => {
    let ec2: FakeEc2;
    let api: Ec2Instances;

    before(async () => {
        ec2 = new FakeEc2();
        await ec2.start();
        api = new Ec2Instances({
            region: "us-west-2",
            endpoint: ec2.endpoint,
            credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake" },
            maxAttempts: 1,
        });
    });
    beforeEach(() => {
        ec2.calls.length = 0;
        ec2.instances.set("i-0aaa1111", { state: "running", zone: "us-west-2a", tags: { "eks:cluster-name": "hje-dev", Name: "storage-a" } });
    });
    after(() => ec2.stop());

    it("describes an instance with its state, zone and tags", async () => {
        expect(await api.describe("i-0aaa1111")).to.deep.equal({
            instanceId: "i-0aaa1111",
            state: "running",
            zone: "us-west-2a",
            tags: { "eks:cluster-name": "hje-dev", Name: "storage-a" },
        });
    });

    it("terminates without OS shutdown by default and can stop gracefully", async () => {
        expect(await api.fail("i-0aaa1111", "terminate", true)).to.equal("shutting-down");
        expect(ec2.calls[0]).to.deep.include({ action: "TerminateInstances" });
        expect(ec2.calls[0].params).to.include({ "InstanceId.1": "i-0aaa1111", SkipOsShutdown: "true" });
        ec2.instances.get("i-0aaa1111")!.state = "running";
        expect(await api.fail("i-0aaa1111", "stop", false)).to.equal("stopping");
        expect(ec2.calls[1].action).to.equal("StopInstances");
        expect(ec2.calls[1].params).to.not.have.property("SkipOsShutdown");
    });

    it("surfaces EC2 errors", async () => {
        const e = await api.describe("i-0fff0000").catch((x: Error) => x);
        expect((e as Error).name).to.equal("InvalidInstanceID.NotFound");
    });

    it("recognises a cluster's nodes by either EKS tag and derives the region from a zone", () => {
        expect(belongsToCluster({ "eks:cluster-name": "a" }, "a")).to.equal(true);
        expect(belongsToCluster({ "kubernetes.io/cluster/a": "owned" }, "a")).to.equal(true);
        expect(belongsToCluster({ "eks:cluster-name": "b" }, "a")).to.equal(false);
        expect(regionOfZone("us-west-2c")).to.equal("us-west-2");
        expect(regionOfZone("us-gov-west-1a")).to.equal("us-gov-west-1");
        expect(regionOfZone("us-west-2-lax-1a")).to.equal("us-west-2");
    });
});
