/** Arguments the S3SnapshotShipping specs share: a bucket created in eu-central-1 for a us-west-2 cluster, the defaults. */
import { expect } from "chai";
import { ConfigError } from "../../../components/shared/errors";
import type { KeyOf } from "../../../components/shared/validation";
import { S3SnapshotShipping, type S3SnapshotShippingArgs, validateS3SnapshotShippingArgs } from "../../../components/snapshots";
import { S3_SNAPSHOT_DEFAULTS as D } from "../../../components/snapshots/settings";
import { projectKey } from "../../../stacks/config/naming";
import { thrown } from "../../support/fixtures";
import { withKube } from "../../support/kubeProvider";
import { one, outputValue, resetRecords, settle } from "../../support/mocks";

/** The stack's KeyOf: a field's error names its config key (stacks/config/naming.ts). */
export const PROJECT_KEY = projectKey;
export const jenkins = { namespace: "jenkins", pvcName: "jenkins-home", storageSize: "50Gi" };

export function args(overrides: Partial<S3SnapshotShippingArgs> = {}): S3SnapshotShippingArgs {
    return {
        namePrefix: "hje-test",
        clusterRegion: "us-west-2",
        bucket: {
            create: {
                region: "eu-central-1",
                noncurrentVersionExpirationDays: D.snapshotBucketNoncurrentVersionDays,
                abortIncompleteMultipartUploadDays: D.snapshotBucketAbortMultipartDays,
                accessLogPrefix: D.snapshotBucketAccessLogPrefix,
            },
        },
        snapshotClassName: D.snapshotClassName,
        snapshotAllowIncremental: D.snapshotAllowIncremental,
        snapshotMaxIncrements: D.snapshotMaxIncrements,
        snapshotFullAfter: D.snapshotFullAfter,
        s3AccessKeyGeneration: D.s3AccessKeyGeneration,
        installSnapshotController: D.installSnapshotController,
        snapshotControllerChartVersion: D.snapshotControllerChartVersion,
        snapshotControllerReplicas: D.snapshotControllerReplicas,
        snapshotScheduleEnabled: D.snapshotScheduleEnabled,
        snapshotSchedule: D.snapshotSchedule,
        snapshotRetentionHours: D.snapshotRetentionHours,
        snapshotDailyRetentionDays: D.snapshotDailyRetentionDays,
        snapshotExpectedChurnGiBPerHour: D.snapshotExpectedChurnGiBPerHour,
        snapshotJobImage: D.snapshotJobImage,
        snapshotLocalSnapshots: D.snapshotLocalSnapshots,
        snapshotTrimImage: D.snapshotTrimImage,
        snapshotReadyTimeoutSeconds: D.snapshotReadyTimeoutSeconds,
        snapshotPruneDeletesBackups: D.snapshotPruneDeletesBackups,
        protect: true,
        tags: {},
        linstorNamespace: "piraeus-datastore",
        passphraseSecretName: "linstor-passphrase",
        restoreStorageClassName: "linstor-csi-lvm-thin-r3",
        jenkins,
        ...overrides,
    };
}

/**
 * The error for arguments the caller's key names refuse (the exported check the stacks run first); the component
 * refuses them too, naming its own argument (S3SnapshotShipping.<field>).
 */
export function refused(a: S3SnapshotShippingArgs, key: KeyOf = PROJECT_KEY): ConfigError {
    const e = thrown(() => validateS3SnapshotShippingArgs(a, key));
    expect(e).to.be.instanceOf(ConfigError);
    const own = thrown(() => new S3SnapshotShipping("x", a));
    expect((own as ConfigError).key).to.match(/^S3SnapshotShipping\./);
    return e as ConfigError;
}

/** A fresh S3SnapshotShipping under the shared mock, its registrations settled. */
export async function build(overrides: Partial<S3SnapshotShippingArgs> = {}): Promise<S3SnapshotShipping> {
    resetRecords();
    const c = new S3SnapshotShipping("hje-test-snapshots", args(overrides), withKube());
    await outputValue(c.bucketName);
    await outputValue(c.latestSnapshotHandle);
    await settle();
    return c;
}

/** The recorded IAM user's inline policy document. */
export const policyDoc = () => JSON.parse(one("aws:iam/userPolicy:UserPolicy").inputs.policy);
/** The snapshot CronJob's container environment, by name. */
export const snapshotContainer = (pod: any) => [...(pod.initContainers ?? []), ...pod.containers].find((c: any) => c.name === "snapshot");
export const cronEnv = () =>
    Object.fromEntries(
        // The snapshot container: the pod's init container when the schedule trims local copies, else its only one.
        snapshotContainer(one("kubernetes:batch/v1:CronJob").inputs.spec.jobTemplate.spec.template.spec).env.map((e: any) => [e.name, e.value]),
    );
