/** LinstorCluster's EKS cluster: version, auth and logging, API endpoint access, the kubeconfig and its provider. */
import { expect } from "chai";
import { LinstorCluster } from "../../../components/linstorCluster";
import { clusterSettings, thrown } from "../../support/fixtures";
import { isSecret, ofType, one, outputValue, recorded, resetRecords, settle } from "../../support/mocks";
import { build } from "./fixtures";

describe("LinstorCluster", () => {
    describe("EKS cluster", () => {
        before(async () => {
            await build({ clusterAdminRoleArns: ["arn:aws:iam::123456789012:role/platform"] });
        });

        it("pins the version, uses API auth with access entries, logs everything, encrypts secrets", () => {
            const c = one("eks:index:Cluster");
            expect(c.inputs.version).to.equal("1.35");
            expect(c.inputs.authenticationMode).to.equal("API");
            expect(c.inputs.skipDefaultNodeGroup).to.equal(true);
            expect(c.inputs.enabledClusterLogTypes).to.deep.equal(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
            expect(c.inputs.encryptionConfigKeyArn).to.match(/^arn:aws:kms:.*:key\/hje-test-eks-secrets$/);
            expect(c.inputs.accessEntries.storageNodes.type).to.equal("EC2_LINUX");
            expect(c.inputs.accessEntries["admin-0"]).to.deep.equal({
                principalArn: "arn:aws:iam::123456789012:role/platform",
                accessPolicies: {
                    admin: { policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", accessScope: { type: "cluster" } },
                },
            });
            const key = one("aws:kms/key:Key");
            expect(key.inputs.enableKeyRotation).to.equal(true);
        });

        it("opens the public endpoint only to the given CIDRs, and no private ingress then", async () => {
            expect(one("eks:index:Cluster").inputs.endpointPublicAccess).to.equal(true);
            expect(one("eks:index:Cluster").inputs.endpointPrivateAccess).to.equal(true);
            expect(one("eks:index:Cluster").inputs.publicAccessCidrs).to.deep.equal(["198.51.100.0/24"]);
            expect(ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).to.have.length(0);
        });

        it("with a private endpoint, admits the named networks and security groups on 443 of the cluster security group", async () => {
            await build({
                apiPublicAccessCidrs: [],
                apiPrivateAccessCidrs: ["10.20.0.0/16"],
                apiPrivateAccessSecurityGroupIds: ["sg-0123456789abcdef0"],
            });
            const c = one("eks:index:Cluster").inputs;
            expect(c.endpointPublicAccess).to.equal(false);
            expect(c).to.not.have.property("publicAccessCidrs");
            const rules = ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => r.inputs);
            expect(
                rules.map(({ securityGroupId, ipProtocol, fromPort, toPort, cidrIpv4, referencedSecurityGroupId }) => ({
                    securityGroupId,
                    ipProtocol,
                    fromPort,
                    toPort,
                    cidrIpv4,
                    referencedSecurityGroupId,
                })),
            ).to.deep.equal([
                {
                    securityGroupId: "sg-0cluster",
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    cidrIpv4: "10.20.0.0/16",
                    referencedSecurityGroupId: undefined,
                },
                {
                    securityGroupId: "sg-0cluster",
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    cidrIpv4: undefined,
                    referencedSecurityGroupId: "sg-0123456789abcdef0",
                },
            ]);
        });

        it("refuses to build a cluster nobody can reach", async () => {
            resetRecords();
            const e = thrown(() => new LinstorCluster("hje-test", clusterSettings({ apiPublicAccessCidrs: [] })));
            expect(e.message).to.match(
                /LinstorCluster\.apiPublicAccessCidrs.*LinstorCluster\.apiPrivateAccessCidrs.*LinstorCluster\.apiPrivateAccessSecurityGroupIds/s,
            );
            await settle();
            expect(recorded).to.have.length(0);
        });

        it("exposes the kubeconfig as a secret and a provider built from kubeconfigJson", async () => {
            const cluster = await build();
            expect(await isSecret(cluster.kubeconfig)).to.equal(true);
            const provider = one("pulumi:providers:kubernetes");
            const kubeconfig = JSON.parse(provider.inputs.kubeconfig);
            expect(kubeconfig.clusters[0]).to.deep.equal({
                name: "hje-test",
                cluster: { server: "https://hje-test.gr7.eks.amazonaws.com", "certificate-authority-data": "Q0EtREFUQQ==" },
            });
            expect(kubeconfig.users[0].user.exec.args).to.deep.equal([
                "--region",
                "us-west-2",
                "eks",
                "get-token",
                "--cluster-name",
                "hje-test",
                "--output",
                "json",
            ]);
        });

        it("gets its token as the stack's AWS identity: the same profile and assumed role (AWS CLI v2)", async () => {
            resetRecords();
            const cluster = new LinstorCluster("hje-test", {
                ...clusterSettings(),
                kubeconfigAwsProfile: "platform-admin",
                kubeconfigAwsRoleArn: "arn:aws:iam::123456789012:role/deployer",
            });
            await settle();
            const exec = JSON.parse(await outputValue(cluster.kubeconfig)).users[0].user.exec;
            expect(exec.command).to.equal("aws");
            expect(exec.args.slice(-4)).to.deep.equal(["--role-arn", "arn:aws:iam::123456789012:role/deployer", "--profile", "platform-admin"]);
            expect(exec.installHint).to.contain("AWS CLI v2");
        });
    });
});
