/** Reading LINSTOR's backups out of the bucket: key layout, completeness, the newest complete backup of a claim. */
import { expect } from "chai";
import {
    type BucketReader,
    backupHandle,
    backupNameKey,
    newestCompleteBackup,
    parseDataKey,
    parseHandle,
    parseMetaKey,
    resourceHeads,
} from "../../../components/snapshots/backupCatalog";
import { s3BucketReader } from "../../../components/snapshots/bucketReader";
import { FakeLinstorBucket, linstorBackupId, linstorDataKey, shipChain } from "../../support/fakes/fakeLinstorBucket";
import { s3Buckets } from "../../support/mocks";

const JENKINS = { pvcNamespace: "jenkins", pvcName: "jenkins-home" };
const RSC = "pvc-0a1b2c3d-0000-4000-8000-000000000001";
const at = (iso: string) => new Date(iso);

/** The fake bucket read directly (no Pulumi), counting reads. */
function direct(bucket: FakeLinstorBucket): BucketReader {
    return {
        listKeys: async () => bucket.keys(),
        readText: async (k) => {
            const o = bucket.object(k);
            if (o === undefined) throw new Error(`NoSuchKey ${k}`);
            return o.toString("utf8");
        },
        size: async (k) => {
            const n = bucket.size(k);
            if (n === undefined) throw new Error(`NoSuchKey ${k}`);
            return n;
        },
    };
}

describe("backup catalog (LINSTOR's S3 layout)", () => {
    describe("keys", () => {
        it("parses meta keys as S3MetafileNameInfo does, with and without the snapshot part", () => {
            expect(parseMetaKey(`${RSC}_back_20260701_120000^snapshot-1.meta`)).to.deep.equal({
                resource: RSC,
                backupTime: "back_20260701_120000",
                s3Suffix: "",
                snapshot: "snapshot-1",
            });
            // A snapshot named like the backup id leaves `^<snap>` out.
            expect(parseMetaKey("rsc1_back_20260701_120000.meta")).to.deep.include({ snapshot: "back_20260701_120000", s3Suffix: "" });
            expect(parseMetaKey("rsc1_back_20260701_120000:eu^snap.meta")).to.deep.include({ s3Suffix: ":eu", snapshot: "snap" });
            expect(parseMetaKey(`${RSC}_00000_back_20260701_120000^snapshot-1`)).to.equal(undefined);
            expect(parseMetaKey("linstor-db/hje-dev/20260701T000000Z.tar.gz")).to.equal(undefined);
        });

        it("parses data keys as S3VolumeNameInfo does", () => {
            expect(parseDataKey(`${RSC}_00000_back_20260701_120000^snapshot-1`)).to.deep.equal({
                resource: RSC,
                volumeNumber: 0,
                backupTime: "back_20260701_120000",
            });
            expect(parseDataKey(`${RSC}.meta_00001_back_20260701_120000^s`)).to.deep.include({ volumeNumber: 1 });
            expect(parseDataKey(`${RSC}_back_20260701_120000^snapshot-1.meta`)).to.equal(undefined);
        });

        it("the fake writes keys LINSTOR parses back to the same backup", () => {
            const o = { resource: RSC, snapshot: "snapshot-9", start: at("2026-07-01T12:00:00Z") };
            expect(linstorBackupId(o)).to.equal(`${RSC}_back_20260701_120000^snapshot-9`);
            expect(parseMetaKey(`${linstorBackupId(o)}.meta`)).to.deep.include({ resource: RSC, snapshot: "snapshot-9" });
            expect(parseDataKey(linstorDataKey(o))).to.deep.include({ resource: RSC, backupTime: "back_20260701_120000", volumeNumber: 0 });
        });

        it("handles and names", () => {
            expect(backupHandle("s3-us-east-2", { resource: RSC, snapshot: "snapshot-1" })).to.equal(`s3://s3-us-east-2/${RSC}/snapshot-1`);
            expect(parseHandle(`s3://r/${RSC}/snapshot-1`)).to.deep.equal({ resource: RSC, snapshot: "snapshot-1" });
            expect(parseHandle(`S3://r/${RSC}/0/snapshot-1`)).to.deep.equal({ resource: RSC, snapshot: "snapshot-1" });
            expect(parseHandle("snapshot-1")).to.deep.equal({ snapshot: "snapshot-1" });
            const id = `${RSC}_back_20260701_120000^snapshot-1`;
            expect(backupNameKey(id)).to.match(/^20260701-120000-[0-9a-f]{8}$/);
            expect(backupNameKey(id)).to.equal(backupNameKey(id));
            expect(backupNameKey(`${RSC}_back_20260701_120000^snapshot-2`)).to.not.equal(backupNameKey(id));
        });
    });

    describe("the newest complete backup", () => {
        let bucket: FakeLinstorBucket;
        let chain: string[];
        beforeEach(() => {
            bucket = new FakeLinstorBucket("b");
            chain = shipChain(bucket, { resource: RSC, ...JENKINS, start: at("2026-07-01T00:00:00Z"), increments: 3 });
            bucket.putOther("linstor-db/hje-dev/20260701T000000Z.tar.gz");
        });

        it("is the newest meta whose data and whole chain are in the bucket", async () => {
            const r = await newestCompleteBackup(direct(bucket), { pvcNamespace: "jenkins" });
            expect(r.chosen?.backup.id).to.equal(chain[3]);
            expect(r.chosen?.chain.map((b) => b.id)).to.deep.equal([...chain].reverse());
            expect(r.chosen?.backup.basedOnId).to.equal(chain[2]);
            // A full of 1 GiB plus three increments of 64 MiB.
            expect(r.chosen?.chainBytes).to.equal(2 ** 30 + 3 * 64 * 2 ** 20);
            // Per link, newest first as the chain: what the restore gate reports it downloaded is priced with these.
            expect(r.chosen?.links.map((l) => l.bytes)).to.deep.equal([64 * 2 ** 20, 64 * 2 ** 20, 64 * 2 ** 20, 2 ** 30]);
            expect(r.chosen?.links.map((l) => l.snapshot)).to.deep.equal(r.chosen?.chain.map((b) => b.snapshot));
            expect(r.chosen?.backup.volumeBytes).to.equal(50 * 2 ** 30);
            expect(r.rejected).to.deep.equal([]);
        });

        it("passes over a shipment whose meta is not written yet (running or failed)", async () => {
            bucket.shipData({ resource: RSC, snapshot: "snapshot-new", start: at("2026-07-01T05:00:00Z"), basedOn: chain[3] });
            const r = await newestCompleteBackup(direct(bucket), { pvcNamespace: "jenkins" });
            expect(r.chosen?.backup.id).to.equal(chain[3]);
            expect(r.withoutMeta).to.deep.equal([`${RSC}_back_20260701_050000^snapshot-new`]);
        });

        it("passes over a backup whose data object is gone", async () => {
            bucket.deleteObject(
                linstorDataKey({ resource: RSC, snapshot: parseMetaKey(`${chain[3]}.meta`)!.snapshot, start: at("2026-07-01T03:00:00Z") }),
            );
            const r = await newestCompleteBackup(direct(bucket), { pvcNamespace: "jenkins" });
            expect(r.chosen?.backup.id).to.equal(chain[2]);
            expect(r.rejected).to.have.length(1);
            expect(r.rejected[0]).to.deep.include({ id: chain[3] });
            expect(r.rejected[0].reason).to.match(/^data object pvc-.*_00000_back_20260701_030000\^snapshot-.* is missing$/);
        });

        it("passes over every increment of a chain whose base is gone, down to a complete one", async () => {
            bucket.deleteObject(`${chain[1]}.meta`);
            const r = await newestCompleteBackup(direct(bucket), { pvcNamespace: "jenkins" });
            expect(r.chosen?.backup.id).to.equal(chain[0]);
            expect(r.rejected.map((x) => x.id)).to.deep.equal([chain[3], chain[2]]);
            expect(r.rejected[0].reason).to.equal(`its base ${chain[1]} has no meta object in the bucket`);
            // chain[1] itself has no meta: LINSTOR lists it from its data key only; so do we.
            expect(r.withoutMeta).to.deep.equal([chain[1]]);
        });

        it("passes over an increment whose base lost a data object", async () => {
            const base = parseMetaKey(`${chain[0]}.meta`)!;
            bucket.deleteObject(linstorDataKey({ resource: RSC, snapshot: base.snapshot, start: at("2026-07-01T00:00:00Z") }));
            const r = await newestCompleteBackup(direct(bucket), { pvcNamespace: "jenkins" });
            expect(r.chosen).to.equal(undefined);
            expect(r.rejected).to.have.length(4);
            expect(r.rejected[0].reason).to.match(new RegExp(`^its base ${chain[0].replace(/[\^]/g, "\\^")}: data object .* is missing$`));
        });

        it("takes only backups of claims in the namespace (and with a matching name)", async () => {
            shipChain(bucket, {
                resource: "pvc-99999999-0000-4000-8000-000000000009",
                pvcNamespace: "monitoring",
                pvcName: "prometheus-db",
                start: at("2026-07-02T00:00:00Z"),
                increments: 0,
            });
            const r = await newestCompleteBackup(direct(bucket), { pvcNamespace: "jenkins" });
            expect(r.chosen?.backup.id).to.equal(chain[3]);
            const none = await newestCompleteBackup(direct(bucket), { pvcNamespace: "jenkins", pvcName: (n) => n.startsWith("restored-") });
            expect(none.chosen).to.equal(undefined);
        });

        it("takes the newest across resources and clusters (after a fail-over the DR cluster ships the newest)", async () => {
            const dr = shipChain(bucket, {
                resource: "pvc-dddddddd-0000-4000-8000-00000000000d",
                pvcNamespace: "jenkins",
                pvcName: "jenkins-dr-20260701-030000-1a2b3c4d",
                clusterId: "dr-cluster",
                start: at("2026-07-01T06:00:00Z"),
                increments: 1,
            });
            const r = await newestCompleteBackup(direct(bucket), { pvcNamespace: "jenkins" });
            expect(r.chosen?.backup.id).to.equal(dr[1]);
            expect(r.chosen?.backup.clusterId).to.equal("dr-cluster");
        });

        it("refuses a backup of several volumes (linstor-csi restores one)", async () => {
            bucket.ship({ resource: RSC, ...JENKINS, snapshot: "snapshot-two", start: at("2026-07-01T09:00:00Z"), volumes: 2 });
            const r = await newestCompleteBackup(direct(bucket), { pvcNamespace: "jenkins" });
            expect(r.chosen?.backup.id).to.equal(chain[3]);
            expect(r.rejected[0].reason).to.match(/2 volumes/);
        });

        it("looks only at the backups `wanted` accepts (a pinned backup)", async () => {
            const pinned = parseMetaKey(`${chain[1]}.meta`)!;
            const r = await newestCompleteBackup(direct(bucket), { pvcNamespace: "jenkins" }, (b) => b.snapshot === pinned.snapshot);
            expect(r.chosen?.backup.id).to.equal(chain[1]);
            expect(r.chosen?.chain).to.have.length(2);
        });

        it("reads only the metas it needs: the candidate's resource, none newer than the backup it picks", async () => {
            const other = shipChain(bucket, {
                resource: "pvc-99999999-0000-4000-8000-000000000009",
                pvcNamespace: "jenkins",
                pvcName: "jenkins-home",
                start: at("2026-06-01T00:00:00Z"),
                increments: 2,
            });
            await newestCompleteBackup(direct(bucket), { pvcNamespace: "jenkins" });
            const metas = bucket.reads.filter((k) => k.endsWith(".meta"));
            expect([...metas].sort()).to.deep.equal(chain.map((id) => `${id}.meta`).sort());
            for (const id of other) expect(metas).to.not.include(`${id}.meta`);
        });

        it("with `resource`, reads that resource's metas only, whatever their claim properties", async () => {
            const bare = new FakeLinstorBucket("bare");
            const mine = shipChain(bare, { resource: RSC, start: at("2026-07-01T00:00:00Z"), increments: 2 });
            // A newer volume's chain, which neither a namespace rule nor this filter may take.
            shipChain(bare, { resource: "pvc-99999999-0000-4000-8000-000000000009", start: at("2026-07-02T00:00:00Z"), increments: 1 });
            expect((await newestCompleteBackup(direct(bare), { pvcNamespace: "jenkins" })).chosen).to.equal(undefined);
            bare.reads.length = 0;
            const r = await newestCompleteBackup(direct(bare), { resource: RSC });
            expect(r.chosen?.backup.id).to.equal(mine.at(-1));
            expect(bare.reads.every((k) => k.startsWith(RSC))).to.equal(true);
            const heads = await resourceHeads(direct(bare));
            expect(heads.map((h) => [h.resource, h.head.pvcNamespace, h.first, h.last])).to.have.deep.members([
                [RSC, undefined, "back_20260701_000000", "back_20260701_020000"],
                ["pvc-99999999-0000-4000-8000-000000000009", undefined, "back_20260702_000000", "back_20260702_010000"],
            ]);
        });

        it("follows a long chain with a bounded read-ahead: older chains of the resource stay unread", async () => {
            const long = new FakeLinstorBucket("long");
            const old = shipChain(long, { resource: RSC, ...JENKINS, start: at("2026-06-01T00:00:00Z"), increments: 40 });
            const recent = shipChain(long, { resource: RSC, ...JENKINS, start: at("2026-07-01T00:00:00Z"), increments: 30 });
            const r = await newestCompleteBackup(direct(long), { pvcNamespace: "jenkins" });
            expect(r.chosen?.chain).to.have.length(31);
            const metas = long.reads.filter((k) => k.endsWith(".meta"));
            expect(metas).to.include.members(recent.map((id) => `${id}.meta`));
            expect(metas.length - recent.length, "metas read beyond the chain").to.be.at.most(8);
            expect(metas).to.not.include(`${old[0]}.meta`);
        });

        it("stops at a chain that loops", async () => {
            const loop = new FakeLinstorBucket("loop");
            const a = { resource: RSC, ...JENKINS, snapshot: "snapshot-a", start: at("2026-07-01T00:00:00Z") };
            const b = { resource: RSC, ...JENKINS, snapshot: "snapshot-b", start: at("2026-07-01T01:00:00Z") };
            loop.ship({ ...a, basedOn: linstorBackupId(b) });
            loop.ship({ ...b, basedOn: linstorBackupId(a) });
            const r = await newestCompleteBackup(direct(loop), { pvcNamespace: "jenkins" });
            expect(r.chosen).to.equal(undefined);
            expect(r.rejected[0].reason).to.match(/loops/);
        });
    });

    describe("through the AWS provider's S3 data sources", () => {
        after(() => delete s3Buckets.big);

        it("pages through more than 1,000 keys and reads metas and sizes", async () => {
            const bucket = new FakeLinstorBucket("big");
            for (let i = 0; i < 1500; i++) bucket.putOther(`linstor-db/hje-dev/${String(i).padStart(5, "0")}.tar.gz`);
            const ids = shipChain(bucket, { resource: RSC, ...JENKINS, start: at("2026-07-01T00:00:00Z"), increments: 1 });
            s3Buckets.big = bucket;
            const r = await newestCompleteBackup(s3BucketReader("big", "us-east-2"), { pvcNamespace: "jenkins" });
            expect(r.chosen?.backup.id).to.equal(ids[1]);
            expect(r.chosen?.chainBytes).to.equal(2 ** 30 + 64 * 2 ** 20);
        });

        it("an empty or unknown bucket has no backup", async () => {
            const r = await newestCompleteBackup(s3BucketReader("nothing-here", "us-east-2"), { pvcNamespace: "jenkins" });
            expect(r).to.deep.equal({ rejected: [], withoutMeta: [] });
        });
    });
});
