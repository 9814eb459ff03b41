/**
 * Pulumi waits 10 minutes for a Kubernetes Job unless its customTimeouts say otherwise
 * (@pulumi/kubernetes provider/pkg/await: DefaultJobTimeoutMins = 10): a Job allowed to run longer would fail
 * `pulumi up` half-way while it is still doing its work. Every Job either stack registers must be given a wait at
 * least as long as its own deadline, and a deadline at all.
 */
import { expect } from "chai";
import { PULUMI_DEFAULT_JOB_WAIT_SECONDS } from "../../components/shared/jobs";
import type { MockRecord } from "../../stacks/offline/mockCloud";
import { evaluatedDev, evaluatedDr } from "../support/stackEvaluation";

/** Pulumi's wait as the engine reads a customTimeouts string ("130m", "1h30m", "90s"); the default when unset. */
function waitSeconds(timeout: string): number {
    if (timeout === "") return PULUMI_DEFAULT_JOB_WAIT_SECONDS;
    const units: Record<string, number> = { h: 3600, m: 60, s: 1 };
    const parts = [...timeout.matchAll(/(\d+(?:\.\d+)?)([hms])/g)];
    expect(parts.map((p) => p[0]).join(""), `a Go duration: ${timeout}`).to.equal(timeout);
    return parts.reduce((t, [, n, u]) => t + Number(n) * units[u], 0);
}

function checkJobs(stack: string, records: readonly MockRecord[], expectedAtLeast: number): void {
    const jobs = records.filter((r) => r.type === "kubernetes:batch/v1:Job");
    expect(jobs.length, `${stack}: Jobs`).to.be.at.least(expectedAtLeast);
    for (const job of jobs) {
        const deadline = job.inputs.spec.activeDeadlineSeconds;
        expect(deadline, `${job.name}: activeDeadlineSeconds`).to.be.a("number");
        for (const op of ["create", "update"] as const) {
            expect(waitSeconds(job.options!.customTimeouts[op]), `${job.name}: Pulumi's ${op} wait`).to.be.at.least(deadline);
        }
    }
}

describe("Pulumi waits for every Job as long as the Job may run", () => {
    it("the wait parser reads Go durations and knows the 10-minute default", () => {
        expect(waitSeconds("")).to.equal(600);
        expect(waitSeconds("130m")).to.equal(7800);
        expect(waitSeconds("1h30m")).to.equal(5400);
    });

    it("dev (the resync gates) and dr (the LINSTOR remote Job)", async () => {
        // The shared evaluations keep every registration as the mock recorded it, customTimeouts included.
        checkJobs("dev", (await evaluatedDev({ "ha-jenkins-eks:onDemandSnapshotName": "jenkins-manual" })).records as readonly MockRecord[], 3);
        checkJobs("dr", (await evaluatedDr()).records as readonly MockRecord[], 1);
    });
});
