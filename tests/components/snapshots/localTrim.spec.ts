/**
 * The schedule's trim of LINSTOR's local copies: the selection (the real LOCAL_TRIM_JQ run by jq) on hand-made
 * VolumeSnapshot lists, and the trim container's script (real sh + curl) against the fake LINSTOR controller over HTTPS
 * with its client certificate, missing and busy snapshots included (tests/support/fakes/fakeLinstorState.ts
 * deleteSnapshot, as linstor-server 1.33.3 CtrlSnapshotDeleteApiCallHandler answers).
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { LOCAL_TRIM_JQ, snapshotCronJobSpec, TRIM_SCRIPT } from "../../../components/snapshots/snapshotJob";
import { FakeLinstor } from "../../support/fakes/fakeLinstor";
import { apiTlsFiles, clientEnv, hasOpenssl } from "../../support/fakes/linstorApiTls";
import { HAS_JQ, JqProcess } from "../../support/jqProcess";

const NOW = Date.UTC(2026, 4, 10, 12, 0, 0) / 1000;
const CLASSES = ["linstor-csi-s3", "linstor-csi-s3-full", "linstor-csi-s3-on-demand"];

/** A VolumeSnapshot `minutesAgo` old; uid = its name, so LINSTOR's is `snapshot-<name>`. */
function vs(name: string, minutesAgo: number, o: { cls?: string; pvc?: string; ready?: boolean; error?: boolean; deleting?: boolean } = {}) {
    return {
        metadata: {
            name,
            uid: name,
            creationTimestamp: new Date((NOW - minutesAgo * 60) * 1000).toISOString().replace(/\.000Z$/, "Z"),
            ...(o.deleting ? { deletionTimestamp: "2026-05-10T11:00:00Z" } : {}),
        },
        spec: { source: { persistentVolumeClaimName: o.pvc ?? "jenkins-home" }, volumeSnapshotClassName: o.cls ?? "linstor-csi-s3" },
        status: { readyToUse: o.ready ?? true, ...(o.error ? { error: { message: "failed" } } : {}) },
    };
}

describe("trimming LINSTOR's local copies (LOCAL_TRIM_JQ with jq)", () => {
    let jq: JqProcess;
    const trim = async (items: object[], keep = 2) =>
        (await jq.run({ items }, { now: NOW, keep, inflight: 3300, pvc: "jenkins-home", classes: CLASSES })) as string[];
    before(function () {
        if (!HAS_JQ) this.skip();
        jq = new JqProcess(LOCAL_TRIM_JQ, ["now", "keep", "inflight", "pvc", "classes"]);
    });
    after(() => jq?.close());

    it("keeps the newest ready ones whatever their class (the newest is the next increment's base), trims the rest", async () => {
        const items = [
            vs("a", 25),
            vs("b", 20, { cls: "linstor-csi-s3-full" }),
            vs("c", 15, { deleting: true }),
            vs("od", 12, { cls: "linstor-csi-s3-on-demand" }),
            vs("d", 10),
            vs("e", 5),
        ];
        expect(await trim(items)).to.deep.equal(["snapshot-od", "snapshot-c", "snapshot-b", "snapshot-a"]);
        expect(await trim(items, 4)).to.deep.equal(["snapshot-b", "snapshot-a"]);
    });

    it("never touches other claims, other classes (a local-only snapshot) or snapshots that never shipped", async () => {
        const items = [
            vs("other-claim", 30, { pvc: "other" }),
            vs("local-only", 30, { cls: "linstor-csi-lvm" }),
            vs("failed", 40, { ready: false, error: true }),
            vs("x", 20),
            vs("y", 10),
            vs("z", 5),
        ];
        expect(await trim(items)).to.deep.equal(["snapshot-x"]);
    });

    it("keeps the base of a younger snapshot still shipping (a full ships beside queued increments), trims once it is done", async () => {
        const items = [vs("a", 30), vs("base", 25), vs("shipping", 20, { ready: false }), vs("b", 10), vs("c", 5)];
        expect(await trim(items)).to.deep.equal(["snapshot-a"]);
        // Past the run's deadline it cannot be shipping any more.
        expect(await trim([vs("a", 90), vs("base", 80), vs("stuck", 70, { ready: false }), vs("b", 10), vs("c", 5)])).to.deep.equal([
            "snapshot-base",
            "snapshot-a",
        ]);
    });
});

const hasCurl = (() => {
    try {
        execFileSync("curl", ["--version"]);
        return true;
    } catch {
        return false;
    }
})();

describe("the trim container (TRIM_SCRIPT with sh and curl against the fake LINSTOR)", () => {
    const withTls = hasCurl && hasOpenssl ? it : it.skip;
    let linstor: FakeLinstor;
    let dir: string;
    const world = () => ({
        nodes: [{ name: "n1" }, { name: "n2" }, { name: "n3" }],
        groups: [],
        resources: [],
        snapshots: [
            { name: "snapshot-old", resource: "pvc-1", nodes: ["n1", "n2", "n3"] },
            { name: "snapshot-busy", resource: "pvc-1", nodes: ["n1", "n2", "n3"], busy: "shipping" as const },
            { name: "snapshot-keep", resource: "pvc-1", nodes: ["n1", "n2", "n3"] },
            { name: "snapshot-other", resource: "pvc-2", nodes: ["n1"] },
        ],
    });
    function run(lines: string[], url = linstor.url): Promise<{ code: number; out: string }> {
        const file = path.join(dir, "trim-local");
        fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(""));
        const env = {
            PATH: process.env.PATH ?? "/usr/bin:/bin",
            LINSTOR_API: url,
            ...clientEnv(apiTlsFiles().client),
            TRIM_FILE: file,
            CONNECT_RETRIES: "0",
        };
        return new Promise((resolve) => {
            execFile("/bin/sh", ["-c", TRIM_SCRIPT], { env, encoding: "utf8", timeout: 15000 }, (err, stdout, stderr) =>
                resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
            );
        });
    }
    beforeEach(async function () {
        if (!hasCurl || !hasOpenssl) this.skip();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "trim-"));
        linstor = new FakeLinstor(world());
        await linstor.start(apiTlsFiles().server);
    });
    afterEach(async () => {
        await linstor?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    withTls("deletes the named local snapshots LINSTOR still lists, by their resource, over HTTPS; S3 is not LINSTOR's to touch here", async () => {
        const r = await run(["snapshot-old", "snapshot-gone", "snapshot-other"]);
        expect(r.code, r.out).to.equal(0);
        expect(linstor.snapshots.map((s) => s.name)).to.deep.equal(["snapshot-busy", "snapshot-keep"]);
        expect(linstor.requests.filter((q) => q.method === "DELETE").map((q) => q.path)).to.deep.equal([
            "/v1/resource-definitions/pvc-1/snapshots/snapshot-old",
            "/v1/resource-definitions/pvc-2/snapshots/snapshot-other",
        ]);
        expect(r.out).to.contain("trimmed 2 local snapshots, 0 refused");
    });

    withTls("a snapshot LINSTOR refuses (being shipped: FAIL_IN_USE) fails the run after the others are done", async () => {
        const r = await run(["snapshot-busy", "snapshot-old"]);
        expect(r.code).to.not.equal(0);
        expect(r.out).to.match(/refused to delete local snapshot pvc-1\/snapshot-busy \(HTTP 500\).*currently being shipped/);
        expect(linstor.snapshots.map((s) => s.name))
            .to.include("snapshot-busy")
            .and.not.include("snapshot-old");
    });

    withTls("an empty list asks LINSTOR nothing; a plain-HTTP URL is refused", async () => {
        expect((await run([])).out).to.contain("no local snapshot to trim");
        expect(linstor.requests).to.deep.equal([]);
        const plain = await run(["snapshot-old"], linstor.url.replace("https:", "http:"));
        expect(plain.code).to.not.equal(0);
        expect(plain.out).to.contain("not HTTPS");
    });

    it("runs after the snapshot container as a labelled LINSTOR API client with the client certificate", () => {
        const base = {
            schedule: "*/5 * * * *",
            image: "registry.k8s.io/kubectl:v1.35.1",
            namespace: "jenkins",
            pvcName: "jenkins-home",
            snapshotClassName: "linstor-csi-s3",
            fullSnapshotClassName: "linstor-csi-s3-full",
            fullAfterSeconds: 86400,
            retentionHours: 48,
            dailyRetentionDays: 7,
            readyTimeoutSeconds: 2700,
            pruneDeletesBackups: true,
            credentialsSecretName: "s",
            credentialsNamespace: "piraeus-datastore",
            serviceAccountName: "jenkins-snapshots",
        };
        const spec = snapshotCronJobSpec({
            ...base,
            trim: {
                localSnapshots: 2,
                image: "docker.io/curlimages/curl:8.16.0",
                linstorNamespace: "piraeus-datastore",
                onDemandSnapshotClassName: "od",
            },
        }) as any;
        const tpl = spec.jobTemplate.spec.template;
        expect(tpl.metadata.labels).to.include({ "ha-jenkins-eks.io/linstor-api-client": "true" });
        expect(tpl.spec.initContainers.map((c: any) => c.name)).to.deep.equal(["snapshot"]);
        const [trimmer] = tpl.spec.containers;
        const env = Object.fromEntries(trimmer.env.map((e: any) => [e.name, e.value]));
        expect(env).to.include({ LINSTOR_API: "https://linstor-controller.piraeus-datastore.svc:3371", TRIM_FILE: "/tmp/trim-local" });
        expect(trimmer.volumeMounts).to.deep.include({ name: "linstor-api-client", mountPath: "/etc/linstor-api-client", readOnly: true });
        expect(tpl.spec.securityContext.fsGroup).to.equal(65532);
        const snapEnv = Object.fromEntries(tpl.spec.initContainers[0].env.map((e: any) => [e.name, e.value]));
        expect(snapEnv).to.include({ TRIM_FILE: "/tmp/trim-local", LOCAL_SNAPSHOTS: "2", ON_DEMAND_SNAPSHOT_CLASS: "od" });
        // Without the trim: one container, no API client label.
        const untrimmed = (snapshotCronJobSpec(base) as any).jobTemplate.spec.template;
        expect(untrimmed.spec.initContainers).to.equal(undefined);
        expect(untrimmed.metadata.labels).to.not.have.property("ha-jenkins-eks.io/linstor-api-client");
    });
});
