/**
 * A few hundred invalid configurations, kept apart from the program (invalidConfigs.json: each entry overrides the
 * shipped Pulumi.<stack>.yaml and names the key its error must name): none may be accepted, and each must be refused
 * with a ConfigError (a RunError: no stack trace under the CLI) that names that key and only well-formed keys.
 *
 * Cheap by construction: `loadConfig` alone (no resources), plus the zone and subnet lookups of `resolveAvailabilityZones`
 * (two invokes answered by the mock) for `stage: deploy` entries. No full stack evaluation per entry.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ConfigError } from "../../components/shared/errors";
import { loadConfig } from "../../stacks/config";
import type { ExistingSubnet } from "../../stacks/offline/mockCloud";
import { resolveAvailabilityZones } from "../../stacks/zones";
import { setAvailableZones, setExistingSubnets, useStack } from "../support/mocks";
import { stackConfig } from "../support/stacks";

interface InvalidConfig {
    readonly class: string;
    readonly what: string;
    readonly stack: "dev" | "dr";
    /** Overrides of the stack file; bare keys are the project's; null removes the key. */
    readonly config: Record<string, string | null>;
    readonly expectKey: string;
    readonly stage?: "deploy";
    readonly secretKeys?: string[];
    readonly mock?: { readonly availableZones?: string[]; readonly subnets?: Record<string, ExistingSubnet> };
}

const FILE = path.join(__dirname, "invalidConfigs.json");
const { entries } = JSON.parse(fs.readFileSync(FILE, "utf8")) as { entries: InvalidConfig[] };
const full = (key: string) => (key.includes(":") ? key : `ha-jenkins-eks:${key}`);
/** What a key an error names looks like: `<namespace>:<key>` (a project, provider or near-miss namespace). */
const KEY = /^[A-Za-z0-9_-]+:[A-Za-z0-9_]+$/;

const shipped = { dev: stackConfig("dev"), dr: stackConfig("dr") };

/** The error evaluating the entry raises, or undefined when it is accepted. */
async function refusal(entry: InvalidConfig): Promise<unknown> {
    const { config, secretKeys } = shipped[entry.stack];
    const merged: Record<string, string> = { ...config };
    for (const [key, value] of Object.entries(entry.config)) {
        if (value === null) delete merged[full(key)];
        else merged[full(key)] = value;
    }
    useStack(entry.stack, merged, [...secretKeys, ...(entry.secretKeys ?? []).map(full)]);
    setAvailableZones(entry.mock?.availableZones);
    setExistingSubnets(entry.mock?.subnets);
    // Nobody reads the stacks of the errors expected here: capturing (and source-mapping) them is most of the time.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
        const cfg = loadConfig();
        if (entry.stage === "deploy") await resolveAvailabilityZones(cfg);
    } catch (e) {
        return e;
    } finally {
        Error.stackTraceLimit = limit;
    }
    return undefined;
}

/** The values an entry stores as secrets, and the strings inside a JSON one (at least 4 characters, trimmed). */
function secretValues(entry: InvalidConfig): string[] {
    const out: string[] = [];
    const walk = (v: unknown): void => {
        if (typeof v === "string" && v.trim().length >= 4) out.push(v.trim());
        else if (Array.isArray(v)) v.forEach(walk);
        else if (v !== null && typeof v === "object") Object.values(v).forEach(walk);
    };
    for (const key of entry.secretKeys ?? []) {
        const value = entry.config[key];
        if (typeof value !== "string") continue;
        walk(value);
        try {
            walk(JSON.parse(value));
        } catch {
            // not JSON
        }
    }
    return out;
}

describe("invalid configurations (tests/hardening/invalidConfigs.json)", () => {
    after(() => {
        setAvailableZones(undefined);
        setExistingSubnets(undefined);
        useStack("dev", { "aws:region": "us-west-2" });
    });

    it("holds a few hundred, across every class of bad input", () => {
        // 490 before the issue-14 review, plus its 100 probes (/tmp/review/issue14-probes.md) minus those judged acceptable.
        expect(entries.length).to.be.at.least(500);
        const classes = new Set(entries.map((e) => e.class));
        for (const c of [
            "unknown key",
            "near-miss namespace",
            "empty value",
            "whitespace",
            "type",
            "contradiction",
            "zones",
            "subnets",
            "open to the internet",
            "namespace",
            "replicas",
            "image",
            "plugins",
            "plain secret",
            "version or type",
            "range or format",
            "pool",
            "dr",
            "switched off",
            "existence",
            "aws tags",
            "aws namespace",
            "secret echo",
        ]) {
            expect(classes.has(c), c).to.equal(true);
        }
        expect(new Set(entries.map((e) => JSON.stringify([e.stack, e.config, e.stage, e.mock, e.secretKeys]))).size, "no entry twice").to.equal(
            entries.length,
        );
    });

    it("the shipped stacks themselves are accepted (so each refusal is the entry's doing)", async () => {
        for (const stack of ["dev", "dr"] as const) {
            expect(await refusal({ class: "", what: "", stack, config: {}, expectKey: "" }), stack).to.equal(undefined);
            expect(
                await refusal({ class: "", what: "", stack, config: {}, expectKey: "", stage: stack === "dev" ? "deploy" : undefined }),
                stack,
            ).to.equal(undefined);
        }
    });

    const byClass = new Map<string, InvalidConfig[]>();
    for (const e of entries) byClass.set(e.class, [...(byClass.get(e.class) ?? []), e]);
    for (const [cls, list] of byClass) {
        describe(cls, () => {
            for (const entry of list) {
                it(`refuses ${entry.what}${entry.stack === "dr" ? " (DR stack)" : ""}, naming ${entry.expectKey}`, async () => {
                    const e = await refusal(entry);
                    expect(e, "accepted").to.not.equal(undefined);
                    expect(e, `not a ConfigError: ${(e as Error)?.message}`).to.be.instanceOf(ConfigError);
                    expect(pulumi.RunError.isInstance(e), "a RunError (no stack trace under the CLI)").to.equal(true);
                    const problems = (e as ConfigError).problems;
                    expect(
                        problems.map((p) => p.key),
                        (e as Error).message,
                    ).to.include(full(entry.expectKey));
                    for (const p of problems) {
                        expect(p.key, p.message).to.match(KEY);
                        expect(p.message).to.contain(`Invalid value for ${p.key}: `);
                    }
                    // A value stored with --secret never appears in an error (nor any string inside a JSON secret).
                    for (const secret of secretValues(entry)) {
                        expect((e as Error).message, "echoes a secret").to.not.contain(secret);
                        for (const p of problems) expect(JSON.stringify(p.value) ?? "", "echoes a secret").to.not.contain(secret);
                    }
                });
            }
        });
    }
});
