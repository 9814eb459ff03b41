/**
 * Helm values of the official Jenkins chart (jenkinsci/helm-charts, charts/jenkins 5.9.x) and the small
 * specs around it. Pure builders: the component only wires them to resources.
 */

import { STORAGE_NODE_LABEL } from "../linstorCluster/operator";
import { gateInitContainer, imagePluginContract, pluginFingerprint, pluginList } from "./plugins";
import type { JenkinsSettings } from "./settings";

export { pluginList };

export const JENKINS_CHART = "jenkins";
export const JENKINS_CHART_REPO = "https://charts.jenkins.io";
/** Keys of the admin Secret; the chart projects them as chart-admin-username / chart-admin-password. */
export const ADMIN_USER_KEY = "jenkins-admin-user";
export const ADMIN_PASSWORD_KEY = "jenkins-admin-password";
/** The chart's `controller.componentName`, part of the StatefulSet's pod selector. */
export const CONTROLLER_COMPONENT = "jenkins-controller";
export const JENKINS_HTTP_PORT = 8080;
export const TLS_PORT = 443;
/** TLS 1.3 + restricted TLS 1.2; without it an NLB TLS listener made by an API falls back to ELBSecurityPolicy-2016-08 (TLS 1.0). */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";
const SVC = "service.beta.kubernetes.io/";
/**
 * The JCasC reload sidecar and its init container (`config-reload-init`, which writes the JCasC files before Jenkins
 * starts): the chart's pin (charts/jenkins values.yaml at jenkins-5.9.53, controller.sidecars.configAutoReload.image),
 * set explicitly so the pre-pull DaemonSet keeps the same image on every storage node.
 */
export const CONFIG_RELOAD_IMAGE = { registry: "docker.io", repository: "kiwigrid/k8s-sidecar", tag: "2.10.1" } as const;
export const configReloadImage = (): string => `${CONFIG_RELOAD_IMAGE.registry}/${CONFIG_RELOAD_IMAGE.repository}:${CONFIG_RELOAD_IMAGE.tag}`;

/** The chart's `jenkins.fullname`: the release name if it contains "jenkins", else `<release>-jenkins`. */
export function chartFullname(releaseName: string): string {
    const name = releaseName.includes(JENKINS_CHART) ? releaseName : `${releaseName}-${JENKINS_CHART}`;
    return name.slice(0, 63).replace(/-+$/, "");
}

/** The Pulumi-managed JENKINS_HOME claim of a release (a stack needs the name before HaJenkins exists). */
export function homeClaimName(releaseName: string): string {
    return `${chartFullname(releaseName)}-home`;
}

/**
 * The Jenkins namespace (build agents run in their own, agents.ts); the chart's controller pod meets `baseline`, and
 * `restricted` violations are reported.
 */
export function jenkinsNamespaceMetadata(name: string) {
    return {
        name,
        labels: {
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
        },
    };
}

/** Labels selecting the controller pod (the StatefulSet's own selector). */
export function controllerSelector(releaseName: string): Record<string, string> {
    return { "app.kubernetes.io/component": CONTROLLER_COMPONENT, "app.kubernetes.io/instance": releaseName };
}

/** Leave a not-ready or unreachable node after `seconds` instead of Kubernetes' 300 s. */
export function failoverTolerations(seconds: number): Record<string, unknown>[] {
    return ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"].map((key) => ({
        key,
        operator: "Exists",
        effect: "NoExecute",
        tolerationSeconds: seconds,
    }));
}

/** Only LINSTOR storage nodes can hold a diskful replica (the class forbids remote, diskless access). */
export function storageNodeAffinity(): Record<string, unknown> {
    return {
        nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: STORAGE_NODE_LABEL, operator: "In", values: ["true"] }] }],
            },
        },
    };
}

export function servicePort(s: Pick<JenkinsSettings, "tlsCertificateArn">): number {
    return s.tlsCertificateArn === undefined ? JENKINS_HTTP_PORT : TLS_PORT;
}

/** NLB annotations for the chosen controller; empty for ClusterIP. */
export function serviceAnnotations(s: JenkinsSettings): Record<string, string> {
    if (s.serviceType !== "LoadBalancer") return {};
    const annotations: Record<string, string> =
        s.loadBalancerController === "in-tree"
            ? {
                  [`${SVC}aws-load-balancer-type`]: "nlb",
                  ...(s.loadBalancerScheme === "internal" ? { [`${SVC}aws-load-balancer-internal`]: "true" } : {}),
              }
            : {
                  // "external" hands the Service to the AWS Load Balancer Controller instead of the in-tree provider.
                  [`${SVC}aws-load-balancer-type`]: "external",
                  [`${SVC}aws-load-balancer-nlb-target-type`]: s.loadBalancerTargetType,
                  [`${SVC}aws-load-balancer-scheme`]: s.loadBalancerScheme,
              };
    if (s.tlsCertificateArn !== undefined) {
        annotations[`${SVC}aws-load-balancer-ssl-cert`] = s.tlsCertificateArn;
        annotations[`${SVC}aws-load-balancer-ssl-ports`] = String(TLS_PORT);
        annotations[`${SVC}aws-load-balancer-ssl-negotiation-policy`] = TLS_POLICY;
    }
    return annotations;
}

export interface JenkinsValuesArgs {
    readonly settings: JenkinsSettings;
    /** The PVC holding JENKINS_HOME (ours or a restored one); the chart creates none. */
    readonly claimName: string;
    /** Secret with ADMIN_USER_KEY / ADMIN_PASSWORD_KEY. */
    readonly adminSecretName: string;
    readonly monitoringEnabled: boolean;
    /** The chart's ServiceMonitor (needs the Prometheus Operator CRDs at install). Default: monitoringEnabled. */
    readonly serviceMonitor?: boolean;
}

export function jenkinsValues(a: JenkinsValuesArgs): Record<string, unknown> {
    const s = a.settings;
    const loadBalancer = s.serviceType === "LoadBalancer";
    return {
        controller: {
            // A pinned tag never changes, so a node that has the image starts Jenkins without a registry round trip.
            image: { registry: s.imageRegistry, repository: s.imageRepository, tag: s.imageTag, pullPolicy: "IfNotPresent" },
            admin: {
                username: s.adminUser,
                existingSecret: a.adminSecretName,
                userKey: ADMIN_USER_KEY,
                passwordKey: ADMIN_PASSWORD_KEY,
                // Must stay true: the chart mounts the admin Secret (ours, via existingSecret) only when it is.
                createSecret: true,
            },
            serviceType: s.serviceType,
            servicePort: servicePort(s),
            targetPort: JENKINS_HTTP_PORT,
            serviceAnnotations: serviceAnnotations(s),
            // The chart defaults to [0.0.0.0/0]; lists replace rather than merge, so ours is the whole list.
            loadBalancerSourceRanges: loadBalancer ? [...s.loadBalancerSourceRanges] : [],
            // Every node forwards to the pod wherever it runs, so instance targets stay healthy across a fail-over.
            ...(loadBalancer ? { serviceExternalTrafficPolicy: "Cluster" } : {}),
            ...(s.publicUrl !== undefined ? { jenkinsUrl: s.publicUrl } : {}),
            tolerations: failoverTolerations(s.tolerationSeconds),
            affinity: storageNodeAffinity(),
            probes: { startupProbe: { periodSeconds: s.startupProbePeriodSeconds, failureThreshold: s.startupProbeFailureThreshold } },
            resources: {
                requests: { cpu: s.cpuRequest, memory: s.memoryRequest },
                limits: { cpu: s.cpuLimit, memory: s.memoryLimit },
            },
            // Our own policy/v1 PDB replaces the chart's (maxUnavailable "0" would block every node drain).
            podDisruptionBudget: { enabled: false },
            ...pluginValues(s, a.monitoringEnabled),
            JCasC: { configScripts: { ...s.cascConfigScripts } },
            // JCasC reaches Jenkins through the reload sidecar and its init container, read from the ConfigMaps on
            // every start: apply_config.sh copies JCasC only when this is off, and initializeOnce skips that script.
            sidecars: { configAutoReload: { enabled: true, image: { ...CONFIG_RELOAD_IMAGE } } },
            prometheus: { enabled: a.serviceMonitor ?? a.monitoringEnabled },
        },
        persistence: { enabled: true, existingClaim: a.claimName },
    };
}

/**
 * The chart's plugin values (charts/jenkins templates/config.yaml and jenkins-controller-statefulset.yaml at
 * jenkins-5.9.53): `initializeOnce` keeps the chart's init from running again once it has completed, and our gate
 * (plugins.ts) removes its marker only when the plugin set changes, so a fail-over downloads nothing and a changed
 * list is still applied on the next start. `overwritePlugins` makes that one run replace the plugins: a removed or
 * downgraded plugin does not linger. With a baked image `installPlugins: false` mounts nothing over the image's
 * ref/plugins, which its entrypoint copies into JENKINS_HOME.
 */
export function pluginValues(s: JenkinsSettings, monitoringEnabled: boolean): Record<string, unknown> {
    const image = controllerImage(s);
    const baked = s.pluginSource === "image";
    const plugins = baked ? imagePluginContract(s, monitoringEnabled) : pluginList(s, monitoringEnabled);
    return {
        installPlugins: baked ? false : plugins,
        additionalPlugins: [],
        // The chart's default (true) upgrades every dependency to latest when it installs; pins must hold.
        installLatestPlugins: false,
        installLatestSpecifiedPlugins: false,
        initializeOnce: true,
        overwritePlugins: true,
        overwritePluginsFromImage: true,
        customInitContainers: [
            gateInitContainer({
                image,
                fingerprint: pluginFingerprint(s.pluginSource, image, plugins),
                ...(baked ? { imagePlugins: plugins } : {}),
            }),
        ],
    };
}

/** policy/v1 PDB spec for the single controller pod. */
export function disruptionBudgetSpec(releaseName: string, blockVoluntaryDisruptions: boolean): Record<string, unknown> {
    return {
        // 1 lets a drain evict Jenkins (one fail-over); 0 blocks drains and node-group updates until lifted.
        maxUnavailable: blockVoluntaryDisruptions ? 0 : 1,
        // A Jenkins that is not Ready (stuck booting) never blocks a drain.
        unhealthyPodEvictionPolicy: "AlwaysAllow",
        selector: { matchLabels: controllerSelector(releaseName) },
    };
}

/** Where users reach Jenkins: the configured URL, the NLB's address, or (ClusterIP) the in-cluster name. */
export function jenkinsUrl(s: JenkinsSettings, serviceName: string, namespace: string, loadBalancerAddress?: string): string {
    if (s.publicUrl !== undefined) return s.publicUrl;
    if (s.serviceType === "LoadBalancer" && loadBalancerAddress) {
        return s.tlsCertificateArn !== undefined ? `https://${loadBalancerAddress}/` : `http://${loadBalancerAddress}:${JENKINS_HTTP_PORT}/`;
    }
    return `http://${serviceName}.${namespace}.svc.cluster.local:${servicePort(s)}/`;
}

/** The controller image reference the chart runs (registry/repository:tag). */
export function controllerImage(s: Pick<JenkinsSettings, "imageRegistry" | "imageRepository" | "imageTag">): string {
    const ref = s.imageTag.startsWith("sha256:") ? `@${s.imageTag}` : `:${s.imageTag}`;
    return `${s.imageRegistry}/${s.imageRepository}${ref}`;
}

/**
 * A DaemonSet that keeps the controller image (and the JCasC reload sidecar's) on every storage node, so a failover
 * pulls nothing on the node Jenkins lands on (~500 MB, and no registry to reach). It only sleeps, non-root.
 */
export function imagePrePullSpec(releaseName: string, image: string, sidecarImage: string = configReloadImage()) {
    const labels = { "app.kubernetes.io/instance": releaseName, "app.kubernetes.io/component": "jenkins-image-prepull" };
    return {
        selector: { matchLabels: labels },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "100%" } },
        template: {
            metadata: { labels },
            spec: {
                affinity: storageNodeAffinity(),
                automountServiceAccountToken: false,
                terminationGracePeriodSeconds: 1,
                securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    {
                        name: "prepull",
                        image,
                        imagePullPolicy: "IfNotPresent",
                        command: ["sleep", "infinity"],
                        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                        resources: { requests: { cpu: "1m", memory: "8Mi" }, limits: { memory: "32Mi" } },
                    },
                    {
                        name: "prepull-config-reload",
                        image: sidecarImage,
                        imagePullPolicy: "IfNotPresent",
                        // python:alpine based (kiwigrid/k8s-sidecar Dockerfile at 2.10.1): busybox sleep, no "infinity".
                        command: ["sleep", "2147483647"],
                        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                        resources: { requests: { cpu: "1m", memory: "8Mi" }, limits: { memory: "32Mi" } },
                    },
                ],
            },
        },
    };
}
