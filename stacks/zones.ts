/**
 * Where the stack is placed, checked against the account before any resource exists: the zones (looked up, or the
 * configured ones proved to be availability zones of the region) and, in an existing VPC, its subnets. The lookups
 * are invokes awaited by the program itself, not Outputs inside an apply, so a bad value still ends as a ConfigError
 * naming the key before the first registration; a lookup that fails (credentials, network) ends as a RunError saying
 * what it was checking.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EKS_UNSUPPORTED_ZONE_IDS } from "../components/shared/awsFacts";
import { ConfigError } from "../components/shared/errors";
import { projectKey, type StackConfig } from "./config";

/**
 * Zones DescribeAvailabilityZones lists as availability zones proper: no opt-in needed and zone type
 * availability-zone, so Local Zones and Wavelength Zones (opt-in, other zone types) never qualify, even once opted in
 * (aws.getAvailabilityZones docs: "When Local Zones are enabled in a region, by default the API and this data source
 * include both Local Zones and Availability Zones").
 */
const AZ_ONLY = [
    { name: "opt-in-status", values: ["opt-in-not-required"] },
    { name: "zone-type", values: ["availability-zone"] },
];

async function lookup<T>(what: string, key: string, call: () => Promise<T>, value?: unknown): Promise<T> {
    try {
        return await call();
    } catch (e) {
        // terraform-provider-aws (internal/tfresource SingularDataSourceFindError): "no matching EC2 Subnet found" when the
        // ID does not exist (DescribeSubnets' InvalidSubnetID.NotFound, read as not found).
        if (value !== undefined && /no matching .* found|InvalidSubnetID\.NotFound/i.test(String((e as Error).message))) {
            throw new ConfigError(projectKey(key), value, `There is no ${what} in this account and region (the lookup found none).`);
        }
        throw new pulumi.RunError(
            `Could not look up ${what} to check ${projectKey(key)}: ${(e as Error).message ?? e}. ` +
                "Check the stack's AWS credentials (aws:profile, aws:assumeRoles) and aws:region.",
        );
    }
}

/**
 * The AZs to span: the configured list, each proved to be an availability zone of the region (`us-west-2z` does not
 * exist; Local and Wavelength Zones are refused), else the first `azCount` availability zones of the region that are
 * available now. In an existing VPC, the subnets are checked too (checkExistingSubnets). Runs before any resource exists.
 */
export async function resolveAvailabilityZones(cfg: StackConfig): Promise<string[]> {
    const configured = cfg.cluster.availabilityZones;
    // A configured zone is checked whatever its state: an impaired zone must not block the `pulumi up` that works around it.
    const zones = await lookup(`the availability zones of ${cfg.region}`, configured ? "availabilityZones" : "azCount", () =>
        aws.getAvailabilityZones({ ...(configured ? {} : { state: "available" }), filters: AZ_ONLY }),
    );
    // EKS refuses control-plane subnets in a few zone IDs (awsFacts.ts EKS_UNSUPPORTED_ZONE_IDS): looked up by ID, since
    // names map to IDs per account.
    const unsupported = zones.names.filter((_, i) => EKS_UNSUPPORTED_ZONE_IDS.includes(zones.zoneIds?.[i] ?? ""));
    let chosen: string[];
    if (configured !== undefined) {
        const refused = configured.filter((z) => unsupported.includes(z));
        if (refused.length > 0) {
            throw new ConfigError(
                projectKey("availabilityZones"),
                configured,
                `EKS does not support ${refused
                    .map((z) => `${z} (${zones.zoneIds[zones.names.indexOf(z)]})`)
                    .join(", ")} in this account (EKS User Guide, VPC and subnet requirements; CreateCluster fails with ` +
                    `UnsupportedAvailabilityZoneException): choose other zones of ${cfg.region}.`,
            );
        }
        const missing = configured.filter((z) => !zones.names.includes(z));
        if (missing.length > 0) {
            throw new ConfigError(
                projectKey("availabilityZones"),
                configured,
                `${missing.join(", ")} ${missing.length === 1 ? "is not an availability zone" : "are not availability zones"} of ${cfg.region}; ` +
                    `it has ${zones.names.join(", ")} (Local and Wavelength Zones are refused).`,
            );
        }
        chosen = [...configured];
    } else {
        if (zones.names.length - unsupported.length < cfg.cluster.azCount) {
            throw new ConfigError(
                projectKey("azCount"),
                cfg.cluster.azCount,
                `Region ${cfg.region} offers only ${zones.names.length} availability zones (${zones.names.join(", ")}); ` +
                    `azCount asks for ${cfg.cluster.azCount} — lower it (at least 3) or choose a region with enough AZs.`,
            );
        }
        chosen = zones.names.filter((z) => !unsupported.includes(z)).slice(0, cfg.cluster.azCount);
    }
    await checkExistingSubnets(cfg, chosen);
    return chosen;
}

const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;

/**
 * In an existing VPC (`vpcId`), each configured subnet list must hold exactly one subnet per zone, in the order of the
 * zones (node group i runs in `privateSubnetIds[i]`, nodeGroups.ts), all of them in `vpcId`. Each subnet is looked
 * up (aws.ec2.getSubnet: its availabilityZone and vpcId). Lists of the wrong length or form are left to
 * LinstorCluster's own checks, which name them.
 */
export async function checkExistingSubnets(cfg: StackConfig, zones: readonly string[]): Promise<void> {
    const { vpcId } = cfg.cluster;
    if (vpcId === undefined) return;
    const problems: ConfigError[] = [];
    for (const key of ["privateSubnetIds", "publicSubnetIds"] as const) {
        const ids = cfg.cluster[key];
        if (ids === undefined || ids.length !== zones.length || !ids.every((id) => SUBNET_ID.test(id))) continue;
        const found = await Promise.all(
            ids.map((id) =>
                lookup(`subnet ${id}`, key, () => aws.ec2.getSubnet({ id }), ids).then((s) => ({ id, zone: s.availabilityZone, vpc: s.vpcId })),
            ),
        );
        const why: string[] = [];
        const foreign = found.filter((s) => s.vpc !== vpcId);
        if (foreign.length > 0) why.push(`${foreign.map((s) => `${s.id} is in ${s.vpc}`).join(", ")}, not in vpcId ${vpcId}`);
        const shared = zones.filter((z) => found.filter((s) => s.zone === z).length > 1);
        for (const z of shared) {
            why.push(
                `${found
                    .filter((s) => s.zone === z)
                    .map((s) => s.id)
                    .join(" and ")} are all in ${z}`,
            );
        }
        const uncovered = zones.filter((z) => !found.some((s) => s.zone === z));
        if (uncovered.length > 0) why.push(`no subnet is in ${uncovered.join(", ")}`);
        const outside = found.filter((s) => !zones.includes(s.zone));
        if (outside.length > 0) why.push(`${outside.map((s) => `${s.id} is in ${s.zone}`).join(", ")}, not in availabilityZones`);
        if (why.length === 0 && found.some((s, i) => s.zone !== zones[i])) {
            why.push(`their zones are ${found.map((s) => s.zone).join(", ")}: list them in the order of availabilityZones (${zones.join(", ")})`);
        }
        if (why.length > 0) {
            problems.push(
                new ConfigError(
                    projectKey(key),
                    ids,
                    `Give exactly one subnet of vpcId per availability zone, in the order of availabilityZones: ${why.join("; ")}.`,
                ),
            );
        }
    }
    if (problems.length > 0) throw ConfigError.all(problems);
}
