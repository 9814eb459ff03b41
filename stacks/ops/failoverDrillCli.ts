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
    runMain,
    Session,
} from "./cli";
import { systemClock } from "./clock";
import { KubeCluster, loadKubeConfig } from "./cluster";
import { contextCluster, proveJenkinsTarget, proveStackCluster, requireYes, stackCluster } from "./clusterProof";
import { isDrillId, newDrillId } from "./drillPayload";
import { Ec2Instances, regionOfZone } from "./ec2";
import {
    type FailoverDeps,
    type FailoverOptions,
    type FailoverTarget,
    formatFailoverResult,
    planFailoverDrill,
    runFailoverDrill,
} from "./failoverDrill";
import { type NumberFlag, numberFlag, secondsFlag } from "./flags";
import { OUTPUT_NAMES, outputString } from "./stackOutputs";

const POLL_SECONDS: NumberFlag = { flag: "--poll-seconds", unit: "seconds", min: 0.5, max: 600, integer: false };
const TIMEOUT_SECONDS = secondsFlag("--timeout-seconds");

const USAGE = `Usage: npm run drill:failover -- <stack> [options]
  --dry-run                 print the steps with the values they would use; contact nothing
  --yes                     required to really kill the instance (and write the drill file); the kube context must
                            also prove to be the stack's cluster (its API endpoint) and the instance carry its EKS tags
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
  --poll-seconds N          0.5-600, default 2      --timeout-seconds N   whole seconds, 1-604800, default 1200
  --allow-same-zone         pass even if the pod restarts in the same zone
  --drill-id ID             default failover-<UTC time>-<random>
Credentials: JENKINS_API_TOKEN or JENKINS_PASSWORD, else the stack output jenkinsAdminPassword.`;

export async function main(argv: string[]): Promise<number> {
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
    if (values["drill-id"] !== undefined && !isDrillId(values["drill-id"])) fail("--drill-id takes 1-64 letters, digits, '-' or '_'.");
    const opts: FailoverOptions = {
        drillId: values["drill-id"] ?? newDrillId("failover", Date.now()),
        action: values.stop ? "stop" : "terminate",
        skipOsShutdown: !values.graceful,
        allowSameZone: values["allow-same-zone"] === true,
        pollMs: numberFlag(values["poll-seconds"], 2, POLL_SECONDS) * 1000,
        timeoutMs: numberFlag(values["timeout-seconds"], 1200, TIMEOUT_SECONDS) * 1000,
    };
    const action = `${opts.action} the EC2 instance that runs the Jenkins pod`;
    if (!flags["dry-run"]) requireYes(values.yes, `This would ${action}.`);
    const outputs = await loadOutputs(stack, flags, log);
    const target = jenkinsTarget(outputs, flags);
    const region = values.region ?? outputString(outputs, OUTPUT_NAMES.region);
    const recordedName = outputString(outputs, OUTPUT_NAMES.clusterName);
    const clusterName = values["cluster-name"] ?? recordedName;

    if (flags["dry-run"]) {
        const steps = planFailoverDrill(
            {
                stack,
                jenkins: describeTarget(target),
                namespace: target.namespace,
                podName: jenkinsPodName(target),
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

    // Fail closed: without the cluster's name the instance's EKS tags prove nothing, and a name that contradicts the
    // stack's is a mistake either way.
    if (clusterName === undefined) {
        fail(`Refusing to ${action}: stack ${stack} records no "${OUTPUT_NAMES.clusterName}", so the instance's EKS tags cannot be checked.`);
    }
    if (recordedName !== undefined && clusterName !== recordedName) {
        fail(`Refusing to ${action}: --cluster-name ${clusterName} is not stack ${stack}'s cluster ${recordedName}.`);
    }
    proveJenkinsTarget(stack, outputs, flags, action);
    const drillTarget: FailoverTarget = { namespace: target.namespace, podName: jenkinsPodName(target), clusterName };
    const session = new Session();
    try {
        const kc = await loadKubeConfig({
            file: flags.kubeconfig,
            output: flags.kubeconfig ? undefined : outputs[OUTPUT_NAMES.kubeconfig],
            context: flags.context,
        });
        log(proveStackCluster(stack, stackCluster(outputs), contextCluster(kc), action));
        const cluster = await KubeCluster.create(kc);
        const { client, portForward } = await connectJenkins(target, outputs, flags, session, log, kc);
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

if (require.main === module) runMain(main, "Fail-over drill");
