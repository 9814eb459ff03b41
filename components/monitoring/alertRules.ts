/**
 * PrometheusRule groups of DrbdMonitoring as plain data. Every expression uses only metric names listed
 * in METRIC_SOURCES (name → where upstream defines it); tests parse each expression and check that.
 */

import type { ScheduledJob } from "../shared/schedule";
import { RELEASE_CHAIN_LABEL, RELEASE_CHAIN_NAME } from "../snapshots/releaseChain";
import { SNAPSHOT_SCHEDULE_LABEL } from "./settings";
import { SNAPSHOT_CREATED_METRIC, SNAPSHOT_READY_METRIC } from "./values";

const DRBD_REACTOR = "LINBIT/drbd-reactor:src/plugin/prometheus.rs (enum metrics on, as Piraeus configures the satellites)";
const LINSTOR = "LINBIT/linstor-server:controller/src/main/java/com/linbit/linstor/prometheus/PrometheusBuilder.java";
const KSM_JOB = "kube-state-metrics v2.20.0 (kube-prometheus-stack 88.5.3's, chart 8.4.0: kubernetes/kube-state-metrics:internal/store/job.go)";
const SNAPSHOT_CRS =
    "components/monitoring/values.ts (kube-state-metrics customResourceState over VolumeSnapshot status, " +
    "kubernetes-csi/external-snapshotter:client/apis/volumesnapshot/v1/types.go)";

/** Every metric an alert or the dashboard may use, and its upstream definition. */
export const METRIC_SOURCES: Readonly<Record<string, string>> = {
    up: "Prometheus scrape series (prometheus.io/docs/concepts/jobs_instances, 'Automatically generated labels and time series')",
    drbd_connection_state: DRBD_REACTOR,
    drbd_peerdevice_outofsync_bytes: DRBD_REACTOR,
    drbd_peerdevice_sent_bytes: DRBD_REACTOR,
    drbd_device_state: DRBD_REACTOR,
    drbd_device_quorum: DRBD_REACTOR,
    drbd_device_unintentionaldiskless: DRBD_REACTOR,
    drbd_device_written_bytes_total: DRBD_REACTOR,
    drbd_device_read_bytes_total: DRBD_REACTOR,
    drbd_resource_suspended: DRBD_REACTOR,
    linstor_node_state: LINSTOR,
    linstor_storage_pool_capacity_free_bytes: LINSTOR,
    linstor_storage_pool_capacity_total_bytes: LINSTOR,
    linstor_resource_definition_resource_count: LINSTOR,
    kube_cronjob_status_last_successful_time: "kube-state-metrics (kubernetes/kube-state-metrics:docs/metrics/workload/cronjob-metrics.md)",
    kube_job_status_start_time: "kube-state-metrics (kubernetes/kube-state-metrics:docs/metrics/workload/job-metrics.md)",
    kube_job_status_failed: "kube-state-metrics (kubernetes/kube-state-metrics:docs/metrics/workload/job-metrics.md)",
    kube_job_failed: KSM_JOB,
    kube_job_complete: KSM_JOB,
    kube_job_created: KSM_JOB,
    kube_job_spec_active_deadline_seconds: KSM_JOB,
    [SNAPSHOT_CREATED_METRIC]: SNAPSHOT_CRS,
    [SNAPSHOT_READY_METRIC]: SNAPSHOT_CRS,
};

/** `job` labels our monitors set (relabelled to fixed names so alerts need not know Service names). */
export const JOBS = { controller: "linstor-controller", satellite: "linstor-satellite" } as const;

export type Severity = "critical" | "warning";

export interface AlertRule {
    readonly alert: string;
    readonly expr: string;
    readonly for: string;
    readonly labels: { readonly severity: Severity };
    readonly annotations: { readonly summary: string; readonly description: string; readonly runbook: string };
}

export interface RuleGroup {
    readonly name: string;
    readonly rules: readonly AlertRule[];
}

export interface AlertRuleInput {
    /** Storage pool fill threshold in percent. */
    readonly storagePoolFullPercent: number;
    /** StorageClass name by replica count (LinstorCluster.storageClassNames). */
    readonly storageClassNames: Readonly<Record<number, string>>;
    /** `job` label of the Jenkins target; no Jenkins alert without it. */
    readonly jenkinsJob?: string;
    /** Snapshot schedule; no snapshot alerts without it. */
    readonly snapshots?: { readonly intervalSeconds: number; readonly slackSeconds?: number; readonly scheduleLabel?: string };
    /** CronJobs whose last success must be recent (the snapshot schedule, the LINSTOR database backup). */
    readonly cronJobs?: readonly ScheduledJob[];
    /** Storage nodes the cluster should have (nodes per AZ × AZs); no missing-node alert without it. */
    readonly expectedSatellites?: number;
    /** Namespace of LINSTOR: where a DR restore's release-chain Job runs (releaseChain.ts); no release alerts without it. */
    readonly linstorNamespace?: string;
}

export type { ScheduledJob };

/** Seconds as the shortest exact Prometheus duration ("2h", "90m", "45s"). */
export function promDuration(seconds: number): string {
    if (seconds % 3600 === 0) return `${seconds / 3600}h`;
    if (seconds % 60 === 0) return `${seconds / 60}m`;
    return `${seconds}s`;
}

function rule(
    alert: string,
    severity: Severity,
    forDuration: string,
    expr: string,
    summary: string,
    description: string,
    runbook: string,
): AlertRule {
    return { alert, expr, for: forDuration, labels: { severity }, annotations: { summary, description, runbook } };
}

/**
 * The replica count each LINSTOR resource should have, as a vector by `name`. The count is not a metric:
 * linstor-csi puts every volume of a class into the class's resource group, which LinstorCluster names
 * `<storage class>-<8 hex digits>` (components/linstorCluster/storageClasses.ts resourceGroupName), and the class name ends
 * in `-r<replicas>`. LINSTOR exports each resource definition with its `resource_group` label, so matching the
 * group name per class yields the class's placement count. Resources of other groups are not checked here.
 */
export function expectedReplicasExpr(storageClassNames: Readonly<Record<number, string>>): string {
    const perClass = Object.entries(storageClassNames)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(
            ([replicas, className]) =>
                `(0 * linstor_resource_definition_resource_count{resource_group=~"(?i)${regexEscape(className)}-[0-9a-f]{8}"} + ${replicas})`,
        );
    return `max by (name) (${perClass.join(" or ")})`;
}

/** Escapes regex metacharacters for a PromQL double-quoted string (so `.` becomes `\\.`). */
function regexEscape(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\\\${c}`);
}

export function alertRuleGroups(input: AlertRuleInput): RuleGroup[] {
    const ctl = `job="${JOBS.controller}"`;
    const sat = `job="${JOBS.satellite}"`;
    const expected = expectedReplicasExpr(input.storageClassNames);
    const groups: RuleGroup[] = [
        {
            name: "drbd.rules",
            rules: [
                rule(
                    "DrbdOutOfSync",
                    "warning",
                    "15m",
                    "drbd_peerdevice_outofsync_bytes > 0",
                    "DRBD resource {{ $labels.name }} is out of sync with a peer",
                    "{{ $labels.node }} has {{ $value | humanize1024 }}B of {{ $labels.name }} (volume {{ $labels.volume }}) not yet replicated to {{ $labels.conn_name }} for 15 minutes.",
                    "A resync that does not finish means a replica is behind. Check `linstor resource list -r {{ $labels.name }}` and `drbdadm status {{ $labels.name }}` in the satellite pod on {{ $labels.node }}; look for a slow or flapping link between AZs.",
                ),
                rule(
                    "DrbdDeviceWithoutQuorum",
                    "critical",
                    "1m",
                    "drbd_device_quorum == 0",
                    "DRBD device {{ $labels.name }} has no quorum on {{ $labels.node }}",
                    "Writes to {{ $labels.name }} on {{ $labels.node }} are suspended or fail until quorum returns.",
                    "Find which peers are unreachable (`linstor node list`, `drbdadm status {{ $labels.name }}`). Restore the network or node; the HA Controller moves the consumer pod to a node with quorum. Never force-promote without quorum.",
                ),
                rule(
                    "DrbdResourceSuspended",
                    "critical",
                    "1m",
                    "drbd_resource_suspended == 1",
                    "DRBD resource {{ $labels.name }} has suspended I/O on {{ $labels.node }}",
                    "I/O to {{ $labels.name }} is frozen on {{ $labels.node }} (on-no-quorum / on-no-data-accessible suspend-io).",
                    "Usually follows a quorum loss: fix connectivity first. If the node lost quorum for good, the HA Controller fails the pod over; a suspended Primary is demoted (on-suspended-primary-outdated=force-secondary).",
                ),
                rule(
                    "DrbdConnectionStandAlone",
                    "critical",
                    "2m",
                    'drbd_connection_state{drbd_connection_state="StandAlone"} == 1',
                    "DRBD resource {{ $labels.name }} on {{ $labels.node }} is StandAlone towards {{ $labels.conn_name }}",
                    "StandAlone does not reconnect by itself (typically after a split brain or a configuration mismatch).",
                    "Check `drbdadm status {{ $labels.name }}` and the kernel log on {{ $labels.node }}. Resolve a split brain by discarding the stale side (`drbdadm connect --discard-my-data {{ $labels.name }}` on the node with the older data), then `drbdadm connect {{ $labels.name }}` on the other.",
                ),
                rule(
                    "DrbdConnectionNotConnected",
                    "warning",
                    "5m",
                    'drbd_connection_state{drbd_connection_state!="Connected"} == 1',
                    "DRBD resource {{ $labels.name }} on {{ $labels.node }} is {{ $labels.drbd_connection_state }} towards {{ $labels.conn_name }}",
                    "A replication link has not been Connected for 5 minutes; the resource runs with one replica less.",
                    "Check that the peer satellite is up (`linstor node list`) and that DRBD ports 7000-8000 are open between the nodes' security groups.",
                ),
                rule(
                    "DrbdDiskNotUpToDate",
                    "warning",
                    "10m",
                    'drbd_device_state{drbd_device_state!~"UpToDate|Diskless"} == 1 or drbd_device_unintentionaldiskless == 1',
                    "DRBD disk of {{ $labels.name }} on {{ $labels.node }} is not UpToDate",
                    "The local replica of {{ $labels.name }} on {{ $labels.node }} is {{ $labels.drbd_device_state }} (or lost its disk) for 10 minutes.",
                    "Inconsistent/Outdated should resync on its own; if not, check the peer connections. Unintentional Diskless means I/O errors on the backing EBS volume: check `dmesg` on the node and `linstor storage-pool list`.",
                ),
                rule(
                    "DrbdFewerUpToDateReplicas",
                    "warning",
                    "10m",
                    `(min by (name) (count by (name, volume) (drbd_device_state{drbd_device_state="UpToDate"} == 1)) or on (name) (0 * ${expected})) < on (name) ${expected}`,
                    "DRBD resource {{ $labels.name }} has only {{ $value }} UpToDate replicas",
                    "Fewer UpToDate replicas than its StorageClass asks for, for 10 minutes: one more failure may lose availability or data.",
                    "Find the missing replica with `linstor resource list -r {{ $labels.name }}`. A lost node: once the operator has dropped it (satelliteDeletionPolicy Delete, `linstor node lost`), `linstor resource-definition auto-place {{ $labels.name }}` places the replica on its replacement (LINSTOR's hourly balance task would too); a broken disk: `linstor resource delete` the bad replica, then the same auto-place.",
                ),
                rule(
                    "DrbdNoUpToDateReplica",
                    "critical",
                    "2m",
                    'sum by (name) (drbd_device_state{drbd_device_state="UpToDate"}) == 0',
                    "DRBD resource {{ $labels.name }} has no UpToDate replica",
                    "No node holds current data for {{ $labels.name }}; its consumer cannot run safely.",
                    "Bring back the node(s) that held the last UpToDate data before anything else; do not force a replica Primary unless you accept data loss. Restore from the latest S3 snapshot if the data is gone.",
                ),
                rule(
                    "DrbdReactorDown",
                    "warning",
                    "5m",
                    `up{${sat}} == 0 or absent(up{${sat}})`,
                    "drbd-reactor metrics are missing on {{ $labels.node }}",
                    "Prometheus cannot scrape a satellite's drbd-reactor exporter, so DRBD alerts are blind for that node.",
                    "Check the satellite pod (`kubectl -n <linstor namespace> get pods -l app.kubernetes.io/component=linstor-satellite -o wide`) and its drbd-reactor container logs.",
                ),
            ],
        },
        {
            name: "linstor.rules",
            rules: [
                rule(
                    "LinstorControllerDown",
                    "critical",
                    "5m",
                    `up{${ctl}} == 0 or absent(up{${ctl}})`,
                    "The LINSTOR controller is down or not scraped",
                    "No new volumes, snapshots or replica placement until it is back; existing DRBD replication continues.",
                    "Check `kubectl -n <linstor namespace> get pods -l app.kubernetes.io/component=linstor-controller` and its logs; the operator restarts it. Its database lives in CRDs, so a restart is safe.",
                ),
                rule(
                    "LinstorSatelliteOffline",
                    "critical",
                    "5m",
                    'linstor_node_state{nodetype="SATELLITE"} != 2',
                    "LINSTOR satellite {{ $labels.node }} is not ONLINE",
                    "The controller cannot manage resources on {{ $labels.node }} (state {{ $value }}: 0 OFFLINE, 1 CONNECTED).",
                    "Check the node and its satellite pod. A node that is gone for good: once its Kubernetes Node is deleted, the operator removes it from LINSTOR (satelliteDeletionPolicy Delete, `linstor node lost`); then let the resync gate or `linstor resource-definition auto-place` restore the replica count (stacks/ops/README.md, node replacement).",
                ),
                ...(input.expectedSatellites === undefined
                    ? []
                    : [
                          rule(
                              "LinstorSatellitesMissing",
                              "critical",
                              "15m",
                              `count(linstor_node_state{nodetype="SATELLITE"} == 2) < ${input.expectedSatellites} or absent(linstor_node_state{nodetype="SATELLITE"} == 2)`,
                              `Fewer than ${input.expectedSatellites} LINSTOR satellites are ONLINE`,
                              "A storage node is missing: it did not join, or its replacement has not come up. Replicas it should hold are not being rebuilt.",
                              'Look for the node group\'s unhealthy instance (EKS console, node group health). A node whose storage devices never appeared cannot start kubelet (a drop-in asserts them) and never joins: its console log says "LINSTOR storage devices missing" and /etc/ha-jenkins-eks/storage-devices-missing names them; terminate it so the node group replaces it.',
                          ),
                      ]),
                rule(
                    "LinstorStoragePoolFull",
                    "warning",
                    "15m",
                    `100 * (1 - linstor_storage_pool_capacity_free_bytes / (linstor_storage_pool_capacity_total_bytes > 0)) > ${input.storagePoolFullPercent}`,
                    `LINSTOR storage pool {{ $labels.storage_pool }} on {{ $labels.node }} is over ${input.storagePoolFullPercent}% full`,
                    "{{ $value | humanize }}% used. A full LVM thin pool stops writes on every volume in it.",
                    "Grow the EBS volume of the pool (dataVolumeSizeGiB / metadataVolumeSizeGiB, then pvresize and lvextend the thin pool), delete old snapshots, or add storage nodes.",
                ),
            ],
        },
    ];
    if (input.jenkinsJob !== undefined) {
        const job = `job="${input.jenkinsJob}"`;
        groups.push({
            name: "jenkins.rules",
            rules: [
                rule(
                    "JenkinsDown",
                    "critical",
                    "5m",
                    `up{${job}} == 0 or absent(up{${job}})`,
                    "Jenkins is down or its metrics endpoint is not scraped",
                    "Prometheus has not reached Jenkins' /prometheus endpoint for 5 minutes (a failover takes 1-3 minutes).",
                    "Check `kubectl -n <jenkins namespace> get pods,pvc` and the controller log. A pod stuck Pending on its volume: see DRBD alerts. A 404 on /prometheus: the prometheus plugin is missing.",
                ),
            ],
        });
    }
    if (input.snapshots !== undefined) groups.push(snapshotGroup(input.snapshots.intervalSeconds, input.snapshots.slackSeconds));
    if (input.cronJobs !== undefined && input.cronJobs.length > 0) groups.push(cronJobGroup(input.cronJobs));
    if (input.linstorNamespace !== undefined) groups.push(releaseChainGroup(input.linstorNamespace));
    return groups;
}

/**
 * The one-off Job that releases a DR restore's downloaded chain (components/snapshots/releaseChain.ts, named
 * `release-chain-<restore key>`). Pulumi does not await it, so nothing else reports a refusal: the chain would stay in
 * the DR pool. Generic: in a stack without a DR restore the selector matches no Job. kube-state-metrics v2.20.0
 * (internal/store/job.go): kube_job_failed / kube_job_complete carry `condition` ("true" once the Job's Failed /
 * Complete condition is True: it gave up after its retries or its deadline, or succeeded); kube_job_status_failed is
 * not used, as it still counts a failed try after a retry succeeded.
 */
function releaseChainGroup(namespace: string): RuleGroup {
    const jobs = `namespace="${namespace}", job_name=~"${regexEscape(RELEASE_CHAIN_NAME)}-.+"`;
    const ended = `kube_job_complete{${jobs}, condition="true"} == 1 or kube_job_failed{${jobs}, condition="true"} == 1`;
    const check = `\`kubectl -n ${namespace} get job -l ${RELEASE_CHAIN_LABEL}=true\` and \`kubectl -n ${namespace} logs job/{{ $labels.job_name }} --all-containers\``;
    const meaning =
        "Until it is released, the chain LINSTOR downloaded to make the restore stays in the DR pool and keeps the full backup's old blocks as Jenkins rewrites them, which the pool was not sized for.";
    return {
        name: "release-chain.rules",
        rules: [
            rule(
                "ReleaseChainFailed",
                "warning",
                "1m",
                `kube_job_failed{${jobs}, condition="true"} == 1`,
                "The release of the DR restore's downloaded chain failed ({{ $labels.namespace }}/{{ $labels.job_name }})",
                `The Job gave up (a refusal or a LINSTOR error, after its retries or its deadline). ${meaning}`,
                `Read why: ${check} (REFUSED or FAIL lines). A download still in progress or the standby's schedules still there: run \`pulumi up\` on the DR stack again, it replaces the failed Job and checks again. Anything else (a resource or local snapshots beside the downloaded chain): see stacks/ops/README.md, DR runbook step 6.`,
            ),
            rule(
                "ReleaseChainNotFinished",
                "warning",
                "15m",
                `(time() - kube_job_created{${jobs}} > on (namespace, job_name) kube_job_spec_active_deadline_seconds{${jobs}}) unless on (namespace, job_name) (${ended})`,
                "The release of the DR restore's downloaded chain has not finished past its deadline ({{ $labels.namespace }}/{{ $labels.job_name }})",
                `The Job exists for {{ $value | humanizeDuration }}, longer than its activeDeadlineSeconds, and is neither Complete nor Failed (pods that cannot start, a suspended Job, a stuck Job controller). ${meaning}`,
                `Check ${check}, and \`kubectl -n ${namespace} describe job {{ $labels.job_name }}\` for pods that do not start. Then run \`pulumi up\` on the DR stack, which replaces an unfinished Job.`,
            ),
        ],
    };
}

/**
 * The newest Job of a CronJob failed: the newest start time among its failed Jobs is the newest among all its Jobs.
 * The CronJob controller names its Jobs `<cronjob>-<scheduled time in minutes>` (kubernetes/kubernetes
 * pkg/controller/cronjob/utils.go getJobName).
 */
function newestRunFailed(job: ScheduledJob): AlertRule {
    const jobs = `namespace="${job.namespace}", job_name=~"${regexEscape(job.name)}-[0-9]+"`;
    const failed = `kube_job_status_start_time{${jobs}} and on (namespace, job_name) (kube_job_status_failed{${jobs}} > 0)`;
    return rule(
        "ScheduledJobLastRunFailed",
        "warning",
        "0m",
        `max by (namespace) (${failed}) >= max by (namespace) (kube_job_status_start_time{${jobs}})`,
        `The newest run of ${job.purpose} (CronJob ${job.namespace}/${job.name}) failed`,
        `The newest Job of ${job.namespace}/${job.name} failed; the next run tries again.`,
        `Read its logs: \`kubectl -n ${job.namespace} logs job/<the newest ${job.name}-… Job> --all-containers\` (it prints FAIL and why).`,
    );
}

function notSucceeding(job: ScheduledJob): AlertRule {
    const selector = `kube_cronjob_status_last_successful_time{namespace="${job.namespace}", cronjob="${job.name}"}`;
    const maxAge = 2 * job.intervalSeconds + (job.slackSeconds ?? 0);
    return rule(
        "ScheduledJobNotSucceeding",
        "warning",
        "10m",
        `(time() - ${selector} > ${maxAge}) or absent(${selector})`,
        `${job.purpose} (CronJob ${job.namespace}/${job.name}) has not succeeded for twice its interval`,
        `The last successful run of ${job.namespace}/${job.name} is older than ${promDuration(maxAge)}, or it never succeeded.`,
        `Check \`kubectl -n ${job.namespace} get jobs --sort-by=.metadata.creationTimestamp\` and the logs of the newest failed Job; fix the cause (credentials, bucket policy, API access), then \`kubectl -n ${job.namespace} create job --from=cronjob/${job.name} ${job.name}-manual\` to catch up.`,
    );
}

function cronJobGroup(jobs: readonly ScheduledJob[]): RuleGroup {
    return {
        name: "scheduled-jobs.rules",
        rules: jobs.flatMap((job) => [notSucceeding(job), ...(job.alertOnFailedRun ? [newestRunFailed(job)] : [])]),
    };
}

function snapshotGroup(intervalSeconds: number, slackSeconds = 0): RuleGroup {
    // A full backup keeps newer snapshots waiting while it ships (the schedule's slack).
    const maxAge = 2 * intervalSeconds + slackSeconds;
    const scheduled = 'schedule!=""';
    const readyCreated = `${SNAPSHOT_CREATED_METRIC}{${scheduled}} and on (namespace, volumesnapshot) (${SNAPSHOT_READY_METRIC}{${scheduled}} == 1)`;
    return {
        name: "snapshot.rules",
        rules: [
            rule(
                "VolumeSnapshotTooOld",
                "critical",
                "10m",
                `time() - max by (namespace, schedule) (${readyCreated}) > ${maxAge}`,
                "Newest ready snapshot of schedule {{ $labels.schedule }} is older than twice its interval",
                `The latest ready VolumeSnapshot labelled ${SNAPSHOT_SCHEDULE_LABEL}={{ $labels.schedule }} in {{ $labels.namespace }} is {{ $value | humanizeDuration }} old (limit ${promDuration(maxAge)}).`,
                "Check the snapshot CronJob's last runs and `kubectl -n {{ $labels.namespace }} describe volumesnapshot` of the newest one (status.error); then the LINSTOR S3 remote (`linstor remote list`, `linstor backup list <remote>`) and the snapshot-controller logs.",
            ),
            rule(
                "VolumeSnapshotNeverReady",
                "warning",
                promDuration(maxAge),
                `absent(${SNAPSHOT_READY_METRIC}{${scheduled}} == 1)`,
                "No scheduled VolumeSnapshot has ever become ready",
                `No VolumeSnapshot labelled ${SNAPSHOT_SCHEDULE_LABEL} has been readyToUse for ${promDuration(maxAge)}.`,
                "Check that the snapshot schedule runs and labels its VolumeSnapshots, that kube-state-metrics exports the VolumeSnapshot metrics (its customResourceState config), and the VolumeSnapshot's status.error.",
            ),
        ],
    };
}

/** PromQL keywords that look like identifiers. */
const KEYWORDS = new Set([
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "inf",
    "nan",
    "atan2",
]);

/**
 * Metric names an expression selects: identifiers that are not functions, keywords, label names
 * (inside `{}` or `by/on(...)` lists), strings or durations.
 */
export function metricNamesIn(expr: string): string[] {
    let s = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
    s = s.replace(/\{[^}]*\}/g, " ").replace(/\[[^\]]*\]/g, " ");
    s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
    const names = new Set<string>();
    const ident = /(?<![A-Za-z0-9_:.])[A-Za-z_:][A-Za-z0-9_:]*/g;
    for (let m = ident.exec(s); m !== null; m = ident.exec(s)) {
        const rest = s.slice(m.index + m[0].length);
        if (/^\s*\(/.test(rest) || KEYWORDS.has(m[0].toLowerCase())) continue;
        names.add(m[0]);
    }
    return [...names].sort();
}
