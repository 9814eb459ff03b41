/**
 * The formats the validation kit checks, as pure predicates and parsers (no ConfigError here): Kubernetes names,
 * container image references, versions, IPv4 CIDRs, Kubernetes quantities, AWS regions and ARNs. Import them from
 * validation.ts, the kit's one entry point.
 */

// ---- Kubernetes names (kubernetes/apimachinery pkg/util/validation/validation.go) ----------------------

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** IsDNS1123Label: a namespace, Service, claim or StorageClass name part (≤ 63). */
export const isDnsLabel = (v: string, maxLength = 63): boolean => v.length <= maxLength && DNS_LABEL.test(v);
/** IsDNS1123Subdomain: most object names (≤ 253). */
export const isDnsSubdomain = (v: string): boolean => v.length <= 253 && DNS_SUBDOMAIN.test(v);
/** IsQualifiedName: a label key, `[prefix/]name`. */
export function isLabelKey(v: string): boolean {
    const parts = v.split("/");
    if (parts.length > 2) return false;
    const name = parts.pop() as string;
    return name.length <= 63 && QUALIFIED_NAME.test(name) && (parts.length === 0 || isDnsSubdomain(parts[0]));
}
/** Namespaces every cluster has: a component never creates its own objects' namespace there. */
export const SYSTEM_NAMESPACES: readonly string[] = ["default", "kube-system", "kube-public", "kube-node-lease"];
/** LINSTOR object names: resource groups, resources, snapshots (LINBIT/linstor-server: Checks.nameCheck, MAX_LENGTH 48). */
export const LINSTOR_NAME = "[A-Za-z_][A-Za-z0-9_-]{1,47}";
export const isLinstorName = (v: string): boolean => new RegExp(`^${LINSTOR_NAME}$`).test(v);
/** IsValidLabelValue: empty, or a qualified name part (≤ 63). */
export const isLabelValue = (v: string): boolean => v === "" || (v.length <= 63 && QUALIFIED_NAME.test(v));

// ---- Container images (distribution/reference: reference/regexp.go) ----------------------------------

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const PATH_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /@sha256:[0-9a-f]{64}$/;
const BAD_DIGEST = "A digest is @sha256: and 64 lowercase hex digits.";
/** Tags that move: a tag carrying one of these words (alone or as a `-`/`.`/`_` part) is never a pin. */
export const FLOATING_TAG_WORDS = [
    "latest",
    "lts",
    "stable",
    "edge",
    "main",
    "master",
    "nightly",
    "weekly",
    "dev",
    "develop",
    "current",
    "rolling",
    "snapshot",
    "x",
];

/** Why a registry host is not a real host name (`docker.io`, `registry.k8s.io`, `public.ecr.aws`, optional `:port`). */
export function registryProblem(host: string): string | undefined {
    const [name, port, ...rest] = host.split(":");
    const labels = name.split(".");
    const ok =
        rest.length === 0 &&
        labels.length >= 2 &&
        labels.every((l) => HOST_LABEL.test(l)) &&
        /^[a-z]{2,}$/.test(labels[labels.length - 1]) &&
        (port === undefined || (/^\d{1,5}$/.test(port) && Number(port) <= 65535));
    return ok ? undefined : "The registry must be a fully qualified host name such as docker.io or registry.k8s.io (not localhost or a bare name).";
}

/** Why a repository path (`jenkins/jenkins`, `curlimages/curl`) is malformed. */
export function repositoryProblem(path: string): string | undefined {
    return path.split("/").every((c) => PATH_COMPONENT.test(c)) ? undefined : "Use a repository path such as jenkins/jenkins.";
}

/** Why a tag (optionally `tag@sha256:<digest>`) does not pin one image: it must begin with a full version (three numbers: a two-number tag such as 3.13-slim moves with every patch). */
export function tagProblem(tagAndDigest: string, versionParts: 2 | 3 = 3): string | undefined {
    const digest = DIGEST.test(tagAndDigest);
    const tag = tagAndDigest.replace(DIGEST, "");
    if (tag.includes("@")) return BAD_DIGEST;
    if (!TAG.test(tag)) return "A tag has 1–128 letters, digits, '_', '.' or '-'.";
    if (digest) return undefined;
    const words = tag.toLowerCase().split(/[-._+]/);
    const version = versionParts === 3 ? /^v?\d+\.\d+\.\d+/ : /^v?\d+\.\d+/;
    if (!version.test(tag) || words.some((w) => FLOATING_TAG_WORDS.includes(w))) {
        return (
            `Tag ${tag} can move to another image: pin an exact version (such as 8.16.0, v1.35.1 or 2.568.2-jdk21) or a digest; ` +
            "never latest, lts, stable or another floating tag."
        );
    }
    return undefined;
}

/** Why a full image reference `<registry>/<repository>:<tag>[@sha256:<digest>]` (or `…@sha256:<digest>`) is not pinned. */
export function pinnedImageProblem(image: string): string | undefined {
    const digest = DIGEST.exec(image)?.[0] ?? "";
    if (image.slice(0, image.length - digest.length).includes("@")) return BAD_DIGEST;
    const rest = image.slice(0, image.length - digest.length);
    const slash = rest.indexOf("/");
    const colon = rest.lastIndexOf(":");
    if (slash < 0) return "Name the registry: use a full reference such as docker.io/curlimages/curl:8.16.0.";
    const hasTag = colon > rest.lastIndexOf("/");
    const path = rest.slice(slash + 1, hasTag ? colon : undefined);
    return (
        registryProblem(rest.slice(0, slash)) ??
        repositoryProblem(path) ??
        (hasTag
            ? tagProblem(rest.slice(colon + 1) + digest)
            : digest
              ? undefined
              : "The image has no tag: pin an exact version tag (e.g. :8.16.0) or a digest (@sha256:…).")
    );
}

// ---- Versions ----------------------------------------------------------------------------------------

const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
/** An exact semantic version `X.Y.Z[-pre]`; `leadingV` also takes `vX.Y.Z` where upstream tags carry the v. */
export const isExactVersion = (v: string, leadingV = false): boolean => EXACT_VERSION.test(leadingV ? v.replace(/^v/, "") : v);
/** A Kubernetes minor version `1.NN` (EKS versions such as 1.35; not 1.3 and not 1.35.2). */
export const isKubernetesVersion = (v: string): boolean => /^1\.[1-9]\d$/.test(v);

// ---- IPv4 CIDRs ----------------------------------------------------------------------------------------

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** True for a canonical IPv4 CIDR: four octets 0–255, prefix 0–32, no host bits set. */
export function isIpv4Cidr(value: string): boolean {
    const m = IPV4_CIDR.exec(value);
    if (!m) return false;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return false;
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    return address % 2 ** (32 - prefix) === 0;
}

/** Whether a list of CIDRs lets the internet in is judged for the whole list: cidrs.ts (isOpenToInternet). */

// ---- Kubernetes quantities (k8s.io/apimachinery pkg/api/resource/quantity.go suffixes) ------------------

const QUANTITY_FACTORS: Readonly<Record<string, number>> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};
export type QuantitySuffix = keyof typeof QUANTITY_FACTORS & string;
/** Suffixes of a CPU quantity (cores, millicores). */
export const CPU_SUFFIXES: readonly QuantitySuffix[] = ["", "m"];
/** Suffixes of a memory or storage quantity (bytes). */
export const BYTE_SUFFIXES: readonly QuantitySuffix[] = ["", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

/** Every suffix a quantity may carry. */
export const QUANTITY_SUFFIXES: readonly string[] = Object.keys(QUANTITY_FACTORS);

/** A Kubernetes quantity in base units ("500m" → 0.5, "2Gi" → 2147483648), or undefined when malformed. */
export function parseQuantity(q: string, suffixes: readonly string[] = QUANTITY_SUFFIXES): number | undefined {
    const m = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(q);
    if (!m || !suffixes.includes(m[2]) || QUANTITY_FACTORS[m[2]] === undefined) return undefined;
    return Number(m[1]) * QUANTITY_FACTORS[m[2]];
}

export interface QuantityRule {
    /** Suffixes allowed (default every one). */
    readonly suffixes?: readonly string[];
    /** Only whole numbers before the suffix (e.g. 20Gi, not 1.5Gi). */
    readonly whole?: boolean;
    /** Smallest value, as a quantity such as "1Gi" (default: anything above 0). */
    readonly min?: string;
    /** An example for the message, e.g. "20Gi". */
    readonly example: string;
}

// ---- AWS --------------------------------------------------------------------------------------------

const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
export const isAwsRegion = (v: string): boolean => AWS_REGION.test(v);

export interface Arn {
    readonly partition: string;
    readonly service: string;
    readonly region: string;
    readonly account: string;
    readonly resource: string;
}

/** The parts of an ARN `arn:<partition>:<service>:<region>:<account>:<resource>`, or undefined. */
export function parseArn(value: string): Arn | undefined {
    const m = /^arn:(aws(?:-[a-z]+)*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws)?:(.+)$/.exec(value);
    return m ? { partition: m[1], service: m[2], region: m[3], account: m[4] ?? "", resource: m[5] } : undefined;
}

export interface ArnRule {
    readonly service: string;
    /** What the resource part must look like, e.g. /^role\/.+$/. */
    readonly resource: RegExp;
    /** Whether the ARN carries a region (IAM ARNs do not). */
    readonly regional: boolean;
    readonly example: string;
}

/** The ARNs the project's settings take. */
export const ARNS = {
    /** A KMS key (SSE-KMS of the bucket: IAM policies need the key itself, not an alias). */
    kmsKey: { service: "kms", resource: /^key\/[0-9a-zA-Z-]+$/, regional: true, example: "arn:aws:kms:<region>:<account>:key/<key-id>" },
    /** A KMS key or alias (EBS encryption). */
    kmsKeyOrAlias: { service: "kms", resource: /^(key|alias)\/.+$/, regional: true, example: "arn:aws:kms:<region>:<account>:key/<key-id>" },
    iamRole: { service: "iam", resource: /^role\/.+$/, regional: false, example: "arn:aws:iam::<account>:role/<name>" },
    acmCertificate: {
        service: "acm",
        resource: /^certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        regional: true,
        example: "arn:aws:acm:<region>:<account>:certificate/<uuid>",
    },
} satisfies Record<string, ArnRule>;

/**
 * Why `zone` is not an availability zone name of `region`. An AZ is the region's name and one letter (us-west-2a),
 * in ASCII with nothing around it; Local Zones (us-west-2-lax-1a) and Wavelength Zones (us-east-1-wl1-bos-wlz-1)
 * carry a group name after the region and are refused: DRBD's quorum and the HA Controller's fail-over assume three
 * full AZs with EBS and the same instance types.
 */
export function availabilityZoneProblem(zone: string, region: string): string | undefined {
    if (new RegExp(`^${region.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[a-z]$`).test(zone)) return undefined;
    if (/-wl\d/.test(zone))
        return `${JSON.stringify(zone)} is a Wavelength Zone; use the availability zones of ${region} (${region}a, ${region}b, …).`;
    if (zone.startsWith(`${region}-`))
        return `${JSON.stringify(zone)} is a Local Zone; use the availability zones of ${region} (${region}a, ${region}b, …).`;
    if (/[^\x21-\x7e]/.test(zone)) {
        return `${JSON.stringify(zone)} contains whitespace or a non-ASCII character; write the zone as ${region} and one letter, e.g. ${region}a.`;
    }
    if (isAwsRegion(zone.slice(0, -1))) return `${JSON.stringify(zone)} is a zone of ${zone.slice(0, -1)}, not of the stack's region ${region}.`;
    return `Use availability zone names of the region ${region}: the region and one letter, e.g. ${region}a.`;
}

// ---- Names close to a given one ("did you mean") ----------------------------------------------------------

/** Edit distance (insertions, deletions, substitutions, transpositions of neighbours), case-insensitive. */
export function editDistance(a: string, b: string): number {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) =>
        Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
    );
    for (let i = 1; i <= x.length; i++) {
        for (let j = 1; j <= y.length; j++) {
            const cost = x[i - 1] === y[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[x.length][y.length];
}

/**
 * The candidate nearest to `word` (fewest edits, case ignored), if it is near enough to be the one meant: at most a
 * third of the word's length in edits (at least 2), or the word with a prefix or suffix missing or added.
 */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
    let best: { name: string; distance: number } | undefined;
    for (const name of candidates) {
        const distance = editDistance(word, name);
        if (best === undefined || distance < best.distance) best = { name, distance };
    }
    if (best === undefined) return undefined;
    const lower = word.toLowerCase();
    const near = best.distance <= Math.max(2, Math.floor(word.length / 3));
    const affix = candidates.find((c) => {
        const l = c.toLowerCase();
        return Math.min(l.length, lower.length) >= 6 && (l.endsWith(lower) || lower.endsWith(l) || l.startsWith(lower) || lower.startsWith(l));
    });
    return near ? best.name : affix;
}
