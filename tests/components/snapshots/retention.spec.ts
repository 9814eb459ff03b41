/**
 * Retention by age: the pruning selection (the real PRUNE_SELECTION_JQ, run by jq) on hand-made lists and over weeks
 * of a simulated schedule against linstor-csi 1.11.3 (tests/support/fakes/fakeCsiBackups.ts), the on-demand class
 * that pins no chain, and the upper bounds retention.ts gives the data pool check and the offline plan.
 */
import { expect } from "chai";
import {
    fullAfterHours,
    fullShippingSeconds,
    retentionFootprint,
    SHIPPING_ESTIMATE,
    scheduleRunsPerDay,
} from "../../../components/snapshots/retention";
import { describeSnapshotSchedule, snapshotClassParameters } from "../../../components/snapshots/schedule";
import { S3_SNAPSHOT_SETTINGS_DEFAULTS as D } from "../../../components/snapshots/settings";
import { LOCAL_TRIM_JQ, PRUNE_SELECTION_JQ } from "../../../components/snapshots/snapshotJob";
import { FakeCsiBackups, pinnedGiB, type RunSample, type Selector, simulateSchedule, type TrimSelector } from "../../support/fakes/fakeCsiBackups";
import { HAS_JQ, JqProcess } from "../../support/jqProcess";

const KIND = "ha-jenkins-eks.io/snapshot-kind";
const NOW = Date.UTC(2026, 4, 10, 12, 0, 0) / 1000;
const HOUR = 3600;

const classes = {
    incremental: snapshotClassParameters({
        remoteName: "r",
        bucket: "b",
        region: "us-east-2",
        allowIncremental: true,
        maxIncrements: 0,
        fullSnapshotAfter: D.snapshotFullAfter,
    }),
    full: snapshotClassParameters({ remoteName: "r", bucket: "b", region: "us-east-2", allowIncremental: false, maxIncrements: 0 }),
    /** Without the trim (snapshotLocalSnapshots 0) the on-demand class drops its local copy. */
    onDemand: snapshotClassParameters({
        remoteName: "r",
        bucket: "b",
        region: "us-east-2",
        allowIncremental: false,
        maxIncrements: 0,
        deleteLocal: true,
    }),
    /** With the trim (the default) it keeps it until a newer snapshot ships (components/snapshots/index.ts). */
    onDemandKept: snapshotClassParameters({ remoteName: "r", bucket: "b", region: "us-east-2", allowIncremental: false, maxIncrements: 0 }),
};

describe("retention by age (PRUNE_SELECTION_JQ with jq)", () => {
    let jq: JqProcess;
    let trimJq: JqProcess;
    const select: Selector = async (list, vars) => (await jq.run(list, vars)) as string[];
    const trimSelect: TrimSelector = async (list, vars) => (await trimJq.run(list, vars)) as string[];

    before(function () {
        if (!HAS_JQ) this.skip();
        jq = new JqProcess(PRUNE_SELECTION_JQ, ["now", "keep", "daily", "kind"]);
        trimJq = new JqProcess(LOCAL_TRIM_JQ, ["now", "keep", "inflight", "pvc", "classes"]);
    });
    after(() => {
        jq?.close();
        trimJq?.close();
    });

    /** A scheduled VolumeSnapshot `hoursAgo` old. */
    const snap = (name: string, hoursAgo: number, kind: "full" | "incremental", ready = true, deleting = false) => ({
        metadata: {
            name,
            creationTimestamp: new Date((NOW - hoursAgo * HOUR) * 1000).toISOString().replace(/\.000Z$/, "Z"),
            labels: { "ha-jenkins-eks.io/snapshot-schedule": "jenkins-snapshots", [KIND]: kind },
            ...(deleting ? { deletionTimestamp: "2026-05-10T11:00:00Z" } : {}),
        },
        status: { readyToUse: ready },
    });
    const prune = (items: object[], keepHours = 48, dailyDays = 7) =>
        select({ items }, { now: NOW, keep: keepHours * HOUR, daily: dailyDays * 86400, kind: KIND });

    describe("the selection on hand-made lists", () => {
        it("keeps what is younger than the window and its chain back to the full; deletes older chains newest first", async () => {
            // Chain A: full 80 h ago, increments 79..73 h; chain B: full 56 h ago, increments down to 50 h, 47 h, 1 h.
            const items = [
                snap("a-full", 80, "full"),
                ...[79, 77, 75, 73].map((h) => snap(`a-${h}`, h, "incremental")),
                snap("b-full", 56, "full"),
                ...[54, 52, 50, 47, 1].map((h) => snap(`b-${h}`, h, "incremental")),
            ];
            // Daily points off: the window alone. b-47 is kept, so are b-50..b-54 and b-full that it builds on.
            expect(await prune(items, 48, 0)).to.deep.equal(["a-73", "a-75", "a-77", "a-79", "a-full"]);
            // With daily points, a-full (the newest full of its UTC day) stays; its increments still go.
            expect(await prune(items, 48, 7)).to.deep.equal(["a-73", "a-75", "a-77", "a-79"]);
        });

        it("keeps one full per UTC day for the daily days (the newest of the day), and none older", async () => {
            const day = (d: number, h: number) => d * 24 + ((NOW / HOUR) % 24) - h; // hours ago of day −d at h:00 UTC
            const items = [
                snap("d9", day(9, 12), "full"),
                snap("d8", day(8, 12), "full"),
                snap("d3-early", day(3, 1), "full"),
                snap("d3-late", day(3, 20), "full"),
                snap("d3-inc", day(3, 21), "incremental"),
                snap("d2", day(2, 12), "full"),
                snap("d2-not-ready", day(2, 18), "full", false),
                snap("now", 0.1, "incremental"),
            ];
            // d2-not-ready lies inside the chain the newest snapshot builds on (from d2): it stays with it.
            expect(await prune(items, 24, 7)).to.have.members(["d9", "d8", "d3-early", "d3-inc"]);
            // Without daily points d3-late goes too; d2 stays as the full the newest snapshot builds on.
            const withoutDaily = await prune(items, 24, 0);
            expect(withoutDaily).to.include("d3-late").and.not.include("d2");
        });

        it("never prunes the newest ready snapshot, nor what it builds on, however old (a failing schedule)", async () => {
            const items = [
                snap("full", 200, "full"),
                snap("inc-1", 199, "incremental"),
                snap("inc-2", 198, "incremental"),
                ...[100, 60, 20, 1].map((h) => snap(`failed-${h}`, h, "incremental", false)),
            ];
            expect(await prune(items, 48, 0)).to.deep.equal(["failed-60", "failed-100"]);
        });

        it("without a ready full to start the chain, keeps everything older than a kept snapshot", async () => {
            const items = [snap("old-full-failed", 90, "full", false), snap("i-80", 80, "incremental"), snap("i-2", 2, "incremental")];
            expect(await prune(items, 48, 7)).to.deep.equal([]);
        });

        it("leaves snapshots that are already being deleted to linstor-csi", async () => {
            const items = [snap("f", 100, "full", true, true), snap("i", 99, "incremental", true, true), snap("g", 30, "full")];
            expect(await prune(items, 48, 0)).to.deep.equal([]);
        });
    });

    describe("weeks of a schedule against linstor-csi 1.11.3", () => {
        // A compressed default: a snapshot every 30 min, 24 h kept, a full a day, 4 daily points, 3 weeks.
        const settings = {
            ...D,
            snapshotScheduleEnabled: true,
            snapshotSchedule: "*/30 * * * *",
            snapshotRetentionHours: 24,
            snapshotDailyRetentionDays: 4,
        };
        const VOLUME = 20;
        let csi: FakeCsiBackups;
        let samples: RunSample[];
        before(async function () {
            // 1008 runs, each two round trips to jq: 3 s alone, but each round trip waits for a CPU on a loaded machine.
            this.timeout(60000);
            csi = new FakeCsiBackups("1.11.3", classes);
            samples = await simulateSchedule({
                csi,
                select,
                minutes: 21 * 24 * 60,
                intervalMinutes: 30,
                incrementalClass: "incremental",
                fullClass: "full",
                fullAfterMinutes: fullAfterHours(settings) * 60,
                keepHours: settings.snapshotRetentionHours,
                dailyDays: settings.snapshotDailyRetentionDays,
                trim: { localSnapshots: settings.snapshotLocalSnapshots, select: trimSelect },
            });
        });

        it("keeps every snapshot of the last 24 h, a full per day for 4 days, and nothing else once the chain is cut", () => {
            const last = samples[samples.length - 1];
            const ages = last.kept.map((s) => (last.minute - s.minute) / 60);
            expect(ages.filter((h) => h < 24)).to.have.length(48);
            const older = last.kept.filter((s) => (last.minute - s.minute) / 60 >= 24);
            // The chain the oldest in-window snapshot builds on, back to its full: at most a day more.
            const chain = older.filter((s) => (last.minute - s.minute) / 60 < 48);
            expect(chain.length).to.be.at.most(48);
            const daily = older.filter((s) => (last.minute - s.minute) / 60 >= 48);
            expect(daily.every((s) => s.kind === "full")).to.equal(true);
            expect(daily.length).to.be.within(1, 3);
            expect(Math.max(...ages)).to.be.below(4 * 24);
        });

        it("reclaims S3 and the thin pools: counts stay within retention.ts's bounds, deletes wait for one run at most", () => {
            const bound = retentionFootprint(settings, VOLUME);
            expect(bound).to.not.equal(undefined);
            const b = bound as NonNullable<typeof bound>;
            const steady = samples.slice(samples.length / 2);
            expect(Math.max(...steady.map((s) => s.backups))).to.be.at.most(b.snapshots);
            // S3 keeps the retention; LINSTOR only the newest snapshotLocalSnapshots (2) after each run.
            expect(b.localSnapshots).to.equal(4);
            expect(Math.max(...steady.map((s) => s.local.length))).to.equal(2);
            expect(steady.every((s) => s.local.every((m) => s.minute - m <= 30))).to.equal(true);
            for (const s of steady) expect(pinnedGiB(s.local, s.minute, settings.snapshotExpectedChurnGiBPerHour, VOLUME)).to.be.at.most(b.localGiB);
            expect(Math.max(...samples.map((s) => s.newestChainIncrements))).to.be.at.most(b.maxChainIncrements);
            expect(Math.max(...samples.map((s) => s.oldestTerminatingMinutes))).to.equal(0);
            // The steady state repeats daily: it does not creep.
            const day = 48;
            expect(Math.max(...samples.slice(-day).map((s) => s.backups))).to.equal(Math.max(...samples.slice(-2 * day, -day).map((s) => s.backups)));
        });

        it("a failing shipment costs nothing: its snapshot ages out of the window like the others", async () => {
            const failing = new FakeCsiBackups("1.11.3", classes);
            const run = await simulateSchedule({
                csi: failing,
                select,
                minutes: 6 * 24 * 60,
                intervalMinutes: 30,
                incrementalClass: "incremental",
                fullClass: "full",
                fullAfterMinutes: 24 * 60,
                keepHours: 24,
                dailyDays: 2,
                failedRuns: (m) => m >= 2 * 24 * 60 && m < 3 * 24 * 60,
            });
            const last = run[run.length - 1];
            expect(last.kept.filter((s) => !s.ready)).to.deep.equal([]);
            expect(last.backups).to.be.at.most(retentionFootprint({ ...settings, snapshotDailyRetentionDays: 2 }, VOLUME)?.snapshots as number);
        });
    });

    describe("on-demand and restore-point snapshots: a full of the same remote", () => {
        it("with the trim (default) the next scheduled snapshot builds on it: no extra full; its local copy goes next run", async function () {
            this.timeout(60000);
            const csi = new FakeCsiBackups("1.11.3", classes);
            // The default cadence: every 5 minutes, a drill/on-demand snapshot between two runs.
            const onDemandAt = [6 * 60 + 2, 20 * 60 + 3];
            const samples = await simulateSchedule({
                csi,
                select,
                // Just past the second chain's full; until then every snapshot is kept (the chain back to the first full).
                minutes: 24 * 60 + 10,
                intervalMinutes: 5,
                incrementalClass: "incremental",
                fullClass: "full",
                fullAfterMinutes: 24 * 60,
                keepHours: 6,
                dailyDays: 0,
                onDemandAt,
                onDemandClass: "onDemandKept",
                trim: { localSnapshots: 2, select: trimSelect },
            });
            for (const at of onDemandAt) {
                const next = csi.backups.get(`back-jenkins-home-${String(at - (at % 5) + 5).padStart(7, "0")}`);
                // LINSTOR's base is the last started snapshot, the on-demand one, still local: an increment, not a full.
                expect(next?.basedOn, `after on-demand-${at}`).to.equal(`back-on-demand-${at}`);
            }
            const fulls = [...csi.backups.values()].filter((b) => b.basedOn === undefined && b.snapshot.startsWith("jenkins-home-"));
            expect(fulls.map((b) => b.startMinute)).to.deep.equal([0, 24 * 60]);
            // Trimmed once newer ones shipped; S3 keeps it (Retain), and it still restores by downloading its backup.
            const later = samples.find((x) => x.minute === onDemandAt[0] - (onDemandAt[0] % 5) + 15);
            expect(later?.local).to.not.include(onDemandAt[0]);
            expect(later?.local).to.have.length(2);
            expect(csi.backups.has(`back-on-demand-${onDemandAt[0]}`)).to.equal(true);
            expect(csi.restore(`on-demand-${onDemandAt[0]}`)).to.equal(1);
            expect(csi.local.has(`on-demand-${onDemandAt[0]}`)).to.equal(true);
            expect(Math.max(...samples.map((x) => x.local.length))).to.be.at.most(
                retentionFootprint({ ...D, snapshotScheduleEnabled: true }, 20)?.localSnapshots as number,
            );
        });

        it("M4 at */5: an on-demand full shipping longer than the interval, increments queued behind it", () => {
            // Scheduled at 0 (full), 5, 10, 15; the drill's on-demand full at 2 ships for 12 minutes (until 14).
            const run = (onDemandClass: string) => {
                const csi = new FakeCsiBackups("1.11.3", classes);
                csi.create(0, "s0", "full", 1);
                csi.create(2, "od", onDemandClass, 12);
                for (const m of [5, 10, 15]) {
                    csi.advance(m);
                    csi.create(m, `s${m}`, "incremental", 1);
                }
                csi.advance(60);
                return csi;
            };
            // delete-local (the old class): LINSTOR strips the on-demand base from the queued increment: another full.
            const old = run("onDemand");
            expect(old.backups.get("back-s5")?.shipStartMinute).to.equal(14);
            expect(old.backups.get("back-s5")?.basedOn).to.equal(undefined);
            expect(old.backups.get("back-s10")?.basedOn).to.equal("back-s5");
            // The class that keeps its local copy (the default, with the trim): the queued increments keep their base.
            const kept = run("onDemandKept");
            expect(kept.backups.get("back-s5")).to.deep.include({ shipStartMinute: 14, basedOn: "back-od" });
            expect([...kept.backups.values()].filter((b) => b.basedOn === undefined).map((b) => b.snapshot)).to.deep.equal(["s0", "od"]);
            expect(kept.local.has("od")).to.equal(true);
        });

        it("a trimmed scheduled snapshot restores by downloading its chain, and its backup still deletes (local 404 ignored)", async () => {
            const csi = new FakeCsiBackups("1.11.3", classes);
            await simulateSchedule({
                csi,
                select,
                minutes: 3 * 60,
                intervalMinutes: 30,
                incrementalClass: "incremental",
                fullClass: "full",
                fullAfterMinutes: 24 * 60,
                keepHours: 24,
                dailyDays: 0,
                trim: { localSnapshots: 2, select: trimSelect },
            });
            expect([...csi.local].sort()).to.deep.equal(["jenkins-home-0000120", "jenkins-home-0000150"]);
            // Minute 60 builds on 30, which builds on the full at 0: three links, none local.
            expect(csi.restore("jenkins-home-0000060")).to.equal(3);
            expect(csi.restore("jenkins-home-0000030")).to.equal(0);
            expect(csi.deleteLocal("jenkins-home-0000090")).to.equal("not-found");
            expect(csi.delete("jenkins-home-0000150")).to.equal(true);
            expect(csi.backups.has("back-jenkins-home-0000150")).to.equal(false);
        });

        it("without the trim it is full and drops its local snapshot, so the schedule's chains drain around it", async () => {
            expect(classes.onDemand[`snap.linstor.csi.linbit.com/allow-incremental`]).to.equal("false");
            expect(classes.onDemand[`snap.linstor.csi.linbit.com/delete-local`]).to.equal("true");
            const csi = new FakeCsiBackups("1.11.3", classes);
            const onDemandAt = [5 * 60 + 10, 30 * 60 + 10, 50 * 60 + 10];
            const samples = await simulateSchedule({
                csi,
                select,
                minutes: 6 * 24 * 60,
                intervalMinutes: 30,
                incrementalClass: "incremental",
                fullClass: "full",
                fullAfterMinutes: 24 * 60,
                keepHours: 12,
                dailyDays: 0,
                onDemandAt,
                onDemandClass: "onDemand",
            });
            const onDemand = [...csi.backups.values()].filter((b) => b.snapshot.startsWith("on-demand-"));
            expect(onDemand).to.have.length(3);
            // Full, nothing kept locally, nothing built on them: they pin no chain in S3 or the pools.
            for (const b of onDemand) {
                expect(b.basedOn).to.equal(undefined);
                expect(csi.local.has(b.snapshot)).to.equal(false);
                expect([...csi.backups.values()].some((x) => x.basedOn === b.id)).to.equal(false);
            }
            // LINSTOR makes the next scheduled backup a full (its last started snapshot is gone locally).
            const after = csi.backups.get("back-jenkins-home-0000330");
            expect(after?.basedOn).to.equal(undefined);
            const last = samples[samples.length - 1];
            expect(last.backups).to.equal(3 + last.kept.length);
            expect(last.terminating).to.equal(0);
        });

        it("taken with the schedule's incremental class instead, it keeps old scheduled backups it builds on", async () => {
            const csi = new FakeCsiBackups("1.11.3", classes);
            await simulateSchedule({
                csi,
                select,
                minutes: 4 * 24 * 60,
                intervalMinutes: 30,
                incrementalClass: "incremental",
                fullClass: "full",
                fullAfterMinutes: 24 * 60,
                keepHours: 12,
                dailyDays: 0,
                onDemandAt: [5 * 60 + 10],
                onDemandClass: "incremental",
            });
            const pinned = csi.chainOf("back-on-demand-310").slice(1);
            expect(pinned.length).to.be.greaterThan(5);
            expect(pinned.every((b) => csi.backups.has(b.id) && csi.local.has(b.snapshot))).to.equal(true);
            expect(csi.deleteErrors.some((m) => m.includes("deferring deletion"))).to.equal(true);
        });
    });
});

describe("retention bounds (retention.ts)", () => {
    it("tells monitoring to wait for a full's shipping (at the documented estimate) beyond twice the gap", () => {
        expect(SHIPPING_ESTIMATE).to.deep.equal({ mibPerSecond: 40, overheadSeconds: 60 });
        expect(fullShippingSeconds(20)).to.equal(572);
        const on = { snapshotScheduleEnabled: true, snapshotSchedule: "*/5 * * * *" };
        expect(describeSnapshotSchedule(on, "piraeus-datastore", 20)).to.deep.include({ intervalSeconds: 300, slackSeconds: 572 });
        expect(describeSnapshotSchedule(on, "piraeus-datastore")).to.not.have.property("slackSeconds");
        expect(describeSnapshotSchedule({ ...on, snapshotScheduleEnabled: false }, "piraeus-datastore", 20)).to.equal(undefined);
    });

    it("counts the runs of a schedule per day", () => {
        expect(scheduleRunsPerDay("*/5 * * * *")).to.equal(288);
        expect(scheduleRunsPerDay("0 * * * *")).to.equal(24);
        expect(scheduleRunsPerDay("0 0 * * MON")).to.be.closeTo(1 / 7, 0.001);
    });

    it("the defaults: S3 keeps 48 h of 5-minute points back to their chain's full, 4 more daily fulls and a draining chain; LINSTOR 4", () => {
        const f = retentionFootprint({ ...D, snapshotScheduleEnabled: true }, 20);
        expect(f).to.deep.include({
            snapshots: 870 + 289,
            localSnapshots: 4,
            fulls: 8,
            localGiB: 0.1,
            oldestKeptHours: 168,
            maxChainIncrements: 288,
        });
        // M1: an expired chain drains one link per csi-snapshotter retry (≤ 5 min): 288 links, 24 h.
        expect(f?.draining).to.deep.equal({ backups: 289, hours: 24 });
        expect(f?.basis).to.equal("4 local snapshots (2 kept + the new one + one started while a full ships) × 5 min × 0.25 GiB/h churn");
        // Without the trim every kept snapshot and the draining chain stay local too.
        const untrimmed = retentionFootprint({ ...D, snapshotScheduleEnabled: true, snapshotLocalSnapshots: 0 }, 20);
        expect(untrimmed).to.deep.include({ localSnapshots: 1159, localGiB: 48.1 });
        expect(untrimmed?.basis).to.match(/= 18 GiB \+ 4 older daily fulls × 6 GiB \+ the chain draining \(289 links, 24 h\)/);
    });

    it("full-only backups need no chain; nothing is retained without a schedule; no volume holds more than its size", () => {
        const fullOnly = retentionFootprint({ ...D, snapshotScheduleEnabled: true, snapshotAllowIncremental: false }, 20);
        expect(fullOnly).to.deep.include({ maxChainIncrements: 0, oldestKeptHours: 168 });
        expect(fullOnly?.fulls).to.equal(fullOnly?.snapshots);
        expect(retentionFootprint({ ...D, snapshotScheduleEnabled: false }, 20)).to.equal(undefined);
        const churny = retentionFootprint({ ...D, snapshotScheduleEnabled: true, snapshotExpectedChurnGiBPerHour: 500 }, 20);
        expect(churny?.incrementGiB).to.equal(20);
        expect(churny?.localGiB).to.be.at.most(20 * (churny?.snapshots as number));
    });
});
