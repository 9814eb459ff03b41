import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { maxScheduleGapSeconds, parseCron } from "../../../components/shared/cron";
import { ConfigError } from "../../../components/shared/errors";
import { kubectlSkewProblem, pythonTooOld } from "../../../components/shared/imageVersions";
import {
    Check,
    EKS_KUBERNETES_VERSIONS,
    type FieldRules,
    instanceFamilyProblem,
    isDnsLabel,
    isDnsSubdomain,
    isExactVersion,
    isIpv4Cidr,
    isKubernetesVersion,
    isLabelKey,
    isLabelValue,
    isNonPublicIpv4Cidr,
    parseArn,
    parseQuantity,
    pinnedImageProblem,
    validateFields,
} from "../../../components/shared/validation";
import { thrown } from "../../support/fixtures";

const KEY = "ha-jenkins-eks:someKey";
const is = new Check(KEY);

/** The ConfigError a check throws, asserting it names the key and the value. */
function rejects(fn: () => void, value: unknown): ConfigError {
    const e = thrown(fn);
    expect(e).to.be.instanceOf(ConfigError);
    const err = e as ConfigError;
    expect(err.key).to.equal(KEY);
    expect(err.value).to.deep.equal(value);
    expect(err.message).to.contain(`Invalid value for ${KEY}: `);
    return err;
}

describe("validation kit", () => {
    describe("ConfigError", () => {
        it("is a pulumi.RunError (the CLI prints it without a stack trace) and still a ConfigError", () => {
            const e = new ConfigError(KEY, 7, "Must be 3.");
            expect(pulumi.RunError.isInstance(e)).to.equal(true);
            expect(e).to.be.instanceOf(pulumi.RunError);
            expect(e).to.be.instanceOf(ConfigError);
            expect(e).to.be.instanceOf(Error);
            expect(e.name).to.equal("ConfigError");
            expect(e.message).to.equal(`Invalid value for ${KEY}: 7. Must be 3.`);
        });

        it("reports several problems at once, naming each key", () => {
            const e = ConfigError.all([new ConfigError("a", 1, "One."), new ConfigError("b", "x", "Two.")]);
            expect(e).to.be.instanceOf(ConfigError);
            expect(e.key).to.equal("a");
            expect(e.problems.map((p) => p.key)).to.deep.equal(["a", "b"]);
            expect(e.message).to.match(/^2 invalid values:\n- Invalid value for a: 1\. One\.\n- Invalid value for b: "x"\. Two\.$/);
        });
    });

    describe("Kubernetes names", () => {
        it("tells DNS-1123 labels and subdomains apart", () => {
            for (const ok of ["jenkins", "a", "a-1", "0abc", "x".repeat(63)]) expect(isDnsLabel(ok), ok).to.equal(true);
            for (const bad of ["", "Jenkins", "-a", "a-", "a.b", "a_b", "x".repeat(64)]) expect(isDnsLabel(bad), bad).to.equal(false);
            for (const ok of ["a.b", "linstor-csi-lvm-thin-r3", "a.b-c.d"]) expect(isDnsSubdomain(ok), ok).to.equal(true);
            for (const bad of ["a..b", ".a", "a.", "A.b", `${"x".repeat(63)}.${"y".repeat(190)}`]) expect(isDnsSubdomain(bad), bad).to.equal(false);
        });

        it("checks label keys and values", () => {
            expect(isLabelKey("app.kubernetes.io/name")).to.equal(true);
            expect(isLabelKey("release")).to.equal(true);
            expect(isLabelKey("a/b/c")).to.equal(false);
            expect(isLabelKey("Bad_Prefix/name")).to.equal(false);
            expect(isLabelValue("")).to.equal(true);
            expect(isLabelValue("-x")).to.equal(false);
            rejects(() => is.labels({ "app.kubernetes.io/name": "-bad" }), { "app.kubernetes.io/name": "-bad" });
            is.labels({ team: "platform" });
        });

        it("rejects names that are not DNS labels, and prefixes that start with a digit when a letter is required", () => {
            is.dnsLabel("jenkins");
            expect(rejects(() => is.dnsLabel("Jenkins"), "Jenkins").message).to.match(/DNS-1123 label: at most 63/);
            rejects(() => is.dnsLabel("abcdefgh", { maxLength: 7 }), "abcdefgh");
            rejects(() => is.dnsLabel("1-replicated", { letterFirst: true }), "1-replicated");
            rejects(() => is.dnsSubdomain("a..b"), "a..b");
            rejects(() => is.namePrefix("Hje"), "Hje");
            rejects(() => is.namePrefix("h"), "h");
            is.namePrefix("hje-dev");
        });
    });

    describe("pinned images", () => {
        const pinned = [
            "docker.io/curlimages/curl:8.16.0",
            "registry.k8s.io/kubectl:v1.35.1",
            "public.ecr.aws/aws-cli/aws-cli:2.32.9",
            "docker.io/jenkins/jenkins:2.568.2-jdk21",
            "123456789012.dkr.ecr.us-west-2.amazonaws.com/tools/curl:8.16.0",
            "registry.example.com:5000/curl:8.16.0",
            `docker.io/curlimages/curl@sha256:${"a".repeat(64)}`,
            `docker.io/curlimages/curl:8.16.0@sha256:${"b".repeat(64)}`,
        ];
        for (const image of pinned) {
            it(`accepts ${image.slice(0, 60)}`, () => {
                expect(pinnedImageProblem(image)).to.equal(undefined);
                is.pinnedImage(image);
            });
        }

        const unpinned: [string, RegExp][] = [
            ["docker.io/curlimages/curl:latest", /can move to another image/],
            ["docker.io/curlimages/curl", /has no tag/],
            ["docker.io/jenkins/jenkins:lts", /can move/],
            ["docker.io/jenkins/jenkins:stable", /can move/],
            ["docker.io/jenkins/jenkins:latest-jdk21", /can move/],
            ["docker.io/jenkins/jenkins:lts-jdk17", /can move/],
            ["docker.io/jenkins/jenkins:jdk21", /can move/],
            ["docker.io/library/nginx:main", /can move/],
            ["docker.io/library/alpine:edge", /can move/],
            ["docker.io/library/alpine:3", /can move/],
            ["docker.io/library/node:22.x", /can move/],
            // Two-number tags move with every patch release (3.13 → 3.13.16).
            ["docker.io/library/python:3.13-slim", /can move/],
            ["docker.io/library/nginx:1.27", /can move/],
            ["registry.k8s.io/kubectl:v1.35", /can move/],
            ["localhost:5000/curl:8.16.0", /fully qualified host name/],
            ["localhost:5000/curl", /fully qualified host name/],
            ["registry:5000/curl:8.16.0", /fully qualified host name/],
            ["10.0.0.5:5000/curl:8.16.0", /fully qualified host name/],
            ["curl:8.16.0", /Name the registry/],
            ["curlimages/curl:8.16.0", /fully qualified host name/],
            ["docker.io/Curl/curl:8.16.0", /repository path/],
            ["docker.io/curlimages/curl:8.16.0@sha256:abc", /A digest is @sha256:/],
            ["docker.io/curlimages/curl:8.16 0", /tag has 1–128/],
        ];
        for (const [image, why] of unpinned) {
            it(`rejects ${image}`, () => {
                expect(pinnedImageProblem(image)).to.match(why);
                const err = rejects(() => is.pinnedImage(image, "it needs curl"), image);
                expect(err.message)
                    .to.match(why)
                    .and.to.match(/Example: docker\.io\/curlimages\/curl:8\.16\.0; it needs curl\./);
            });
        }

        it("checks an image given as registry, repository and tag (HaJenkins)", () => {
            is.imageRegistry("docker.io");
            is.imageRepository("jenkins/jenkins");
            is.imageTag("2.568.2-jdk21");
            is.imageTag(`lts@sha256:${"c".repeat(64)}`);
            rejects(() => is.imageRegistry("localhost:5000"), "localhost:5000");
            rejects(() => is.imageRepository("jenkins//jenkins"), "jenkins//jenkins");
            rejects(() => is.imageTag("2.568.2@sha256:abc"), "2.568.2@sha256:abc");
            for (const tag of ["latest", "lts", "lts-jdk17", "latest-jdk21", "weekly"]) rejects(() => is.imageTag(tag), tag);
            // Jenkins weeklies are exact with two parts; other images need three.
            rejects(() => is.imageTag("2.569"), "2.569");
            is.imageTag("2.569", 2);
            rejects(() => is.imageTag("2", 2), "2");
        });
    });

    describe("versions", () => {
        it("accepts only exact X.Y.Z versions (a leading v only where asked)", () => {
            for (const ok of ["2.10.7", "88.5.3", "1.0.0-rc.1"]) expect(isExactVersion(ok), ok).to.equal(true);
            for (const bad of ["2.10", "^2.10.7", "~2.10.7", "2.10.x", "2.x", "latest", "v2.10.7", ">=1.0.0", "2.10.7 "]) {
                expect(isExactVersion(bad), bad).to.equal(false);
            }
            expect(isExactVersion("v2.10.7", true)).to.equal(true);
            expect(rejects(() => is.exactVersion("^2.10", "2.10.7"), "^2.10").message).to.match(/Pin an exact version such as 2\.10\.7/);
            rejects(() => is.exactVersion("v1.2.3", "1.2.3"), "v1.2.3");
            is.exactVersion("v1.2.3", "v1.2.3", true);
        });

        it("accepts Kubernetes minor versions 1.NN only", () => {
            expect(isKubernetesVersion("1.30")).to.equal(true);
            expect(isKubernetesVersion("1.35")).to.equal(true);
            for (const bad of ["1.3", "1.05", "1.35.2", "v1.35", "2.30", "1.300"]) expect(isKubernetesVersion(bad), bad).to.equal(false);
            rejects(() => is.kubernetesVersion("1.3"), "1.3");
            is.kubernetesVersion("1.35");
        });

        it("accepts only the Kubernetes minors EKS runs (awsFacts.ts), from the program's minimum on", () => {
            for (const v of EKS_KUBERNETES_VERSIONS) is.kubernetesVersion(v);
            // 1.20: long out of EKS support; 1.30: EKS support over (extended ended 2026-07); 1.99: does not exist.
            for (const bad of ["1.20", "1.30", "1.99"]) {
                expect(rejects(() => is.kubernetesVersion(bad), bad).message).to.match(/EKS runs 1\.32, .*needs at least 1\.30/);
            }
        });
    });

    describe("CIDRs", () => {
        it("accepts canonical IPv4 CIDRs only", () => {
            for (const ok of ["10.0.0.0/16", "203.0.113.0/24", "0.0.0.0/0", "198.51.100.7/32"]) expect(isIpv4Cidr(ok), ok).to.equal(true);
            for (const bad of ["10.0.0.0/33", "256.0.0.0/8", "198.51.100.7/24", "10.0.0.0", "::/0", "10.0.0/16"]) {
                expect(isIpv4Cidr(bad), bad).to.equal(false);
            }
            rejects(() => is.cidr("10.0.0.0/33"), "10.0.0.0/33");
        });

        it("refuses source ranges that together open to the world unless opted in, naming the list", () => {
            const open = { allowed: false, key: "ha-jenkins-eks:allowX", what: "Grafana" };
            is.sourceRanges(["203.0.113.0/24"], open);
            const err = rejects(() => is.sourceRanges(["203.0.113.0/24", "0.0.0.0/0"], open), ["203.0.113.0/24", "0.0.0.0/0"]);
            expect(err.message).to.match(
                /Refusing to open Grafana to the internet: together these ranges cover 100 % of the public IPv4 space.*set ha-jenkins-eks:allowX to true/,
            );
            rejects(() => is.sourceRanges(["0.0.0.0/1", "128.0.0.0/1"], open), ["0.0.0.0/1", "128.0.0.0/1"]);
            is.sourceRanges(["0.0.0.0/0"], { ...open, allowed: true });
            rejects(() => is.sourceRanges(["203.0.113.7/24"], open), "203.0.113.7/24");
        });
    });

    describe("Kubernetes quantities", () => {
        it("parses every suffix to base units", () => {
            expect(parseQuantity("500m")).to.equal(0.5);
            expect(parseQuantity("2")).to.equal(2);
            expect(parseQuantity("20Gi")).to.equal(20 * 2 ** 30);
            expect(parseQuantity("1.5G")).to.equal(1.5e9);
            expect(parseQuantity("1Ti")).to.equal(2 ** 40);
            for (const bad of ["", "Gi", "20gi", "20 Gi", "-1Gi", "20GB", "1e3"]) expect(parseQuantity(bad), bad).to.equal(undefined);
            expect(parseQuantity("2Gi", ["", "m"])).to.equal(undefined);
        });

        it("enforces suffixes, whole numbers and minimums", () => {
            const size = { suffixes: ["Gi", "Ti"], whole: true, example: "20Gi" };
            is.quantity("20Gi", size);
            for (const bad of ["20", "20G", "1.5Gi", "0Gi", "20gi", "lots"]) rejects(() => is.quantity(bad, size), bad);
            const err = rejects(() => is.quantity("512Mi", { suffixes: ["Mi", "Gi"], min: "1Gi", example: "50Gi" }), "512Mi");
            expect(err.message).to.match(/such as "50Gi" \(Mi, Gi\), at least 1Gi\./);
            is.quantity("250m", { suffixes: ["", "m"], example: "250m" });
            rejects(() => is.quantity("0m", { suffixes: ["", "m"], example: "250m" }), "0m");
        });
    });

    describe("cron", () => {
        it("accepts five fields with ranges, steps, lists and names", () => {
            for (const ok of ["0 * * * *", "*/15 * * * *", "30 2 * * *", "0 0-23/6 * * MON-FRI", "0 3 1,15 JAN,jul *", "0 0 * * 7"]) {
                expect(typeof parseCron(ok), ok).to.equal("object");
                is.cron(ok);
            }
        });

        const bad: [string, RegExp][] = [
            ["0 * * *", /five fields/],
            ["0 * * * * *", /five fields/],
            ["60 * * * *", /minute field "60"/],
            ["0 24 * * *", /hour field/],
            ["0 0 0 * *", /day of month field/],
            ["0 0 * 13 *", /month field/],
            ["0 0 * * 8", /day of week field/],
            ["*/0 * * * *", /minute field/],
            ["5-1 * * * *", /minute field/],
            ["0 0 * FOO *", /month field/],
            ["@hourly", /five fields/],
            ["0 0 30 2 *", /never runs/],
        ];
        for (const [expr, why] of bad) {
            it(`rejects "${expr}"`, () => {
                expect(rejects(() => is.cron(expr), expr).message).to.match(why);
            });
        }

        it("measures the longest gap between runs", () => {
            expect(maxScheduleGapSeconds("0 * * * *")).to.equal(3600);
            expect(maxScheduleGapSeconds("30 2 * * *")).to.equal(86400);
            expect(maxScheduleGapSeconds("0 0 * * 1,5")).to.equal(4 * 86400);
            expect(maxScheduleGapSeconds("0 0 30 2 *")).to.equal(undefined);
        });
    });

    describe("AWS", () => {
        const kmsKey = { service: "kms", resource: /^(key|alias)\/.+$/, regional: true, example: "arn:aws:kms:us-west-2:123456789012:key/<id>" };
        const role = { service: "iam", resource: /^role\/.+$/, regional: false, example: "arn:aws:iam::123456789012:role/admin" };

        it("parses ARNs and checks service, resource, account and region", () => {
            expect(parseArn("arn:aws:iam::123456789012:role/admin")).to.deep.equal({
                partition: "aws",
                service: "iam",
                region: "",
                account: "123456789012",
                resource: "role/admin",
            });
            is.arn("arn:aws:kms:us-west-2:123456789012:key/abc", kmsKey);
            is.arn("arn:aws:iam::123456789012:role/ops/admin", role);
            // ARNs of other partitions: the program writes arn:aws: (awsFacts.ts).
            for (const other of ["arn:aws-us-gov:iam::123456789012:role/ops/admin", "arn:aws-cn:iam::123456789012:role/admin"]) {
                expect(rejects(() => is.arn(other, role), other).message).to.match(/commercial partition \(arn:aws:\), not aws-/);
            }
            expect(
                rejects(() => is.arn("arn:aws:kms:zz-west-9:123456789012:key/abc", kmsKey), "arn:aws:kms:zz-west-9:123456789012:key/abc").message,
            ).to.match(/no AWS commercial region zz-west-9/);
            for (const bad of [
                "arn:aws:kms:us-west-2:123456789012:bucket/abc",
                "arn:aws:s3:us-west-2:123456789012:key/abc",
                "arn:aws:kms::123456789012:key/abc",
                "arn:aws:kms:us-west-2:1234:key/abc",
                "key/abc",
            ]) {
                rejects(() => is.arn(bad, kmsKey), bad);
            }
            rejects(() => is.arn("arn:aws:iam:us-east-1:123456789012:role/admin", role), "arn:aws:iam:us-east-1:123456789012:role/admin");
            const err = rejects(
                () => is.arn("arn:aws:kms:us-east-1:123456789012:key/abc", kmsKey, { name: "us-west-2", why: "Use a key of us-west-2." }),
                "arn:aws:kms:us-east-1:123456789012:key/abc",
            );
            expect(err.message).to.match(/Use a key of us-west-2\./);
        });

        it("checks AWS tags against AWS's limits: 50 tags, keys ≤ 128, values ≤ 256, no aws: prefix", () => {
            is.awsTags({ team: "storage", "cost-center": "x".repeat(256), ["k".repeat(128)]: "v" });
            const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
            is.awsTags(fifty);
            expect(rejects(() => is.awsTags({ ...fifty, k50: "v" }), { ...fifty, k50: "v" }).message).to.match(/at most 50 tags/);
            expect(rejects(() => is.awsTags({ "AWS:cost": "x" }), { "AWS:cost": "x" }).message).to.match(/aws: prefix is reserved/);
            expect(rejects(() => is.awsTags({ ["k".repeat(129)]: "v" }), { ["k".repeat(129)]: "v" }).message).to.match(/AWS allows 128/);
            expect(rejects(() => is.awsTags({ team: "x".repeat(257) }), { team: "x".repeat(257) }).message).to.match(/AWS allows 256/);
        });

        it("knows the instance families a storage node can be (awsFacts.ts)", () => {
            for (const ok of ["m6i.large", "m7i-flex.large", "r7g.2xlarge", "u-6tb1.metal", "is4gen.large", "t3.micro"]) {
                expect(instanceFamilyProblem(ok), ok).to.equal(undefined);
            }
            expect(instanceFamilyProblem("m6l.large")).to.match(/no current-generation EC2 family m6l/);
            expect(instanceFamilyProblem("zz9.large")).to.match(/no current-generation EC2 family zz9/);
            for (const other of ["mac1.metal", "p4d.24xlarge", "g5.xlarge"])
                expect(instanceFamilyProblem(other), other).to.match(/not a storage-node family/);
        });

        it("refuses private and special-use ranges as public endpoint CIDRs, not documentation or public ones", () => {
            for (const internal of ["10.0.0.0/8", "10.1.0.0/16", "172.16.0.0/12", "192.168.1.0/24", "100.64.0.0/10", "127.0.0.1/32"]) {
                expect(isNonPublicIpv4Cidr(internal), internal).to.equal(true);
            }
            for (const pub of ["198.51.100.0/24", "8.0.0.0/8", "0.0.0.0/0", "172.32.0.0/16"]) expect(isNonPublicIpv4Cidr(pub), pub).to.equal(false);
        });

        it("reads versions from image tags: python for the gate, kubectl within one minor of the cluster", () => {
            expect(pythonTooOld("docker.io/library/python:3.7.17-slim", { major: 3, minor: 8 })).to.match(/python is 3\.7/);
            expect(pythonTooOld("docker.io/library/python:3.8.0", { major: 3, minor: 8 })).to.equal(undefined);
            expect(pythonTooOld("docker.io/library/python:3.13.15-slim-trixie", { major: 3, minor: 8 })).to.equal(undefined);
            expect(pythonTooOld("registry.example.com/tools/gate:1.0.0", { major: 3, minor: 8 }), "other names pass").to.equal(undefined);
            expect(kubectlSkewProblem("registry.k8s.io/kubectl:v1.20.0", "1.35")).to.match(/kubectl 1\.20 is outside/);
            for (const ok of ["v1.34.2", "v1.35.1", "v1.36.0"])
                expect(kubectlSkewProblem(`registry.k8s.io/kubectl:${ok}`, "1.35"), ok).to.equal(undefined);
            expect(kubectlSkewProblem("registry.k8s.io/kubectl:v1.33.0", "1.35")).to.match(/outside/);
        });

        it("checks regions and resource IDs", () => {
            is.awsRegion("eu-central-1");
            is.awsRegion("mx-central-1");
            for (const bad of ["eu-central", "EU-central-1", "us-west-2a"]) rejects(() => is.awsRegion(bad), bad);
            // Existence: well-formed but unknown, or of another partition (botocore partitions.json; awsFacts.ts).
            expect(rejects(() => is.awsRegion("zz-west-9"), "zz-west-9").message).to.match(/no AWS commercial region/);
            for (const other of ["us-gov-west-1", "cn-north-1"]) {
                expect(rejects(() => is.awsRegion(other), other).message).to.match(/another AWS partition/);
            }
            is.awsId("vpc-0123456789abcdef0", "vpc");
            rejects(() => is.awsId("subnet-0123456789abcdef0", "vpc"), "subnet-0123456789abcdef0");
            rejects(() => is.awsId("ami-123", "ami"), "ami-123");
        });
    });

    describe("integers, choices, booleans, lists", () => {
        it("checks integer ranges", () => {
            is.integer(20, { min: 20, max: 16384 });
            is.integer(16384, { min: 20, max: 16384 });
            expect(rejects(() => is.integer(19, { min: 20, max: 16384 }), 19).message).to.match(/Must be an integer from 20 to 16384\./);
            rejects(() => is.integer(16385, { min: 20, max: 16384 }), 16385);
            rejects(() => is.integer(1.5), 1.5);
            rejects(() => is.integer("5" as unknown as number), "5");
            expect(rejects(() => is.integer(0, { min: 1 }), 0).message).to.match(/≥ 1/);
        });

        it("checks one-of choices, booleans and required values", () => {
            is.oneOf("gp3", ["gp3", "gp2"]);
            expect(rejects(() => is.oneOf("io2", ["gp3", "gp2"], "small volumes"), "io2").message).to.match(/Allowed: gp3, gp2 \(small volumes\)\./);
            is.boolean(false);
            rejects(() => is.boolean("yes" as unknown as boolean), "yes");
            expect(rejects(() => is.dnsLabel(undefined), undefined).message).to.match(/\(not set\)\. It must be set\./);
            is.ifSet.dnsLabel(undefined);
            rejects(() => is.ifSet.dnsLabel("Bad"), "Bad");
        });

        it("checks every list entry, naming the entry", () => {
            is.list(["a", "b"], (v, c) => c.dnsLabel(v), { nonEmpty: true, unique: true });
            rejects(() => is.list(["a", "B"], (v, c) => c.dnsLabel(v)), "B");
            rejects(() => is.list([], (v: string, c) => c.dnsLabel(v), { nonEmpty: true }), []);
            rejects(() => is.list(["a", "a"], (v, c) => c.dnsLabel(v), { unique: true }), ["a", "a"]);
            rejects(() => is.stringMap({ a: 1 } as unknown as Record<string, string>), { a: 1 });
        });
    });

    describe("validateFields", () => {
        interface S {
            readonly name: string;
            readonly size: number;
            readonly zone?: string;
        }
        const RULES: FieldRules<S> = {
            name: (v, c) => c.dnsLabel(v),
            size: (v, c) => c.integer(v, { min: 1, max: 10 }),
            zone: (v, c, s) => {
                if (v !== undefined && !v.startsWith(s.name.slice(0, 1))) c.fail(v, `Must start with ${s.name}.`);
            },
        };
        const keyOf = (f: string) => `Thing.${f}`;

        it("passes valid settings and names the field's key", () => {
            validateFields<S>({ name: "a", size: 3, zone: "a-1" }, RULES, keyOf);
            const e = thrown(() => validateFields<S>({ name: "a", size: 11 }, RULES, keyOf)) as ConfigError;
            expect(e.key).to.equal("Thing.size");
        });

        it("reports every wrong field at once", () => {
            const e = thrown(() => validateFields<S>({ name: "A", size: 0 }, RULES, keyOf)) as ConfigError;
            expect(e.problems.map((p) => p.key)).to.deep.equal(["Thing.name", "Thing.size"]);
        });

        it("stops at a rule that crashes on an earlier bad field, reporting what it found", () => {
            const e = thrown(() => validateFields<S>({ name: undefined as unknown as string, size: 3, zone: "x" }, RULES, keyOf)) as ConfigError;
            expect(e).to.be.instanceOf(ConfigError);
            expect(e.problems.map((p) => p.key)).to.deep.equal(["Thing.name"]);
        });
    });
});
