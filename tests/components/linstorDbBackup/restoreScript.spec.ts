/** restoreLinstorDb.sh against fake kubectl and aws, restoring an archive the export script made (fakeTools.ts). */

import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { backup, crds, kubeconfigOf, lines, MUTATING, reset, restore, restoreAsync, secret, setUpSandbox, tearDownSandbox, write } from "./fakeTools";
import { BUCKET } from "./fixtures";

describe("LinstorDbBackup", () => {
    describe("export, upload and restore against fake kubectl and aws", () => {
        let dir: string;
        before(function () {
            dir = setUpSandbox(this);
        });
        after(tearDownSandbox);

        describe("restore script", function () {
            // Whole restores of a fake cluster, a process each: up to ~18 s under a loaded machine.
            this.timeout(60000);
            /** What backup() left in the sandbox (the archive in the fake S3, the export's work dir and call logs). */
            const BACKUP_STATE = ["s3", "work", "kubectl.log", "aws.log"];
            let saved = "";
            /** reset() and backup(), the backup run once and then copied back: every case restores the same archive. */
            const freshBackup = () => {
                reset();
                for (const f of BACKUP_STATE) {
                    if (fs.existsSync(path.join(saved, f))) fs.cpSync(path.join(saved, f), path.join(dir, f), { recursive: true });
                }
            };
            before(() => {
                reset();
                const r = backup();
                expect(r.exported.status, r.exported.stderr).to.equal(0);
                expect(r.uploaded?.status, r.uploaded?.stderr).to.equal(0);
                saved = fs.mkdtempSync(path.join(dir, "..", "linstor-db-backup-saved-"));
                for (const f of BACKUP_STATE) {
                    if (fs.existsSync(path.join(dir, f))) fs.cpSync(path.join(dir, f), path.join(saved, f), { recursive: true });
                }
            });
            after(() => saved && fs.rmSync(saved, { recursive: true, force: true }));
            beforeEach(freshBackup);

            it("dry run: downloads and verifies the newest archive, reads the cluster, changes nothing", () => {
                const r = restore([]);
                expect(r.status, r.stderr).to.equal(0);
                const awsCalls = lines(path.join(dir, "aws.log")).slice(1);
                expect(awsCalls[0]).to.equal(`s3 ls s3://${BUCKET}/linstor-db/hje-test/ --region eu-central-1`);
                expect(awsCalls[1]).to.match(
                    new RegExp(`^s3 cp s3://${BUCKET}/linstor-db/hje-test/\\d{8}T\\d{6}Z\\.tar\\.gz ${dir}/restore/ --region eu-central-1$`),
                );
                expect(awsCalls[2]).to.match(/\.tar\.gz\.sha256 .* --region eu-central-1$/);
                const calls = lines(path.join(dir, "kubectl.log"));
                const restoreCalls = calls.slice(calls.indexOf("get namespace piraeus-datastore"));
                expect(restoreCalls.filter((c) => MUTATING.test(c))).to.deep.equal([]);
                expect(r.stderr).to.contain(
                    "[dry-run] would run: kc -n piraeus-datastore scale deployment linstor-operator-piraeus-controller-manager --replicas 0",
                );
                expect(r.stderr).to.contain("[dry-run] would run: kc delete crds");
                expect(r.stderr).to.contain("archive OK: cluster hje-test");
                expect(r.stderr).to.contain("Nodes: 2");
            });

            it("apply: stops operator then controller, replaces the CRDs, creates the backup, restarts both as they were", () => {
                const r = restore(["--apply", "--yes"]);
                expect(r.status, r.stderr).to.equal(0);
                const calls = lines(path.join(dir, "kubectl.log"));
                const steps = calls.slice(calls.indexOf("get namespace piraeus-datastore")).filter((c) => MUTATING.test(c) || c.includes(" -o yaml"));
                const x = `${dir}/restore/extracted`;
                const names = crds.items.map((i) => i.metadata.name);
                expect(steps).to.deep.equal([
                    "-n piraeus-datastore scale deployment linstor-operator-piraeus-controller-manager --replicas 0",
                    "-n piraeus-datastore scale deployment linstor-controller --replicas 0",
                    `get crds ${names.join(" ")} -o yaml`,
                    ...names.map((n) => `get ${n} -o yaml`),
                    `delete crds ${names.join(" ")} --timeout 600s`,
                    `create -f ${x}/db/crds.json`,
                    `wait --for condition=established --timeout 600s ${names.map((n) => `crd/${n}`).join(" ")}`,
                    `create -f ${x}/db/linstorversion.internal.linstor.linbit.com.json`,
                    `create -f ${x}/db/nodes.internal.linstor.linbit.com.json`,
                    `create -f ${x}/db/resourcedefinitions.internal.linstor.linbit.com.json`,
                    "-n piraeus-datastore scale deployment linstor-operator-piraeus-controller-manager --replicas 2",
                    "-n piraeus-datastore scale deployment linstor-controller --replicas 1",
                    "-n piraeus-datastore rollout status deployment linstor-operator-piraeus-controller-manager --timeout 600s",
                    "-n piraeus-datastore rollout status deployment linstor-controller --timeout 600s",
                ]);
                expect(fs.existsSync(path.join(dir, "restore", "pre-restore", "crds.yaml"))).to.equal(true);
            });

            it("restores a missing passphrase Secret before the controller starts", () => {
                fs.rmSync(path.join(dir, "secret.json"));
                const r = restore(["--apply", "--yes"]);
                expect(r.status, r.stderr).to.equal(0);
                const calls = lines(path.join(dir, "kubectl.log"));
                const created = calls.indexOf(`-n piraeus-datastore create -f ${dir}/restore/extracted/passphrase-secret.json`);
                expect(created).to.be.greaterThan(-1);
                expect(created).to.be.lessThan(calls.indexOf("-n piraeus-datastore scale deployment linstor-controller --replicas 1"));
                expect(r.stderr).to.contain("pulumi refresh");
            });

            it("refuses before changing anything when the cluster's passphrase differs from the backup's", () => {
                write("secret.json", { ...secret, data: { MASTER_PASSPHRASE: Buffer.from("other").toString("base64") } });
                const r = restore(["--apply", "--yes"]);
                expect(r.status).to.equal(1);
                expect(r.stderr).to.contain("holds another passphrase than the backup");
                expect(lines(path.join(dir, "kubectl.log")).filter((c) => MUTATING.test(c))).to.deep.equal([]);
            });

            it("refuses a tampered archive before touching the cluster", () => {
                const stored = path.join(dir, "s3", BUCKET, "linstor-db", "hje-test");
                const archive = fs.readdirSync(stored).find((f) => f.endsWith(".tar.gz"))!;
                fs.appendFileSync(path.join(stored, archive), "x");
                const before = lines(path.join(dir, "kubectl.log")).length;
                const r = restore(["--apply", "--yes"]);
                expect(r.status).to.equal(1);
                expect(r.stderr).to.contain("checksum mismatch");
                expect(lines(path.join(dir, "kubectl.log")).length).to.equal(before);
            });

            it("needs confirmation for --apply without --yes and rejects bad arguments", () => {
                expect(restore(["--apply"], {}).stderr).to.contain("needs a terminal to confirm");
                expect(restore(["--key", "k"]).stderr).to.contain("--latest needs --prefix and excludes --key");
            });

            /** What the cluster saw that changes anything, and whether the passphrase was left on disk. */
            const mutations = () => lines(path.join(dir, "kubectl.log")).filter((c) => MUTATING.test(c));
            const leftOnDisk = () => {
                const work = path.join(dir, "restore");
                return fs.existsSync(work) ? fs.readdirSync(work).filter((f) => f === "extracted" || f.includes(".tar.gz")) : [];
            };

            describe("fails closed", () => {
                it("a kubectl that fails while waiting for the pods to stop stops the restore before anything is deleted", () => {
                    write("fail-pods", "");
                    const r = restore(["--apply", "--yes"]);
                    expect(r.status).to.equal(1);
                    expect(r.stderr).to.contain("kubectl could not list the operator pods");
                    expect(r.stderr).to.contain("the restore stopped half-way");
                    // Only the operator was scaled down: no export, no CRD deleted, nothing created.
                    expect(mutations()).to.deep.equal([
                        "-n piraeus-datastore scale deployment linstor-operator-piraeus-controller-manager --replicas 0",
                    ]);
                    expect(leftOnDisk()).to.deep.equal([]);
                });

                it("waits while the pods are listed, and gives up at --timeout without deleting anything", () => {
                    write("pods-left", "2");
                    const ok = restore(["--apply", "--yes"]);
                    expect(ok.status, ok.stderr).to.equal(0);
                    expect(lines(path.join(dir, "kubectl.log")).filter((c) => c.includes("get pods -l"))).to.have.length(4);

                    freshBackup();
                    write("pods-left", "1000");
                    const r = restore(["--apply", "--yes", "--timeout", "1s"], { POLL_SECONDS: "1" });
                    expect(r.status).to.equal(1);
                    expect(r.stderr).to.contain("the operator pods did not stop within 1s");
                    expect(mutations().some((c) => c.startsWith("delete"))).to.equal(false);
                });

                it("a kubectl that fails reading the passphrase Secret is not taken for a missing Secret", () => {
                    write("fail-secret", "");
                    const r = restore(["--apply", "--yes"]);
                    expect(r.status).to.equal(1);
                    expect(r.stderr).to.contain("cannot read Secret piraeus-datastore/linstor-passphrase");
                    expect(r.stderr).not.to.contain("will be restored from the backup");
                    expect(mutations()).to.deep.equal([]);
                });

                it("refuses a kube context of another cluster, or one it cannot tell, before reading the cluster", () => {
                    write("kubeconfig.json", kubeconfigOf("hje-prod"));
                    const other = restore(["--apply", "--yes"]);
                    expect(other.status).to.equal(1);
                    expect(other.stderr).to.contain(
                        "the kube context is cluster hje-prod (https://hje-prod.gr7.eu-central-1.eks.amazonaws.com), the backup is of hje-test",
                    );

                    write("kubeconfig.json", kubeconfigOf("hje-test", ["token", "--static"]));
                    const unknown = restore([]);
                    expect(unknown.status).to.equal(1);
                    expect(unknown.stderr).to.contain("cannot prove that the kube context");

                    write("fail-config", "");
                    expect(restore([]).stderr).to.contain("kubectl cannot read the kube context");
                    expect(lines(path.join(dir, "kubectl.log")).filter((c) => c.startsWith("get namespace"))).to.deep.equal([]);
                    expect(mutations()).to.deep.equal([]);

                    // aws-iam-authenticator names the cluster with -i.
                    fs.rmSync(path.join(dir, "fail-config"));
                    write("kubeconfig.json", kubeconfigOf("hje-test", ["token", "-i", "hje-test"]));
                    expect(restore([]).status).to.equal(0);
                });

                it("refuses to overwrite an earlier run's export of the database", () => {
                    fs.mkdirSync(path.join(dir, "restore", "pre-restore"), { recursive: true });
                    const r = restore(["--apply", "--yes"]);
                    expect(r.status).to.equal(1);
                    expect(r.stderr).to.contain("pre-restore exists from an earlier run");
                    expect(lines(path.join(dir, "kubectl.log")).filter((c) => !c.startsWith("get crd") && !c.startsWith("get --raw"))).to.deep.equal([
                        "api-resources --api-group=internal.linstor.linbit.com -o name",
                        "-n piraeus-datastore get secret linstor-passphrase -o json",
                    ]);
                });
            });

            describe("removes the archive and the extracted passphrase on every exit", () => {
                it("after a dry run, an apply and a refusal", () => {
                    expect(restore([]).status).to.equal(0);
                    expect(leftOnDisk()).to.deep.equal([]);
                    expect(restore(["--apply", "--yes"]).status).to.equal(0);
                    expect(leftOnDisk()).to.deep.equal([]);
                    // The pre-restore export holds LINSTOR's objects, not the passphrase: it stays to undo the restore.
                    expect(fs.existsSync(path.join(dir, "restore", "pre-restore", "crds.yaml"))).to.equal(true);
                    write("secret.json", { ...secret, data: { MASTER_PASSPHRASE: Buffer.from("other").toString("base64") } });
                    expect(restore([], {}).status).to.equal(1);
                    expect(leftOnDisk()).to.deep.equal([]);
                });

                for (const [signal, code] of [
                    ["SIGTERM", 143],
                    ["SIGINT", 130],
                    ["SIGHUP", 129],
                ] as const) {
                    it(`when ${signal} ends it while it waits`, async () => {
                        write("pods-left", "1000");
                        const { child, done } = restoreAsync(["--apply", "--yes"]);
                        let ended = false;
                        void done.then(() => {
                            ended = true;
                        });
                        // Signal only once it waits: the fake kubectl logs its first pod listing as it starts. No
                        // deadline but mocha's: under load the script may need seconds to get there.
                        const log = path.join(dir, "kubectl.log");
                        while (!ended && !lines(log).some((c) => c.includes("get pods -l"))) await new Promise((r) => setTimeout(r, 25));
                        expect(ended, "it ended before it waited").to.equal(false);
                        expect(fs.existsSync(path.join(dir, "restore", "extracted"))).to.equal(true);
                        child.kill(signal);
                        const r = await done;
                        expect(r.status, r.stderr).to.equal(code);
                        expect(leftOnDisk()).to.deep.equal([]);
                        expect(r.stderr).to.contain("the restore stopped half-way");
                    });
                }
            });

            it("runs no command substitution while it waits or changes the cluster (bash drops a SIGINT that arrives as it reaps one)", () => {
                // The SIGINT cases above catch that only by chance (bash 5.2 jobs.c wait_for: a command substitution
                // has no job, so the INT trap never runs), so the part of the script where it matters is read.
                const script = fs.readFileSync(path.resolve(__dirname, "../../../components/linstorDbBackup/restoreLinstorDb.sh"), "utf8");
                const from = script.indexOf("\nwait_pods_gone() {");
                expect(from).to.be.greaterThan(0);
                expect(script.slice(from).match(/\$\((?!\()|`/g)).to.equal(null);
            });

            it("rejects a non-numeric, zero, negative or huge --timeout or POLL_SECONDS, and a flag without its value", () => {
                for (const bad of ["abc", "10m", "0s", "-5s", "1.5s", "9999999s", ""]) {
                    const r = restore(["--timeout", bad]);
                    expect(r.status, bad).to.equal(bad === "" ? 2 : 1);
                    expect(r.stderr, bad).to.contain(
                        bad === "" ? "--timeout needs a value" : `--timeout takes whole seconds from 1s to 999999s, such as 600s; got '${bad}'`,
                    );
                }
                for (const bad of ["abc", "-1", "1.5", "99999"]) {
                    expect(restore([], { POLL_SECONDS: bad }).stderr, bad).to.contain(
                        `POLL_SECONDS must be a whole number of seconds (0-9999), got '${bad}'`,
                    );
                }
                expect(restore(["--namespace"]).stderr).to.contain("--namespace needs a value");
                // Refused before the cluster is read (the log holds only the backup's export calls).
                expect(
                    lines(path.join(dir, "kubectl.log")).filter((c) => c.startsWith("config view") || c.startsWith("get namespace")),
                ).to.deep.equal([]);
            });
        });
    });
});
