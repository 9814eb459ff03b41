import { expect } from "chai";
import { loadConfig } from "../../stacks/config";
import { deployPrimary } from "../../stacks/primary";
import { dependsOn, isSecret, linstorClasses, ofType, one, outputValue, recorded, resetRecords, settle, unsecret, useStack } from "../support/mocks";
import { stackConfig } from "../support/stacks";

/** Evaluates the dev stack with its real Pulumi.dev.yaml (plus Pulumi.yaml defaults) under mocks. */
async function evaluateDev(overrides: Record<string, string> = {}) {
    const { config, secretKeys } = stackConfig("dev");
    useStack("dev", { ...config, ...overrides }, secretKeys);
    resetRecords();
    const outputs = await deployPrimary(loadConfig());
    await outputValue(outputs.clusterName);
    await settle();
    return outputs;
}

describe("dev stack (primary)", () => {
    let outputs: Awaited<ReturnType<typeof evaluateDev>>;
    before(async () => {
        outputs = await evaluateDev();
    });

    it("builds the cluster in us-west-2 across the three configured AZs", async () => {
        expect(outputs.region).to.equal("us-west-2");
        expect(outputs.availabilityZones).to.deep.equal(["us-west-2a", "us-west-2b", "us-west-2c"]);
        expect(await outputValue(outputs.clusterName)).to.equal("hje-dev");
        expect(one("awsx:ec2:Vpc").inputs.availabilityZoneNames).to.deep.equal(["us-west-2a", "us-west-2b", "us-west-2c"]);
        expect(ofType("eks:index:ManagedNodeGroup")).to.have.length(3);
    });

    it("registers the whole LINSTOR storage layer", () => {
        const types = new Set(recorded.map((r) => r.type));
        for (const t of [
            "ha-jenkins-eks:index:LinstorCluster",
            "eks:index:Cluster",
            "aws:ec2/launchTemplate:LaunchTemplate",
            "kubernetes:helm.sh/v3:Release",
            "kubernetes:piraeus.io/v1:LinstorCluster",
            "kubernetes:piraeus.io/v1:LinstorSatelliteConfiguration",
            "kubernetes:storage.k8s.io/v1:StorageClass",
        ])
            expect(types.has(t), t).to.equal(true);
        expect(outputs.storageClassNames).to.deep.equal({
            1: "linstor-csi-lvm-thin-r1",
            2: "linstor-csi-lvm-thin-r2",
            3: "linstor-csi-lvm-thin-r3",
        });
        expect(outputs.linstorNamespace).to.equal("piraeus-datastore");
    });

    it("exports the kubeconfig only as a secret", async () => {
        expect(await isSecret(outputs.kubeconfig)).to.equal(true);
    });

    it("parents every resource's name on the stack prefix so stacks never collide", () => {
        for (const r of recorded.filter((r) => r.custom && !r.type.startsWith("pulumi:"))) {
            expect(r.name.startsWith("hje-dev"), `${r.type} ${r.name}`).to.equal(true);
        }
    });

    it("runs Jenkins on a protected claim of the 3-replica class, after the storage layer is ready", () => {
        const jenkinsRelease = ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "jenkins")!;
        expect(jenkinsRelease.inputs.repositoryOpts).to.deep.equal({ repo: "https://charts.jenkins.io" });
        expect(jenkinsRelease.inputs.version).to.equal("5.9.53");
        const values = unsecret<any>(jenkinsRelease.inputs.values);
        const pvc = one("kubernetes:core/v1:PersistentVolumeClaim");
        expect(values.persistence.existingClaim).to.equal(pvc.inputs.metadata.name);
        expect(pvc.inputs.spec.storageClassName).to.equal("linstor-csi-lvm-thin-r3");
        expect(pvc.inputs.spec.resources.requests.storage).to.equal("20Gi");
        expect(pvc.options!.protect).to.equal(true);
        // Deleting the namespace would delete the claim: protected and retained like it.
        const namespace = one("kubernetes:core/v1:Namespace", "jenkins-namespace");
        expect([namespace.options!.protect, namespace.options!.retainOnDelete]).to.deep.equal([true, true]);
        expect(dependsOn(pvc, namespace)).to.equal(true);
        const operator = ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart.includes("piraeus"))!;
        expect(dependsOn(jenkinsRelease, operator)).to.equal(true);
        for (const sc of linstorClasses()) expect(dependsOn(jenkinsRelease, sc)).to.equal(true);
        expect(values.controller.serviceType).to.equal("ClusterIP");
    });

    it("exports what the DR stack reads, the admin password only as a secret", async () => {
        expect(await outputValue(outputs.jenkinsNamespace)).to.equal("jenkins");
        expect(await outputValue(outputs.jenkinsStorageSize)).to.equal("20Gi");
        expect(await outputValue(outputs.jenkinsPvcName)).to.equal(one("kubernetes:core/v1:PersistentVolumeClaim").inputs.metadata.name);
        expect(await isSecret(outputs.jenkinsAdminPassword)).to.equal(true);
        expect(outputs.jenkinsSettings.chartVersion).to.equal("5.9.53");
        expect(JSON.stringify(outputs.jenkinsSettings)).to.not.contain("generated-");
    });

    it("monitors DRBD, LINSTOR and Jenkins by default, with Jenkins waiting for the monitoring CRDs", async () => {
        const kps = ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "kube-prometheus-stack")!;
        expect(kps.inputs.version).to.equal("88.5.3");
        const jenkinsRelease = ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "jenkins")!;
        const values = unsecret<any>(jenkinsRelease.inputs.values);
        expect(values.controller.prometheus.enabled).to.equal(true);
        expect(values.controller.installPlugins.some((p: string) => p.startsWith("prometheus:"))).to.equal(true);
        expect(dependsOn(jenkinsRelease, kps)).to.equal(true);
        expect(ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule")).to.have.length(1);
        expect(await isSecret(outputs.grafanaAdminPassword!)).to.equal(true);
        const prometheusStorage = kps.inputs.values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec;
        expect(prometheusStorage.storageClassName).to.equal("linstor-csi-lvm-thin-r2");
    });

    it("backs up the LINSTOR database daily into the snapshot bucket, kept by the bucket's lifecycle", async () => {
        const cron = one("kubernetes:batch/v1:CronJob", "linstor-db-backup");
        expect(cron.inputs.metadata).to.deep.include({ name: "linstor-db-backup", namespace: "piraeus-datastore" });
        expect(cron.inputs.spec.schedule).to.equal("30 2 * * *");
        const bucket = await outputValue(outputs.snapshotBucketName);
        expect(cron.inputs.spec.jobTemplate.spec.template.spec.containers[0].args).to.include(`s3://${bucket}/linstor-db/hje-dev/`);
        expect(dependsOn(cron, one("kubernetes:piraeus.io/v1:LinstorCluster"))).to.equal(true);
        const rules = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
        expect(rules.find((r: any) => r.id === "expire-linstor-db-backups")).to.deep.equal({
            id: "expire-linstor-db-backups",
            status: "Enabled",
            filter: { prefix: "linstor-db/" },
            expiration: { days: 30 },
        });
        expect(await outputValue(outputs.linstorDbBackupLocation!)).to.equal(`s3://${bucket}/linstor-db/hje-dev/`);
        expect(outputs.linstorDbBackupRetentionDays).to.equal(30);
    });

    it("ships Jenkins snapshots hourly to a hardened bucket in us-east-2 and exports what DR needs", async () => {
        const cron = one("kubernetes:batch/v1:CronJob", "snapshots-schedule");
        expect(cron.inputs.spec.schedule).to.equal("*/5 * * * *");
        expect(cron.inputs.metadata.namespace).to.equal("piraeus-datastore");
        const snapshotsIn = cron.inputs.spec.jobTemplate.spec.template.spec.initContainers[0].env.find((e: any) => e.name === "NAMESPACE");
        expect(snapshotsIn.value, "its VolumeSnapshots stay beside the claim").to.equal("jenkins");
        // The schedule snapshots the claim Jenkins really mounts (the chart's `<fullname>-home`, not a look-alike string).
        const env = cron.inputs.spec.jobTemplate.spec.template.spec.initContainers[0].env;
        const claim = one("kubernetes:core/v1:PersistentVolumeClaim").inputs.metadata.name;
        expect(env.find((e: any) => e.name === "PVC_NAME").value)
            .to.equal(claim)
            .and.to.equal(await outputValue(outputs.jenkinsPvcName));
        const provider = ofType("pulumi:providers:aws").find((p) => p.inputs.region === "us-east-2");
        expect(provider, "bucket-region provider").to.not.equal(undefined);
        const bucket = one("aws:s3/bucket:Bucket");
        expect(bucket.provider).to.contain("us-east-2");
        expect(bucket.options!.protect).to.equal(true);
        expect(outputs.snapshotBucketRegion).to.equal("us-east-2");
        expect(outputs.linstorRemoteName).to.equal("s3-us-east-2");
        const params = await outputValue(outputs.snapshotClassParameters);
        expect(params["snap.linstor.csi.linbit.com/s3-endpoint"]).to.equal("https://s3.us-east-2.amazonaws.com");
        expect(Object.keys(params).every((k) => k.startsWith("snap.linstor.csi.linbit.com/"))).to.equal(true);
        // The schedule runs next to LINSTOR, never where builds run; its Role on VolumeSnapshots waits for the Jenkins
        // namespace the stack creates before Jenkins; the alert knows the schedule.
        const account = one("kubernetes:core/v1:ServiceAccount", "snapshots-schedule");
        expect(account.inputs.metadata.namespace).to.equal("piraeus-datastore");
        const role = one("kubernetes:rbac.authorization.k8s.io/v1:Role", "snapshots-schedule");
        expect(role.inputs.metadata.namespace).to.equal("jenkins");
        expect(dependsOn(role, one("kubernetes:core/v1:Namespace", "jenkins-namespace"))).to.equal(true);
        const rule = one("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
        // 2 × 5 min + shipping a 20 GiB full (572 s): the daily full keeps newer snapshots waiting without an alert.
        expect(JSON.stringify(rule.inputs.spec)).to.contain("> 1172");
        // Both schedules are watched: the snapshots (2 × 5 min) and the LINSTOR database backup (2 × 1 day).
        const jobs = rule.inputs.spec.groups.find((g: any) => g.name === "scheduled-jobs.rules").rules;
        expect(jobs.map((r: any) => r.expr)).to.deep.equal([
            '(time() - kube_cronjob_status_last_successful_time{namespace="piraeus-datastore", cronjob="jenkins-snapshots"} > 1172) ' +
                'or absent(kube_cronjob_status_last_successful_time{namespace="piraeus-datastore", cronjob="jenkins-snapshots"})',
            '(time() - kube_cronjob_status_last_successful_time{namespace="piraeus-datastore", cronjob="linstor-db-backup"} > 172800) ' +
                'or absent(kube_cronjob_status_last_successful_time{namespace="piraeus-datastore", cronjob="linstor-db-backup"})',
        ]);
        expect(one("kubernetes:batch/v1:CronJob", "linstor-db-backup").inputs.metadata.name).to.equal("linstor-db-backup");
        // Three storage nodes configured (one per AZ): an alert when fewer satellites are ONLINE.
        const linstorRules = rule.inputs.spec.groups.find((g: any) => g.name === "linstor.rules").rules;
        expect(linstorRules.find((r: any) => r.alert === "LinstorSatellitesMissing").expr).to.match(/ < 3 or absent/);
        // Each schedule describes itself: every CronJob the stack registers is the one its alert watches.
        const watched = jobs.map((r: any) => /namespace="([^"]+)", cronjob="([^"]+)"/.exec(r.expr)!.slice(1, 3).join("/")).sort();
        const registered = ofType("kubernetes:batch/v1:CronJob")
            .map((c) => `${c.inputs.metadata.namespace}/${c.inputs.metadata.name}`)
            .sort();
        expect(watched).to.deep.equal(registered);
    });

    it("gives the bucket-region provider the stack's AWS credential settings (an explicit provider inherits nothing)", async () => {
        await evaluateDev({
            "aws:profile": "platform-admin",
            "aws:assumeRoles": '[{"roleArn":"arn:aws:iam::123456789012:role/deployer","sessionName":"pulumi"}]',
        });
        const provider = ofType("pulumi:providers:aws").find((p) => p.inputs.region === "us-east-2")!;
        expect(provider.inputs.profile).to.equal("platform-admin");
        expect(JSON.stringify(provider.inputs.assumeRoles)).to.contain("arn:aws:iam::123456789012:role/deployer");
        expect(one("aws:s3/bucket:Bucket").provider).to.contain(provider.name);
        // kubectl and the Kubernetes provider get their token as the same identity (aws eks get-token).
        const exec = JSON.parse(one("pulumi:providers:kubernetes").inputs.kubeconfig).users[0].user.exec;
        expect(exec.args.slice(-4)).to.deep.equal(["--role-arn", "arn:aws:iam::123456789012:role/deployer", "--profile", "platform-admin"]);
        outputs = await evaluateDev();
    });

    it("restores Jenkins in the origin cluster from a named snapshot", async () => {
        await evaluateDev({ "ha-jenkins-eks:restoreFromSnapshot": "jenkins-before-upgrade" });
        const restored = ofType("kubernetes:core/v1:PersistentVolumeClaim");
        expect(restored).to.have.length(1);
        expect(restored[0].inputs.spec.dataSource).to.deep.include({ kind: "VolumeSnapshot", name: "jenkins-before-upgrade" });
        expect(restored[0].inputs.spec.storageClassName).to.equal("linstor-csi-lvm-thin-r3");
        const jenkinsRelease = ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "jenkins")!;
        expect(unsecret<any>(jenkinsRelease.inputs.values).persistence.existingClaim).to.equal(restored[0].inputs.metadata.name);
        expect(dependsOn(jenkinsRelease, restored[0]) || dependsOn(jenkinsRelease, one("ha-jenkins-eks:index:SnapshotRestore"))).to.equal(true);
        outputs = await evaluateDev();
    });

    it("leaves monitoring out when monitoringEnabled is false", async () => {
        await evaluateDev({ "ha-jenkins-eks:monitoringEnabled": "false" });
        expect(ofType("kubernetes:helm.sh/v3:Release").map((r) => r.inputs.chart)).to.not.include("kube-prometheus-stack");
        const jenkinsRelease = ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "jenkins")!;
        expect(unsecret<any>(jenkinsRelease.inputs.values).controller.prometheus?.enabled ?? false).to.equal(false);
        outputs = await evaluateDev();
    });

    it("registers nothing when the stack config is invalid", async () => {
        resetRecords();
        let error: Error | undefined;
        try {
            await evaluateDev({ "ha-jenkins-eks:availabilityZones": '["us-west-2a","us-west-2b"]' });
        } catch (e) {
            error = e as Error;
        }
        expect(error?.message).to.match(/ha-jenkins-eks:availabilityZones/);
        // Registrations arrive asynchronously: without waiting, a resource registered before the throw is not seen yet.
        await settle();
        expect(recorded).to.have.length(0);
    });
});
