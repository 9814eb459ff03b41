/**
 * `npm run drill:failover -- <stack> [options]`: the fail-over drill's command line (failoverDrill.ts is the drill).
 */
import { parseArgs } from "node:util";
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
    placeholder,
    Session,
} from "./cli";
import { systemClock } from "./clock";
import { KubeCluster, loadKubeConfig } from "./cluster";
import { newDrillId } from "./drillPayload";
import { Ec2Instances, regionOfZone } from "./ec2";
import {
    type FailoverDeps,
    type FailoverOptions,
    type FailoverTarget,
    formatFailoverResult,
    planFailoverDrill,
    runFailoverDrill,
} from "./failoverDrill";
import { OUTPUT_NAMES, outputString } from "./stackOutputs";

const USAGE = `Usage: npm run drill:failover -- <stack> [options]
  --dry-run                 print the steps with the values they would use; contact nothing
  --yes                     required to really kill the instance
  --stop                    stop the instance instead of terminating it
  --graceful                let the guest OS shut down (the 2022 reference architecture's console action); default is a hard power-off
  --writer auto|job|script  how to write the drill file (default auto: job only if the controller has executors)
  --jenkins-url URL         Jenkins base URL (default: stack output jenkinsUrl; in-cluster URLs use --port-forward)
  --port-forward            reach Jenkins through kubectl port-forward to the pod (restarted across the fail-over)
  --jenkins-user USER       default: stack output jenkinsAdminUser, else admin
  --namespace NS --service NAME   Jenkins namespace and Service/StatefulSet name (default jenkins/jenkins)
  --region R --cluster-name N     default: stack outputs region, clusterName
  --kubeconfig FILE --context C   default: stack output kubeconfig, else ~/.kube/config
  --outputs-file FILE       read outputs from a JSON file instead of pulumi
  --poll-seconds N          default 2      --timeout-seconds N   default 1200
  --allow-same-zone         pass even if the pod restarts in the same zone
  --drill-id ID             default failover-<UTC time>-<random>
Credentials: JENKINS_API_TOKEN or JENKINS_PASSWORD, else the stack output jenkinsAdminPassword.`;

async function main(argv: string[]): Promise<number> {
    const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
            ...COMMON_OPTIONS,
            yes: { type: "boolean" },
            stop: { type: "boolean" },
            graceful: { type: "boolean" },
            writer: { type: "string" },
            region: { type: "string" },
            "cluster-name": { type: "string" },
            "poll-seconds": { type: "string" },
            "timeout-seconds": { type: "string" },
            "allow-same-zone": { type: "boolean" },
            "drill-id": { type: "string" },
        },
    });
    if (values.help || positionals.length !== 1) {
        process.stdout.write(`${USAGE}\n`);
        return values.help ? 0 : 2;
    }
    const stack = positionals[0];
    const flags = values as CommonFlags;
    const log = (s: string) => process.stdout.write(`${s}\n`);
    const writer = (values.writer ?? "auto") as WriterMode;
    if (!WRITER_MODES.includes(writer)) fail(`--writer must be one of ${WRITER_MODES.join(", ")}.`);
    const opts: FailoverOptions = {
        drillId: values["drill-id"] ?? newDrillId("failover", Date.now()),
        action: values.stop ? "stop" : "terminate",
        skipOsShutdown: !values.graceful,
        allowSameZone: values["allow-same-zone"] === true,
        pollMs: positiveSeconds(values["poll-seconds"], 2, "--poll-seconds") * 1000,
        timeoutMs: positiveSeconds(values["timeout-seconds"], 1200, "--timeout-seconds") * 1000,
    };
    if (!flags["dry-run"] && !values.yes) {
        fail(`This ${opts.action}s the EC2 instance that runs the Jenkins pod. Re-run with --yes (or --dry-run to see the steps).`);
    }
    const outputs = await loadOutputs(stack, flags, log);
    const target = jenkinsTarget(outputs, flags);
    const region = values.region ?? outputString(outputs, OUTPUT_NAMES.region);
    const clusterName = values["cluster-name"] ?? outputString(outputs, OUTPUT_NAMES.clusterName);
    const drillTarget: FailoverTarget = { namespace: target.namespace, podName: jenkinsPodName(target), clusterName };

    if (flags["dry-run"]) {
        const steps = planFailoverDrill(
            {
                stack,
                jenkins: describeTarget(target),
                namespace: target.namespace,
                podName: drillTarget.podName,
                region: placeholder(region, OUTPUT_NAMES.region),
                clusterName: placeholder(clusterName, OUTPUT_NAMES.clusterName),
                writer,
                drillId: opts.drillId,
            },
            opts,
        );
        log(`Fail-over drill plan (dry run, nothing contacted):\n${steps.map((s, i) => `  ${i + 1}. ${s}`).join("\n")}`);
        return 0;
    }

    const session = new Session();
    try {
        const kc = await loadKubeConfig({
            file: flags.kubeconfig,
            output: flags.kubeconfig ? undefined : outputs[OUTPUT_NAMES.kubeconfig],
            context: flags.context,
        });
        const cluster = await KubeCluster.create(kc);
        const { client, portForward } = await connectJenkins(target, outputs, flags, session, log);
        const pod = await cluster.getPod(drillTarget.namespace, drillTarget.podName);
        const zone = pod?.nodeName ? (await cluster.getNode(pod.nodeName))?.zone : undefined;
        const ec2Region = region ?? (zone ? regionOfZone(zone) : undefined);
        if (!ec2Region) fail("Cannot tell the AWS region: pass --region or export the stack output region.");
        const deps: FailoverDeps = {
            jenkins: client,
            cluster,
            clock: systemClock,
            log,
            writer: new ChecksumWriter(client, systemClock, { mode: writer, log }),
            ec2: new Ec2Instances({ region: ec2Region }),
            onNewPodRunning: () => portForward?.restart(),
        };
        const result = await runFailoverDrill(drillTarget, opts, deps);
        log(formatFailoverResult(result, opts));
        if (opts.action === "stop" && result.before.instanceId) {
            log(
                `The instance stays stopped: aws ec2 start-instances --region ${ec2Region} --instance-ids ${result.before.instanceId} ` +
                    "(its Auto Scaling group may already have replaced it).",
            );
        }
        return result.passed ? 0 : 1;
    } finally {
        session.close();
    }
}

function positiveSeconds(value: string | undefined, fallback: number, flag: string): number {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) fail(`${flag} must be a positive number of seconds.`);
    return n;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e: Error) => fail(`Fail-over drill failed: ${e.message}`),
    );
}
