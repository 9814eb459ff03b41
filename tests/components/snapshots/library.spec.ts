/** S3SnapshotShipping as a library user builds it: only the fields without a default, no S3_SNAPSHOT_DEFAULTS spread. */
import { expect } from "chai";
import { ConfigError } from "../../../components/shared/errors";
import { S3SnapshotShipping, type S3SnapshotShippingArgs } from "../../../components/snapshots";
import {
    CREATE_BUCKET_DEFAULTS,
    S3_SNAPSHOT_DEFAULTS,
    S3_SNAPSHOT_SETTINGS_DEFAULTS,
    validateS3SnapshotSettings,
    withS3SnapshotDefaults,
} from "../../../components/snapshots/settings";
import { thrown } from "../../support/fixtures";
import { withKube } from "../../support/kubeProvider";
import { one, outputValue, recorded, resetRecords, settle } from "../../support/mocks";
import { jenkins, args as stackLikeArgs } from "./fixtures";

/** Every field S3SnapshotShipping has no default for (and the Jenkins volume its default schedule snapshots). */
const REQUIRED: S3SnapshotShippingArgs = {
    namePrefix: "hje-test",
    clusterRegion: "us-west-2",
    bucket: { create: { region: "eu-central-1" } },
    tags: {},
    linstorNamespace: "piraeus-datastore",
    passphraseSecretName: "linstor-passphrase",
    jenkins,
};

/** The settings of S3SnapshotShippingArgs, without what the component takes besides them. */
function settingsOf(a: S3SnapshotShippingArgs) {
    const {
        clusterRegion: _r,
        linstorNamespace: _l,
        passphraseSecretName: _p,
        restoreStorageClassName: _s,
        jenkins: _j,
        remoteJobImage: _i,
        linstorCsiVersion: _c,
        ...settings
    } = a;
    return settings;
}

async function buildWith(args: S3SnapshotShippingArgs): Promise<S3SnapshotShipping> {
    resetRecords();
    const c = new S3SnapshotShipping("hje-test-snapshots", args, withKube());
    await outputValue(c.bucketName);
    await outputValue(c.latestSnapshotHandle);
    await settle();
    return c;
}

/** What the defaults show in the recorded resources (the bucket's included). */
async function expectDefaultsApplied(c: S3SnapshotShipping): Promise<void> {
    expect(c.snapshotClassName).to.equal("linstor-csi-s3");
    expect(c.linstorRemoteName).to.equal("s3-eu-central-1");
    expect(c.credentialsSecretName).to.equal("linstor-remote-s3-eu-central-1-g1");
    const params = await outputValue(c.snapshotClassParameters);
    expect(params).to.include({ "snap.linstor.csi.linbit.com/allow-incremental": "true", "snap.linstor.csi.linbit.com/full-snapshot-after": "24h" });
    const controller = one("kubernetes:helm.sh/v3:Release");
    expect(controller.inputs).to.include({ chart: "snapshot-controller", version: "5.2.0" });
    expect(controller.inputs.values.controller.replicaCount).to.equal(2);
    const cron = one("kubernetes:batch/v1:CronJob");
    expect(cron.inputs.spec.schedule).to.equal("*/5 * * * *");
    const env = Object.fromEntries(cron.inputs.spec.jobTemplate.spec.template.spec.initContainers[0].env.map((e: any) => [e.name, e.value]));
    expect(env).to.include({
        KEEP_HOURS: "48",
        DAILY_DAYS: "7",
        FULL_AFTER_SECONDS: "86400",
        READY_TIMEOUT_SECONDS: "2700",
        PRUNE_DELETES_BACKUPS: "true",
        SNAPSHOT_CLASS: "linstor-csi-s3",
    });
    expect(cron.inputs.spec.jobTemplate.spec.template.spec.initContainers[0].image).to.equal("registry.k8s.io/kubectl:v1.35.1");
    // protect: true, on the bucket, its key and the CRD-bearing chart.
    for (const type of ["aws:s3/bucket:Bucket", "aws:kms/key:Key", "kubernetes:helm.sh/v3:Release"]) {
        expect(one(type).options?.protect, type).to.equal(true);
    }
    const rules = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules;
    expect(rules.find((r: any) => r.id === "expire-noncurrent-versions").noncurrentVersionExpiration).to.deep.equal({ noncurrentDays: 30 });
    expect(rules.find((r: any) => r.id === "abort-incomplete-multipart-uploads").abortIncompleteMultipartUpload).to.deep.equal({
        daysAfterInitiation: 7,
    });
}

describe("S3SnapshotShipping (library use: only the fields without a default)", () => {
    it("fills every documented default, the bucket's too, as the stack passes them, and no config-only key", () => {
        const filled = withS3SnapshotDefaults(settingsOf(REQUIRED));
        expect(filled).to.deep.equal(settingsOf(stackLikeArgs({ jenkins: undefined })));
        for (const configKey of ["snapshotBucketNoncurrentVersionDays", "snapshotBucketAbortMultipartDays", "snapshotBucketAccessLogPrefix"]) {
            expect(S3_SNAPSHOT_DEFAULTS).to.have.property(configKey);
            expect(filled).to.not.have.property(configKey);
            expect(S3_SNAPSHOT_SETTINGS_DEFAULTS).to.not.have.property(configKey);
        }
        expect(S3_SNAPSHOT_DEFAULTS).to.not.have.property("protect");
        expect(filled.bucket).to.deep.equal({ create: { region: "eu-central-1", ...CREATE_BUCKET_DEFAULTS } });
        validateS3SnapshotSettings(settingsOf(REQUIRED), { clusterRegion: "us-west-2" }, (f) => `S3SnapshotShipping.${f}`);
    });

    it("builds the bucket, class, controller and schedule with the defaults applied", async () => {
        await expectDefaultsApplied(await buildWith(REQUIRED));
    });

    it("takes an explicit undefined as unset: the default stays", async () => {
        const undefinedOf = (defaults: object) => Object.fromEntries(Object.keys(defaults).map((k) => [k, undefined]));
        const args: S3SnapshotShippingArgs = {
            ...REQUIRED,
            ...undefinedOf(S3_SNAPSHOT_SETTINGS_DEFAULTS),
            bucket: { create: { region: "eu-central-1", ...undefinedOf(CREATE_BUCKET_DEFAULTS) } },
        };
        expect(withS3SnapshotDefaults(settingsOf(args))).to.deep.equal(withS3SnapshotDefaults(settingsOf(REQUIRED)));
        await expectDefaultsApplied(await buildWith(args));
    });

    it("still refuses a bad value, naming S3SnapshotShipping.<field>, with nothing registered", async () => {
        resetRecords();
        const e = thrown(() => new S3SnapshotShipping("lib", { ...REQUIRED, bucket: { create: { region: "eu-central-1", accessLogPrefix: "/" } } }));
        expect(e).to.be.instanceOf(ConfigError);
        expect(e.message).to.contain("S3SnapshotShipping.bucket.create.accessLogPrefix");
        // Registrations arrive asynchronously: wait for them (the Kubernetes provider above is the caller's, not the component's).
        await settle();
        expect(recorded.filter((r) => r.type !== "pulumi:providers:kubernetes")).to.deep.equal([]);
    });
});
