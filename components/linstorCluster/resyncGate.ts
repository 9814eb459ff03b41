/**
 * A Job that holds a node-group rollout between two AZs until DRBD has rebuilt every replica.
 *
 * Pulumi only waits for EKS to report a node group updated; DRBD may still be resyncing the replica the
 * replaced node carried. Rolling the next AZ then would leave some volume with one UpToDate copy (or
 * none). The gate polls the LINSTOR controller (`GET /v1/view/resources`) until every volume's
 * `disk_state` is UpToDate or Diskless and has stayed so for a stability window — long enough for
 * LINSTOR to start evacuating a removed node, so an "all good" between removal and evacuation does not
 * count. Before LINSTOR is installed (the controller's Service name does not resolve for a minute) there
 * is nothing to protect and the gate passes.
 */
import { controllerApiUrl } from "../snapshots/remoteJob";

export interface ResyncGateArgs {
    readonly linstorNamespace: string;
    /** Pinned image with sh, curl and grep. */
    readonly image: string;
    /** How long the volumes must stay healthy before the next AZ may roll. */
    readonly stableSeconds: number;
    /** Give up (Job fails, `pulumi up` stops before the next AZ) after this long. */
    readonly timeoutSeconds: number;
    readonly pollSeconds: number;
}

export const RESYNC_GATE_DEFAULTS = { stableSeconds: 120, timeoutSeconds: 7200, pollSeconds: 10 };

export const RESYNC_GATE_SCRIPT = [
    "set -u",
    'start=$(date +%s); healthy_since=""; unresolved=0',
    "while :; do",
    '  now=$(date +%s)',
    '  if [ $((now - start)) -ge "${TIMEOUT_SECONDS}" ]; then echo "replicas not all UpToDate after ${TIMEOUT_SECONDS}s: stopping the rollout" >&2; exit 1; fi',
    '  body="$(curl -fsS --max-time 20 "${LINSTOR_API}/v1/view/resources")"; rc=$?',
    '  if [ "${rc}" -eq 6 ]; then',
    "    # The controller's Service name does not resolve: LINSTOR is not installed yet (first deployment).",
    "    # Several misses in a row, so a DNS hiccup during a rollout is not taken for that.",
    '    unresolved=$((unresolved + 1)); healthy_since=""',
    '    if [ "${unresolved}" -ge "${UNRESOLVED_CHECKS}" ]; then echo "LINSTOR is not installed yet: nothing to resync"; exit 0; fi',
    '  elif [ "${rc}" -eq 0 ]; then',
    "    unresolved=0",
    '    states="$(printf "%s" "${body}" | grep -o "\\"disk_state\\" *: *\\"[A-Za-z]*\\"" | sed "s/.*\\"\\([A-Za-z]*\\)\\"$/\\1/")"',
    '    bad="$(printf "%s\\n" "${states}" | grep -v -e "^UpToDate$" -e "^Diskless$" -e "^$" | sort | uniq -c | tr "\\n" " ")"',
    '    if [ -z "${bad}" ]; then',
    '      [ -n "${healthy_since}" ] || healthy_since=${now}',
    '      if [ $((now - healthy_since)) -ge "${STABLE_SECONDS}" ]; then echo "all replicas UpToDate for ${STABLE_SECONDS}s: next AZ may roll"; exit 0; fi',
    "    else",
    '      healthy_since=""; echo "waiting for DRBD: ${bad}"',
    "    fi",
    "  else",
    '    unresolved=0; healthy_since=""; echo "LINSTOR API unreachable (curl ${rc}); retrying"',
    "  fi",
    '  sleep "${POLL_SECONDS}"',
    "done",
].join("\n");

export function resyncGateJobSpec(args: ResyncGateArgs) {
    return {
        backoffLimit: 0,
        activeDeadlineSeconds: args.timeoutSeconds + 300,
        ttlSecondsAfterFinished: 7 * 86400,
        template: {
            spec: {
                restartPolicy: "Never",
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } },
                containers: [{
                    name: "resync-gate",
                    image: args.image,
                    command: ["/bin/sh", "-c", RESYNC_GATE_SCRIPT],
                    env: [
                        { name: "LINSTOR_API", value: controllerApiUrl(args.linstorNamespace) },
                        { name: "STABLE_SECONDS", value: String(args.stableSeconds) },
                        { name: "TIMEOUT_SECONDS", value: String(args.timeoutSeconds) },
                        { name: "POLL_SECONDS", value: String(args.pollSeconds) },
                        { name: "UNRESOLVED_CHECKS", value: String(Math.max(3, Math.ceil(60 / args.pollSeconds))) },
                    ],
                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
                }],
            },
        },
    };
}
