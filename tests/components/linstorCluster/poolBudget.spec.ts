/**
 * The data pool's budget: the pure rule (poolBudget.ts) and the stack's check of everything it places on LINSTOR with
 * the local snapshots its retention keeps (stacks/config/dataPool.ts), before anything is registered.
 */
import { expect } from "chai";
import { poolBudget, refuseOverfullPool, THIN_POOL_FILL_LIMIT_PERCENT } from "../../../components/linstorCluster/poolBudget";
import { ConfigError } from "../../../components/shared/errors";
import { loadConfig, validateAcrossSections } from "../../../stacks/config";
import { dataPoolBudget } from "../../../stacks/config/dataPool";
import { thrown } from "../../support/fixtures";
import { useStack } from "../../support/mocks";
import { QUICK_START_API_ACCESS, stackConfig } from "../../support/stacks";

const K = (key: string) => `ha-jenkins-eks:${key}`;

describe("data pool budget", () => {
    describe("the rule", () => {
        const items = [
            { label: "a", sizeGiB: 50, keys: ["aKey"] },
            { label: "b", sizeGiB: 30.04, keys: ["bKey"], basis: "why" },
        ];

        it("plans at most 80 % of the pool, less when the alert fires earlier", () => {
            expect(THIN_POOL_FILL_LIMIT_PERCENT).to.equal(80);
            expect(poolBudget(100, items)).to.deep.include({ limitGiB: 80, totalGiB: 80, fits: true });
            expect(poolBudget(100, items, 95)).to.deep.include({ fillLimitPercent: 80, limitGiB: 80 });
            expect(poolBudget(100, items, 70)).to.deep.include({ fillLimitPercent: 70, limitGiB: 70, fits: false });
        });

        it("refuses an overfull pool naming its key, the smallest pool that fits and every other knob", () => {
            refuseOverfullPool(poolBudget(100, items), "pool");
            const e = thrown(() => refuseOverfullPool(poolBudget(99, items), "pool", (k) => `ns:${k}`));
            expect(e).to.be.instanceOf(ConfigError);
            expect(e.message).to.match(/^Invalid value for pool: 99\. /);
            expect(e.message).to.contain("a 50 GiB + b 30 GiB (why) = 80 GiB > 79.2 GiB. Raise it to at least 100, or lower ns:aKey, ns:bKey.");
        });
    });

    describe("in the stack (validateAcrossSections)", () => {
        const evaluate = (config: Record<string, string> = {}) => {
            useStack("dev", { "aws:region": "us-west-2", ...QUICK_START_API_ACCESS, ...config });
            const cfg = loadConfig();
            validateAcrossSections(cfg);
            return dataPoolBudget(cfg);
        };

        it("the defaults fit a 200 GiB pool: Jenkins, Prometheus, Alertmanager and the 4 local snapshots the trim leaves", () => {
            const b = evaluate();
            expect(b.items.map((i) => [i.label, i.sizeGiB])).to.deep.equal([
                ["Jenkins claim", 20],
                ["Prometheus", 50],
                ["Alertmanager", 2],
                ["local snapshots (4)", 0.1],
            ]);
            expect(b).to.deep.include({ poolGiB: 200, limitGiB: 160, totalGiB: 72.1, fits: true });
        });

        it("refuses a pool too small for the defaults, saying what to change", () => {
            const e = thrown(() => evaluate({ [K("dataVolumeSizeGiB")]: "80" }));
            expect(e.message).to.contain("ha-jenkins-eks:dataVolumeSizeGiB: 80.");
            expect(e.message).to.contain("= 72.1 GiB > 64 GiB. Raise it to at least 91, or lower ha-jenkins-eks:jenkinsStorageSize,");
            expect(e.message).to.contain("ha-jenkins-eks:snapshotLocalSnapshots");
        });

        it("counts churn, the local snapshots kept (trimmed or not) and an origin restore; not monitoring's volumes without monitoring", () => {
            // Trimmed, a local snapshot pins at most its volume: 16 kept + 2 of a 20 GiB claim at a churn that rewrites it.
            expect(thrown(() => evaluate({ [K("snapshotLocalSnapshots")]: "16", [K("snapshotExpectedChurnGiBPerHour")]: "300" })).message).to.match(
                /dataVolumeSizeGiB: 200\..*local snapshots \(18\) 360 GiB/,
            );
            // Untrimmed, the retention's snapshots are local: 2 h of 5-minute fulls.
            const untrimmed = evaluate({
                [K("snapshotLocalSnapshots")]: "0",
                [K("snapshotAllowIncremental")]: "false",
                [K("snapshotRetentionHours")]: "2",
                [K("snapshotDailyRetentionDays")]: "0",
            });
            expect(untrimmed.items.map((i) => i.label)).to.include("local snapshots (25)");
            const restored = evaluate({ [K("restoreFromSnapshot")]: "jenkins-home-20260601-130000" });
            expect(restored.items.map((i) => i.label)).to.include("restored Jenkins claim");
            const noMonitoring = evaluate({ [K("monitoringEnabled")]: "false" });
            expect(noMonitoring.items.map((i) => i.label)).to.not.include("Prometheus");
            expect(noMonitoring.fillLimitPercent).to.equal(80);
            expect(evaluate({ [K("storagePoolFullPercent")]: "60" })).to.deep.include({ fillLimitPercent: 60, limitGiB: 120 });
            expect(evaluate({ [K("snapshotScheduleEnabled")]: "false" }).items.map((i) => i.label)).to.not.include("local snapshots (4)");
        });
    });

    describe("in the DR stack: the chain it downloads stays in LINSTOR (restoreCheck.ts, restoreDownload.ts)", () => {
        const evaluateDr = (config: Record<string, string> = {}) => {
            const { config: dr, secretKeys } = stackConfig("dr");
            useStack("dr", { ...dr, ...config }, secretKeys);
            const cfg = loadConfig();
            validateAcrossSections(cfg);
            return dataPoolBudget(cfg);
        };
        const labelled = (b: ReturnType<typeof dataPoolBudget>) => b.items.map((i) => [i.label, Math.round(i.sizeGiB * 10) / 10]);

        it("the standby defaults fit 200 GiB: the scratch claim and a full + 288 five-minute increments of 0.25 GiB/h", () => {
            const b = evaluateDr({ [K("drMode")]: "standby" });
            expect(labelled(b)).to.deep.equal([
                ["restore check's scratch claim", 20],
                ["downloaded chain", 26],
                ["Prometheus", 50],
                ["Alertmanager", 2],
            ]);
            expect(b).to.deep.include({ poolGiB: 200, totalGiB: 98, fits: true });
            expect(b.items[1].basis).to.equal("a 20 GiB full + 288 increments × 21.3 MiB");
        });

        it("refuses a standby pool the primary's demand would fit, naming the pool and the chain's knobs", () => {
            // 72 GiB without the chain fits 80 GiB; with the chain and the scratch claim it does not.
            const e = thrown(() => evaluateDr({ [K("drMode")]: "standby", [K("dataVolumeSizeGiB")]: "100" }));
            expect(e).to.be.instanceOf(ConfigError);
            expect(e.message).to.contain("ha-jenkins-eks:dataVolumeSizeGiB: 100.");
            expect(e.message).to.contain("restore check's scratch claim 20 GiB + downloaded chain 26 GiB (a 20 GiB full + 288 increments");
            expect(e.message).to.contain("= 98 GiB > 80 GiB. Raise it to at least 123, or lower ha-jenkins-eks:jenkinsStorageSize,");
            expect(e.message).to.contain(
                "ha-jenkins-eks:snapshotExpectedChurnGiBPerHour, ha-jenkins-eks:snapshotFullAfter, ha-jenkins-eks:snapshotMaxIncrements",
            );
        });

        it("after a fail-over counts the restored claim beside the chain; a churn that rewrites the claim bounds each increment by it", () => {
            const off = { [K("restoreReleaseChain")]: "false" };
            const restore = evaluateDr({ [K("restoreStorageSize")]: "50Gi", ...off });
            expect(labelled(restore).slice(0, 2)).to.deep.equal([
                ["restored Jenkins claim", 50],
                ["downloaded chain", 26],
            ]);
            const churned = evaluateDr({ [K("snapshotMaxIncrements")]: "3", [K("snapshotExpectedChurnGiBPerHour")]: "1000", ...off });
            expect(labelled(churned)[1]).to.deep.equal(["downloaded chain", 80]);
        });

        it("with the chain released after a fail-over (restoreReleaseChain, the default) counts only its increments, until the release", () => {
            const b = evaluateDr({ [K("restoreStorageSize")]: "50Gi" });
            expect(labelled(b).slice(0, 2)).to.deep.equal([
                ["restored Jenkins claim", 50],
                ["downloaded chain's increments, until released", 6],
            ]);
            expect(b.items[1].basis).to.equal("288 increments × 21.3 MiB; the full is the restored claim's own blocks");
            const churned = evaluateDr({ [K("snapshotMaxIncrements")]: "3", [K("snapshotExpectedChurnGiBPerHour")]: "1000" });
            expect(labelled(churned)[1]).to.deep.equal(["downloaded chain's increments, until released", 60]);
            // A standby keeps its chain whatever the key says: the release runs only after a restore.
            expect(labelled(evaluateDr({ [K("drMode")]: "standby" }))[1]).to.deep.equal(["downloaded chain", 26]);
        });
    });
});
