/** The export script and the upload as the CronJob runs them, against fake kubectl and aws (fakeTools.ts). */

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import { BACKUP_FORMAT } from "../../../components/linstorDbBackup/exportJob";
import { backup, crds, extract, lines, passphrase, reset, secret, setUpSandbox, tearDownSandbox, write } from "./fakeTools";
import { BUCKET, KMS } from "./fixtures";

describe("LinstorDbBackup", () => {
    describe("export, upload and restore against fake kubectl and aws", () => {
        let dir: string;
        before(function () {
            dir = setUpSandbox(this);
        });
        after(tearDownSandbox);

        it("packs every database resource read at one revision, the CRDs, the passphrase and a manifest", () => {
            reset();
            const r = backup();
            expect(r.exported.status, r.exported.stderr).to.equal(0);
            expect(r.archive).to.match(/^\d{8}T\d{6}Z\.tar\.gz$/);
            const archive = path.join(r.stored!, r.archive!);
            const { files, json } = extract(archive);
            expect(files).to.deep.equal([
                "db/",
                "db/crds.json",
                "db/linstorversion.internal.linstor.linbit.com.json",
                "db/nodes.internal.linstor.linbit.com.json",
                "db/resourcedefinitions.internal.linstor.linbit.com.json",
                "db/s3remotes.internal.linstor.linbit.com.json",
                "manifest.json",
                "passphrase-secret.json",
            ]);
            const calls = lines(path.join(dir, "kubectl.log"));
            const reads = calls.filter((c) => c.includes("resourceVersionMatch"));
            expect(reads).to.deep.equal([
                "get --raw /apis/internal.linstor.linbit.com/v1/linstorversion?resourceVersion=4242&resourceVersionMatch=Exact",
                "get --raw /apis/internal.linstor.linbit.com/v1-33-1/nodes?resourceVersion=4242&resourceVersionMatch=Exact",
                "get --raw /apis/internal.linstor.linbit.com/v1-33-1/resourcedefinitions?resourceVersion=4242&resourceVersionMatch=Exact",
                "get --raw /apis/internal.linstor.linbit.com/v1-33-1/s3remotes?resourceVersion=4242&resourceVersionMatch=Exact",
            ]);
            expect(calls.every((c) => !/\b(create|delete|patch|apply|scale|edit)\b/.test(c))).to.equal(true);

            const nodes = json("db/nodes.internal.linstor.linbit.com.json");
            expect(nodes).to.deep.equal({
                apiVersion: "v1",
                kind: "List",
                items: [
                    {
                        apiVersion: "internal.linstor.linbit.com/v1-33-1",
                        kind: "Nodes",
                        metadata: { name: "n1", resourceVersion: "100" },
                        spec: { node_name: "N1" },
                    },
                    {
                        apiVersion: "internal.linstor.linbit.com/v1-33-1",
                        kind: "Nodes",
                        metadata: { name: "n2", resourceVersion: "101" },
                        spec: { node_name: "N2" },
                    },
                ],
            });
            expect(json("db/crds.json")).to.deep.equal(crds);
            expect(json("passphrase-secret.json")).to.deep.equal({
                apiVersion: "v1",
                kind: "Secret",
                immutable: true,
                type: "Opaque",
                data: { MASTER_PASSPHRASE: passphrase },
                metadata: { name: "linstor-passphrase", namespace: "piraeus-datastore", labels: { keep: "me" } },
            });
            const manifest = json("manifest.json");
            expect(manifest).to.deep.include({
                format: BACKUP_FORMAT,
                cluster: "hje-test",
                namespace: "piraeus-datastore",
                apiGroup: "internal.linstor.linbit.com",
                resourceVersion: "4242",
                linstorDbSchemaVersion: 42,
                counts: { LinstorVersion: 1, Nodes: 2, ResourceDefinitions: 1, S3Remotes: 0 },
            });
            expect(manifest.createdAt.replace(/[-:]/g, "")).to.equal(r.archive!.replace(".tar.gz", ""));
            expect(manifest.crds).to.include({ file: "db/crds.json", count: 4 });
            expect(manifest.resources.map((x: any) => [x.file, x.kind, x.version, x.count])).to.deep.equal([
                ["db/linstorversion.internal.linstor.linbit.com.json", "LinstorVersion", "v1", 1],
                ["db/nodes.internal.linstor.linbit.com.json", "Nodes", "v1-33-1", 2],
                ["db/resourcedefinitions.internal.linstor.linbit.com.json", "ResourceDefinitions", "v1-33-1", 1],
                ["db/s3remotes.internal.linstor.linbit.com.json", "S3Remotes", "v1-33-1", 0],
            ]);
            expect(manifest.passphraseSecret).to.include({ name: "linstor-passphrase", key: "MASTER_PASSPHRASE", file: "passphrase-secret.json" });
        });

        it("uploads the archive and its checksum with SSE-KMS and the bucket region", () => {
            reset();
            const r = backup();
            expect(r.uploaded!.status, r.uploaded!.stderr).to.equal(0);
            expect(lines(path.join(dir, "aws.log"))).to.deep.equal([
                `s3 cp ${dir}/work/out/ s3://${BUCKET}/linstor-db/hje-test/ --recursive --sse aws:kms --sse-kms-key-id ${KMS} --region eu-central-1 --no-progress`,
            ]);
            expect(fs.readdirSync(r.stored!).sort()).to.deep.equal([r.archive, `${r.archive}.sha256`]);
            const check = spawnSync("sha256sum", ["--check", `${r.archive}.sha256`], { cwd: r.stored, encoding: "utf8" });
            expect(check.status, check.stdout + check.stderr).to.equal(0);
        });

        it("refuses to write a partial backup when LINSTOR serves a resource its RBAC does not cover", () => {
            reset();
            write("served.txt", `${crds.items.map((i) => i.metadata.name).join("\n")}\nnewthings.internal.linstor.linbit.com\n`);
            const r = backup();
            expect(r.exported.status).to.equal(1);
            expect(r.exported.stderr).to.contain("LINSTOR serves newthings.internal.linstor.linbit.com, which this job's RBAC does not cover");
            // It stops right after discovery, before reading anything.
            expect(lines(path.join(dir, "kubectl.log"))).to.deep.equal(["api-resources --api-group=internal.linstor.linbit.com -o name"]);
            expect(fs.readdirSync(path.join(dir, "work", "out"))).to.deep.equal([]);
        });

        it("fails when the passphrase Secret has no master passphrase", () => {
            reset();
            write("secret.json", { ...secret, data: {} });
            const r = backup();
            expect(r.exported.status).to.equal(1);
            expect(r.exported.stderr).to.contain("has no MASTER_PASSPHRASE");
        });

        it("handles a single CRD (kubectl then returns the object, not a List)", () => {
            reset();
            write("served.txt", "nodes.internal.linstor.linbit.com\n");
            write("crds.json", crds.items[1]);
            const r = backup();
            expect(r.exported.status, r.exported.stderr).to.equal(0);
            const { json } = extract(path.join(r.stored!, r.archive!));
            expect(json("db/crds.json").items).to.have.length(1);
            expect(json("manifest.json").linstorDbSchemaVersion).to.equal(null);
        });
    });
});
