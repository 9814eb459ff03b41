/**
 * Program entry point (`main` in Pulumi.yaml). The stack's `role` config picks what it builds;
 * the returned object becomes the stack outputs.
 */
import { loadConfig } from "./config";
import { deployPrimary } from "./primary";

export = async () => {
    const cfg = loadConfig();
    switch (cfg.role) {
        case "primary":
            return deployPrimary(cfg);
        case "dr":
            return (await import("./dr")).deployDr(cfg);
    }
};
