/**
 * Node replacement on EKS, replayed against the fake LINSTOR 1.33.3 (tests/support/fakes/fakeLinstor.ts): what the
 * Piraeus operator does for each deletion policy once the storage node's Kubernetes Node is gone
 * (tests/support/fakes/satelliteDeletion.ts, from piraeus-operator `deleteSatellite`), then the real resync gate.
 *
 * On EKS a Node object disappears when its instance is terminated (the node lifecycle controller asks EC2), so by then
 * the satellite and its EBS volumes are gone: the fake's node is OFFLINE, still listing its replica and snapshot.
 */

import { expect } from "chai";
import { LinstorCluster } from "../../../components/linstorCluster";
import { EVACUATE_ON_EKS, LINSTOR_CLUSTER_DEFAULTS, validateLinstorClusterSettings } from "../../../components/linstorCluster/settings";
import { FakeLinstor, type FakeLinstorWorld } from "../../support/fakes/fakeLinstor";
import { deleteSatellite } from "../../support/fakes/satelliteDeletion";
import { clusterSettings, thrown } from "../../support/fixtures";
import { one, outputValue, resetRecords, settle } from "../../support/mocks";
import { hasPython, runResyncGate } from "../../support/resyncGateRunner";

/** Short timings on the runner's virtual clock: polls every 0.03 s, a 0.1 s stability window, a 0.35 s give-up. */
const gate = (api: string, env: Record<string, string> = {}) =>
    runResyncGate(api, { STABLE_SECONDS: "0.1", POLL_SECONDS: "0.03", TIMEOUT_SECONDS: "0.35", AUTO_PLACE_RETRY_SECONDS: "0.2", ...env });

const R3 = "linstor-csi-lvm-thin-r3-0123abcd";
const R2 = "linstor-csi-lvm-thin-r2-4567cdef";
/**
 * Jenkins' r3 volume and an r2 volume across nodes a/b/c (one per zone), snapshots of both; the node in us-west-2c
 * was terminated (OFFLINE) and its replacement c2 has joined in the same zone (the node group's surge).
 */
function afterTermination(): FakeLinstorWorld {
    return {
        nodes: [
            { name: "a", zone: "us-west-2a" },
            { name: "b", zone: "us-west-2b" },
            { name: "c", zone: "us-west-2c", status: "OFFLINE" },
            { name: "c2", zone: "us-west-2c" },
        ],
        groups: [
            { name: R3, place_count: 3, replicas_on_different: ["Aux/topology/topology.kubernetes.io/zone"], storage_pool: "data" },
            { name: R2, place_count: 2, replicas_on_different: ["Aux/topology/topology.kubernetes.io/zone"], storage_pool: "data" },
        ],
        resources: [
            { name: "pvc-jenkins", group: R3, replicas: [{ node: "a" }, { node: "b" }, { node: "c" }] },
            { name: "pvc-cache", group: R2, replicas: [{ node: "b" }, { node: "c" }, { node: "a", kind: "tiebreaker" }] },
        ],
        snapshots: [
            { name: "snapshot-1", resource: "pvc-jenkins", nodes: ["a", "b", "c"] },
            { name: "snapshot-2", resource: "pvc-cache", nodes: ["b", "c"] },
        ],
    };
}

describe("node replacement on EKS (operator deletion policies against LINSTOR 1.33.3)", function () {
    this.timeout(20000); // a hang bound (the gate runner kills a run at 15 s): cases take a second or two alone
    let fake: FakeLinstor;
    beforeEach(async () => {
        fake = new FakeLinstor(afterTermination());
        await fake.start();
    });
    afterEach(async () => {
        await fake.stop();
    });

    it("Evacuate never completes: resources keep DELETE and snapshots stay on the OFFLINE node; the finalizer stays", async () => {
        const r = await deleteSatellite(fake.url, "c", "Evacuate", 5);
        expect(r.done).to.equal(false);
        expect(r.message).to.equal(
            "Waiting on remaining resources and snapshots: resources: [pvc-jenkins, pvc-cache] snapshots: [snapshot-1, snapshot-2]",
        );
        expect(fake.nodes.get("c")!.flags).to.deep.equal(["EVACUATE"]);
        expect(fake.replicas.filter((x) => x.node === "c").map((x) => x.flags)).to.deep.equal([
            ["EVACUATE", "DELETE"],
            ["EVACUATE", "DELETE"],
        ]);
        // Evacuate was issued once; the node was never deleted.
        expect(fake.requests.filter((q) => q.method !== "GET").map((q) => `${q.method} ${q.path}`)).to.deep.equal(["PUT /v1/nodes/c/evacuate"]);
    });

    (hasPython ? it : it.skip)("Evacuate: the resync gate refuses to let the next AZ roll (OFFLINE, evacuating node)", async () => {
        await deleteSatellite(fake.url, "c", "Evacuate", 2);
        const g = await gate(fake.url);
        expect(g.code, g.out).to.equal(1);
        expect(g.out).to.contain("node c is OFFLINE");
        expect(g.out).to.contain("node c is evacuating");
        expect(g.out).to.contain("pvc-jenkins: 2/3 UpToDate diskful replicas (c: DELETE+EVACUATE)");
        expect(fake.requests.filter((q) => q.method === "POST")).to.deep.equal([]);
    });

    it("Delete: `node lost` is refused while the satellite is still connected, and completes once it is not", async () => {
        fake.nodes.get("c")!.connection_status = "ONLINE"; // the instance is shutting down; the satellite still answers
        const r = await deleteSatellite(fake.url, "c", "Delete", 5, (attempt) => {
            if (attempt === 2) fake.disconnect("c");
        });
        expect(r.messages.slice(0, 2)).to.deep.equal([
            "error: Node 'c' still connected, please use the 'DelNode' api.",
            "error: Node 'c' still connected, please use the 'DelNode' api.",
        ]);
        expect(r.done).to.equal(true);
        expect(r.attempts).to.equal(3);
        expect(fake.nodes.has("c")).to.equal(false);
    });

    it("Delete: the node, its replicas and its snapshots go; the other nodes' replicas and snapshots stay intact", async () => {
        const before = fake.replicas.filter((x) => x.node !== "c").map((x) => ({ ...x }));
        const r = await deleteSatellite(fake.url, "c", "Delete");
        expect(r).to.include({ done: true, attempts: 1 });
        expect([...fake.nodes.keys()]).to.deep.equal(["a", "b", "c2"]);
        expect(fake.replicas).to.deep.equal(before);
        expect(fake.snapshots).to.deep.equal([
            { name: "snapshot-1", resource: "pvc-jenkins", nodes: ["a", "b"] },
            { name: "snapshot-2", resource: "pvc-cache", nodes: ["b"] },
        ]);
    });

    (hasPython ? it : it.skip)(
        "Delete: the resync gate places the missing replicas in the lost zone, waits for their resync, then passes",
        async () => {
            await deleteSatellite(fake.url, "c", "Delete");
            const g = await gate(fake.url, { TIMEOUT_SECONDS: "3" });
            expect(g.code, g.out).to.equal(0);
            expect(fake.requests.filter((q) => q.method === "POST").map((q) => `${q.path} ${q.status}`)).to.have.members([
                "/v1/resource-definitions/pvc-jenkins/autoplace 201",
                "/v1/resource-definitions/pvc-cache/autoplace 201",
            ]);
            const placement = (rd: string) =>
                fake
                    .replicasOf(rd)
                    .filter((x) => x.kind === "diskful")
                    .map((x) => `${x.node}:${x.diskState}`)
                    .sort();
            expect(placement("pvc-jenkins")).to.deep.equal(["a:UpToDate", "b:UpToDate", "c2:UpToDate"]);
            // r2 spreads over zones too: b plus a or c2 (the tie-breaker on a may become the second copy).
            expect(placement("pvc-cache")).to.have.length(2).and.to.include("b:UpToDate");
            expect(placement("pvc-cache").every((x) => x.endsWith(":UpToDate"))).to.equal(true);
        },
    );

    (hasPython ? it : it.skip)("Delete without the gate's auto-place: nothing brings the replica back within a rollout", async () => {
        await deleteSatellite(fake.url, "c", "Delete");
        const g = await gate(fake.url, { AUTO_PLACE: "false" });
        expect(g.code, g.out).to.equal(1);
        expect(g.out).to.contain("pvc-jenkins: 2/3 UpToDate diskful replicas");
    });

    (hasPython ? it : it.skip)("Retain: the node stays OFFLINE with its replicas; the gate holds until the runbook's `node lost`", async () => {
        const r = await deleteSatellite(fake.url, "c", "Retain");
        expect(r.done).to.equal(true);
        expect(fake.requests).to.deep.equal([]);
        const held = await gate(fake.url);
        expect(held.code, held.out).to.equal(1);
        expect(held.out).to.contain("node c is OFFLINE");
        // Runbook: linstor node lost c
        const lost = await fetch(`${fake.url}/v1/nodes/c/lost`, { method: "DELETE" });
        expect(lost.status).to.equal(200);
        const passed = await gate(fake.url, { TIMEOUT_SECONDS: "3" });
        expect(passed.code, passed.out).to.equal(0);
    });

    it("the fake's DELETE /v1/nodes refuses the last diskful replica and leaves an OFFLINE node marked, not gone", async () => {
        fake.replicas = fake.replicas.filter((x) => !(x.resource === "pvc-cache" && x.node === "b"));
        const refused = await fetch(`${fake.url}/v1/nodes/c`, { method: "DELETE" });
        expect(refused.status).to.equal(500);
        expect(await refused.text()).to.contain("last diskful resources");
        fake.replicas = fake.replicas.filter((x) => x.resource !== "pvc-cache");
        const marked = await fetch(`${fake.url}/v1/nodes/c`, { method: "DELETE" });
        expect(marked.status).to.equal(200);
        expect(fake.nodes.get("c")!.flags).to.deep.equal(["DELETE"]);
    });
});

describe("satellite deletion policy of the component", () => {
    it("defaults to Delete, the policy that completes when an instance and its disks are gone", async () => {
        expect(LINSTOR_CLUSTER_DEFAULTS.satelliteDeletionPolicy).to.equal("Delete");
        resetRecords();
        const cluster = new LinstorCluster("hje-test", clusterSettings());
        await outputValue(cluster.clusterName);
        await settle();
        expect(one("kubernetes:piraeus.io/v1:LinstorSatelliteConfiguration").inputs.spec.deletionPolicy).to.equal("Delete");
    });

    it("refuses Evacuate, explaining why it cannot complete on EKS; keeps Retain as a choice", () => {
        const e = thrown(() =>
            validateLinstorClusterSettings(clusterSettings({ satelliteDeletionPolicy: "Evacuate" }), (f) => `LinstorCluster.${f}`),
        );
        expect(e.message).to.contain("LinstorCluster.satelliteDeletionPolicy");
        expect(e.message).to.contain(EVACUATE_ON_EKS);
        validateLinstorClusterSettings(clusterSettings({ satelliteDeletionPolicy: "Retain" }), (f) => `LinstorCluster.${f}`);
    });
});
