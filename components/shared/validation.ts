/**
 * The one validation kit. Every format and range check of the project exists here once; each component's
 * settings.ts applies it to every field of its Args before anything is registered (so a library user gets
 * the same checks as a stack user), and the stack readers only parse types. A failed check throws a
 * ConfigError naming the key (through the component's KeyOf), the value and what is allowed.
 *
 * Use: `validateFields(settings, RULES, keyOf)` with one rule per field (`FieldRules` makes the compiler
 * insist on every field), then the cross-field checks with `check(keyOf, field)`.
 */
import { cronProblem } from "./cron";
import { ConfigError } from "./errors";

/** Maps a settings field to the key a user must fix (a stack config key or a component argument). */
export type KeyOf = (field: string) => string;

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
    "latest", "lts", "stable", "edge", "main", "master", "nightly", "weekly", "dev", "develop", "current", "rolling", "snapshot", "x",
];

/** Why a registry host is not a real host name (`docker.io`, `registry.k8s.io`, `public.ecr.aws`, optional `:port`). */
export function registryProblem(host: string): string | undefined {
    const [name, port, ...rest] = host.split(":");
    const labels = name.split(".");
    const ok = rest.length === 0 && labels.length >= 2 && labels.every((l) => HOST_LABEL.test(l)) &&
        /^[a-z]{2,}$/.test(labels[labels.length - 1]) && (port === undefined || (/^\d{1,5}$/.test(port) && Number(port) <= 65535));
    return ok ? undefined : "The registry must be a fully qualified host name such as docker.io or registry.k8s.io (not localhost or a bare name).";
}

/** Why a repository path (`jenkins/jenkins`, `curlimages/curl`) is malformed. */
export function repositoryProblem(path: string): string | undefined {
    return path.split("/").every((c) => PATH_COMPONENT.test(c)) ? undefined : "Use a repository path such as jenkins/jenkins.";
}

/** Why a tag (optionally `tag@sha256:<digest>`) does not pin one image: it must begin with a version of ≥ 2 numbers. */
export function tagProblem(tagAndDigest: string): string | undefined {
    const digest = DIGEST.test(tagAndDigest);
    const tag = tagAndDigest.replace(DIGEST, "");
    if (tag.includes("@")) return BAD_DIGEST;
    if (!TAG.test(tag)) return "A tag has 1–128 letters, digits, '_', '.' or '-'.";
    if (digest) return undefined;
    const words = tag.toLowerCase().split(/[-._+]/);
    if (!/^v?\d+\.\d+/.test(tag) || words.some((w) => FLOATING_TAG_WORDS.includes(w))) {
        return `Tag ${tag} can move to another image: pin an exact version (such as 8.16.0, v1.35.1 or 2.568.2-jdk21) or a digest; ` +
            "never latest, lts, stable or another floating tag.";
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
    return registryProblem(rest.slice(0, slash)) ?? repositoryProblem(path) ??
        (hasTag ? tagProblem(rest.slice(colon + 1) + digest)
            : digest ? undefined : "The image has no tag: pin an exact version tag (e.g. :8.16.0) or a digest (@sha256:…).");
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

/** A CIDR that lets the whole internet in. */
export const isOpenToWorld = (cidr: string): boolean => cidr === "0.0.0.0/0" || cidr === "::/0";

// ---- Kubernetes quantities (k8s.io/apimachinery pkg/api/resource/quantity.go suffixes) ------------------

const QUANTITY_FACTORS: Readonly<Record<string, number>> = {
    "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
export type QuantitySuffix = keyof typeof QUANTITY_FACTORS & string;
/** Suffixes of a CPU quantity (cores, millicores). */
export const CPU_SUFFIXES: readonly QuantitySuffix[] = ["", "m"];
/** Suffixes of a memory or storage quantity (bytes). */
export const BYTE_SUFFIXES: readonly QuantitySuffix[] = ["", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

/** A Kubernetes quantity in base units ("500m" → 0.5, "2Gi" → 2147483648), or undefined when malformed. */
export function parseQuantity(q: string, suffixes: readonly string[] = Object.keys(QUANTITY_FACTORS)): number | undefined {
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
        service: "acm", resource: /^certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, regional: true,
        example: "arn:aws:acm:<region>:<account>:certificate/<uuid>",
    },
} satisfies Record<string, ArnRule>;

// ---- Checks ------------------------------------------------------------------------------------------

export interface IntegerRange {
    readonly min?: number;
    readonly max?: number;
}

function describeRange(range: IntegerRange): string {
    if (range.min !== undefined && range.max !== undefined) return ` from ${range.min} to ${range.max}`;
    if (range.min !== undefined) return ` ≥ ${range.min}`;
    if (range.max !== undefined) return ` ≤ ${range.max}`;
    return "";
}

/**
 * The checks of one key. Each throws a ConfigError naming the key, the value and what is allowed; `ifSet`
 * gives the same checks for an optional field (undefined passes).
 */
export class Check {
    constructor(readonly key: string, private readonly optional = false) {}

    /** The same checks, passing when the value is undefined (an optional field left unset). */
    get ifSet(): Check {
        return new Check(this.key, true);
    }

    fail(value: unknown, allowed: string): never {
        throw new ConfigError(this.key, value, allowed);
    }

    /** True when the value is unset and that is allowed; fails when it is unset and required. */
    private skip(value: unknown): value is undefined {
        if (value !== undefined) return false;
        if (this.optional) return true;
        return this.fail(value, "It must be set.");
    }

    private string(value: unknown, allowed: string): value is string {
        if (this.skip(value)) return false;
        if (typeof value !== "string") this.fail(value, allowed);
        return true;
    }

    /** A value from a fixed list. */
    oneOf<T>(value: T | undefined, choices: readonly T[], why = ""): void {
        if (this.skip(value)) return;
        if (!choices.includes(value)) this.fail(value, `Allowed: ${choices.join(", ")}${why ? ` (${why})` : ""}.`);
    }

    integer(value: number | undefined, range: IntegerRange = {}, why = ""): void {
        if (this.skip(value)) return;
        const ok = Number.isSafeInteger(value) && (range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max);
        if (!ok) this.fail(value, `Must be an integer${describeRange(range)}${why ? ` ${why}` : ""}.`);
    }

    boolean(value: boolean | undefined): void {
        if (this.skip(value)) return;
        if (typeof value !== "boolean") this.fail(value, "Must be true or false.");
    }

    /** A string matching a component-specific format (instance type, AWS ID, e-mail address, …). */
    matches(value: string | undefined, pattern: RegExp, allowed: string): void {
        if (this.string(value, allowed) && !pattern.test(value)) this.fail(value, allowed);
    }

    /** A list whose entries each pass `each` (errors name the list's key and the entry). */
    list<T>(value: readonly T[] | undefined, each: (entry: T, check: Check) => void, opts: { nonEmpty?: boolean; unique?: boolean } = {}): void {
        if (this.skip(value)) return;
        if (!Array.isArray(value) || (opts.nonEmpty && value.length === 0)) this.fail(value, `Must be a ${opts.nonEmpty ? "non-empty " : ""}list.`);
        const entry = new Check(this.key);
        value.forEach((v) => each(v, entry));
        if (opts.unique && new Set(value).size !== value.length) this.fail(value, "Each entry may appear only once.");
    }

    /** A mapping of strings to strings (e.g. AWS tags). */
    stringMap(value: Readonly<Record<string, string>> | undefined): void {
        if (this.skip(value)) return;
        if (typeof value !== "object" || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== "string")) {
            this.fail(value, "Must be a mapping of strings to strings.");
        }
    }

    /** Kubernetes labels: every key a qualified name, every value a label value. */
    labels(value: Readonly<Record<string, string>> | undefined): void {
        this.stringMap(value);
        for (const [k, v] of Object.entries(value ?? {})) {
            if (!isLabelKey(k) || !isLabelValue(v)) this.fail({ [k]: v }, "Each entry must be a valid Kubernetes label key and value.");
        }
    }

    /** A Kubernetes label key, `[prefix/]name`. */
    labelKey(value: string | undefined): void {
        const allowed = "Use a Kubernetes label key such as app.kubernetes.io/name.";
        if (this.string(value, allowed) && !isLabelKey(value)) this.fail(value, allowed);
    }

    /** A DNS-1123 label (namespace, Service, claim, snapshot name), optionally shorter or starting with a letter. */
    dnsLabel(value: string | undefined, opts: { maxLength?: number; letterFirst?: boolean; why?: string } = {}): void {
        const max = opts.maxLength ?? 63;
        const allowed = `Use a DNS-1123 label: at most ${max} lowercase letters, digits and '-', starting with a ` +
            `${opts.letterFirst ? "letter" : "letter or digit"} and ending with a letter or digit${opts.why ? ` (${opts.why})` : ""}.`;
        if (this.string(value, allowed) && (!isDnsLabel(value, max) || (opts.letterFirst && !/^[a-z]/.test(value)))) this.fail(value, allowed);
    }

    /** A DNS-1123 subdomain (most Kubernetes object names). */
    dnsSubdomain(value: string | undefined): void {
        const allowed = "Use a Kubernetes object name: at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit.";
        if (this.string(value, allowed) && !isDnsSubdomain(value)) this.fail(value, allowed);
    }

    /** The prefix of every resource name of a stack (also the EKS cluster name): 2–23 characters. */
    namePrefix(value: string | undefined): void {
        this.matches(value, /^[a-z][a-z0-9-]{1,22}$/, "Use 2–23 lowercase letters, digits or '-', starting with a letter.");
    }

    /** A full image reference pinned by an exact version tag or a digest. */
    pinnedImage(value: string | undefined, needs = ""): void {
        const allowed = (problem: string) => `${problem} Example: docker.io/curlimages/curl:8.16.0${needs ? `; ${needs}` : ""}.`;
        if (!this.string(value, allowed("Use an image reference."))) return;
        const problem = pinnedImageProblem(value);
        if (problem) this.fail(value, allowed(problem));
    }

    imageRegistry(value: string | undefined): void {
        const problem = this.string(value, "Use a registry host.") ? registryProblem(value) : undefined;
        if (problem) this.fail(value, problem);
    }

    imageRepository(value: string | undefined): void {
        const problem = this.string(value, "Use a repository path.") ? repositoryProblem(value) : undefined;
        if (problem) this.fail(value, problem);
    }

    /** An image tag (optionally `tag@sha256:<digest>`) that pins one image. */
    imageTag(value: string | undefined): void {
        const problem = this.string(value, "Use an image tag.") ? tagProblem(value) : undefined;
        if (problem) this.fail(value, problem);
    }

    /** An exact version such as 2.10.7: no ranges, no `x`, no `latest`. */
    exactVersion(value: string | undefined, example: string, leadingV = false): void {
        const allowed = `Pin an exact version such as ${example} (no ranges, no 'x', no 'latest').`;
        if (this.string(value, allowed) && !isExactVersion(value, leadingV)) this.fail(value, allowed);
    }

    kubernetesVersion(value: string | undefined): void {
        const allowed = 'Use a Kubernetes minor version such as "1.35".';
        if (this.string(value, allowed) && !isKubernetesVersion(value)) this.fail(value, allowed);
    }

    cidr(value: string | undefined): void {
        const allowed = "Use an IPv4 CIDR such as 10.0.0.0/16 (no host bits set).";
        if (this.string(value, allowed) && !isIpv4Cidr(value)) this.fail(value, allowed);
    }

    /**
     * IPv4 CIDRs of clients allowed in; `0.0.0.0/0` only when `open.allowed` (the opt-in key `open.key`).
     * Errors name the offending entry.
     */
    sourceRanges(value: readonly string[] | undefined, open: { allowed: boolean; key: string; what: string }): void {
        this.list(value, (cidr, entry) => {
            if (typeof cidr !== "string" || !isIpv4Cidr(cidr)) entry.fail(cidr, "Each entry must be an IPv4 CIDR such as 203.0.113.0/24 (no host bits set).");
            if (isOpenToWorld(cidr) && !open.allowed) {
                entry.fail(cidr, `Refusing to open ${open.what} to the internet; list your own CIDRs, or set ${open.key} to true.`);
            }
        });
    }

    /** A Kubernetes quantity with the given suffixes, above 0 (or `rule.min`). */
    quantity(value: string | undefined, rule: QuantityRule): void {
        const suffixes = rule.suffixes ?? Object.keys(QUANTITY_FACTORS);
        const units = suffixes.filter((s) => s !== "").join(", ");
        const allowed = `Use a positive ${rule.whole ? "whole " : ""}Kubernetes quantity such as "${rule.example}"` +
            `${units ? ` (${suffixes.includes("") ? "plain or " : ""}${units})` : ""}${rule.min ? `, at least ${rule.min}` : ""}.`;
        if (!this.string(value, allowed)) return;
        const n = parseQuantity(value, suffixes);
        const min = rule.min === undefined ? 0 : parseQuantity(rule.min) as number;
        if (n === undefined || n <= 0 || n < min || (rule.whole && !/^\d+[A-Za-z]*$/.test(value))) {
            this.fail(value, allowed);
        }
    }

    /**
     * The retired generation of an access key that rotates by generation (`generationKey` names the current one). IAM
     * allows two access keys per user: from generation 3 on, generation − 2 must be retired; the current never is.
     */
    retiredGeneration(retired: number | undefined, generation: number, generationKey: string): void {
        if (retired === undefined) {
            if (generation < 3) return;
            this.fail(retired, `At ${generationKey} ${generation}, set it to ${generation - 2} (or ${generation - 1}): IAM allows two access ` +
                `keys per user, so generation ${generation - 2}'s must go. If it still exists, first go back to generation ` +
                `${generation - 1}, retire ${generation - 2}, pulumi up, then bump again.`);
        }
        const min = Math.max(0, generation - 2);
        if (!Number.isInteger(retired) || retired < min || retired > generation - 1) {
            this.fail(retired, `With ${generationKey} ${generation}, allowed: ` +
                `${min === generation - 1 ? min : `${min} (keep the previous key) or ${generation - 1} (delete it)`}; ` +
                "IAM allows two keys per user and the current key can never be retired.");
        }
    }

    /** A five-field cron expression (UTC) that runs. */
    cron(value: string | undefined): void {
        const problem = this.string(value, "Use a five-field cron expression.") ? cronProblem(value) : undefined;
        if (problem) this.fail(value, problem);
    }

    awsRegion(value: string | undefined): void {
        this.matches(value, AWS_REGION, "Use an AWS region name such as eu-central-1.");
    }

    /** An AWS resource ID such as vpc-0123456789abcdef0. */
    awsId(value: string | undefined, prefix: "vpc" | "subnet" | "ami" | "sg"): void {
        const kind = { vpc: "a VPC", subnet: "a subnet", ami: "an AMI", sg: "a security group" }[prefix];
        this.matches(value, new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `Use ${kind} ID such as ${prefix}-0123456789abcdef0.`);
    }

    /** An ARN of the given service and resource type; `region`, when given, must match. */
    arn(value: string | undefined, rule: ArnRule, region?: { readonly name: string; readonly why: string }): void {
        const allowed = `Use an ARN such as ${rule.example}.`;
        if (!this.string(value, allowed)) return;
        const arn = parseArn(value);
        if (!arn || arn.service !== rule.service || !rule.resource.test(arn.resource) || !arn.account ||
            (rule.regional ? !isAwsRegion(arn.region) : arn.region !== "")) {
            this.fail(value, allowed);
        }
        if (region !== undefined && arn.region !== region.name) this.fail(value, region.why);
    }
}

/** The checks of `field`, naming the key `keyOf(field)`. */
export const check = (keyOf: KeyOf, field: string): Check => new Check(keyOf(field));

/**
 * One rule per field of T: the compiler insists that every field has one. A rule gets the field's value, the
 * checks of its key, all settings (for rules that depend on other fields) and the KeyOf (to name other keys).
 */
export type FieldRules<T> = { readonly [K in keyof T]-?: (value: T[K], check: Check, settings: T, keyOf: KeyOf) => void };

/** A field that holds no data to check (a secret Input, checked for presence elsewhere). */
export const NOT_CHECKED = (): void => undefined;

/**
 * Applies every field's rule and reports all failures at once (one ConfigError listing them). A rule may read
 * other fields; when one crashes on an earlier field's bad value, the problems found so far are reported.
 */
export function validateFields<T>(settings: T, rules: FieldRules<T>, keyOf: KeyOf): void {
    const problems: ConfigError[] = [];
    for (const field of Object.keys(rules) as (keyof T & string)[]) {
        try {
            rules[field](settings[field], check(keyOf, field), settings, keyOf);
        } catch (e) {
            if (e instanceof ConfigError) problems.push(...e.problems);
            else if (problems.length > 0) break;
            else throw e;
        }
    }
    if (problems.length > 0) throw ConfigError.all(problems);
}
