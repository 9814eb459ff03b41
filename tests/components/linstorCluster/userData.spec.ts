import { expect } from "chai";
import { DATA_DEVICE, METADATA_DEVICE } from "../../../components/linstorCluster/launchTemplate";
import { buildNodeUserData, EBS_NAME_HELPER, KERNEL_HEADERS_SCRIPT, MIME_BOUNDARY } from "../../../components/linstorCluster/userData";

const doc = buildNodeUserData({
    clusterName: "hje-dev",
    apiServerEndpoint: "https://ABC.gr7.us-west-2.eks.amazonaws.com",
    certificateAuthority: "Q0E=",
    serviceCidr: "172.20.0.0/16",
    devices: [DATA_DEVICE, METADATA_DEVICE],
});

function parts(): { headers: string; body: string }[] {
    const chunks = doc.split(`--${MIME_BOUNDARY}`);
    expect(chunks[chunks.length - 1].trim()).to.equal("--");
    return chunks.slice(1, -1).map((c) => {
        const [headers, ...body] = c.replace(/^\n/, "").split("\n\n");
        return { headers, body: body.join("\n\n") };
    });
}

describe("AL2023 user data", () => {
    it("is MIME multipart/mixed with a closing boundary", () => {
        expect(doc.startsWith("MIME-Version: 1.0\nContent-Type: multipart/mixed;")).to.equal(true);
        expect(doc).to.contain(`boundary="${MIME_BOUNDARY}"`);
        expect(doc.trimEnd().endsWith(`--${MIME_BOUNDARY}--`)).to.equal(true);
    });

    it("carries a nodeadm NodeConfig with the cluster's endpoint, CA and service CIDR", () => {
        const nodeConfig = parts().find((p) => p.headers.includes("application/node.eks.aws"));
        expect(nodeConfig, "NodeConfig part").to.not.equal(undefined);
        const body = nodeConfig!.body;
        expect(body).to.contain("apiVersion: node.eks.aws/v1alpha1");
        expect(body).to.contain("kind: NodeConfig");
        expect(body).to.contain("    name: hje-dev");
        expect(body).to.contain("    apiServerEndpoint: https://ABC.gr7.us-west-2.eks.amazonaws.com");
        expect(body).to.contain("    certificateAuthority: Q0E=");
        expect(body).to.contain("    cidr: 172.20.0.0/16");
    });

    it("installs headers for the running kernel, including the 6.12 package name, on every boot", () => {
        const script = parts().find((p) => p.headers.includes("text/x-shellscript"))!.body;
        expect(script.startsWith("#!/bin/bash")).to.equal(true);
        expect(KERNEL_HEADERS_SCRIPT).to.contain('kernel6.12-devel-${release}');
        expect(KERNEL_HEADERS_SCRIPT).to.contain('kernel-devel-${release}');
        expect(KERNEL_HEADERS_SCRIPT).to.contain('release="$(uname -r)"');
        expect(script).to.contain(KERNEL_HEADERS_SCRIPT);
        expect(script).to.contain("Before=kubelet.service");
        expect(script).to.contain("systemctl enable --now linstor-kernel-headers.service");
    });

    it("links pool devices by block-device mapping name through a persistent udev rule", () => {
        const script = parts().find((p) => p.headers.includes("text/x-shellscript"))!.body;
        expect(script).to.contain("/etc/udev/rules.d/90-linstor-ebs.rules");
        expect(script).to.contain('ATTRS{model}=="Amazon Elastic Block Store"');
        expect(script).to.contain(`PROGRAM="${EBS_NAME_HELPER} /dev/%k", SYMLINK+="%c"`);
        expect(script).to.contain('ebsnvme-id -b "${dev}"');
        expect(script).to.contain('  sdf|xvdf) echo "linstor/data" ;;');
        expect(script).to.contain('  sdg|xvdg) echo "linstor/drbdmeta" ;;');
        expect(script).to.contain("wait_for /dev/linstor/data");
        expect(script).to.contain("wait_for /dev/linstor/drbdmeta");
        // Never the enumeration order the seed relied on.
        expect(script).to.not.match(/\/dev\/nvme[0-9]n1/);
    });
});
