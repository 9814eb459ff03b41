/** The backup bucket's one lifecycle configuration: its own rules plus the prefix rules other components own. */
import type { CreateBucketSettings } from "./settings";

export interface LifecycleRule {
    readonly id: string;
    readonly status: "Enabled";
    /** `{}` (whole bucket) or one key prefix. */
    readonly filter: { readonly prefix?: string };
    readonly noncurrentVersionExpiration?: { readonly noncurrentDays: number };
    readonly abortIncompleteMultipartUpload?: { readonly daysAfterInitiation: number };
    readonly expiration?: { readonly days?: number; readonly expiredObjectDeleteMarker?: boolean };
}

/**
 * Lifecycle of the backup bucket. Versioning turns every delete (LINSTOR pruning a backup) into a
 * noncurrent version: it stays recoverable for `noncurrentVersionExpirationDays`, then S3 removes it.
 */
export function lifecycleRules(b: CreateBucketSettings): LifecycleRule[] {
    const all = { status: "Enabled" as const, filter: {} };
    const rules: LifecycleRule[] = [
        { id: "expire-noncurrent-versions", ...all, noncurrentVersionExpiration: { noncurrentDays: b.noncurrentVersionExpirationDays } },
        {
            id: "abort-incomplete-multipart-uploads",
            ...all,
            abortIncompleteMultipartUpload: { daysAfterInitiation: b.abortIncompleteMultipartUploadDays },
        },
        // Once its noncurrent versions are gone, a delete marker is clutter that still costs a LIST entry.
        { id: "remove-expired-delete-markers", ...all, expiration: { expiredObjectDeleteMarker: true } },
    ];
    if (b.expireCurrentObjectsAfterDays !== undefined) {
        rules.push({ id: "expire-current-objects", ...all, expiration: { days: b.expireCurrentObjectsAfterDays } });
    }
    // Rules other components own for their prefixes (the bucket has one lifecycle configuration).
    return [...rules, ...(b.prefixRules ?? [])];
}
