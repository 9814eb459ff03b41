/**
 * A BucketReader (backupCatalog.ts) over the AWS provider's S3 data sources, so the program reads the bucket with the
 * stack's own credentials (profile, assumed roles) and region override, during preview as during `pulumi up`, and the
 * offline plan and the tests answer the same invokes from a fake bucket (stacks/offline/mockCloud.ts).
 *
 * - `aws.s3.getObjects` (ListObjectsV2): keys only, 1,000 a call here; the next page starts after the last key.
 * - `aws.s3.getObject` with `downloadBody: "true"`: the body as base64 whatever its Content-Type (LINSTOR's metas
 *   carry none the data source would print as text: BackupToS3.putObject sets only the length); `"false"` reads the
 *   size alone (HeadObject).
 */
import * as aws from "@pulumi/aws";
import type { BucketReader } from "./backupCatalog";

const PAGE = 1000;

export function s3BucketReader(bucket: string, region: string, opts?: { readonly provider?: aws.Provider }): BucketReader {
    const invokeOpts = opts?.provider ? { provider: opts.provider } : undefined;
    return {
        async listKeys() {
            const keys: string[] = [];
            for (let startAfter: string | undefined; ; ) {
                const page = await aws.s3.getObjects({ bucket, region, maxKeys: PAGE, ...(startAfter ? { startAfter } : {}) }, invokeOpts);
                keys.push(...(page.keys ?? []));
                if ((page.keys ?? []).length < PAGE) return keys;
                startAfter = page.keys[page.keys.length - 1];
            }
        },
        async readText(key) {
            const o = await aws.s3.getObject({ bucket, key, region, downloadBody: "true" }, invokeOpts);
            return Buffer.from(o.bodyBase64 ?? "", "base64").toString("utf8");
        },
        async size(key) {
            return (await aws.s3.getObject({ bucket, key, region, downloadBody: "false" }, invokeOpts)).contentLength;
        },
    };
}
