/**
 * What a component takes besides its Args. The Args are data only, because the component package's schema is
 * inferred from them (components/PulumiPlugin.yaml): providers come in the resource options (`providers`, or
 * `provider` for one package) and reach every child through `parent: this`; what to wait for comes as `dependsOn`.
 * TypeScript-only handles (a provider, resources to wait for, a local component) are getters over `Hidden`, because
 * every class property, private ones included, becomes a schema output (@pulumi/pulumi
 * provider/experimental/analyzer.js, analyzeComponent: all members with SymbolFlags.Property; getters are skipped).
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./errors";

/**
 * The component's `dependsOn` as a list its children can wait for. A component's own dependsOn holds its registration
 * back, but the engine records it on no child, so each child is given it explicitly.
 */
export function dependencies(opts: pulumi.ResourceOptions | undefined): pulumi.Resource[] {
    const d = opts?.dependsOn;
    const list: unknown[] = d === undefined ? [] : Array.isArray(d) ? d : [d];
    return list.map((r) => {
        if (!pulumi.Resource.isInstance(r)) throw new Error("dependsOn: pass resources (not Outputs or Promises of them).");
        return r;
    });
}

/** Values a component keeps for TypeScript callers only, read through getters (class properties would be outputs). */
export class Hidden<T> {
    private readonly values = new WeakMap<object, T>();

    set(owner: object, value: T): void {
        this.values.set(owner, value);
    }

    get(owner: object): T {
        const value = this.values.get(owner);
        if (value === undefined) throw new Error("read before the component's constructor finished");
        return value;
    }
}

/** A provider's package (`getPackage` is public in resource.js, `@internal` in its typings). */
const packageOf = (p: pulumi.ProviderResource): string => (p as unknown as { getPackage(): string }).getPackage();

/**
 * Whether the options give a component a provider of `pkg`, resolved as @pulumi/pulumi resource.js does for its
 * children: `provider`, `providers` (a list or a map, as construct hands it), or one the parent holds.
 */
export function providesPackage(opts: pulumi.ComponentResourceOptions | undefined, pkg: string): boolean {
    const ofPkg = (p: pulumi.ProviderResource | undefined) => p !== undefined && packageOf(p) === pkg;
    const providers = opts?.providers;
    const listed = providers === undefined ? [] : Array.isArray(providers) ? providers : Object.values(providers);
    return ofPkg(opts?.provider) || listed.some(ofPkg) || opts?.parent?.getProvider(`${pkg}::`) !== undefined;
}

/**
 * Refuses, before anything is registered, a component whose Kubernetes children would otherwise go through the
 * default provider, i.e. whatever cluster the ambient kubeconfig context points at.
 */
export function requireKubernetesProvider(component: string, opts: pulumi.ComponentResourceOptions | undefined): void {
    if (providesPackage(opts, "kubernetes")) return;
    const given = [opts?.provider, ...(Array.isArray(opts?.providers) ? opts.providers : Object.values(opts?.providers ?? {}))]
        .filter((p) => p !== undefined)
        .map(packageOf);
    throw new ConfigError(
        `${component} resource option providers`,
        given,
        "Pass a Kubernetes provider in `providers` (or `provider`), or a parent holding one: LinstorCluster's `provider` in " +
            "TypeScript, one built from its `kubeconfig` output in other languages. The ambient kubeconfig is never used.",
    );
}
