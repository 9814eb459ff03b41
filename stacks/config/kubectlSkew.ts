/**
 * The kubectl images the stack runs against its own cluster must be within kubectl's version skew of
 * `kubernetesVersion` (Kubernetes "Version Skew Policy": kubectl is supported within one minor, older or newer, of
 * kube-apiserver). Checked here because only the stack knows both: the components take the image alone.
 */
import { EKS_KUBERNETES_VERSIONS } from "../../components/shared/awsFacts";
import { ConfigError } from "../../components/shared/errors";
import { kubectlSkewProblem } from "../../components/shared/imageVersions";
import type { StackConfig } from ".";
import { projectKey } from "./naming";

export function kubectlSkewProblems(cfg: StackConfig): ConfigError[] {
    const version = cfg.cluster.kubernetesVersion ?? "1.35";
    // An unknown version is kubernetesVersion's own problem: no skew is judged against it.
    if (!EKS_KUBERNETES_VERSIONS.includes(version)) return [];
    const images: [string, string | undefined][] = [
        ["crdUpgradeKubectlImage", cfg.monitoring.crdUpgradeKubectlImage],
        ["linstorDbBackupKubectlImage", cfg.linstorDbBackup.linstorDbBackupKubectlImage],
        ["snapshotJobImage", cfg.snapshots.snapshotJobImage],
    ];
    const problems: ConfigError[] = [];
    for (const [key, image] of images) {
        const problem = image === undefined ? undefined : kubectlSkewProblem(image, version);
        if (problem) problems.push(new ConfigError(projectKey(key), image, problem));
    }
    return problems;
}
