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

export const bucketProtected: StackValidationPolicy = {
    name: "snapshot-bucket-protected",
    description: "Every S3 bucket blocks public access, is versioned, is encrypted with SSE-KMS and denies requests without TLS.",
    configSchema: {
        properties: {
            allowedSseAlgorithms: {
                type: "array",
                items: { type: "string" },
                default: ["aws:kms", "aws:kms:dsse"],
                description: "Accepted default encryption.",
            },
        },
    },
    validateStack: (args, report) => {
        const buckets = ofTypes(args.resources, ...TYPES.buckets);
        if (buckets.length === 0) args.notApplicable("This stack creates no S3 bucket.");
        const sse = configValue<string[]>(args.getConfig(), "allowedSseAlgorithms", ["aws:kms", "aws:kms:dsse"]);
        for (const bucket of buckets) {
            const problems = bucketProblems(bucket, buckets, args.resources, sse);
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

function bucketProblems(bucket: PolicyResource, buckets: PolicyResource[], resources: PolicyResource[], sse: string[]): string[] {
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
    if (!statuses.includes("Enabled")) {
        problems.push(
            `versioning is ${statuses.filter(isString)[0] ?? "off"}: a pruned or overwritten backup would be gone at once. ` +
                'Add an aws.s3.BucketVersioning with versioningConfiguration.status "Enabled" (and a noncurrent-version lifecycle).',
        );
    }

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
