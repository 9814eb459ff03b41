/** The warm standby (drMode: standby) and its fail-over: one config switch and one `pulumi up`. */
import { expect } from "chai";
import { configReloadImage, imagePrePullSpec } from "../../components/jenkins/values";
import { RESTORE_CHECK_DEFAULT_SCHEDULE, RESTORE_DOWNLOAD_DEFAULT_SCHEDULE, restoreSeconds } from "../../components/snapshots/restoreTiming";
import { S3_SNAPSHOT_DEFAULTS } from "../../components/snapshots/settings";
import { chainBound, RESTORE_CHECK_OVERHEAD_SECONDS } from "../../stacks/drStandby";
import { DEV_JENKINS_RESOURCE, primaryBucket } from "../support/fakes/fakeLinstorBucket";
import { dependsOn, ofType, one } from "../support/mocks";
import { devOutputs, evaluateDr, rejection } from "./drFixtures";

const STANDBY = { "ha-jenkins-eks:drMode": "standby" };
const jenkinsRelease = () => ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "jenkins");

describe("dr stack: warm standby", () => {
    let standby: Record<string, unknown>;
    let bucketReads: string[];
    let ids: string[];
    before(async () => {
        const dev = await devOutputs();
        const made = primaryBucket(dev.snapshotBucketName as string);
        const bucket = made.bucket;
        ids = made.ids;
        standby = await evaluateDr(STANDBY, { bucket });
        bucketReads = bucket.reads;
    });

    it("keeps the cluster, LINSTOR and the S3 remote up, without Jenkins and without restoring anything", () => {
        expect(ofType("ha-jenkins-eks:index:LinstorCluster")).to.have.length(1);
        expect(one("kubernetes:batch/v1:Job", "ensure-linstor-remote")).to.not.equal(undefined);
        expect(jenkinsRelease()).to.equal(undefined);
        expect(ofType("kubernetes:core/v1:PersistentVolumeClaim")).to.have.length(0);
        expect(ofType("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent")).to.have.length(0);
        // No restore gate: it chooses no backup (its download step keeps the newest one local instead).
        expect(ofType("kubernetes:batch/v1:Job").filter((j) => j.name.includes("restore-gate"))).to.have.length(0);
        expect(standby.drMode).to.equal("standby");
        expect(standby).to.not.have.property("restoredBackup");
        // It chooses nothing; it reads one meta per resource, to tell its check which resources are the Jenkins claim's.
        expect(bucketReads).to.deep.equal([`${ids.at(-1)}.meta`]);
    });

    it("proves the backups restore: a restore check on the backups' schedule, after the remote exists, within a deadline", () => {
        const cron = one("kubernetes:batch/v1:CronJob", "restore-check");
        expect(cron.inputs.metadata).to.deep.include({ name: "restore-check", namespace: "piraeus-datastore" });
        // Hourly by default, not on the backups' 5-minute schedule (a scratch DRBD resource, PV and pod per run).
        expect(cron.inputs.spec.schedule).to.equal(RESTORE_CHECK_DEFAULT_SCHEDULE).and.equal("17 * * * *");
        const job = cron.inputs.spec.jobTemplate.spec;
        const env = Object.fromEntries(job.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
        expect(env).to.deep.include({
            // LINSTOR's backup list names no claim: the stack names the Jenkins claim's resource (the bucket's metas).
            ORIGINS: JSON.stringify([DEV_JENKINS_RESOURCE]),
            REMOTE: "s3-us-east-2",
            SNAPSHOT_CLASS: "linstor-csi-s3",
            STORAGE_CLASS: "linstor-csi-lvm-thin-r1",
            SIZE: "20Gi",
        });
        expect(dependsOn(cron, one("kubernetes:batch/v1:Job", "ensure-linstor-remote"))).to.equal(true);
        // The first run downloads a whole chain: the deadline covers the longest the schedule can build (a 20 Gi volume).
        const bound = chainBound({ ...S3_SNAPSHOT_DEFAULTS, snapshotFullAfter: S3_SNAPSHOT_DEFAULTS.snapshotFullAfter } as never, 20 * 2 ** 30);
        expect(job.activeDeadlineSeconds).to.equal(restoreSeconds(bound) + RESTORE_CHECK_OVERHEAD_SECONDS);
    });

    it("keeps the newest backup downloaded: a download-only step every 5 minutes, a LINSTOR API client, after the remote exists", () => {
        const cron = one("kubernetes:batch/v1:CronJob", "restore-download");
        expect(cron.inputs.metadata).to.deep.include({ name: "restore-download", namespace: "piraeus-datastore" });
        expect(cron.inputs.spec.schedule).to.equal(RESTORE_DOWNLOAD_DEFAULT_SCHEDULE).and.equal("*/5 * * * *");
        const tpl = cron.inputs.spec.jobTemplate.spec.template;
        // The same client certificate and NetworkPolicy label as the restore check's LINSTOR step.
        const check = one("kubernetes:batch/v1:CronJob", "restore-check").inputs.spec.jobTemplate.spec.template;
        expect(tpl.metadata.labels).to.include({ "ha-jenkins-eks.io/linstor-api-client": "true" });
        expect(tpl.spec.volumes).to.deep.include(check.spec.volumes.find((v: any) => v.name === "linstor-api-client"));
        const pick = tpl.spec.initContainers.find((c: any) => c.name === "pick");
        expect(Object.fromEntries(pick.env.map((e: any) => [e.name, e.value]))).to.include({ ORIGINS: JSON.stringify([DEV_JENKINS_RESOURCE]) });
        expect(dependsOn(cron, one("kubernetes:batch/v1:Job", "ensure-linstor-remote"))).to.equal(true);
        // Its first run downloads a whole chain: the deadline covers the longest the schedule can build.
        const bound = chainBound({ ...S3_SNAPSHOT_DEFAULTS, snapshotFullAfter: S3_SNAPSHOT_DEFAULTS.snapshotFullAfter } as never, 20 * 2 ** 30);
        expect(cron.inputs.spec.jobTemplate.spec.activeDeadlineSeconds).to.equal(restoreSeconds(bound));
        // No claim, no pod of its own beyond the Job's: nothing in the standby restores into a volume.
        expect(ofType("kubernetes:core/v1:PersistentVolumeClaim")).to.have.length(0);
    });

    it("alerts on every CronJob it runs (the restore check after two failed runs) and on no Jenkins it does not run", () => {
        const rule = one("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
        const rules = rule.inputs.spec.groups.find((g: any) => g.name === "scheduled-jobs.rules").rules;
        const jobs = rules.filter((r: any) => r.alert === "ScheduledJobNotSucceeding");
        const watched = jobs.map((r: any) => /namespace="([^"]+)", cronjob="([^"]+)"/.exec(r.expr)!.slice(1, 3).join("/")).sort();
        const registered = ofType("kubernetes:batch/v1:CronJob")
            .map((c) => `${c.inputs.metadata.namespace}/${c.inputs.metadata.name}`)
            .sort();
        expect(registered).to.deep.equal(["piraeus-datastore/restore-check", "piraeus-datastore/restore-download"]);
        expect(watched).to.deep.equal(registered);
        // Three intervals without a success: two consecutive hourly runs failed (one transient failure pages no one).
        const alertOf = (name: string) => jobs.find((r: any) => r.expr.includes(`cronjob="${name}"`)).expr;
        expect(alertOf("restore-check")).to.contain("> 10800)");
        // The download step: two 5-minute intervals plus the download of a new full and one interval's increment.
        expect(alertOf("restore-download")).to.match(/> (\d+)\)/);
        // The waits' rate (RESTORE_TIMING_DEFAULTS, 38 MiB/s): 20 GiB + 0.25 GiB/h × 5 min over 2 links of 60 s, whole minutes.
        const slack = restoreSeconds({ chainBytes: (20 + 0.25 / 12) * 2 ** 30, chainLength: 2 });
        expect(slack).to.equal(660);
        expect(Number(/> (\d+)\)/.exec(alertOf("restore-download"))![1])).to.equal(600 + slack);
        expect(rules.find((r: any) => r.alert === "ScheduledJobLastRunFailed")).to.equal(undefined);
        expect(ofType("kubernetes:monitoring.coreos.com/v1:ServiceMonitor").some((m) => m.name.includes("jenkins"))).to.equal(false);
    });

    it("pre-pulls the DR Jenkins' images on every storage node (the primary's image), beside Jenkins' own after the fail-over", async () => {
        const dev = await devOutputs();
        const settings = dev.jenkinsSettings as Record<string, unknown>;
        // The primary runs another tag than this stack's own config: the standby pulls the one the DR Jenkins will run.
        const primary = { ...dev, jenkinsSettings: { ...settings, imageRepository: "example/jenkins", imageTag: "2.568.9-jdk21" } };
        await evaluateDr(STANDBY, { primary });
        const ds = one("kubernetes:apps/v1:DaemonSet", "standby-image-prepull");
        expect(ds.inputs.metadata).to.deep.equal({ name: "jenkins-standby-image-prepull", namespace: "jenkins" });
        // HaJenkins' own spec (components/jenkins/values.ts), not a copy: the same containers, another instance label.
        expect(ds.inputs.spec).to.deep.equal(imagePrePullSpec("jenkins-standby", "docker.io/example/jenkins:2.568.9-jdk21"));
        expect(ds.inputs.spec.template.spec.containers.map((c: any) => c.image)).to.deep.equal([
            "docker.io/example/jenkins:2.568.9-jdk21",
            configReloadImage(),
        ]);
        expect(dependsOn(ds, one("kubernetes:core/v1:Namespace", "jenkins-namespace"))).to.equal(true);
        // The fail-over: HaJenkins' DaemonSet under its own name and selector, the standby's gone from the program.
        await evaluateDr({ "ha-jenkins-eks:drMode": "restore" }, { own: standby, primary });
        const after = ofType("kubernetes:apps/v1:DaemonSet").filter((d) => d.name.includes("prepull"));
        expect(after.map((d) => d.inputs.metadata.name)).to.deep.equal(["jenkins-image-prepull"]);
        expect(after[0].inputs.spec.template.spec.containers[0].image).to.equal("docker.io/example/jenkins:2.568.9-jdk21");
        expect(after[0].inputs.spec.selector).to.not.deep.equal(ds.inputs.spec.selector);
        // Off: nothing pre-pulled (the RTO model then charges the pull, components/rto/drPaths.ts).
        await evaluateDr({ ...STANDBY, "ha-jenkins-eks:jenkinsPrePullImage": "false" });
        expect(ofType("kubernetes:apps/v1:DaemonSet").filter((d) => d.name.includes("prepull"))).to.have.length(0);
    });

    it("downloads on its own schedule when told to; refused when no cron expression or in restore mode, naming the key", async () => {
        await evaluateDr({ ...STANDBY, "ha-jenkins-eks:restoreDownloadSchedule": "*/10 * * * *" });
        expect(one("kubernetes:batch/v1:CronJob", "restore-download").inputs.spec.schedule).to.equal("*/10 * * * *");
        expect(await rejection({ ...STANDBY, "ha-jenkins-eks:restoreDownloadSchedule": "every 5 minutes" })).to.match(/restoreDownloadSchedule/);
        expect(await rejection({ "ha-jenkins-eks:drMode": "restore", "ha-jenkins-eks:restoreDownloadSchedule": "*/10 * * * *" })).to.match(
            /restoreDownloadSchedule.*drMode is restore: the restore check and the download step run only on a warm standby/s,
        );
    });

    it("checks on its own schedule when told to", async () => {
        await evaluateDr({ ...STANDBY, "ha-jenkins-eks:restoreCheckSchedule": "7 * * * *" });
        expect(one("kubernetes:batch/v1:CronJob", "restore-check").inputs.spec.schedule).to.equal("7 * * * *");
    });

    it("refuses a pinned backup or DR snapshots in standby (nothing is restored, no Jenkins runs)", async () => {
        expect(await rejection({ ...STANDBY, "ha-jenkins-eks:restoreSnapshotHandle": "snapshot-1" })).to.match(
            /restoreSnapshotHandle: "snapshot-1"\. A standby restores nothing/,
        );
        expect(await rejection({ ...STANDBY, "ha-jenkins-eks:drSnapshotsEnabled": "true" })).to.match(
            /drSnapshotsEnabled: true\. A standby runs no Jenkins/,
        );
    });

    it("fails over with one `pulumi up` after `drMode: restore`: the newest backup restored, Jenkins started, the check gone", async () => {
        const dev = await devOutputs();
        const { bucket, ids } = primaryBucket(dev.snapshotBucketName as string);
        const live = await evaluateDr({ "ha-jenkins-eks:drMode": "restore" }, { own: standby, bucket });
        expect((live.restoredBackup as Record<string, unknown>).id).to.equal(ids.at(-1));
        expect(jenkinsRelease()).to.not.equal(undefined);
        // The fail-over's restore goes through the gate: LINSTOR downloads exactly that backup before the claim exists.
        const gate = one("kubernetes:batch/v1:Job", "restore-gate");
        const pick = gate.inputs.spec.template.spec.initContainers[1].env.find((e: any) => e.name === "BACKUP_ID");
        expect(pick.value).to.equal(ids.at(-1));
        expect(dependsOn(one("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent"), gate)).to.equal(true);
        // The restore check and the download step are gone with the standby.
        expect(ofType("kubernetes:batch/v1:CronJob")).to.have.length(0);
        // The same cluster: no resource of the standby's cluster is renamed.
        expect(one("ha-jenkins-eks:index:LinstorCluster").name).to.equal("hje-dr");
    });
});

describe("the restore check's deadline bound", () => {
    it("covers a whole chain: a full the size of the volume and one increment per backup until the next full", () => {
        const s = {
            snapshotSchedule: "*/15 * * * *",
            snapshotAllowIncremental: true,
            snapshotMaxIncrements: 0,
            snapshotFullAfter: "24h",
            snapshotExpectedChurnGiBPerHour: 0.25,
        };
        const bound = chainBound(s as never, 20 * 2 ** 30);
        expect(bound.chainLength).to.equal(97);
        expect(bound.chainBytes).to.equal(20 * 2 ** 30 + 96 * 0.0625 * 2 ** 30);
        expect(restoreSeconds(bound)).to.be.greaterThan(restoreSeconds({ chainBytes: 20 * 2 ** 30, chainLength: 1 }));
        const full = chainBound({ ...s, snapshotAllowIncremental: false } as never, 20 * 2 ** 30);
        expect(full.chainLength).to.equal(1);
    });
});
