/**
 * Helm values and custom-resource specs for the LINSTOR operator (Piraeus Operator v2 or LINBIT SDS).
 * Pure builders: the component only wires them to resources.
 */
import { API_TLS_HASH_ANNOTATION, apiTlsSpec } from "./apiTls";
import { controllerInternalTlsSpec, INTERNAL_TLS_HASH_ANNOTATION, satelliteInternalTlsSpec } from "./internalTls";
import type { LinstorDistribution, SatelliteDeletionPolicy } from "./settings";
import { LINSTOR_DEFAULT_PEER_SLOTS } from "./sizing";
import { type ControllerComponent, controllerPodTemplateTolerations } from "./tolerations";

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
 * during a failover. A short toleration lets them move with Jenkins. The podTemplate's tolerations REPLACE the
 * operator's list (strategic merge, no merge key), so they repeat the operator's defaults (tolerations.ts).
 */
export function fastEvictionPodTemplate(component: ControllerComponent, tolerationSeconds: number): Record<string, unknown> {
    return { spec: { tolerations: controllerPodTemplateTolerations(component, tolerationSeconds) } };
}

export function linstorClusterSpec(args: {
    readonly passphraseSecretName: string;
    readonly peerSlots: number;
    readonly haController: HaControllerTiming;
    /** Not-ready/unreachable toleration of the LINSTOR and CSI controllers. */
    readonly controllerTolerationSeconds: number;
    /**
     * Hash of the API's certificates (apiTls.ts): the API is served over TLS with our Secrets, and the hash on the pod
     * templates of every component holding a certificate rolls them when the certificates are re-issued.
     */
    readonly apiTlsHash: string;
    /** Hash of the controller↔satellite certificates (internalTls.ts): rolls the controller onto new ones. */
    readonly internalTlsHash: string;
}): Record<string, unknown> {
    const properties = args.peerSlots === LINSTOR_DEFAULT_PEER_SLOTS ? [] : [{ name: "PeerSlotsNewResource", value: String(args.peerSlots) }];
    // podTemplate is a strategic-merge patch over the operator's pod template: metadata merges into it.
    const certified = { metadata: { annotations: { [API_TLS_HASH_ANNOTATION]: args.apiTlsHash } } };
    return {
        nodeSelector: { [STORAGE_NODE_LABEL]: "true" },
        linstorPassphraseSecret: args.passphraseSecretName,
        properties,
        apiTLS: apiTlsSpec(),
        internalTLS: controllerInternalTlsSpec(),
        controller: {
            podTemplate: {
                metadata: { annotations: { ...certified.metadata.annotations, [INTERNAL_TLS_HASH_ANNOTATION]: args.internalTlsHash } },
                ...fastEvictionPodTemplate("controller", args.controllerTolerationSeconds),
            },
        },
        csiController: { podTemplate: { ...certified, ...fastEvictionPodTemplate("csiController", args.controllerTolerationSeconds) } },
        csiNode: { podTemplate: certified },
        affinityController: { podTemplate: certified },
        nfsServer: { podTemplate: certified },
        highAvailabilityController: {
            enabled: true,
            podTemplate: {
                spec: {
                    containers: [
                        {
                            name: "ha-controller",
                            args: [
                                "/agent",
                                `--fail-over-timeout=${args.haController.failOverTimeoutSeconds}s`,
                                `--drbd-status-interval=${args.haController.drbdStatusIntervalSeconds}s`,
                            ],
                        },
                    ],
                },
            },
        },
    };
}

export interface SatelliteSpecArgs {
    readonly dataDevicePath: string;
    readonly metadataDevicePath: string;
    /**
     * What the operator does in LINSTOR when a storage node's Kubernetes Node goes away. On EKS a Node disappears
     * only once its instance is terminated (its EBS volumes with it), so the satellite can never answer again:
     * - `Delete` (the default here) runs `DELETE /v1/nodes/{node}/lost`. LINSTOR refuses while the satellite is still
     *   connected (FAIL_EXISTS_NODE_CONN, the operator retries) and otherwise drops the node with its resources and
     *   snapshots at once (linstor-server v1.33.3 CtrlNodeLostApiCallHandler). The surviving replicas are untouched;
     *   the missing one is placed again by the resync gate (`POST .../autoplace`) or, within hours, by LINSTOR's
     *   BalanceResourcesTask.
     * - `Evacuate` never completes on EKS: the operator starts evacuating only after the Node is gone and then waits
     *   for zero resources and zero snapshots on the node (piraeus-operator pkg/evacuation/evacuation.go
     *   `waitForEvacuation`); LINSTOR must ship the snapshots off the node and delete its resources through the
     *   satellite, which is gone (CtrlNodeApiCallHandler `evacuateNodeInTrasaction`, CtrlRscDeleteApiHelper: "This
     *   prevents deleting database entries when the node is offline"). The LinstorSatellite finalizer stays, the node
     *   stays OFFLINE with EVACUATE, and its dead replicas keep counting as peers. settings.ts refuses it.
     * - `Retain` calls nothing: the node stays OFFLINE in LINSTOR with its resources until someone runs `linstor node
     *   lost` (the operator's default controller properties set `DrbdOptions/AutoEvictAllowEviction: false`,
     *   piraeus-operator pkg/vars/defaults.go, read on an unpinned copy: LINSTOR's 60-minute auto-evict is off).
     * Source of the switch: piraeus-operator `internal/controller/linstorsatellite_controller.go` `deleteSatellite`.
     */
    readonly deletionPolicy: SatelliteDeletionPolicy;
    /** Hash of the controller↔satellite certificates (internalTls.ts): rolls the satellites onto new ones. */
    readonly internalTlsHash: string;
}

export function satelliteConfigurationSpec(args: SatelliteSpecArgs): Record<string, unknown> {
    return {
        nodeSelector: { [STORAGE_NODE_LABEL]: "true" },
        deletionPolicy: args.deletionPolicy,
        // TLS to the controller, one certificate for every satellite (internalTls.ts).
        internalTLS: satelliteInternalTlsSpec(),
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
            metadata: { annotations: { [INTERNAL_TLS_HASH_ANNOTATION]: args.internalTlsHash } },
            spec: {
                // No DRBD package exists for AL2023; the loader compiles against the headers user data installs.
                initContainers: [{ name: "drbd-module-loader", env: [{ name: "LB_HOW", value: "compile" }] }],
            },
        },
    };
}
