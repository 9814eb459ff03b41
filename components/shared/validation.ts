/**
 * The one validation kit. Every format and range check of the project exists here once; each component's
 * settings.ts applies it to every field of its Args before anything is registered (so a library user gets
 * the same checks as a stack user), and the stack readers only parse types. A failed check throws a
 * ConfigError naming the key (through the component's KeyOf), the value and what is allowed.
 *
 * Use: `validateFields(settings, RULES, keyOf)` with one rule per field (`FieldRules` makes the compiler
 * insist on every field), then the cross-field checks with `check(keyOf, field)`. The formats themselves (pure
 * predicates and parsers) live in formats.ts and cron.ts; import everything from here.
 */
import { EKS_KUBERNETES_VERSIONS, MIN_KUBERNETES_VERSION, regionProblem, tagsProblem } from "./awsFacts";
import { describeCoverage, isOpenToInternet } from "./cidrs";
import { cronProblem } from "./cron";
import { ConfigError } from "./errors";
import {
    type ArnRule,
    availabilityZoneProblem,
    isAwsRegion,
    isDnsLabel,
    isDnsSubdomain,
    isExactVersion,
    isIpv4Cidr,
    isKubernetesVersion,
    isLabelKey,
    isLabelValue,
    parseArn,
    parseQuantity,
    pinnedImageProblem,
    QUANTITY_SUFFIXES,
    type QuantityRule,
    registryProblem,
    repositoryProblem,
    SYSTEM_NAMESPACES,
    tagProblem,
} from "./formats";

export * from "./awsFacts";
export * from "./cidrs";
export { cronProblem, maxScheduleGapSeconds, parseCron } from "./cron";
export * from "./formats";

/** Maps a settings field to the key a user must fix (a stack config key or a component argument). */
export type KeyOf = (field: string) => string;

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
    constructor(
        readonly key: string,
        private readonly optional = false,
    ) {}

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
        value.forEach((v) => {
            each(v, entry);
        });
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
        const allowed =
            `Use a DNS-1123 label: at most ${max} lowercase letters, digits and '-', starting with a ` +
            `${opts.letterFirst ? "letter" : "letter or digit"} and ending with a letter or digit${opts.why ? ` (${opts.why})` : ""}.`;
        if (this.string(value, allowed) && (!isDnsLabel(value, max) || (opts.letterFirst && !/^[a-z]/.test(value)))) this.fail(value, allowed);
    }

    /** A namespace a component creates: a DNS-1123 label, and not one every cluster already has (kube-system, default, …). */
    namespace(value: string | undefined): void {
        this.dnsLabel(value);
        if (value !== undefined && SYSTEM_NAMESPACES.includes(value)) {
            this.fail(value, `${value} belongs to the cluster itself (${SYSTEM_NAMESPACES.join(", ")}); use a namespace of its own, e.g. jenkins.`);
        }
    }

    /** A DNS-1123 subdomain (most Kubernetes object names). */
    dnsSubdomain(value: string | undefined): void {
        const allowed =
            "Use a Kubernetes object name: at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit.";
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

    /**
     * An image tag (optionally `tag@sha256:<digest>`) that pins one image. `versionParts: 2` only for images whose
     * releases are numbered with two parts (Jenkins weeklies: 2.569; its LTS line has three: 2.568.2).
     */
    imageTag(value: string | undefined, versionParts: 2 | 3 = 3): void {
        const problem = this.string(value, "Use an image tag.") ? tagProblem(value, versionParts) : undefined;
        if (problem) this.fail(value, problem);
    }

    /** An exact version such as 2.10.7: no ranges, no `x`, no `latest`. */
    exactVersion(value: string | undefined, example: string, leadingV = false): void {
        const allowed = `Pin an exact version such as ${example} (no ranges, no 'x', no 'latest').`;
        if (this.string(value, allowed) && !isExactVersion(value, leadingV)) this.fail(value, allowed);
    }

    kubernetesVersion(value: string | undefined): void {
        let allowed = 'Use a Kubernetes minor version such as "1.35".';
        // YAML reads an unquoted 1.30 as the number 1.3, and Pulumi hands the program "1.3".
        if (value !== undefined && /^1\.[1-9]$/.test(value))
            allowed += ` YAML reads 1.${value.slice(2)}0 as the number ${value}: quote it ("1.${value.slice(2)}0").`;
        if (this.string(value, allowed) && !isKubernetesVersion(value)) this.fail(value, allowed);
        // Existence: a minor EKS runs now, and one the program can use (awsFacts.ts).
        if (
            !EKS_KUBERNETES_VERSIONS.includes(value as string) ||
            Number((value as string).split(".")[1]) < Number(MIN_KUBERNETES_VERSION.split(".")[1])
        ) {
            this.fail(
                value,
                `EKS runs ${EKS_KUBERNETES_VERSIONS.join(", ")} (standard or extended support, components/shared/awsFacts.ts), and the ` +
                    `program needs at least ${MIN_KUBERNETES_VERSION} (ValidatingAdmissionPolicy v1).`,
            );
        }
    }

    /** An availability zone of `region`, in its exact form (`<region><letter>`); Local and Wavelength Zones refused. */
    availabilityZone(value: string | undefined, region: string): void {
        const problem = this.string(value, "Use an availability zone name such as us-west-2a.") ? availabilityZoneProblem(value, region) : undefined;
        if (problem) this.fail(value, problem);
    }

    cidr(value: string | undefined): void {
        const allowed = "Use an IPv4 CIDR such as 10.0.0.0/16 (no host bits set).";
        if (this.string(value, allowed) && !isIpv4Cidr(value)) this.fail(value, allowed);
    }

    /**
     * IPv4 CIDRs of clients allowed in. Unless `open.allowed` (the opt-in key `open.key`), the list TAKEN AS A WHOLE
     * must not open `open.what` to the internet (isOpenToInternet: 0.0.0.0/1 plus 128.0.0.0/1 is everyone too).
     */
    sourceRanges(value: readonly string[] | undefined, open: { allowed: boolean; key: string; what: string }): void {
        this.list(
            value,
            (cidr, entry) => {
                if (typeof cidr !== "string" || !isIpv4Cidr(cidr))
                    entry.fail(cidr, "Each entry must be an IPv4 CIDR such as 203.0.113.0/24 (no host bits set).");
            },
            { unique: true },
        );
        if (value !== undefined) this.notOpenToInternet(value, open);
    }

    /** Refuses a list of CIDRs that, taken as a whole, lets a meaningful part of the internet in (see cidrs.ts). */
    notOpenToInternet(value: readonly string[], open: { allowed: boolean; key: string; what: string; otherwise?: string }): void {
        if (!open.allowed && isOpenToInternet(value)) {
            this.fail(
                value,
                `Refusing to open ${open.what} to the internet: together these ranges cover ${describeCoverage(value)}. ` +
                    `List your own networks' CIDRs, or set ${open.key} to true to accept that${open.otherwise ? ` (or ${open.otherwise})` : ""}.`,
            );
        }
    }

    /** A Kubernetes quantity with the given suffixes, above 0 (or `rule.min`). */
    quantity(value: string | undefined, rule: QuantityRule): void {
        const suffixes = rule.suffixes ?? QUANTITY_SUFFIXES;
        const units = suffixes.filter((s) => s !== "").join(", ");
        const allowed =
            `Use a positive ${rule.whole ? "whole " : ""}Kubernetes quantity such as "${rule.example}"` +
            `${units ? ` (${suffixes.includes("") ? "plain or " : ""}${units})` : ""}${rule.min ? `, at least ${rule.min}` : ""}.`;
        if (!this.string(value, allowed)) return;
        const n = parseQuantity(value, suffixes);
        const min = rule.min === undefined ? 0 : (parseQuantity(rule.min) as number);
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
            this.fail(
                retired,
                `At ${generationKey} ${generation}, set it to ${generation - 2} (or ${generation - 1}): IAM allows two access ` +
                    `keys per user, so generation ${generation - 2}'s must go. If it still exists, first go back to generation ` +
                    `${generation - 1}, retire ${generation - 2}, pulumi up, then bump again.`,
            );
        }
        const min = Math.max(0, generation - 2);
        if (!Number.isInteger(retired) || retired < min || retired > generation - 1) {
            this.fail(
                retired,
                `With ${generationKey} ${generation}, allowed: ` +
                    `${min === generation - 1 ? min : `${min} (keep the previous key) or ${generation - 1} (delete it)`}; ` +
                    "IAM allows two keys per user and the current key can never be retired.",
            );
        }
    }

    /** A five-field cron expression (UTC) that runs. */
    cron(value: string | undefined): void {
        const problem = this.string(value, "Use a five-field cron expression.") ? cronProblem(value) : undefined;
        if (problem) this.fail(value, problem);
    }

    awsRegion(value: string | undefined): void {
        const allowed = "Use an AWS region name such as eu-central-1.";
        if (this.string(value, allowed) && !isAwsRegion(value)) this.fail(value, allowed);
        const problem = value === undefined ? undefined : regionProblem(value);
        if (problem) this.fail(value, problem);
    }

    /** AWS tags: a string map within AWS's tag limits (awsFacts.ts tagsProblem). */
    awsTags(value: Readonly<Record<string, string>> | undefined): void {
        this.stringMap(value);
        const problem = value === undefined ? undefined : tagsProblem(value);
        if (problem) this.fail(value, problem);
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
        if (
            !arn ||
            arn.service !== rule.service ||
            !rule.resource.test(arn.resource) ||
            !arn.account ||
            (rule.regional ? !isAwsRegion(arn.region) : arn.region !== "")
        ) {
            this.fail(value, allowed);
        }
        if (arn.partition !== "aws") {
            this.fail(
                value,
                `${allowed} The program runs in the commercial partition (arn:aws:), not ${arn.partition} (components/shared/awsFacts.ts).`,
            );
        }
        if (rule.regional && regionProblem(arn.region)) this.fail(value, `${allowed} ${regionProblem(arn.region)}`);
        if (region !== undefined && arn.region !== region.name) this.fail(value, region.why);
    }
}

/**
 * Runs every check and reports all failures at once (one ConfigError listing them); an unexpected error is rethrown
 * unless problems were already found (a later check may trip over an earlier bad value).
 */
export function validateAll(checks: readonly (() => void)[]): void {
    const problems: ConfigError[] = [];
    for (const run of checks) {
        try {
            run();
        } catch (e) {
            if (e instanceof ConfigError) problems.push(...e.problems);
            else if (problems.length > 0) break;
            else throw e;
        }
    }
    if (problems.length > 0) throw ConfigError.all(problems);
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
