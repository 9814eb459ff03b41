/** LinstorCluster as a whole: nothing registered for invalid settings; rollout order, protection and parenting. */
import { expect } from "chai";
import { LinstorCluster } from "../../../components/linstorCluster";
import { clusterSettings } from "../../support/fixtures";
import { dependsOn, linstorClasses, ofType, one, recorded, resetRecords, settle } from "../../support/mocks";
import { build } from "./fixtures";

describe("LinstorCluster", () => {
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
        expect(env.LINSTOR_API).to.equal("https://linstor-controller.piraeus-datastore.svc:3371");
        // Each gate counts the storage nodes of the zone that just rolled.
        expect([env.ZONE, env.NODES_PER_ZONE]).to.deep.equal(["us-west-2a", "1"]);
        expect(gates.map((g) => g.inputs.spec.template.spec.containers[0].env.find((e: any) => e.name === "ZONE").value)).to.deep.equal([
            "us-west-2a",
            "us-west-2b",
            "us-west-2c",
        ]);
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
        const key = one("aws:kms/key:Key");
        expect(key.options!.protect).to.equal(true);
        expect(key.inputs.deletionWindowInDays, "the longest window KMS allows").to.equal(30);
        expect(one("kubernetes:helm.sh/v3:Release").options!.protect).to.equal(true);
        expect(one("random:index/randomPassword:RandomPassword").options!.protect).to.equal(true);
        expect(one("kubernetes:core/v1:Secret", "linstor-passphrase").options!.protect).to.equal(true);
    });

    it("protects the EKS cluster (its etcd holds LINSTOR's database) and the LINSTOR namespace, which it also retains", () => {
        const cluster = one("eks:index:Cluster");
        expect(cluster.options!.protect).to.equal(true);
        // The cluster waits for its key, so a destroy deletes the (protected) cluster before the key.
        expect(dependsOn(cluster, one("aws:kms/key:Key"))).to.equal(true);
        const namespace = one("kubernetes:core/v1:Namespace", "linstor");
        expect(namespace.inputs.metadata.name).to.equal("piraeus-datastore");
        expect(namespace.options!.protect).to.equal(true);
        expect(namespace.options!.retainOnDelete, "deleting it would delete the passphrase Secret").to.equal(true);
    });

    it("lifts protect (never retainOnDelete) with protectStatefulResources false", async () => {
        await build({ protectStatefulResources: false });
        for (const type of ["eks:index:Cluster", "aws:kms/key:Key", "kubernetes:helm.sh/v3:Release"]) {
            expect(one(type).options!.protect, type).to.equal(false);
        }
        expect(one("kubernetes:core/v1:Namespace", "linstor").options!.protect).to.equal(false);
        expect(one("kubernetes:core/v1:Namespace", "linstor").options!.retainOnDelete).to.equal(true);
        await build();
    });

    it("parents every resource under the component", () => {
        const component = one("ha-jenkins-eks:index:LinstorCluster");
        const children = recorded.filter((r) => r !== component && r.options);
        for (const r of children) expect(r.options!.parent, `${r.type} ${r.name}`).to.equal(component.options!.urn);
    });
});
