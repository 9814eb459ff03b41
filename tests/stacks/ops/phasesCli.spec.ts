import { EventEmitter } from "node:events";
import { expect } from "chai";
import { describeTarget, isInClusterUrl, jenkinsCredentials, jenkinsTarget } from "../../../stacks/ops/cli";
import { accountPhases, type DrillEvent, formatBreakdown } from "../../../stacks/ops/phases";
import { type ChildLike, PortForward } from "../../../stacks/ops/portForward";
import { outputString, readStackOutputs } from "../../../stacks/ops/stackOutputs";

const ev = (kind: DrillEvent["kind"], s: number, detail = kind): DrillEvent => ({ kind, atMs: s * 1000, detail });

describe("tools: RTO phase accounting", () => {
    it("plain Kubernetes order: each phase starts where the previous ended and durations add up", () => {
        const b = accountPhases([
            ev("nodeNotReady", 40),
            ev("oldPodTerminating", 70),
            ev("nodeDeleted", 45),
            ev("oldPodGone", 110),
            ev("newPodScheduled", 112),
            ev("volumeAttached", 480),
            ev("containerStarted", 490),
            ev("jenkinsHttp200", 600),
        ]);
        expect(b.phases.map((p) => [p.phase, p.endsAtMs, p.durationMs])).to.deep.equal([
            ["detection", 40000, 40000],
            ["fencing", 110000, 70000],
            ["reschedule", 112000, 2000],
            ["volumeAttach", 480000, 368000],
            ["jenkinsStart", 600000, 120000],
        ]);
        expect(b.phases.reduce((s, p) => s + (p.durationMs ?? 0), 0)).to.equal(b.totalMs);
        expect(b.overlaps).to.deep.equal([]);
    });

    it("a signal before an earlier phase's counts 0 s on the critical path and is reported", () => {
        // The pod started before its VolumeAttachment was seen as attached by the poller: attach is credited to the container start.
        const b = accountPhases([ev("oldPodGone", 10), ev("containerStarted", 15), ev("newPodScheduled", 18), ev("jenkinsHttp200", 80)]);
        expect(b.phases.map((p) => [p.phase, p.durationMs, p.signal?.kind])).to.deep.equal([
            ["detection", 10000, "oldPodGone"],
            ["fencing", 0, "oldPodGone"],
            ["reschedule", 8000, "newPodScheduled"],
            ["volumeAttach", 0, "containerStarted"],
            ["jenkinsStart", 62000, "jenkinsHttp200"],
        ]);
        expect(b.overlaps).to.have.length(1);
        expect(b.overlaps[0]).to.match(/^volume attach \(15\.0 s\) completed before the earlier phases \(18\.0 s\)/);
    });

    it("without Jenkins answering there is no total and unseen phases print as such", () => {
        const events = [ev("nodeNotReady", 40)];
        const b = accountPhases(events);
        expect(b.totalMs).to.equal(undefined);
        const text = formatBreakdown(b, events, 2000);
        expect(text)
            .to.match(/did not answer again/)
            .and.match(/fencing\s+—\s+—\s+not observed/);
    });
});

describe("tools: CLI glue", () => {
    it("reads outputs through `pulumi stack output --json --show-secrets` and rejects odd stack names", async () => {
        const calls: string[][] = [];
        const outputs = await readStackOutputs("org/proj/dev", async (file, args) => {
            calls.push([file, ...args]);
            return JSON.stringify({ jenkinsUrl: "https://ci.example.com", region: "us-west-2" });
        });
        expect(calls).to.deep.equal([["pulumi", "stack", "output", "--json", "--show-secrets", "-s", "org/proj/dev"]]);
        expect(outputString(outputs, "region")).to.equal("us-west-2");
        await readStackOutputs("dev; rm -rf /", async () => "{}").then(
            () => expect.fail("accepted"),
            (e: Error) => expect(e.message).to.match(/Not a stack name/),
        );
        expect(() => outputString({ region: 3 }, "region")).to.throw(/should be a string/);
    });

    it("uses a reachable URL directly and port-forwards to the pod for in-cluster URLs", () => {
        expect(isInClusterUrl("http://jenkins.jenkins.svc.cluster.local:8080")).to.equal(true);
        expect(isInClusterUrl("http://jenkins.jenkins.svc:8080")).to.equal(true);
        expect(isInClusterUrl("https://jenkins.example.com")).to.equal(false);
        expect(jenkinsTarget({ jenkinsUrl: "https://ci.example.com" }, {})).to.deep.equal({
            url: "https://ci.example.com",
            portForward: false,
            namespace: "jenkins",
            service: "jenkins",
        });
        const pf = jenkinsTarget({ jenkinsUrl: "http://ci.ci.svc.cluster.local:8080", jenkinsNamespace: "ci", jenkinsServiceName: "ci-jenkins" }, {});
        expect(pf).to.deep.include({ portForward: true, url: undefined, namespace: "ci", service: "ci-jenkins" });
        expect(describeTarget(pf)).to.match(/^kubectl port-forward pod\/ci-jenkins-0 -n ci/);
        expect(jenkinsTarget({}, { "jenkins-url": "http://10.0.0.5:8080" }).portForward).to.equal(false);
    });

    it("takes an API token or password from the environment before the stack's password", () => {
        expect(jenkinsCredentials({ jenkinsAdminPassword: "p" }, {}, {})).to.deep.equal({ user: "admin", secret: "p", secretKind: "password" });
        expect(jenkinsCredentials({ jenkinsAdminPassword: "p", jenkinsAdminUser: "ops" }, {}, { JENKINS_API_TOKEN: "t" })).to.deep.equal({
            user: "ops",
            secret: "t",
            secretKind: "token",
        });
        expect(() => jenkinsCredentials({}, {}, {})).to.throw(/JENKINS_API_TOKEN/);
    });
});

class FakeChild extends EventEmitter implements ChildLike {
    readonly stdout = new EventEmitter();
    readonly stderr = new EventEmitter();
    killed = false;
    kill(): boolean {
        this.killed = true;
        this.emit("exit", null, "SIGTERM");
        return true;
    }
}

describe("tools: supervised port-forward", () => {
    it("starts kubectl against the pod's container port, restarts it when it exits and on demand, stops for good", async () => {
        const spawned: { args: readonly string[]; child: FakeChild }[] = [];
        const pf = new PortForward({
            namespace: "jenkins",
            target: "pod/jenkins-0",
            remotePort: 8080,
            localPort: 18080,
            kubeconfigFile: "/tmp/kc",
            restartDelayMs: 1,
            spawn: (_cmd, args) => {
                const child = new FakeChild();
                spawned.push({ args, child });
                // A microtask: after launch() attached its listeners, before any timer (start's 1 s bound) can fire.
                queueMicrotask(() => child.stdout.emit("data", "Forwarding from 127.0.0.1:18080 -> 8080\n"));
                return child;
            },
        });
        await pf.start(1000);
        expect(pf.url).to.equal("http://127.0.0.1:18080");
        expect(spawned[0].args).to.deep.equal([
            "--kubeconfig",
            "/tmp/kc",
            "port-forward",
            "--namespace",
            "jenkins",
            "--address",
            "127.0.0.1",
            "pod/jenkins-0",
            "18080:8080",
        ]);
        spawned[0].child.emit("exit", 1, null); // the pod died: kubectl exits
        await new Promise((r) => setTimeout(r, 20));
        expect(pf.starts).to.equal(2);
        pf.restart();
        expect(spawned[1].child.killed).to.equal(true);
        expect(pf.starts).to.equal(3);
        pf.stop();
        await new Promise((r) => setTimeout(r, 20));
        expect(pf.starts).to.equal(3);
        expect(spawned[2].child.killed).to.equal(true);
    });
});
