/**
 * The resync gate's real Python script against a fake LINSTOR 1.33.3 API (tests/support/fakes/fakeLinstor.ts, which
 * cites the upstream sources), healthy and failing states alike. The gate runs on a virtual clock (resyncGateRunner.ts:
 * its window and give-up count polls) and the fakes change state per poll, so no scenario depends on the machine's
 * load; one healthy run keeps the real clock. The scenarios start together in `before` (each its own fake and
 * process) so the spec stays well under 2 s.
 */

import { lookup } from "node:dns/promises";
import type { ServerOptions } from "node:https";
import { expect } from "chai";
import { LinstorCluster } from "../../../components/linstorCluster";
import { RESYNC_GATE_SCRIPT, resyncGateCustomTimeouts, resyncGateJobSpec } from "../../../components/linstorCluster/resyncGate";
import { LINSTOR_CLUSTER_DEFAULTS } from "../../../components/linstorCluster/settings";
import { PULUMI_DEFAULT_JOB_WAIT_SECONDS } from "../../../components/shared/jobs";
import { FakeLinstor, type FakeLinstorWorld } from "../../support/fakes/fakeLinstor";
import { FakeLinstorBucket, shipChain } from "../../support/fakes/fakeLinstorBucket";
import { finishRestores, restoreBackup } from "../../support/fakes/fakeLinstorRestore";
import { apiTlsFiles, clientEnv, hasOpenssl } from "../../support/fakes/linstorApiTls";
import { clusterSettings } from "../../support/fixtures";
import { ofType, outputValue, resetRecords, settle } from "../../support/mocks";
import { hasPython, runResyncGate } from "../../support/resyncGateRunner";

/**
 * Polls every 0.03 s, a 0.15 s stability window (five polls), and a 0.25 s give-up (nine polls: past the window, so a
 * gate that wrongly opened would have) for the states that must never pass. On the virtual clock every give-up costs
 * all its polls, and the scenarios run at once: more polls only load the machine.
 */
const FAST = { STABLE_SECONDS: "0.15", POLL_SECONDS: "0.03", TIMEOUT_SECONDS: "0.25", UNRESOLVED_CHECKS: "2", AUTO_PLACE_RETRY_SECONDS: "0.2" };

interface Run {
    code: number;
    out: string;
    fake?: FakeLinstor;
}

function gate(api: string, env: Record<string, string> = {}, clock?: "real"): Promise<Run> {
    return runResyncGate(api, { ...FAST, ...env }, { clock });
}

async function against(
    world: FakeLinstorWorld,
    env: Record<string, string> = {},
    steps?: ((f: FakeLinstor) => void)[],
    tls?: ServerOptions,
    clock?: "real",
): Promise<Run> {
    const fake = new FakeLinstor(world);
    if (steps) fake.everyPoll(steps);
    await fake.start(tls);
    try {
        return { ...(await gate(fake.url, env, clock)), fake };
    } finally {
        await fake.stop();
    }
}

const R3 = "linstor-csi-lvm-thin-r3-0123abcd";
/** Three storage nodes in three zones, one r3 volume with a replica on each. */
function world(overrides: Partial<FakeLinstorWorld> = {}): FakeLinstorWorld {
    return {
        nodes: [
            { name: "a", zone: "us-west-2a" },
            { name: "b", zone: "us-west-2b" },
            { name: "c", zone: "us-west-2c" },
        ],
        groups: [{ name: R3, place_count: 3, replicas_on_different: ["Aux/topology/topology.kubernetes.io/zone"], storage_pool: "data" }],
        resources: [{ name: "pvc-1", group: R3, replicas: [{ node: "a" }, { node: "b" }, { node: "c" }] }],
        ...overrides,
    };
}
const NO_AUTO_PLACE = { AUTO_PLACE: "false" };
/** Scenarios that must pass: a give-up far beyond the polls they need; the real-clock one gets room on a loaded machine. */
const PASSES = { TIMEOUT_SECONDS: "5" };

describe("DRBD resync gate (real script, fake LINSTOR 1.33.3)", function () {
    this.timeout(20000); // a hang bound: each run takes a fraction of a second alone, seconds on a loaded machine
    const runs: Record<string, Promise<Run>> = {};

    before(() => {
        if (!hasPython) return;
        // On Python's own clock: the script's real waiting (time.monotonic, time.sleep) holds the window too.
        runs.healthy = against(world(), PASSES, undefined, undefined, "real");
        runs.resyncing = against(world(), PASSES, [
            (f) => {
                f.replicasOf("pvc-1")[2].diskState = "Inconsistent";
            },
            () => undefined,
            (f) => {
                f.replicasOf("pvc-1")[2].diskState = "UpToDate";
            },
        ]);
        // Holding from poll 0, the flap on poll 2 (virtual 0.06 s, inside the 0.15 s window), healthy again from poll 3.
        runs.flapping = against(world(), PASSES, [
            () => undefined,
            () => undefined,
            (f) => {
                f.replicasOf("pvc-1")[1].diskState = "Outdated";
            },
            (f) => {
                f.replicasOf("pvc-1")[1].diskState = "UpToDate";
            },
        ]);
        runs.offline = against(
            world({
                nodes: [
                    { name: "a", zone: "us-west-2a" },
                    { name: "b", zone: "us-west-2b" },
                    { name: "c", zone: "us-west-2c", status: "OFFLINE" },
                ],
            }),
        );
        runs.noVolumeState = against(world(), {}, [
            (f) => {
                f.replicasOf("pvc-1")[0].diskState = "";
            },
        ]);
        runs.evacuating = against(
            world({
                nodes: [
                    { name: "a", zone: "us-west-2a" },
                    { name: "b", zone: "us-west-2b" },
                    { name: "c", zone: "us-west-2c", flags: ["EVACUATE"] },
                ],
            }),
        );
        runs.deleting = against(
            world({
                nodes: [
                    { name: "a", zone: "us-west-2a" },
                    { name: "b", zone: "us-west-2b" },
                    { name: "c", zone: "us-west-2c", status: "OFFLINE", flags: ["DELETE", "EVICTED"] },
                ],
            }),
        );
        runs.tooFew = against(world({ resources: [{ name: "pvc-1", group: R3, replicas: [{ node: "a" }, { node: "b" }] }] }), NO_AUTO_PLACE);
        runs.tieBreaker = against(
            world({ resources: [{ name: "pvc-1", group: R3, replicas: [{ node: "a" }, { node: "b" }, { node: "c", kind: "tiebreaker" }] }] }),
            NO_AUTO_PLACE,
        );
        runs.defaultPlaceCount = against(
            world({
                groups: [{ name: "sc-legacy" }],
                resources: [{ name: "pvc-2", group: "sc-legacy", replicas: [{ node: "a" }, { node: "b" }] }],
            }),
            PASSES,
        );
        runs.defaultPlaceCountShort = against(
            world({
                groups: [{ name: "sc-legacy" }],
                resources: [{ name: "pvc-2", group: "sc-legacy", replicas: [{ node: "a" }, { node: "c", kind: "diskless" }] }],
            }),
            NO_AUTO_PLACE,
        );
        runs.autoPlace = against(
            world({
                nodes: [
                    { name: "a", zone: "us-west-2a" },
                    { name: "b", zone: "us-west-2b" },
                    { name: "a2", zone: "us-west-2a" },
                    { name: "c2", zone: "us-west-2c" },
                ],
                resources: [{ name: "pvc-1", group: R3, replicas: [{ node: "a" }, { node: "b" }] }],
            }),
            PASSES,
        );
        runs.noAutoPlaceWhileOffline = against(
            world({
                nodes: [
                    { name: "a", zone: "us-west-2a" },
                    { name: "b", zone: "us-west-2b" },
                    { name: "c", zone: "us-west-2c", status: "OFFLINE" },
                    { name: "c2", zone: "us-west-2c" },
                ],
                resources: [{ name: "pvc-1", group: R3, replicas: [{ node: "a" }, { node: "b" }] }],
            }),
        );
        // nodesPerAz lowered to 1: EKS reports the group updated while its second node in us-west-2a is still there.
        const twoInZoneA = world({
            nodes: [
                { name: "a", zone: "us-west-2a" },
                { name: "a2", zone: "us-west-2a" },
                { name: "b", zone: "us-west-2b" },
                { name: "c", zone: "us-west-2c" },
            ],
        });
        const zoneA = (n: number) => ({ ZONE: "us-west-2a", NODES_PER_ZONE: String(n) });
        runs.scaleInPending = against(twoInZoneA, zoneA(1));
        runs.scaleIn = against(twoInZoneA, { ...PASSES, ...zoneA(1) }, [
            () => undefined,
            () => undefined,
            (f) => f.disconnect("a2"),
            (f) => {
                f.lost("a2");
            },
        ]);
        runs.scaleUp = against(world(), { ...PASSES, ...zoneA(2) }, [() => undefined, () => undefined, (f) => f.addNode("a2", "us-west-2a")]);
        if (hasOpenssl) {
            const files = apiTlsFiles();
            runs.tls = against(world(), { ...PASSES, ...clientEnv(files.client) }, undefined, files.server);
            runs.tlsRogue = against(world(), clientEnv(files.rogue), undefined, files.server);
        }
        // A download-only restore's target (the standby's download step, the restore check, the DR restore gate):
        // LINSTOR creates its definition and snapshots, never a resource (getRscDfnForBackupRestore).
        const origin = new FakeLinstor(world({ remotes: { s3: new FakeLinstorBucket("b") } }));
        const chain = shipChain(origin.remotes.get("s3")!, {
            resource: "pvc-origin",
            pvcNamespace: "jenkins",
            pvcName: "jenkins-home",
            start: new Date("2026-07-01T00:00:00Z"),
            increments: 1,
        });
        restoreBackup(origin, "s3", { last_backup: chain[1], target_rsc_name: "pvc-origin", node_name: "a", download_only: true });
        finishRestores(origin, true);
        runs.snapshotOnly = origin.start().then(async () => {
            try {
                return { ...(await gate(origin.url, PASSES)), fake: origin };
            } finally {
                await origin.stop();
            }
        });
        runs.unreachable = gate("http://127.0.0.1:9");
        runs.notInstalled = lookup("linstor-controller.nowhere.invalid").then(
            () => ({ code: -1, out: "resolves" }),
            (e: NodeJS.ErrnoException) =>
                e.code === "ENOTFOUND" ? gate("http://linstor-controller.nowhere.invalid:3370") : { code: -1, out: `resolver: ${e.code}` },
        );
    });

    const scenario = (title: string, fn: (this: Mocha.Context) => Promise<void>) => (hasPython ? it : it.skip)(title, fn);

    scenario("passes once every replica stayed UpToDate on ONLINE nodes for the window", async () => {
        const r = await runs.healthy;
        expect(r.code, r.out).to.equal(0);
        expect(r.out).to.contain("all replicas UpToDate on ONLINE nodes for 0.15s: next AZ may roll");
        // The window spans polls: passing needs at least two.
        expect(r.fake!.requests.filter((q) => q.path === "/v1/nodes").length).to.be.at.least(2);
    });

    scenario("waits while a replica resyncs (Inconsistent), then passes", async () => {
        const r = await runs.resyncing;
        expect(r.code, r.out).to.equal(0);
        expect(r.out).to.contain("waiting: pvc-1: 2/3 UpToDate diskful replicas (c: Inconsistent)");
    });

    scenario("restarts the window when a replica drops out of UpToDate in between", async () => {
        const r = await runs.flapping;
        expect(r.code, r.out).to.equal(0);
        const lines = r.out.trim().split("\n");
        const holding = lines.map((l, i) => (l.startsWith("all replicas UpToDate on ONLINE nodes; holding") ? i : -1)).filter((i) => i >= 0);
        expect(holding, r.out).to.have.length(2);
        expect(
            lines.slice(holding[0], holding[1]).some((l) => l.includes("b: Outdated")),
            r.out,
        ).to.equal(true);
    });

    scenario("a replica on an OFFLINE node has no state: it counts as missing and the gate never passes", async () => {
        const r = await runs.offline;
        expect(r.code, r.out).to.equal(1);
        expect(r.out).to.contain("node c is OFFLINE");
        expect(r.out).to.contain("pvc-1: 2/3 UpToDate diskful replicas (c: no state (satellite not connected))");
        expect(r.out).to.contain("stopping the rollout");
    });

    scenario("a volume that reports no disk state counts as missing", async () => {
        const r = await runs.noVolumeState;
        expect(r.code, r.out).to.equal(1);
        expect(r.out).to.contain("pvc-1: 2/3 UpToDate diskful replicas (a: None)");
    });

    scenario("never passes while a node is evacuating, even with every replica UpToDate", async () => {
        const r = await runs.evacuating;
        expect(r.code, r.out).to.equal(1);
        expect(r.out).to.contain("node c is evacuating");
    });

    scenario("never passes while a node is evicted or being deleted", async () => {
        const r = await runs.deleting;
        expect(r.code, r.out).to.equal(1);
        expect(r.out).to.contain("node c is OFFLINE");
        expect(r.out).to.contain("node c is evicted");
    });

    scenario("fails with fewer diskful replicas than the group's place_count", async () => {
        const r = await runs.tooFew;
        expect(r.code, r.out).to.equal(1);
        expect(r.out).to.contain("pvc-1: 2/3 UpToDate diskful replicas");
    });

    scenario("does not count a diskless tie-breaker as a replica", async () => {
        const r = await runs.tieBreaker;
        expect(r.code, r.out).to.equal(1);
        expect(r.out).to.contain("pvc-1: 2/3 UpToDate diskful replicas");
    });

    scenario("takes LINSTOR's default place count (2) for a group without place_count", async () => {
        const ok = await runs.defaultPlaceCount;
        expect(ok.code, ok.out).to.equal(0);
        const short = await runs.defaultPlaceCountShort;
        expect(short.code, short.out).to.equal(1);
        expect(short.out).to.contain("pvc-2: 1/2 UpToDate diskful replicas");
    });

    scenario("asks LINSTOR to place a lost replica in its zone once every node is ONLINE, then waits for its resync", async () => {
        const r = await runs.autoPlace;
        expect(r.code, r.out).to.equal(0);
        const posts = r.fake!.requests.filter((q) => q.method === "POST");
        expect(posts.map((q) => `${q.path} ${q.status}`)).to.deep.equal(["/v1/resource-definitions/pvc-1/autoplace 201"]);
        expect(r.out).to.contain("successfully autoplaced on node 'c2'");
        expect(r.out).to.contain("(c2: Inconsistent)");
        expect(r.fake!.replicasOf("pvc-1").map((x) => `${x.node}:${x.diskState}`)).to.deep.equal(["a:UpToDate", "b:UpToDate", "c2:UpToDate"]);
    });

    scenario("places nothing while a node is OFFLINE (it may come back; LINSTOR still counts its replica)", async () => {
        const r = await runs.noAutoPlaceWhileOffline;
        expect(r.code, r.out).to.equal(1);
        expect(r.fake!.requests.filter((q) => q.method !== "GET")).to.deep.equal([]);
    });

    scenario("waits for a scaled-in zone to lose its extra node in LINSTOR, though every replica is UpToDate", async () => {
        const pending = await runs.scaleInPending;
        expect(pending.code, pending.out).to.equal(1);
        expect(pending.out).to.contain("zone us-west-2a has 2 storage nodes in LINSTOR (a, a2), expecting 1");
        expect(pending.out).to.not.contain("holding");
        const r = await runs.scaleIn;
        expect(r.code, r.out).to.equal(0);
        const lines = r.out.trim().split("\n");
        const lastWait = lines
            .map((l, i) => (l.includes("zone us-west-2a has 2 storage nodes") ? i : -1))
            .filter((i) => i >= 0)
            .at(-1)!;
        const firstHold = lines.findIndex((l) => l.startsWith("all replicas UpToDate on ONLINE nodes; holding"));
        expect(firstHold, r.out).to.be.greaterThan(lastWait);
    });

    scenario("waits for a scaled-up zone's new node to join LINSTOR", async () => {
        const r = await runs.scaleUp;
        expect(r.code, r.out).to.equal(0);
        expect(r.out).to.contain("zone us-west-2a has 1 storage nodes in LINSTOR (a), expecting 2");
    });

    (hasPython && hasOpenssl ? it : it.skip)(
        "talks HTTPS with the CA and its client certificate; a certificate of another CA never passes",
        async () => {
            const ok = await runs.tls;
            expect(ok.code, ok.out).to.equal(0);
            expect(ok.fake!.url.startsWith("https://")).to.equal(true);
            const rogue = await runs.tlsRogue;
            expect(rogue.code, rogue.out).to.equal(1);
            expect(rogue.out).to.contain("LINSTOR API unreachable");
            // The handshake fails before any request reaches the API.
            expect(rogue.fake!.requests).to.deep.equal([]);
        },
    );

    scenario("does not wait for a definition that holds only downloaded snapshots (no replica to protect)", async () => {
        const r = await runs.snapshotOnly;
        expect(r.fake!.definitions.has("pvc-origin")).to.equal(true);
        expect(r.fake!.replicasOf("pvc-origin")).to.deep.equal([]);
        expect(r.fake!.snapshots.filter((s) => s.resource === "pvc-origin")).to.have.length(2);
        expect(r.code, r.out).to.equal(0);
        expect(r.out).to.contain("not counted, no resource on any node (snapshots only or none): pvc-origin");
        expect(r.out).to.not.contain("pvc-origin: 0/");
        expect(r.fake!.requests.filter((q) => q.method !== "GET")).to.deep.equal([]);
    });

    scenario("never passes while the LINSTOR API is unreachable", async () => {
        const r = await runs.unreachable;
        expect(r.code, r.out).to.equal(1);
        expect(r.out).to.contain("LINSTOR API unreachable");
    });

    scenario("passes before LINSTOR is installed (its Service name does not exist, repeatedly)", async function () {
        const r = await runs.notInstalled;
        if (r.code === -1) this.skip();
        expect(r.code, r.out).to.equal(0);
        expect(r.out).to.contain("LINSTOR is not installed yet");
    });

    scenario("the fake lists a replica on an OFFLINE node without state, like LINSTOR 1.33.3", async () => {
        const fake = new FakeLinstor(world({ nodes: [{ name: "a" }, { name: "b" }, { name: "c", status: "OFFLINE" }] }));
        await fake.start();
        try {
            const rows = (await (await fetch(`${fake.url}/v1/view/resources`)).json()) as any[];
            const c = rows.find((x) => x.node_name === "c");
            expect(c).to.not.have.property("state");
            expect(c.volumes[0]).to.not.have.property("state");
            expect(c).to.not.have.property("flags");
            expect(rows.find((x) => x.node_name === "a").volumes[0].state).to.deep.equal({ disk_state: "UpToDate" });
        } finally {
            await fake.stop();
        }
    });
});

describe("resync gate Job", () => {
    const spec: any = resyncGateJobSpec({
        linstorNamespace: "piraeus-datastore",
        zone: "us-west-2b",
        nodesPerZone: 2,
        image: LINSTOR_CLUSTER_DEFAULTS.resyncGateImage,
        stableSeconds: 120,
        timeoutSeconds: 7200,
        pollSeconds: 10,
    });
    const c = spec.template.spec.containers[0];

    it("runs the script with python3 from the pinned python image, in a locked-down pod", () => {
        expect(c.image).to.equal("docker.io/library/python:3.13.15-slim-trixie");
        expect(c.command).to.deep.equal(["python3", "-c", RESYNC_GATE_SCRIPT]);
        expect(Object.fromEntries(c.env.map((e: any) => [e.name, e.value]))).to.deep.equal({
            LINSTOR_API: "https://linstor-controller.piraeus-datastore.svc:3371",
            LINSTOR_CA: "/etc/linstor-api-client/ca.crt",
            LINSTOR_CLIENT_CERT: "/etc/linstor-api-client/tls.crt",
            LINSTOR_CLIENT_KEY: "/etc/linstor-api-client/tls.key",
            ZONE: "us-west-2b",
            NODES_PER_ZONE: "2",
            STABLE_SECONDS: "120",
            TIMEOUT_SECONDS: "7200",
            POLL_SECONDS: "10",
            UNRESOLVED_CHECKS: "6",
            DEFAULT_PLACE_COUNT: "2",
            AUTO_PLACE: "true",
            AUTO_PLACE_RETRY_SECONDS: "300",
            PYTHONDONTWRITEBYTECODE: "1",
            PYTHONUNBUFFERED: "1",
        });
        expect(spec.backoffLimit).to.equal(0);
        expect(spec.activeDeadlineSeconds).to.equal(7500);
        expect(spec.template.spec.automountServiceAccountToken).to.equal(false);
        expect(c.securityContext).to.deep.equal({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    });

    it("mounts its client certificate read-only for its group, and carries the label LINSTOR's NetworkPolicy admits", () => {
        const pod = spec.template;
        expect(pod.metadata.labels).to.include({ "ha-jenkins-eks.io/linstor-api-client": "true" });
        expect(pod.spec.volumes).to.deep.equal([
            { name: "linstor-api-client", secret: { secretName: "linstor-api-client-jobs", defaultMode: 0o440 } },
        ]);
        expect(c.volumeMounts).to.deep.equal([{ name: "linstor-api-client", mountPath: "/etc/linstor-api-client", readOnly: true }]);
        expect(pod.spec.securityContext.fsGroup).to.equal(65532);
    });

    it("lets Pulumi wait at least as long as the Job may run (Pulumi's own Job wait is 10 minutes)", () => {
        const minutes = (s: string) => Number(/^(\d+)m$/.exec(s)![1]);
        for (const timeoutSeconds of [300, 7200, 86400]) {
            const deadline = resyncGateJobSpec({
                linstorNamespace: "x",
                zone: "z",
                nodesPerZone: 1,
                image: "i",
                stableSeconds: 1,
                timeoutSeconds,
                pollSeconds: 1,
            }).activeDeadlineSeconds;
            const t = resyncGateCustomTimeouts(timeoutSeconds);
            for (const m of [minutes(t.create!), minutes(t.update!)]) {
                expect(m * 60).to.be.at.least(deadline + 60);
                expect(m * 60).to.be.greaterThan(PULUMI_DEFAULT_JOB_WAIT_SECONDS);
            }
        }
        expect(resyncGateCustomTimeouts(7200)).to.deep.equal({ create: "130m", update: "130m" });
    });

    it("gives every registered gate Job those customTimeouts", async () => {
        resetRecords();
        const cluster = new LinstorCluster("hje-test", clusterSettings({ resyncGateTimeoutSeconds: 14400 }));
        await outputValue(cluster.clusterName);
        await settle();
        const jobs = ofType("kubernetes:batch/v1:Job");
        expect(jobs).to.have.length(3);
        for (const job of jobs) {
            expect(job.inputs.spec.activeDeadlineSeconds).to.equal(14700);
            expect(job.options!.customTimeouts).to.deep.equal({ create: "250m", update: "250m", delete: "" });
        }
    });
});
