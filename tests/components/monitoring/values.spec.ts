/**
 * kube-prometheus-stack values against what the pinned charts render from them. The two fakes below keep the
 * templates' conditions and image lines, merged over the charts' own defaults (Helm deep-merges maps):
 * - prometheus-community/helm-charts kube-prometheus-stack-88.5.3: values.yaml `crds.upgradeJob`,
 *   charts/crds/templates/upgrade/job.yaml (hook annotations, busybox and kubectl image lines);
 * - grafana-community/helm-charts grafana-12.11.1 (the subchart 88.5.3 pulls): values.yaml `rbac`,
 *   templates/clusterrole.yaml, clusterrolebinding.yaml, role.yaml, rolebinding.yaml, _pod.tpl (sidecar NAMESPACE),
 *   with kube-prometheus-stack's grafana defaults (sidecar.dashboards.searchNamespace ALL, datasources enabled).
 */
import { expect } from "chai";
import { DrbdMonitoring, type DrbdMonitoringArgs } from "../../../components/monitoring";
import { MONITORING_DEFAULTS, splitImageReference } from "../../../components/monitoring/settings";
import { crdUpgradeJobValues, kubePrometheusStackValues, type MonitoringValuesInput } from "../../../components/monitoring/values";
import { loadConfig } from "../../../stacks/config";
import { thrown } from "../../support/fixtures";
import { withKube } from "../../support/kubeProvider";
import { one, resetRecords, settle, useStack } from "../../support/mocks";
import { QUICK_START_API_ACCESS } from "../../support/stacks";

const INPUT: MonitoringValuesInput = {
    discoveryNamespaces: ["monitoring"],
    monitoringNamespace: "monitoring",
    storageClassName: "r2",
    prometheusStorageSize: "50Gi",
    prometheusRetention: "15d",
    prometheusCpuRequest: "250m",
    prometheusMemoryRequest: "1Gi",
    alertmanagerStorageSize: "2Gi",
    alertmanagerConfigSecret: "am",
    grafanaAdminSecret: "gr",
    grafanaServiceType: "ClusterIP",
    grafanaLoadBalancerSourceRanges: [],
    snapshotScheduleLabel: "x/y",
    crdUpgradeKubectlImage: MONITORING_DEFAULTS.crdUpgradeKubectlImage,
    crdUpgradeBusyboxImage: MONITORING_DEFAULTS.crdUpgradeBusyboxImage,
};

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
function merge(base: any, over: any): any {
    if (!isMap(base) || !isMap(over)) return over === undefined ? base : over;
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
    return out;
}
/** Go template truthiness: empty lists, maps and strings are false. */
const truthy = (v: unknown) =>
    !(
        v === undefined ||
        v === null ||
        v === false ||
        v === "" ||
        v === 0 ||
        (Array.isArray(v) && v.length === 0) ||
        (isMap(v) && Object.keys(v).length === 0)
    );

/** kube-prometheus-stack 88.5.3 values.yaml `crds` defaults. */
const CRDS_DEFAULTS = {
    enabled: true,
    upgradeJob: {
        enabled: false,
        forceConflicts: true,
        image: {
            busybox: { registry: "docker.io", repository: "busybox", tag: "latest", sha: "", pullPolicy: "IfNotPresent" },
            kubectl: { registry: "registry.k8s.io", repository: "kubectl", tag: "", sha: "", pullPolicy: "IfNotPresent" },
        },
        podSecurityContext: { fsGroup: 65534, runAsGroup: 65534, runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
        containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
    },
};

/** charts/crds/templates/upgrade/job.yaml: the Job the parent's `crds` values render, or undefined. */
function renderUpgradeJob(values: any, kubeVersion = "v1.35.2-eks-1234"): any {
    const crds = merge(CRDS_DEFAULTS, values.crds);
    const u = crds.upgradeJob;
    // Chart.yaml dependency `crds` has `condition: crds.enabled`; job.yaml `{{- if .Values.upgradeJob.enabled }}`.
    if (!truthy(crds.enabled) || !truthy(u.enabled)) return undefined;
    const b = u.image.busybox;
    const k = u.image.kubectl;
    // `$defaultKubernetesVersion`: the vX.Y.Z part of .Capabilities.KubeVersion.Version.
    const defaultKube = /v\d+\.\d+\.\d+/.exec(kubeVersion)![0];
    const kubectlTag = truthy(k.tag) ? k.tag : defaultKube;
    return {
        annotations: {
            "helm.sh/hook": "pre-install,pre-upgrade,pre-rollback",
            "helm.sh/hook-weight": "5",
            "helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded",
        },
        // Note the template's busybox switch tests `.Values.upgradeJob.image.sha`, not `image.busybox.sha`.
        busybox: truthy(u.image.sha) ? `${b.registry}/${b.repository}:${b.tag}@sha256:${b.sha}` : `${b.registry}/${b.repository}:${b.tag}`,
        kubectl: truthy(k.sha) ? `${k.registry}/${k.repository}:${kubectlTag}@sha256:${k.sha}` : `${k.registry}/${k.repository}:${kubectlTag}`,
        args: ["apply", "--server-side", ...(truthy(u.forceConflicts) ? ["--force-conflicts"] : []), "--filename", "/tmp/crds.yaml"],
        podSecurityContext: u.podSecurityContext,
        containerSecurityContext: u.containerSecurityContext,
    };
}

/** grafana 12.11.1 values.yaml defaults, with kube-prometheus-stack 88.5.3's `grafana:` values over them. */
const GRAFANA_DEFAULTS = {
    rbac: { create: true, namespaced: false, namespaces: [], extraRoleRules: [], extraClusterRoleRules: [] },
    sidecar: {
        dashboards: { enabled: true, searchNamespace: "ALL" },
        datasources: { enabled: true, searchNamespace: null },
        plugins: { enabled: false },
        alerts: { enabled: false },
    },
};

/** What the grafana chart renders for RBAC, and the namespaces its sidecars list (NAMESPACE env, _pod.tpl). */
function renderGrafanaRbac(values: any, releaseNamespace: string) {
    const g = merge(GRAFANA_DEFAULTS, values.grafana);
    const r = g.rbac;
    const sidecarsOn = ["dashboards", "datasources", "plugins", "alerts"].some((s) => truthy(g.sidecar[s].enabled));
    const clusterRole = truthy(r.create) && (!truthy(r.namespaced) || truthy(r.extraClusterRoleRules)) && !truthy(r.useExistingClusterRole);
    const roleNamespaces = truthy(r.create) && truthy(r.namespaced) && !truthy(r.useExistingRole) ? [...r.namespaces, releaseNamespace] : [];
    const watched = (["dashboards", "datasources"] as const)
        .filter((s) => truthy(g.sidecar[s].enabled))
        .flatMap((s) => {
            const ns = g.sidecar[s].searchNamespace;
            return truthy(ns) ? [ns].flat() : [releaseNamespace];
        });
    return {
        clusterRoleRules:
            clusterRole && sidecarsOn ? [{ apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ["get", "watch", "list"] }] : [],
        clusterRoleBinding: truthy(r.create) && (!truthy(r.namespaced) || truthy(r.extraClusterRoleRules)),
        roleNamespaces,
        watched,
    };
}

describe("kube-prometheus-stack values", () => {
    describe("CRDs follow the chart version (crds.upgradeJob)", () => {
        it("the chart alone never upgrades its CRDs: without our values there is no Job", () => {
            expect(renderUpgradeJob({})).to.equal(undefined);
        });

        it("turns on the upgrade Job: a pre-install/pre-upgrade hook that server-side applies the chart's CRDs, taking over Helm's fields", () => {
            const job = renderUpgradeJob(kubePrometheusStackValues(INPUT));
            expect(job.annotations["helm.sh/hook"]).to.equal("pre-install,pre-upgrade,pre-rollback");
            expect(job.args).to.deep.equal(["apply", "--server-side", "--force-conflicts", "--filename", "/tmp/crds.yaml"]);
            // Non-root and read-only by the chart's defaults, which our values keep (restricted Pod Security passes).
            expect(job.podSecurityContext).to.include({ runAsNonRoot: true, runAsUser: 65534 });
            expect(job.containerSecurityContext).to.deep.include({ readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        });

        it("runs the pinned images, never busybox:latest or a kubectl that follows the cluster", () => {
            expect(renderUpgradeJob({ crds: { upgradeJob: { enabled: true } } })).to.deep.include({
                busybox: "docker.io/busybox:latest",
                kubectl: "registry.k8s.io/kubectl:v1.35.2",
            });
            const job = renderUpgradeJob(kubePrometheusStackValues(INPUT));
            expect(job.busybox).to.equal("docker.io/library/busybox:1.37.0");
            expect(job.kubectl).to.equal("registry.k8s.io/kubectl:v1.35.1");
            const digest = `@sha256:${"a".repeat(64)}`;
            const pinned = renderUpgradeJob({
                crds: {
                    upgradeJob: crdUpgradeJobValues({
                        crdUpgradeBusyboxImage: `mirror.example.com/lib/busybox:1.37.0${digest}`,
                        crdUpgradeKubectlImage: `mirror.example.com:5000/kubectl:v1.35.1${digest}`,
                    }),
                },
            });
            expect(pinned.busybox).to.equal(`mirror.example.com/lib/busybox:1.37.0${digest}`);
            expect(pinned.kubectl).to.equal(`mirror.example.com:5000/kubectl:v1.35.1${digest}`);
        });

        it("splits references the way the template joins them, and has none without a tag", () => {
            expect(splitImageReference("registry.k8s.io/kubectl:v1.35.1")).to.deep.equal({
                registry: "registry.k8s.io",
                repository: "kubectl",
                tag: "v1.35.1",
            });
            expect(splitImageReference("localhost:5000/a/b:1.2@sha256:x")).to.deep.equal({
                registry: "localhost:5000",
                repository: "a/b",
                tag: "1.2@sha256:x",
            });
            expect(splitImageReference("registry.k8s.io/kubectl@sha256:abc")).to.equal(undefined);
            expect(splitImageReference("kubectl:v1.35.1")).to.equal(undefined);
        });
    });

    describe("Grafana's RBAC is namespaced", () => {
        it("the chart's default keeps a ClusterRole reading every Secret and ConfigMap (the fake is honest)", () => {
            const r = renderGrafanaRbac({ grafana: { sidecar: { dashboards: { searchNamespace: ["monitoring"] } } } }, "monitoring");
            expect(r.clusterRoleRules[0].resources).to.deep.equal(["configmaps", "secrets"]);
            expect(r.roleNamespaces).to.deep.equal([]);
        });

        it("ours renders only a Role and RoleBinding in the release namespace, and every sidecar watches only namespaces that Role covers", () => {
            const v = kubePrometheusStackValues(INPUT) as any;
            expect(v.grafana.rbac).to.deep.equal({ namespaced: true });
            const r = renderGrafanaRbac(v, "monitoring");
            expect(r.clusterRoleRules).to.deep.equal([]);
            expect(r.clusterRoleBinding).to.equal(false);
            expect(r.roleNamespaces).to.deep.equal(["monitoring"]);
            expect(r.watched).to.deep.equal(["monitoring", "monitoring"]);
            for (const ns of r.watched) expect(r.roleNamespaces).to.include(ns);
        });
    });
});

describe("DrbdMonitoring: CRD upgrade images", () => {
    const args = (o: Partial<DrbdMonitoringArgs> = {}): DrbdMonitoringArgs => {
        const { prometheusStorageReplicas: _r, ...defaults } = MONITORING_DEFAULTS;
        return {
            ...defaults,
            monitoringExtraLabels: {},
            grafanaLoadBalancerSourceRanges: [],
            namePrefix: "hje-test",
            linstorNamespace: "piraeus-datastore",
            storageClassNames: { 2: "r2", 3: "r3" },
            prometheusStorageClassName: "r2",
            ...o,
        };
    };

    it("hands the configured images to the release, whose timeout covers the hook Job", async () => {
        resetRecords();
        new DrbdMonitoring("hje-test", args({ crdUpgradeKubectlImage: "registry.k8s.io/kubectl:v1.34.4" }), withKube());
        await settle();
        const release = one("kubernetes:helm.sh/v3:Release");
        expect(release.inputs.values.crds.upgradeJob.image.kubectl).to.include({
            registry: "registry.k8s.io",
            repository: "kubectl",
            tag: "v1.34.4",
        });
        expect(release.inputs.values.crds.upgradeJob.enabled).to.equal(true);
        // Helm waits up to `timeout` for each hook and again for the resources; the Job needs about a minute.
        expect(release.inputs.timeout).to.be.at.least(600);
        expect(release.inputs.skipAwait).to.equal(false);
        expect(release.inputs.disableCRDHooks ?? false).to.equal(false);
        expect(release.inputs.disableWebhooks ?? false).to.equal(false);
    });

    for (const [field, image, why] of [
        ["crdUpgradeBusyboxImage", "docker.io/library/busybox:latest", /pin an exact version/],
        ["crdUpgradeBusyboxImage", "busybox:1.37.0", /Name the registry/],
        ["crdUpgradeKubectlImage", `registry.k8s.io/kubectl@sha256:${"b".repeat(64)}`, /Give a tag/],
    ] as const) {
        it(`refuses ${field} ${image.slice(0, 40)}, naming the field`, () => {
            const e = thrown(() => new DrbdMonitoring("bad", args({ [field]: image })));
            expect(e.message).to.contain(`DrbdMonitoring.${field}`).and.match(why);
        });
    }

    it("reads both stack keys, with the pinned defaults", () => {
        useStack("dev", {
            "aws:region": "us-west-2",
            ...QUICK_START_API_ACCESS,
            "ha-jenkins-eks:crdUpgradeBusyboxImage": "mirror.example.com/busybox:1.37.0",
        });
        const m = loadConfig().monitoring;
        expect(m.crdUpgradeBusyboxImage).to.equal("mirror.example.com/busybox:1.37.0");
        expect(m.crdUpgradeKubectlImage).to.equal("registry.k8s.io/kubectl:v1.35.1");
        useStack("dev", { "aws:region": "us-west-2" });
    });
});
