/**
 * Every shell script the project ships is clean under shellcheck: the script files, and every script embedded in what
 * the stacks register (Jobs, CronJobs, Helm values, node user data) or the tools create (the benchmark's Job, the
 * drills' Jenkins jobs). Scripts are found in the registrations themselves (tests/support/embeddedScripts.ts), so a
 * new one is checked without being listed here. CI installs shellcheck (.ci/run, Debian's package); where it is
 * missing the check fails under CI=true and is skipped, saying so, elsewhere.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "chai";
import { BENCH_DEFAULTS, benchManifests } from "../stacks/ops/benchmark/manifests";
import { FIO_DEFAULTS } from "../stacks/ops/benchmark/matrix";
import { verifyJobXml, writeJobXml } from "../stacks/ops/drillPayload";
import { type EmbeddedScript, jenkinsShellSteps, repositoryScripts, scriptsIn } from "./support/embeddedScripts";
import { evaluatedDev, evaluatedDr } from "./support/stackEvaluation";

const ROOT = resolve(__dirname, "..");
const SHELLCHECK = process.env.SHELLCHECK ?? "shellcheck";
const shellcheckVersion = (() => {
    const r = spawnSync(SHELLCHECK, ["--version"], { encoding: "utf8" });
    return r.status === 0 ? /version: (\S+)/.exec(r.stdout)?.[1] : undefined;
})();

interface Finding {
    readonly file: string;
    readonly line: number;
    readonly column: number;
    readonly level: string;
    readonly code: number;
    readonly message: string;
}

/** shellcheck (all severities, style included) over the scripts, one run per dialect; findings with their script's origin. */
function shellcheck(scripts: readonly EmbeddedScript[]): { origin: string; finding: Finding; line: string }[] {
    const dir = mkdtempSync(join(tmpdir(), "hje-shellcheck-"));
    try {
        const files = scripts.map((s, i) => {
            const file = join(dir, `${i}.${s.shell}`);
            writeFileSync(file, s.text);
            return file;
        });
        return (["sh", "bash"] as const).flatMap((shell) => {
            const mine = files.filter((f) => f.endsWith(`.${shell}`));
            if (mine.length === 0) return [];
            const r = spawnSync(SHELLCHECK, ["--shell", shell, "--format", "json1", ...mine], { encoding: "utf8" });
            if (r.status !== 0 && r.status !== 1) throw new Error(`shellcheck failed (${r.status}): ${r.stderr}`);
            return (JSON.parse(r.stdout) as { comments: Finding[] }).comments.map((finding) => {
                const script = scripts[files.indexOf(finding.file)];
                return { origin: script.origin, finding, line: script.text.split("\n")[finding.line - 1] ?? "" };
            });
        });
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

describe("shell scripts: shellcheck-clean wherever they are embedded", () => {
    let scripts: EmbeddedScript[] = [];
    before(async () => {
        // Every variant that registers scripts of its own: dev (DB backup, on-demand snapshot), the DR stack's restore mode
        // with DR snapshots on (ensure-remote Job, snapshot CronJob) and the warm standby (its restore-check and restore-download CronJobs).
        const stacks = [
            await evaluatedDev({ "ha-jenkins-eks:onDemandSnapshotName": "jenkins-manual" }),
            await evaluatedDr({ "ha-jenkins-eks:drSnapshotsEnabled": "true" }),
            { ...(await evaluatedDr({ "ha-jenkins-eks:drMode": "standby" })), stack: "dr-standby" },
        ];
        scripts = [
            ...stacks.flatMap((s) => s.records.flatMap((r) => scriptsIn(r.inputs, `${s.stack}: ${r.type} ${r.name}`))),
            ...[true, false].flatMap((installFio) =>
                scriptsIn(
                    benchManifests({ key: "r3", storageClassName: "r3" }, { ...BENCH_DEFAULTS, installFio, fio: FIO_DEFAULTS }),
                    `bench (installFio ${installFio})`,
                ),
            ),
            ...jenkinsShellSteps(writeJobXml(), "drill job ha-drill-write"),
            ...jenkinsShellSteps(verifyJobXml(), "drill job ha-drill-verify"),
            ...repositoryScripts(ROOT),
        ];
    });

    it("finds the scripts where they are embedded (a lost extraction would check nothing)", () => {
        const origins = scripts.map((s) => s.origin);
        for (const expected of [
            /^dev: kubernetes:batch\/v1:CronJob \S*snapshots\S*\.spec\.jobTemplate\.spec\.template\.spec\.containers\[0\]\.command$/,
            /^dev: kubernetes:batch\/v1:CronJob \S*linstor-db-backup\S*\.spec\.jobTemplate\.spec\.template\.spec\.initContainers\[0\]\.command$/,
            /^dr: kubernetes:batch\/v1:CronJob \S*snapshots\S*\.spec\.jobTemplate\.spec\.template\.spec\.containers\[0\]\.command$/,
            /^dr: kubernetes:batch\/v1:Job \S*ensure-linstor-remote\S*\.spec\.template\.spec\.containers\[0\]\.command$/,
            /^dr-standby: kubernetes:batch\/v1:CronJob \S*restore-check\S*\.spec\.jobTemplate\.spec\.template\.spec\.containers\[0\]\.command$/,
            /^dr-standby: kubernetes:batch\/v1:CronJob \S*restore-download\S*\.spec\.jobTemplate\.spec\.template\.spec\.containers\[0\]\.command$/,
            /^dr-standby: kubernetes:batch\/v1:CronJob \S*restore-download\S*\.spec\.jobTemplate\.spec\.template\.spec\.initContainers\[1\]\.command$/,
            /^dev: kubernetes:helm\.sh\/v3:Release \S*jenkins\S*\.values\.controller\.customInitContainers\[0\]\.command$/,
            /^dev: aws:ec2\/launchTemplate:LaunchTemplate \S*storage-node\.userData \(base64\) \(MIME part 1\)$/,
            /^dev: aws:ec2\/launchTemplate:LaunchTemplate \S*storage-node\.userData .*\(heredoc HEADERS\)$/,
            /^dev: aws:ec2\/launchTemplate:LaunchTemplate \S*storage-node\.userData .*\(heredoc HELPER\)$/,
            /^bench \(installFio true\)\.job\.spec\.template\.spec\.containers\[0\]\.command$/,
            /^drill job ha-drill-write \(shell step 1\)$/,
            /^drill job ha-drill-verify \(shell step 1\)$/,
            /^components\/linstorDbBackup\/restoreLinstorDb\.sh$/,
            /^\.ci\/run$/,
        ]) {
            expect(
                origins.some((o) => expected.test(o)),
                `${expected} among:\n${origins.join("\n")}`,
            ).to.equal(true);
        }
    });

    it("the extraction: sh/bash -c in any container, base64 MIME user data, shebang strings, heredocs; an unknown -c interpreter is an error", () => {
        const userData = Buffer.from(
            'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: application/node.eks.aws\n\nkind: x\n--B\n' +
                "Content-Type: text/x-shellscript\n\n#!/bin/bash\ncat > /x <<'INNER'\n#!/bin/sh\necho inner\nINNER\n--B--\n",
        ).toString("base64");
        const found = scriptsIn(
            {
                a: { command: ["/bin/sh", "-c", "echo a"] },
                b: { command: ["bash"], args: ["-c", "echo b"] },
                c: { command: ["python3", "-c", "print(1)"] },
                d: { data: { "run.sh": "#!/usr/bin/env bash\necho d" } },
                userData,
            },
            "t",
        );
        expect(found.map((s) => [s.origin, s.shell, s.text.split("\n").pop()])).to.deep.equal([
            ["t.a.command", "sh", "echo a"],
            ["t.b.command", "bash", "echo b"],
            ["t.d.data.run.sh", "bash", "echo d"],
            ["t.userData (base64) (MIME part 1)", "bash", ""],
            ["t.userData (base64) (MIME part 1) (heredoc INNER)", "sh", ""],
        ]);
        expect(() => scriptsIn({ command: ["ruby", "-c", "x"] }, "t")).to.throw(/"-c" after ruby, which is neither a known shell/);
        expect(() => scriptsIn({ args: ["-c", "x"] }, "t")).to.throw(/image entrypoint/);
    });

    describe("shellcheck", () => {
        before(function () {
            if (shellcheckVersion !== undefined) return;
            // CI installs it (.ci/run): there a missing shellcheck is a failure, never a silent pass.
            if (process.env.CI) throw new Error(`shellcheck is required under CI=true but "${SHELLCHECK} --version" failed: see .ci/run`);
            console.log("    (shellcheck not found: skipping the shellcheck checks; apt-get install shellcheck, or set SHELLCHECK)");
            this.skip();
        });

        it("flags a real mistake, so a clean result means something", () => {
            const findings = shellcheck([{ origin: "probe", shell: "sh", text: 'rm -rf $1/\necho "$(ls)"\n' }]);
            expect(findings.map((f) => f.finding.code)).to.include(2086);
        });

        it(`reports nothing on any shipped script (shellcheck ${shellcheckVersion ?? "missing"})`, () => {
            expect(scripts.length).to.be.greaterThan(10);
            const findings = shellcheck(scripts).map(
                (f) =>
                    `${f.origin}:${f.finding.line}:${f.finding.column}: ${f.finding.level} SC${f.finding.code}: ${f.finding.message}\n    ${f.line}`,
            );
            expect(findings, findings.join("\n")).to.deep.equal([]);
        });
    });
});
