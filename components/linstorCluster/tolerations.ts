/**
 * Tolerations of the LINSTOR controller and linstor-csi controller Deployments, and a model of how the Piraeus
 * operator computes them, so the program can ADD its short not-ready/unreachable tolerations without losing the
 * operator's defaults.
 *
 * How the operator builds the Deployments (piraeusdatastore/piraeus-operator `internal/controller/
 * linstorcluster_controller.go`, `kustomizeControllerResources` / `kustomizeCSIControllerResources`; index copy,
 * same feature set as the 2.10.7 CRD): it first applies `TolerationsPatch(<computed list>)`, then the user's
 * `spec.<component>.podTemplate` through `ComponentPodTemplate`. Both are kustomize patches without `op`, i.e.
 * strategic merge patches (`pkg/resources/cluster/patches/{tolerations,pod-template}.yaml`). `PodSpec.tolerations`
 * has no patch strategy or merge key (kubernetes `staging/src/k8s.io/api/core/v1/types.go`: `Tolerations
 * []Toleration` carries no `patchStrategy` tag, unlike `Containers` with `patchStrategy:"merge"
 * patchMergeKey:"name"`), so a podTemplate that names `tolerations` REPLACES the computed list. Hence the
 * podTemplate repeats the operator's defaults (`controllerPodTemplateTolerations`), and a test checks the list that
 * results from the merge.
 */

export interface Toleration {
    readonly key?: string;
    readonly operator?: "Exists" | "Equal";
    readonly value?: string;
    readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
    readonly tolerationSeconds?: number;
}

/** The operator components whose tolerations the program changes. */
export type ControllerComponent = "controller" | "csiController";

/** HA Controller taints (piraeus-ha-controller v1.3.2 `pkg/metadata`: NodeForceIoErrorTaint, NodeLostQuorumTaint). */
export const HA_CONTROLLER_TOLERATIONS: readonly Toleration[] = [
    { key: "drbd.linbit.com/force-io-error", operator: "Exists", effect: "NoSchedule" },
    { key: "drbd.linbit.com/lost-quorum", operator: "Exists", effect: "NoSchedule" },
];

/** piraeus-operator `pkg/utils/tolerations/tolerations.go` `FailOverTimeOut = int64(30)`. */
export const OPERATOR_CONTROLLER_TOLERATION_SECONDS = 30;

/** piraeus-operator `tolerations.go` `LinstorControllerTolerations` (index copy at 005014c7). */
export const LINSTOR_CONTROLLER_TOLERATIONS: readonly Toleration[] = [
    { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: OPERATOR_CONTROLLER_TOLERATION_SECONDS },
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: OPERATOR_CONTROLLER_TOLERATION_SECONDS },
];

/**
 * `Toleration.MatchToleration` (k8s.io/api/core/v1/toleration.go): same key, effect, operator and value;
 * `tolerationSeconds` is not compared.
 */
export function matchToleration(a: Toleration, b: Toleration): boolean {
    return (
        (a.key ?? "") === (b.key ?? "") &&
        (a.effect ?? "") === (b.effect ?? "") &&
        (a.operator ?? "") === (b.operator ?? "") &&
        (a.value ?? "") === (b.value ?? "")
    );
}

/** Port of the operator's `tolerations.MergeTolerations`: a later matching toleration replaces in place, others are appended. */
export function mergeTolerations(...lists: readonly (readonly Toleration[])[]): Toleration[] {
    if (lists.length === 0) return [];
    const result = [...lists[0]];
    for (const toAdd of lists.slice(1)) {
        for (const t of toAdd) {
            let updated = false;
            result.forEach((r, j) => {
                if (matchToleration(t, r)) {
                    result[j] = t;
                    updated = true;
                }
            });
            if (!updated) result.push(t);
        }
    }
    return result;
}

/**
 * The list the operator writes before the podTemplate patch (`TolerationsPatch`), for `LinstorCluster.spec.tolerations`
 * = `specTolerations`: controller `MergeTolerations(LinstorControllerTolerations, HAControllerTolerations, spec)`;
 * CSI controller `MergeTolerations(HAControllerTolerations, spec)` (no NoExecute toleration of its own, so the API
 * server's 300 s DefaultTolerationSeconds apply).
 */
export function operatorTolerations(component: ControllerComponent, specTolerations: readonly Toleration[] = []): Toleration[] {
    return component === "controller"
        ? mergeTolerations(LINSTOR_CONTROLLER_TOLERATIONS, HA_CONTROLLER_TOLERATIONS, specTolerations)
        : mergeTolerations(HA_CONTROLLER_TOLERATIONS, specTolerations);
}

/**
 * Strategic merge of a sparse podTemplate over the Deployment's pod spec, for the tolerations field: the patch's
 * list, when it has one, replaces the whole list (no merge key); otherwise the list stays.
 */
export function tolerationsAfterPodTemplate(
    computed: readonly Toleration[],
    podTemplate: { spec?: { tolerations?: readonly Toleration[] } } | undefined,
): Toleration[] {
    const patch = podTemplate?.spec?.tolerations;
    return patch === undefined ? [...computed] : [...patch];
}

/** Short not-ready/unreachable NoExecute tolerations: the pod leaves a dead node after `seconds`. */
export function failoverTolerations(seconds: number): Toleration[] {
    return ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"].map((key) => ({
        key,
        operator: "Exists",
        effect: "NoExecute",
        tolerationSeconds: seconds,
    }));
}

/**
 * What the program puts in `spec.<component>.podTemplate.spec.tolerations`: the operator's own list with our
 * not-ready/unreachable seconds merged in, so the replacement keeps the drbd.linbit.com/* tolerations.
 * (`LinstorCluster.spec.tolerations` would be merged instead of replacing, but the operator adds it to every
 * component, the satellite DaemonSets included, and also decides with it which nodes get a satellite.)
 */
export function controllerPodTemplateTolerations(component: ControllerComponent, seconds: number): Toleration[] {
    return mergeTolerations(operatorTolerations(component), failoverTolerations(seconds));
}
