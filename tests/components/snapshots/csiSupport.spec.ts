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
import { PRUNE_SELECTION_JQ } from "../../../components/snapshots/snapshotJob";
import { loadConfig, validateAcrossSections } from "../../../stacks/config";
import {
    FAKE_CSI_PARSED_KEYS,
    FakeCsiBackups,
    type FakeCsiVersion,
    type RunSample,
    SNAP,
    simulateSchedule,
} from "../../support/fakes/fakeCsiBackups";
import { thrown } from "../../support/fixtures";
import { HAS_JQ, JqProcess } from "../../support/jqProcess";
import { recorded, resetRecords, settle, useStack } from "../../support/mocks";
import { QUICK_START_API_ACCESS } from "../../support/stacks";
import { args } from "./fixtures";

const K = (key: string) => `ha-jenkins-eks:${key}`;
const key = (f: string) => `T.${f}`;
const defaults = {
    snapshotAllowIncremental: D.snapshotAllowIncremental,
    snapshotMaxIncrements: D.snapshotMaxIncrements,
    snapshotFullAfter: D.snapshotFullAfter,
};
const withCount = { ...defaults, snapshotMaxIncrements: 23 };

/** The schedule's class parameters with the default settings (what the stack emits). */
function defaultClass(overrides: { maxIncrements?: number; fullSnapshotAfter?: string | undefined; allowIncremental?: boolean } = {}) {
    return snapshotClassParameters({
        remoteName: "s3-eu-central-1",
        bucket: "b",
        region: "eu-central-1",
        allowIncremental: overrides.allowIncremental ?? D.snapshotAllowIncremental,
        maxIncrements: overrides.maxIncrements ?? D.snapshotMaxIncrements,
        fullSnapshotAfter: "fullSnapshotAfter" in overrides ? overrides.fullSnapshotAfter : D.snapshotFullAfter,
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
        expect(supportedSnapshotKeys(csi as string)).to.include.members(Object.keys(defaultClass({ maxIncrements: 23 })));
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
        expect(ignoredSnapshotKeys(defaults, "1.11.2")).to.deep.equal([`${SNAP}/full-snapshot-after`]);
        expect(ignoredSnapshotKeys(withCount, "1.11.2")).to.deep.equal([`${SNAP}/max-increments`, `${SNAP}/full-snapshot-after`]);
        expect(ignoredSnapshotKeys(withCount, "1.11.3")).to.deep.equal([]);
        expect(ignoredSnapshotKeys({ ...defaults, snapshotAllowIncremental: false }, "1.11.2")).to.deep.equal([]);
        expect(ignoredSnapshotKeys(defaults, undefined)).to.deep.equal([`${SNAP}/full-snapshot-after`]);
    });
});

describe("refusing snapshot settings the deployed linstor-csi ignores", () => {
    it("refuses max-increments on linstor-csi 1.11.2, saying what to pin", () => {
        const e = thrown(() => refuseIgnoredSnapshotKeys(withCount, "1.11.2", "piraeusOperatorChartVersion 2.10.7", key));
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
        refuseIgnoredSnapshotKeys(withCount, "1.11.3", "x", key);
        refuseIgnoredSnapshotKeys(withCount, "1.13.2", "x", key);
        refuseIgnoredSnapshotKeys({ ...defaults, snapshotAllowIncremental: false }, "1.11.2", "x", key);
        refuseIgnoredSnapshotKeys({ ...defaults, snapshotAllowIncremental: false }, undefined, "x", key);
    });

    describe("in the stack (validateAcrossSections)", () => {
        const evaluate = (config: Record<string, string>) => {
            // The drbd.io password is a secret key (the reader refuses it in plain text).
            useStack("dev", { "aws:region": "us-west-2", ...QUICK_START_API_ACCESS, ...config }, [K("drbdIoPassword")]);
            validateAcrossSections(loadConfig());
        };

        it("refuses the old pin with the default snapshot settings, naming the config key", () => {
            expect(thrown(() => evaluate({ [K("piraeusOperatorChartVersion")]: "2.10.7" })).message).to.match(
                /ha-jenkins-eks:snapshotFullAfter: "24h"\. ha-jenkins-eks:piraeusOperatorChartVersion 2\.10\.7 deploys linstor-csi 1\.11\.2/,
            );
        });

        it("refuses LINBIT 2.10.0 (unknown CSI) unless incremental backups are off", () => {
            const linbit = { [K("linstorDistribution")]: "linbit", [K("drbdIoUsername")]: "acme", [K("drbdIoPassword")]: "pw" };
            expect(thrown(() => evaluate(linbit)).message).to.match(/linbitOperatorChartVersion 2\.10\.0 is not in the table/);
            evaluate({ ...linbit, [K("snapshotAllowIncremental")]: "false" });
        });

        it("accepts the defaults and 2.12.1", () => {
            evaluate({});
            evaluate({ [K("piraeusOperatorChartVersion")]: "2.12.1", [K("snapshotMaxIncrements")]: "23" });
        });
    });

    it("in the library: S3SnapshotShipping with linstorCsiVersion 1.11.2 refuses before registering anything", async () => {
        resetRecords();
        const e = thrown(() => new S3SnapshotShipping("lib", args({ linstorCsiVersion: "1.11.2" })));
        expect(e).to.be.instanceOf(ConfigError);
        expect(e.message).to.match(/S3SnapshotShipping\.snapshotFullAfter: "24h"\. linstor-csi 1\.11\.2 deploys linstor-csi 1\.11\.2/);
        await settle();
        expect(recorded.filter((r) => r.type !== "pulumi:providers:kubernetes")).to.deep.equal([]);
    });
});

describe("pruning against each linstor-csi version (fakeCsiBackups, the real selection with jq)", () => {
    const DAYS = 5;
    let jq: JqProcess;
    before(function () {
        if (!HAS_JQ) this.skip();
        jq = new JqProcess(PRUNE_SELECTION_JQ, ["now", "keep", "daily", "kind"]);
    });
    after(() => jq?.close());
    /**
     * Hourly runs, 24 h kept, no daily points. `jobFullAfterHours`: the schedule's own fulls (0: every run; undefined:
     * never, only linstor-csi's bound starts chains, which the pruning cannot see).
     */
    const run = async (version: FakeCsiVersion, incremental: Record<string, string>, jobFullAfterHours?: number) => {
        const csi = new FakeCsiBackups(version, { incremental, full: defaultClass({ allowIncremental: false }) });
        const samples = await simulateSchedule({
            csi,
            select: async (list, vars) => (await jq.run(list, vars)) as string[],
            minutes: DAYS * 24 * 60,
            intervalMinutes: 60,
            incrementalClass: "incremental",
            fullClass: "full",
            fullAfterMinutes: jobFullAfterHours === undefined ? undefined : jobFullAfterHours * 60,
            keepHours: 24,
            dailyDays: 0,
            deleteOrder: "oldestFirst",
        });
        return { csi, samples };
    };
    /** Backups never exceed `limit` and no pruned snapshot waits longer than `maxWaitMinutes`. */
    const bounded = (samples: RunSample[], limit: number, maxWaitMinutes: number) =>
        samples.every((s) => s.backups <= limit && s.oldestTerminatingMinutes <= maxWaitMinutes);
    // 24 h kept, back to a chain's full (≤ 24 h more), and the run that starts a new chain.
    const LIMIT = 24 + 24 + 2;
    const longestChain = (samples: RunSample[]) => Math.max(...samples.map((s) => s.newestChainIncrements));

    it("linstor-csi's own bound: 1.11.2 ignores full-snapshot-after (the chain is never cut), 1.11.3 cuts it", async () => {
        const old = await run("1.11.2", defaultClass());
        expect(old.csi.warnings).to.deep.equal([`ignoring unknown snapshot parameter key ${SNAP}/full-snapshot-after`]);
        expect(longestChain(old.samples)).to.equal(DAYS * 24 - 1);
        for (const cls of [defaultClass(), defaultClass({ fullSnapshotAfter: undefined, maxIncrements: 23 })]) {
            const current = await run("1.11.3", cls);
            expect(current.csi.warnings).to.deep.equal([]);
            expect(longestChain(current.samples)).to.be.at.most(24);
        }
        expect(longestChain((await run("1.11.3", defaultClass({ fullSnapshotAfter: undefined }))).samples)).to.equal(DAYS * 24 - 1);
    });

    it("the schedule's own fulls bound S3 and the pools on both; a base deleted too early fails (1.11.2) or is deferred (1.11.3)", async () => {
        const expected = { "1.11.2": "FAIL_DEPENDEND_BACKUP", "1.11.3": "deferring deletion" };
        for (const version of ["1.11.2", "1.11.3"] as const) {
            // No chain key in the class (1.11.2 would ignore it): only the schedule's fulls start chains.
            const { csi, samples } = await run(version, defaultClass({ fullSnapshotAfter: undefined }), 24);
            expect(bounded(samples, LIMIT, 0), version).to.equal(true);
            expect(Math.max(...samples.map((x) => x.newestChainIncrements)), version).to.equal(23);
            for (const b of csi.backups.values()) if (b.basedOn) expect(csi.backups.has(b.basedOn), b.id).to.equal(true);
            expect(csi.deleteErrors.length, version).to.be.greaterThan(0);
            expect(
                csi.deleteErrors.every((m) => m.includes(expected[version])),
                version,
            ).to.equal(true);
        }
    });

    it("without the schedule's fulls the pruning keeps every chain it cannot see the start of (never less than needed)", async () => {
        const { csi, samples } = await run("1.11.3", defaultClass());
        expect(csi.deleteErrors).to.deep.equal([]);
        expect(samples[samples.length - 1].backups).to.equal(DAYS * 24);
    });

    it("full backups (allow-incremental false: every run takes the full class) prune on 1.11.2 too", async () => {
        const { samples } = await run("1.11.2", defaultClass({ allowIncremental: false }), 0);
        expect(bounded(samples, 25, 0)).to.equal(true);
    });
});
