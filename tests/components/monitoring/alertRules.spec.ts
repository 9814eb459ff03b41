import { expect } from "chai";
import * as yaml from "js-yaml";
import { storageClassSpec } from "../../../components/linstorCluster/storageClasses";
import {
    type AlertRule,
    type AlertRuleInput,
    alertRuleGroups,
    expectedReplicasExpr,
    METRIC_SOURCES,
    metricNamesIn,
    promDuration,
} from "../../../components/monitoring/alertRules";
import { dashboardExprs, drbdDashboard } from "../../../components/monitoring/dashboard";
import {
    alertmanagerConfig,
    RECEIVERS,
    SNAPSHOT_CREATED_METRIC,
    SNAPSHOT_READY_METRIC,
    snapshotStateMetricsConfig,
} from "../../../components/monitoring/values";
import { RELEASE_CHAIN_LABEL, RELEASE_CHAIN_NAME } from "../../../components/snapshots/releaseChain";

const CLASSES = { 1: "linstor-csi-lvm-thin-r1", 2: "linstor-csi-lvm-thin-r2", 3: "linstor-csi-lvm-thin-r3" };
const FULL: AlertRuleInput = {
    storagePoolFullPercent: 80,
    storageClassNames: CLASSES,
    jenkinsJob: "jenkins",
    snapshots: { intervalSeconds: 3600 },
    linstorNamespace: "piraeus-datastore",
};
const rules = (input: AlertRuleInput = FULL): AlertRule[] => alertRuleGroups(input).flatMap((g) => g.rules);
const byName = (name: string, input: AlertRuleInput = FULL) => {
    const found = rules(input).find((r) => r.alert === name);
    if (!found) throw new Error(`no alert ${name}`);
    return found;
};

describe("alert rules", () => {
    it("cover the 2022 reference architecture's unhealthy states and every alert the product promises", () => {
        expect(rules().map((r) => r.alert)).to.include.members([
            "DrbdOutOfSync",
            "DrbdDeviceWithoutQuorum",
            "DrbdConnectionStandAlone",
            "DrbdConnectionNotConnected",
            "DrbdDiskNotUpToDate",
            "DrbdFewerUpToDateReplicas",
            "LinstorControllerDown",
            "LinstorSatelliteOffline",
            "LinstorStoragePoolFull",
            "JenkinsDown",
            "VolumeSnapshotTooOld",
        ]);
        const names = rules().map((r) => r.alert);
        expect(new Set(names).size, "alert names are unique").to.equal(names.length);
    });

    it("give every alert a severity, a for: duration, a summary, a description and a runbook line", () => {
        for (const r of rules()) {
            expect(["critical", "warning"], r.alert).to.include(r.labels.severity);
            expect(r.for, r.alert).to.match(/^[1-9]\d*(s|m|h)$/);
            expect(r.annotations.summary, r.alert).to.have.length.greaterThan(10);
            expect(r.annotations.description, r.alert).to.have.length.greaterThan(10);
            expect(r.annotations.runbook, r.alert).to.have.length.greaterThan(20);
        }
    });

    it("use only metric names that upstream defines (METRIC_SOURCES)", () => {
        const variants: AlertRuleInput[] = [FULL, { storagePoolFullPercent: 50, storageClassNames: { 3: "x-r3" } }];
        for (const input of variants) {
            for (const r of rules(input)) {
                const metrics = metricNamesIn(r.expr);
                expect(metrics, `${r.alert} selects no metric`).to.not.be.empty;
                for (const m of metrics) expect(METRIC_SOURCES, `${r.alert}: ${m}`).to.have.property(m);
            }
        }
        for (const expr of dashboardExprs(drbdDashboard({ storagePoolFullPercent: 80, jenkinsJob: "jenkins" }))) {
            for (const m of metricNamesIn(expr)) expect(METRIC_SOURCES, `dashboard: ${m} in ${expr}`).to.have.property(m);
        }
    });

    it("name an upstream file for every known metric", () => {
        for (const [metric, source] of Object.entries(METRIC_SOURCES)) {
            expect(source, metric).to.match(/[\w-]+\/[\w-]+:\S+|prometheus\.io\//);
        }
    });

    describe("metricNamesIn", () => {
        it("finds selectors and skips functions, keywords, labels, strings and durations", () => {
            expect(metricNamesIn('sum by (name, node) (rate(drbd_device_written_bytes_total{node=~"a|b"}[5m])) > 0')).to.deep.equal([
                "drbd_device_written_bytes_total",
            ]);
            expect(metricNamesIn('up{job="x"} == 0 or absent(up{job="x"}) unless on (instance) foo_bar offset 5m')).to.deep.equal(["foo_bar", "up"]);
            expect(metricNamesIn('time() - max without (pod) (a_metric{x="(?i)b-[0-9a-f]{8}"}) > 7200 and bool 1e3')).to.deep.equal(["a_metric"]);
        });

        it("reports a misspelt metric, so the known-metric check can fail", () => {
            const metrics = metricNamesIn("drbd_device_quorums == 0 or drbd_connection_state > 0");
            expect(metrics.filter((m) => !(m in METRIC_SOURCES))).to.deep.equal(["drbd_device_quorums"]);
        });
    });

    it("alert on the 2022 reference architecture's three states with the right selectors", () => {
        expect(byName("DrbdOutOfSync").expr).to.equal("drbd_peerdevice_outofsync_bytes > 0");
        expect(byName("DrbdDeviceWithoutQuorum").expr).to.equal("drbd_device_quorum == 0");
        expect(byName("DrbdConnectionStandAlone").expr).to.equal('drbd_connection_state{drbd_connection_state="StandAlone"} == 1');
        expect(byName("DrbdConnectionNotConnected").expr).to.contain('drbd_connection_state!="Connected"');
        expect(byName("DrbdDiskNotUpToDate").expr).to.contain('drbd_device_state!~"UpToDate|Diskless"');
        expect(byName("LinstorSatelliteOffline").expr).to.equal('linstor_node_state{nodetype="SATELLITE"} != 2');
        expect(byName("LinstorControllerDown").expr).to.equal('up{job="linstor-controller"} == 0 or absent(up{job="linstor-controller"})');
    });

    it("puts the configured fill threshold into the storage-pool alert", () => {
        const r = byName("LinstorStoragePoolFull", { ...FULL, storagePoolFullPercent: 65 });
        expect(r.expr).to.match(/ > 65$/);
        expect(r.annotations.summary).to.contain("65%");
    });

    it("derives the expected replica count from each StorageClass's LINSTOR resource group", () => {
        const expr = expectedReplicasExpr(CLASSES);
        const matchers = [...expr.matchAll(/resource_group=~"\(\?i\)([^"]+)"\} \+ (\d)\)/g)].map((m) => ({
            re: new RegExp(`^${m[1].replace(/\\\\/g, "\\")}$`, "i"),
            replicas: Number(m[2]),
        }));
        expect(matchers.map((m) => m.replicas)).to.deep.equal([1, 2, 3]);
        // The regex must match the group linstor-csi really uses for the class (storageClasses.ts) and no other.
        for (const replicas of [1, 2, 3]) {
            const group = storageClassSpec({
                namePrefix: "linstor-csi-lvm-thin",
                replicas,
                dataPool: "data",
                metadataPool: "drbdmeta",
                tuning: { disableFlushes: false, maxBuffers: 10000 },
            }).resourceGroup;
            expect(
                matchers.filter((m) => m.re.test(group)).map((m) => m.replicas),
                group,
            ).to.deep.equal([replicas]);
        }
        expect(byName("DrbdFewerUpToDateReplicas").expr).to.contain(`< on (name) ${expr}`);
        expect(expectedReplicasExpr({ 2: "sc.with.dots-r2" })).to.contain("sc\\\\.with\\\\.dots-r2");
    });

    it("fires the snapshot alert beyond twice the schedule and waits two intervals for a first snapshot", () => {
        const tooOld = byName("VolumeSnapshotTooOld", { ...FULL, snapshots: { intervalSeconds: 1800 } });
        expect(tooOld.expr).to.match(/ > 3600$/);
        expect(tooOld.expr).to.contain(`${SNAPSHOT_READY_METRIC}{schedule!=""} == 1`);
        expect(byName("VolumeSnapshotNeverReady", { ...FULL, snapshots: { intervalSeconds: 1800 } }).for).to.equal("1h");
    });

    it("leaves out Jenkins and snapshot groups when not wired", () => {
        const groups = alertRuleGroups({ storagePoolFullPercent: 80, storageClassNames: CLASSES }).map((g) => g.name);
        expect(groups).to.deep.equal(["drbd.rules", "linstor.rules"]);
    });

    it("formats durations exactly", () => {
        expect([promDuration(7200), promDuration(5400), promDuration(90)]).to.deep.equal(["2h", "90m", "90s"]);
    });
});

describe("kube-state-metrics VolumeSnapshot config", () => {
    it("exposes creationTime and readyToUse under the names the alerts use, labelled by schedule", () => {
        const cfg = snapshotStateMetricsConfig("example.io/schedule") as any;
        expect(cfg.kind).to.equal("CustomResourceStateMetrics");
        const res = cfg.spec.resources[0];
        expect(res.groupVersionKind).to.deep.equal({ group: "snapshot.storage.k8s.io", version: "v1", kind: "VolumeSnapshot" });
        const names = res.metrics.map((m: any) => `${res.metricNamePrefix}_${m.name}`);
        expect(names).to.deep.equal([SNAPSHOT_CREATED_METRIC, SNAPSHOT_READY_METRIC]);
        expect(res.metrics[0].each.gauge.path).to.deep.equal(["status", "creationTime"]);
        expect(res.metrics[1].each.gauge).to.deep.equal({ path: ["status", "readyToUse"], nilIsZero: true });
        expect(res.labelsFromPath.schedule).to.deep.equal(["metadata", "labels", "example.io/schedule"]);
        expect(res.labelsFromPath.namespace).to.deep.equal(["metadata", "namespace"]);
        expect(res.labelsFromPath.volumesnapshot).to.deep.equal(["metadata", "name"]);
    });
});

describe("Alertmanager config", () => {
    it("keeps alerts in Alertmanager (null receiver) when no routing is configured", () => {
        const cfg = alertmanagerConfig({}) as any;
        expect(cfg.route.receiver).to.equal(RECEIVERS.none);
        expect(cfg.receivers).to.deep.equal([{ name: "null" }]);
    });

    it("routes to Slack and e-mail when configured, and mutes the heartbeat alerts", () => {
        const cfg = alertmanagerConfig({
            slackWebhookUrl: "https://hooks.slack.com/services/T/B/X",
            slackChannel: "#storage",
            email: { to: "ops@example.com", from: "am@example.com", smarthost: "smtp.example.com:587", username: "u", password: "p" },
        }) as any;
        expect(cfg.route.receiver).to.equal(RECEIVERS.notify);
        const notify = cfg.receivers.find((r: any) => r.name === RECEIVERS.notify);
        expect(notify.slack_configs[0]).to.include({ api_url: "https://hooks.slack.com/services/T/B/X", channel: "#storage", send_resolved: true });
        expect(notify.email_configs[0]).to.include({
            to: "ops@example.com",
            smarthost: "smtp.example.com:587",
            auth_password: "p",
            require_tls: true,
        });
        expect(cfg.route.routes[0]).to.deep.equal({ receiver: "null", matchers: ['alertname =~ "Watchdog|InfoInhibitor"'] });
        // Round-trips through YAML (what the Secret carries) unchanged.
        expect(yaml.load(yaml.dump(cfg))).to.deep.equal(cfg);
    });
});

describe("scheduled-job alerts", () => {
    it("fire when a CronJob has not succeeded for twice its interval, or never", () => {
        const groups = alertRuleGroups({
            storagePoolFullPercent: 80,
            storageClassNames: { 3: "linstor-csi-lvm-thin-r3" },
            cronJobs: [{ namespace: "piraeus-datastore", name: "linstor-db-backup", intervalSeconds: 86400, purpose: "LINSTOR database backup" }],
        });
        const rules = groups.find((g) => g.name === "scheduled-jobs.rules")!.rules;
        expect(rules).to.have.length(1);
        expect(rules[0].expr).to.equal(
            '(time() - kube_cronjob_status_last_successful_time{namespace="piraeus-datastore", cronjob="linstor-db-backup"} > 172800) ' +
                'or absent(kube_cronjob_status_last_successful_time{namespace="piraeus-datastore", cronjob="linstor-db-backup"})',
        );
        expect(rules[0].annotations.runbook).to.contain("kubectl -n piraeus-datastore create job --from=cronjob/linstor-db-backup");
        for (const m of metricNamesIn(rules[0].expr)) expect(METRIC_SOURCES, m).to.have.property(m);
    });

    it("also fire at once when the newest run failed, for jobs that ask (the warm standby's restore check)", () => {
        const job = { namespace: "piraeus-datastore", name: "restore-check", intervalSeconds: 300, purpose: "Restore check" };
        const rulesOf = (alertOnFailedRun?: boolean) =>
            alertRuleGroups({ storagePoolFullPercent: 80, storageClassNames: { 3: "r3" }, cronJobs: [{ ...job, alertOnFailedRun }] }).find(
                (g) => g.name === "scheduled-jobs.rules",
            )!.rules;
        expect(rulesOf().map((r) => r.alert)).to.deep.equal(["ScheduledJobNotSucceeding"]);
        const failed = rulesOf(true).find((r) => r.alert === "ScheduledJobLastRunFailed")!;
        const jobs = 'namespace="piraeus-datastore", job_name=~"restore-check-[0-9]+"';
        expect(failed.expr).to.equal(
            `max by (namespace) (kube_job_status_start_time{${jobs}} and on (namespace, job_name) (kube_job_status_failed{${jobs}} > 0)) ` +
                `>= max by (namespace) (kube_job_status_start_time{${jobs}})`,
        );
        expect(failed.for).to.equal("0m");
        for (const m of metricNamesIn(failed.expr)) expect(METRIC_SOURCES, m).to.have.property(m);
    });

    it("wait for a run's slack on top of twice the interval (a snapshot schedule shipping its daily full)", () => {
        const groups = alertRuleGroups({
            storagePoolFullPercent: 80,
            storageClassNames: { 3: "linstor-csi-lvm-thin-r3" },
            cronJobs: [
                {
                    namespace: "piraeus-datastore",
                    name: "jenkins-snapshots",
                    intervalSeconds: 300,
                    slackSeconds: 572,
                    purpose: "Jenkins snapshot schedule",
                },
            ],
            snapshots: { intervalSeconds: 300, slackSeconds: 572 },
        });
        expect(groups.find((g) => g.name === "scheduled-jobs.rules")!.rules[0].expr).to.contain("> 1172)");
        expect(groups.find((g) => g.name === "snapshot.rules")!.rules[0].expr).to.match(/ > 1172$/);
    });

    it("are absent when no CronJob is given", () => {
        const groups = alertRuleGroups({ storagePoolFullPercent: 80, storageClassNames: { 3: "linstor-csi-lvm-thin-r3" } });
        expect(groups.map((g) => g.name)).to.not.include("scheduled-jobs.rules");
    });
});

describe("missing storage node alert", () => {
    const linstorRules = (expectedSatellites?: number) =>
        alertRuleGroups({
            storagePoolFullPercent: 80,
            storageClassNames: { 3: "linstor-csi-lvm-thin-r3" },
            expectedSatellites,
        }).find((g) => g.name === "linstor.rules")!.rules;

    it("fires when fewer satellites are ONLINE than storage nodes configured (a node that never joined has no metric at all)", () => {
        const missing = linstorRules(3).find((r) => r.alert === "LinstorSatellitesMissing")!;
        expect(missing.expr).to.equal(
            'count(linstor_node_state{nodetype="SATELLITE"} == 2) < 3 or absent(linstor_node_state{nodetype="SATELLITE"} == 2)',
        );
        expect(missing.labels.severity).to.equal("critical");
        expect(missing.annotations.runbook).to.contain("/etc/ha-jenkins-eks/storage-devices-missing");
        for (const m of metricNamesIn(missing.expr)) expect(METRIC_SOURCES, m).to.have.property(m);
        expect(linstorRules().map((r) => r.alert)).to.not.include("LinstorSatellitesMissing");
    });
});

describe("release-chain alerts (a DR restore's one-off release Job, not awaited by Pulumi)", () => {
    /** Each `metric{…}` selector of an expression: its label matchers, as PromQL reads them. */
    const selectors = (expr: string) =>
        [...expr.matchAll(/([a-z_:]+)\{([^}]*)\}/g)].map(([, metric, body]) => ({
            metric,
            matchers: Object.fromEntries(
                [...body.matchAll(/([a-z_]+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map(([, l, op, v]) => [l, { op, v: v.replace(/\\\\/g, "\\") }]),
            ),
        }));
    /** Whether a Job of this name and namespace is selected by every selector of the expression (PromQL regexes are anchored). */
    const selects = (expr: string, namespace: string, jobName: string) =>
        selectors(expr).every(({ matchers }) => {
            const ns = matchers.namespace;
            const job = matchers.job_name;
            return ns?.op === "=" && ns.v === namespace && job?.op === "=~" && new RegExp(`^(?:${job.v})$`).test(jobName);
        });
    const release = `${RELEASE_CHAIN_NAME}-20260701-000500-1a2b3c4d`;

    it("fire when the release Job failed, selecting only release-chain Jobs of the LINSTOR namespace", () => {
        const failed = byName("ReleaseChainFailed");
        expect(selectors(failed.expr).map((x) => x.metric)).to.deep.equal(["kube_job_failed"]);
        expect(selectors(failed.expr)[0].matchers.condition).to.deep.equal({ op: "=", v: "true" });
        expect(failed.expr).to.match(/== 1$/);
        expect(selects(failed.expr, "piraeus-datastore", release), release).to.equal(true);
        for (const other of [
            "restore-check-29000000",
            "restore-download-29000000",
            "linstor-db-backup-29000000",
            "release-chain-",
            "xrelease-chain-1",
        ]) {
            expect(selects(failed.expr, "piraeus-datastore", other), other).to.equal(false);
        }
        expect(selects(failed.expr, "jenkins", release), "another namespace").to.equal(false);
        expect(failed.annotations.runbook).to.contain(`kubectl -n piraeus-datastore get job -l ${RELEASE_CHAIN_LABEL}=true`);
        expect(failed.annotations.runbook).to.contain("logs job/{{ $labels.job_name }} --all-containers").and.contain("pulumi up");
    });

    it("fire when the release Job is neither Complete nor Failed past its own deadline", () => {
        const late = byName("ReleaseChainNotFinished");
        expect(selectors(late.expr).map((x) => x.metric)).to.deep.equal([
            "kube_job_created",
            "kube_job_spec_active_deadline_seconds",
            "kube_job_complete",
            "kube_job_failed",
        ]);
        expect(late.expr).to.match(
            /^\(time\(\) - kube_job_created\{[^}]*\} > on \(namespace, job_name\) kube_job_spec_active_deadline_seconds\{[^}]*\}\) unless on \(namespace, job_name\) \(/,
        );
        for (const x of selectors(late.expr).slice(2)) expect(x.matchers.condition, x.metric).to.deep.equal({ op: "=", v: "true" });
        expect(selects(late.expr, "piraeus-datastore", release)).to.equal(true);
        expect(selects(late.expr, "piraeus-datastore", "restore-check-29000000")).to.equal(false);
        expect(late.annotations.runbook).to.contain("describe job {{ $labels.job_name }}");
    });

    it("are left out without the LINSTOR namespace", () => {
        const names = rules({ ...FULL, linstorNamespace: undefined }).map((r) => r.alert);
        expect(names).to.not.include("ReleaseChainFailed").and.not.include("ReleaseChainNotFinished");
    });
});
