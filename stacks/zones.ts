import * as aws from "@pulumi/aws";
import { ConfigError } from "../components/shared/errors";
import { projectKey, type StackConfig } from "./config";

/**
 * The AZs to span: the configured list, else the first `azCount` zones of the region that are
 * available without opt-in (Local/Wavelength zones are excluded). Runs before any resource exists.
 */
export async function resolveAvailabilityZones(cfg: StackConfig): Promise<string[]> {
    if (cfg.cluster.availabilityZones !== undefined) return [...cfg.cluster.availabilityZones];
    const zones = await aws.getAvailabilityZones({
        state: "available",
        filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
    if (zones.names.length < cfg.cluster.azCount) {
        throw new ConfigError(
            projectKey("azCount"),
            cfg.cluster.azCount,
            `Region ${cfg.region} offers only ${zones.names.length} availability zones (${zones.names.join(", ")}); ` +
                `azCount asks for ${cfg.cluster.azCount} — lower it (at least 3) or choose a region with enough AZs.`,
        );
    }
    return zones.names.slice(0, cfg.cluster.azCount);
}
