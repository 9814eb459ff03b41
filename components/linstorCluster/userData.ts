/**
 * Amazon Linux 2023 user data for LINSTOR storage nodes, in the MIME multipart form that
 * nodeadm (the AL2023 EKS bootstrap) reads: one `application/node.eks.aws` NodeConfig part and
 * shell parts. AL2023 has no bootstrap.sh; its arguments are not supported.
 */

/** Which EBS block-device mapping holds which LINSTOR pool, and the stable path it gets. */
export interface PoolDevice {
    /** Device name in the launch template's block-device mapping, e.g. `/dev/sdf`. */
    readonly mappingName: string;
    /** Stable path LINSTOR uses, e.g. `/dev/linstor/data`. */
    readonly stablePath: string;
}

export interface NodeUserDataArgs {
    readonly clusterName: string;
    readonly apiServerEndpoint: string;
    readonly certificateAuthority: string;
    readonly serviceCidr: string;
    readonly devices: readonly PoolDevice[];
    /** Labels the kubelet registers the node with. */
    readonly labels: readonly NodeLabel[];
}

export const MIME_BOUNDARY = "==LINSTOR-NODE-BOUNDARY==";

/** Path of the helper that names an EBS NVMe device after its block-device mapping. */
export const EBS_NAME_HELPER = "/usr/local/sbin/linstor-ebs-name";

/** Label every storage node carries from its first registration (the LINSTOR, Jenkins and pre-pull selectors use it). */
export interface NodeLabel {
    readonly key: string;
    readonly value: string;
}

/**
 * The NodeConfig nodeadm reads. The storage label goes in as a kubelet flag, so the node registers with it: a managed
 * node group's own `labels` arrive only after the node joined (pulumi/pulumi-eks nodejs/eks/nodes/userdata.ts passes
 * them the same way for custom AMIs; nodeadm appends `spec.kubelet.flags`, awslabs/amazon-eks-ami nodeadm API).
 */
function nodeConfigPart(args: NodeUserDataArgs): string {
    return [
        "Content-Type: application/node.eks.aws",
        "",
        "apiVersion: node.eks.aws/v1alpha1",
        "kind: NodeConfig",
        "spec:",
        "  cluster:",
        `    name: ${args.clusterName}`,
        `    apiServerEndpoint: ${args.apiServerEndpoint}`,
        `    certificateAuthority: ${args.certificateAuthority}`,
        `    cidr: ${args.serviceCidr}`,
        "  kubelet:",
        "    flags:",
        `      - --node-labels=${args.labels.map((l) => `${l.key}=${l.value}`).join(",")}`,
        "",
    ].join("\n");
}

/**
 * Fallback for a kernel without headers. The EKS AL2023 AMI ships kernel-devel and -headers for its kernel and
 * version-locks `kernel*` (awslabs/amazon-eks-ami templates/al2023/provisioners/install-worker.sh), so this normally
 * exits at once; it runs as its own unit after the storage devices, never in their way, and a repository outage
 * only leaves the DRBD module loader to report missing headers.
 */
export const KERNEL_HEADERS_SCRIPT = [
    "#!/bin/bash",
    "set -uo pipefail",
    'release="$(uname -r)"',
    '[ -d "/usr/src/kernels/${release}" ] && exit 0',
    'case "${release}" in',
    '  6.12.*) pkg="kernel6.12-devel-${release}" ;;',
    '  *) pkg="kernel-devel-${release}" ;;',
    "esac",
    'dnf install -y "${pkg}" || dnf install -y "kernel-devel-${release}"',
].join("\n");

function ebsNameHelper(devices: readonly PoolDevice[]): string {
    const cases = devices
        .map((d) => {
            const short = d.mappingName.replace(/^\/dev\//, "");
            const link = d.stablePath.replace(/^\/dev\//, "");
            return `  ${short}|xvd${short.slice(2)}) echo "${link}" ;;`;
        })
        .join("\n");
    return [
        "#!/bin/bash",
        "# Prints the stable /dev-relative name for an EBS device, from its block-device mapping",
        "# (stored in the NVMe controller's vendor data), never from NVMe enumeration order.",
        'dev="$1"',
        'case "$(basename "${dev}")" in',
        '  nvme*) name="$(ebsnvme-id -b "${dev}" 2>/dev/null)" || exit 1 ;;',
        '  *) name="$(basename "${dev}")" ;;',
        "esac",
        'name="${name#/dev/}"',
        'case "${name}" in',
        cases,
        "  *) exit 1 ;;",
        "esac",
    ].join("\n");
}

/**
 * A drop-in that keeps kubelet from starting until both pool devices exist. `systemctl mask` cannot do this on the EKS
 * AMI: kubelet.service is a unit file in /etc/systemd/system, which systemd refuses to mask (systemd#27965,
 * systemctl(1) "mask"); an unmet `AssertPathExists=` makes the start job fail (systemd.unit(5)), so `nodeadm init`
 * (nodeadm-run.service) keeps failing to start it and the node never registers.
 */
export const KUBELET_DEVICE_DROPIN = "/etc/systemd/system/kubelet.service.d/10-linstor-storage-devices.conf";

/** Marker a node leaves when its storage devices never appeared (it then never joins the cluster). */
export const DEVICES_MISSING_MARKER = "/etc/ha-jenkins-eks/storage-devices-missing";

/**
 * Runs in cloud-init's final stage, before `nodeadm init` starts kubelet (nodeadm-run.service is
 * `After=cloud-final.service`, awslabs/amazon-eks-ami templates/al2023/runtime/rootfs/etc/systemd/system). The
 * device links come first and need nothing from the network (ebsnvme-id ships with the AMI's amazon-ec2-utils). A
 * node whose devices never appear fails closed: kubelet's start asserts them, so it never registers, the node group reports it
 * unhealthy and `pulumi up` stops instead of a storage node joining without storage. `HJE_ROOT` and
 * `HJE_DEVICE_WAIT_SECONDS` exist for the tests, which run this script against a sandbox.
 */
function bootScript(devices: readonly PoolDevice[]): string {
    const paths = devices.map((d) => d.stablePath).join(" ");
    return [
        "#!/bin/bash",
        "set -uo pipefail",
        'root="${HJE_ROOT:-}"',
        'mkdir -p "${root}/usr/local/sbin" "${root}/etc/udev/rules.d" "${root}/etc/systemd/system/kubelet.service.d"',
        "# First, before anything can fail: kubelet refuses to start without both storage devices (AssertPathExists",
        "# follows the links), whatever happens to the rest of this script.",
        `cat > "\${root}${KUBELET_DEVICE_DROPIN}" <<'DROPIN'`,
        "[Unit]",
        ...devices.map((d) => `AssertPathExists=${d.stablePath}`),
        "DROPIN",
        "systemctl daemon-reload",
        `cat > "\${root}${EBS_NAME_HELPER}" <<'HELPER'`,
        ebsNameHelper(devices),
        "HELPER",
        `chmod 0755 "\${root}${EBS_NAME_HELPER}"`,
        "cat > \"${root}/etc/udev/rules.d/90-linstor-ebs.rules\" <<'RULES'",
        `KERNEL=="nvme[0-9]*n[0-9]*", ENV{DEVTYPE}=="disk", ATTRS{model}=="Amazon Elastic Block Store", PROGRAM="${EBS_NAME_HELPER} /dev/%k", SYMLINK+="%c"`,
        `KERNEL=="xvd[a-z]", ENV{DEVTYPE}=="disk", PROGRAM="${EBS_NAME_HELPER} /dev/%k", SYMLINK+="%c"`,
        "RULES",
        "udevadm control --reload-rules",
        "udevadm trigger --subsystem-match=block --action=add",
        "udevadm settle --timeout=60",
        "waited=0",
        "while :; do",
        '  missing=""',
        `  for dev in ${paths}; do [ -e "\${root}\${dev}" ] || missing="\${missing} \${dev}"; done`,
        '  { [ -z "${missing}" ] || [ "${waited}" -ge "${HJE_DEVICE_WAIT_SECONDS:-300}" ]; } && break',
        "  sleep 1; waited=$((waited + 1))",
        "done",
        'if [ -n "${missing}" ]; then',
        '  echo "LINSTOR storage devices missing:${missing}; this node will not join the cluster" >&2',
        `  mkdir -p "\${root}${DEVICES_MISSING_MARKER.replace(/\/[^/]+$/, "")}"`,
        `  echo "\${missing}" > "\${root}${DEVICES_MISSING_MARKER}"`,
        "  exit 1",
        "fi",
        "cat > \"${root}/usr/local/sbin/linstor-kernel-headers\" <<'HEADERS'",
        KERNEL_HEADERS_SCRIPT,
        "HEADERS",
        'chmod 0755 "${root}/usr/local/sbin/linstor-kernel-headers"',
        "cat > \"${root}/etc/systemd/system/linstor-kernel-headers.service\" <<'UNIT'",
        "[Unit]",
        "Description=Kernel headers for the DRBD module loader (normally already on the AMI)",
        "Wants=network-online.target",
        "After=network-online.target",
        "[Service]",
        "Type=oneshot",
        "ExecStart=/usr/local/sbin/linstor-kernel-headers",
        "RemainAfterExit=yes",
        "[Install]",
        "WantedBy=multi-user.target",
        "UNIT",
        "systemctl daemon-reload",
        // Started in the background: a repository outage must neither hold the boot nor fail it.
        "systemctl enable linstor-kernel-headers.service || true",
        "systemctl start --no-block linstor-kernel-headers.service || true",
        "",
    ].join("\n");
}

/** Builds the full MIME multipart document (not yet base64-encoded). */
export function buildNodeUserData(args: NodeUserDataArgs): string {
    const parts = [nodeConfigPart(args), ['Content-Type: text/x-shellscript; charset="us-ascii"', "", bootScript(args.devices)].join("\n")];
    return [
        "MIME-Version: 1.0",
        `Content-Type: multipart/mixed; boundary="${MIME_BOUNDARY}"`,
        "",
        ...parts.map((p) => `--${MIME_BOUNDARY}\n${p}`),
        `--${MIME_BOUNDARY}--`,
        "",
    ].join("\n");
}
