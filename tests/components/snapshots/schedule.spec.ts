import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import {
    isSnapshotHandle,
    legacySnapshotHandle,
    preProvisionedContent,
    restoredClaimName,
    restoredClaimSpec,
    SNAPSHOT_SCRIPT,
    s3SnapshotHandle,
    snapshotClassParameters,
    snapshotControllerValues,
    snapshotCronJobSpec,
    volumeSnapshotFromContent,
} from "../../../components/snapshots/schedule";

const cronArgs = {
    schedule: "0 * * * *",
    image: "registry.k8s.io/kubectl:v1.35.1",
    namespace: "jenkins",
    pvcName: "jenkins-home",
    snapshotClassName: "linstor-csi-s3",
    retention: 3,
    readyTimeoutSeconds: 2700,
    pruneDeletesBackups: true,
    credentialsSecretName: "linstor-remote-s3-eu-central-1-g2",
    credentialsNamespace: "piraeus-datastore",
    serviceAccountName: "jenkins-snapshots",
};

describe("snapshot specs", () => {
    describe("VolumeSnapshotClass parameters", () => {
        it("point linstor-csi at the bucket over the regional https endpoint with virtual-hosted style", () => {
            expect(
                snapshotClassParameters({
                    remoteName: "s3-eu-central-1",
                    bucket: "b",
                    region: "eu-central-1",
                    allowIncremental: true,
                    maxIncrements: 23,
                }),
            ).to.deep.equal({
                "snap.linstor.csi.linbit.com/type": "S3",
                "snap.linstor.csi.linbit.com/remote-name": "s3-eu-central-1",
                "snap.linstor.csi.linbit.com/s3-bucket": "b",
                "snap.linstor.csi.linbit.com/s3-endpoint": "https://s3.eu-central-1.amazonaws.com",
                "snap.linstor.csi.linbit.com/s3-signing-region": "eu-central-1",
                "snap.linstor.csi.linbit.com/s3-use-path-style": "false",
                "snap.linstor.csi.linbit.com/allow-incremental": "true",
                "snap.linstor.csi.linbit.com/max-increments": "23",
            });
        });

        it("bounds the chain by age when asked, and drops chain limits for full-only backups", () => {
            const p = snapshotClassParameters({
                remoteName: "r",
                bucket: "b",
                region: "eu-west-1",
                allowIncremental: true,
                maxIncrements: 0,
                fullSnapshotAfter: "168h",
            });
            expect(p["snap.linstor.csi.linbit.com/full-snapshot-after"]).to.equal("168h");
            expect(p).to.not.have.property("snap.linstor.csi.linbit.com/max-increments");
            const full = snapshotClassParameters({ remoteName: "r", bucket: "b", region: "eu-west-1", allowIncremental: false, maxIncrements: 23 });
            expect(full["snap.linstor.csi.linbit.com/allow-incremental"]).to.equal("false");
            expect(Object.keys(full).filter((k) => /increments|full-snapshot/.test(k))).to.deep.equal([]);
            for (const v of Object.values(full)) expect(v).to.not.match(/^http:/);
        });
    });

    describe("snapshot controller values", () => {
        it("installs the CRDs, runs replicas spread over zones and meets restricted Pod Security", () => {
            const v = snapshotControllerValues(2) as any;
            expect(v.installCRDs).to.equal(true);
            expect(v.webhook).to.deep.equal({ enabled: false });
            expect(v.controller.replicaCount).to.equal(2);
            expect(v.controller.pdb).to.deep.equal({ minAvailable: 1 });
            expect(v.controller.topologySpreadConstraints[0].topologyKey).to.equal("topology.kubernetes.io/zone");
            expect(v.controller.topologySpreadConstraints[0].labelSelector.matchLabels).to.deep.equal({
                "app.kubernetes.io/name": "snapshot-controller",
                "app.kubernetes.io/instance": "snapshot-controller",
            });
            expect(v.controller.podSecurityContext).to.deep.equal({ seccompProfile: { type: "RuntimeDefault" } });
            expect(v.controller.securityContext).to.include({ allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true });
            expect((snapshotControllerValues(1) as any).controller).to.not.have.property("pdb");
        });
    });

    describe("CronJob", () => {
        const spec = snapshotCronJobSpec(cronArgs) as any;
        const pod = spec.jobTemplate.spec.template.spec;
        const container = pod.containers[0];
        const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));

        it("runs on the schedule in UTC, one at a time, skipping runs that start too late", () => {
            expect(spec.schedule).to.equal("0 * * * *");
            expect(spec.timeZone).to.equal("Etc/UTC");
            expect(spec.concurrencyPolicy).to.equal("Forbid");
            expect(spec.startingDeadlineSeconds).to.equal(600);
            expect(spec.jobTemplate.spec.backoffLimit).to.equal(1);
            expect(spec.jobTemplate.spec.activeDeadlineSeconds).to.equal(3300);
            expect(pod.restartPolicy).to.equal("Never");
        });

        it("uses its own ServiceAccount and a locked-down container", () => {
            expect(pod.serviceAccountName).to.equal("jenkins-snapshots");
            expect(pod.securityContext).to.deep.equal({
                runAsNonRoot: true,
                runAsUser: 65532,
                runAsGroup: 65532,
                seccompProfile: { type: "RuntimeDefault" },
            });
            expect(container.securityContext).to.deep.equal({
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
            });
            expect(container.image).to.equal("registry.k8s.io/kubectl:v1.35.1");
            expect(container.command).to.deep.equal(["/bin/bash", "-c", SNAPSHOT_SCRIPT]);
            expect(container.volumeMounts).to.deep.equal([{ name: "tmp", mountPath: "/tmp" }]);
            expect(env.HOME).to.equal("/tmp");
        });

        it("passes the claim, class, retention and current credentials Secret to the script", () => {
            expect(env).to.deep.include({
                NAMESPACE: "jenkins",
                PVC_NAME: "jenkins-home",
                SNAPSHOT_CLASS: "linstor-csi-s3",
                RETENTION: "3",
                SCHEDULE_NAME: "jenkins-snapshots",
                SNAPSHOT_PREFIX: "jenkins-home",
                PRUNE_DELETES_BACKUPS: "true",
                CREDENTIALS_SECRET: "linstor-remote-s3-eu-central-1-g2",
                CREDENTIALS_NAMESPACE: "piraeus-datastore",
            });
        });

        it("script creates, waits and prunes without watch verbs", () => {
            expect(SNAPSHOT_SCRIPT).to.contain('kubectl -n "${NAMESPACE}" create -f -');
            expect(SNAPSHOT_SCRIPT).to.contain("persistentVolumeClaimName: ${PVC_NAME}");
            expect(SNAPSHOT_SCRIPT).to.contain("ha-jenkins-eks.io/snapshot-schedule: ${SCHEDULE_NAME}");
            expect(SNAPSHOT_SCRIPT).to.contain('delete volumesnapshot "${old}" --wait=false');
            expect(SNAPSHOT_SCRIPT).to.not.match(/kubectl (-n "\$\{NAMESPACE\}" )?wait\b|--watch\b|\s-w\s/);
        });
    });

    describe("script behaviour against a fake kubectl", () => {
        let dir: string;
        const hasTools = spawnSync("bash", ["-c", "command -v jq"]).status === 0;

        // Scheduled snapshots a-e are ready (a oldest); f is still shipping, g is being deleted, x is not ours.
        const item = (name: string, created: string, ready: boolean, deleting = false) => ({
            metadata: { name, creationTimestamp: created, ...(deleting ? { deletionTimestamp: "2026-01-01T09:00:00Z" } : {}) },
            status: { readyToUse: ready },
        });
        const list = {
            items: [
                item("jenkins-home-c", "2026-01-01T03:00:00Z", true),
                item("jenkins-home-a", "2026-01-01T01:00:00Z", true),
                item("jenkins-home-e", "2026-01-01T05:00:00Z", true),
                item("jenkins-home-b", "2026-01-01T02:00:00Z", true),
                item("jenkins-home-d", "2026-01-01T04:00:00Z", true),
                item("jenkins-home-f", "2026-01-01T06:00:00Z", false),
                item("jenkins-home-g", "2026-01-01T00:00:00Z", true, true),
            ],
        };
        const fake = `#!/usr/bin/env bash
echo "$*" >> "$STATE/calls.log"
case "$*" in
  *" create -f -") cat > "$STATE/created.yaml" ;;
  *"get volumesnapshot -l "*) cat "$STATE/list.json" ;;
  *"get volumesnapshot "*" -o json") cat "$STATE/status.json" ;;
  *"jsonpath={.status.boundVolumeSnapshotContentName}") printf 'content-%s' "$5" ;;
  "get volumesnapshotcontent "*) if [ -f "$STATE/foreign-$3" ]; then printf 'other/x'; else printf 'jenkins/%s' "\${3#content-}"; fi ;;
  "patch volumesnapshotcontent "*|*" delete volumesnapshot "*) ;;
  *) echo "unexpected kubectl $*" >&2; exit 3 ;;
esac
`;

        function run(env: Record<string, string>, status: object) {
            fs.writeFileSync(path.join(dir, "list.json"), JSON.stringify(list));
            fs.writeFileSync(path.join(dir, "status.json"), JSON.stringify({ status }));
            fs.rmSync(path.join(dir, "calls.log"), { force: true });
            const spec = snapshotCronJobSpec(cronArgs) as any;
            const base = Object.fromEntries(spec.jobTemplate.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
            const r = spawnSync("bash", ["-c", SNAPSHOT_SCRIPT], {
                env: { ...base, ...env, STATE: dir, HOME: dir, PATH: `${dir}/bin:${process.env.PATH}`, POLL_SECONDS: "0" },
                encoding: "utf8",
            });
            const calls = fs.existsSync(path.join(dir, "calls.log")) ? fs.readFileSync(path.join(dir, "calls.log"), "utf8").trim().split("\n") : [];
            return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
        }

        before(function () {
            if (!hasTools) this.skip();
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "snapshot-script-"));
            fs.mkdirSync(path.join(dir, "bin"));
            fs.writeFileSync(path.join(dir, "bin", "kubectl"), fake, { mode: 0o755 });
        });
        after(() => {
            if (dir) fs.rmSync(dir, { recursive: true, force: true });
        });

        it("creates a timestamped, labelled snapshot of the claim and prunes the oldest ready ones beyond retention", () => {
            const r = run({}, { readyToUse: true });
            expect(r.status, r.stderr).to.equal(0);
            const created = fs.readFileSync(path.join(dir, "created.yaml"), "utf8");
            expect(created).to.match(/name: jenkins-home-\d{8}-\d{6}\n/);
            expect(created).to.contain("ha-jenkins-eks.io/snapshot-schedule: jenkins-snapshots");
            expect(created).to.contain("volumeSnapshotClassName: linstor-csi-s3");
            expect(created).to.contain("persistentVolumeClaimName: jenkins-home");
            const deletes = r.calls.filter((c) => c.includes(" delete volumesnapshot "));
            expect(deletes).to.deep.equal([
                "-n jenkins delete volumesnapshot jenkins-home-b --wait=false",
                "-n jenkins delete volumesnapshot jenkins-home-a --wait=false",
            ]);
            const patches = r.calls.filter((c) => c.startsWith("patch "));
            expect(patches.map((c) => c.split(" ")[2])).to.deep.equal(["content-jenkins-home-b", "content-jenkins-home-a"]);
            const patch = JSON.parse(patches[0].split(" -p ")[1]);
            expect(patch).to.deep.equal({
                metadata: {
                    annotations: {
                        "snapshot.storage.kubernetes.io/deletion-secret-name": "linstor-remote-s3-eu-central-1-g2",
                        "snapshot.storage.kubernetes.io/deletion-secret-namespace": "piraeus-datastore",
                    },
                },
                spec: { deletionPolicy: "Delete" },
            });
            expect(r.calls.some((c) => c.includes("--watch") || c.startsWith("wait"))).to.equal(false);
        });

        it("only deletes Kubernetes objects when pruning must keep the backups", () => {
            const r = run({ PRUNE_DELETES_BACKUPS: "false" }, { readyToUse: true });
            expect(r.status).to.equal(0);
            expect(r.calls.filter((c) => c.startsWith("patch "))).to.deep.equal([]);
            expect(r.calls.filter((c) => c.includes(" delete volumesnapshot "))).to.have.length(2);
        });

        it("fails the job when the snapshot is not shipped in time, still pruning only ready ones", () => {
            const r = run({ READY_TIMEOUT_SECONDS: "0", RETENTION: "4" }, { readyToUse: false });
            expect(r.status).to.equal(1);
            expect(r.stdout).to.contain("not ready after 0s");
            expect(r.calls.filter((c) => c.includes(" delete volumesnapshot "))).to.deep.equal([
                "-n jenkins delete volumesnapshot jenkins-home-a --wait=false",
            ]);
        });

        it("never touches a content that does not point back to the snapshot", () => {
            fs.writeFileSync(path.join(dir, "foreign-content-jenkins-home-a"), "");
            try {
                const r = run({}, { readyToUse: true });
                expect(
                    r.calls.filter((c) => c.includes("jenkins-home-a") && !c.startsWith("get volumesnapshotcontent") && !c.includes("jsonpath")),
                ).to.deep.equal([]);
                expect(r.calls.filter((c) => c.includes(" delete volumesnapshot "))).to.deep.equal([
                    "-n jenkins delete volumesnapshot jenkins-home-b --wait=false",
                ]);
            } finally {
                fs.rmSync(path.join(dir, "foreign-content-jenkins-home-a"));
            }
        });
    });

    describe("restore objects", () => {
        it("pre-provisions a Retain content with the handle, bound to the snapshot that names it", () => {
            const args = { name: "jenkins-dr", namespace: "jenkins", className: "linstor-csi-s3" };
            const content = preProvisionedContent({ ...args, snapshotHandle: "s3://s3-eu-central-1/pvc-1/snapshot-2" });
            expect(content).to.deep.equal({
                apiVersion: "snapshot.storage.k8s.io/v1",
                kind: "VolumeSnapshotContent",
                metadata: { name: "restored-jenkins-jenkins-dr" },
                spec: {
                    deletionPolicy: "Retain",
                    driver: "linstor.csi.linbit.com",
                    source: { snapshotHandle: "s3://s3-eu-central-1/pvc-1/snapshot-2" },
                    volumeSnapshotClassName: "linstor-csi-s3",
                    volumeSnapshotRef: { name: "jenkins-dr", namespace: "jenkins" },
                },
            });
            const snapshot = volumeSnapshotFromContent(args);
            expect(snapshot.metadata).to.deep.equal({ name: "jenkins-dr", namespace: "jenkins" });
            expect(snapshot.spec.source).to.deep.equal({ volumeSnapshotContentName: content.metadata.name });
            expect(restoredClaimSpec({ storageClassName: "r3", size: "50Gi", snapshotName: "jenkins-dr" })).to.deep.equal({
                accessModes: ["ReadWriteOnce"],
                storageClassName: "r3",
                resources: { requests: { storage: "50Gi" } },
                dataSource: { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: "jenkins-dr" },
            });
        });

        it("accepts current and legacy handles and rejects others", () => {
            expect(s3SnapshotHandle("s3-eu-central-1", "pvc-1a", "snapshot-2b")).to.equal("s3://s3-eu-central-1/pvc-1a/snapshot-2b");
            for (const ok of [
                "s3://s3-eu-central-1/pvc-1a/snapshot-2b",
                "S3://r/pvc-1a/1/snap",
                legacySnapshotHandle("3f2c1d0e-0000-4000-8000-000000000001"),
            ]) {
                expect(isSnapshotHandle(ok), ok).to.equal(true);
            }
            for (const bad of ["", "http://r/pvc/snap", "s3://r/pvc", "s3:///pvc/snap", "snap shot", "s3://r/pvc/1/2/snap"]) {
                expect(isSnapshotHandle(bad), bad).to.equal(false);
            }
        });

        it("names a restored claim as a DNS label", () => {
            expect(restoredClaimName("jenkins-home-20260101-000000")).to.equal("restored-jenkins-home-20260101-000000");
            const long = restoredClaimName(`a${"-b".repeat(31)}`);
            expect(long.length).to.be.at.most(63);
            expect(long).to.match(/[a-z0-9]$/);
        });
    });
});
