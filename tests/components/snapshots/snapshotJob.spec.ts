/**
 * The schedule's CronJob: its spec, and its real script run by bash against a fake kubectl (jq real too): full or
 * incremental by the age of the newest ready full, then pruning what the selection chooses (retention.spec.ts tests
 * the selection itself in depth).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { SNAPSHOT_SCRIPT, snapshotCronJobSpec } from "../../../components/snapshots/snapshotJob";

const cronArgs = {
    schedule: "*/5 * * * *",
    image: "registry.k8s.io/kubectl:v1.35.1",
    namespace: "jenkins",
    pvcName: "jenkins-home",
    snapshotClassName: "linstor-csi-s3",
    fullSnapshotClassName: "linstor-csi-s3-full",
    fullAfterSeconds: 86400,
    retentionHours: 48,
    dailyRetentionDays: 7,
    readyTimeoutSeconds: 2700,
    pruneDeletesBackups: true,
    credentialsSecretName: "linstor-remote-s3-eu-central-1-g2",
    credentialsNamespace: "piraeus-datastore",
    serviceAccountName: "jenkins-snapshots",
};

describe("the snapshot CronJob", () => {
    describe("spec", () => {
        const spec = snapshotCronJobSpec(cronArgs) as any;
        const pod = spec.jobTemplate.spec.template.spec;
        const container = pod.containers[0];
        const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));

        it("runs on the schedule in UTC, one at a time, skipping runs that start too late", () => {
            expect(spec.schedule).to.equal("*/5 * * * *");
            expect(spec.timeZone).to.equal("Etc/UTC");
            expect(spec.concurrencyPolicy).to.equal("Forbid");
            expect(spec.startingDeadlineSeconds).to.equal(600);
            expect(spec.jobTemplate.spec.backoffLimit).to.equal(1);
            expect(spec.jobTemplate.spec.activeDeadlineSeconds).to.equal(3300);
            expect(pod.restartPolicy).to.equal("Never");
        });

        it("uses its own ServiceAccount and a locked-down container", () => {
            expect(pod.serviceAccountName).to.equal("jenkins-snapshots");
            expect(pod.securityContext).to.deep.equal({
                runAsNonRoot: true,
                runAsUser: 65532,
                runAsGroup: 65532,
                seccompProfile: { type: "RuntimeDefault" },
            });
            expect(container.securityContext).to.deep.equal({
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
            });
            expect(container.command).to.deep.equal(["/bin/bash", "-c", SNAPSHOT_SCRIPT]);
        });

        it("passes the claim, both classes, the full cadence, the retention and the current credentials Secret", () => {
            expect(env).to.include({
                NAMESPACE: "jenkins",
                PVC_NAME: "jenkins-home",
                SNAPSHOT_CLASS: "linstor-csi-s3",
                FULL_SNAPSHOT_CLASS: "linstor-csi-s3-full",
                FULL_AFTER_SECONDS: "86400",
                KEEP_HOURS: "48",
                DAILY_DAYS: "7",
                CREDENTIALS_SECRET: "linstor-remote-s3-eu-central-1-g2",
                CREDENTIALS_NAMESPACE: "piraeus-datastore",
                PRUNE_DELETES_BACKUPS: "true",
            });
            expect(env).to.not.have.property("RETENTION");
            expect(SNAPSHOT_SCRIPT).to.not.match(/kubectl (-n "\$\{NAMESPACE\}" )?wait\b|--watch\b|\s-w\s/);
        });
    });

    describe("script against a fake kubectl", () => {
        let dir: string;
        const hasTools = spawnSync("bash", ["-c", "command -v jq"]).status === 0;
        const ago = (hours: number) => new Date(Date.now() - hours * 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
        const item = (name: string, hoursAgo: number, kind: string, ready = true, deleting = false) => ({
            metadata: {
                name,
                creationTimestamp: ago(hoursAgo),
                labels: { "ha-jenkins-eks.io/snapshot-schedule": "jenkins-snapshots", "ha-jenkins-eks.io/snapshot-kind": kind },
                ...(deleting ? { deletionTimestamp: ago(1) } : {}),
            },
            status: { readyToUse: ready },
        });
        // A chain from 30 h ago (full) to now, the chain before it (full 60 h ago), a failed full, one being deleted.
        const chains = () => ({
            items: [
                item("jenkins-home-old-full", 60, "full"),
                item("jenkins-home-old-1", 59, "incremental"),
                item("jenkins-home-old-2", 50, "incremental"),
                item("jenkins-home-full", 30, "full"),
                item("jenkins-home-1", 29, "incremental"),
                item("jenkins-home-2", 1, "incremental"),
                item("jenkins-home-failed", 0.5, "full", false),
                item("jenkins-home-going", 70, "incremental", true, true),
            ],
        });
        const fake = `#!/usr/bin/env bash
echo "$*" >> "$STATE/calls.log"
case "$*" in
  *" create -f -") cat > "$STATE/created.yaml" ;;
  *"get volumesnapshot -l "*) cat "$STATE/list.json" ;;
  *"get volumesnapshot -o json") cat "$STATE/all.json" ;;
  *"get volumesnapshot "*" -o json") cat "$STATE/status.json" ;;
  *"jsonpath={.status.boundVolumeSnapshotContentName}") printf 'content-%s' "$5" ;;
  "get volumesnapshotcontent "*) if [ -f "$STATE/foreign-$3" ]; then printf 'other/x'; else printf 'jenkins/%s' "\${3#content-}"; fi ;;
  "patch volumesnapshotcontent "*|*" delete volumesnapshot "*) ;;
  *) echo "unexpected kubectl $*" >&2; exit 3 ;;
esac
`;

        function run(list: object, status: object, env: Record<string, string> = {}) {
            fs.writeFileSync(path.join(dir, "list.json"), JSON.stringify(list));
            fs.writeFileSync(path.join(dir, "status.json"), JSON.stringify({ status }));
            fs.rmSync(path.join(dir, "calls.log"), { force: true });
            const spec = snapshotCronJobSpec(cronArgs) as any;
            const base = Object.fromEntries(spec.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
            const r = spawnSync("bash", ["-c", SNAPSHOT_SCRIPT], {
                env: { ...base, ...env, STATE: dir, HOME: dir, PATH: `${dir}/bin:${process.env.PATH}`, POLL_SECONDS: "0" },
                encoding: "utf8",
            });
            const calls = fs.existsSync(path.join(dir, "calls.log")) ? fs.readFileSync(path.join(dir, "calls.log"), "utf8").trim().split("\n") : [];
            const created = fs.existsSync(path.join(dir, "created.yaml")) ? fs.readFileSync(path.join(dir, "created.yaml"), "utf8") : "";
            return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls, created };
        }
        const deletes = (calls: string[]) => calls.filter((c) => c.includes(" delete volumesnapshot ")).map((c) => c.split(" ")[4]);

        before(function () {
            if (!hasTools) this.skip();
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "snapshot-script-"));
            fs.mkdirSync(path.join(dir, "bin"));
            fs.writeFileSync(path.join(dir, "bin", "kubectl"), fake, { mode: 0o755 });
        });
        after(() => {
            if (dir) fs.rmSync(dir, { recursive: true, force: true });
        });

        it("takes an incremental snapshot while the newest ready full is young, labelled, of the claim", () => {
            const r = run(chains(), { readyToUse: true }, { FULL_AFTER_SECONDS: String(31 * 3600) });
            expect(r.status, r.stderr).to.equal(0);
            expect(r.created).to.match(/name: jenkins-home-\d{8}-\d{6}\n/);
            expect(r.created).to.contain("ha-jenkins-eks.io/snapshot-schedule: jenkins-snapshots");
            expect(r.created).to.contain("ha-jenkins-eks.io/snapshot-kind: incremental");
            expect(r.created).to.contain("volumeSnapshotClassName: linstor-csi-s3\n");
            expect(r.created).to.contain("persistentVolumeClaimName: jenkins-home");
        });

        it("takes a full with the full class when the newest ready full is FULL_AFTER old, or there is none", () => {
            for (const list of [chains(), { items: [item("jenkins-home-x", 1, "incremental"), item("jenkins-home-f", 0.2, "full", false)] }]) {
                const r = run(list, { readyToUse: true }, { FULL_AFTER_SECONDS: String(29 * 3600) });
                expect(r.created).to.contain("ha-jenkins-eks.io/snapshot-kind: full");
                expect(r.created).to.contain("volumeSnapshotClassName: linstor-csi-s3-full\n");
            }
            // FULL_AFTER 0 (full-only backups): always the full class.
            expect(run(chains(), { readyToUse: true }, { FULL_AFTER_SECONDS: "0" }).created).to.contain("snapshot-kind: full");
        });

        it("prunes by age, newest first, keeping the chain a kept snapshot builds on; flips each content to Delete first", () => {
            const r = run(chains(), { readyToUse: true }, { KEEP_HOURS: "48", DAILY_DAYS: "0" });
            expect(r.status, r.stderr).to.equal(0);
            // jenkins-home-1 (29 h) is kept, and with it the full (30 h) it builds on; the old chain goes.
            expect(deletes(r.calls)).to.deep.equal(["jenkins-home-old-2", "jenkins-home-old-1", "jenkins-home-old-full"]);
            const patches = r.calls.filter((c) => c.startsWith("patch "));
            expect(patches.map((c) => c.split(" ")[2])).to.deep.equal([
                "content-jenkins-home-old-2",
                "content-jenkins-home-old-1",
                "content-jenkins-home-old-full",
            ]);
            expect(JSON.parse(patches[0].split(" -p ")[1])).to.deep.equal({
                metadata: {
                    annotations: {
                        "snapshot.storage.kubernetes.io/deletion-secret-name": "linstor-remote-s3-eu-central-1-g2",
                        "snapshot.storage.kubernetes.io/deletion-secret-namespace": "piraeus-datastore",
                    },
                },
                spec: { deletionPolicy: "Delete" },
            });
            // With daily points the old full stays (the newest full of its UTC day).
            expect(deletes(run(chains(), { readyToUse: true }, { KEEP_HOURS: "48", DAILY_DAYS: "7" }).calls)).to.not.include("jenkins-home-old-full");
        });

        it("only deletes Kubernetes objects when pruning must keep the backups", () => {
            const r = run(chains(), { readyToUse: true }, { PRUNE_DELETES_BACKUPS: "false", DAILY_DAYS: "0" });
            expect(r.status).to.equal(0);
            expect(r.calls.filter((c) => c.startsWith("patch "))).to.deep.equal([]);
            expect(deletes(r.calls)).to.have.length(3);
        });

        it("fails the job when the snapshot is not shipped in time, and still keeps the newest ready one and its chain", () => {
            const r = run(chains(), { readyToUse: false }, { READY_TIMEOUT_SECONDS: "0", KEEP_HOURS: "1", DAILY_DAYS: "0" });
            expect(r.status).to.equal(1);
            expect(r.stdout).to.contain("not ready after 0s");
            expect(deletes(r.calls)).to.deep.equal(["jenkins-home-old-2", "jenkins-home-old-1", "jenkins-home-old-full"]);
        });

        it("with a trim, lists the namespace's snapshots after a shipped run and writes LINSTOR names for the trim container", () => {
            const withClaim = (x: ReturnType<typeof item>, uid: string, cls = "linstor-csi-s3") => ({
                ...x,
                metadata: { ...x.metadata, uid },
                spec: { source: { persistentVolumeClaimName: "jenkins-home" }, volumeSnapshotClassName: cls },
            });
            const all = {
                items: [
                    withClaim(item("a", 3, "incremental"), "u-a"),
                    withClaim(item("b", 2, "incremental"), "u-b"),
                    withClaim(item("od", 1.5, "on-demand"), "u-od", "linstor-csi-s3-on-demand"),
                    withClaim(item("c", 1, "incremental"), "u-c"),
                ],
            };
            fs.writeFileSync(path.join(dir, "all.json"), JSON.stringify(all));
            const trimFile = path.join(dir, "trim-local");
            const env = { TRIM_FILE: trimFile, LOCAL_SNAPSHOTS: "2", ON_DEMAND_SNAPSHOT_CLASS: "linstor-csi-s3-on-demand", DAILY_DAYS: "0" };
            const r = run(chains(), { readyToUse: true }, env);
            expect(r.status, r.stderr).to.equal(0);
            expect(fs.readFileSync(trimFile, "utf8")).to.equal("snapshot-u-b\nsnapshot-u-a\n");
            expect(r.calls).to.include("-n jenkins get volumesnapshot -o json");
            // A run whose snapshot did not ship trims nothing (its base may still be needed).
            fs.rmSync(trimFile);
            const failed = run(chains(), { readyToUse: false }, { ...env, READY_TIMEOUT_SECONDS: "0" });
            expect(failed.status).to.equal(1);
            expect(fs.existsSync(trimFile)).to.equal(false);
        });

        it("never touches a content that does not point back to the snapshot", () => {
            fs.writeFileSync(path.join(dir, "foreign-content-jenkins-home-old-1"), "");
            try {
                const r = run(chains(), { readyToUse: true }, { DAILY_DAYS: "0" });
                expect(
                    r.calls.filter((c) => c.includes("jenkins-home-old-1") && !c.startsWith("get volumesnapshotcontent") && !c.includes("jsonpath")),
                ).to.deep.equal([]);
                expect(deletes(r.calls)).to.deep.equal(["jenkins-home-old-2", "jenkins-home-old-full"]);
            } finally {
                fs.rmSync(path.join(dir, "foreign-content-jenkins-home-old-1"));
            }
        });
    });
});
