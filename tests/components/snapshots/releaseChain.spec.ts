/**
 * The release of a DR restore's downloaded chain: the Job's four scripts run for real (bash + kubectl + jq, sh + curl)
 * against a fake kubectl and the fake LINSTOR controller over HTTPS with its client certificate, whose snapshot and
 * resource-definition deletes answer like linstor-server v1.33.3 (fakeLinstorState.ts deleteSnapshot,
 * deleteDefinition) and whose chain was downloaded through its backup restore (fakeLinstorRestore.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import {
    RELEASE_CLAIM_SCRIPT,
    RELEASE_LIST_SCRIPT,
    RELEASE_PLAN_SCRIPT,
    RELEASE_SCRIPT,
    type ReleaseChainArgs,
    releaseChainJobSpec,
    validateReleaseChainArgs,
} from "../../../components/snapshots/releaseChain";
import { FakeLinstor } from "../../support/fakes/fakeLinstor";
import { FakeLinstorBucket, shipChain } from "../../support/fakes/fakeLinstorBucket";
import { finishRestores, nextLink, restoreBackup } from "../../support/fakes/fakeLinstorRestore";
import { apiTlsFiles, clientEnv, hasOpenssl } from "../../support/fakes/linstorApiTls";
import { haveCommand, runSteps } from "../../support/shellScript";

const REMOTE = "s3-us-east-2";
const ORIGIN = "pvc-0a1b2c3d-0000-4000-8000-000000000001";
const UID = "22222222-0000-4000-8000-000000000002";
const RESTORED = `pvc-${UID}`;
const ARGS: ReleaseChainArgs = {
    linstorNamespace: "piraeus-datastore",
    claimNamespace: "jenkins",
    claimName: "jenkins-dr-20260701-000500-1a2b3c4d",
    restoredPvName: RESTORED,
    originResources: [ORIGIN],
    restoreKey: "20260701-000500-1a2b3c4d",
    standbySchedules: ["restore-download", "restore-check"],
    image: "registry.k8s.io/kubectl:v1.35.1",
    curlImage: "docker.io/curlimages/curl:8.16.0",
};
const runnable = haveCommand("curl") && haveCommand("jq") && hasOpenssl;

/**
 * kubectl as the claim step calls it: the claim and its PV from files the test writes. A CronJob exists while its file
 * does; a number N in it deletes it after its N-th read (Pulumi deleting it while the Job waits, on a given poll).
 */
const FAKE_KUBECTL = `#!/usr/bin/env bash
echo "$*" >> "$FAKE_DIR/calls.log"
case "$*" in
  "-n piraeus-datastore get cronjob "*" --ignore-not-found -o name")
    [ ! -e "$FAKE_DIR/cronjobs.forbidden" ] || { echo "Error from server (Forbidden): cronjobs.batch "$5" is forbidden" >&2; exit 1; }
    f="$FAKE_DIR/cronjob.$5"
    [ -e "$f" ] || exit 0
    echo "cronjob.batch/$5"
    n="$(cat "$f")"
    if [ "$n" = 1 ]; then rm "$f"; elif [ -n "$n" ]; then echo "$((n - 1))" > "$f"; fi ;;
  "-n jenkins get pvc ${ARGS.claimName} -o json") cat "$FAKE_DIR/pvc.json" ;;
  "get pv "*" -o json") [ "$3" = "$(cat "$FAKE_DIR/pv.name")" ] && cat "$FAKE_DIR/pv.json" || { echo "Error from server (NotFound)" >&2; exit 1; } ;;
  *) echo "unexpected kubectl $*" >&2; exit 3 ;;
esac
`;

describe("ReleaseChain: releasing a restore's downloaded chain against the fake LINSTOR", function () {
    this.timeout(60000);
    const withTools = runnable ? it : it.skip;
    let linstor: FakeLinstor;
    let bucket: FakeLinstorBucket;
    let chain: string[];
    let dir: string;
    const snap = (id: string) => id.split("^")[1];
    const deletes = () => linstor.requests.filter((q) => q.method === "DELETE").map((q) => `${q.path} ${q.status}`);
    const originSnapshots = () => linstor.snapshots.filter((s) => s.resource === ORIGIN).map((s) => s.name);

    function claim(o: { phase?: string; volumeName?: string; pvClaim?: string; driver?: string } = {}): void {
        const pv = o.volumeName ?? RESTORED;
        const kube = path.join(dir, "kube");
        fs.mkdirSync(kube, { recursive: true });
        fs.writeFileSync(
            path.join(kube, "pvc.json"),
            JSON.stringify({ metadata: { name: ARGS.claimName, uid: UID }, spec: { volumeName: pv }, status: { phase: o.phase ?? "Bound" } }),
        );
        fs.writeFileSync(path.join(kube, "pv.name"), pv);
        fs.writeFileSync(
            path.join(kube, "pv.json"),
            JSON.stringify({
                metadata: { name: pv },
                spec: {
                    claimRef: { namespace: "jenkins", name: o.pvClaim ?? ARGS.claimName, uid: UID },
                    csi: { driver: o.driver ?? "linstor.csi.linbit.com", volumeHandle: pv },
                },
                status: { phase: "Bound" },
            }),
        );
    }

    /** One run of the Job: its containers in turn, each stopping the run when it fails. */
    async function run(origins = [ORIGIN], schedulesWaitSeconds = 2, downloadWaitSeconds = 0): Promise<{ code: number; out: string; step: string }> {
        const env = {
            PATH: `${dir}/bin:${process.env.PATH ?? "/usr/bin:/bin"}`,
            FAKE_DIR: path.join(dir, "kube"),
            HOME: dir,
            LINSTOR_API: linstor.url,
            ...clientEnv(apiTlsFiles().client),
            WORK: dir,
            CONNECT_RETRIES: "0",
            LINSTOR_NAMESPACE: "piraeus-datastore",
            STANDBY_SCHEDULES: "restore-download restore-check",
            SCHEDULES_WAIT_SECONDS: String(schedulesWaitSeconds),
            SCHEDULES_POLL_SECONDS: "0.2",
            CLAIM_NAMESPACE: "jenkins",
            CLAIM: ARGS.claimName,
            RESTORED_PV: RESTORED,
            ORIGIN_RESOURCES: origins.join(" "),
            DOWNLOAD_WAIT_SECONDS: String(downloadWaitSeconds),
            POLL_SECONDS: "0",
            SNAPSHOT_POLLS: "2",
        };
        return runSteps([
            { name: "claim", shell: "bash", script: RELEASE_CLAIM_SCRIPT, env },
            { name: "list", shell: "/bin/sh", script: RELEASE_LIST_SCRIPT, env },
            { name: "plan", shell: "bash", script: RELEASE_PLAN_SCRIPT, env },
            { name: "release", shell: "/bin/sh", script: RELEASE_SCRIPT, env },
        ]);
    }

    beforeEach(async function () {
        if (!runnable) this.skip();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "release-chain-"));
        fs.mkdirSync(path.join(dir, "bin"));
        fs.writeFileSync(path.join(dir, "bin", "kubectl"), FAKE_KUBECTL, { mode: 0o755 });
        claim();
        bucket = new FakeLinstorBucket("b");
        chain = shipChain(bucket, {
            resource: ORIGIN,
            pvcNamespace: "jenkins",
            pvcName: "jenkins-home",
            start: new Date("2026-07-01T00:00:00Z"),
            increments: 2,
            stepMinutes: 5,
        });
        linstor = new FakeLinstor({
            nodes: [{ name: "n1" }, { name: "n2" }, { name: "n3" }],
            groups: [],
            // The restored claim's volume, made from the newest downloaded snapshot: two diskful replicas and a tie-breaker.
            resources: [
                {
                    name: RESTORED,
                    group: "DfltRscGrp",
                    replicas: [{ node: "n1" }, { node: "n2" }, { node: "n3", kind: "tiebreaker" }],
                },
            ],
            remotes: { [REMOTE]: bucket },
        });
        // The fail-over's download (linstor-csi, the restore gate or the standby's step): the chain into the origin's name.
        expect(
            restoreBackup(linstor, REMOTE, { last_backup: chain[2], target_rsc_name: ORIGIN, node_name: "n1", download_only: true })[0].message,
        ).to.match(/in progress/);
        finishRestores(linstor, true);
        await linstor.start(apiTlsFiles().server);
    });
    afterEach(async () => {
        await linstor?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    withTools("deletes the origin's downloaded snapshots newest first, then its empty definition; the restored volume and S3 stay", async () => {
        const keys = [...bucket.keys()].sort();
        expect(originSnapshots()).to.have.length(3);
        expect(linstor.definitions.has(ORIGIN)).to.equal(true);
        const r = await run();
        expect(r.code, r.out).to.equal(0);
        expect(r.out).to.contain(`claim jenkins/${ARGS.claimName} is Bound to ${RESTORED}, LINSTOR resource ${RESTORED}`);
        expect(r.out).to.contain("plan: 3 snapshot(s), 1 resource definition(s)");
        expect(deletes()).to.deep.equal([
            ...[...chain].reverse().map((id) => `/v1/resource-definitions/${ORIGIN}/snapshots/${snap(id)} 200`),
            `/v1/resource-definitions/${ORIGIN} 200`,
        ]);
        expect(r.out).to.contain(`OK: released the downloaded chain of ${ORIGIN}`);
        expect(originSnapshots()).to.deep.equal([]);
        expect([...linstor.definitions.keys()]).to.deep.equal([RESTORED]);
        expect(linstor.replicasOf(RESTORED)).to.have.length(3);
        expect([...bucket.keys()].sort()).to.deep.equal(keys);

        // Run again (a Job recreated after a refresh): nothing left, nothing asked.
        const again = await run();
        expect(again.code, again.out).to.equal(0);
        expect(again.out).to.contain("plan: 0 snapshot(s), 0 resource definition(s)");
        expect(deletes()).to.have.length(4);
    });

    withTools("waits for the standby's schedules to be gone, and refuses while one stays or cannot be read", async () => {
        const kube = path.join(dir, "kube");
        // A fail-over whose `up` failed after recording its outputs: the restore check is still there.
        fs.writeFileSync(path.join(kube, "cronjob.restore-check"), "");
        let r = await run();
        expect(r.step, r.out).to.equal("claim");
        expect(r.out).to.contain("waiting for the standby's schedule(s) restore-check to be deleted");
        expect(r.out).to.contain("REFUSED: the standby's schedule(s) restore-check still exist in piraeus-datastore");
        expect(linstor.requests, "LINSTOR not even asked").to.deep.equal([]);
        // Both there, then Pulumi deletes them at the end of the `up` (here: after the Job's second poll): the release
        // goes on. The wait's bound is far beyond two polls (bash's SECONDS counts whole seconds: "2" may be 1.0 s).
        for (const c of ["restore-download", "restore-check"]) fs.writeFileSync(path.join(kube, `cronjob.${c}`), "2");
        r = await run([ORIGIN], 60);
        expect(r.code, r.out).to.equal(0);
        expect(r.out).to.contain("waiting for the standby's schedule(s) restore-download restore-check to be deleted");
        expect(r.out).to.contain(`OK: released the downloaded chain of ${ORIGIN}`);
        // Not allowed to read them (or any other error): refused, not taken for "gone".
        const before = linstor.requests.length;
        fs.writeFileSync(path.join(kube, "cronjobs.forbidden"), "");
        r = await run();
        expect(r.step, r.out).to.equal("claim");
        expect(r.out).to.contain("REFUSED: could not read CronJob piraeus-datastore/restore-download");
        expect(linstor.requests.length).to.equal(before);
    });

    withTools("refuses before the claim is Bound to its own linstor-csi PV", async () => {
        for (const [o, why] of [
            [{ phase: "Pending" }, `claim jenkins/${ARGS.claimName} is Pending: the restore is not in use yet`],
            [{ volumeName: "pvc-someone-else" }, `is bound to 'pvc-someone-else', not ${RESTORED}`],
            [{ pvClaim: "other-claim" }, `PV ${RESTORED} is not a linstor-csi volume Bound to claim jenkins/${ARGS.claimName}`],
            [{ driver: "ebs.csi.aws.com" }, "is not a linstor-csi volume"],
        ] as const) {
            claim(o);
            const r = await run();
            expect(r.step, r.out).to.equal("claim");
            expect(r.out).to.contain("REFUSED: ").and.contain(why);
        }
        expect(deletes()).to.deep.equal([]);
        expect(originSnapshots()).to.have.length(3);
    });

    withTools("refuses while the restored volume is not UpToDate, a download runs, or a snapshot was not downloaded", async () => {
        const expectRefused = async (why: string | RegExp, origins = [ORIGIN]) => {
            const r = await run(origins);
            expect(r.step, r.out).to.equal("plan");
            expect(r.out).to.match(typeof why === "string" ? new RegExp(`REFUSED: .*${why.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`) : why);
        };
        for (const rep of linstor.replicasOf(RESTORED)) if (rep.kind === "diskful") rep.diskState = "Inconsistent";
        await expectRefused(`the restored resource ${RESTORED} is not UpToDate on any node yet`);
        linstor.replicasOf(RESTORED)[0].diskState = "UpToDate";
        // A newer backup being downloaded into the origin (a second restore): nothing is released meanwhile.
        const next = bucket.ship({ resource: ORIGIN, snapshot: "snapshot-next", start: new Date("2026-07-01T00:15:00Z"), basedOn: chain[2] });
        restoreBackup(linstor, REMOTE, { last_backup: next, target_rsc_name: ORIGIN, node_name: "n1", download_only: true });
        await expectRefused(`a download is in progress (${ORIGIN}/snapshot-next), still after the list step's wait of 0 s`);
        finishRestores(linstor, true);
        // A snapshot made in the cluster under the origin's name is not part of a downloaded chain.
        linstor.snapshots.push({ name: "snapshot-local", resource: ORIGIN, nodes: ["n2"] });
        await expectRefused(`snapshot(s) ${ORIGIN}/snapshot-local were not downloaded from a backup`);
        expect(deletes()).to.deep.equal([]);
    });

    withTools("waits while a download into the origin runs, and releases it with the chain once LINSTOR finished it", async () => {
        // A newer full and its increment being downloaded when the release starts (the standby's download step, deleted
        // by the fail-over's `up`, left it running in LINSTOR): one link reports per read of the snapshots after the first.
        const full = bucket.ship({ resource: ORIGIN, snapshot: "snapshot-full2", start: new Date("2026-07-01T00:15:00Z") });
        const inc = bucket.ship({ resource: ORIGIN, snapshot: "snapshot-inc2", start: new Date("2026-07-01T00:20:00Z"), basedOn: full });
        restoreBackup(linstor, REMOTE, { last_backup: inc, target_rsc_name: ORIGIN, node_name: "n1", download_only: true });
        expect(linstor.snapshots.filter((x) => x.received?.status === "Shipping")).to.have.length(2);
        let reads = 0;
        linstor.onRequest = (method, p) => {
            if (method === "GET" && p === "/v1/view/snapshots" && ++reads > 1) nextLink(linstor, true);
        };
        const r = await run([ORIGIN], 2, 600);
        expect(r.code, r.out).to.equal(0);
        expect(r.out.match(/waiting: LINSTOR is still downloading into /g)).to.have.length(2);
        expect(r.out).to.contain("plan: 5 snapshot(s), 1 resource definition(s)");
        expect(deletes().slice(0, 2)).to.deep.equal([
            `/v1/resource-definitions/${ORIGIN}/snapshots/snapshot-inc2 200`,
            `/v1/resource-definitions/${ORIGIN}/snapshots/snapshot-full2 200`,
        ]);
        expect(r.out).to.contain(`OK: released the downloaded chain of ${ORIGIN}`);
        expect(originSnapshots()).to.deep.equal([]);
        expect(linstor.definitions.has(ORIGIN)).to.equal(false);
    });

    withTools("never touches an origin that has a resource or that is the restored claim's own", async () => {
        linstor.replicas.push({ resource: ORIGIN, node: "n2", kind: "diskful", diskState: "UpToDate", flags: [] });
        let r = await run();
        expect(r.step).to.equal("plan");
        expect(r.out).to.contain(`REFUSED: origin ${ORIGIN} has 1 resource(s)`);
        linstor.replicas.pop();
        r = await run([RESTORED]);
        expect(r.step).to.equal("plan");
        expect(r.out).to.contain(`REFUSED: origin ${RESTORED} is the restored claim's own resource`);
        expect(deletes()).to.deep.equal([]);
        expect(linstor.definitions.has(ORIGIN) && linstor.definitions.has(RESTORED)).to.equal(true);
    });

    withTools(
        "releases nothing, and succeeds, when the restored backup is the cluster's own (its origin has resources or only local snapshots)",
        async () => {
            // A DR that restored from its own backup: the origin is its earlier claim's resource, still there (retained), with
            // the snapshots its schedule made and shipped (no BackupShipping/Target keys: nothing was downloaded into it).
            const own = "pvc-33333333-0000-4000-8000-000000000003";
            linstor.definitions.set(own, { name: own, group: "DfltRscGrp", flags: [], volumes: 1 });
            linstor.replicas.push({ resource: own, node: "n2", kind: "diskful", diskState: "UpToDate", flags: [] });
            linstor.snapshots.push({ name: "snapshot-a", resource: own, nodes: ["n2"] }, { name: "snapshot-b", resource: own, nodes: ["n2"] });
            let r = await run([own]);
            expect(r.code, r.out).to.equal(0);
            expect(r.out).to.contain(
                `origin ${own}: nothing downloaded to release (1 resource(s), snapshot(s) made here: ${own}/snapshot-a, ${own}/snapshot-b)`,
            );
            expect(r.out).to.contain("plan: 0 snapshot(s), 0 resource definition(s)");
            expect(r.out).to.contain(`OK: nothing downloaded to release of ${own}`);
            // Its claim deleted since, its snapshots kept: still nothing downloaded, still nothing deleted.
            linstor.replicas = linstor.replicas.filter((x) => x.resource !== own);
            r = await run([own]);
            expect(r.code, r.out).to.equal(0);
            expect(r.out).to.contain(`origin ${own}: nothing downloaded to release (0 resource(s)`);
            expect(deletes()).to.deep.equal([]);
            expect(linstor.snapshots.filter((x) => x.resource === own)).to.have.length(2);
            expect(linstor.definitions.has(own)).to.equal(true);
            // A download into it starts (a newer backup of it chosen): refused while it runs, like any origin.
            linstor.snapshots.push({
                name: "snapshot-c",
                resource: own,
                nodes: ["n1"],
                received: { remote: REMOTE, status: "Shipping", backup: "pvc-own^snapshot-c", start: 1782864000000 },
            });
            r = await run([own]);
            expect(r.step, r.out).to.equal("plan");
            expect(r.out).to.contain(`REFUSED: a download is in progress (${own}/snapshot-c)`);
        },
    );

    withTools("stops at LINSTOR's refusal, and re-checks for resources itself before a definition (LINSTOR would delete them with it)", async () => {
        // A snapshot LINSTOR will not delete (it is being shipped): the run stops there, the definition stays.
        linstor.snapshots.find((s) => s.name === snap(chain[1]))!.busy = "shipping";
        let r = await run();
        expect(r.step).to.equal("release");
        expect(r.out).to.match(
            new RegExp(`FAIL: LINSTOR refused to delete snapshot ${ORIGIN}/${snap(chain[1])} \\(HTTP 500\\).*currently being shipped`),
        );
        expect(originSnapshots()).to.deep.equal([snap(chain[0]), snap(chain[1])]);
        expect(linstor.definitions.has(ORIGIN)).to.equal(true);
        linstor.snapshots.find((s) => s.name === snap(chain[1]))!.busy = undefined;
        // A resource appears in the origin after the plan: the definition is left, with it.
        linstor.onRequest = (method) => {
            if (method === "DELETE" && !linstor.replicas.some((x) => x.resource === ORIGIN)) {
                linstor.replicas.push({ resource: ORIGIN, node: "n3", kind: "diskful", diskState: "UpToDate", flags: [] });
            }
        };
        r = await run();
        expect(r.step).to.equal("release");
        expect(r.out).to.contain(`REFUSED: resource definition ${ORIGIN} has resources`);
        expect(linstor.definitions.has(ORIGIN)).to.equal(true);
        expect(linstor.replicasOf(ORIGIN)).to.have.length(1);
        expect(deletes().filter((d) => d.endsWith(`${ORIGIN} 200`))).to.deep.equal([]);
        // What LINSTOR itself would have done: delete the definition and its resource.
        expect(linstor.deleteDefinition(ORIGIN)[0].message).to.match(/deleted/);
        expect(linstor.replicasOf(ORIGIN)).to.deep.equal([]);
    });

    it("the Job: LINSTOR API client by certificate and label, a Kubernetes token in the claim step only, back-off retries", () => {
        const spec = releaseChainJobSpec(ARGS, RESTORED, "release-chain-x") as any;
        expect(spec).to.include({ backoffLimit: 3, activeDeadlineSeconds: 1800 + 3600 + 900 });
        const pod = spec.template.spec;
        expect(spec.template.metadata.labels).to.include({ "ha-jenkins-eks.io/linstor-api-client": "true" });
        expect(pod).to.include({ automountServiceAccountToken: false, restartPolicy: "Never", serviceAccountName: "release-chain-x" });
        const [claimC, list, planC] = pod.initContainers;
        const [release] = pod.containers;
        const env = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
        expect(env(claimC)).to.include({ CLAIM_NAMESPACE: "jenkins", CLAIM: ARGS.claimName, RESTORED_PV: RESTORED, HOME: "/tmp" });
        expect(env(claimC)).to.include({
            LINSTOR_NAMESPACE: "piraeus-datastore",
            STANDBY_SCHEDULES: "restore-download restore-check",
            SCHEDULES_WAIT_SECONDS: "1800",
        });
        expect(claimC.volumeMounts).to.deep.include({ name: "tmp", mountPath: "/tmp" });
        for (const c of [list, release]) {
            expect(env(c)).to.include({ LINSTOR_API: "https://linstor-controller.piraeus-datastore.svc:3371", ORIGIN_RESOURCES: ORIGIN });
            expect(c.volumeMounts).to.deep.include({ name: "linstor-api-client", mountPath: "/etc/linstor-api-client", readOnly: true });
            expect(c.image).to.equal(ARGS.curlImage);
        }
        const mounts = (c: any) => c.volumeMounts.map((m: any) => m.name);
        expect(mounts(claimC)).to.include("kube-api").and.not.include("linstor-api-client");
        for (const c of [list, planC, release]) expect(mounts(c)).to.not.include("kube-api");
        expect(planC.image).to.equal(ARGS.image);
        expect(env(list)).to.include({ DOWNLOAD_WAIT_SECONDS: "3600", POLL_SECONDS: "10" });
        expect(env(planC)).to.include({ DOWNLOAD_WAIT_SECONDS: "3600" });
        expect(() => validateReleaseChainArgs({ ...ARGS, originResources: [] })).to.throw(/originResources/);
        expect(() => validateReleaseChainArgs({ ...ARGS, originResources: ["pvc/../x"] })).to.throw(/originResources/);
    });
});
