/** The backup bucket's one lifecycle configuration: its own rules plus the prefix rules other components own. */
import type { CreateBucketSettings } from "./settings";

// Named interfaces and an `as const` status: a created bucket's `prefixRules` are in the component package's schema.
/** A rule's status: only enabled rules are declared. */
export const LifecycleRuleStatus = { Enabled: "Enabled" } as const;
export type LifecycleRuleStatus = (typeof LifecycleRuleStatus)[keyof typeof LifecycleRuleStatus];
/** `{}` (whole bucket) or one key prefix. */
export interface LifecycleRuleFilter {
    readonly prefix?: string;
}
export interface NoncurrentVersionExpiration {
    readonly noncurrentDays: number;
}
export interface AbortIncompleteMultipartUpload {
    readonly daysAfterInitiation: number;
}
export interface LifecycleExpiration {
    readonly days?: number;
    readonly expiredObjectDeleteMarker?: boolean;
}

export interface LifecycleRule {
    readonly id: string;
    readonly status: LifecycleRuleStatus;
    readonly filter: LifecycleRuleFilter;
    readonly noncurrentVersionExpiration?: NoncurrentVersionExpiration;
    readonly abortIncompleteMultipartUpload?: AbortIncompleteMultipartUpload;
    readonly expiration?: LifecycleExpiration;
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
    // Refused unless it outlives every backup the retention keeps or builds on (settings.ts refuseExpiringKeptBackups).
    if (b.expireCurrentObjectsAfterDays !== undefined) {
        rules.push({ id: "expire-current-objects", ...all, expiration: { days: b.expireCurrentObjectsAfterDays } });
    }
    // Rules other components own for their prefixes (the bucket has one lifecycle configuration).
    return [...rules, ...(b.prefixRules ?? [])];
}
