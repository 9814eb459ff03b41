/** LinstorCluster's managed EKS add-ons: CoreDNS per zone, version tracking, the EBS CSI driver and its gp3 class. */
import { expect } from "chai";
import { LinstorCluster } from "../../../components/linstorCluster";
import { clusterSettings } from "../../support/fixtures";
import { dependsOn, ofType, one } from "../../support/mocks";
import { build } from "./fixtures";

describe("LinstorCluster", () => {
    describe("managed add-ons", () => {
        before(async () => {
            await build();
        });
        const addon = (name: string) => ofType("aws:eks/addon:Addon").find((a) => a.inputs.addonName === name)!;

        it("runs CoreDNS as a managed add-on, one replica per zone, created only once every node group exists", () => {
            const coredns = addon("coredns");
            expect(JSON.parse(coredns.inputs.configurationValues)).to.deep.equal({
                replicaCount: 3,
                topologySpreadConstraints: [
                    {
                        maxSkew: 1,
                        topologyKey: "topology.kubernetes.io/zone",
                        whenUnsatisfiable: "DoNotSchedule",
                        labelSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                    },
                ],
                podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
            });
            expect(coredns.inputs.resolveConflictsOnCreate).to.equal("OVERWRITE");
            const groups = ofType("eks:index:ManagedNodeGroup");
            expect(groups).to.have.length(3);
            for (const g of groups) expect(dependsOn(coredns, g), g.name).to.equal(true);
        });

        it("moves every add-on with kubernetesVersion: the version EKS marks default for it, unless one is pinned", async () => {
            for (const name of ["coredns", "eks-pod-identity-agent", "aws-ebs-csi-driver"]) {
                expect(addon(name).inputs.addonVersion).to.equal(`v0.0.0-eksbuild.0-${name}-1.35`);
            }
            const c = one("eks:index:Cluster").inputs;
            expect(c.kubeProxyAddonOptions.version).to.equal("v0.0.0-eksbuild.0-kube-proxy-1.35");
            expect(c.vpcCniOptions.addonVersion).to.equal("v0.0.0-eksbuild.0-vpc-cni-1.35");
            await build({ coreDnsAddonVersion: "v1.12.4-eksbuild.1", kubernetesVersion: "1.34" });
            expect(addon("coredns").inputs.addonVersion).to.equal("v1.12.4-eksbuild.1");
            expect(addon("aws-ebs-csi-driver").inputs.addonVersion).to.equal("v0.0.0-eksbuild.0-aws-ebs-csi-driver-1.34");
            expect(() => new LinstorCluster("bad", clusterSettings({ coreDnsAddonVersion: "latest" }))).to.throw(/coreDnsAddonVersion: "latest"/);
            await build();
        });

        it("gives the EBS CSI driver its AWS policy through Pod Identity (no node-role rights, no IRSA)", () => {
            const ebs = addon("aws-ebs-csi-driver");
            const role = one("aws:iam/role:Role", "ebs-csi");
            expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).to.deep.equal([
                { Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] },
            ]);
            expect(one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ebs-csi").inputs.policyArn).to.equal(
                "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
            );
            expect(ebs.inputs.podIdentityAssociations).to.deep.equal([
                { roleArn: `arn:aws:iam::123456789012:role/${role.inputs.name ?? role.name}`, serviceAccount: "ebs-csi-controller-sa" },
            ]);
            expect(dependsOn(ebs, addon("eks-pod-identity-agent"))).to.equal(true);
        });

        it("offers an encrypted gp3 class on the EBS CSI driver (the benchmark's baseline), retained like the LINSTOR classes", async () => {
            const gp3 = one("kubernetes:storage.k8s.io/v1:StorageClass", "-gp3");
            expect(gp3.inputs).to.deep.include({
                provisioner: "ebs.csi.aws.com",
                reclaimPolicy: "Retain",
                volumeBindingMode: "WaitForFirstConsumer",
            });
            expect(gp3.inputs.parameters).to.deep.equal({ type: "gp3", encrypted: "true" });
            expect(dependsOn(gp3, addon("aws-ebs-csi-driver"))).to.equal(true);
            const key = "arn:aws:kms:us-west-2:123456789012:key/0d1b2c3d-1111-2222-3333-444455556666";
            await build({ ebsKmsKeyArn: key });
            expect(one("kubernetes:storage.k8s.io/v1:StorageClass", "-gp3").inputs.parameters.kmsKeyId).to.equal(key);
            await build();
        });
    });
});
