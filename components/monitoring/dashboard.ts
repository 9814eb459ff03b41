/**
 * Our DRBD/LINSTOR Grafana dashboard, built in code (Grafana dashboard JSON model, schemaVersion 39).
 * It uses only metrics from alertRules.METRIC_SOURCES, so the dashboard and the alerts read the same series.
 */
import { JOBS } from "./alertRules";
import { SNAPSHOT_CREATED_METRIC, SNAPSHOT_READY_METRIC } from "./values";

export const DASHBOARD_UID = "hje-drbd-linstor";
export const DASHBOARD_FILE = "drbd-linstor.json";

const DS = { type: "prometheus", uid: "${datasource}" };

interface Target {
    readonly expr: string;
    readonly legend?: string;
}
interface Grid {
    readonly x: number;
    readonly y: number;
    readonly w: number;
    readonly h: number;
}

let nextId = 1;

function targets(list: readonly Target[]) {
    return list.map((t, i) => ({
        datasource: DS,
        expr: t.expr,
        legendFormat: t.legend ?? "__auto",
        refId: String.fromCharCode(65 + i),
    }));
}

function thresholds(steps: ReadonlyArray<[number | null, string]>) {
    return { mode: "absolute", steps: steps.map(([value, color]) => ({ value, color })) };
}

function stat(title: string, description: string, expr: string, gridPos: Grid, unit: string, steps: ReadonlyArray<[number | null, string]>) {
    return {
        id: nextId++,
        type: "stat",
        title,
        description,
        datasource: DS,
        gridPos,
        targets: targets([{ expr }]),
        fieldConfig: { defaults: { unit, thresholds: thresholds(steps), color: { mode: "thresholds" } }, overrides: [] },
        options: {
            reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
            colorMode: "background",
            graphMode: "none",
            textMode: "value",
        },
    };
}

function timeseries(title: string, description: string, list: readonly Target[], gridPos: Grid, unit: string) {
    return {
        id: nextId++,
        type: "timeseries",
        title,
        description,
        datasource: DS,
        gridPos,
        targets: targets(list),
        fieldConfig: { defaults: { unit, custom: { lineWidth: 1, fillOpacity: 10, showPoints: "never" } }, overrides: [] },
        options: { legend: { displayMode: "table", placement: "right", calcs: ["lastNotNull", "max"] }, tooltip: { mode: "multi", sort: "desc" } },
    };
}

function bargauge(
    title: string,
    description: string,
    target: Target,
    gridPos: Grid,
    unit: string,
    steps: ReadonlyArray<[number | null, string]>,
    max?: number,
) {
    return {
        id: nextId++,
        type: "bargauge",
        title,
        description,
        datasource: DS,
        gridPos,
        targets: targets([target]).map((t) => ({ ...t, instant: true })),
        fieldConfig: {
            defaults: { unit, min: 0, ...(max !== undefined ? { max } : {}), thresholds: thresholds(steps), color: { mode: "thresholds" } },
            overrides: [],
        },
        options: { orientation: "horizontal", displayMode: "gradient", reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false } },
    };
}

export interface DashboardInput {
    readonly storagePoolFullPercent: number;
    /** Adds a Jenkins availability panel for this `job`. */
    readonly jenkinsJob?: string;
}

export function drbdDashboard(input: DashboardInput): Record<string, unknown> {
    nextId = 1;
    const node = 'node=~"$node"';
    const snapshotAge =
        `time() - max by (namespace, schedule) (${SNAPSHOT_CREATED_METRIC}{schedule!=""} ` +
        `and on (namespace, volumesnapshot) (${SNAPSHOT_READY_METRIC}{schedule!=""} == 1))`;
    const panels: Record<string, unknown>[] = [
        stat(
            "LINSTOR controller",
            "1 when Prometheus scrapes the controller.",
            `max(up{job="${JOBS.controller}"})`,
            { x: 0, y: 0, w: 4, h: 4 },
            "none",
            [
                [null, "red"],
                [1, "green"],
            ],
        ),
        stat(
            "Satellites online",
            "Satellites in state ONLINE (2).",
            'sum(linstor_node_state{nodetype="SATELLITE"} == bool 2)',
            { x: 4, y: 0, w: 4, h: 4 },
            "none",
            [
                [null, "red"],
                [3, "green"],
            ],
        ),
        stat(
            "Resources with a broken link",
            "DRBD resources with a connection that is not Connected.",
            'count(count by (name) (drbd_connection_state{drbd_connection_state!="Connected"} == 1)) or vector(0)',
            { x: 8, y: 0, w: 4, h: 4 },
            "none",
            [
                [null, "green"],
                [1, "orange"],
            ],
        ),
        stat(
            "Out of sync",
            "Bytes not yet replicated, summed over all peers.",
            "sum(drbd_peerdevice_outofsync_bytes) or vector(0)",
            { x: 12, y: 0, w: 4, h: 4 },
            "bytes",
            [
                [null, "green"],
                [1, "orange"],
            ],
        ),
        stat(
            "Devices without quorum",
            "Writes are suspended on these.",
            "count(drbd_device_quorum == 0) or vector(0)",
            { x: 16, y: 0, w: 4, h: 4 },
            "none",
            [
                [null, "green"],
                [1, "red"],
            ],
        ),
        stat(
            "Suspended resources",
            "Resources with frozen I/O.",
            "count(drbd_resource_suspended == 1) or vector(0)",
            { x: 20, y: 0, w: 4, h: 4 },
            "none",
            [
                [null, "green"],
                [1, "red"],
            ],
        ),
        timeseries(
            "Out-of-sync bytes",
            "Per resource and node; should return to 0 after a resync.",
            [{ expr: `sum by (name, node) (drbd_peerdevice_outofsync_bytes{${node}})`, legend: "{{name}} @ {{node}}" }],
            { x: 0, y: 4, w: 12, h: 8 },
            "bytes",
        ),
        bargauge(
            "UpToDate replicas per resource",
            "Nodes holding current data, per DRBD resource.",
            { expr: 'count by (name) (drbd_device_state{drbd_device_state="UpToDate"} == 1)', legend: "{{name}}" },
            { x: 12, y: 4, w: 12, h: 8 },
            "none",
            [
                [null, "red"],
                [2, "orange"],
                [3, "green"],
            ],
        ),
        timeseries(
            "Connections not Connected",
            "By DRBD connection state.",
            [
                {
                    expr: `sum by (drbd_connection_state) (drbd_connection_state{drbd_connection_state!="Connected", ${node}})`,
                    legend: "{{drbd_connection_state}}",
                },
            ],
            { x: 0, y: 12, w: 12, h: 8 },
            "none",
        ),
        timeseries(
            "Local disk states",
            "DRBD devices by disk state.",
            [{ expr: `sum by (drbd_device_state) (drbd_device_state{${node}})`, legend: "{{drbd_device_state}}" }],
            { x: 12, y: 12, w: 12, h: 8 },
            "none",
        ),
        bargauge(
            "Storage pool usage",
            `Alert above ${input.storagePoolFullPercent}%.`,
            {
                expr: "100 * (1 - linstor_storage_pool_capacity_free_bytes / (linstor_storage_pool_capacity_total_bytes > 0))",
                legend: "{{node}} {{storage_pool}}",
            },
            { x: 0, y: 20, w: 12, h: 8 },
            "percent",
            [
                [null, "green"],
                [Math.max(1, input.storagePoolFullPercent - 10), "orange"],
                [input.storagePoolFullPercent, "red"],
            ],
            100,
        ),
        timeseries(
            "Replication traffic sent",
            "Bytes per second sent to peers.",
            [{ expr: `sum by (node) (rate(drbd_peerdevice_sent_bytes{${node}}[5m]))`, legend: "{{node}}" }],
            { x: 12, y: 20, w: 12, h: 8 },
            "Bps",
        ),
        timeseries(
            "Device I/O",
            "Reads and writes on the local backing disks.",
            [
                { expr: `sum by (node) (rate(drbd_device_written_bytes_total{${node}}[5m]))`, legend: "write {{node}}" },
                { expr: `sum by (node) (rate(drbd_device_read_bytes_total{${node}}[5m]))`, legend: "read {{node}}" },
            ],
            { x: 0, y: 28, w: 12, h: 8 },
            "Bps",
        ),
        timeseries(
            "Newest ready snapshot age",
            "Per snapshot schedule; the alert fires above twice the interval.",
            [{ expr: snapshotAge, legend: "{{namespace}}/{{schedule}}" }],
            { x: 12, y: 28, w: 12, h: 8 },
            "s",
        ),
    ];
    if (input.jenkinsJob !== undefined) {
        panels.push(
            timeseries(
                "Jenkins scrape",
                "1 while Prometheus reaches Jenkins' /prometheus endpoint.",
                [{ expr: `up{job="${input.jenkinsJob}"}`, legend: "{{instance}}" }],
                { x: 0, y: 36, w: 24, h: 6 },
                "none",
            ),
        );
    }
    return {
        uid: DASHBOARD_UID,
        title: "DRBD & LINSTOR replication",
        description: "Replication health of the ha-jenkins-eks LINSTOR cluster (built by DrbdMonitoring).",
        tags: ["drbd", "linstor", "ha-jenkins-eks"],
        timezone: "utc",
        editable: false,
        schemaVersion: 39,
        version: 1,
        refresh: "30s",
        time: { from: "now-6h", to: "now" },
        templating: {
            list: [
                { name: "datasource", label: "Data source", type: "datasource", query: "prometheus", current: {}, hide: 0 },
                {
                    name: "node",
                    label: "Node",
                    type: "query",
                    datasource: DS,
                    query: { query: "label_values(drbd_device_state, node)", refId: "node" },
                    definition: "label_values(drbd_device_state, node)",
                    includeAll: true,
                    multi: true,
                    allValue: ".*",
                    current: {},
                    refresh: 2,
                    sort: 1,
                    hide: 0,
                },
            ],
        },
        annotations: { list: [] },
        panels,
    };
}

/** Every PromQL expression of the dashboard's panels. */
export function dashboardExprs(dashboard: Record<string, unknown>): string[] {
    const panels = dashboard.panels as Array<{ targets: Array<{ expr: string }> }>;
    return panels.flatMap((p) => p.targets.map((t) => t.expr));
}
