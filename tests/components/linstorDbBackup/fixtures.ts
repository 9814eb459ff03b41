/** Arguments and settings the LinstorDbBackup specs share: a bucket in eu-central-1 with its KMS key, the defaults. */
import { LinstorDbBackup, type LinstorDbBackupArgs } from "../../../components/linstorDbBackup";
import type { BackupCronJobArgs } from "../../../components/linstorDbBackup/exportJob";
import { LINSTOR_DB_BACKUP_DEFAULTS, type LinstorDbBackupSettings } from "../../../components/linstorDbBackup/settings";
import { projectKey } from "../../../stacks/config/naming";
import { withKube } from "../../support/kubeProvider";
import { one, outputValue, resetRecords, settle } from "../../support/mocks";

/** The stack's KeyOf: a field's error names its config key (stacks/config/naming.ts). */
export const PROJECT_KEY = projectKey;
export const BUCKET = "hje-test-snapshots-eu-central-1-0a1b2c3d";
export const KMS = "arn:aws:kms:eu-central-1:123456789012:key/bucket-key";
const { linstorDbBackupEnabled: _enabled, ...defaults } = LINSTOR_DB_BACKUP_DEFAULTS;
export const DEFAULTS = defaults;
export const settings = (o: Partial<LinstorDbBackupSettings> = {}): LinstorDbBackupSettings => ({ ...DEFAULTS, ...o });

/** What the component passes to linstorDbBackupCronJobSpec for `args()`. */
export const cronArgs: BackupCronJobArgs = {
    schedule: "30 2 * * *",
    kubectlImage: DEFAULTS.linstorDbBackupKubectlImage,
    awsCliImage: DEFAULTS.linstorDbBackupAwsCliImage,
    namespace: "piraeus-datastore",
    serviceAccountName: "linstor-db-backup",
    passphraseSecretName: "linstor-passphrase",
    passphraseKey: "MASTER_PASSPHRASE",
    clusterName: "hje-test",
    bucket: BUCKET,
    bucketRegion: "eu-central-1",
    kmsKeyArn: KMS,
    credentialsSecretName: "linstor-db-backup-aws-g1",
};

export function args(overrides: Partial<LinstorDbBackupArgs> = {}): LinstorDbBackupArgs {
    return {
        ...DEFAULTS,
        namePrefix: "hje-test",
        clusterName: "hje-test",
        linstorNamespace: "piraeus-datastore",
        passphraseSecretName: "linstor-passphrase",
        bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}`, region: "eu-central-1", kmsKeyArn: KMS },
        tags: {},
        ...overrides,
    };
}

/** A fresh LinstorDbBackup under the shared mock, its registrations settled. */
export async function build(overrides: Partial<LinstorDbBackupArgs> = {}): Promise<LinstorDbBackup> {
    resetRecords();
    const c = new LinstorDbBackup("hje-test-linstor-db", args(overrides), withKube());
    await outputValue(c.location);
    await outputValue(c.currentAccessKeyId);
    await settle();
    return c;
}

/** The pod spec of the recorded CronJob. */
export const cronPod = () => one("kubernetes:batch/v1:CronJob").inputs.spec.jobTemplate.spec.template.spec;
