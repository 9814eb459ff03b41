/**
 * DR drill: prove that a backup shipped to S3 brings Jenkins back in the DR region with its data.
 *
 *   npm run drill:dr -- <primary-stack> --yes [--dr-stack dr] [--apply [--pulumi-yes]] | --dry-run
 *   npm run drill:dr -- verify <dr-stack> --drill-id ID --sha1 SHA
 *
 * 1. writes a checksummed file into the primary's JENKINS_HOME (as the fail-over drill does), only with --yes and once
 *    the kube context proved to be the primary's cluster (clusterProof.ts);
 * 2. takes an on-demand VolumeSnapshot of the Jenkins claim with the S3 VolumeSnapshotClass and waits
 *    until it is readyToUse (shipped), then reads its VolumeSnapshotContent's status.snapshotHandle;
 * 3. prints (or with --apply runs) `pulumi config set ha-jenkins-eks:restoreSnapshotHandle … -s dr` and `pulumi up -s dr`;
 * 4. verifies the file's checksum through the DR stack's Jenkins, and prints the restore throughput it measured (the DR
 *    stack's restore gate Job's own download: the links its request fetched over its request → Success time, from its
 *    termination message; nothing when the chain was already local; restoreMeasure.ts) against RESTORE_ESTIMATE and
 *    the warm fail-over's break-even.
 */
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { isSnapshotHandle, ON_DEMAND_LABEL, SNAPSHOT_API, volumeSnapshotFromClaim } from "../../components/snapshots/schedule";
import { ChecksumWriter, WRITER_MODES, type WriterMode } from "./checksumWriter";
import {
    COMMON_OPTIONS,
    type CommonFlags,
    connectJenkins,
    describeTarget,
    fail,
    jenkinsPodName,
    jenkinsTarget,
    loadOutputs,
    runMain,
    Session,
} from "./cli";
import { type Clock, pollUntil, systemClock } from "./clock";
import { KubeCluster, loadKubeConfig } from "./cluster";
import { contextCluster, proveJenkinsTarget, proveStackCluster, requireYes, stackCluster } from "./clusterProof";
import { DRILL_FILE_MIB, isDrillId, newDrillId } from "./drillPayload";
import { numberFlag, secondsFlag } from "./flags";
import type { JenkinsClient } from "./jenkinsClient";
import { seconds } from "./phases";
import { restoreReport } from "./restoreMeasure";
import { OUTPUT_NAMES, outputString } from "./stackOutputs";

/** The DR stack's config key naming the backup to restore (stacks/config/dr.ts). */
export const RESTORE_HANDLE_KEY = "ha-jenkins-eks:restoreSnapshotHandle";
const [SNAPSHOT_GROUP, SNAPSHOT_VERSION] = SNAPSHOT_API.split("/");

export interface SnapshotStatus {
    readonly readyToUse: boolean;
    readonly error?: string;
    readonly contentName?: string;
}

/** The VolumeSnapshot calls the drill needs (snapshot.storage.k8s.io/v1). */
export interface SnapshotApi {
    create(manifest: Record<string, unknown>): Promise<void>;
    status(namespace: string, name: string): Promise<SnapshotStatus | undefined>;
    contentHandle(contentName: string): Promise<string | undefined>;
}

export class KubeSnapshots implements SnapshotApi {
    private constructor(private readonly api: import("@kubernetes/client-node").CustomObjectsApi) {}

    static async create(kc: import("@kubernetes/client-node").KubeConfig): Promise<KubeSnapshots> {
        const k8s = await import("@kubernetes/client-node");
        return new KubeSnapshots(kc.makeApiClient(k8s.CustomObjectsApi));
    }

    async create(manifest: Record<string, unknown>): Promise<void> {
        const namespace = (manifest.metadata as { namespace: string }).namespace;
        await this.api.createNamespacedCustomObject({
            group: SNAPSHOT_GROUP,
            version: SNAPSHOT_VERSION,
            namespace,
            plural: "volumesnapshots",
            body: manifest,
        });
    }

    async status(namespace: string, name: string): Promise<SnapshotStatus | undefined> {
        const vs = (await this.api
            .getNamespacedCustomObject({ group: SNAPSHOT_GROUP, version: SNAPSHOT_VERSION, namespace, plural: "volumesnapshots", name })
            .catch((e: { code?: number }) => (e.code === 404 ? undefined : Promise.reject(e)))) as
            | { status?: { readyToUse?: boolean; error?: { message?: string }; boundVolumeSnapshotContentName?: string } }
            | undefined;
        if (!vs) return undefined;
        return {
            readyToUse: vs.status?.readyToUse === true,
            error: vs.status?.error?.message,
            contentName: vs.status?.boundVolumeSnapshotContentName,
        };
    }

    async contentHandle(contentName: string): Promise<string | undefined> {
        const c = (await this.api.getClusterCustomObject({
            group: SNAPSHOT_GROUP,
            version: SNAPSHOT_VERSION,
            plural: "volumesnapshotcontents",
            name: contentName,
        })) as { status?: { snapshotHandle?: string } };
        return c.status?.snapshotHandle;
    }
}

export interface DrSnapshotOptions {
    readonly drillId: string;
    readonly namespace: string;
    readonly claimName: string;
    readonly snapshotClassName: string;
    readonly readyTimeoutMs: number;
    readonly pollMs: number;
}

export interface DrSnapshotResult {
    readonly drillId: string;
    readonly sha1: string;
    readonly snapshotName: string;
    readonly snapshotHandle: string;
    /** Write → snapshot ready: how long shipping took (part of the region RPO). */
    readonly shippedInMs: number;
}

/** Steps 1–2: the checksummed file, then an S3 snapshot that contains it, and its handle. */
export async function takeDrSnapshot(
    opts: DrSnapshotOptions,
    deps: { writer: ChecksumWriter; snapshots: SnapshotApi; clock: Clock; log: (s: string) => void },
): Promise<DrSnapshotResult> {
    const { clock, log } = deps;
    const sha1 = await deps.writer.write(opts.drillId);
    const start = clock.now();
    // The drill id is lowercase letters, digits and '-', so it is a valid object name as is.
    const snapshotName = opts.drillId;
    await deps.snapshots.create(
        volumeSnapshotFromClaim({
            name: snapshotName,
            namespace: opts.namespace,
            className: opts.snapshotClassName,
            pvcName: opts.claimName,
            labels: { [ON_DEMAND_LABEL]: "dr-drill" },
        }),
    );
    log(
        `Created VolumeSnapshot ${opts.namespace}/${snapshotName} of ${opts.claimName} with class ${opts.snapshotClassName}; waiting for it to be shipped…`,
    );
    const status = await pollUntil(clock, `VolumeSnapshot ${snapshotName} to become readyToUse`, opts.readyTimeoutMs, opts.pollMs, async () => {
        const s = await deps.snapshots.status(opts.namespace, snapshotName);
        if (s?.error) throw new Error(`VolumeSnapshot ${snapshotName} failed: ${s.error}`);
        return s?.readyToUse && s.contentName ? s : undefined;
    });
    const handle = await deps.snapshots.contentHandle(status.contentName as string);
    if (handle === undefined || !isSnapshotHandle(handle)) {
        throw new Error(`VolumeSnapshotContent ${status.contentName} has no usable status.snapshotHandle (${handle ?? "none"}).`);
    }
    const shippedInMs = clock.now() - start;
    log(`Snapshot ready after ${seconds(shippedInMs)}; handle ${handle}.`);
    return { drillId: opts.drillId, sha1, snapshotName, snapshotHandle: handle, shippedInMs };
}

/** Step 3 as commands; the last one is step 4 for the manual path. */
export function drCommands(r: Pick<DrSnapshotResult, "drillId" | "sha1" | "snapshotHandle">, drStack: string): string[][] {
    return [
        ["pulumi", "config", "set", RESTORE_HANDLE_KEY, r.snapshotHandle, "-s", drStack],
        ["pulumi", "up", "-s", drStack],
        ["npm", "run", "drill:dr", "--", "verify", drStack, "--drill-id", r.drillId, "--sha1", r.sha1],
    ];
}

export function shellQuote(args: readonly string[]): string {
    return args.map((a) => (/^[A-Za-z0-9_./:=@-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
}

export interface DrVerifyResult {
    readonly passed: boolean;
    readonly message: string;
}

/** Step 4: wait for the DR Jenkins to answer, then compare the drill file's checksum. */
export async function verifyDr(
    opts: { drillId: string; sha1: string; waitMs: number; pollMs: number },
    deps: { jenkins: JenkinsClient; writer: ChecksumWriter; clock: Clock },
): Promise<DrVerifyResult> {
    await pollUntil(deps.clock, `the DR Jenkins at ${deps.jenkins.baseUrl} to answer /login`, opts.waitMs, opts.pollMs, async () =>
        (await deps.jenkins.loginStatus()) === 200 ? true : undefined,
    );
    const v = await deps.writer.verify(opts.drillId);
    if ("missing" in v) return { passed: false, message: `FAIL: $JENKINS_HOME/drill/${opts.drillId}.bin is not in the DR copy:\n${v.output}` };
    return v.sha1 === opts.sha1
        ? { passed: true, message: `PASS: the DR Jenkins has ${opts.drillId}.bin with sha1 ${v.sha1} (identical to the primary's).` }
        : { passed: false, message: `FAIL: sha1 ${v.sha1} in the DR copy, ${opts.sha1} on the primary.` };
}

export function planDrDrill(p: {
    primary: string;
    drStack: string;
    jenkins: string;
    namespace: string;
    claim: string;
    snapshotClass: string;
    drillId: string;
    apply: boolean;
}): string[] {
    const cmds = drCommands({ drillId: p.drillId, sha1: "<sha1>", snapshotHandle: "<handle>" }, p.drStack);
    return [
        `Read the outputs of stack ${p.primary}; prove the kube context is its cluster (the API endpoint of its kubeconfig output, else refuse); connect to its Jenkins via ${p.jenkins}.`,
        `Write ${DRILL_FILE_MIB} MiB of random data to $JENKINS_HOME/drill/${p.drillId}.bin (job or script console) and read its sha1.`,
        `Create VolumeSnapshot ${p.namespace}/${p.drillId} of claim ${p.claim} with VolumeSnapshotClass ${p.snapshotClass} (S3).`,
        "Poll it until status.readyToUse (the backup is in S3); read status.boundVolumeSnapshotContentName → VolumeSnapshotContent status.snapshotHandle.",
        `${p.apply ? "Run" : "Print"}: ${shellQuote(cmds[0])}`,
        `${p.apply ? "Run" : "Print"}: ${shellQuote(cmds[1])}`,
        p.apply
            ? `Read the outputs of stack ${p.drStack}, wait for its Jenkins, and compare the sha1 of ${p.drillId}.bin.`
            : `Print the verification to run after pulumi up: ${shellQuote(cmds[2])}`,
    ];
}

const USAGE = `Usage:
  npm run drill:dr -- <primary-stack> --yes [--dr-stack dr] [--apply [--pulumi-yes]] [options]
  npm run drill:dr -- <primary-stack> --dry-run [options]
  npm run drill:dr -- verify <dr-stack> --drill-id ID --sha1 SHA [options]
Options:
  --yes                      required to write the drill file into the primary's live JENKINS_HOME and snapshot it;
                             the kube context must also prove to be the primary's cluster (its API endpoint)
  --dr-stack NAME            DR stack (default dr)
  --apply                    run pulumi config set / pulumi up for the DR stack (pulumi up asks to confirm)
  --pulumi-yes               with --apply: pulumi up --yes (no confirmation)
  --snapshot-class NAME      default: stack output onDemandSnapshotClassName (a full backup that pins no
                             chain), else snapshotClassName, else linstor-csi-s3-on-demand
  --claim NAME               default: stack output jenkinsPvcName, else the Jenkins pod's claim
  --writer auto|job|script   how to write/read the drill file (default auto)
  --snapshot-timeout-seconds N   whole seconds, 1-604800, default 2700 (a full first backup of a large volume takes long)
  --jenkins-wait-seconds N   how long verify waits for the DR Jenkins (whole seconds, 1-604800, default 1800)
  --jenkins-url, --port-forward, --jenkins-user, --namespace, --service, --kubeconfig, --context, --outputs-file as in drill:failover
Credentials: JENKINS_API_TOKEN or JENKINS_PASSWORD, else the stack output jenkinsAdminPassword.
verify also prints the restore throughput: what the DR stack's restore gate Job (its LINSTOR namespace, label
ha-jenkins-eks.io/restore-gate) downloaded itself, over its request → Success time (its pod's termination message),
against the estimate; "not measured" when the standby already had the chain.`;

export async function main(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
            ...COMMON_OPTIONS,
            "dr-stack": { type: "string" },
            apply: { type: "boolean" },
            yes: { type: "boolean" },
            "pulumi-yes": { type: "boolean" },
            "snapshot-class": { type: "string" },
            claim: { type: "string" },
            writer: { type: "string" },
            "snapshot-timeout-seconds": { type: "string" },
            "jenkins-wait-seconds": { type: "string" },
            "drill-id": { type: "string" },
            sha1: { type: "string" },
        },
    });
    const verifyMode = positionals[0] === "verify";
    if (values.help || positionals.length !== (verifyMode ? 2 : 1)) {
        process.stdout.write(`${USAGE}\n`);
        return values.help ? 0 : 2;
    }
    const flags = values as CommonFlags;
    const log = (s: string) => process.stdout.write(`${s}\n`);
    const writerMode = (values.writer ?? "auto") as WriterMode;
    if (!WRITER_MODES.includes(writerMode)) fail(`--writer must be one of ${WRITER_MODES.join(", ")}.`);
    const waitMs = numberFlag(values["jenkins-wait-seconds"], 1800, secondsFlag("--jenkins-wait-seconds")) * 1000;
    const readyTimeoutMs = numberFlag(values["snapshot-timeout-seconds"], 2700, secondsFlag("--snapshot-timeout-seconds")) * 1000;
    if (values["drill-id"] !== undefined && !isDrillId(values["drill-id"])) fail("--drill-id takes 1-64 letters, digits, '-' or '_'.");
    const session = new Session();
    try {
        if (verifyMode) {
            const drillId = values["drill-id"];
            const sha1 = values.sha1;
            if (!drillId || !isDrillId(drillId) || !sha1 || !/^[0-9a-f]{40}$/.test(sha1))
                fail("verify needs --drill-id and a 40-hex --sha1 (printed by the snapshot step).");
            return (await verifyStack(positionals[1], drillId, sha1, writerMode, waitMs, flags, session, log)) ? 0 : 1;
        }
        const primary = positionals[0];
        const drStack = values["dr-stack"] ?? "dr";
        const drillId = values["drill-id"] ?? newDrillId("dr", Date.now());
        const outputs = await loadOutputs(primary, flags, log);
        const target = jenkinsTarget(outputs, flags);
        const snapshotClass =
            values["snapshot-class"] ??
            outputString(outputs, OUTPUT_NAMES.onDemandSnapshotClassName) ??
            outputString(outputs, OUTPUT_NAMES.snapshotClassName) ??
            "linstor-csi-s3-on-demand";
        let claim = values.claim ?? outputString(outputs, OUTPUT_NAMES.jenkinsPvcName);
        if (flags["dry-run"]) {
            const steps = planDrDrill({
                primary,
                drStack,
                jenkins: describeTarget(target),
                namespace: target.namespace,
                claim: claim ?? "<the Jenkins pod's claim>",
                snapshotClass,
                drillId,
                apply: values.apply === true,
            });
            log(`DR drill plan (dry run, nothing contacted):\n${steps.map((s, i) => `  ${i + 1}. ${s}`).join("\n")}`);
            return 0;
        }
        const action = `write a drill file into stack ${primary}'s live JENKINS_HOME and snapshot its claim`;
        requireYes(values.yes, `This would ${action}.`);
        proveJenkinsTarget(primary, outputs, flags, action);
        const kc = await loadKubeConfig({
            file: flags.kubeconfig,
            output: flags.kubeconfig ? undefined : outputs[OUTPUT_NAMES.kubeconfig],
            context: flags.context,
        });
        log(proveStackCluster(primary, stackCluster(outputs), contextCluster(kc), action));
        if (claim === undefined) {
            const pod = await (await KubeCluster.create(kc)).getPod(target.namespace, jenkinsPodName(target));
            claim = pod?.claimNames[0];
            if (claim === undefined) fail(`Cannot find the Jenkins claim: pass --claim or export the stack output ${OUTPUT_NAMES.jenkinsPvcName}.`);
        }
        const { client } = await connectJenkins(target, outputs, flags, session, log, kc);
        const result = await takeDrSnapshot(
            {
                drillId,
                namespace: target.namespace,
                claimName: claim,
                snapshotClassName: snapshotClass,
                readyTimeoutMs,
                pollMs: 5000,
            },
            {
                writer: new ChecksumWriter(client, systemClock, { mode: writerMode, log }),
                snapshots: await KubeSnapshots.create(kc),
                clock: systemClock,
                log,
            },
        );
        const [configSet, up, verify] = drCommands(result, drStack);
        log(
            `The VolumeSnapshot ${target.namespace}/${result.snapshotName} stays; deleting it also deletes the S3 backup if its class's deletionPolicy is Delete.`,
        );
        if (!values.apply) {
            log(`Next, bring up the DR stack on this backup and verify:\n  ${shellQuote(configSet)}\n  ${shellQuote(up)}\n  ${shellQuote(verify)}`);
            return 0;
        }
        for (const cmd of [configSet, values["pulumi-yes"] ? [...up, "--yes"] : up]) {
            log(`$ ${shellQuote(cmd)}`);
            const code = await run(cmd);
            if (code !== 0) fail(`${cmd.slice(0, 3).join(" ")} exited with ${code}.`);
        }
        session.close();
        // Everything that described the primary is dropped: the DR stack's own outputs say where its Jenkins is.
        const drFlags: CommonFlags = { "port-forward": flags["port-forward"], "jenkins-user": flags["jenkins-user"] };
        return (await verifyStack(drStack, result.drillId, result.sha1, writerMode, waitMs, drFlags, session, log)) ? 0 : 1;
    } finally {
        session.close();
    }
}

async function verifyStack(
    stack: string,
    drillId: string,
    sha1: string,
    writer: WriterMode,
    waitMs: number,
    flags: CommonFlags,
    session: Session,
    log: (s: string) => void,
): Promise<boolean> {
    const outputs = await loadOutputs(stack, { ...flags, "dry-run": false }, log);
    const target = jenkinsTarget(outputs, flags);
    const { client } = await connectJenkins(target, outputs, flags, session, log);
    const result = await verifyDr(
        { drillId, sha1, waitMs, pollMs: 5000 },
        { jenkins: client, writer: new ChecksumWriter(client, systemClock, { mode: writer, log }), clock: systemClock },
    );
    log(result.message);
    // The restore estimate, measured: what the restore gate itself downloaded, and how fast (restoreMeasure.ts).
    log(await restoreReport(outputs, flags));
    return result.passed;
}

function run(cmd: readonly string[]): Promise<number> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd[0], cmd.slice(1), { stdio: "inherit" });
        child.on("error", reject);
        child.on("exit", (code) => resolve(code ?? 1));
    });
}

if (require.main === module) runMain(main, "DR drill");
