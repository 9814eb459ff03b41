/**
 * Writes the drill file into JENKINS_HOME and reads its SHA-1 back, through a Jenkins job (as the
 * 2022 reference architecture does) or the script console. "auto" uses jobs only when the built-in node has executors:
 * the chart defaults to 0 (builds on the controller are a security risk), and a job on an agent
 * would write to the agent's disk, not to the replicated JENKINS_HOME.
 */
import type { Clock } from "./clock";
import { parseChecksum, VERIFY_JOB, verifyGroovy, verifyJobXml, WRITE_JOB, writeGroovy, writeJobXml } from "./drillPayload";
import { type JenkinsClient, JenkinsError } from "./jenkinsClient";

export const WRITER_MODES = ["auto", "job", "script"] as const;
export type WriterMode = (typeof WRITER_MODES)[number];

export interface ChecksumWriterOptions {
    readonly mode: WriterMode;
    /** Longest wait for a drill build (queue + run). Default 5 min. */
    readonly buildTimeoutMs?: number;
    readonly log?: (line: string) => void;
}

export type VerifyResult = { readonly sha1: string } | { readonly missing: true; readonly output: string };

export class ChecksumWriter {
    private resolved?: "job" | "script";

    constructor(
        private readonly jenkins: JenkinsClient,
        private readonly clock: Clock,
        private readonly opts: ChecksumWriterOptions,
    ) {}

    /** The mode in effect; "auto" asks Jenkins for the built-in node's executors. */
    async mode(): Promise<"job" | "script"> {
        if (this.resolved) return this.resolved;
        if (this.opts.mode !== "auto") {
            if (this.opts.mode === "job" && (await this.jenkins.builtInExecutors()) < 1) {
                throw new JenkinsError(
                    "--writer job needs executors on the built-in node (controller.numExecutors ≥ 1); " +
                        "the chart's default is 0. Use --writer script (script console) instead.",
                );
            }
            this.resolved = this.opts.mode;
        } else {
            const executors = await this.jenkins.builtInExecutors();
            this.resolved = executors > 0 ? "job" : "script";
            this.log(`Writer: ${this.resolved} (built-in node has ${executors} executor${executors === 1 ? "" : "s"}).`);
        }
        return this.resolved;
    }

    /** Writes 10 MiB of random data to $JENKINS_HOME/drill/<id>.bin and returns its SHA-1. */
    async write(id: string): Promise<string> {
        const output =
            (await this.mode()) === "job" ? await this.runJob(WRITE_JOB, writeJobXml(), id) : await this.jenkins.runScript(writeGroovy(id));
        const sha1 = parseChecksum(output, id);
        if (sha1 === undefined) throw new JenkinsError(`The drill writer printed no SHA-1 for ${id}.bin:\n${tail(output)}`);
        this.log(`Wrote $JENKINS_HOME/drill/${id}.bin, sha1 ${sha1}.`);
        return sha1;
    }

    /** Reads the SHA-1 of the drill file again (missing when the file is not there). */
    async verify(id: string): Promise<VerifyResult> {
        const output =
            (await this.mode()) === "job" ? await this.runJob(VERIFY_JOB, verifyJobXml(), id, true) : await this.jenkins.runScript(verifyGroovy(id));
        const sha1 = parseChecksum(output, id);
        return sha1 === undefined ? { missing: true, output: tail(output) } : { sha1 };
    }

    private async runJob(job: string, xml: string, id: string, failureMeansMissing = false): Promise<string> {
        const how = await this.jenkins.upsertJob(job, xml);
        this.log(`Job ${job} ${how}.`);
        const timeout = this.opts.buildTimeoutMs ?? 300000;
        const queue = await this.jenkins.triggerBuild(job, { DRILL_ID: id });
        const build = await this.jenkins.waitForStart(job, queue, this.clock, timeout);
        const result = await this.jenkins.waitForResult(build, this.clock, timeout);
        const console = await this.jenkins.consoleText(build);
        if (result !== "SUCCESS" && !failureMeansMissing) {
            throw new JenkinsError(`${job} #${build.number} finished ${result}:\n${tail(console)}`);
        }
        return console;
    }

    private log(line: string): void {
        this.opts.log?.(line);
    }
}

function tail(text: string, lines = 15): string {
    return text.trimEnd().split(/\r?\n/).slice(-lines).join("\n");
}
