import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { dependencies, Hidden, requireKubernetesProvider } from "../shared/componentOptions";
import { agentDefaultDenySpec, agentEgressSpec, agentNamespaceMetadata, agentNamespaceName } from "./agents";
import {
    type JenkinsInput,
    type JenkinsSettings,
    type KeyOf,
    startupBudgetSeconds,
    validateJenkinsPlacement,
    validateJenkinsSettings,
    withJenkinsDefaults,
} from "./settings";
import {
    ADMIN_PASSWORD_KEY,
    ADMIN_USER_KEY,
    chartFullname,
    controllerImage,
    disruptionBudgetSpec,
    homeClaimName,
    imagePrePullSpec,
    JENKINS_CHART,
    JENKINS_CHART_REPO,
    jenkinsNamespaceMetadata,
    jenkinsUrl,
    jenkinsValues,
} from "./values";

/**
 * HaJenkins' settings (every one optional: the component fills its default) and where JENKINS_HOME lives. The
 * Kubernetes provider comes in the resource options (`providers`); `dependsOn` (LinstorCluster.storageReady, the
 * monitoring stack's CRDs) holds the claim and the release back.
 */
export interface HaJenkinsArgs extends JenkinsInput {
    /** StorageClass of JENKINS_HOME, e.g. `LinstorCluster.storageClassNames[3]`. */
    readonly storageClassName: string;
    /** Replica count of that class; fewer than 3 is refused unless `allowFewerReplicas`. */
    readonly storageClassReplicas: number;
    /** Admin password (a secret); default: a generated 32-character password. */
    readonly adminPassword?: pulumi.Input<string>;
    /**
     * Use this PVC (e.g. restored from a snapshot, in `namespace`) instead of creating one. The component then
     * manages no volume at all.
     */
    readonly existingClaim?: string;
    /** Turn on the chart's ServiceMonitor and add the prometheus plugin. Needs the Prometheus Operator CRDs. Default false. */
    readonly monitoringEnabled?: boolean;
    /**
     * The chart's ServiceMonitor when `monitoringEnabled`: Helm needs the Prometheus Operator CRDs to install it. False
     * keeps the prometheus plugin and leaves scraping to a ServiceMonitor made elsewhere (DrbdMonitoring's own), so the
     * release need not wait for the monitoring stack (the DR stack). Default: `monitoringEnabled`.
     */
    readonly chartServiceMonitor?: boolean;
    /**
     * Seconds the first start may wait for `existingClaim` to be filled (a restore from S3 downloads first): added to the
     * release's timeout, so it does not fail while LINSTOR is still downloading. Default 0.
     */
    readonly restoreWaitSeconds?: number;
    /** Protect the JENKINS_HOME PVC from `pulumi destroy` and replacement. Default true. */
    readonly protect?: boolean;
    /** Create `namespace`; false when it exists already (e.g. it holds a restored PVC). Default true. */
    readonly createNamespace?: boolean;
    /** Helm release name. Default "jenkins" (StatefulSet jenkins, pod jenkins-0, Service jenkins). */
    readonly releaseName?: string;
}

/**
 * Validates HaJenkins' arguments as its constructor does, each unset setting at its default; errors name `key(field)`
 * (default `HaJenkins.<field>`). A caller with its own key names (the stacks) calls it first.
 */
export function validateHaJenkinsArgs(args: HaJenkinsArgs, key: KeyOf = (f) => `HaJenkins.${f}`): void {
    const {
        storageClassName,
        adminPassword: _pw,
        existingClaim,
        monitoringEnabled,
        chartServiceMonitor,
        restoreWaitSeconds,
        protect,
        createNamespace,
        releaseName,
        ...settings
    } = args;
    validateJenkinsSettings(withJenkinsDefaults(settings), key);
    validateJenkinsPlacement(
        {
            storageClassName,
            existingClaim,
            releaseName: releaseName ?? "jenkins",
            monitoringEnabled,
            chartServiceMonitor,
            restoreWaitSeconds,
            protect,
            createNamespace,
        },
        key,
    );
}

/** What HaJenkins keeps for TypeScript callers only (shared/componentOptions.ts). */
const handles = new Hidden<JenkinsSettings>();

/**
 * Jenkins from the official chart on a 3-replica LINSTOR/DRBD volume: a protected, Pulumi-managed JENKINS_HOME PVC,
 * an admin Secret, fast eviction from dead nodes, a policy/v1 PDB and an optional NLB. Pass the Kubernetes provider
 * through `opts.provider`.
 */
export class HaJenkins extends pulumi.ComponentResource {
    /** Where users reach Jenkins (see README: configured URL, NLB address, or in-cluster name for ClusterIP). */
    readonly url: pulumi.Output<string>;
    /** Jenkins' admin user name. */
    readonly adminUser: pulumi.Output<string>;
    /** Admin password (secret). */
    readonly adminPassword: pulumi.Output<string>;
    /** Namespace Jenkins runs in. */
    readonly namespace: pulumi.Output<string>;
    /** PVC holding JENKINS_HOME (ours, or `existingClaim`). */
    readonly pvcName: pulumi.Output<string>;
    /** StorageClass of JENKINS_HOME (a LINSTOR class). */
    readonly storageClassName: pulumi.Output<string>;
    /** JENKINS_HOME's size, e.g. `50Gi`. */
    readonly storageSize: pulumi.Output<string>;
    /** The Helm release's name (the chart derives the Service and StatefulSet names from it). */
    readonly releaseName: pulumi.Output<string>;
    /** Service (and StatefulSet) name the chart derives from the release name. */
    readonly serviceName: pulumi.Output<string>;
    /** NLB DNS name; undefined for ClusterIP. */
    readonly loadBalancerHostname: pulumi.Output<string | undefined>;
    /**
     * The URL as known before the release is deployed: `publicUrl`, else the in-cluster Service URL. Unlike `url` (the
     * NLB's address, read after the release), it never waits on the release, so a stack can export it and still have
     * its other outputs recorded when the release fails (stacks/dr.ts).
     */
    readonly urlBeforeRelease: pulumi.Output<string>;
    /** The JENKINS_HOME PVC this component manages; undefined with `existingClaim`. */
    readonly pvc?: k8s.core.v1.PersistentVolumeClaim;

    /** The resolved settings (no secrets), e.g. for a DR stack to reuse (TypeScript only). */
    get settings(): JenkinsSettings {
        return handles.get(this);
    }

    constructor(name: string, args: HaJenkinsArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before registering anything, so bad input never leaves a half-created stack.
        validateHaJenkinsArgs(args);
        requireKubernetesProvider("HaJenkins", opts);
        const {
            storageClassName,
            adminPassword,
            existingClaim,
            monitoringEnabled,
            chartServiceMonitor,
            restoreWaitSeconds,
            protect,
            createNamespace,
            releaseName: releaseArg,
            ...partial
        } = args;
        const s = withJenkinsDefaults(partial);
        const releaseName = releaseArg ?? "jenkins";
        super("ha-jenkins-eks:index:HaJenkins", name, {}, opts);
        handles.set(this, s);
        const parent = { parent: this };
        const ns = s.namespace;
        const fullname = chartFullname(releaseName);
        // Children inherit the Kubernetes provider from `providers`; the claim and the release wait for `dependsOn`.
        const waitFor = dependencies(opts);

        const namespace =
            createNamespace === false
                ? []
                : [
                      new k8s.core.v1.Namespace(
                          `${name}-namespace`,
                          {
                              metadata: jenkinsNamespaceMetadata(ns),
                          },
                          // Deleting it would delete the protected, retained claim in it.
                          { ...parent, protect: protect ?? true, retainOnDelete: true },
                      ),
                  ];

        // Build agents run in a namespace of their own, fenced by NetworkPolicies (agents.ts). Created even when the
        // Jenkins namespace is not ours: it holds nothing durable, so it is neither protected nor retained.
        const agentNs = agentNamespaceName(ns);
        const agentNamespace = new k8s.core.v1.Namespace(`${name}-agents`, { metadata: agentNamespaceMetadata(agentNs) }, parent);
        const agentPolicies = [
            new k8s.networking.v1.NetworkPolicy(
                `${name}-agents-default-deny`,
                { metadata: { name: "default-deny", namespace: agentNs }, spec: agentDefaultDenySpec() },
                { ...parent, dependsOn: agentNamespace },
            ),
            new k8s.networking.v1.NetworkPolicy(
                `${name}-agents-egress`,
                { metadata: { name: "agent-egress", namespace: agentNs }, spec: agentEgressSpec(ns, releaseName) },
                { ...parent, dependsOn: agentNamespace },
            ),
        ];

        const password =
            adminPassword !== undefined
                ? pulumi.secret(pulumi.output(adminPassword))
                : new random.RandomPassword(`${name}-admin-password`, { length: 32, special: false }, parent).result;
        const adminSecretName = `${fullname}-admin-credentials`;
        // Mutable on purpose: a new password updates it in place (an immutable Secret would be replaced).
        const adminSecret = new k8s.core.v1.Secret(
            `${name}-admin`,
            {
                metadata: { name: adminSecretName, namespace: ns, labels: { "app.kubernetes.io/instance": releaseName } },
                type: "Opaque",
                stringData: { [ADMIN_USER_KEY]: s.adminUser, [ADMIN_PASSWORD_KEY]: password },
            },
            { ...parent, dependsOn: namespace },
        );

        let claimName = existingClaim;
        if (claimName === undefined) {
            claimName = homeClaimName(releaseName);
            this.pvc = new k8s.core.v1.PersistentVolumeClaim(
                `${name}-home`,
                {
                    metadata: {
                        name: claimName,
                        namespace: ns,
                        labels: { "app.kubernetes.io/instance": releaseName, "app.kubernetes.io/component": "jenkins-home" },
                        // Binding waits for the pod (WaitForFirstConsumer), which the release creates after this claim:
                        // awaiting "Bound" here would deadlock (pulumi/pulumi-kubernetes#895, #4179). Helm waits for the pod.
                        annotations: { "pulumi.com/skipAwait": "true" },
                    },
                    spec: {
                        accessModes: ["ReadWriteOnce"],
                        storageClassName,
                        resources: { requests: { storage: s.storageSize } },
                    },
                },
                {
                    ...parent,
                    dependsOn: [...namespace, ...waitFor],
                    protect: protect ?? true,
                    // Even unprotected, removing it from the program leaves the claim (and its Retain PV) in the cluster.
                    retainOnDelete: true,
                },
            );
        }

        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-pdb`,
            {
                metadata: { name: `${fullname}-pdb`, namespace: ns },
                spec: disruptionBudgetSpec(releaseName, s.blockVoluntaryDisruptions),
            },
            { ...parent, dependsOn: namespace },
        );

        if (s.prePullImage) {
            new k8s.apps.v1.DaemonSet(
                `${name}-image-prepull`,
                {
                    metadata: { name: `${fullname}-image-prepull`, namespace: ns },
                    spec: imagePrePullSpec(releaseName, controllerImage(s)),
                },
                { ...parent, dependsOn: namespace },
            );
        }

        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: releaseName,
                chart: JENKINS_CHART,
                version: s.chartVersion,
                repositoryOpts: { repo: JENKINS_CHART_REPO },
                namespace: ns,
                createNamespace: false,
                values: {
                    ...jenkinsValues({
                        settings: s,
                        claimName,
                        adminSecretName,
                        monitoringEnabled: monitoringEnabled ?? false,
                        serviceMonitor: chartServiceMonitor,
                    }),
                    // The chart puts the agents' Role and RoleBinding there, not in the Jenkins namespace (agents.ts).
                    agent: { namespace: agentNs },
                },
                // Wait for the pod to be Ready (and an NLB to have an address); allow the plugin download of a first start
                // or of a changed plugin set (plugins.ts; later starts download nothing), boot, NLB creation and a restore.
                skipAwait: false,
                timeout: 600 + startupBudgetSeconds(s) + (restoreWaitSeconds ?? 0),
                maxHistory: 10,
            },
            {
                ...parent,
                dependsOn: [...namespace, agentNamespace, ...agentPolicies, adminSecret, ...(this.pvc ? [this.pvc] : []), ...waitFor],
            },
        );

        let address: pulumi.Output<string | undefined> = pulumi.output(undefined);
        if (s.serviceType === "LoadBalancer") {
            // Read the chart's Service once the release (which waits for the NLB address) is deployed.
            const service = k8s.core.v1.Service.get(
                `${name}-service`,
                release.id.apply(() => `${ns}/${fullname}`),
                parent,
            );
            address = service.status.apply((st) => {
                const ingress = st?.loadBalancer?.ingress?.[0];
                return ingress?.hostname || ingress?.ip || undefined;
            });
        }

        this.url = address.apply((a) => jenkinsUrl(s, fullname, ns, a));
        this.urlBeforeRelease = pulumi.output(jenkinsUrl(s, fullname, ns, undefined));
        this.loadBalancerHostname = address;
        this.adminUser = pulumi.output(s.adminUser);
        this.adminPassword = pulumi.secret(password);
        // Known names, not the release's outputs: a stack exporting them must not wait for the release (Node's stack
        // outputs are registered only once every one resolved; @pulumi/pulumi runtime/stack.js massage).
        this.namespace = pulumi.output(ns);
        this.pvcName = this.pvc ? this.pvc.metadata.name : pulumi.output(claimName);
        this.storageClassName = pulumi.output(storageClassName);
        this.storageSize = pulumi.output(s.storageSize);
        this.releaseName = pulumi.output(releaseName);
        this.serviceName = pulumi.output(fullname);

        this.registerOutputs({
            url: this.url,
            adminUser: this.adminUser,
            adminPassword: this.adminPassword,
            namespace: this.namespace,
            pvcName: this.pvcName,
            storageClassName: this.storageClassName,
            releaseName: this.releaseName,
            serviceName: this.serviceName,
        });
    }
}
