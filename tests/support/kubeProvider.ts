/**
 * The components refuse to run without a Kubernetes provider (shared/componentOptions.ts requireKubernetesProvider);
 * component tests that are not about providers hand them this one.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { providesPackage } from "../../components/shared/componentOptions";

/** `opts`, with a test Kubernetes provider added to `providers` unless they already give one. */
export function withKube<T extends pulumi.ComponentResourceOptions>(opts?: T): T {
    if (providesPackage(opts, "kubernetes")) return opts as T;
    const kube = new k8s.Provider("test-k8s", { kubeconfig: "{}" });
    const given = opts?.providers;
    const providers = given === undefined ? [kube] : Array.isArray(given) ? [...given, kube] : { ...given, kubernetes: kube };
    return { ...opts, providers } as T;
}
