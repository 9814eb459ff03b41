import { expect } from "chai";
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { RESYNC_GATE_SCRIPT, resyncGateJobSpec } from "../../../components/linstorCluster/resyncGate";

/** A fake LINSTOR controller answering /v1/view/resources with the given sequence of answers (last one repeats). */
function fakeLinstor(answers: object[][]) {
    let calls = 0;
    const server = http.createServer((req, res) => {
        if (req.url !== "/v1/view/resources") { res.statusCode = 404; res.end(); return; }
        res.setHeader("Content-Type", "application/json");
        res.end(JSON.stringify(answers[Math.min(calls++, answers.length - 1)]));
    });
    return new Promise<{ url: string; calls: () => number; close: () => void }>((resolve) => {
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as { port: number }).port;
            // "localhost" resolves through getent, like the controller's Service name in a cluster.
            resolve({ url: `http://localhost:${port}`, calls: () => calls, close: () => server.close() });
        });
    });
}

const resource = (node: string, state: string) => ({ name: "pvc-1", node_name: node, volumes: [{ volume_number: 0, state: { disk_state: state } }] });
const healthy = [resource("a", "UpToDate"), resource("b", "UpToDate"), resource("c", "Diskless")];
const syncing = [resource("a", "UpToDate"), resource("b", "UpToDate"), resource("c", "Inconsistent")];

function gate(api: string, env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "resync-gate-")), "gate.sh");
    fs.writeFileSync(file, RESYNC_GATE_SCRIPT);
    return new Promise((resolve) => {
        execFile("/bin/sh", [file], {
            env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LINSTOR_API: api, STABLE_SECONDS: "1", TIMEOUT_SECONDS: "6", POLL_SECONDS: "1", UNRESOLVED_CHECKS: "2", ...env },
            encoding: "utf8", timeout: 20000,
        }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, out: stdout + stderr }));
    });
}

const hasCurl = (() => { try { execFileSync("curl", ["--version"]); return true; } catch { return false; } })();

describe("DRBD resync gate between node-group rollouts", function () {
    this.timeout(30000);

    it("polls the LINSTOR controller from a locked-down pod", () => {
        const spec: any = resyncGateJobSpec({ linstorNamespace: "piraeus-datastore", image: "docker.io/curlimages/curl:8.16.0", stableSeconds: 120, timeoutSeconds: 7200, pollSeconds: 10 });
        const c = spec.template.spec.containers[0];
        expect(Object.fromEntries(c.env.map((e: any) => [e.name, e.value]))).to.deep.equal({
            LINSTOR_API: "http://linstor-controller.piraeus-datastore.svc:3370", STABLE_SECONDS: "120", TIMEOUT_SECONDS: "7200", POLL_SECONDS: "10",
            UNRESOLVED_CHECKS: "6",
        });
        expect(spec.backoffLimit).to.equal(0);
        expect(spec.activeDeadlineSeconds).to.equal(7500);
        expect(spec.template.spec.automountServiceAccountToken).to.equal(false);
        expect(c.securityContext.capabilities).to.deep.equal({ drop: ["ALL"] });
    });

    (hasCurl ? it : it.skip)("passes before LINSTOR is installed (the controller's name does not resolve, repeatedly)", async () => {
        const r = await gate("http://linstor-controller.nowhere.invalid:3370");
        expect(r.code, r.out).to.equal(0);
        expect(r.out).to.contain("LINSTOR is not installed yet");
    });

    (hasCurl ? it : it.skip)("waits while a replica resyncs, then passes once all stayed UpToDate for the window", async () => {
        const fake = await fakeLinstor([syncing, syncing, healthy]);
        try {
            const r = await gate(fake.url);
            expect(r.code, r.out).to.equal(0);
            expect(r.out).to.contain("waiting for DRBD:");
            expect(r.out).to.contain("Inconsistent");
            expect(r.out).to.contain("all replicas UpToDate for 1s");
            expect(fake.calls()).to.be.greaterThan(3);
        } finally {
            fake.close();
        }
    });

    (hasCurl ? it : it.skip)("fails (stopping the rollout) when replicas never recover", async () => {
        const fake = await fakeLinstor([syncing]);
        try {
            const r = await gate(fake.url, { TIMEOUT_SECONDS: "3" });
            expect(r.code).to.equal(1);
            expect(r.out).to.contain("stopping the rollout");
        } finally {
            fake.close();
        }
    });
});
