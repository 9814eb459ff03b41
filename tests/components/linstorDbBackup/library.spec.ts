/** LinstorDbBackup as a library user builds it: only the fields without a default, no LINSTOR_DB_BACKUP_DEFAULTS spread. */
import { expect } from "chai";
import { LinstorDbBackup, type LinstorDbBackupArgs } from "../../../components/linstorDbBackup";
import { linstorDbBackupCronJobSpec } from "../../../components/linstorDbBackup/exportJob";
import {
    LINSTOR_DB_BACKUP_DEFAULTS,
    LINSTOR_DB_BACKUP_SETTINGS_DEFAULTS,
    validateLinstorDbBackupSettings,
    withLinstorDbBackupDefaults,
} from "../../../components/linstorDbBackup/settings";
import { ConfigError } from "../../../components/shared/errors";
import { thrown } from "../../support/fixtures";
import { withKube } from "../../support/kubeProvider";
import { one, outputValue, recorded, resetRecords, settle } from "../../support/mocks";
import { BUCKET, cronArgs, DEFAULTS, KMS } from "./fixtures";

/** Every field LinstorDbBackup has no default for, and nothing else. */
const REQUIRED: LinstorDbBackupArgs = {
    namePrefix: "hje-test",
    clusterName: "hje-test",
    linstorNamespace: "piraeus-datastore",
    passphraseSecretName: "linstor-passphrase",
    bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}`, region: "eu-central-1", kmsKeyArn: KMS },
};

async function buildWith(args: LinstorDbBackupArgs): Promise<LinstorDbBackup> {
    resetRecords();
    const c = new LinstorDbBackup("hje-test-linstor-db", args, withKube());
    await outputValue(c.location);
    await outputValue(c.currentAccessKeyId);
    await settle();
    return c;
}

/** What the defaults show: the daily schedule, 30 days, the pinned images, key generation 1 (one key, one Secret). */
function expectDefaultsApplied(c: LinstorDbBackup): void {
    expect(c.schedule).to.equal("30 2 * * *");
    expect(c.retentionDays).to.equal(30);
    expect(c.watchedSchedule.intervalSeconds).to.equal(86400);
    expect(c.credentialsSecretName).to.equal("linstor-db-backup-aws-g1");
    expect(one("aws:iam/accessKey:AccessKey").name).to.equal("hje-test-linstor-db-g1");
    const cron = one("kubernetes:batch/v1:CronJob");
    expect(cron.inputs.spec).to.deep.equal(JSON.parse(JSON.stringify(linstorDbBackupCronJobSpec(cronArgs))));
    const images = cron.inputs.spec.jobTemplate.spec.template.spec;
    expect(JSON.stringify(images)).to.contain("registry.k8s.io/kubectl:v1.35.1").and.contain("public.ecr.aws/aws-cli/aws-cli:2.32.9");
}

describe("LinstorDbBackup (library use: only the fields without a default)", () => {
    it("fills every documented default, as the stack passes them, and no stack-only key", () => {
        const filled = withLinstorDbBackupDefaults({});
        expect(filled).to.deep.equal(DEFAULTS);
        expect(filled).to.not.have.property("linstorDbBackupEnabled");
        expect(LINSTOR_DB_BACKUP_SETTINGS_DEFAULTS).to.not.have.property("linstorDbBackupEnabled");
        expect(LINSTOR_DB_BACKUP_DEFAULTS.linstorDbBackupEnabled).to.equal(true);
        validateLinstorDbBackupSettings({}, (f) => `LinstorDbBackup.${f}`);
    });

    it("builds the backup with the defaults applied", async () => {
        expectDefaultsApplied(await buildWith(REQUIRED));
    });

    it("takes an explicit undefined as unset: the default stays", async () => {
        const undefinedDefaults = Object.fromEntries(Object.keys(LINSTOR_DB_BACKUP_SETTINGS_DEFAULTS).map((k) => [k, undefined]));
        expect(withLinstorDbBackupDefaults(undefinedDefaults)).to.deep.equal(DEFAULTS);
        expectDefaultsApplied(await buildWith({ ...REQUIRED, ...undefinedDefaults }));
    });

    it("still refuses a bad value, naming LinstorDbBackup.<field>, with nothing registered", async () => {
        resetRecords();
        const e = thrown(() => new LinstorDbBackup("lib", { ...REQUIRED, linstorDbBackupRetentionDays: 0 }));
        expect(e).to.be.instanceOf(ConfigError);
        expect(e.message).to.contain("LinstorDbBackup.linstorDbBackupRetentionDays");
        // Registrations arrive asynchronously: wait for them (the Kubernetes provider above is the caller's, not the component's).
        await settle();
        expect(recorded.filter((r) => r.type !== "pulumi:providers:kubernetes")).to.deep.equal([]);
    });
});
