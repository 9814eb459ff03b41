/**
 * The DR stack's release of the downloaded chain (components/snapshots/releaseChain.ts): built after Jenkins runs on
 * the restored claim, once per restore, never on the run that turns a standby into a restore, and never making the
 * restore objects again.
 */
import { expect } from "chai";
import { backupNameKey } from "../../components/snapshots/backupCatalog";
import { DEV_JENKINS_RESOURCE, primaryBucket } from "../support/fakes/fakeLinstorBucket";
import { dependsOn, ofType, one, type Recorded } from "../support/mocks";
import { devOutputs, evaluateDr } from "./drFixtures";

const JOB = "kubernetes:batch/v1:Job";
const envOf = (c: { env: { name: string; value: string }[] }) => Object.fromEntries(c.env.map((e) => [e.name, e.value]));
const releaseJob = () => ofType(JOB).find((r) => r.name.includes("release-chain"));
const restoreUrns = () =>
    [
        ...ofType("kubernetes:core/v1:PersistentVolumeClaim"),
        ...ofType("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshot"),
        ...ofType("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotContent"),
    ]
        .map((r) => r.options?.urn)
        .sort();

describe("dr stack: releasing the downloaded chain after a restore", () => {
    let newest: string;
    let outputs: Record<string, unknown>;
    let job: Recorded;
    before(async () => {
        const dev = await devOutputs();
        newest = primaryBucket(dev.snapshotBucketName as string).ids.at(-1) as string;
        outputs = await evaluateDr();
        job = releaseJob() as Recorded;
    });

    it("runs a Job once Jenkins runs on the restored claim, for the backup's origin resource", () => {
        const key = backupNameKey(newest);
        expect(job, "release Job").to.not.equal(undefined);
        expect(job.inputs.metadata).to.deep.include({ name: `release-chain-${key}`, namespace: "piraeus-datastore" });
        const jenkins = ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "jenkins") as Recorded;
        expect(dependsOn(job, jenkins), "after the Jenkins release, which Pulumi awaits").to.equal(true);
        const pod = job.inputs.spec.template.spec;
        const claim = one("kubernetes:core/v1:PersistentVolumeClaim");
        expect(envOf(pod.initContainers[0])).to.include({ CLAIM: claim.inputs.metadata.name, CLAIM_NAMESPACE: "jenkins" });
        // The restored claim's PV/resource is named after its UID; the origin is the primary's claim's resource.
        expect(envOf(pod.initContainers[0]).RESTORED_PV).to.equal(outputs.jenkinsLinstorResource);
        expect(outputs.jenkinsLinstorResource)
            .to.match(/^pvc-[0-9a-f-]{36}$/)
            .and.not.equal(DEV_JENKINS_RESOURCE);
        expect(envOf(pod.containers[0]).ORIGIN_RESOURCES).to.equal(DEV_JENKINS_RESOURCE);
        // Awaited (no skipAwait) for longer than its deadline.
        expect(job.inputs.metadata.annotations ?? {}).to.not.have.property("pulumi.com/skipAwait");
        // A refusal is checked again by the next `up` (a failed Job is replaced, not awaited again).
        expect(job.inputs.metadata.annotations).to.include({ "pulumi.com/replaceUnready": "true" });
        expect(job.options!.customTimeouts.create).to.equal("20m");
    });

    it("may read the one claim and its one PV, nothing else", () => {
        const role = ofType("kubernetes:rbac.authorization.k8s.io/v1:Role").find((r) => r.name.includes("release-chain")) as Recorded;
        expect(role.inputs.metadata.namespace).to.equal("jenkins");
        expect(role.inputs.rules).to.deep.equal([
            { apiGroups: [""], resources: ["persistentvolumeclaims"], resourceNames: [outputs.restoredClaimName], verbs: ["get"] },
        ]);
        const clusterRole = ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").find((r) => r.name.includes("release-chain")) as Recorded;
        expect(clusterRole.inputs.rules).to.deep.equal([
            { apiGroups: [""], resources: ["persistentvolumes"], resourceNames: [outputs.jenkinsLinstorResource], verbs: ["get"] },
        ]);
        const account = ofType("kubernetes:core/v1:ServiceAccount").find((r) => r.name.includes("release-chain")) as Recorded;
        expect(account.inputs.automountServiceAccountToken).to.equal(false);
    });

    it("is off with restoreReleaseChain: false", async () => {
        await evaluateDr({ "ha-jenkins-eks:restoreReleaseChain": "false" });
        expect(releaseJob()).to.equal(undefined);
    });

    it("keeps its Job and the restore objects on a later `pulumi up`: nothing restores or downloads again", async () => {
        const first = { urns: restoreUrns(), job: job.options?.urn, spec: JSON.stringify(job.inputs.spec) };
        await evaluateDr({}, { own: { drMode: "restore", restoredBackup: outputs.restoredBackup, primaryRecord: outputs.primaryRecord } });
        expect(restoreUrns()).to.deep.equal(first.urns);
        expect(releaseJob()?.options?.urn).to.equal(first.job);
        expect(JSON.stringify(releaseJob()?.inputs.spec)).to.equal(first.spec);
    });

    it("waits one `pulumi up` after a standby's fail-over (its schedules go only at the end of that run)", async () => {
        const standby = await evaluateDr({ "ha-jenkins-eks:drMode": "standby" });
        const failover = await evaluateDr({}, { own: standby });
        expect(failover.restoredBackup).to.not.equal(undefined);
        expect(releaseJob(), "no release on the fail-over run").to.equal(undefined);
        const urns = restoreUrns();
        await evaluateDr({}, { own: failover });
        expect(releaseJob(), "released on the next run").to.not.equal(undefined);
        expect(restoreUrns()).to.deep.equal(urns);
    });
});
