import { expect } from "chai";
import { LinstorCluster } from "../../../components/linstorCluster";
import type { LinstorClusterSettings } from "../../../components/linstorCluster/settings";
import { clusterSettings, thrown } from "../../support/fixtures";
import { dependsOn, isSecret, linstorClasses, ofType, one, outputValue, recorded, resetRecords, settle, unsecret } from "../../support/mocks";

const SUBNETS = ["subnet-0aaaa000000000001", "subnet-0aaaa000000000002", "subnet-0aaaa000000000003"];

async function build(overrides: Partial<LinstorClusterSettings> = {}) {
    resetRecords();
    const cluster = new LinstorCluster("hje-test", clusterSettings(overrides));
    await outputValue(cluster.clusterName);
    await settle();
    return cluster;
}

function decodedUserData(): string {
    const lt = one("aws:ec2/launchTemplate:LaunchTemplate");
    return Buffer.from(lt.inputs.userData, "base64").toString("utf8");
}

describe("LinstorCluster", () => {
    describe("launch template", () => {
        before(async () => {
            await build();
        });

        it("adds encrypted gp3 data and metadata volumes next to an encrypted root", () => {
            const lt = one("aws:ec2/launchTemplate:LaunchTemplate");
            expect(lt.inputs.blockDeviceMappings).to.deep.equal([
                { deviceName: "/dev/xvda", ebs: { volumeSize: 50, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
                {
                    deviceName: "/dev/sdf",
                    ebs: { volumeSize: 100, volumeType: "gp3", iops: 3000, throughput: 125, encrypted: "true", deleteOnTermination: "true" },
                },
                { deviceName: "/dev/sdg", ebs: { volumeSize: 4, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
            ]);
        });

        it("requires IMDSv2 with hop limit 1", () => {
            const lt = one("aws:ec2/launchTemplate:LaunchTemplate");
            expect(lt.inputs.metadataOptions).to.deep.equal({
                httpEndpoint: "enabled",
                httpTokens: "required",
                httpPutResponseHopLimit: 1,
                instanceMetadataTags: "disabled",
            });
        });

        it("uses the AL2023 EKS AMI of the pinned Kubernetes version with matching user data", () => {
            const lt = one("aws:ec2/launchTemplate:LaunchTemplate");
            expect(lt.inputs.imageId).to.equal("ami-0123456789abcdef0");
            expect(lt.inputs.instanceType).to.equal("m6i.large");
            const ud = decodedUserData();
            expect(ud).to.contain("kind: NodeConfig");
            expect(ud).to.contain("    name: hje-test");
            expect(ud).to.contain("    apiServerEndpoint: https://hje-test.gr7.eks.amazonaws.com");
            expect(ud).to.contain("    cidr: 172.20.0.0/16");
            expect(ud).to.contain("kernel6.12-devel");
            expect(ud).to.contain('SYMLINK+="%c"');
        });

        it("passes a customer KMS key to every volume when configured", async () => {
            const key = "arn:aws:kms:us-west-2:123456789012:key/abcd";
            await build({ ebsKmsKeyArn: key });
            const lt = one("aws:ec2/launchTemplate:LaunchTemplate");
            expect(lt.inputs.blockDeviceMappings, "root, data and metadata volumes").to.have.length(3);
            for (const m of lt.inputs.blockDeviceMappings) expect(m.ebs.kmsKeyId, m.deviceName).to.equal(key);
        });
    });

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

    describe("network and node groups", () => {
        for (const azCount of [3, 4, 5, 6]) {
            it(`puts one managed node group in each of ${azCount} distinct AZs`, async () => {
                const zones = ["a", "b", "c", "d", "e", "f"].slice(0, azCount).map((z) => `us-west-2${z}`);
                await build({ availabilityZones: zones, nodesPerAz: 2 });
                const vpc = one("awsx:ec2:Vpc");
                expect(vpc.inputs.availabilityZoneNames).to.deep.equal(zones);
                const groups = ofType("eks:index:ManagedNodeGroup");
                expect(groups).to.have.length(azCount);
                const subnets = groups.map((g) => g.inputs.subnetIds);
                subnets.forEach((s) => {
                    expect(s).to.have.length(1);
                });
                expect(new Set(subnets.map((s) => s[0])).size).to.equal(azCount);
                expect(subnets.map((s) => s[0])).to.deep.equal(zones.map((az) => `subnet-private-${az}`));
                for (const g of groups) {
                    expect(g.inputs.scalingConfig).to.deep.equal({ minSize: 2, desiredSize: 2, maxSize: 3 });
                    expect(g.inputs.launchTemplate.version).to.equal("1");
                    expect(g.inputs.nodeGroupNamePrefix).to.match(/^hje-test-storage-us-west-2[a-f]-$/);
                    expect(g.inputs).to.not.have.property("nodeGroupName");
                    expect(g.inputs.labels).to.deep.equal({ "ha-jenkins-eks.io/linstor-storage": "true" });
                    expect(g.inputs).to.not.have.property("userData");
                    expect(g.inputs).to.not.have.property("amiType");
                }
            });
        }

        it("uses existing subnets one per AZ instead of creating a VPC", async () => {
            await build({ vpcId: "vpc-0aaaabbbbccccdddd", privateSubnetIds: SUBNETS });
            expect(ofType("awsx:ec2:Vpc")).to.have.length(0);
            expect(ofType("eks:index:ManagedNodeGroup").map((g) => g.inputs.subnetIds[0])).to.deep.equal(SUBNETS);
            expect(one("eks:index:Cluster").inputs.vpcId).to.equal("vpc-0aaaabbbbccccdddd");
        });

        it("tags subnets for load balancers and gives each AZ its own NAT gateway", async () => {
            await build();
            const vpc = one("awsx:ec2:Vpc");
            expect(vpc.inputs.natGateways).to.deep.equal({ strategy: "OnePerAz" });
            const specs = vpc.inputs.subnetSpecs;
            expect(specs.find((s: any) => s.type === "Private").tags["kubernetes.io/role/internal-elb"]).to.equal("1");
            expect(specs.find((s: any) => s.type === "Public").tags["kubernetes.io/role/elb"]).to.equal("1");
        });
    });

    describe("LINSTOR", () => {
        before(async () => {
            await build();
        });

        it("installs the pinned Piraeus v2 operator with its CRDs into a privileged namespace", () => {
            const release = one("kubernetes:helm.sh/v3:Release");
            expect(release.inputs.chart).to.equal("oci://ghcr.io/piraeusdatastore/piraeus-operator/piraeus");
            expect(release.inputs.version).to.equal("2.10.7");
            expect(release.inputs.namespace).to.equal("piraeus-datastore");
            expect(release.inputs.values.installCRDs).to.equal(true);
            expect(release.inputs.skipAwait).to.equal(false);
            const ns = one("kubernetes:core/v1:Namespace");
            expect(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"]).to.equal("privileged");
        });

        it("declares the LinstorCluster with HA Controller on and the passphrase secret", () => {
            const cr = one("kubernetes:piraeus.io/v1:LinstorCluster");
            expect(cr.inputs.spec.highAvailabilityController.enabled).to.equal(true);
            expect(cr.inputs.spec.highAvailabilityController.podTemplate.spec.containers[0].args).to.deep.equal([
                "/agent",
                "--fail-over-timeout=5s",
                "--drbd-status-interval=5s",
            ]);
            expect(cr.inputs.spec.linstorPassphraseSecret).to.equal("linstor-passphrase");
            expect(cr.inputs.spec.nodeSelector).to.deep.equal({ "ha-jenkins-eks.io/linstor-storage": "true" });
            expect(cr.inputs.spec.properties).to.deep.equal([]);
            // The full lists, the operator's drbd.linbit.com tolerations included (tolerations.spec.ts models the merge).
            const t = (key: string) =>
                cr.inputs.spec[key].podTemplate.spec.tolerations.map((x: any) => `${x.key}:${x.effect}:${x.tolerationSeconds ?? "-"}`);
            expect(t("controller")).to.deep.equal([
                "node.kubernetes.io/unreachable:NoExecute:30",
                "node.kubernetes.io/not-ready:NoExecute:30",
                "drbd.linbit.com/force-io-error:NoSchedule:-",
                "drbd.linbit.com/lost-quorum:NoSchedule:-",
            ]);
            expect(t("csiController")).to.deep.equal([
                "drbd.linbit.com/force-io-error:NoSchedule:-",
                "drbd.linbit.com/lost-quorum:NoSchedule:-",
                "node.kubernetes.io/not-ready:NoExecute:30",
                "node.kubernetes.io/unreachable:NoExecute:30",
            ]);
            const secret = one("kubernetes:core/v1:Secret", "linstor-passphrase");
            expect(secret.inputs.immutable).to.equal(true);
            expect(secret.inputs.stringData).to.have.property("4dabf18193072939515e22adb298388d");
            expect(unsecret<any>(secret.inputs.stringData)).to.deep.equal({ MASTER_PASSPHRASE: "generated-hje-test-linstor-passphrase" });
        });

        it("declares two LVM-thin pools on the stable device paths and drops removed nodes from LINSTOR (node lost)", () => {
            const sat = one("kubernetes:piraeus.io/v1:LinstorSatelliteConfiguration");
            expect(sat.inputs.spec.deletionPolicy).to.equal("Delete");
            expect(sat.inputs.spec.storagePools).to.deep.equal([
                { name: "data", lvmThinPool: { volumeGroup: "linstor_data", thinPool: "data" }, source: { hostDevices: ["/dev/linstor/data"] } },
                {
                    name: "drbdmeta",
                    lvmThinPool: { volumeGroup: "linstor_drbdmeta", thinPool: "drbdmeta" },
                    source: { hostDevices: ["/dev/linstor/drbdmeta"] },
                },
            ]);
            expect(sat.inputs.spec.podTemplate.spec.initContainers[0]).to.deep.equal({
                name: "drbd-module-loader",
                env: [{ name: "LB_HOW", value: "compile" }],
            });
        });

        it("creates r1/r2/r3 StorageClasses that retain, expand and wait for the consumer", () => {
            const classes = linstorClasses();
            expect(classes.map((c) => c.inputs.metadata.name)).to.deep.equal([
                "linstor-csi-lvm-thin-r1",
                "linstor-csi-lvm-thin-r2",
                "linstor-csi-lvm-thin-r3",
            ]);
            for (const [i, c] of classes.entries()) {
                expect(c.inputs.provisioner).to.equal("linstor.csi.linbit.com");
                expect(c.inputs.reclaimPolicy).to.equal("Retain");
                expect(c.inputs.allowVolumeExpansion).to.equal(true);
                expect(c.inputs.volumeBindingMode).to.equal("WaitForFirstConsumer");
                expect(c.inputs.parameters["linstor.csi.linbit.com/placementCount"]).to.equal(String(i + 1));
                expect(c.inputs.parameters["linstor.csi.linbit.com/replicasOnDifferent"]).to.equal("topology.kubernetes.io/zone");
            }
        });

        it("sets PeerSlotsNewResource only when it differs from LINSTOR's default", async () => {
            await build({ drbdPeerSlots: 3 });
            expect(one("kubernetes:piraeus.io/v1:LinstorCluster").inputs.spec.properties).to.deep.equal([
                { name: "PeerSlotsNewResource", value: "3" },
            ]);
        });

        it("installs LINBIT SDS from charts.linstor.io with drbd.io credentials kept secret", async () => {
            await build({ linstorDistribution: "linbit", drbdIoUsername: "acme", drbdIoPassword: "s3cret" });
            const release = one("kubernetes:helm.sh/v3:Release");
            expect(release.inputs.chart).to.equal("linstor-operator");
            expect(release.inputs.repositoryOpts).to.deep.equal({ repo: "https://charts.linstor.io" });
            expect(release.inputs.namespace).to.equal("linbit-sds");
            expect(release.inputs.version).to.equal("2.10.0");
            const values = unsecret<any>(release.inputs.values);
            expect(values.imageCredentials).to.deep.equal({ registry: "drbd.io", username: "acme", password: "s3cret" });
            expect(release.inputs.values).to.have.property("4dabf18193072939515e22adb298388d");
        });
    });

    it("registers nothing when the settings are invalid", async () => {
        resetRecords();
        expect(() => new LinstorCluster("bad", clusterSettings({ availabilityZones: ["us-west-2a", "us-west-2b"] }))).to.throw(
            /LinstorCluster.availabilityZones/,
        );
        // Registrations arrive asynchronously: without waiting, a resource registered before the throw is not seen yet.
        await settle();
        expect(recorded).to.have.length(0);
    });
});

describe("LinstorCluster resource options", () => {
    before(async () => {
        await build();
    });

    it("rolls node groups out one AZ at a time, each after DRBD resynced behind the previous one", () => {
        const groups = ofType("eks:index:ManagedNodeGroup");
        const gates = ofType("kubernetes:batch/v1:Job");
        expect(groups).to.have.length(3);
        expect(gates.map((g) => g.name)).to.deep.equal([
            "hje-test-resync-gate-us-west-2a",
            "hje-test-resync-gate-us-west-2b",
            "hje-test-resync-gate-us-west-2c",
        ]);
        expect(dependsOn(gates[0], groups[0])).to.equal(true);
        expect(dependsOn(groups[1], gates[0])).to.equal(true);
        expect(dependsOn(gates[1], groups[1])).to.equal(true);
        expect(dependsOn(groups[2], gates[1])).to.equal(true);
        // The last zone is gated too: the update ends only once every replica is back.
        expect(dependsOn(gates[2], groups[2])).to.equal(true);
        expect(dependsOn(groups[0], groups[2])).to.equal(false);
        // Named after the launch-template version and nodesPerAz: every rollout, and every change of the node count, runs a new gate.
        expect(gates[0].inputs.metadata.name).to.equal("resync-gate-us-west-2a-v1-n1");
        expect(gates[0].inputs.metadata.namespace).to.equal("piraeus-datastore");
        const env = Object.fromEntries(gates[0].inputs.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
        expect(env.LINSTOR_API).to.equal("http://linstor-controller.piraeus-datastore.svc:3370");
        expect(env.TIMEOUT_SECONDS).to.equal("7200");
    });

    it("runs the gates again when nodesPerAz changes (storage nodes removed or added without a new launch template)", async () => {
        await build({ nodesPerAz: 2 });
        expect(ofType("kubernetes:batch/v1:Job").map((g) => g.inputs.metadata.name)).to.deep.equal([
            "resync-gate-us-west-2a-v1-n2",
            "resync-gate-us-west-2b-v1-n2",
            "resync-gate-us-west-2c-v1-n2",
        ]);
        await build();
    });

    it("chains node groups directly when the resync gate is off", async () => {
        await build({ nodeRolloutResyncGate: false });
        const groups = ofType("eks:index:ManagedNodeGroup");
        expect(ofType("kubernetes:batch/v1:Job")).to.have.length(0);
        expect(dependsOn(groups[1], groups[0])).to.equal(true);
        expect(dependsOn(groups[2], groups[1])).to.equal(true);
        await build();
    });

    it("creates node groups in parallel when serial rollout is off (fast DR creation)", async () => {
        await build({ serialNodeGroupRollout: false });
        const groups = ofType("eks:index:ManagedNodeGroup");
        expect(ofType("kubernetes:batch/v1:Job")).to.have.length(0);
        expect(dependsOn(groups[1], groups[0])).to.equal(false);
        expect(dependsOn(groups[2], groups[1])).to.equal(false);
        await build();
    });

    it("applies LINSTOR resources only after the operator (and its webhook) is ready", () => {
        const release = one("kubernetes:helm.sh/v3:Release");
        for (const type of ["kubernetes:piraeus.io/v1:LinstorCluster", "kubernetes:piraeus.io/v1:LinstorSatelliteConfiguration"]) {
            expect(dependsOn(one(type), release), type).to.equal(true);
        }
        for (const sc of linstorClasses()) {
            expect(dependsOn(sc, release)).to.equal(true);
            expect(dependsOn(sc, one("kubernetes:piraeus.io/v1:LinstorSatelliteConfiguration"))).to.equal(true);
            expect(sc.options!.deleteBeforeReplace).to.equal(true);
        }
        // The operator needs nodes to become ready.
        for (const g of ofType("eks:index:ManagedNodeGroup")) expect(dependsOn(release, g)).to.equal(true);
    });

    it("protects the secrets KMS key, the LINSTOR passphrase and the operator release (it templates the CRDs)", () => {
        expect(one("aws:kms/key:Key").options!.protect).to.equal(true);
        expect(one("kubernetes:helm.sh/v3:Release").options!.protect).to.equal(true);
        expect(one("random:index/randomPassword:RandomPassword").options!.protect).to.equal(true);
        expect(one("kubernetes:core/v1:Secret", "linstor-passphrase").options!.protect).to.equal(true);
        expect(one("eks:index:Cluster").options!.protect).to.equal(false);
    });

    it("parents every resource under the component", () => {
        const component = one("ha-jenkins-eks:index:LinstorCluster");
        const children = recorded.filter((r) => r !== component && r.options);
        for (const r of children) expect(r.options!.parent, `${r.type} ${r.name}`).to.equal(component.options!.urn);
    });
});
