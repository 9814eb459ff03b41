/**
 * What the drills read from Kubernetes: the Jenkins pod, its node (zone, providerID → EC2 instance,
 * readiness, taints), the PV behind the claim, and the PV's VolumeAttachments. `ClusterApi` is the
 * seam the drill depends on; `KubeCluster` implements it with @kubernetes/client-node.
 */
import type { KubeConfig, V1Node, V1Pod, V1VolumeAttachment } from "@kubernetes/client-node";

/** Taint the Piraeus HA Controller puts on a node whose DRBD resources lost quorum. */
export const LOST_QUORUM_TAINT = "drbd.linbit.com/lost-quorum";
export const ZONE_LABEL = "topology.kubernetes.io/zone";

export interface PodInfo {
    readonly name: string;
    readonly uid: string;
    readonly nodeName?: string;
    readonly phase?: string;
    readonly terminating: boolean;
    /** Every container has started (running, or ran and exited). */
    readonly containersStarted: boolean;
    readonly ready: boolean;
    /** Claims the pod mounts, in spec order. */
    readonly claimNames: readonly string[];
}

export interface NodeInfo {
    readonly name: string;
    /** Ready condition: True → true; False/Unknown/missing → false. */
    readonly ready: boolean;
    readonly zone?: string;
    readonly providerId?: string;
    readonly taintKeys: readonly string[];
}

export interface AttachmentInfo {
    readonly name: string;
    readonly nodeName: string;
    readonly attached: boolean;
}

export interface ClusterApi {
    getPod(namespace: string, name: string): Promise<PodInfo | undefined>;
    getNode(name: string): Promise<NodeInfo | undefined>;
    listNodes(): Promise<NodeInfo[]>;
    /** The PV a claim is bound to. */
    getClaimVolume(namespace: string, claim: string): Promise<string | undefined>;
    /** VolumeAttachments of one PV. */
    listAttachments(pvName: string): Promise<AttachmentInfo[]>;
}

export function toPodInfo(pod: V1Pod): PodInfo {
    const statuses = pod.status?.containerStatuses ?? [];
    const specCount = pod.spec?.containers?.length ?? 0;
    return {
        name: pod.metadata?.name ?? "",
        uid: pod.metadata?.uid ?? "",
        nodeName: pod.spec?.nodeName || undefined,
        phase: pod.status?.phase,
        terminating: pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null,
        containersStarted:
            statuses.length > 0 &&
            statuses.length >= specCount &&
            statuses.every((s) => s.state?.running !== undefined || s.state?.terminated !== undefined),
        ready: (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
        claimNames: (pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : [])),
    };
}

export function toNodeInfo(node: V1Node): NodeInfo {
    const ready = (node.status?.conditions ?? []).find((c) => c.type === "Ready");
    return {
        name: node.metadata?.name ?? "",
        ready: ready?.status === "True",
        zone: node.metadata?.labels?.[ZONE_LABEL],
        providerId: node.spec?.providerID,
        taintKeys: (node.spec?.taints ?? []).map((t) => t.key),
    };
}

export function toAttachmentInfo(va: V1VolumeAttachment): AttachmentInfo {
    return { name: va.metadata?.name ?? "", nodeName: va.spec.nodeName, attached: va.status?.attached === true };
}

/** `aws:///us-west-2a/i-0123456789abcdef0` → instance and zone (EKS nodes' spec.providerID). */
export function parseProviderId(providerId: string): { zone: string; instanceId: string } | undefined {
    const m = /^aws:\/\/\/([a-z0-9-]+)\/(i-[0-9a-f]{8,17})$/.exec(providerId);
    return m ? { zone: m[1], instanceId: m[2] } : undefined;
}

function isNotFound(e: unknown): boolean {
    return typeof e === "object" && e !== null && (e as { code?: number }).code === 404;
}

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
    try {
        return await p;
    } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
    }
}

/** ClusterApi over @kubernetes/client-node (loaded lazily: it is ESM-only and only needed against a cluster). */
export class KubeCluster implements ClusterApi {
    private constructor(
        private readonly core: import("@kubernetes/client-node").CoreV1Api,
        private readonly storage: import("@kubernetes/client-node").StorageV1Api,
    ) {}

    static async create(kc: KubeConfig): Promise<KubeCluster> {
        const k8s = await import("@kubernetes/client-node");
        return new KubeCluster(kc.makeApiClient(k8s.CoreV1Api), kc.makeApiClient(k8s.StorageV1Api));
    }

    async getPod(namespace: string, name: string): Promise<PodInfo | undefined> {
        const pod = await orUndefined(this.core.readNamespacedPod({ namespace, name }));
        return pod && toPodInfo(pod);
    }

    async getNode(name: string): Promise<NodeInfo | undefined> {
        const node = await orUndefined(this.core.readNode({ name }));
        return node && toNodeInfo(node);
    }

    async listNodes(): Promise<NodeInfo[]> {
        return (await this.core.listNode()).items.map(toNodeInfo);
    }

    async getClaimVolume(namespace: string, claim: string): Promise<string | undefined> {
        const pvc = await orUndefined(this.core.readNamespacedPersistentVolumeClaim({ namespace, name: claim }));
        return pvc?.spec?.volumeName || undefined;
    }

    async listAttachments(pvName: string): Promise<AttachmentInfo[]> {
        const list = await this.storage.listVolumeAttachment();
        return list.items.filter((va) => va.spec.source.persistentVolumeName === pvName).map(toAttachmentInfo);
    }
}

/** Loads a kubeconfig from a stack output (JSON/YAML string or object), a file, or the default locations. */
export async function loadKubeConfig(source: { output?: unknown; file?: string; context?: string }): Promise<KubeConfig> {
    const k8s = await import("@kubernetes/client-node");
    const kc = new k8s.KubeConfig();
    if (source.file !== undefined) kc.loadFromFile(source.file);
    else if (source.output !== undefined) kc.loadFromString(typeof source.output === "string" ? source.output : JSON.stringify(source.output));
    else kc.loadFromDefault();
    if (source.context !== undefined) kc.setCurrentContext(source.context);
    return kc;
}
