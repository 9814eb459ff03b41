import { writeFileSync } from "node:fs";
import { expect } from "chai";
import { ChecksumWriter } from "../../../stacks/ops/checksumWriter";
import { KubeCluster } from "../../../stacks/ops/cluster";
import { Ec2Instances } from "../../../stacks/ops/ec2";
import {
    type FailoverOptions,
    type FailoverTarget,
    formatFailoverResult,
    planFailoverDrill,
    runFailoverDrill,
} from "../../../stacks/ops/failoverDrill";
import { JenkinsClient } from "../../../stacks/ops/jenkinsClient";
import { FakeClock } from "../../support/fakes/fakeClock";
import { FakeEc2 } from "../../support/fakes/fakeEc2";
import { FakeJenkins } from "../../support/fakes/fakeJenkins";
import { FakeKube } from "../../support/fakes/fakeKube";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const NODES = "/api/v1/nodes";
const PODS = "/api/v1/namespaces/jenkins/pods";
const VAS = "/apis/storage.k8s.io/v1/volumeattachments";
const ZONES = ["us-west-2a", "us-west-2b", "us-west-2c"];

function node(i: number, ready = true) {
    return {
        metadata: { name: `ip-10-0-${i}-10.us-west-2.compute.internal`, labels: { "topology.kubernetes.io/zone": ZONES[i] } },
        spec: { providerID: `aws:///${ZONES[i]}/i-0${i}${i}${i}${i}0000` },
        status: { conditions: [{ type: "Ready", status: ready ? "True" : "Unknown" }] },
    };
}
const nodeName = (i: number) => node(i).metadata.name;

function pod(uid: string, nodeIndex: number, running: boolean) {
    return {
        metadata: { name: "jenkins-0", uid },
        spec: {
            nodeName: nodeName(nodeIndex),
            containers: [{ name: "jenkins" }],
            volumes: [{ name: "h", persistentVolumeClaim: { claimName: "jenkins-home" } }],
        },
        status: {
            phase: running ? "Running" : "Pending",
            conditions: [{ type: "Ready", status: running ? "True" : "False" }],
            containerStatuses: [{ name: "jenkins", state: running ? { running: {} } : { waiting: { reason: "ContainerCreating" } } }],
        },
    };
}

function attachment(name: string, nodeIndex: number, attached: boolean) {
    return {
        metadata: { name },
        spec: { attacher: "linstor.csi.linbit.com", nodeName: nodeName(nodeIndex), source: { persistentVolumeName: "pvc-1" } },
        status: { attached },
    };
}

type Step = { atMs: number; apply: () => void };

const PLAN = {
    stack: "dev",
    jenkins: "http://127.0.0.1:8080",
    namespace: "jenkins",
    podName: "jenkins-0",
    region: "us-west-2",
    clusterName: "hje-dev",
    writer: "auto" as const,
    drillId: "failover-x",
};

describe("tools: fail-over drill (fake Jenkins, fake Kubernetes API, fake EC2 endpoint, fake clock)", () => {
    let jenkins: FakeJenkins;
    let kube: FakeKube;
    let ec2: FakeEc2;
    let clock: FakeClock;
    let failedAt: number | undefined;
    let jenkinsBackAtMs: number;
    let timeline: Step[];
    let logs: string[];
    let deps: Parameters<typeof runFailoverDrill>[2];

    const target: FailoverTarget = { namespace: "jenkins", podName: "jenkins-0", clusterName: "hje-dev" };
    const opts: FailoverOptions = {
        drillId: "failover-test-0001",
        action: "terminate",
        skipOsShutdown: true,
        allowSameZone: false,
        pollMs: 2000,
        timeoutMs: 600000,
    };

    before(async () => {
        jenkins = new FakeJenkins();
        kube = new FakeKube();
        ec2 = new FakeEc2();
        const url = await jenkins.start();
        await kube.start();
        await ec2.start();
        const jenkinsClient = new JenkinsClient({ baseUrl: url, user: "admin", secret: jenkins.credentials.password, secretKind: "password" });
        clock = new FakeClock();
        deps = {
            jenkins: jenkinsClient,
            writer: new ChecksumWriter(jenkinsClient, clock, { mode: "auto" }),
            cluster: await KubeCluster.create(await kube.kubeConfig()),
            ec2: new Ec2Instances({
                region: "us-west-2",
                endpoint: ec2.endpoint,
                credentials: { accessKeyId: "AKIDFAKE", secretAccessKey: "fake" },
                maxAttempts: 1,
            }),
            clock,
            log: (l) => logs.push(l),
        };
        const elapsed = () => (failedAt === undefined ? -1 : clock.now() - failedAt);
        kube.beforeRequest = () => {
            const due = timeline.filter((s) => elapsed() >= s.atMs);
            timeline = timeline.filter((s) => elapsed() < s.atMs);
            due.forEach((s) => {
                s.apply();
            });
        };
        ec2.onFail = () => (failedAt = clock.now());
        jenkins.loginStatus = () => (failedAt === undefined ? 200 : elapsed() >= jenkinsBackAtMs ? 200 : elapsed() > 30000 ? 503 : 0);
    });
    after(async () => {
        await jenkins.stop();
        await kube.stop();
        await ec2.stop();
    });

    beforeEach(() => {
        failedAt = undefined;
        kube.failWith = undefined;
        logs = [];
        jenkinsBackAtMs = 75000;
        kube.store.clear();
        jenkins.numExecutors = 0;
        [0, 1, 2].forEach((i) => {
            kube.put(NODES, node(i));
        });
        kube.put(PODS, pod("uid-old", 0, true));
        kube.put("/api/v1/namespaces/jenkins/persistentvolumeclaims", { metadata: { name: "jenkins-home" }, spec: { volumeName: "pvc-1" } });
        kube.put(VAS, attachment("csi-old", 0, true));
        ec2.calls.length = 0;
        jenkins.requests.length = 0;
        ec2.instances.clear();
        for (const i of [0, 1, 2]) {
            ec2.instances.set(`i-0${i}${i}${i}${i}0000`, { state: "running", zone: ZONES[i], tags: { "eks:cluster-name": "hje-dev" } });
        }
        // The HA Controller path: DRBD notices the dead primary, the HA Controller fences, Kubernetes notices 40 s in.
        timeline = [
            {
                atMs: 12000,
                apply: () => {
                    (kube.get(NODES, nodeName(0)) as any).spec.taints = [{ key: "drbd.linbit.com/lost-quorum", effect: "NoSchedule" }];
                    kube.remove(PODS, "jenkins-0");
                    kube.remove(VAS, "csi-old");
                },
            },
            { atMs: 14000, apply: () => kube.put(PODS, pod("uid-new", 1, false)) },
            { atMs: 22000, apply: () => kube.put(VAS, attachment("csi-new", 1, true)) },
            { atMs: 30000, apply: () => kube.put(PODS, pod("uid-new", 1, true)) },
            { atMs: 42000, apply: () => kube.put(NODES, node(0, false)) },
        ];
    });

    it("writes the file, terminates the pod's instance, times each phase and verifies data and zone", async () => {
        const r = await runFailoverDrill(target, opts, deps);
        expect(r.failures).to.deep.equal([]);
        expect(r.passed).to.equal(true);
        expect(ec2.calls.map((c) => c.action)).to.deep.equal(["DescribeInstances", "TerminateInstances"]);
        expect(ec2.calls[1].params).to.include({ "InstanceId.1": "i-000000000", SkipOsShutdown: "true" });
        expect(r.before).to.deep.equal({ podUid: "uid-old", nodeName: nodeName(0), zone: "us-west-2a", instanceId: "i-000000000" });
        expect(r.after).to.deep.equal({ podUid: "uid-new", nodeName: nodeName(1), zone: "us-west-2b", instanceId: "i-011110000" });
        expect(r.verify).to.deep.equal({ sha1: r.sha1Before });
        const phases = Object.fromEntries(r.breakdown.phases.map((p) => [p.phase, [p.endsAtMs, p.durationMs, p.signal?.kind]]));
        expect(phases).to.deep.equal({
            detection: [12000, 12000, "lostQuorumTaint"],
            fencing: [12000, 0, "lostQuorumTaint"],
            reschedule: [14000, 2000, "newPodScheduled"],
            volumeAttach: [22000, 8000, "volumeAttached"],
            jenkinsStart: [76000, 54000, "jenkinsHttp200"],
        });
        expect(r.breakdown.totalMs).to.equal(76000);
        expect(r.events.find((e) => e.kind === "nodeNotReady")?.atMs).to.equal(42000);
        const text = formatFailoverResult(r, opts);
        expect(text)
            .to.match(/PASS/)
            .and.match(/Measured RTO: 76\.0 s/)
            .and.match(/volume attach\s+22\.0 s\s+8\.0 s/);
    });

    it("fails when the data changed across the fail-over", async () => {
        timeline.push({ atMs: 20000, apply: () => writeFileSync(jenkins.drillFile(opts.drillId), "lost writes") });
        const r = await runFailoverDrill(target, opts, deps);
        expect(r.passed).to.equal(false);
        expect(r.failures.join("\n")).to.match(/Checksum changed/);
    });

    it("fails when the pod restarts in the same zone, unless allowed", async () => {
        kube.put(NODES, {
            ...node(0),
            metadata: { name: "ip-10-0-0-99.us-west-2.compute.internal", labels: { "topology.kubernetes.io/zone": "us-west-2a" } },
        });
        timeline[1] = {
            atMs: 14000,
            apply: () =>
                kube.put(PODS, {
                    ...pod("uid-new", 0, false),
                    spec: { ...pod("uid-new", 0, false).spec, nodeName: "ip-10-0-0-99.us-west-2.compute.internal" },
                }),
        };
        timeline[3] = {
            atMs: 30000,
            apply: () =>
                kube.put(PODS, {
                    ...pod("uid-new", 0, true),
                    spec: { ...pod("uid-new", 0, true).spec, nodeName: "ip-10-0-0-99.us-west-2.compute.internal" },
                }),
        };
        const r = await runFailoverDrill(target, opts, deps);
        expect(r.failures).to.have.length(1);
        expect(r.failures[0]).to.match(/same zone us-west-2a/);
    });

    it("reports a timeout when Jenkins never answers again, still with the phases it saw", async () => {
        jenkinsBackAtMs = Number.POSITIVE_INFINITY;
        const r = await runFailoverDrill(target, { ...opts, timeoutMs: 120000 }, deps);
        expect(r.passed).to.equal(false);
        expect(r.failures).to.include("Jenkins did not answer on /login within 120.0 s.");
        expect(r.breakdown.phases.find((p) => p.phase === "volumeAttach")?.endsAtMs).to.equal(22000);
        expect(r.verify).to.equal(undefined);
    });

    it("keeps what it saw when the Kubernetes API stays down, and does not verify", async () => {
        timeline.push({ atMs: 20000, apply: () => (kube.failWith = 500) });
        const r = await runFailoverDrill(target, opts, deps);
        expect(r.failures[0]).to.match(/^Observation aborted: Kubernetes API failed 30 times in a row/);
        expect(r.breakdown.phases.map((p) => p.endsAtMs)).to.deep.equal([12000, 12000, 14000, undefined, undefined]);
        expect(r.verify).to.equal(undefined);
        expect(logs.filter((l) => l.includes("Kubernetes API error, retrying"))).to.have.length(29);
    });

    it("refuses to touch an instance that is not tagged for the cluster", async () => {
        ec2.instances.get("i-000000000")!.tags = { "eks:cluster-name": "someone-else" };
        const e = await runFailoverDrill(target, opts, deps).catch((x: Error) => x);
        expect((e as Error).message).to.match(/no EKS tags of cluster hje-dev; refusing/);
        expect(ec2.calls.map((c) => c.action)).to.deep.equal(["DescribeInstances"]);
        expect(jenkins.requests.some((r) => r.path === "/scriptText")).to.equal(false);
    });

    it("refuses when no Ready node exists in another zone", async () => {
        kube.put(NODES, node(1, false));
        kube.put(NODES, node(2, false));
        const e = await runFailoverDrill(target, opts, deps).catch((x: Error) => x);
        expect((e as Error).message).to.match(/No Ready node outside us-west-2a/);
        expect(ec2.calls).to.have.length(0);
    });

    it("uses the stop action and restarts the port-forward once the new pod runs", async () => {
        let restarts = 0;
        const r = await runFailoverDrill(target, { ...opts, action: "stop", skipOsShutdown: false }, { ...deps, onNewPodRunning: () => restarts++ });
        expect(r.passed).to.equal(true);
        expect(ec2.calls[1]).to.deep.include({ action: "StopInstances" });
        expect(ec2.calls[1].params).to.not.have.property("SkipOsShutdown");
        expect(restarts).to.equal(1);
    });

    it("plans every step offline for --dry-run", () => {
        const steps = planFailoverDrill(PLAN, opts);
        expect(steps).to.have.length(10);
        expect(steps[5]).to.equal(
            "TerminateInstances (SkipOsShutdown: power cut, no guest shutdown, like a crash) on the instance in us-west-2; start the clock.",
        );
        expect(planFailoverDrill({ ...PLAN, writer: "script" }, { ...opts, action: "stop", skipOsShutdown: false })[5]).to.match(
            /^StopInstances \(the guest OS shuts down first, like the console's action; the node group's Auto Scaling group replaces/,
        );
        expect(steps.join("\n")).to.include("$JENKINS_HOME/drill/failover-x.bin").and.include("Every 2.0 s (up to 600.0 s)");
    });
});
