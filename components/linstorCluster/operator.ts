/**
 * Helm values and custom-resource specs for the LINSTOR operator (Piraeus Operator v2 or LINBIT SDS).
 * Pure builders: the component only wires them to resources.
 */
import type { LinstorDistribution, SatelliteDeletionPolicy } from "./settings";
import { LINSTOR_DEFAULT_PEER_SLOTS } from "./sizing";

export const PIRAEUS_CHART = "oci://ghcr.io/piraeusdatastore/piraeus-operator/piraeus";
export const LINBIT_CHART_REPO = "https://charts.linstor.io";
export const LINBIT_CHART = "linstor-operator";

/** Node label our launch template sets on storage nodes; LINSTOR satellites run only there. */
export const STORAGE_NODE_LABEL = "ha-jenkins-eks.io/linstor-storage";
export const DATA_POOL = "data";
export const METADATA_POOL = "drbdmeta";
export const PASSPHRASE_KEY = "MASTER_PASSPHRASE";

export interface OperatorChart {
    readonly chart: string;
    readonly repo?: string;
    readonly namespace: string;
}

export function operatorChart(distribution: LinstorDistribution): OperatorChart {
    return distribution === "linbit"
        ? { chart: LINBIT_CHART, repo: LINBIT_CHART_REPO, namespace: "linbit-sds" }
        : { chart: PIRAEUS_CHART, namespace: "piraeus-datastore" };
}

/** Helm values of the operator chart. The drbd.io password is passed in separately as a secret. */
export function operatorValues(distribution: LinstorDistribution, drbdIoUsername?: string): Record<string, unknown> {
    const values: Record<string, unknown> = {
        // The CRDs ship with the chart but are off by default in Piraeus.
        installCRDs: true,
        operator: { resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } } },
    };
    if (distribution === "linbit") values.imageCredentials = { registry: "drbd.io", username: drbdIoUsername };
    return values;
}

export interface HaControllerTiming {
    /** How long a DRBD resource must be without quorum before the HA Controller fails its pods over. */
    readonly failOverTimeoutSeconds: number;
    /** How often the HA Controller polls DRBD state. */
    readonly drbdStatusIntervalSeconds: number;
}

/**
 * The LINSTOR controller and the CSI controller are single Deployments; with Kubernetes' default 300 s
 * not-ready/unreachable tolerations, losing their node would stall provisioning and attach for 5 minutes
 * during a failover. A short toleration lets them move with Jenkins.
 */
export function fastEvictionPodTemplate(tolerationSeconds: number): Record<string, unknown> {
    return {
        spec: {
            tolerations: ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"].map((key) => ({
                key, operator: "Exists", effect: "NoExecute", tolerationSeconds,
            })),
        },
    };
}

export function linstorClusterSpec(args: {
    readonly passphraseSecretName: string;
    readonly peerSlots: number;
    readonly haController: HaControllerTiming;
    /** Not-ready/unreachable toleration of the LINSTOR and CSI controllers. */
    readonly controllerTolerationSeconds: number;
}): Record<string, unknown> {
    const properties = args.peerSlots === LINSTOR_DEFAULT_PEER_SLOTS
        ? []
        : [{ name: "PeerSlotsNewResource", value: String(args.peerSlots) }];
    return {
        nodeSelector: { [STORAGE_NODE_LABEL]: "true" },
        linstorPassphraseSecret: args.passphraseSecretName,
        properties,
        controller: { podTemplate: fastEvictionPodTemplate(args.controllerTolerationSeconds) },
        csiController: { podTemplate: fastEvictionPodTemplate(args.controllerTolerationSeconds) },
        highAvailabilityController: {
            enabled: true,
            podTemplate: {
                spec: {
                    containers: [{
                        name: "ha-controller",
                        args: [
                            "/agent",
                            `--fail-over-timeout=${args.haController.failOverTimeoutSeconds}s`,
                            `--drbd-status-interval=${args.haController.drbdStatusIntervalSeconds}s`,
                        ],
                    }],
                },
            },
        },
    };
}

export interface SatelliteSpecArgs {
    readonly dataDevicePath: string;
    readonly metadataDevicePath: string;
    readonly deletionPolicy: SatelliteDeletionPolicy;
}

export function satelliteConfigurationSpec(args: SatelliteSpecArgs): Record<string, unknown> {
    return {
        nodeSelector: { [STORAGE_NODE_LABEL]: "true" },
        deletionPolicy: args.deletionPolicy,
        storagePools: [
            {
                name: DATA_POOL,
                lvmThinPool: { volumeGroup: "linstor_data", thinPool: "data" },
                source: { hostDevices: [args.dataDevicePath] },
            },
            {
                name: METADATA_POOL,
                lvmThinPool: { volumeGroup: "linstor_drbdmeta", thinPool: "drbdmeta" },
                source: { hostDevices: [args.metadataDevicePath] },
            },
        ],
        podTemplate: {
            spec: {
                // No DRBD package exists for AL2023; the loader compiles against the headers user data installs.
                initContainers: [{ name: "drbd-module-loader", env: [{ name: "LB_HOW", value: "compile" }] }],
            },
        },
    };
}
