import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import * as yaml from "js-yaml";
import { DATA_DEVICE, METADATA_DEVICE } from "../../../components/linstorCluster/launchTemplate";
import { STORAGE_NODE_LABEL } from "../../../components/linstorCluster/operator";
import {
    buildNodeUserData,
    DEVICES_MISSING_MARKER,
    EBS_NAME_HELPER,
    KERNEL_HEADERS_SCRIPT,
    KUBELET_DEVICE_DROPIN,
    MIME_BOUNDARY,
} from "../../../components/linstorCluster/userData";

const doc = buildNodeUserData({
    clusterName: "hje-dev",
    apiServerEndpoint: "https://ABC.gr7.us-west-2.eks.amazonaws.com",
    certificateAuthority: "Q0E=",
    serviceCidr: "172.20.0.0/16",
    devices: [DATA_DEVICE, METADATA_DEVICE],
    labels: [{ key: STORAGE_NODE_LABEL, value: "true" }],
});

function parts(): { headers: string; body: string }[] {
    const chunks = doc.split(`--${MIME_BOUNDARY}`);
    expect(chunks[chunks.length - 1].trim()).to.equal("--");
    return chunks.slice(1, -1).map((c) => {
        const [headers, ...body] = c.replace(/^\n/, "").split("\n\n");
        return { headers, body: body.join("\n\n") };
    });
}
const bootScript = () => parts().find((p) => p.headers.includes("text/x-shellscript"))!.body;

/**
 * The part of systemd the boot depends on, as a fake `systemctl`. `mask` of a unit whose file lives in
 * /etc/systemd/system fails, as on the EKS AMI, whose kubelet.service is such a file (systemd#27965, systemctl(1)
 * "mask"); `start` evaluates the unit's drop-ins' `AssertPathExists=` and fails the start job when one is unmet
 * (systemd.unit(5)). Everything else only records.
 */
const FAKE_SYSTEMCTL = [
    'unit_dir="$HJE_ROOT/etc/systemd/system"',
    'case "$1" in',
    '  mask) for u in "$@"; do [ -f "$unit_dir/$u" ] && { echo "Failed to mask unit: File $unit_dir/$u already exists." >&2; exit 1; }; done ;;',
    "  start)",
    '    u="${@: -1}"',
    '    for f in "$unit_dir/$u.d"/*.conf; do [ -f "$f" ] || continue',
    '      for p in $(sed -n "s/^AssertPathExists=//p" "$f"); do',
    '        [ -e "$HJE_ROOT$p" ] || { echo "Assertion failed on job for $u." >&2; exit 1; }',
    "      done",
    "    done ;;",
    "esac",
    "exit 0",
].join("\n");

/**
 * A node's first boot in a sandbox: the real boot script under bash, with the host commands it calls replaced by
 * stubs that log their arguments. `udevadm trigger` plays udev applying our rule (it runs the real name helper on
 * fake EBS devices, then links), `dnf` fails like a repository outage, `systemctl` is the fake above. Afterwards
 * nodeadm-run (After=cloud-final, regardless of its result) starts kubelet, whose outcome `kubeletStarted` reports.
 */
function boot(opts: { devicesAppear: boolean }) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "node-boot-"));
    const root = path.join(dir, "root");
    const bin = path.join(dir, "bin");
    const log = path.join(dir, "calls.log");
    fs.mkdirSync(bin, { recursive: true });
    fs.mkdirSync(path.join(root, "dev"), { recursive: true });
    const stub = (name: string, body: string) =>
        fs.writeFileSync(path.join(bin, name), `#!/bin/bash\necho "${name} $*" >> "${log}"\n${body}\n`, { mode: 0o755 });
    stub("dnf", "echo \"Error: Failed to download metadata for repo 'amazonlinux'\" >&2; exit 1");
    stub("systemctl", FAKE_SYSTEMCTL);
    // The AMI ships kubelet's unit file in /etc/systemd/system (awslabs/amazon-eks-ami templates/al2023/runtime/rootfs).
    fs.mkdirSync(path.join(root, "etc/systemd/system"), { recursive: true });
    fs.writeFileSync(path.join(root, "etc/systemd/system/kubelet.service"), "[Service]\nExecStart=/usr/bin/kubelet\n");
    // nvme1n1 carries mapping sdf, nvme2n1 sdg: in the reverse of NVMe enumeration order on purpose.
    stub("ebsnvme-id", 'case "$2" in */nvme1n1) echo sdg ;; */nvme2n1) echo /dev/sdf ;; *) exit 1 ;; esac');
    stub(
        "udevadm",
        opts.devicesAppear
            ? [
                  'if [ "$1" = trigger ]; then for d in nvme1n1 nvme2n1; do',
                  `  touch "${root}/dev/$d"`,
                  `  name="$(${path.join(root, EBS_NAME_HELPER)} /dev/$d)" && mkdir -p "$(dirname "${root}/dev/$name")" && ln -sf "${root}/dev/$d" "${root}/dev/$name"`,
                  "done; fi",
              ].join("\n")
            : "exit 0",
    );
    const script = path.join(dir, "boot.sh");
    fs.writeFileSync(script, bootScript());
    const run = spawnSync("bash", [script], {
        env: { PATH: `${bin}:/usr/bin:/bin`, HJE_ROOT: root, HJE_DEVICE_WAIT_SECONDS: "0" },
        encoding: "utf8",
        timeout: 20000,
    });
    const nodeadm = spawnSync(path.join(bin, "systemctl"), ["start", "kubelet.service"], { env: { HJE_ROOT: root }, encoding: "utf8" });
    const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
    return { code: run.status, stderr: run.stderr, calls, root, kubeletStarted: nodeadm.status === 0, fakeSystemctl: path.join(bin, "systemctl") };
}

describe("AL2023 user data", () => {
    it("is MIME multipart/mixed with a closing boundary", () => {
        expect(doc.startsWith("MIME-Version: 1.0\nContent-Type: multipart/mixed;")).to.equal(true);
        expect(doc).to.contain(`boundary="${MIME_BOUNDARY}"`);
        expect(doc.trimEnd().endsWith(`--${MIME_BOUNDARY}--`)).to.equal(true);
    });

    it("carries a nodeadm NodeConfig with the cluster's endpoint, CA, service CIDR and the storage label as a kubelet flag", () => {
        const nodeConfig = parts().find((p) => p.headers.includes("application/node.eks.aws"));
        expect(nodeConfig, "NodeConfig part").to.not.equal(undefined);
        expect(yaml.load(nodeConfig!.body)).to.deep.equal({
            apiVersion: "node.eks.aws/v1alpha1",
            kind: "NodeConfig",
            spec: {
                cluster: {
                    name: "hje-dev",
                    apiServerEndpoint: "https://ABC.gr7.us-west-2.eks.amazonaws.com",
                    certificateAuthority: "Q0E=",
                    cidr: "172.20.0.0/16",
                },
                // Registered with the label: selectors hold from the first schedule, not ~30 s after the join.
                kubelet: { flags: [`--node-labels=${STORAGE_NODE_LABEL}=true`] },
            },
        });
    });

    it("links the pool devices by block-device mapping (not NVMe order) and joins, even when the package repository is down", () => {
        const r = boot({ devicesAppear: true });
        expect(r.code, r.stderr).to.equal(0);
        expect(fs.readlinkSync(path.join(r.root, "dev/linstor/data"))).to.equal(path.join(r.root, "dev/nvme2n1"));
        expect(fs.readlinkSync(path.join(r.root, "dev/linstor/drbdmeta"))).to.equal(path.join(r.root, "dev/nvme1n1"));
        expect(fs.readFileSync(path.join(r.root, "etc/udev/rules.d/90-linstor-ebs.rules"), "utf8")).to.contain(
            `PROGRAM="${EBS_NAME_HELPER} /dev/%k", SYMLINK+="%c"`,
        );
        // No package install on the boot path, and kubelet stays enabled; the headers fallback is enabled, not run.
        expect(r.calls.filter((c) => c.startsWith("dnf"))).to.deep.equal([]);
        expect(r.kubeletStarted).to.equal(true);
        expect(r.calls).to.include("systemctl enable linstor-kernel-headers.service");
        expect(r.calls).to.include("systemctl start --no-block linstor-kernel-headers.service");
        expect(fs.existsSync(path.join(r.root, DEVICES_MISSING_MARKER))).to.equal(false);
    });

    it("fails closed when the devices never appear: kubelet cannot start (the node never joins), a marker, a non-zero exit", () => {
        const r = boot({ devicesAppear: false });
        expect(r.code).to.equal(1);
        expect(r.stderr).to.contain("LINSTOR storage devices missing: /dev/linstor/data /dev/linstor/drbdmeta");
        expect(r.kubeletStarted).to.equal(false);
        expect(fs.readFileSync(path.join(r.root, KUBELET_DEVICE_DROPIN), "utf8")).to.equal(
            "[Unit]\nAssertPathExists=/dev/linstor/data\nAssertPathExists=/dev/linstor/drbdmeta\n",
        );
        // Masking, the obvious alternative, does not work on this AMI: the fake refuses it as systemd does.
        expect(spawnSync(r.fakeSystemctl, ["mask", "--now", "kubelet.service"], { env: { HJE_ROOT: r.root } }).status).to.equal(1);
        expect(fs.readFileSync(path.join(r.root, DEVICES_MISSING_MARKER), "utf8").trim()).to.equal("/dev/linstor/data /dev/linstor/drbdmeta");
    });

    it("keeps a headers fallback for a kernel without them, which tolerates a repository outage", () => {
        expect(KERNEL_HEADERS_SCRIPT).to.contain("kernel6.12-devel-${release}");
        expect(KERNEL_HEADERS_SCRIPT).to.match(/\[ -d "\/usr\/src\/kernels\/\$\{release\}" \] && exit 0/);
        expect(KERNEL_HEADERS_SCRIPT).to.not.contain("set -e");
    });
});
