/**
 * AWS facts the checks compare values with where a table can exist (existence, not only form). Each table says where it
 * comes from; a value outside it is refused naming the key, so a new region, Kubernetes version or instance family
 * needs a row here (read from the cited source), not a silent pass.
 */

/**
 * Regions of the `aws` (commercial) partition: botocore `botocore/data/partitions.json` (partition "aws", regions),
 * plus the regions opened since that file's stored version (AWS "Regions and Zones": mx-central-1, ap-southeast-7,
 * ap-east-2, ap-southeast-6). China (`aws-cn`), GovCloud (`aws-us-gov`), ISO and European Sovereign Cloud regions are
 * other partitions: the program writes its IAM and S3 ARNs as `arn:aws:` (linstorCluster/index.ts, addons.ts,
 * snapshots), so a stack there would fail late; they are refused until the program derives the partition.
 */
export const AWS_COMMERCIAL_REGIONS: readonly string[] = [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/** Why a well-formed region name is refused, or undefined when it is a known commercial region. */
export function regionProblem(region: string): string | undefined {
    if (AWS_COMMERCIAL_REGIONS.includes(region)) return undefined;
    if (/^(cn-|us-gov-|us-iso|eu-iso|eusc-)/.test(region)) {
        return (
            `${region} is in another AWS partition (China, GovCloud, ISO or European Sovereign Cloud): the program writes its ` +
            "ARNs for the commercial partition (arn:aws:), so it supports only commercial regions."
        );
    }
    return `There is no AWS commercial region ${region}. Known: ${AWS_COMMERCIAL_REGIONS.join(", ")}.`;
}

/**
 * Zone IDs where EKS does not create clusters (EKS User Guide, "View Amazon EKS networking requirements for VPC and
 * subnets": "subnets … in us-east-1 use1-az3, us-west-1 usw1-az2, ca-central-1 cac1-az3" are not supported;
 * CreateCluster answers UnsupportedAvailabilityZoneException). Names map to IDs per account, so this is checked on
 * the IDs the zone lookup returns (stacks/zones.ts).
 */
export const EKS_UNSUPPORTED_ZONE_IDS: readonly string[] = ["use1-az3", "usw1-az2", "cac1-az3"];

/**
 * Kubernetes minors EKS runs on 2026-12-04 (the date of this table; AWS EKS "Kubernetes versions" page, standard and
 * extended support; docs/UPSTREAM.md §EKS: standard support ends 2026-07-29 for 1.33, 2026-12-02 for 1.34,
 * 2027-03-27 for 1.35, then 12 months extended; 1.32's extended support lasts to 2027-03, 1.31's ended 2026-11).
 * The program itself needs ≥ 1.30 (admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy, GA in 1.30).
 */
export const EKS_KUBERNETES_VERSIONS: readonly string[] = ["1.32", "1.33", "1.34", "1.35", "1.36"];
export const MIN_KUBERNETES_VERSION = "1.30";

/**
 * EC2 instance families a storage node can be (x86_64 or arm64, with an EKS AL2023 AMI; Nitro, EBS, current
 * generation): EC2 User Guide "Amazon EC2 instance types" → general purpose, compute, memory and storage optimized.
 * Left out on purpose: previous generations (m4, c4, r4, …), Mac (mac1/mac2: dedicated hosts, no EKS AMI), GPU and
 * accelerated families (p, g, inf, trn, dl, f, vt: not storage nodes) and HPC (hpc*: few regions, no small sizes).
 * High-memory `u-<N>tb1` / `u7i-<N>tb` families are taken by their pattern (HIGH_MEMORY).
 */
export const EC2_INSTANCE_FAMILIES: readonly string[] = [
    ..."m5 m5a m5ad m5d m5dn m5n m5zn m6a m6g m6gd m6i m6id m6idn m6in m7a m7g m7gd m7i m7i-flex m8a m8g m8gd m8i m8i-flex".split(" "),
    ..."t3 t3a t4g".split(" "),
    ..."c5 c5a c5ad c5d c5n c6a c6g c6gd c6gn c6i c6id c6in c7a c7g c7gd c7gn c7i c7i-flex c8a c8g c8gd c8gn c8i c8i-flex".split(" "),
    ..."r5 r5a r5ad r5b r5d r5dn r5n r6a r6g r6gd r6i r6id r6idn r6in r7a r7g r7gd r7i r7iz r8a r8g r8gd r8i r8i-flex".split(" "),
    ..."x2gd x2idn x2iedn x2iezn x8g z1d".split(" "),
    ..."i3 i3en i4g i4i i7i i7ie i8g im4gn is4gen".split(" "),
];

const HIGH_MEMORY = /^u7?[a-z]*-\d+tb\d*$/;

/** Why an instance type of the right form is refused, or undefined when its family is known. */
export function instanceFamilyProblem(instanceType: string): string | undefined {
    const family = instanceType.split(".")[0];
    if (EC2_INSTANCE_FAMILIES.includes(family) || HIGH_MEMORY.test(family)) return undefined;
    const why = /^(mac|p\d|g\d|inf|trn|dl|f\d|vt|hpc)/.test(family)
        ? `${family} is not a storage-node family (Mac, GPU/accelerated and HPC types are left out)`
        : `there is no current-generation EC2 family ${family}`;
    return `Use a current-generation general purpose, compute, memory or storage optimized type (components/shared/awsFacts.ts); ${why}.`;
}

/** AWS tag rules (AWS Tagging guide, "Tag naming limits and requirements"): 50 tags, keys ≤ 128, values ≤ 256, no `aws:`. */
export function tagsProblem(tags: Readonly<Record<string, string>>): string | undefined {
    const entries = Object.entries(tags);
    if (entries.length > 50) return `AWS allows at most 50 tags per resource; this map has ${entries.length}.`;
    const reserved = entries.find(([k]) => k.toLowerCase().startsWith("aws:"));
    if (reserved) return `Tag key ${JSON.stringify(reserved[0])}: the aws: prefix is reserved for AWS.`;
    const longKey = entries.find(([k]) => [...k].length > 128);
    if (longKey) return `Tag key ${JSON.stringify(longKey[0].slice(0, 20))}… has ${[...longKey[0]].length} characters; AWS allows 128.`;
    const longValue = entries.find(([, v]) => [...v].length > 256);
    if (longValue) return `The value of tag ${JSON.stringify(longValue[0])} has ${[...longValue[1]].length} characters; AWS allows 256.`;
    return undefined;
}
