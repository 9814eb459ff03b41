/**
 * What a component takes besides its Args. The Args are data only, because the component package's schema is
 * inferred from them (components/PulumiPlugin.yaml): providers come in the resource options (`providers`, or
 * `provider` for one package) and reach every child through `parent: this`; what to wait for comes as `dependsOn`.
 * TypeScript-only handles (a provider, resources to wait for, a local component) are getters over `Hidden`, because
 * every class property, private ones included, becomes a schema output (@pulumi/pulumi
 * provider/experimental/analyzer.js, analyzeComponent: all members with SymbolFlags.Property; getters are skipped).
 */
import * as pulumi from "@pulumi/pulumi";

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
