/** restoreLinstorDb.sh against fake kubectl and aws, restoring an archive the export script made (fakeTools.ts). */

import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { backup, crds, lines, MUTATING, reset, restore, secret, setUpSandbox, tearDownSandbox, write } from "./fakeTools";
import { BUCKET } from "./fixtures";

describe("LinstorDbBackup", () => {
    describe("export, upload and restore against fake kubectl and aws", () => {
        let dir: string;
        before(function () {
            dir = setUpSandbox(this);
        });
        after(tearDownSandbox);

        describe("restore script", () => {
            beforeEach(() => {
                reset();
                const r = backup();
                expect(r.exported.status, r.exported.stderr).to.equal(0);
            });

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
                expect(restore(["--timeout", "10m"]).stderr).to.contain("--timeout takes whole seconds");
            });
        });
    });
});
