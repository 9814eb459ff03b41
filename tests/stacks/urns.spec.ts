/**
 * File moves must not change what a deployed stack sees: every resource URN of the shipped dev and dr
 * stacks is compared with the baseline recorded before the move (tests/support/urns/<stack>.json).
 * A changed URN means Pulumi would replace the resource; add an `alias` instead of updating the baseline.
 * `UPDATE_URNS=1 TS_NODE_TRANSPILE_ONLY=true npx mocha tests/stacks/urns.spec.ts` rewrites the baseline (only for deliberate new resources).
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import type { MockAlias, MockRecord } from "../../stacks/offline/mockCloud";
import { evaluatedDev, evaluatedDr } from "../support/stackEvaluation";

const baselineFile = (stack: string) => path.join(__dirname, "..", "support", "urns", `${stack}.json`);

type Record_ = MockRecord;

/**
 * The URN the engine would assign. The mock monitor's `newUrn` prefixes only the immediate parent's type
 * (pulumi/pulumi:sdk/nodejs/runtime/mocks.ts); the engine qualifies a type with every ancestor's, so a
 * change two levels up would go unseen. Rebuild the whole chain from the recorded parents.
 */
function engineUrns(records: readonly MockRecord[]): { urn: string; aliases: string[] }[] {
    const byMockUrn = new Map(records.flatMap((r) => (r.options ? [[r.options.urn, r] as const] : [])));
    const prefix = (r: Record_) => r.options!.urn.split("::").slice(0, 2).join("::");
    const qualifiedType = (type: string, parentMockUrn: string | undefined): string => {
        const parent = parentMockUrn ? byMockUrn.get(parentMockUrn) : undefined;
        return parent ? `${qualifiedType(parent.type, parent.options!.parent)}$${type}` : type;
    };
    const urnOf = (r: Record_, type: string, name: string, parentMockUrn: string | undefined) =>
        `${prefix(r)}::${qualifiedType(type, parentMockUrn)}::${name}`;
    // An alias spec's empty fields mean "as now"; no parent (or the root stack) means top level (alias.proto).
    const aliasUrn = (r: Record_, a: MockAlias): string =>
        a.urn ??
        urnOf(
            r,
            a.type ?? r.type,
            a.name ?? r.name,
            a.noParent || a.parentUrn?.includes("::pulumi:pulumi:Stack::") ? undefined : (a.parentUrn ?? r.options!.parent),
        );
    return [...byMockUrn.values()].map((r) => ({
        urn: urnOf(r, r.type, r.name, r.options!.parent),
        aliases: r.options!.aliases.map((a) => aliasUrn(r, a)),
    }));
}

/** Every resource keeps its URN, or names its baseline URN among its aliases (so Pulumi moves it, never replaces it). */
function compare(stack: string, records: readonly MockRecord[]): void {
    const actual = engineUrns(records);
    const file = baselineFile(stack);
    const read = (): string[] => JSON.parse(fs.readFileSync(file, "utf8"));
    const matchIn = (urns: string[]) => (a: { urn: string; aliases: string[] }) => [a.urn, ...a.aliases].find((u) => urns.includes(u));
    // Updating keeps the recorded URN of a resource that moved with an alias, so the move stays proven.
    if (process.env.UPDATE_URNS === "1")
        fs.writeFileSync(file, `${JSON.stringify(actual.map((a) => matchIn(read())(a) ?? a.urn).sort(), null, 2)}\n`);
    const baseline = read();
    const matched = matchIn(baseline);
    expect(
        actual.filter((a) => matched(a) === undefined).map((a) => a.urn),
        `new URNs in ${stack}`,
    ).to.deep.equal([]);
    const kept = new Set(actual.map(matched));
    expect(
        baseline.filter((u) => !kept.has(u)),
        `URNs gone from ${stack}`,
    ).to.deep.equal([]);
}

describe("resource URNs of the shipped stacks", () => {
    it("dev: every URN is unchanged", async () => {
        // The shared evaluation keeps every registration as the mock recorded it, options (aliases) included.
        const records = (await evaluatedDev({ "ha-jenkins-eks:onDemandSnapshotName": "jenkins-manual" })).records as readonly MockRecord[];
        expect(engineUrns(records).length).to.be.greaterThan(50);
        compare("dev", records);
    });

    it("dr: every URN is unchanged", async () => {
        const records = (await evaluatedDr()).records as readonly MockRecord[];
        expect(engineUrns(records).length).to.be.greaterThan(30);
        compare("dr", records);
    });
});
