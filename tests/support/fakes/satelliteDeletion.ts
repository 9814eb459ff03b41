/**
 * What the Piraeus operator does in LINSTOR when a LinstorSatellite is deleted (its Kubernetes Node is gone), replayed
 * over HTTP against a (fake) LINSTOR controller, one reconcile at a time.
 *
 * Source: piraeusdatastore/piraeus-operator `internal/controller/linstorsatellite_controller.go` `deleteSatellite`
 * (index copies read before and after 2.10.7 have the same switch) and `pkg/evacuation/evacuation.go`:
 * - Evacuate: `Nodes.Get` (NotFound → done); `EvacuateSatellite`: … `evacuateNode` (`PUT /v1/nodes/{n}/evacuate`
 *   when the node has no EVACUATE flag yet — the operator also re-evacuates once replacements are synced, which an
 *   offline node never reaches), then `waitForEvacuation`: `GET /v1/view/resources?nodes=n` and
 *   `GET /v1/view/snapshots?nodes=n`, "Waiting on remaining resources and snapshots" while either is non-empty; once
 *   empty, `DELETE /v1/nodes/{n}` and the finalizer goes. (The Kubernetes-side steps — PV annotations, waiting for
 *   other satellites, reattach timeouts — do not touch LINSTOR and are left out.)
 * - Delete: `DELETE /v1/nodes/{n}/lost`; an error (other than NotFound) is returned and the reconcile requeued.
 * - Retain: nothing.
 * golinstor maps HTTP 404 to NotFoundError; other non-2xx answers are errors.
 */
import type { SatelliteDeletionPolicy } from "../../../components/linstorCluster/settings";

export interface ReconcileResult {
    /** The finalizer was removed: the LinstorSatellite is gone. */
    done: boolean;
    /** The SatelliteDeleted/SatelliteEvacuated condition message, or the error. */
    message: string;
}

async function call(api: string, method: string, path: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${api}${path}`, { method, headers: { "content-type": "application/json" } });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text.replace(/("ret_code":)(-?\d+)/g, '$1"$2"')) : undefined };
}

const ok = (status: number) => status >= 200 && status < 300;

/** One reconcile of a LinstorSatellite with a deletion timestamp. */
export async function reconcileSatelliteDeletion(api: string, node: string, policy: SatelliteDeletionPolicy): Promise<ReconcileResult> {
    const n = encodeURIComponent(node);
    switch (policy) {
        case "Evacuate": {
            const got = await call(api, "GET", `/v1/nodes/${n}`);
            if (got.status === 404) return { done: true, message: "node already removed" };
            if (!ok(got.status)) return { done: false, message: `error: GET node ${got.status}` };
            if (!(got.body.flags ?? []).includes("EVACUATE")) {
                const ev = await call(api, "PUT", `/v1/nodes/${n}/evacuate`);
                if (!ok(ev.status) && ev.status !== 404) return { done: false, message: `error: evacuate ${ev.status}` };
            }
            const resources = await call(api, "GET", `/v1/view/resources?nodes=${n}`);
            const snapshots = await call(api, "GET", `/v1/view/snapshots?nodes=${n}`);
            const rs = (resources.body ?? []).map((r: any) => r.name);
            const ss = (snapshots.body ?? []).map((s: any) => s.name);
            if (rs.length + ss.length > 0) {
                return {
                    done: false,
                    message: `Waiting on remaining resources and snapshots: resources: [${rs.join(", ")}] snapshots: [${ss.join(", ")}]`,
                };
            }
            const del = await call(api, "DELETE", `/v1/nodes/${n}`);
            if (!ok(del.status) && del.status !== 404) return { done: false, message: `error: delete ${del.status}` };
            return { done: true, message: "deletion using 'Evacuate' policy complete" };
        }
        case "Delete": {
            const lost = await call(api, "DELETE", `/v1/nodes/${n}/lost`);
            if (!ok(lost.status) && lost.status !== 404) {
                return { done: false, message: `error: ${(lost.body ?? []).map((e: any) => e.message).join("; ")}` };
            }
            return { done: true, message: "deletion using 'Delete' policy complete" };
        }
        case "Retain":
            return { done: true, message: "Nothing to do for deletion of satellite with 'Retain' deletion policy" };
    }
}

/** Reconciles until done or `attempts` run out (the operator requeues forever). */
export async function deleteSatellite(
    api: string,
    node: string,
    policy: SatelliteDeletionPolicy,
    attempts = 5,
    between: (attempt: number) => void = () => undefined,
): Promise<ReconcileResult & { attempts: number; messages: string[] }> {
    const messages: string[] = [];
    for (let i = 1; i <= attempts; i++) {
        const r = await reconcileSatelliteDeletion(api, node, policy);
        messages.push(r.message);
        if (r.done) return { ...r, attempts: i, messages };
        between(i);
    }
    return { done: false, message: messages[messages.length - 1], attempts, messages };
}
