import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";

import { DIAGRAM_END, DIAGRAM_START } from "../../../stacks/offline/diagram";

const ROOT = path.resolve(__dirname, "..", "..", "..");

/**
 * Runs `npm run plan -- <args>` the way a user does: the launcher (a child process, no cloud), which builds the
 * plan to bin/ when a source changed and otherwise runs the last build.
 */
function plan(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            ["stacks/offline/planLauncher.js", ...args],
            { cwd: ROOT, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
            (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
        );
    });
}

/** The quick start's reachability choice (a public endpoint for the deployer's network). */
const API = ["-c", 'apiPublicAccessCidrs=["198.51.100.0/24"]'];

describe("npm run plan (end to end)", function () {
    this.timeout(120_000);

    /** One plan of the dev stack with the quick start's API access, writing its diagrams: two cases read it. */
    let devRun: Promise<{ file: string; r: Awaited<ReturnType<typeof plan>> }> | undefined;
    const devPlan = () => {
        devRun ??= (async () => {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-diagram-")), "plan.md");
            return { file, r: await plan(["dev", ...API, "--diagram", file]) };
        })();
        return devRun;
    };
    after(async () => {
        if (devRun) fs.rmSync(path.dirname((await devRun).file), { recursive: true, force: true });
    });

    it("stops the shipped dev stack until the deployer chooses how to reach the API, naming the keys", async () => {
        const r = await plan(["dev"]);
        expect(r.code).to.equal(2);
        expect(r.stderr)
            .to.contain("ha-jenkins-eks:apiPublicAccessCidrs")
            .and.to.contain("ha-jenkins-eks:apiPrivateAccessCidrs")
            .and.to.contain("ha-jenkins-eks:apiPrivateAccessSecurityGroupIds");
        expect(r.stderr).to.not.match(/\n\s+at /);
    });

    it("plans the dev stack on an existing VPC: the subnets it reads prove their zones to the pack", async () => {
        const subnets = ["subnet-0a0a0a0a0a0a0a0a1", "subnet-0a0a0a0a0a0a0a0a2", "subnet-0a0a0a0a0a0a0a0a3"];
        const r = await plan(["dev", ...API, "-c", "vpcId=vpc-0123456789abcdef0", "-c", `privateSubnetIds=${JSON.stringify(subnets)}`]);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.match(/Availability zones: VPC us-west-2a, us-west-2b, us-west-2c;/);
        expect(r.stdout).to.match(/node group \S+us-west-2a\S*: us-west-2a/);
        expect(r.stdout).to.not.contain("eks-nodes-span-three-azs");
    });

    it("plans the dev stack offline: resources, AZs, sizing, RTO/RPO and zero violations", async () => {
        const { r } = await devPlan();
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.contain("Offline plan of stack dev");
        expect(r.stdout).to.match(/node group .*us-west-2a/);
        expect(r.stdout).to.contain("linstor-csi-lvm-thin-r3");
        expect(r.stdout).to.contain("DRBD metadata");
        expect(r.stdout).to.contain("In-region RPO: 0 s");
        // Issue 16: the dev stack's region RPO (schedule gap + shipping a full backup) is at most 15 minutes.
        const rpo = /^Region RPO: (\d+(?:\.\d+)?) s/m.exec(r.stdout);
        expect(rpo, "the plan reports a region RPO").to.not.equal(null);
        expect(Number(rpo?.[1])).to.be.at.most(15 * 60);
        // …and the monthly backup cost with NAT data processing and DRBD's inter-AZ traffic, and the data pool's budget.
        expect(r.stdout).to.match(/^Backup and replication traffic, monthly .*: \$\d+\.\d\d$/m);
        expect(r.stdout)
            .to.match(/^ {4}NAT data processing +\$\d/m)
            .and.to.match(/^ {4}inter-AZ DRBD replication +\$\d/m);
        expect(r.stdout).to.match(/^ {2}data pool per node .* GiB of 160 GiB planned \(80 % of 200 GiB\)$/m);
        expect(r.stdout).to.contain("✔ no violations");
        // The plan's own speed is a maintainer's concern, shown only with --timing.
        expect(r.stdout).to.not.match(/^Timing:/m);
    });

    it("writes the Mermaid diagrams of the stack, and the README shows the dev stack's current ones", async () => {
        const { file, r } = await devPlan();
        expect(r.code, r.stderr).to.equal(0);
        const block = (text: string) => text.slice(text.indexOf(DIAGRAM_START), text.indexOf(DIAGRAM_END) + DIAGRAM_END.length);
        const generated = block(fs.readFileSync(file, "utf8"));
        expect(generated).to.contain("flowchart LR").and.to.contain("gantt").and.to.contain("JENKINS_HOME replica 3");
        // Regenerate with: npm run plan -- dev -c 'apiPublicAccessCidrs=["203.0.113.10/32"]' --diagram README.md
        expect(block(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")), "README.md's diagram is stale").to.equal(generated);
    });

    it("rejects a deliberately broken stack with the rule's message and a non-zero exit", async () => {
        const r = await plan(["dev", ...API, "-c", "jenkinsStorageClassReplicas=1", "-c", "jenkinsAllowFewerReplicas=true"]);
        expect(r.code).to.equal(1);
        expect(r.stdout).to.contain("jenkins-volume-replicated");
    });

    it("plans the DR stack with no primary and no backup named: the warm standby's DR RTO (the verified backup within 10 minutes for 20 GiB)", async () => {
        const noPrimary = ["-c", "restoreBucketName=hje-dev-snapshots-us-east-2-0a1b2c3d", "-c", "restoreBucketRegion=us-east-2"];
        const kms = ["-c", "restoreBucketKmsKeyArn=arn:aws:kms:us-east-2:123456789012:key/example"];
        const r = await plan(["dr", ...API, ...noPrimary, ...kms, "-c", "drMode=standby"]);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.contain("restore-check");
        const warm = /^ {2}DR warm standby \(drMode: standby, then restore\): (\d+(?:\.\d+)?) s/m.exec(r.stdout);
        expect(warm, "the plan prints the warm standby's DR RTO").to.not.equal(null);
        // The newest backup: the restore gate downloads what the 5-minute download step can have missed, at worst a new
        // full, at the estimated rate of one S3 stream (RESTORE_ESTIMATE, 77 MiB/s, unmeasured), after pulumi up with its
        // bucket read and LINSTOR's chain walk; the standby pre-pulled the image (its DaemonSet, a root resource of the
        // plan): 8.0 min, within the 10 minutes at that rate.
        expect(Number(warm?.[1])).to.equal(482.6).and.to.be.at.most(600);
        expect(r.stdout).to.match(/^ {2}\(stack root\): 2\n {6}kubernetes:DaemonSet ×1, kubernetes:Namespace ×1$/m);
        // The same at the restore waits' rate (half the estimate) misses it; the rate the 10 minutes rest on, computed.
        expect(r.stdout).to.contain("at the 38 MiB/s the restore waits allow (half of it) 755.8 s (12.6 min)");
        expect(r.stdout).to.contain(
            "The worst case holds the 10-minute target while LINSTOR reads ≥ 53.5 MiB/s from S3: the 10-minute target rests on that rate, which the DR drill measures",
        );
        expect(r.stdout).to.match(/^ {4}chain walk {2,}\d/m);
        expect(r.stdout).to.contain("restore-download");
        // The pool line counts what the standby keeps in LINSTOR (stacks/config/dataPool.ts).
        expect(r.stdout).to.match(
            /^ {2}data pool per node .*restore check's scratch claim 20 GiB \+ downloaded chain 26 GiB .* = 98 GiB of 160 GiB/m,
        );
        const verified = /^ {2}DR warm standby, the backup the restore check verified pinned \(runbook\): (\d+(?:\.\d+)?) s/m.exec(r.stdout);
        expect(Number(verified?.[1])).to.be.at.most(600);
        // The stack's own mode comes first; the cold path is printed too.
        expect(r.stdout.indexOf("DR warm standby")).to.be.lessThan(r.stdout.indexOf("DR (cluster created on demand)"));
        // Restoring (the default mode): the restore of the example backup the plan assumes is in the bucket.
        const restore = await plan(["dr", ...API, ...noPrimary, ...kms]);
        expect(restore.code, restore.stderr).to.equal(0);
        expect(restore.stdout).to.match(/SnapshotRestore hje-dr-restore-20260101-000000-[0-9a-f]{8}/);
        // With the chain released after the restore (restoreReleaseChain), only its increments count, until the release Job.
        expect(restore.stdout).to.match(
            /^ {2}data pool per node .*restored Jenkins claim 20 GiB \+ downloaded chain's increments, until released 6 GiB/m,
        );
        expect(restore.stdout).to.match(/ReleaseChain hje-dr-release-chain-20260101-000000-[0-9a-f]{8}/);
        expect(restore.stdout).to.contain("Guessed: the contents of bucket hje-dev-snapshots-us-east-2-0a1b2c3d");
    });

    it("rejects invalid config with the ConfigError message, no stack trace", async () => {
        const r = await plan(["dev", ...API, "-c", 'availabilityZones=["us-west-2a","us-west-2b"]']);
        expect(r.code).to.equal(2);
        expect(r.stderr).to.contain("ha-jenkins-eks:availabilityZones");
        expect(r.stderr).to.not.match(/\n\s+at /);
    });
});
