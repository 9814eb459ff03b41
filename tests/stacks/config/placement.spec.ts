/**
 * Where a stack is placed: zone names of the region's exact form (checked before any lookup), then at deploy the
 * zones proved to be availability zones of the region and an existing VPC's subnets looked up (stacks/zones.ts),
 * against a mock cloud that filters zones like EC2 and fails on unknown subnets like the provider.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ConfigError } from "../../../components/shared/errors";
import { availabilityZoneProblem } from "../../../components/shared/validation";
import { loadConfig } from "../../../stacks/config";
import type { ExistingSubnet } from "../../../stacks/offline/mockCloud";
import { deployPrimary } from "../../../stacks/primary";
import { resolveAvailabilityZones } from "../../../stacks/zones";
import { recorded, resetRecords, setAvailableZones, setExistingSubnets, settle, useStack } from "../../support/mocks";
import { QUICK_START_API_ACCESS } from "../../support/stacks";

const K = (key: string) => `ha-jenkins-eks:${key}`;
const base = { "aws:region": "us-west-2", ...QUICK_START_API_ACCESS };
const zones = (...names: string[]) => ({ [K("availabilityZones")]: JSON.stringify(names) });

/** The zones the stack would span, or the error it stops with; records nothing either way. */
async function place(config: Record<string, string>): Promise<string[] | Error> {
    useStack("dev", { ...base, ...config });
    resetRecords();
    try {
        return await resolveAvailabilityZones(loadConfig());
    } catch (e) {
        return e as Error;
    } finally {
        expect(recorded, "nothing registered").to.deep.equal([]);
    }
}
const message = (r: string[] | Error) => (r instanceof Error ? r.message : `accepted: ${r.join(", ")}`);

describe("placement: zones and subnets", () => {
    afterEach(() => {
        setAvailableZones(undefined);
        setExistingSubnets(undefined);
    });
    after(() => useStack("dev", { "aws:region": "us-west-2" }));

    describe("zone names of the region's exact form", () => {
        const cases: [string, string, RegExp][] = [
            ["us-west-2а", "a Cyrillic а", /contains whitespace or a non-ASCII character; write the zone as us-west-2 and one letter/],
            ["us-west-2a\u00a0", "a non-breaking space", /Entry "us-west-2a\u00a0" is empty or has leading or trailing whitespace/],
            ["us-west-2-lax-1a", "a Local Zone", /is a Local Zone; use the availability zones of us-west-2/],
            ["us-west-2-wl1-las-wlz-1", "a Wavelength Zone", /is a Wavelength Zone/],
            ["us-east-1a", "another region's zone", /is a zone of us-east-1, not of the stack's region us-west-2/],
            ["usw2-az1", "a zone ID", /Use availability zone names of the region us-west-2: the region and one letter/],
            ["US-WEST-2A", "upper case", /the region and one letter/],
            ["us-west-2aa", "two letters", /the region and one letter/],
            ["us-west-2a-evil", "a prefix trick", /the region and one letter/],
        ];
        for (const [zone, what, allowed] of cases) {
            it(`refuses ${what} before any lookup`, async () => {
                const r = await place(zones(zone, "us-west-2b", "us-west-2c"));
                expect(r).to.be.instanceOf(ConfigError);
                expect((r as ConfigError).problems.map((p) => p.key)).to.deep.equal([K("availabilityZones")]);
                expect(message(r)).to.match(allowed);
            });
        }
        it("the form alone (availabilityZoneProblem)", () => {
            expect(availabilityZoneProblem("us-west-2z", "us-west-2"), "form ok: existence is the lookup's").to.equal(undefined);
            expect(availabilityZoneProblem("us-west-2a", "us-west-2")).to.equal(undefined);
            expect(availabilityZoneProblem("us-west-2a ", "us-west-2")).to.match(/whitespace/);
        });
    });

    describe("at deploy, among the region's availability zones", () => {
        it("refuses a zone the region does not have (us-west-2z), listing the ones it has", async () => {
            const r = await place(zones("us-west-2a", "us-west-2b", "us-west-2z"));
            expect(message(r)).to.equal(
                'Invalid value for ha-jenkins-eks:availabilityZones: ["us-west-2a","us-west-2b","us-west-2z"]. us-west-2z is not an availability ' +
                    "zone of us-west-2; it has us-west-2a, us-west-2b, us-west-2c, us-west-2d (Local and Wavelength Zones are refused).",
            );
        });

        it("stops the whole program before its first resource", async () => {
            useStack("dev", { ...base, ...zones("us-west-2a", "us-west-2b", "us-west-2z") });
            resetRecords();
            const e = await deployPrimary(loadConfig()).then(
                () => undefined,
                (err) => err,
            );
            await settle();
            expect(e).to.be.instanceOf(ConfigError);
            expect((e as ConfigError).key).to.equal(K("availabilityZones"));
            expect(recorded.map((r) => r.type)).to.deep.equal([]);
        });

        it("never counts a Local Zone the account opted in to as an availability zone", async () => {
            setAvailableZones(["us-west-2a", "us-west-2b", "us-west-2-lax-1a", "us-west-2-lax-1b"]);
            expect(message(await place({}))).to.match(
                /ha-jenkins-eks:azCount: 3\. Region us-west-2 offers only 2 availability zones \(us-west-2a, us-west-2b\)/,
            );
            setAvailableZones(["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2-lax-1a"]);
            expect(await place({})).to.deep.equal(["us-west-2a", "us-west-2b", "us-west-2c"]);
        });

        it("accepts the region's zones, configured or looked up", async () => {
            expect(await place(zones("us-west-2b", "us-west-2c", "us-west-2d"))).to.deep.equal(["us-west-2b", "us-west-2c", "us-west-2d"]);
            expect(await place({ [K("azCount")]: "4" })).to.deep.equal(["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"]);
        });

        it("turns a failed lookup into a clear RunError (no stack trace), not a crash", async () => {
            setAvailableZones(
                new Proxy([], {
                    get: () => {
                        throw new Error("UnauthorizedOperation");
                    },
                }) as string[],
            );
            const r = await place(zones("us-west-2a", "us-west-2b", "us-west-2c"));
            expect(pulumi.RunError.isInstance(r)).to.equal(true);
            expect(message(r)).to.match(
                /^Could not look up the availability zones of us-west-2 to check ha-jenkins-eks:availabilityZones: .*Check the stack's AWS credentials/,
            );
        });
    });

    describe("existing subnets: one per zone, in order, in vpcId", () => {
        const VPC = "vpc-0123456789abcdef0";
        const IDS = ["subnet-0a0a0a0a0a0a0a0a1", "subnet-0a0a0a0a0a0a0a0a2", "subnet-0a0a0a0a0a0a0a0a3"];
        const vpc = { [K("vpcId")]: VPC, [K("privateSubnetIds")]: JSON.stringify(IDS) };
        const at = (azs: string[], vpcs = [VPC, VPC, VPC]): Record<string, ExistingSubnet> =>
            Object.fromEntries(IDS.map((id, i) => [id, { availabilityZone: azs[i], vpcId: vpcs[i] }]));

        const cases: [string, Record<string, ExistingSubnet>, RegExp][] = [
            [
                "three subnets in one AZ",
                at(["us-west-2a", "us-west-2a", "us-west-2a"]),
                /subnet-0a0a0a0a0a0a0a0a1 and subnet-0a0a0a0a0a0a0a0a2 and subnet-0a0a0a0a0a0a0a0a3 are all in us-west-2a; no subnet is in us-west-2b, us-west-2c/,
            ],
            [
                "a subnet of another VPC",
                at(["us-west-2a", "us-west-2b", "us-west-2c"], [VPC, "vpc-0fedcba9876543210", VPC]),
                /subnet-0a0a0a0a0a0a0a0a2 is in vpc-0fedcba9876543210, not in vpcId vpc-0123456789abcdef0/,
            ],
            [
                "subnets out of zone order",
                at(["us-west-2b", "us-west-2a", "us-west-2c"]),
                /their zones are us-west-2b, us-west-2a, us-west-2c: list them in the order of availabilityZones/,
            ],
            [
                "a subnet outside the zones",
                at(["us-west-2a", "us-west-2b", "us-west-2d"]),
                /no subnet is in us-west-2c; subnet-0a0a0a0a0a0a0a0a3 is in us-west-2d, not in availabilityZones/,
            ],
        ];
        for (const [what, subnets, why] of cases) {
            it(`refuses ${what}`, async () => {
                setExistingSubnets(subnets);
                const r = await place(vpc);
                expect(r).to.be.instanceOf(ConfigError);
                expect(message(r)).to.match(
                    /^Invalid value for ha-jenkins-eks:privateSubnetIds: \[.*\]\. Give exactly one subnet of vpcId per availability zone/,
                );
                expect(message(r)).to.match(why);
            });
        }

        it("refuses a subnet that does not exist, naming the key", async () => {
            setExistingSubnets({
                [IDS[0]]: { availabilityZone: "us-west-2a", vpcId: VPC },
                [IDS[1]]: { availabilityZone: "us-west-2b", vpcId: VPC },
            });
            expect(message(await place(vpc))).to.match(
                /ha-jenkins-eks:privateSubnetIds: .*There is no subnet subnet-0a0a0a0a0a0a0a0a3 in this account and region/,
            );
        });

        it("checks public subnets the same way, and reports both lists at once", async () => {
            const pub = ["subnet-0b0b0b0b0b0b0b0b1", "subnet-0b0b0b0b0b0b0b0b2", "subnet-0b0b0b0b0b0b0b0b3"];
            setExistingSubnets({
                ...at(["us-west-2a", "us-west-2a", "us-west-2c"]),
                ...Object.fromEntries(pub.map((id) => [id, { availabilityZone: "us-west-2c", vpcId: VPC }])),
            });
            const r = await place({ ...vpc, [K("publicSubnetIds")]: JSON.stringify(pub) });
            expect((r as ConfigError).problems.map((p) => p.key)).to.deep.equal([K("privateSubnetIds"), K("publicSubnetIds")]);
        });

        it("accepts one subnet per zone in order", async () => {
            setExistingSubnets(at(["us-west-2a", "us-west-2b", "us-west-2c"]));
            expect(await place(vpc)).to.deep.equal(["us-west-2a", "us-west-2b", "us-west-2c"]);
        });
    });
});
