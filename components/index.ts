/** The library's public face: the components and their argument types. */
export { LinstorCluster, LinstorClusterArgs, CONTROL_PLANE_LOG_TYPES } from "./linstorCluster";
export { LinstorClusterSettings, LINSTOR_CLUSTER_DEFAULTS, validateLinstorClusterSettings } from "./lib/linstorClusterArgs";
export { ConfigError } from "./lib/errors";
export * as sizing from "./lib/sizing";
