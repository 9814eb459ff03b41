/** The warm standby's restore check: its resources, its choice of backup over LINSTOR's list, its script. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { expect } from "chai";
import {
    LINSTOR_STEP_SCRIPT,
    PICK_NEWEST_RESTORABLE,
    RESTORE_CHECK_SCRIPT,
    RestoreCheck,
    type RestoreCheckArgs,
    restoreCheckCronJobSpec,
    STALE_SNAPSHOTS,
} from "../../../components/snapshots/restoreCheck";
import { FakeLinstor } from "../../support/fakes/fakeLinstor";
import { FakeLinstorBucket, linstorBackupList, linstorDataKey, shipChain } from "../../support/fakes/fakeLinstorBucket";
import { brokenBase, finishRestores, restoreBackup } from "../../support/fakes/fakeLinstorRestore";
import { apiTlsFiles, clientEnv, hasOpenssl } from "../../support/fakes/linstorApiTls";
import { thrown } from "../../support/fixtures";
import { dependsOn, ofType, one, recorded, resetRecords, settle } from "../../support/mocks";
import { haveCommand, runShell } from "../../support/shellScript";

const ARGS: RestoreCheckArgs = {
    linstorNamespace: "piraeus-datastore",
    remoteName: "s3-us-east-2",
    snapshotClassName: "linstor-csi-s3-restore",
    storageClassName: "linstor-csi-lvm-thin-r1",
    size: "50Gi",
    schedule: "*/15 * * * *",
    image: "registry.k8s.io/kubectl:v1.35.1",
    curlImage: "docker.io/curlimages/curl:8.16.0",
    deadlineSeconds: 3600,
};
const RSC = "pvc-0a1b2c3d-0000-4000-8000-000000000001";
const JENKINS = { pvcNamespace: "jenkins", pvcName: "jenkins-home" };
const hasJq = spawnSync("bash", ["-c", "command -v jq"]).status === 0;

function pick(bucket: FakeLinstorBucket, origins: readonly string[] = []): string {
    const r = spawnSync("jq", ["-r", "--argjson", "origins", JSON.stringify(origins), PICK_NEWEST_RESTORABLE], {
        input: JSON.stringify(linstorBackupList(bucket)),
        encoding: "utf8",
    });
    expect(r.status, r.stderr).to.equal(0);
    return r.stdout.trim();
}

describe("RestoreCheck", () => {
    describe("resources", () => {
        before(async () => {
            resetRecords();
            new RestoreCheck("hje-dr-restore-check", ARGS, { provider: new k8s.Provider("k", { kubeconfig: "{}" }) });
            await settle();
        });

        it("a CronJob next to LINSTOR, no retry, with the deadline given, that first asks LINSTOR for its backups", () => {
            const cron = one("kubernetes:batch/v1:CronJob");
            expect(cron.inputs.metadata).to.deep.include({ name: "restore-check", namespace: "piraeus-datastore" });
            expect(cron.inputs.spec).to.deep.include({ schedule: "*/15 * * * *", concurrencyPolicy: "Forbid" });
            const job = cron.inputs.spec.jobTemplate.spec;
            expect(job).to.deep.include({ backoffLimit: 0, activeDeadlineSeconds: 3600 });
            const init = job.template.spec.initContainers[0];
            expect(init.image).to.equal("docker.io/curlimages/curl:8.16.0");
            expect(init.command[2]).to.equal(LINSTOR_STEP_SCRIPT);
            // Over HTTPS with the Jobs' client certificate, like the ensure-remote Job (linstorCluster/apiTls.ts).
            expect(init.volumeMounts).to.deep.include({ name: "state", mountPath: "/state", readOnly: true });
            expect(init.env).to.deep.include({ name: "LINSTOR_API", value: "https://linstor-controller.piraeus-datastore.svc:3371" });
            expect(init.env).to.deep.include({ name: "REMOTE", value: "s3-us-east-2" });
            expect(job.template.metadata.labels).to.include({ "ha-jenkins-eks.io/linstor-api-client": "true" });
            expect(job.template.spec.containers[0].command).to.deep.equal(["/bin/bash", "-c", RESTORE_CHECK_SCRIPT]);
        });

        it("keeps what it verified in a ConfigMap Pulumi never resets, and may touch only that one", () => {
            const state = one("kubernetes:core/v1:ConfigMap");
            expect(state.inputs.metadata.name).to.equal("restore-check-state");
            const role = one("kubernetes:rbac.authorization.k8s.io/v1:Role");
            const cm = role.inputs.rules.find((r: any) => r.resources.includes("configmaps"));
            expect(cm).to.deep.equal({ apiGroups: [""], resources: ["configmaps"], resourceNames: ["restore-check-state"], verbs: ["get", "patch"] });
            // One list: the LINSTOR namespace's Jobs (is a restore gate there?), read only.
            const jobs = role.inputs.rules.filter((r: any) => r.verbs.includes("list"));
            expect(jobs).to.deep.equal([{ apiGroups: ["batch"], resources: ["jobs"], verbs: ["list"] }]);
            for (const r of [...role.inputs.rules, ...one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").inputs.rules]) {
                expect(r.verbs).to.not.include.members(["watch", "update", "*"]);
                if (r !== jobs[0]) expect(r.verbs).to.not.include("list");
            }
            expect(dependsOn(one("kubernetes:batch/v1:CronJob"), state)).to.equal(true);
        });

        it("refuses bad input before registering anything, naming the field", () => {
            resetRecords();
            const e = thrown(() => new RestoreCheck("x", { ...ARGS, schedule: "every hour" }));
            expect(e.message).to.match(/^Invalid value for RestoreCheck\.schedule: "every hour"/);
            expect(recorded).to.have.length(0);
            expect(thrown(() => new RestoreCheck("x", { ...ARGS, size: "50G" })).message).to.match(/RestoreCheck\.size/);
            expect(ofType("kubernetes:batch/v1:CronJob")).to.have.length(0);
        });
    });

    describe("which backup it checks (jq over LINSTOR's list)", () => {
        before(function () {
            if (!hasJq) this.skip();
        });
        let bucket: FakeLinstorBucket;
        let chain: string[];
        beforeEach(() => {
            bucket = new FakeLinstorBucket("b");
            chain = shipChain(bucket, { resource: RSC, ...JENKINS, start: new Date("2026-07-01T00:00:00Z"), increments: 2 });
        });
        const row = (id: string) => {
            const snap = id.split("^")[1];
            return `${id}\t${RSC}\t${snap}`;
        };

        it("the newest backup whose whole chain is restorable", () => {
            expect(pick(bucket)).to.equal(row(chain[2]));
        });

        it("not one still shipping (data without a meta)", () => {
            bucket.shipData({ resource: RSC, snapshot: "snapshot-next", start: new Date("2026-07-01T05:00:00Z"), basedOn: chain[2] });
            expect(linstorBackupList(bucket).linstor).to.have.property(`${RSC}_back_20260701_050000^snapshot-next`);
            expect(pick(bucket)).to.equal(row(chain[2]));
        });

        it("not one whose data or whose base is gone", () => {
            bucket.deleteObject(linstorDataKey({ resource: RSC, snapshot: chain[2].split("^")[1], start: new Date("2026-07-01T02:00:00Z") }));
            expect(pick(bucket)).to.equal(row(chain[1]));
            bucket.deleteObject(`${chain[0]}.meta`);
            expect(pick(bucket)).to.equal("");
        });

        it("not one of several volumes", () => {
            bucket.ship({ resource: RSC, ...JENKINS, snapshot: "snapshot-two", start: new Date("2026-07-02T00:00:00Z"), volumes: 2 });
            expect(pick(bucket)).to.equal(row(chain[2]));
        });

        it("only the Jenkins claim's resources when told: a newer backup of another claim is passed over", () => {
            const other = "pvc-0a1b2c3d-0000-4000-8000-0000000000ff";
            const ids = shipChain(bucket, {
                resource: other,
                pvcNamespace: "monitoring",
                pvcName: "x",
                start: new Date("2026-07-03T00:00:00Z"),
                increments: 0,
            });
            expect(pick(bucket)).to.equal(`${ids[0]}\t${other}\t${ids[0].split("^")[1]}`);
            expect(pick(bucket, [RSC])).to.equal(row(chain[2]));
            expect(pick(bucket, ["pvc-none"])).to.equal("");
        });
    });

    describe("the script against a fake kubectl", () => {
        before(function () {
            if (!hasJq) this.skip();
        });
        let dir: string;
        let bucket: FakeLinstorBucket;
        let chain: string[];
        const fake = `#!/usr/bin/env bash
echo "$*" >> "$FAKE_DIR/calls.log"
case "$*" in
  *"get configmap restore-check-state -o jsonpath={.data.lastVerified}") cat "$FAKE_DIR/last" ;;
  "create -f -") cat > "$FAKE_DIR/created.yaml" ;;
  *"get pod "*" -o jsonpath={.status.phase}") cat "$FAKE_DIR/phase" ;;
  *" logs "*) echo "config.xml jobs" ;;
  *"get pvc "*" -o jsonpath={.spec.volumeName}") printf 'pv-restored' ;;
  "get pv pv-restored -o jsonpath="*) cat "$FAKE_DIR/claimref" ;;
  *" patch configmap restore-check-state --type merge -p {"data":{"prune""*) ;;
  *" patch configmap restore-check-state --type merge -p "*|"patch pv pv-restored "*|*" delete "*|"delete volumesnapshotcontent "*) ;;
  *) echo "unexpected kubectl $*" >&2; exit 3 ;;
esac
`;
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "restore-check-"));
            fs.mkdirSync(path.join(dir, "bin"));
            fs.writeFileSync(path.join(dir, "bin", "kubectl"), fake, { mode: 0o755 });
            bucket = new FakeLinstorBucket("b");
            chain = shipChain(bucket, { resource: RSC, ...JENKINS, start: new Date("2026-07-01T00:00:00Z"), increments: 1 });
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        function run(o: { last?: string; phase?: string; claimRef?: string } = {}) {
            fs.writeFileSync(path.join(dir, "backups.json"), JSON.stringify(linstorBackupList(bucket)));
            fs.writeFileSync(path.join(dir, "snapshots.json"), "[]");
            fs.writeFileSync(path.join(dir, "resources.json"), "[]");
            fs.writeFileSync(path.join(dir, "last"), o.last ?? "");
            fs.writeFileSync(path.join(dir, "phase"), o.phase ?? "Succeeded");
            const name = `restore-check-${require("node:crypto").createHash("sha256").update(chain[1]).digest("hex").slice(0, 12)}`;
            fs.writeFileSync(path.join(dir, "claimref"), o.claimRef ?? `piraeus-datastore/${name}`);
            const spec = restoreCheckCronJobSpec(ARGS, "restore-check") as any;
            const env = Object.fromEntries(spec.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
            const script = RESTORE_CHECK_SCRIPT.replaceAll("/work/", `${dir}/`);
            const r = spawnSync("bash", ["-c", script], {
                env: { ...env, FAKE_DIR: dir, HOME: dir, PATH: `${dir}/bin:${process.env.PATH}`, POLL_SECONDS: "0" },
                encoding: "utf8",
            });
            const read = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), "utf8") : "");
            return { ...r, name, calls: read("calls.log").trim().split("\n"), created: read("created.yaml") };
        }

        it("restores the newest backup into a scratch claim, reads it, records it and removes what it made", () => {
            const r = run();
            expect(r.status, r.stderr + r.stdout).to.equal(0);
            expect(r.stdout).to.contain(`OK: backup ${chain[1]} restores and holds a JENKINS_HOME`);
            const snap = chain[1].split("^")[1];
            expect(r.created).to.contain(`source: {snapshotHandle: "s3://s3-us-east-2/${RSC}/${snap}"}`);
            expect(r.created).to.contain("deletionPolicy: Retain");
            expect(r.created).to.contain("volumeSnapshotClassName: linstor-csi-s3-restore");
            expect(r.created).to.contain("storageClassName: linstor-csi-lvm-thin-r1");
            expect(r.created).to.contain("test -s /restored/config.xml");
            expect(r.calls).to.include(
                `-n piraeus-datastore patch configmap restore-check-state --type merge -p {"data":{"lastVerified":"${chain[1]}"}}`,
            );
            expect(r.calls).to.include('-n piraeus-datastore patch configmap restore-check-state --type merge -p {"data":{"prune":""}}');
            // Its own PV only, switched to Delete before the claim goes; the content is Retain: the backup stays.
            expect(r.calls).to.include('patch pv pv-restored --type merge -p {"spec":{"persistentVolumeReclaimPolicy":"Delete"}}');
            const deletes = r.calls.filter((c) => c.includes(" delete ") || c.startsWith("delete "));
            expect(deletes.map((c) => c.replace(/ --.*/, ""))).to.deep.equal([
                `-n piraeus-datastore delete pod ${r.name}`,
                `-n piraeus-datastore delete pvc ${r.name}`,
                `-n piraeus-datastore delete volumesnapshot ${r.name}`,
                `delete volumesnapshotcontent ${r.name}`,
            ]);
        });

        it("does nothing when the newest backup was verified already", () => {
            const r = run({ last: chain[1] });
            expect(r.status).to.equal(0);
            expect(r.stdout).to.contain("was verified already");
            expect(r.calls.some((c) => c.includes("create"))).to.equal(false);
        });

        it("fails (monitoring alerts) when the restored volume holds no JENKINS_HOME, and records nothing", () => {
            const r = run({ phase: "Failed" });
            expect(r.status).to.equal(1);
            expect(r.stdout).to.contain("FAIL: backup");
            expect(r.calls.some((c) => c.includes('"lastVerified":"'))).to.equal(false);
            expect(r.calls.some((c) => c.startsWith("delete volumesnapshotcontent"))).to.equal(true);
        });

        it("fails when LINSTOR lists no restorable backup", () => {
            bucket.deleteObject(`${chain[0]}.meta`);
            const r = run();
            expect(r.status).to.equal(1);
            expect(r.stdout).to.contain("lists no restorable backup");
        });

        it("never switches a PV that is not its scratch claim's to Delete", () => {
            const r = run({ claimRef: "jenkins/jenkins-home" });
            expect(r.status).to.equal(0);
            expect(r.calls.some((c) => c.startsWith("patch pv"))).to.equal(false);
            expect(r.stdout).to.contain("not deleting PV pv-restored");
        });
    });

    describe("what it keeps downloaded (jq over LINSTOR's snapshots)", () => {
        before(function () {
            if (!hasJq) this.skip();
        });
        const snapshotsView = (list: [string, string][]) =>
            list.map(([rsc, name]) => ({ name, resource_name: rsc, nodes: ["n1"], flags: ["SUCCESSFUL"] }));
        function stale(bucket: FakeLinstorBucket, id: string, snapshots: [string, string][], resources: string[] = []): string[] {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stale-"));
            try {
                const file = (n: string, v: unknown) => {
                    fs.writeFileSync(path.join(dir, n), JSON.stringify(v));
                    return path.join(dir, n);
                };
                const args = ["-nr", "--arg", "id", id, "--slurpfile", "b", file("b", linstorBackupList(bucket))];
                args.push(
                    "--slurpfile",
                    "s",
                    file("s", snapshotsView(snapshots)),
                    "--slurpfile",
                    "r",
                    file(
                        "r",
                        resources.map((name) => ({ name, node_name: "n1" })),
                    ),
                );
                const r = spawnSync("jq", [...args, STALE_SNAPSHOTS], { encoding: "utf8" });
                expect(r.status, r.stderr).to.equal(0);
                return r.stdout.trim().split("\n").filter(Boolean);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        }

        it("keeps the chain being verified and drops older chains and other origin resources", () => {
            const bucket = new FakeLinstorBucket("b");
            const old = shipChain(bucket, { resource: RSC, ...JENKINS, start: new Date("2026-07-01T00:00:00Z"), increments: 1 });
            const current = shipChain(bucket, { resource: RSC, ...JENKINS, start: new Date("2026-07-02T00:00:00Z"), increments: 1 });
            const other = "pvc-eeeeeeee-0000-4000-8000-00000000000e";
            const before = shipChain(bucket, { resource: other, ...JENKINS, start: new Date("2026-06-01T00:00:00Z"), increments: 0 });
            const snap = (id: string): [string, string] => [id.split("_back_")[0], id.split("^")[1]];
            const downloaded = [...old, ...current, ...before].map(snap);
            // A volume of this cluster (the scratch claim, or a restored Jenkins) and its snapshots are never touched.
            downloaded.push(["pvc-scratch", "snapshot-x"]);
            // The snapshot names of two chains of one resource coincide in the fake; make the old ones distinct.
            const result = stale(bucket, current[1], downloaded, ["pvc-scratch"]);
            expect(result).to.include.members([`${other}/${snap(before[0])[1]}`]);
            expect(result).to.not.include(`${RSC}/${snap(current[0])[1]}`);
            expect(result).to.not.include(`${RSC}/${snap(current[1])[1]}`);
            expect(result.some((l) => l.startsWith("pvc-scratch/"))).to.equal(false);
        });

        it("keeps everything of a resource that has a volume here", () => {
            const bucket = new FakeLinstorBucket("b");
            const ids = shipChain(bucket, { resource: RSC, ...JENKINS, start: new Date("2026-07-01T00:00:00Z"), increments: 0 });
            const other = "pvc-eeeeeeee-0000-4000-8000-00000000000e";
            shipChain(bucket, { resource: other, ...JENKINS, start: new Date("2026-06-01T00:00:00Z"), increments: 0 });
            expect(stale(bucket, ids[0], [[other, "snapshot-old"]], [other])).to.deep.equal([]);
            expect(stale(bucket, ids[0], [[other, "snapshot-old"]])).to.deep.equal([`${other}/snapshot-old`]);
        });
    });

    describe("the LINSTOR step against a fake curl", () => {
        let dir: string;
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "linstor-step-"));
            fs.mkdirSync(path.join(dir, "bin"));
            // Records each call; writes "[]" to every -o file.
            // The Kubernetes API's Job list answers FAKE_JOBS (none by default), or fails with FAKE_JOBS_FAIL.
            const curl = `#!/bin/sh
echo "$*" >> "$FAKE_DIR/curl.log"
out=""; prev=""; kube=""
for a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; case "$a" in https://kubernetes.default.svc/*) kube=1 ;; esac; done
none='{"kind":"JobList","items":[]}'
if [ -n "$kube" ]; then [ -z "\${FAKE_JOBS_FAIL:-}" ] || exit 22; printf '%s' "\${FAKE_JOBS:-$none}" > "$out"; exit 0; fi
[ -z "$out" ] || echo "[]" > "$out"
`;
            fs.writeFileSync(path.join(dir, "bin", "curl"), curl, { mode: 0o755 });
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        function run(prune: string, jobs: Record<string, string> = {}) {
            fs.mkdirSync(path.join(dir, "state"));
            fs.mkdirSync(path.join(dir, "work"));
            fs.writeFileSync(path.join(dir, "state", "prune"), prune);
            const script = LINSTOR_STEP_SCRIPT.replaceAll("/state/", `${dir}/state/`).replaceAll("/work/", `${dir}/work/`);
            const r = spawnSync("sh", ["-c", script], {
                env: {
                    FAKE_DIR: dir,
                    PATH: `${dir}/bin:${process.env.PATH}`,
                    LINSTOR_API: "https://linstor-controller.ns.svc:3371",
                    REMOTE: "s3-us-east-2",
                    LINSTOR_CA: "/c/ca.crt",
                    LINSTOR_CLIENT_CERT: "/c/tls.crt",
                    LINSTOR_CLIENT_KEY: "/c/tls.key",
                    NAMESPACE: "ns",
                    GATE_LABEL: "ha-jenkins-eks.io/restore-gate",
                    WORK: `${dir}/work`,
                    ...jobs,
                },
                encoding: "utf8",
            });
            const calls = fs.readFileSync(path.join(dir, "curl.log"), "utf8").trim().split("\n");
            return { ...r, calls };
        }

        it("deletes what the last run found stale (the last line too), refuses odd names, then fetches the three lists", () => {
            const r = run("pvc-a/snapshot-1\npvc-a/../x\npvc-b/snap shot\npvc-b/snapshot-2");
            expect(r.status, r.stderr).to.equal(0);
            const deletes = r.calls.filter((c) => c.includes("-X DELETE"));
            expect(deletes.map((c) => c.split(" ").at(-1))).to.deep.equal([
                "https://linstor-controller.ns.svc:3371/v1/resource-definitions/pvc-a/snapshots/snapshot-1",
                "https://linstor-controller.ns.svc:3371/v1/resource-definitions/pvc-b/snapshots/snapshot-2",
            ]);
            expect(r.stdout).to.contain("skipping bad entry 'pvc-a/../x'");
            for (const c of r.calls) expect(c).to.match(/^--proto =https --cacert /);
            // First: are restore gate Jobs there (the pod's own token, the namespace, the gate's label)?
            expect(r.calls[0]).to.contain("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
            expect(r.calls[0]).to.match(
                /https:\/\/kubernetes\.default\.svc\/apis\/batch\/v1\/namespaces\/ns\/jobs\?labelSelector=ha-jenkins-eks\.io\/restore-gate$/,
            );
            const gets = r.calls
                .slice(1)
                .filter((c) => !c.includes("-X DELETE"))
                .map((c) => /(https:\S+)/.exec(c)![1]);
            // The snapshots first (the clean-up of links on a broken one), then the three lists.
            expect(gets).to.deep.equal([
                "https://linstor-controller.ns.svc:3371/v1/view/snapshots",
                "https://linstor-controller.ns.svc:3371/v1/remotes/s3-us-east-2/backups",
                "https://linstor-controller.ns.svc:3371/v1/view/snapshots",
                "https://linstor-controller.ns.svc:3371/v1/view/resources",
            ]);
        });

        it("deletes nothing when nothing is stale", () => {
            const r = run("");
            expect(r.calls.filter((c) => c.includes("DELETE"))).to.deep.equal([]);
        });

        it("prunes nothing while a restore gate Job exists (a fail-over may be using that chain), or when the Jobs cannot be listed", () => {
            const gate = run("pvc-a/snapshot-1", { FAKE_JOBS: '{"kind":"JobList","items":[{"metadata":{"name":"restore-gate-x"}}]}' });
            expect(gate.status, gate.stderr).to.equal(0);
            expect(gate.stdout).to.contain("not pruning: a restore gate Job exists in ns");
            expect(gate.calls.filter((c) => c.includes("DELETE"))).to.deep.equal([]);
            // The lists are still fetched for the check.
            expect(gate.calls.filter((c) => c.includes("linstor-controller"))).to.have.length(4);
            fs.rmSync(path.join(dir, "state"), { recursive: true });
            fs.rmSync(path.join(dir, "work"), { recursive: true });
            fs.rmSync(path.join(dir, "curl.log"));
            const denied = run("pvc-a/snapshot-1", { FAKE_JOBS_FAIL: "1" });
            expect(denied.status, denied.stderr).to.equal(0);
            expect(denied.stdout).to.contain("not pruning: the restore gate Jobs could not be listed");
            expect(denied.calls.filter((c) => c.includes("DELETE"))).to.deep.equal([]);
        });
    });

    describe("the LINSTOR step against the fake LINSTOR: links received on a broken one go before linstor-csi's restore", function () {
        this.timeout(60000);
        const runnable = haveCommand("curl") && hasOpenssl;
        const withTools = runnable ? it : it.skip;
        let linstor: FakeLinstor;
        let bucket: FakeLinstorBucket;
        let chain: string[];
        let dir: string;
        const OTHER = "pvc-0a1b2c3d-0000-4000-8000-0000000000ff";
        const snap = (id: string) => id.split("^")[1];
        const local = (rsc = RSC) => linstor.snapshots.filter((s) => s.resource === rsc).map((s) => `${s.name}:${s.received?.status}`);
        beforeEach(async function () {
            if (!runnable) this.skip();
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "restore-check-linstor-"));
            for (const d of ["state", "work"]) fs.mkdirSync(path.join(dir, d));
            fs.writeFileSync(path.join(dir, "state", "prune"), "");
            bucket = new FakeLinstorBucket("b");
            chain = shipChain(bucket, { resource: RSC, ...JENKINS, start: new Date("2026-07-01T00:00:00Z"), increments: 2 });
            const other = shipChain(bucket, {
                resource: OTHER,
                pvcNamespace: "x",
                pvcName: "y",
                start: new Date("2026-07-02T00:00:00Z"),
                increments: 1,
            });
            linstor = new FakeLinstor({ nodes: [{ name: "n1" }, { name: "n2" }], groups: [], resources: [], remotes: { [ARGS.remoteName]: bucket } });
            await linstor.start(apiTlsFiles().server);
            // Another origin's chain, sound and newer: never touched.
            restoreBackup(linstor, ARGS.remoteName, { last_backup: other[1], target_rsc_name: OTHER, node_name: "n2", download_only: true });
            finishRestores(linstor, true);
        });
        afterEach(async () => {
            await linstor?.stop();
            if (dir) fs.rmSync(dir, { recursive: true, force: true });
        });
        async function step() {
            const init = (restoreCheckCronJobSpec(ARGS, "restore-check") as any).jobTemplate.spec.template.spec.initContainers[0];
            const env = Object.fromEntries(init.env.map((e: any) => [e.name, e.value]));
            const script = (init.command[2] as string).replaceAll("/state/", `${dir}/state/`).replaceAll("/work/", `${dir}/work/`);
            return runShell(
                "sh",
                script,
                {
                    ...env,
                    PATH: process.env.PATH ?? "/usr/bin:/bin",
                    LINSTOR_API: linstor.url,
                    ...clientEnv(apiTlsFiles().client),
                    WORK: `${dir}/work`,
                },
                30000,
            );
        }
        /** linstor-csi's download of the checked backup (v1.11.3 reconcileSnapshot: Backup.Restore as is, download only). */
        const csiRestore = () =>
            restoreBackup(linstor, ARGS.remoteName, { last_backup: chain[2], target_rsc_name: RSC, node_name: "n1", download_only: true })[0].message;

        withTools(
            "a Success link on top of an Aborted one is deleted with it, newest first, so linstor-csi's restore downloads both again",
            async () => {
                brokenBase(linstor, chain);
                // Without the clean-up LINSTOR would call the chain downloaded: the check would restore the broken one.
                expect(local()).to.deep.equal([`${snap(chain[0])}:Success`, `${snap(chain[1])}:Aborted`, `${snap(chain[2])}:Success`]);
                const before = local(OTHER);
                linstor.requests.length = 0;
                const r = await step();
                expect(r.code, r.out).to.equal(0);
                const deletes = linstor.requests.filter((q) => q.method === "DELETE").map((q) => `${q.path} ${q.status}`);
                expect(deletes).to.deep.equal([
                    `/v1/resource-definitions/${RSC}/snapshots/${snap(chain[2])} 200`,
                    `/v1/resource-definitions/${RSC}/snapshots/${snap(chain[1])} 200`,
                ]);
                expect(r.out).to.contain(`deleted ${RSC}/${snap(chain[2])} (Success: received on or after an unfinished link)`);
                expect(local()).to.deep.equal([`${snap(chain[0])}:Success`]);
                expect(local(OTHER)).to.deep.equal(before);
                // The lists the check reads were fetched after the clean-up.
                expect(
                    JSON.parse(fs.readFileSync(path.join(dir, "work", "snapshots.json"), "utf8")).map((x: { name: string }) => x.name),
                ).to.not.include(snap(chain[2]));
                expect(csiRestore()).to.match(/in progress/);
                expect(local()).to.deep.equal([`${snap(chain[0])}:Success`, `${snap(chain[1])}:Shipping`, `${snap(chain[2])}:Shipping`]);
            },
        );

        withTools("a definition a download runs into (a link Shipping) is left for the next run", async () => {
            brokenBase(linstor, chain);
            linstor.snapshots.find((s) => s.resource === RSC && s.name === snap(chain[2]))!.received!.status = "Shipping";
            linstor.requests.length = 0;
            const r = await step();
            expect(r.code, r.out).to.equal(0);
            expect(linstor.requests.filter((q) => q.method === "DELETE")).to.deep.equal([]);
        });

        withTools("a sound chain is left alone; a delete LINSTOR refuses fails the run before any restore", async () => {
            restoreBackup(linstor, ARGS.remoteName, { last_backup: chain[2], target_rsc_name: RSC, node_name: "n1", download_only: true });
            finishRestores(linstor, true);
            const sound = await step();
            expect(sound.code, sound.out).to.equal(0);
            expect(linstor.requests.filter((q) => q.method === "DELETE")).to.deep.equal([]);
            // The middle link left Aborted under the newest; the newest one's delete refused (FAIL_IN_USE: being shipped).
            linstor.snapshots.find((s) => s.resource === RSC && s.name === snap(chain[1]))!.received!.status = "Aborted";
            linstor.snapshots.find((s) => s.resource === RSC && s.name === snap(chain[2]))!.busy = "shipping";
            linstor.requests.length = 0;
            const refused = await step();
            expect(refused.code, refused.out).to.not.equal(0);
            expect(refused.out).to.contain("FAIL: a link received on or after an unfinished one stays; not restoring on it");
            expect(linstor.requests.some((q) => q.path.startsWith(`/v1/remotes/${ARGS.remoteName}/backups`))).to.equal(false);
        });
    });
});
