/**
 * The DR restore gate: the Job's own containers (their commands and env, as registered) run for real (sh + curl,
 * bash + jq) against the fake LINSTOR controller over HTTPS with its client certificate, whose backup restore answers
 * like linstor-server v1.33.3 (tests/support/fakes/fakeLinstorRestore.ts: return codes with MASK_BACKUP, FAIL_IN_USE
 * while another restore runs into the resource definition, FAIL_EXISTS_SNAPSHOT when nothing is left, the chain cut at
 * the first link already here, links Shipping → Success one report at a time, a failed link aborting the later ones).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import {
    RESTORE_GATE_LABEL,
    RESTORE_GATE_START_SECONDS,
    type RestoreGateArgs,
    restoreGateJob,
    validateRestoreGateArgs,
} from "../../../components/snapshots/restoreGate";
import { RESTORE_GATE_POLL_SECONDS, restoreSeconds } from "../../../components/snapshots/restoreTiming";
import { FakeLinstor } from "../../support/fakes/fakeLinstor";
import { FakeLinstorBucket, shipChain } from "../../support/fakes/fakeLinstorBucket";
import { brokenBase, finishRestores, nextLink, reapAborted, restartController, restoreBackup } from "../../support/fakes/fakeLinstorRestore";
import { apiTlsFiles, clientEnv, hasOpenssl } from "../../support/fakes/linstorApiTls";
import { haveCommand, runSteps } from "../../support/shellScript";

const REMOTE = "s3-us-east-2";
const RSC = "pvc-0a1b2c3d-0000-4000-8000-000000000001";
const runnable = haveCommand("curl") && haveCommand("jq") && hasOpenssl;
const snapOf = (id: string) => id.split("^")[1];

function args(id: string, chain = { chainBytes: 2 ** 30, chainLength: 3 }): RestoreGateArgs {
    return {
        linstorNamespace: "piraeus-datastore",
        remoteName: REMOTE,
        backup: { id, resource: RSC, snapshot: snapOf(id), ...chain },
        key: "20260701-001000-1a2b3c4d",
        image: "registry.k8s.io/kubectl:v1.35.1",
        curlImage: "docker.io/curlimages/curl:8.16.0",
    };
}

describe("RestoreGate: the DR restore's download of the chosen backup against the fake LINSTOR", function () {
    this.timeout(60000);
    const withTools = runnable ? it : it.skip;
    let linstor: FakeLinstor;
    let bucket: FakeLinstorBucket;
    let chain: string[];
    let dir: string;
    const local = () => linstor.snapshots.filter((s) => s.resource === RSC).map((s) => `${s.name}:${s.received?.status}@${s.nodes.join(",")}`);
    const posts = () => linstor.requests.filter((q) => q.method === "POST");
    const snapshotGets = () => linstor.requests.filter((q) => q.method === "GET" && q.path.startsWith("/v1/view/snapshots")).length;

    /**
     * One pod of the Job: its init containers and its container in turn, each with the command and env the Job
     * registers, pointed at the fake (its URL, client certificate, a scratch WORK) and polling without sleeping.
     */
    async function runGate(id = chain[2], links?: RestoreGateArgs["backup"]["links"]): Promise<{ code: number; out: string; step: string }> {
        const a = args(id);
        const pod = restoreGateJob({ ...a, backup: { ...a.backup, ...(links ? { links } : {}) } }).spec.template.spec;
        const steps = [...pod.initContainers, ...pod.containers].map((c) => {
            const env: Record<string, string> = Object.fromEntries(c.env.map((e) => [e.name, e.value ?? ""]));
            Object.assign(env, {
                PATH: process.env.PATH ?? "/usr/bin:/bin",
                ...(env.LINSTOR_API !== undefined ? { LINSTOR_API: linstor.url, ...clientEnv(apiTlsFiles().client) } : {}),
                WORK: dir,
                CONNECT_RETRIES: "0",
                TERMINATION_LOG: path.join(dir, "termination-log"),
                ...(env.POLL_SECONDS !== undefined ? { POLL_SECONDS: "0" } : {}),
            });
            const [shell, , script] = c.command;
            return { name: c.name, shell: path.basename(shell), script, env };
        });
        return runSteps(steps, 30000);
    }

    beforeEach(async function () {
        if (!runnable) this.skip();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "restore-gate-"));
        bucket = new FakeLinstorBucket("b");
        chain = shipChain(bucket, {
            resource: RSC,
            pvcNamespace: "jenkins",
            pvcName: "jenkins-home",
            start: new Date("2026-07-01T00:00:00Z"),
            increments: 2,
            stepMinutes: 5,
        });
        linstor = new FakeLinstor({
            // n0 has no data pool (never asked), n3 is evicted: the gate asks n1, n2.
            nodes: [{ name: "n0", pools: ["DfltDisklessStorPool"] }, { name: "n1" }, { name: "n2" }, { name: "n3", flags: ["EVICTED"] }],
            groups: [],
            resources: [],
            remotes: { [REMOTE]: bucket },
        });
        await linstor.start(apiTlsFiles().server);
    });
    afterEach(async () => {
        await linstor?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    withTools("nothing local: downloads the whole chain of exactly the chosen backup and waits until the chosen link is Success", async () => {
        // A newer backup exists: the gate still downloads the chosen one, not the newest.
        bucket.ship({
            resource: RSC,
            pvcNamespace: "jenkins",
            pvcName: "jenkins-home",
            snapshot: "snapshot-newer",
            start: new Date("2026-07-01T00:30:00Z"),
            basedOn: chain[2],
        });
        // The satellite reports one link per poll, full first.
        linstor.onRequest = (method, p) => {
            if (method === "GET" && p === "/v1/view/snapshots" && posts().length > 0) nextLink(linstor, true);
        };
        const sizes = chain.map((id, i) => ({ snapshot: snapOf(id), bytes: i === 0 ? 2 ** 30 : 64 * 2 ** 20 }));
        const r = await runGate(chain[2], sizes);
        expect(r.code, r.out).to.equal(0);
        expect(fs.readFileSync(path.join(dir, "nodes"), "utf8")).to.equal("n1\nn2\n");
        expect(posts().map((q) => [q.status, JSON.parse(q.body)])).to.deep.equal([
            [201, { last_backup: chain[2], target_rsc_name: RSC, node_name: "n1", download_only: true }],
        ]);
        // It polled while the full and the first increment arrived: the chosen link was Shipping until its own report.
        expect(r.out.match(new RegExp(`backup ${chain[2].replace(/\^/g, "\\^")} is being downloaded`, "g"))).to.have.length(2);
        expect(r.out).to.contain(`OK: backup ${chain[2]} is downloaded (${RSC}/${snapOf(chain[2])})`);
        expect(local()).to.deep.equal(chain.map((id) => `${snapOf(id)}:Success@n1`));
        expect(linstor.replicas, "no resource: download only").to.deep.equal([]);
        // The list asked for the chosen backup only: LINSTOR read its one meta, not the bucket's five.
        const list = linstor.requests.find((q) => q.path.startsWith(`/v1/remotes/${REMOTE}/backups`));
        expect(list?.path).to.equal(`/v1/remotes/${REMOTE}/backups?rsc_name=${RSC}&snap_name=${snapOf(chain[2])}`);
        expect(linstor.metaReads).to.equal(1);
        // Its report: the three links its request downloaded, their bytes (1 GiB full, 64 MiB increments), its times.
        const report = JSON.parse(fs.readFileSync(path.join(dir, "termination-log"), "utf8"));
        expect(report).to.include({ downloaded: 3, bytes: 2 ** 30 + 2 * 64 * 2 ** 20, first: snapOf(chain[0]), last: snapOf(chain[2]) });
        expect(Date.parse(report.finished) - Date.parse(report.started)).to.be.within(0, 30000);
    });

    withTools("chain partly local (the standby downloaded the full): only the missing links, on the node holding the chain", async () => {
        restoreBackup(linstor, REMOTE, { last_backup: chain[0], target_rsc_name: RSC, node_name: "n2", download_only: true });
        finishRestores(linstor, true);
        linstor.onRequest = (method, p) => {
            if (method === "GET" && p === "/v1/view/snapshots" && posts().length > 0) nextLink(linstor, true);
        };
        const r = await runGate();
        expect(r.code, r.out).to.equal(0);
        expect(posts().map((q) => q.status)).to.deep.equal([201]);
        // Asked on n1; LINSTOR moved the download to n2, where the chain is.
        expect(local()).to.deep.equal(chain.map((id) => `${snapOf(id)}:Success@n2`));
        expect(r.out.match(/is being downloaded/g)).to.have.length(1);
    });

    withTools(
        "the download step mid-way on an older link: no request while it runs (each walks the chain under the lock), then one, Success",
        async () => {
            // The standby's download step fetches chain[1] (full + first increment) into the same resource definition.
            restoreBackup(linstor, REMOTE, { last_backup: chain[1], target_rsc_name: RSC, node_name: "n2", download_only: true });
            let polls = 0;
            linstor.onRequest = (method, p) => {
                // The step's links finish over a few polls; then the gate's own link.
                if (method === "GET" && p === "/v1/view/snapshots" && ++polls >= 3) nextLink(linstor, true);
            };
            const r = await runGate();
            expect(r.code, r.out).to.equal(0);
            expect(r.out.match(/waiting: another download into \S+ runs \(\S+ is Shipping\)/g)).to.have.length(3);
            expect(r.out).to.contain(`waiting: another download into ${RSC} runs (${snapOf(chain[1])} is Shipping)`);
            // Asked once, when nothing of the definition was Shipping: never refused, never re-asked every poll.
            expect(posts().map((q) => `${JSON.parse(q.body).node_name} ${q.status}`)).to.deep.equal(["n1 201"]);
            expect(local()).to.deep.equal(chain.map((id) => `${snapOf(id)}:Success@n2`));
            expect(r.out).to.contain(`OK: backup ${chain[2]} is downloaded`);
            // It reports the one link its request downloaded.
            expect(JSON.parse(fs.readFileSync(path.join(dir, "termination-log"), "utf8"))).to.include({ downloaded: 1, first: snapOf(chain[2]) });
        },
    );

    withTools("already downloaded: success without asking LINSTOR to download anything", async () => {
        restoreBackup(linstor, REMOTE, { last_backup: chain[2], target_rsc_name: RSC, node_name: "n2", download_only: true });
        finishRestores(linstor, true);
        const before = local();
        const r = await runGate();
        expect(r.code, r.out).to.equal(0);
        expect(posts()).to.have.length(0);
        expect(snapshotGets()).to.equal(1);
        expect(local()).to.deep.equal(before);
        // Nothing downloaded by the gate: the measurement has nothing to measure.
        expect(JSON.parse(fs.readFileSync(path.join(dir, "termination-log"), "utf8"))).to.have.keys("downloaded", "finished");
        expect(JSON.parse(fs.readFileSync(path.join(dir, "termination-log"), "utf8")).downloaded).to.equal(0);
    });

    withTools(
        "a controller restart mid-download (its links Aborted, kept): fails naming the link; the next pod deletes those newest first and asks again",
        async () => {
            let polls = 0;
            linstor.onRequest = (method, p) => {
                if (method !== "GET" || p !== "/v1/view/snapshots" || posts().length === 0) return;
                // The full arrives, then the controller restarts (PreConnectInitializer: Shipping → Aborted).
                if (++polls === 1) nextLink(linstor, true);
                else if (polls === 2) restartController(linstor);
            };
            const r = await runGate();
            expect(r.code).to.not.equal(0);
            expect(r.out).to.contain(`FAIL: the download of backup ${chain[2]} failed: ${RSC}/${snapOf(chain[2])} is Aborted`);
            expect(local()).to.deep.equal([`${snapOf(chain[0])}:Success@n1`, `${snapOf(chain[1])}:Aborted@n1`, `${snapOf(chain[2])}:Aborted@n1`]);

            linstor.requests.length = 0;
            linstor.onRequest = (method, p) => {
                if (method === "GET" && p === "/v1/view/snapshots" && posts().length > 0) nextLink(linstor, true);
            };
            const again = await runGate();
            expect(again.code, again.out).to.equal(0);
            // Only the Aborted links, newest first, before the one request; the full that arrived is kept and built on.
            const writes = linstor.requests.filter((q) => q.method !== "GET").map((q) => `${q.method} ${q.path.split("/").at(-1)} ${q.status}`);
            expect(writes).to.deep.equal([`DELETE ${snapOf(chain[2])} 200`, `DELETE ${snapOf(chain[1])} 200`, "POST restore 201"]);
            expect(local()).to.deep.equal([`${snapOf(chain[0])}:Success@n1`, `${snapOf(chain[1])}:Success@n1`, `${snapOf(chain[2])}:Success@n1`]);
            expect(JSON.parse(fs.readFileSync(path.join(dir, "termination-log"), "utf8"))).to.include({ downloaded: 2, bytes: null });
        },
    );

    withTools(
        "a Success link received on top of an Aborted one (LINSTOR's walk stops at any snapshot here) is deleted with it and downloaded again",
        async () => {
            brokenBase(linstor, chain);
            expect(local()).to.deep.equal([`${snapOf(chain[0])}:Success@n1`, `${snapOf(chain[1])}:Aborted@n1`, `${snapOf(chain[2])}:Success@n1`]);
            linstor.requests.length = 0;
            linstor.onRequest = (method, p) => {
                if (method === "GET" && p === "/v1/view/snapshots" && posts().length > 0) nextLink(linstor, true);
            };
            const r = await runGate();
            expect(r.code, r.out).to.equal(0);
            // The chosen link is Success, but on the Aborted one: both go, newest first; the full before them stays.
            const writes = linstor.requests.filter((q) => q.method !== "GET").map((q) => `${q.method} ${q.path.split("/").at(-1)} ${q.status}`);
            expect(writes).to.deep.equal([`DELETE ${snapOf(chain[2])} 200`, `DELETE ${snapOf(chain[1])} 200`, "POST restore 201"]);
            expect(r.out).to.contain(`deleted ${RSC}/${snapOf(chain[2])} (Success: received on or after an unfinished link)`);
            expect(local()).to.deep.equal(chain.map((id) => `${snapOf(id)}:Success@n1`));
            expect(JSON.parse(fs.readFileSync(path.join(dir, "termination-log"), "utf8"))).to.include({ downloaded: 2 });
        },
    );

    withTools(
        "a status it does not know (with a space), or Target keys without a status, is no success; a snapshot without any Target key is local",
        async () => {
            restoreBackup(linstor, REMOTE, { last_backup: chain[2], target_rsc_name: RSC, node_name: "n2", download_only: true });
            finishRestores(linstor, true);
            const mine = linstor.snapshots.find((x) => x.name === snapOf(chain[2]))!;
            (mine.received as { status: string }).status = "Prepare Abort";
            const odd = await runGate();
            expect(odd.code).to.not.equal(0);
            expect(odd.out).to.contain(`FAIL: the download of backup ${chain[2]} failed: ${RSC}/${snapOf(chain[2])} is Prepare Abort`);
            // Target keys (BackupSrcRemote) without a ShippingStatus: received, not local; never taken as downloaded.
            mine.received = { remote: REMOTE, backup: chain[2] };
            const keysOnly = await runGate();
            expect(keysOnly.code, keysOnly.out).to.not.equal(0);
            expect(keysOnly.out).to.contain(
                `FAIL: the download of backup ${chain[2]} failed: ${RSC}/${snapOf(chain[2])} is Target keys without a status`,
            );
            expect(posts()).to.have.length(0);
            mine.received = undefined;
            const here = await runGate();
            expect(here.code, here.out).to.equal(0);
            expect(posts()).to.have.length(0);
        },
    );

    withTools("downloaded by someone else between its read and its request: FAIL_EXISTS_SNAPSHOT is read back as success", async () => {
        linstor.onRequest = (method) => {
            if (method !== "POST" || local().length > 0) return;
            restoreBackup(linstor, REMOTE, { last_backup: chain[2], target_rsc_name: RSC, node_name: "n2", download_only: true });
            finishRestores(linstor, true);
        };
        const r = await runGate();
        expect(r.code, r.out).to.equal(0);
        expect(r.out).to.match(/refused the download on n1 \(HTTP 500, code 516\).*already been downloaded/);
        expect(posts()).to.have.length(1);
        expect(r.out).to.contain(`OK: backup ${chain[2]} is downloaded`);
    });

    withTools("a failed link fails the Job (non-zero exit): the chosen link is Aborting, then LINSTOR deletes the chain", async () => {
        linstor.onRequest = (method, p) => {
            if (method === "GET" && p === "/v1/view/snapshots" && posts().length > 0) nextLink(linstor, false);
        };
        const r = await runGate();
        expect(r.code).to.not.equal(0);
        expect(r.step).to.equal("download");
        expect(r.out).to.contain(`FAIL: the download of backup ${chain[2]} failed: ${RSC}/${snapOf(chain[2])} is Aborting`);
        expect(local()).to.deep.equal([`${snapOf(chain[0])}:Failed@n1`, `${snapOf(chain[1])}:Aborting@n1`, `${snapOf(chain[2])}:Aborting@n1`]);
        reapAborted(linstor);
        expect(local()).to.deep.equal([]);
        // Already deleted when it looks: failed as well, not asked again.
        linstor.onRequest = (method, p) => {
            if (method === "GET" && p === "/v1/view/snapshots" && posts().length > 1) {
                nextLink(linstor, false);
                reapAborted(linstor);
            }
        };
        const again = await runGate();
        expect(again.code).to.not.equal(0);
        expect(again.out).to.contain(`FAIL: the download of backup ${chain[2]} failed (LINSTOR removed ${RSC}/${snapOf(chain[2])})`);
        expect(posts()).to.have.length(2);
    });

    withTools("node offline: the next satellite downloads; none connected, or none taking it, fails the Job", async () => {
        // n1 disconnects after the list: FAIL_NOT_CONNECTED (995), then n2.
        linstor.onRequest = (method, p) => {
            if (method === "POST") linstor.disconnect("n1");
            if (method === "GET" && p === "/v1/view/snapshots") finishRestores(linstor, true);
        };
        const r = await runGate();
        expect(r.code, r.out).to.equal(0);
        expect(r.out).to.match(/refused the download on n1 \(HTTP 500, code 995\)/);
        expect(posts().map((q) => `${JSON.parse(q.body).node_name} ${q.status}`)).to.deep.equal(["n1 500", "n2 201"]);
        expect(local()).to.deep.equal(chain.map((id) => `${snapOf(id)}:Success@n2`));

        // No satellite with the data pool connected: the pick fails before asking.
        linstor.snapshots = [];
        linstor.onRequest = () => undefined;
        linstor.disconnect("n2");
        const none = await runGate();
        expect(none.code).to.not.equal(0);
        expect(none.step).to.equal("pick");
        expect(none.out).to.contain("FAIL: no connected satellite with storage pool data to download on");

        // Listed, then gone (FAIL_NOT_FOUND_NODE, 404): no satellite took it.
        linstor.nodes.get("n2")!.connection_status = "ONLINE";
        linstor.onRequest = (method) => {
            if (method === "POST") linstor.disconnect("n1");
            if (method === "POST") linstor.nodes.delete("n2");
        };
        const gone = await runGate();
        expect(gone.code).to.not.equal(0);
        expect(gone.out).to.match(/refused the download on n2 \(HTTP 404, code 300\)/);
        expect(gone.out).to.contain(`FAIL: no satellite took the download of backup ${chain[2]}`);
        expect(local()).to.deep.equal([]);
    });

    withTools("a backup LINSTOR does not list as complete fails the Job before asking", async () => {
        bucket.deleteObject(`${chain[0]}.meta`);
        const r = await runGate(chain[0]);
        expect(r.step).to.equal("pick");
        expect(r.out).to.contain(`FAIL: remote ${REMOTE} does not list backup ${chain[0]} as complete and restorable`);
        expect(posts()).to.have.length(0);
    });

    it("the Job: named and labelled by the backup key, awaited (no skipAwait, no TTL), deadline from the chain", () => {
        const job = restoreGateJob(args("pvc-x_back_20260701_001000^snapshot-x", { chainBytes: 20 * 2 ** 30, chainLength: 24 }));
        expect(job.metadata.name).to.equal("restore-gate-20260701-001000-1a2b3c4d");
        expect(job.metadata.labels).to.deep.equal({ [RESTORE_GATE_LABEL]: "20260701-001000-1a2b3c4d" });
        expect(job.metadata.annotations).to.deep.equal({ "pulumi.com/replaceUnready": "true" });
        expect(job.spec).to.not.have.property("ttlSecondsAfterFinished");
        expect(job.spec.backoffLimit).to.equal(1);
        const chainSeconds = restoreSeconds({ chainBytes: 20 * 2 ** 30, chainLength: 24 });
        expect(job.spec.activeDeadlineSeconds).to.equal(chainSeconds + RESTORE_GATE_START_SECONDS);
        const tpl = job.spec.template;
        expect(tpl.metadata.labels).to.include({ [RESTORE_GATE_LABEL]: "20260701-001000-1a2b3c4d", "ha-jenkins-eks.io/linstor-api-client": "true" });
        expect(tpl.spec.automountServiceAccountToken).to.equal(false);
        const download = tpl.spec.containers[0];
        const env = Object.fromEntries(download.env.map((e) => [e.name, e.value]));
        expect(env).to.include({ POLL_SECONDS: String(RESTORE_GATE_POLL_SECONDS), REMOTE });
        expect(Number(env.POST_ATTEMPTS) * RESTORE_GATE_POLL_SECONDS).to.be.at.least(job.spec.activeDeadlineSeconds);
        const pick = Object.fromEntries(tpl.spec.initContainers[1].env.map((e) => [e.name, e.value]));
        expect(pick.BACKUP_ID).to.equal("pvc-x_back_20260701_001000^snapshot-x");
        // The list asks for that backup only; the report goes where kubelet reads it; no sizes known, no LINK_BYTES.
        expect(tpl.spec.initContainers[0].env).to.deep.include({ name: "LIST_QUERY", value: `?rsc_name=${RSC}&snap_name=snapshot-x` });
        expect(download).to.include({ terminationMessagePath: "/dev/termination-log", terminationMessagePolicy: "File" });
        expect(env).to.not.have.property("LINK_BYTES");
        const a = args("pvc-x_back_20260701_001000^snapshot-x");
        const sized = restoreGateJob({
            ...a,
            backup: {
                ...a.backup,
                links: [
                    { snapshot: "snapshot-x", bytes: 5 },
                    { snapshot: "snapshot-w", bytes: 7 },
                ],
            },
        });
        expect(sized.spec.template.spec.containers[0].env).to.deep.include({ name: "LINK_BYTES", value: "snapshot-x=5 snapshot-w=7" });
        expect(RESTORE_GATE_POLL_SECONDS).to.equal(5);
    });

    it("refuses a key too long for the Job's name and a backup id that is not LINSTOR's", () => {
        expect(() => validateRestoreGateArgs({ ...args(chain?.[0] ?? "pvc-x_back_20260701_001000^s"), key: "x".repeat(51) })).to.throw(
            /RestoreGate\.key/,
        );
        expect(() => validateRestoreGateArgs({ ...args("pvc-x_back_20260701_001000^s"), backup: { ...args("a^b").backup, id: "a b" } })).to.throw(
            /RestoreGate\.backup\.id/,
        );
        const bad = { ...args("a^b").backup, links: [{ snapshot: "snap shot", bytes: 1 }] };
        expect(() => validateRestoreGateArgs({ ...args("a^b"), backup: bad })).to.throw(/RestoreGate\.backup\.links/);
    });
});
