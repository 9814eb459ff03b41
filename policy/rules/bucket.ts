/** Rules: snapshot bucket. */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { conditionValues, configValue, isSet, isString, known, type Props, policyStatements, strings } from "../props";
import { list, ofTypes, TYPES } from "./shared";

/** The bucket's region: v7's per-resource `region`, else its provider's (explicit, or the default from aws:region). */
export function regionOf(r: PolicyResource): string | undefined {
    const own = known(() => r.props.region);
    if (isString(own)) return own;
    const fromProvider = r.provider ? known(() => r.provider!.props.region) : undefined;
    return isString(fromProvider) ? fromProvider : undefined;
}

export const bucketOtherRegion: StackValidationPolicy = {
    name: "snapshot-bucket-other-region",
    description: "S3 buckets the stack creates (the LINSTOR snapshot bucket) live in a region other than the EKS cluster's.",
    configSchema: {
        properties: {
            sameRegionBuckets: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Bucket names allowed in the cluster's region.",
            },
        },
    },
    validateStack: (args, report) => {
        const buckets = ofTypes(args.resources, ...TYPES.buckets);
        if (buckets.length === 0) args.notApplicable("This stack creates no S3 bucket.");
        // The launch template exists in real and mocked evaluations; aws:eks/cluster:Cluster only in real ones.
        const clusterRegions = ofTypes(args.resources, TYPES.awsEksCluster, TYPES.awsNodeGroup, TYPES.launchTemplate).map(regionOf).filter(isString);
        if (clusterRegions.length === 0) args.notApplicable("This stack has no EKS cluster whose region is known.");
        const clusterRegion = clusterRegions[0];
        const allowed = configValue<string[]>(args.getConfig(), "sameRegionBuckets", []);
        for (const bucket of buckets) {
            const name = known(() => bucket.props.bucket);
            if (regionOf(bucket) !== clusterRegion || allowed.includes(name ?? "")) continue;
            report(
                `S3 bucket ${name ?? bucket.name} is in ${clusterRegion}, the EKS cluster's own region: one regional outage would ` +
                    "take the cluster and its backups together. Create it through an aws.Provider for another region " +
                    "(ha-jenkins-eks:snapshotBucketRegion), or list it in sameRegionBuckets if it holds no backups.",
                bucket.urn,
            );
        }
    },
};

/**
 * The floor for lifecycle expirations. The program's own rules (components/snapshots/lifecycle.ts) keep noncurrent
 * versions `snapshotBucketNoncurrentVersionDays` (default 30) and LINSTOR DB archives (prefix `linstor-db/`)
 * `linstorDbBackupRetentionDays` (default 30); 7 is the shortest the config README suggests.
 */
export const MIN_EXPIRATION_DAYS = 7;
/** A whole-bucket expiration of current objects is a backstop only well past any retention (the config README's example: 90). */
export const MIN_WHOLE_BUCKET_EXPIRATION_DAYS = 90;
interface Floors {
    readonly min: number;
    readonly wholeBucket: number;
}

export const bucketProtected: StackValidationPolicy = {
    name: "snapshot-bucket-protected",
    description:
        "Every S3 bucket blocks public access, is versioned, keeps old versions and prefixed objects ≥ minExpirationDays and the whole bucket ≥ minWholeBucketExpirationDays, is encrypted with SSE-KMS and denies requests without TLS.",
    configSchema: {
        properties: {
            allowedSseAlgorithms: {
                type: "array",
                items: { type: "string" },
                default: ["aws:kms", "aws:kms:dsse"],
                description: "Accepted default encryption.",
            },
            minExpirationDays: {
                type: "number",
                default: MIN_EXPIRATION_DAYS,
                description: "Fewest days a lifecycle rule may keep noncurrent versions, or current objects under a key prefix.",
            },
            minWholeBucketExpirationDays: {
                type: "number",
                default: MIN_WHOLE_BUCKET_EXPIRATION_DAYS,
                description: "Fewest days a lifecycle rule without a key prefix may keep current objects.",
            },
        },
    },
    validateStack: (args, report) => {
        const buckets = ofTypes(args.resources, ...TYPES.buckets);
        if (buckets.length === 0) args.notApplicable("This stack creates no S3 bucket.");
        const sse = configValue<string[]>(args.getConfig(), "allowedSseAlgorithms", ["aws:kms", "aws:kms:dsse"]);
        const floors: Floors = {
            min: configValue<number>(args.getConfig(), "minExpirationDays", MIN_EXPIRATION_DAYS),
            wholeBucket: configValue<number>(args.getConfig(), "minWholeBucketExpirationDays", MIN_WHOLE_BUCKET_EXPIRATION_DAYS),
        };
        for (const bucket of buckets) {
            const problems = bucketProblems(bucket, buckets, args.resources, sse, floors);
            const name = known(() => bucket.props.bucket) ?? bucket.name;
            for (const problem of problems) report(`S3 bucket ${name}: ${problem}`, bucket.urn);
        }
    },
};

/** Attachments configure a bucket through `bucket` (its name/ID). Before the bucket exists that is unknown: fall back to structure. */
function attachedTo(bucket: PolicyResource, buckets: PolicyResource[], resources: PolicyResource[], types: readonly string[]): PolicyResource[] {
    const ids = new Set([known(() => bucket.props.bucket), known(() => bucket.props.id)].filter(isString));
    const siblings = buckets.filter((b) => b.parent?.urn === bucket.parent?.urn);
    return ofTypes(resources, ...types).filter((a) => {
        const target = known(() => a.props.bucket);
        if (isString(target)) return ids.has(target);
        return buckets.length === 1 || (siblings.length === 1 && a.parent?.urn === bucket.parent?.urn);
    });
}

function bucketProblems(bucket: PolicyResource, buckets: PolicyResource[], resources: PolicyResource[], sse: string[], floors: Floors): string[] {
    const problems: string[] = [];
    const attached = (types: readonly string[]) => attachedTo(bucket, buckets, resources, types);

    const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
    const blocks = attached([TYPES.publicAccessBlock]);
    const off = new Set(flags.filter((f) => !blocks.some((b) => known(() => b.props[f]) === true)));
    if (off.size > 0) {
        problems.push(
            `public access is not fully blocked (${list(off)} not true). Add an aws.s3.BucketPublicAccessBlock with ` +
                "blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
        );
    }

    const statuses = attached(TYPES.versioning).map((v) => known(() => v.props.versioningConfiguration?.status));
    if (known(() => bucket.props.versioning?.enabled) === true) statuses.push("Enabled");
    if (known(() => bucket.props.versioning?.enabled) === false) statuses.push("Suspended");
    // Every versioning resource on the bucket must say Enabled: whichever is applied last wins, so one Suspended suffices.
    const notEnabled = statuses.filter((s) => isString(s) && s !== "Enabled");
    if (!statuses.includes("Enabled") || notEnabled.length > 0) {
        problems.push(
            `versioning is ${notEnabled[0] ?? "off"}: a pruned or overwritten backup would be gone at once. ` +
                'Add an aws.s3.BucketVersioning with versioningConfiguration.status "Enabled" (and a noncurrent-version lifecycle).',
        );
    }

    problems.push(...lifecycleProblems(bucket, attached(TYPES.lifecycle), floors));

    // Only the algorithm is read: the rule's KMS key ARN is unknown until the key exists.
    const perResource = attached(TYPES.encryption).map((e) =>
        known(() => (e.props.rules as Props[]).map((r) => r.applyServerSideEncryptionByDefault?.sseAlgorithm)),
    );
    const used = [
        ...perResource.flatMap((a) => a ?? []),
        known(() => bucket.props.serverSideEncryptionConfiguration?.rule?.applyServerSideEncryptionByDefault?.sseAlgorithm),
    ].filter(isString);
    if (!used.some((a) => sse.includes(a)) && !perResource.includes(undefined)) {
        problems.push(
            `default encryption is ${used[0] ?? "not configured"}, not ${sse.join(" or ")}. Add an ` +
                'aws.s3.BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms", a customer-managed KMS key and bucketKeyEnabled.',
        );
    }

    const documents = attached([TYPES.bucketPolicy]).map((p) => known(() => p.props.policy));
    if (isSet(bucket.props, "policy")) documents.push(known(() => bucket.props.policy));
    if (documents.includes(undefined)) return problems; // unknown until the bucket exists; judged after `pulumi up`
    if (
        !documents.some((d) => {
            try {
                return deniesInsecureTransport(d, bucketArns(bucket));
            } catch {
                return false;
            }
        })
    ) {
        problems.push(
            "no bucket policy denies requests without TLS. Add an aws.s3.BucketPolicy statement " +
                '{Effect: Deny, Principal: "*", Action: "s3:*", Resource: [bucket, bucket/*], Condition: {Bool: {"aws:SecureTransport": "false"}}} ' +
                "(a statement for another principal or other resources does not count).",
        );
    }
    return problems;
}

/** The bucket's ARN as far as the stack shows it (its `arn`, else built from its name); none before it exists. */
function bucketArns(bucket: PolicyResource): string[] {
    const arn = known(() => bucket.props.arn);
    if (isString(arn)) return [arn];
    const name = [known(() => bucket.props.bucket), known(() => bucket.props.id)].find(isString);
    return name ? [`arn:aws:s3:::${name}`] : [];
}

const glob = (pattern: string) =>
    new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
    );

/** Principal "*" (or {AWS: "*"}): the deny binds every caller, not one account or role. */
function everyPrincipal(principal: unknown): boolean {
    if (principal === "*") return true;
    const aws = principal && typeof principal === "object" ? (principal as Record<string, unknown>).AWS : undefined;
    return strings(aws).includes("*");
}

/** A Deny of all S3 actions without TLS, for every principal, on the bucket and its objects (when the bucket's ARN is known). */
function deniesInsecureTransport(document: unknown, arns: string[]): boolean {
    return policyStatements(document).some((s) => {
        if (
            s.Effect !== "Deny" ||
            !everyPrincipal(s.Principal) ||
            !strings(s.Action).some((a) => a === "*" || a.toLowerCase() === "s3:*") ||
            !conditionValues(s, "Bool", "aws:SecureTransport").includes("false")
        )
            return false;
        const patterns = strings(s.Resource).map(glob);
        return arns.every((arn) => [arn, `${arn}/*`].every((target) => patterns.some((p) => p.test(target))));
    });
}

/**
 * Lifecycle rules that would delete backups while versioning and Retain stay intact: an expiration of current
 * objects over the whole bucket (no key prefix: every backup becomes noncurrent, then gone), or a date expiration
 * of it, sooner than `floors.wholeBucket` (the program's optional backstop, snapshotBucketExpireCurrentObjectsDays, is
 * such a rule); a noncurrent-version or prefixed current expiration shorter than `floors.min`. Rules with status other than
 * Enabled are ignored (AWS provider v7 `BucketLifecycleConfiguration`; the legacy inline `lifecycleRules` too).
 */
function lifecycleProblems(bucket: PolicyResource, configs: PolicyResource[], floors: Floors): string[] {
    const problems: string[] = [];
    const rules: { id: string; prefix: string; days?: number; date?: string; noncurrentDays?: number }[] = [];
    for (const c of configs) {
        for (const r of known(() => c.props.rules as Props[]) ?? []) {
            if (r.status !== "Enabled") continue;
            const prefix = [r.filter?.prefix, r.filter?.and?.prefix, r.prefix].find(isString) ?? "";
            rules.push({
                id: String(r.id ?? "?"),
                prefix,
                days: r.expiration?.days ?? undefined,
                date: r.expiration?.date ?? undefined,
                noncurrentDays: r.noncurrentVersionExpiration?.noncurrentDays ?? undefined,
            });
        }
    }
    for (const r of known(() => bucket.props.lifecycleRules as Props[]) ?? []) {
        if (r.enabled === false) continue;
        rules.push({
            id: String(r.id ?? "inline"),
            prefix: [r.prefix, r.filter?.prefix].find(isString) ?? "",
            days: r.expiration?.days ?? undefined,
            date: r.expiration?.date ?? undefined,
            noncurrentDays: r.noncurrentVersionExpiration?.days ?? undefined,
        });
    }
    for (const r of rules) {
        const scope = r.prefix ? `objects under ${r.prefix}` : "every object";
        if (!r.prefix && (r.date !== undefined || (r.days !== undefined && Number(r.days) < floors.wholeBucket))) {
            problems.push(
                `lifecycle rule ${r.id} expires ${scope} ${r.date ? `on ${r.date}` : `after ${r.days} days`}: every backup, the ones the ` +
                    `retention keeps included, would become noncurrent and then be gone. Expire current objects only under a key prefix ` +
                    `(e.g. linstor-db/), or over the whole bucket after at least minWholeBucketExpirationDays (${floors.wholeBucket}).`,
            );
        } else if (r.date !== undefined || (r.days !== undefined && Number(r.days) < floors.min)) {
            problems.push(
                `lifecycle rule ${r.id} expires ${scope} ${r.date ? `on ${r.date}` : `after ${r.days} days`}, sooner than minExpirationDays (${floors.min}).`,
            );
        }
        if (r.noncurrentDays !== undefined && Number(r.noncurrentDays) < floors.min) {
            problems.push(
                `lifecycle rule ${r.id} removes noncurrent versions of ${scope} after ${r.noncurrentDays} days, sooner than minExpirationDays (${floors.min}): ` +
                    "a pruned or overwritten backup must stay recoverable.",
            );
        }
    }
    return problems;
}
