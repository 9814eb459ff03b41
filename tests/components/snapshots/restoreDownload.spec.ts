/**
 * The warm standby's download step: its three containers' scripts run for real (sh + curl, bash + jq) against the fake
 * LINSTOR controller over HTTPS with its client certificate, whose backup restore answers like linstor-server v1.33.3
 * (tests/support/fakes/fakeLinstorRestore.ts): a chain downloaded once and then link by link, an offline node passed
 * over, another restore in progress waited for, a failing download failing the run.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { PICK_NEWEST_RESTORABLE } from "../../../components/snapshots/restoreCheck";
import {
    DOWNLOAD_LIST_SCRIPT,
    DOWNLOAD_PICK_SCRIPT,
    DOWNLOAD_SCRIPT,
    describeRestoreDownload,
    type RestoreDownloadArgs,
    restoreDownloadCronJobSpec,
} from "../../../components/snapshots/restoreDownload";
import { FakeLinstor } from "../../support/fakes/fakeLinstor";
import { FakeLinstorBucket, shipChain } from "../../support/fakes/fakeLinstorBucket";
import { brokenBase, finishRestores, nextLink, restartController, restoreBackup } from "../../support/fakes/fakeLinstorRestore";
import { apiTlsFiles, clientEnv, hasOpenssl } from "../../support/fakes/linstorApiTls";
import { haveCommand, runSteps } from "../../support/shellScript";

const REMOTE = "s3-us-east-2";
const RSC = "pvc-0a1b2c3d-0000-4000-8000-000000000001";
const OTHER = "pvc-0a1b2c3d-0000-4000-8000-0000000000ff";
const ARGS: RestoreDownloadArgs = {
    linstorNamespace: "piraeus-datastore",
    remoteName: REMOTE,
    schedule: "*/5 * * * *",
    image: "registry.k8s.io/kubectl:v1.35.1",
    curlImage: "docker.io/curlimages/curl:8.16.0",
    deadlineSeconds: 3600,
    slackSeconds: 1200,
    originResources: [RSC],
};
const runnable = haveCommand("curl") && haveCommand("jq") && hasOpenssl;

describe("RestoreDownload: the download-only step against the fake LINSTOR", function () {
    this.timeout(60000);
    const withTools = runnable ? it : it.skip;
    let linstor: FakeLinstor;
    let bucket: FakeLinstorBucket;
    let chain: string[];
    let dir: string;
    const snap = (id: string) => id.split("^")[1];
    const local = () => linstor.snapshots.filter((s) => s.resource === RSC).map((s) => `${s.name}:${s.received?.status}@${s.nodes.join(",")}`);
    const posts = () => linstor.requests.filter((q) => q.method === "POST");

    /** One run: the list, pick and download containers in turn, each stopping the run when it fails. */
    async function run(): Promise<{ code: number; out: string; step: string }> {
        const env = {
            PATH: process.env.PATH ?? "/usr/bin:/bin",
            LINSTOR_API: linstor.url,
            ...clientEnv(apiTlsFiles().client),
            REMOTE,
            WORK: dir,
            STORAGE_POOL: "data",
            CONNECT_RETRIES: "0",
            PICK: PICK_NEWEST_RESTORABLE,
            ORIGINS: JSON.stringify([RSC]),
            LIST_QUERY: `?rsc_name=${RSC}`,
            POLL_SECONDS: "0",
            POST_ATTEMPTS: "3",
            TERMINATION_LOG: path.join(dir, "termination-log"),
        };
        return runSteps([
            { name: "list", shell: "/bin/sh", script: DOWNLOAD_LIST_SCRIPT, env },
            { name: "pick", shell: "bash", script: DOWNLOAD_PICK_SCRIPT, env },
            { name: "download", shell: "/bin/sh", script: DOWNLOAD_SCRIPT, env },
        ]);
    }

    beforeEach(async function () {
        if (!runnable) this.skip();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "restore-download-"));
        bucket = new FakeLinstorBucket("b");
        chain = shipChain(bucket, {
            resource: RSC,
            pvcNamespace: "jenkins",
            pvcName: "jenkins-home",
            start: new Date("2026-07-01T00:00:00Z"),
            increments: 2,
            stepMinutes: 5,
        });
        // A newer backup of another claim in the same bucket: never the Jenkins claim's to download.
        shipChain(bucket, { resource: OTHER, pvcNamespace: "monitoring", pvcName: "x", start: new Date("2026-07-02T00:00:00Z"), increments: 0 });
        linstor = new FakeLinstor({
            nodes: [{ name: "n1" }, { name: "n2" }, { name: "n3", flags: ["EVICTED"] }],
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

    withTools("downloads the newest complete chain of the claim into the origin resource, then only what is new; no claim or resource", async () => {
        // n1 disconnects after the node list was read; the satellite finishes a download by the time the step asks.
        linstor.onRequest = (method, p) => {
            if (method === "POST") linstor.disconnect("n1");
            if (method === "GET" && p === "/v1/view/snapshots") finishRestores(linstor, true);
        };
        const first = await run();
        expect(first.code, first.out).to.equal(0);
        // n1 is not connected (FAIL_NOT_CONNECTED, HTTP 500), n3 is evicted (not asked): the download runs on n2.
        expect(fs.readFileSync(path.join(dir, "nodes"), "utf8")).to.equal("n1\nn2\n");
        // FAIL_NOT_CONNECTED (995, no object mask): the next node.
        expect(first.out).to.match(/refused the download on n1 \(HTTP 500, code 995\).*No active connection to satellite 'n1'/);
        expect(first.out).to.contain(`downloading backup ${chain[2]} on n2`);
        expect(first.out).to.contain(`OK: backup ${chain[2]} is downloaded`);
        expect(local()).to.deep.equal(chain.map((id) => `${snap(id)}:Success@n2`));
        expect(posts().map((q) => `${q.path} ${q.status}`)).to.deep.equal([
            `/v1/remotes/${REMOTE}/backups/restore 500`,
            `/v1/remotes/${REMOTE}/backups/restore 201`,
        ]);
        // LINSTOR made the origin's resource definition to hold the snapshots (getRscDfnForBackupRestore), without resources.
        expect([...linstor.definitions.keys()]).to.deep.equal([RSC]);
        expect(linstor.replicas).to.deep.equal([]);
        // One origin: LINSTOR listed that resource's keys only and read its three metas, not the other claim's.
        expect(linstor.requests.find((q) => q.path.startsWith(`/v1/remotes/${REMOTE}/backups`))?.path).to.equal(
            `/v1/remotes/${REMOTE}/backups?rsc_name=${RSC}`,
        );
        expect(linstor.metaReads).to.equal(3);

        // Nothing new: no request to download.
        const again = await run();
        expect(again.code, again.out).to.equal(0);
        expect(posts()).to.have.length(2);

        // A new increment: one link downloaded, on top of the chain already here.
        const next = bucket.ship({
            resource: RSC,
            pvcNamespace: "jenkins",
            pvcName: "jenkins-home",
            snapshot: "snapshot-next",
            start: new Date("2026-07-01T00:15:00Z"),
            basedOn: chain[2],
        });
        const third = await run();
        expect(third.code, third.out).to.equal(0);
        expect(third.out).to.contain(`OK: backup ${next} is downloaded`);
        expect(local()).to.deep.equal([...chain.map((id) => `${snap(id)}:Success@n2`), "snapshot-next:Success@n2"]);
        expect(posts().filter((q) => q.status === 201)).to.have.length(2);
    });

    withTools("LINSTOR's 'already downloaded' (FAIL_EXISTS_SNAPSHOT) and a restore someone else runs end as success or a wait", async () => {
        // The restore check's (or a fail-over's) linstor-csi restore of an older backup holds the resource definition.
        expect(
            restoreBackup(linstor, REMOTE, { last_backup: chain[0], target_rsc_name: RSC, node_name: "n2", download_only: true })[0].message,
        ).to.match(/in progress/);
        let polls = 0;
        linstor.onRequest = (method, p) => {
            if (method === "GET" && p === "/v1/view/snapshots" && ++polls >= 2) finishRestores(linstor, true);
        };
        const r = await run();
        expect(r.code, r.out).to.equal(0);
        // It waited for that restore instead of asking (LINSTOR would have refused with FAIL_IN_USE after walking the chain).
        expect(r.out).to.contain(`waiting: another download into ${RSC} runs (${snap(chain[0])} is Shipping)`);
        expect(posts().map((q) => q.status)).to.deep.equal([201]);
        expect(local()).to.deep.equal(chain.map((id) => `${snap(id)}:Success@n2`));
        // Upstream's answer once the chain is here, which the step never needs to ask for.
        const answer = restoreBackup(linstor, REMOTE, { last_backup: chain[2], target_rsc_name: RSC, node_name: "n2", download_only: true });
        expect(answer[0].message).to.match(/has already been downloaded to this cluster/);
    });

    withTools("waits for a download of the same backup already running instead of asking again", async () => {
        restoreBackup(linstor, REMOTE, { last_backup: chain[2], target_rsc_name: RSC, node_name: "n2", download_only: true });
        let polls = 0;
        linstor.onRequest = (method, p) => {
            if (method === "GET" && p === "/v1/view/snapshots" && ++polls >= 3) finishRestores(linstor, true);
        };
        const r = await run();
        expect(r.code, r.out).to.equal(0);
        expect(r.out).to.contain(`backup ${chain[2]} is being downloaded`);
        expect(posts()).to.have.length(0);
    });

    withTools(
        "a controller restart left links Aborted: fails naming one while it downloads; the next run deletes them (newest first) and downloads again",
        async () => {
            let polls = 0;
            linstor.onRequest = (method, p) => {
                if (method !== "GET" || p !== "/v1/view/snapshots" || posts().length === 0) return;
                if (++polls === 1) nextLink(linstor, true);
                else if (polls === 2) restartController(linstor);
            };
            const r = await run();
            expect(r.code).to.not.equal(0);
            expect(r.out).to.contain(`FAIL: the download of backup ${chain[2]} failed: ${RSC}/${snap(chain[2])} is Aborted`);
            // A Failed link left behind (a failed receive not deleted yet) goes too; a Success one stays.
            linstor.snapshots.find((x) => x.name === snap(chain[1]))!.received!.status = "Failed";
            linstor.requests.length = 0;
            linstor.onRequest = (method, p) => {
                if (method === "GET" && p === "/v1/view/snapshots" && posts().length > 0) finishRestores(linstor, true);
            };
            const again = await run();
            expect(again.code, again.out).to.equal(0);
            expect(linstor.requests.filter((q) => q.method !== "GET").map((q) => `${q.method} ${q.path.split("/").at(-1)}`)).to.deep.equal([
                `DELETE ${snap(chain[2])}`,
                `DELETE ${snap(chain[1])}`,
                "POST restore",
            ]);
            expect(local()).to.deep.equal(chain.map((id) => `${snap(id)}:Success@n1`));
        },
    );

    withTools("a Success link received on top of an Aborted one is deleted with it (newest first) and downloaded again", async () => {
        brokenBase(linstor, chain);
        expect(local()).to.deep.equal([`${snap(chain[0])}:Success@n1`, `${snap(chain[1])}:Aborted@n1`, `${snap(chain[2])}:Success@n1`]);
        linstor.requests.length = 0;
        linstor.onRequest = (method, p) => {
            if (method === "GET" && p === "/v1/view/snapshots" && posts().length > 0) finishRestores(linstor, true);
        };
        const r = await run();
        expect(r.code, r.out).to.equal(0);
        expect(linstor.requests.filter((q) => q.method !== "GET").map((q) => `${q.method} ${q.path.split("/").at(-1)} ${q.status}`)).to.deep.equal([
            `DELETE ${snap(chain[2])} 200`,
            `DELETE ${snap(chain[1])} 200`,
            "POST restore 201",
        ]);
        expect(local()).to.deep.equal(chain.map((id) => `${snap(id)}:Success@n1`));
    });

    withTools("the clean-up never deletes a snapshot made here, even beside an Aborted link with no start time", async () => {
        brokenBase(linstor, chain);
        // A local snapshot (no BackupShipping/Target key: made or shipped by this cluster), and the Aborted link's start
        // time gone, so the oldest broken start reads 0 and only the `local` test keeps the local one.
        linstor.snapshots.push({ name: "snapshot-made-here", resource: RSC, nodes: ["n1"] });
        const aborted = linstor.snapshots.find((x) => x.name === snap(chain[1]))!;
        aborted.received = { ...aborted.received!, start: undefined };
        linstor.requests.length = 0;
        linstor.onRequest = (method, p) => {
            if (method === "GET" && p === "/v1/view/snapshots" && posts().length > 0) finishRestores(linstor, true);
        };
        const r = await run();
        expect(r.code, r.out).to.equal(0);
        const deleted = linstor.requests.filter((q) => q.method === "DELETE").map((q) => q.path.split("/").at(-1));
        expect(deleted).to.include(snap(chain[1])).and.not.include("snapshot-made-here");
        expect(linstor.snapshots.map((x) => x.name)).to.include("snapshot-made-here");
    });

    withTools("a failing download fails the run (monitoring alerts); LINSTOR removed the failed links", async () => {
        linstor.onRequest = (method, p) => {
            if (method === "GET" && p === "/v1/view/snapshots" && posts().length > 0) finishRestores(linstor, false);
        };
        const r = await run();
        expect(r.code).to.not.equal(0);
        expect(r.out).to.contain(`FAIL: the download of backup ${chain[2]} failed`);
        expect(local()).to.deep.equal([]);
    });

    withTools("fails when no complete backup of the claim exists, no satellite is connected, or LINSTOR keeps refusing", async () => {
        bucket.deleteObject(`${chain[0]}.meta`);
        const none = await run();
        expect(none.step).to.equal("pick");
        expect(none.out).to.contain(`FAIL: remote ${REMOTE} lists no restorable backup of ["${RSC}"]`);
        linstor.disconnect("n1");
        linstor.disconnect("n2");
        const fresh = new FakeLinstorBucket("c");
        const [full, increment] = shipChain(fresh, { resource: RSC, start: new Date("2026-07-01T00:00:00Z"), increments: 1 });
        linstor.remotes.set(REMOTE, fresh);
        const r = await run();
        expect(r.step).to.equal("pick");
        expect(r.out).to.contain("no connected satellite");
        // A restore into the resource definition that never ends: waited for, never asked, until the attempts run out.
        linstor.nodes.get("n2")!.connection_status = "ONLINE";
        expect(restoreBackup(linstor, REMOTE, { last_backup: full, target_rsc_name: RSC, node_name: "n2", download_only: true })[0].message).to.match(
            /in progress/,
        );
        const stuck = await run();
        expect(stuck.code).to.not.equal(0);
        expect(stuck.out).to.contain(`FAIL: LINSTOR did not download backup ${increment}`);
        expect(stuck.out.match(/waiting: another download into/g)).to.have.length(3);
        expect(posts()).to.have.length(0);
    });

    it("the CronJob: every 5 minutes, one run at a time, a LINSTOR API client by its certificate and label, no Kubernetes token", () => {
        const spec = restoreDownloadCronJobSpec(ARGS) as any;
        expect(spec).to.include({ schedule: "*/5 * * * *", concurrencyPolicy: "Forbid" });
        const tpl = spec.jobTemplate.spec.template;
        expect(spec.jobTemplate.spec.activeDeadlineSeconds).to.equal(3600);
        expect(tpl.metadata.labels).to.include({ "ha-jenkins-eks.io/linstor-api-client": "true" });
        expect(tpl.spec.automountServiceAccountToken).to.equal(false);
        expect(tpl.spec.securityContext.fsGroup).to.equal(65532);
        const [list, pickC] = tpl.spec.initContainers;
        const [download] = tpl.spec.containers;
        for (const c of [list, download]) {
            const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
            expect(env).to.include({ LINSTOR_API: "https://linstor-controller.piraeus-datastore.svc:3371", REMOTE });
            expect(env.LINSTOR_CLIENT_CERT).to.match(/tls\.crt$/);
            expect(c.volumeMounts).to.deep.include({ name: "linstor-api-client", mountPath: "/etc/linstor-api-client", readOnly: true });
            expect(c.image).to.equal(ARGS.curlImage);
        }
        expect(pickC.image).to.equal(ARGS.image);
        expect(list.env).to.deep.include({ name: "LIST_QUERY", value: `?rsc_name=${RSC}` });
        expect(
            restoreDownloadCronJobSpec({ ...ARGS, originResources: [RSC, OTHER] }).jobTemplate.spec.template.spec.initContainers[0].env.map(
                (e) => e.name,
            ),
        ).to.not.include("LIST_QUERY");
        expect(Object.fromEntries(pickC.env.map((e: any) => [e.name, e.value]))).to.include({ ORIGINS: JSON.stringify([RSC]) });
        expect(pickC.volumeMounts.some((m: any) => m.name === "linstor-api-client")).to.equal(false);
        expect(describeRestoreDownload(ARGS)).to.deep.include({
            name: "restore-download",
            intervalSeconds: 300,
            slackSeconds: 1200,
            alertOnFailedRun: false,
        });
    });
});
