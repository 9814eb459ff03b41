/** The export Job's pure builders (components/linstorDbBackup/exportJob.ts): the CronJob spec and the upload policy. */
import { expect } from "chai";
import {
    BACKUP_FORMAT,
    EXPORT_SCRIPT,
    LINSTOR_DB_RESOURCES,
    linstorDbBackupCronJobSpec,
    linstorDbBackupUserPolicy,
    uploadArgs,
} from "../../../components/linstorDbBackup/exportJob";
import { BUCKET, cronArgs, KMS } from "./fixtures";

describe("LinstorDbBackup", () => {
    describe("CronJob spec", () => {
        const spec = linstorDbBackupCronJobSpec(cronArgs) as any;
        const pod = spec.jobTemplate.spec.template.spec;
        const [exporter] = pod.initContainers;
        const [uploader] = pod.containers;
        const env = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

        it("runs daily in UTC, one at a time, with bounded retries and runtime", () => {
            expect(spec).to.include({ schedule: "30 2 * * *", timeZone: "Etc/UTC", concurrencyPolicy: "Forbid", startingDeadlineSeconds: 3600 });
            expect(spec.jobTemplate.spec).to.include({ backoffLimit: 2, activeDeadlineSeconds: 1800 });
            expect(pod.restartPolicy).to.equal("Never");
            expect(pod.serviceAccountName).to.equal("linstor-db-backup");
        });

        it("exports with the pinned kubectl image and uploads with the pinned AWS CLI image", () => {
            expect(pod.initContainers.map((c: any) => [c.name, c.image])).to.deep.equal([["export", "registry.k8s.io/kubectl:v1.35.1"]]);
            expect(pod.containers.map((c: any) => [c.name, c.image])).to.deep.equal([["upload", "public.ecr.aws/aws-cli/aws-cli:2.32.9"]]);
            expect(exporter.command).to.deep.equal(["/bin/bash", "-c", EXPORT_SCRIPT]);
            expect(uploader.command).to.deep.equal(["aws"]);
        });

        it("uploads both files with SSE-KMS under the bucket's own key, in the bucket region", () => {
            expect(uploader.args).to.deep.equal([
                "s3",
                "cp",
                "/work/out/",
                `s3://${BUCKET}/linstor-db/hje-test/`,
                "--recursive",
                "--sse",
                "aws:kms",
                "--sse-kms-key-id",
                KMS,
                "--region",
                "eu-central-1",
                "--no-progress",
            ]);
            expect(uploadArgs(cronArgs)).to.deep.equal(uploader.args);
        });

        it("hands the export its inputs and the upload only the current key, never the node role", () => {
            expect(env(exporter)).to.deep.equal({
                API_GROUP: "internal.linstor.linbit.com",
                ALLOWED_RESOURCES: LINSTOR_DB_RESOURCES.join(" "),
                NAMESPACE: "piraeus-datastore",
                PASSPHRASE_SECRET: "linstor-passphrase",
                PASSPHRASE_KEY: "MASTER_PASSPHRASE",
                CLUSTER_NAME: "hje-test",
                BUCKET,
                KEY_PREFIX: "linstor-db/hje-test/",
                FORMAT: BACKUP_FORMAT,
                WORK_DIR: "/work",
                HOME: "/tmp",
            });
            expect(env(uploader)).to.deep.equal({
                AWS_ACCESS_KEY_ID: { secretKeyRef: { name: "linstor-db-backup-aws-g1", key: "AWS_ACCESS_KEY_ID" } },
                AWS_SECRET_ACCESS_KEY: { secretKeyRef: { name: "linstor-db-backup-aws-g1", key: "AWS_SECRET_ACCESS_KEY" } },
                AWS_EC2_METADATA_DISABLED: "true",
                HOME: "/tmp",
            });
        });

        it("runs as non-root with a read-only root filesystem, no capabilities and RuntimeDefault seccomp", () => {
            expect(pod.securityContext).to.deep.equal({
                runAsNonRoot: true,
                runAsUser: 65532,
                runAsGroup: 65532,
                fsGroup: 65532,
                seccompProfile: { type: "RuntimeDefault" },
            });
            for (const c of [exporter, uploader]) {
                expect(c.securityContext, c.name).to.deep.equal({
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                });
                expect(c.resources.limits.memory, c.name).to.equal("512Mi");
            }
        });

        it("mounts an API token only into the export container", () => {
            expect(pod.automountServiceAccountToken).to.equal(false);
            expect(exporter.volumeMounts).to.deep.equal([
                { name: "work", mountPath: "/work" },
                { name: "tmp", mountPath: "/tmp" },
                { name: "api-token", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true },
            ]);
            expect(uploader.volumeMounts).to.deep.equal([
                { name: "work", mountPath: "/work", readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
            ]);
            expect(pod.volumes).to.deep.equal([
                { name: "work", emptyDir: { sizeLimit: "1Gi" } },
                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                {
                    name: "api-token",
                    projected: {
                        defaultMode: 0o440,
                        sources: [
                            { serviceAccountToken: { path: "token", expirationSeconds: 3607 } },
                            { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                            { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } },
                        ],
                    },
                },
            ]);
        });
    });

    describe("IAM policy", () => {
        it("allows only uploads to this cluster's prefix and the bucket key through S3", () => {
            expect(
                linstorDbBackupUserPolicy({
                    bucketArn: `arn:aws:s3:::${BUCKET}`,
                    bucketRegion: "eu-central-1",
                    kmsKeyArn: KMS,
                    clusterName: "hje-test",
                }),
            ).to.deep.equal({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "UploadLinstorDbBackups",
                        Effect: "Allow",
                        Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
                        Resource: `arn:aws:s3:::${BUCKET}/linstor-db/hje-test/*`,
                    },
                    {
                        Sid: "EncryptWithBucketKeyThroughS3",
                        Effect: "Allow",
                        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                        Resource: KMS,
                        Condition: { StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } },
                    },
                ],
            });
        });
    });
});
