/**
 * IAM and S3 bucket documents for LINSTOR's S3 backup shipping, as pure functions of ARNs.
 *
 * The action list follows what LINSTOR's S3 client actually calls (LINBIT/linstor-server:
 * server/src/main/java/com/linbit/linstor/api/BackupToS3.java, AWS SDK v1):
 *   listObjectsV2                                → s3:ListBucket (bucket)
 *   isRequesterPaysEnabled (GetBucketRequestPayment, before every call) → s3:GetBucketRequestPayment (bucket)
 *   putObject, initiate/uploadPart/completeMultipartUpload → s3:PutObject (objects)
 *   abortMultipartUpload                         → s3:AbortMultipartUpload (objects)
 *   getObject                                    → s3:GetObject (objects)
 *   deleteObjects / deleteObject                 → s3:DeleteObject (objects)
 * The region is passed explicitly, so no GetBucketLocation call is made. With SSE-KMS, uploads need
 * kms:GenerateDataKey and reads (and multipart completion) need kms:Decrypt.
 */
import { type BucketAccess, LINSTOR_DB_BACKUP_PREFIX } from "./settings";

export interface PolicyStatement {
    readonly Sid: string;
    readonly Effect: "Allow" | "Deny";
    readonly Principal?: "*";
    readonly Action: string | string[];
    readonly Resource: string | string[];
    readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: PolicyStatement[];
}

/** Bucket-level actions; GetBucketRequestPayment is fatal to deny on older LINSTOR, a logged warning on newer. */
export const BUCKET_ACTIONS = ["s3:ListBucket", "s3:GetBucketRequestPayment"];
export const OBJECT_ACTIONS: Record<BucketAccess, string[]> = {
    readWrite: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
    restoreOnly: ["s3:GetObject"],
};
export const KMS_ACTIONS: Record<BucketAccess, string[]> = {
    readWrite: ["kms:GenerateDataKey", "kms:Decrypt"],
    restoreOnly: ["kms:Decrypt"],
};

export interface UserPolicyArgs {
    readonly bucketArn: string;
    /** Bucket region: KMS use is allowed only through S3 in that region. */
    readonly bucketRegion: string;
    readonly kmsKeyArn?: string;
    readonly access: BucketAccess;
}

/** Least-privilege policy of the IAM user whose static keys LINSTOR stores in its S3 remote. */
export function linstorS3UserPolicy(a: UserPolicyArgs): PolicyDocument {
    const statements: PolicyStatement[] = [
        { Sid: "ListBackups", Effect: "Allow", Action: BUCKET_ACTIONS, Resource: a.bucketArn },
        {
            Sid: a.access === "readWrite" ? "ShipAndPruneBackups" : "ReadBackups",
            Effect: "Allow",
            Action: OBJECT_ACTIONS[a.access],
            Resource: `${a.bucketArn}/*`,
        },
    ];
    // The LINSTOR database backups under linstor-db/ contain the master passphrase: never readable by the
    // remote's keys (nor the DR stack's), only writable by the backup job's own key.
    statements.push({
        Sid: "NoLinstorDatabaseBackups",
        Effect: "Deny",
        Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
        Resource: `${a.bucketArn}/${LINSTOR_DB_BACKUP_PREFIX}/*`,
    });
    if (a.kmsKeyArn !== undefined) {
        statements.push({
            Sid: "UseBucketKeyThroughS3",
            Effect: "Allow",
            Action: KMS_ACTIONS[a.access],
            Resource: a.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `s3.${a.bucketRegion}.amazonaws.com` } },
        });
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** Bucket policy: refuse plain HTTP and TLS older than 1.2 for every principal, including the owner. */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
    const resources = [bucketArn, `${bucketArn}/*`];
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: resources,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
            {
                Sid: "DenyOutdatedTls",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: resources,
                Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } },
            },
        ],
    };
}
