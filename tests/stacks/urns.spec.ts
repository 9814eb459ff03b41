/**
 * File moves must not change what a deployed stack sees: every resource URN of the shipped dev and dr
 * stacks is compared with the baseline recorded before the move (tests/support/urns/<stack>.json).
 * A changed URN means Pulumi would replace the resource; add an `alias` instead of updating the baseline.
 * `UPDATE_URNS=1 npm run mocha -- tests/stacks/urns.spec.ts` rewrites the baseline (only for deliberate new resources).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { loadConfig } from "../../stacks/config";
import { deployDr } from "../../stacks/dr";
import { deployPrimary } from "../../stacks/primary";
import { loadStackConfig } from "../../stacks/offline/stackFile";
import { recorded, resetRecords, settle, stackOutputs, useStack, valueOf } from "../support/mocks";

const PRIMARY = "organization/ha-jenkins-eks/dev";
const baselineFile = (stack: string) => path.join(__dirname, "..", "support", "urns", `${stack}.json`);

/**
 * The URN the engine would assign. The mock monitor's `newUrn` prefixes only the immediate parent's type
 * (pulumi/pulumi:sdk/nodejs/runtime/mocks.ts); the engine qualifies a type with every ancestor's, so a
 * change two levels up would go unseen. Rebuild the whole chain from the recorded parents.
 */
function urns(): string[] {
    const byMockUrn = new Map(recorded.flatMap((r) => (r.options ? [[r.options.urn, r] as const] : [])));
    const qualifiedType = (r: (typeof recorded)[number]): string => {
        const parent = r.options?.parent ? byMockUrn.get(r.options.parent) : undefined;
        return parent ? `${qualifiedType(parent)}$${r.type}` : r.type;
    };
    return [...byMockUrn.values()]
        .map((r) => `${r.options!.urn.split("::").slice(0, 2).join("::")}::${qualifiedType(r)}::${r.name}`)
        .sort();
}

function compare(stack: string, actual: string[]): void {
    const file = baselineFile(stack);
    if (process.env.UPDATE_URNS === "1") fs.writeFileSync(file, JSON.stringify(actual, null, 2) + "\n");
    const baseline: string[] = JSON.parse(fs.readFileSync(file, "utf8"));
    expect(actual.filter((u) => !baseline.includes(u)), `new URNs in ${stack}`).to.deep.equal([]);
    expect(baseline.filter((u) => !actual.includes(u)), `URNs gone from ${stack}`).to.deep.equal([]);
}

async function plain(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const entries = await Promise.all(Object.entries(outputs).map(async ([k, v]) => [k, await valueOf(v as any)] as const));
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

describe("resource URNs of the shipped stacks", () => {
    let devOutputs: Record<string, unknown>;
    before(async () => {
        const { config, secretKeys } = loadStackConfig("dev");
        useStack("dev", { ...config, "ha-jenkins-eks:onDemandSnapshotName": "jenkins-manual" }, secretKeys);
        resetRecords();
        devOutputs = await plain(await deployPrimary(loadConfig()));
        await settle();
    });

    it("dev: every URN is unchanged", () => {
        expect(urns().length).to.be.greaterThan(50);
        compare("dev", urns());
    });

    it("dr: every URN is unchanged", async () => {
        stackOutputs[PRIMARY] = { ...devOutputs };
        try {
            const { config, secretKeys } = loadStackConfig("dr");
            useStack("dr", config, secretKeys);
            resetRecords();
            const outputs = await deployDr(loadConfig());
            await valueOf(outputs.clusterName);
            await settle();
            expect(urns().length).to.be.greaterThan(30);
            compare("dr", urns());
        } finally {
            delete stackOutputs[PRIMARY];
        }
    });
});
