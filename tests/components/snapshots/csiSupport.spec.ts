/**
 * Versions that do what the config says: the operator → linstor-csi → snapshot-key tables, the refusal of keys the
 * deployed linstor-csi ignores (stack and library), and pruning against a fake of linstor-csi 1.11.2 and 1.11.3
 * (tests/support/fakes/fakeCsiBackups.ts; sources cited there and in components/linstorCluster/operatorReleases.ts).
 */
import { expect } from "chai";
import { CSI_SNAPSHOT_KEYS, keysEveryCsiParses, operatorRelease, supportedSnapshotKeys } from "../../../components/linstorCluster/operatorReleases";
import { LINSTOR_CLUSTER_DEFAULTS } from "../../../components/linstorCluster/settings";
import { ConfigError } from "../../../components/shared/errors";
import { S3SnapshotShipping } from "../../../components/snapshots";
import { ignoredSnapshotKeys, refuseIgnoredSnapshotKeys } from "../../../components/snapshots/csiSupport";
import { snapshotClassParameters } from "../../../components/snapshots/schedule";
import { S3_SNAPSHOT_DEFAULTS as D } from "../../../components/snapshots/settings";
import { loadConfig, validateAcrossSections } from "../../../stacks/config";
import {
    FAKE_CSI_PARSED_KEYS,
    FakeCsiBackups,
    type FakeCsiVersion,
    type HourSample,
    SNAP,
    simulateHourlySchedule,
} from "../../support/fakes/fakeCsiBackups";
import { thrown } from "../../support/fixtures";
import { recorded, resetRecords, settle, useStack } from "../../support/mocks";
import { QUICK_START_API_ACCESS } from "../../support/stacks";
import { args } from "./fixtures";

const K = (key: string) => `ha-jenkins-eks:${key}`;
const key = (f: string) => `T.${f}`;
const defaults = { snapshotAllowIncremental: D.snapshotAllowIncremental, snapshotMaxIncrements: D.snapshotMaxIncrements };

/** The schedule's class parameters with the default settings (what the stack emits). */
function defaultClass(overrides: { maxIncrements?: number; fullSnapshotAfter?: string; allowIncremental?: boolean } = {}) {
    return snapshotClassParameters({
        remoteName: "s3-eu-central-1",
        bucket: "b",
        region: "eu-central-1",
        allowIncremental: overrides.allowIncremental ?? D.snapshotAllowIncremental,
        maxIncrements: overrides.maxIncrements ?? D.snapshotMaxIncrements,
        fullSnapshotAfter: overrides.fullSnapshotAfter,
    });
}

describe("operator releases and the snapshot keys their linstor-csi parses", () => {
    it("knows what the researched releases deploy, and nothing about LINBIT 2.10.0", () => {
        expect(operatorRelease("piraeus", "2.10.7")).to.deep.equal({ linstor: "1.33.3", linstorCsi: "1.11.2" });
        expect(operatorRelease("piraeus", "2.10.8")).to.deep.equal({ linstor: "1.33.3", linstorCsi: "1.11.3" });
        expect(operatorRelease("piraeus", "2.12.1")).to.deep.equal({ linstor: "1.35.3", linstorCsi: "1.13.2" });
        expect(operatorRelease("linbit", "2.10.0")).to.equal(undefined);
        expect(operatorRelease("piraeus", "2.11.0")).to.equal(undefined);
        expect(operatorRelease("piraeus", "toString")).to.equal(undefined);
    });

    it("the default pin deploys a linstor-csi that parses every key the default class carries", () => {
        expect(LINSTOR_CLUSTER_DEFAULTS.piraeusOperatorChartVersion).to.equal("2.10.8");
        const csi = operatorRelease("piraeus", LINSTOR_CLUSTER_DEFAULTS.piraeusOperatorChartVersion)?.linstorCsi;
        expect(csi).to.equal("1.11.3");
        expect(supportedSnapshotKeys(csi as string)).to.include.members(Object.keys(defaultClass({ fullSnapshotAfter: "24h" })));
    });

    it("the program's key table matches the fake of each modelled linstor-csi version", () => {
        for (const v of Object.keys(FAKE_CSI_PARSED_KEYS) as FakeCsiVersion[]) {
            expect(supportedSnapshotKeys(v), v).to.have.members(FAKE_CSI_PARSED_KEYS[v].map((k) => `${SNAP}/${k}`));
        }
        expect(supportedSnapshotKeys("1.13.2")).to.have.members(supportedSnapshotKeys("1.11.3") as string[]);
        expect(supportedSnapshotKeys("1.10.0")).to.equal(undefined);
        expect(keysEveryCsiParses()).to.have.length(CSI_SNAPSHOT_KEYS[0].keys.length);
    });

    it("names the keys a version would ignore", () => {
        expect(ignoredSnapshotKeys(defaults, "1.11.2")).to.deep.equal([`${SNAP}/max-increments`]);
        expect(ignoredSnapshotKeys({ ...defaults, snapshotFullAfter: "24h" }, "1.11.2")).to.deep.equal([
            `${SNAP}/max-increments`,
            `${SNAP}/full-snapshot-after`,
        ]);
        expect(ignoredSnapshotKeys({ ...defaults, snapshotFullAfter: "24h" }, "1.11.3")).to.deep.equal([]);
        expect(ignoredSnapshotKeys({ ...defaults, snapshotAllowIncremental: false }, "1.11.2")).to.deep.equal([]);
        expect(ignoredSnapshotKeys(defaults, undefined)).to.deep.equal([`${SNAP}/max-increments`]);
    });
});

describe("refusing snapshot settings the deployed linstor-csi ignores", () => {
    it("refuses max-increments on linstor-csi 1.11.2, saying what to pin", () => {
        const e = thrown(() => refuseIgnoredSnapshotKeys(defaults, "1.11.2", "piraeusOperatorChartVersion 2.10.7", key));
        expect(e).to.be.instanceOf(ConfigError);
        expect(e.message).to.match(/T\.snapshotMaxIncrements: 23\. piraeusOperatorChartVersion 2\.10\.7 deploys linstor-csi 1\.11\.2/);
        expect(e.message).to.match(/Pin piraeusOperatorChartVersion 2\.10\.8 or later.*T\.snapshotAllowIncremental: false/);
    });

    it("names snapshotFullAfter when it is the only ignored key, and refuses a release not in the table", () => {
        const onlyAge = { snapshotAllowIncremental: true, snapshotMaxIncrements: 0, snapshotFullAfter: "168h" };
        expect(thrown(() => refuseIgnoredSnapshotKeys(onlyAge, "1.11.2", "x", key)).message).to.match(/T\.snapshotFullAfter: "168h"/);
        expect(thrown(() => refuseIgnoredSnapshotKeys(defaults, undefined, "linbitOperatorChartVersion 2.10.0", key)).message).to.match(
            /linbitOperatorChartVersion 2\.10\.0 is not in the table of operator releases.*unknown/,
        );
    });

    it("accepts what linstor-csi parses", () => {
        refuseIgnoredSnapshotKeys({ ...defaults, snapshotFullAfter: "24h" }, "1.11.3", "x", key);
        refuseIgnoredSnapshotKeys({ ...defaults, snapshotFullAfter: "24h" }, "1.13.2", "x", key);
        refuseIgnoredSnapshotKeys({ ...defaults, snapshotAllowIncremental: false }, "1.11.2", "x", key);
        refuseIgnoredSnapshotKeys({ ...defaults, snapshotAllowIncremental: false }, undefined, "x", key);
    });

    describe("in the stack (validateAcrossSections)", () => {
        const evaluate = (config: Record<string, string>) => {
            useStack("dev", { "aws:region": "us-west-2", ...QUICK_START_API_ACCESS, ...config });
            validateAcrossSections(loadConfig());
        };

        it("refuses the old pin with the default snapshot settings, naming the config key", () => {
            expect(thrown(() => evaluate({ [K("piraeusOperatorChartVersion")]: "2.10.7" })).message).to.match(
                /ha-jenkins-eks:snapshotMaxIncrements: 23\. ha-jenkins-eks:piraeusOperatorChartVersion 2\.10\.7 deploys linstor-csi 1\.11\.2/,
            );
        });

        it("refuses LINBIT 2.10.0 (unknown CSI) unless incremental backups are off", () => {
            const linbit = { [K("linstorDistribution")]: "linbit", [K("drbdIoUsername")]: "acme", [K("drbdIoPassword")]: "pw" };
            expect(thrown(() => evaluate(linbit)).message).to.match(/linbitOperatorChartVersion 2\.10\.0 is not in the table/);
            evaluate({ ...linbit, [K("snapshotAllowIncremental")]: "false" });
        });

        it("accepts the defaults and 2.12.1", () => {
            evaluate({});
            evaluate({ [K("piraeusOperatorChartVersion")]: "2.12.1", [K("snapshotFullAfter")]: "24h" });
        });
    });

    it("in the library: S3SnapshotShipping with linstorCsiVersion 1.11.2 refuses before registering anything", async () => {
        resetRecords();
        const e = thrown(() => new S3SnapshotShipping("lib", args({ linstorCsiVersion: "1.11.2" })));
        expect(e).to.be.instanceOf(ConfigError);
        expect(e.message).to.match(/S3SnapshotShipping\.snapshotMaxIncrements: 23\. linstor-csi 1\.11\.2 deploys linstor-csi 1\.11\.2/);
        await settle();
        expect(recorded.filter((r) => r.type !== "pulumi:providers:kubernetes")).to.deep.equal([]);
    });
});

describe("pruning the hourly schedule against linstor-csi (fakeCsiBackups)", () => {
    const HOURS = 1000;
    const RETENTION = D.snapshotRetention;
    const run = (version: FakeCsiVersion, params: Record<string, string>) => {
        const csi = new FakeCsiBackups(version, params);
        return { csi, samples: simulateHourlySchedule(csi, RETENTION, HOURS) };
    };
    /** Backups never exceed `limit` and no pruned snapshot waits longer than `maxWaitHours`. */
    const bounded = (samples: HourSample[], limit: number, maxWaitHours: number) =>
        samples.every((s) => s.backups <= limit && s.oldestTerminatingHours <= maxWaitHours);
    const LIMIT = RETENTION + D.snapshotMaxIncrements + 1;
    const MAX_WAIT = D.snapshotMaxIncrements + 1;

    it("1.11.2 ignores max-increments, every delete of a base fails, and backups grow without bound", () => {
        const { csi, samples } = run("1.11.2", defaultClass());
        expect(csi.warnings).to.deep.equal([`ignoring unknown snapshot parameter key ${SNAP}/max-increments`]);
        // One backup per hour, none ever reclaimed; the pruned ones stay Terminating from the hour they were pruned.
        expect(samples[499].backups).to.equal(500);
        expect(samples[HOURS - 1].backups).to.equal(HOURS);
        expect(samples[HOURS - 1].terminating).to.equal(HOURS - RETENTION);
        expect(samples[HOURS - 1].oldestTerminatingHours).to.equal(HOURS - RETENTION - 1);
        expect(csi.deleteErrors.some((m) => m.includes("FAIL_DEPENDEND_BACKUP"))).to.equal(true);
        expect(bounded(samples, LIMIT, MAX_WAIT)).to.equal(false);
    });

    it("≥1.11.3 with max-increments cuts the chain: backups stay bounded and pruned snapshots drain newest-first", () => {
        const { csi, samples } = run("1.11.3", defaultClass());
        expect(csi.warnings).to.deep.equal([]);
        expect(bounded(samples, LIMIT, MAX_WAIT)).to.equal(true);
        // Steady state: the count repeats with the chain period, it does not creep.
        const late = samples.slice(HOURS - 240);
        const early = samples.slice(HOURS - 480, HOURS - 240);
        expect(Math.max(...late.map((s) => s.backups))).to.equal(Math.max(...early.map((s) => s.backups)));
        expect(Math.min(...late.map((s) => s.backups))).to.be.at.least(RETENTION);
        // Deletes of a still-referenced base are deferred (retryable), never LINSTOR's refusal.
        expect(csi.deleteErrors.length).to.be.greaterThan(0);
        expect(csi.deleteErrors.every((m) => m.includes("deferring deletion"))).to.equal(true);
    });

    it("≥1.11.3 bounds by age too (full-snapshot-after), and without either key grows like 1.11.2", () => {
        const byAge = run("1.11.3", defaultClass({ maxIncrements: 0, fullSnapshotAfter: "24h" }));
        expect(bounded(byAge.samples, RETENTION + 25, 25)).to.equal(true);
        const unbounded = run("1.11.3", defaultClass({ maxIncrements: 0 }));
        expect(unbounded.samples[HOURS - 1].backups).to.equal(HOURS);
        expect(bounded(unbounded.samples, LIMIT, MAX_WAIT)).to.equal(false);
    });

    it("full backups (allow-incremental false) prune on 1.11.2 too", () => {
        const { samples } = run("1.11.2", defaultClass({ allowIncremental: false }));
        expect(bounded(samples, RETENTION + 1, 0)).to.equal(true);
    });
});
