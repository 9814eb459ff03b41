/**
 * What `pulumi up` from one evaluation to the next would meet in the engine and the API server, for the DR restore's
 * objects (a fake of the refusals, not of success):
 * - The engine deletes what the old state has and the program no longer registers (matched by URN), and refuses to
 *   delete a protected resource (pulumi/pulumi pkg/resource/deploy/step_generator.go: "… cannot be deleted because it
 *   is protected"); the runbook releases it with `pulumi state unprotect`.
 * - A VolumeSnapshotContent registered under the same URN with other inputs is an update (PATCH): the API server then
 *   applies the CRD's CEL rules on `spec.source`, which kubernetes-csi/external-snapshotter v8.6.0 (the appVersion of
 *   the piraeus snapshot-controller chart 5.2.0 this repository pins, whose CRDs it ships)
 *   client/config/crd/snapshot.storage.k8s.io_volumesnapshotcontents.yaml declares as x-kubernetes-validations:
 *   `snapshotHandle` and `volumeHandle` each `self == oldSelf` ("… is immutable"), each "required once set", and
 *   "exactly one of volumeHandle and snapshotHandle must be set".
 */
import type { MockRecord } from "../../../stacks/offline/mockCloud";

const CONTENT = "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent";

type Source = { readonly snapshotHandle?: string; readonly volumeHandle?: string } | undefined;

/** The CEL rules of `spec.source` on an update, with the CRD's messages; none on a create (oldSource undefined). */
export function contentSourceErrors(oldSource: Source, source: Source): string[] {
    const s = source ?? {};
    const errors: string[] = [];
    const has = (o: Source, k: "snapshotHandle" | "volumeHandle") => o?.[k] !== undefined;
    if (has(s, "volumeHandle") === has(s, "snapshotHandle")) errors.push("exactly one of volumeHandle and snapshotHandle must be set");
    if (oldSource === undefined) return errors;
    for (const k of ["snapshotHandle", "volumeHandle"] as const) {
        if (has(oldSource, k) && !has(s, k)) errors.push(`${k} is required once set`);
        else if (has(oldSource, k) && oldSource?.[k] !== s[k]) errors.push(`${k} is immutable`);
    }
    return errors;
}

/** Why applying `after` over the state `before` left would fail; empty when it would not. */
export function applyErrors(before: readonly MockRecord[], after: readonly MockRecord[]): string[] {
    const next = new Map(after.filter((r) => r.options).map((r) => [r.options?.urn, r]));
    const errors: string[] = [];
    for (const old of before) {
        const urn = old.options?.urn;
        if (!old.custom || urn === undefined) continue;
        const now = next.get(urn);
        if (now === undefined) {
            if (old.options?.protect) errors.push(`${urn}: cannot be deleted because it is protected`);
            continue;
        }
        if (old.type === CONTENT && old.inputs?.metadata?.name === now.inputs?.metadata?.name) {
            for (const e of contentSourceErrors(old.inputs?.spec?.source, now.inputs?.spec?.source)) errors.push(`${urn}: ${e}`);
        }
    }
    return errors;
}
