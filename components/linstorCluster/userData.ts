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
}

export const MIME_BOUNDARY = "==LINSTOR-NODE-BOUNDARY==";

/** Path of the helper that names an EBS NVMe device after its block-device mapping. */
export const EBS_NAME_HELPER = "/usr/local/sbin/linstor-ebs-name";

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
        "",
    ].join("\n");
}

/**
 * Installs kernel headers for the *running* kernel on every boot, before kubelet starts, so the
 * DRBD module loader (LB_HOW=compile) always finds /usr/src/kernels/$(uname -r) — also after a
 * kernel update and reboot. AL2023 names the 6.12 package `kernel6.12-devel`.
 */
export const KERNEL_HEADERS_SCRIPT = [
    "#!/bin/bash",
    "set -euo pipefail",
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

function bootScript(devices: readonly PoolDevice[]): string {
    const waits = devices.map((d) => `wait_for ${d.stablePath}`).join("\n");
    return [
        "#!/bin/bash",
        "set -euo pipefail",
        "# amazon-ec2-utils provides ebsnvme-id; lvm2 is what LINSTOR drives on the host devices.",
        "dnf install -y amazon-ec2-utils lvm2",
        `cat > ${EBS_NAME_HELPER} <<'HELPER'`,
        ebsNameHelper(devices),
        "HELPER",
        `chmod 0755 ${EBS_NAME_HELPER}`,
        "cat > /etc/udev/rules.d/90-linstor-ebs.rules <<'RULES'",
        `KERNEL=="nvme[0-9]*n[0-9]*", ENV{DEVTYPE}=="disk", ATTRS{model}=="Amazon Elastic Block Store", PROGRAM="${EBS_NAME_HELPER} /dev/%k", SYMLINK+="%c"`,
        `KERNEL=="xvd[a-z]", ENV{DEVTYPE}=="disk", PROGRAM="${EBS_NAME_HELPER} /dev/%k", SYMLINK+="%c"`,
        "RULES",
        "udevadm control --reload-rules",
        "udevadm trigger --subsystem-match=block --action=add",
        "udevadm settle",
        'wait_for() { for _ in $(seq 1 60); do [ -e "$1" ] && return 0; sleep 1; done; echo "missing $1" >&2; return 1; }',
        waits,
        "cat > /usr/local/sbin/linstor-kernel-headers <<'HEADERS'",
        KERNEL_HEADERS_SCRIPT,
        "HEADERS",
        "chmod 0755 /usr/local/sbin/linstor-kernel-headers",
        "cat > /etc/systemd/system/linstor-kernel-headers.service <<'UNIT'",
        "[Unit]",
        "Description=Kernel headers for the DRBD module loader",
        "Wants=network-online.target",
        "After=network-online.target",
        "Before=kubelet.service",
        "[Service]",
        "Type=oneshot",
        "ExecStart=/usr/local/sbin/linstor-kernel-headers",
        "RemainAfterExit=yes",
        "[Install]",
        "WantedBy=multi-user.target",
        "UNIT",
        "systemctl daemon-reload",
        "systemctl enable --now linstor-kernel-headers.service",
        "",
    ].join("\n");
}

/** Builds the full MIME multipart document (not yet base64-encoded). */
export function buildNodeUserData(args: NodeUserDataArgs): string {
    const parts = [
        nodeConfigPart(args),
        ['Content-Type: text/x-shellscript; charset="us-ascii"', "", bootScript(args.devices)].join("\n"),
    ];
    return [
        "MIME-Version: 1.0",
        `Content-Type: multipart/mixed; boundary="${MIME_BOUNDARY}"`,
        "",
        ...parts.map((p) => `--${MIME_BOUNDARY}\n${p}`),
        `--${MIME_BOUNDARY}--`,
        "",
    ].join("\n");
}
