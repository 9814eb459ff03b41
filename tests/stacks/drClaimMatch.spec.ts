/**
 * Which backups are the Jenkins claim's when their metas carry no claim properties (`Aux/csi.storage.k8s.io/pvc/*`,
 * missing on a volume provisioned without csi-provisioner's --extra-create-metadata): the primary's exported
 * `jenkinsLinstorResource` (live or recorded), or `restoreSourceResource`; a refusal naming them when neither is known.
 */
import { expect } from "chai";
import { DEV_JENKINS_RESOURCE, FakeLinstorBucket, shipChain } from "../support/fakes/fakeLinstorBucket";
import { ofType } from "../support/mocks";
import { devOutputs, evaluateDr, rejection, UNSET } from "./drFixtures";

const OTHER = "pvc-99999999-0000-4000-8000-000000000000";

/** The Jenkins claim's chain and, newer, another volume's, none of them with claim properties in its meta. */
function bareBucket(name: string): { bucket: FakeLinstorBucket; jenkins: string[]; other: string[] } {
    const bucket = new FakeLinstorBucket(name);
    const jenkins = shipChain(bucket, { resource: DEV_JENKINS_RESOURCE, volumeGiB: 20, start: new Date("2026-07-01T00:00:00Z"), increments: 3 });
    const other = shipChain(bucket, { resource: OTHER, volumeGiB: 20, start: new Date("2026-07-02T00:00:00Z"), increments: 1 });
    return { bucket, jenkins, other };
}

describe("dr stack: backups whose metas carry no claim properties", () => {
    let dev: Record<string, unknown>;
    let world: ReturnType<typeof bareBucket>;
    const restored = (o: Record<string, unknown>) => (o.restoredBackup as { id: string } | undefined)?.id;
    before(async () => {
        dev = await devOutputs();
    });
    beforeEach(() => {
        world = bareBucket(dev.snapshotBucketName as string);
    });

    it("the primary exports its Jenkins claim's LINSTOR resource, pvc-<claim UID>", () => {
        expect(dev.jenkinsLinstorResource).to.equal(DEV_JENKINS_RESOURCE);
    });

    it("restores the primary's Jenkins resource (live, or as this stack recorded it), not a newer volume's", async () => {
        const live = await evaluateDr({}, { bucket: world.bucket });
        expect(restored(live)).to.equal(world.jenkins.at(-1));
        expect((live.primaryRecord as Record<string, unknown>).jenkinsLinstorResource).to.equal(DEV_JENKINS_RESOURCE);
        // The primary gone: what this stack recorded of it is enough.
        const recorded = await evaluateDr(
            { "ha-jenkins-eks:restoreSelection": "2" },
            { bucket: world.bucket, primary: "none", own: { primaryRecord: live.primaryRecord, restoredBackup: live.restoredBackup } },
        );
        expect(restored(recorded)).to.equal(world.jenkins.at(-1));
    });

    it("refuses, naming restoreSourceResource, when nothing names the resource", async () => {
        const { jenkinsLinstorResource: _, ...older } = dev;
        const message = await rejection({}, { bucket: world.bucket, primary: older });
        expect(message).to.match(/^Invalid value for ha-jenkins-eks:restoreSourceResource\b/);
        expect(message).to.contain("Aux/csi.storage.k8s.io/pvc/namespace = jenkins is missing from every meta");
        expect(message).to.contain(`${DEV_JENKINS_RESOURCE} (no claim properties)`).and.contain(`${OTHER} (no claim properties)`);
        expect(message).to.contain("jenkinsLinstorResource");
        expect(ofType("kubernetes:core/v1:PersistentVolumeClaim")).to.have.length(0);
    });

    it("restoreSourceResource names it explicitly (and a resource with no backup is refused with what the bucket holds)", async () => {
        const { jenkinsLinstorResource: _, ...older } = dev;
        const pinned = await evaluateDr({ "ha-jenkins-eks:restoreSourceResource": DEV_JENKINS_RESOURCE }, { bucket: world.bucket, primary: older });
        expect(restored(pinned)).to.equal(world.jenkins.at(-1));
        const other = await evaluateDr({ "ha-jenkins-eks:restoreSourceResource": OTHER }, { bucket: world.bucket });
        expect(restored(other)).to.equal(world.other.at(-1));
        const message = await rejection({ "ha-jenkins-eks:restoreSourceResource": "pvc-typo" }, { bucket: world.bucket });
        expect(message).to.match(/^Invalid value for ha-jenkins-eks:restoreSourceResource: "pvc-typo"\. The bucket .* holds no readable backup/);
        expect(message).to.contain(`${DEV_JENKINS_RESOURCE} (no claim properties)`);
        expect(await rejection({ "ha-jenkins-eks:restoreSourceResource": "pvc/x" })).to.match(
            /restoreSourceResource: "pvc\/x"\. Use a LINSTOR resource name/,
        );
    });

    it("takes the newest of both rules: the current claim's backups without the properties beside an older claim's with them, and newer ones with them beside a stale resource", async () => {
        // An older claim of the same namespace whose metas carry the properties (before the controller lost the flag).
        shipChain(world.bucket, {
            resource: "pvc-77777777-0000-4000-8000-000000000000",
            pvcNamespace: "jenkins",
            pvcName: "jenkins-home",
            volumeGiB: 20,
            start: new Date("2026-06-30T00:00:00Z"),
            increments: 0,
        });
        expect(restored(await evaluateDr({}, { bucket: world.bucket }))).to.equal(world.jenkins.at(-1));
        // A newer claim with the properties (the primary recreated it), while the resource this stack knows is the old one.
        const newer = shipChain(world.bucket, {
            resource: "pvc-88888888-0000-4000-8000-000000000000",
            pvcNamespace: "jenkins",
            pvcName: "jenkins-home",
            volumeGiB: 20,
            start: new Date("2026-07-03T00:00:00Z"),
            increments: 1,
        });
        expect(restored(await evaluateDr({}, { bucket: world.bucket }))).to.equal(newer.at(-1));
    });

    it("a standby downloads and checks the primary's resource", async () => {
        await evaluateDr({ "ha-jenkins-eks:drMode": "standby", "ha-jenkins-eks:restoreSnapshotHandle": UNSET }, { bucket: world.bucket });
        const cron = ofType("kubernetes:batch/v1:CronJob").find((r) => r.inputs.metadata.name === "restore-download");
        const pick = cron?.inputs.spec.jobTemplate.spec.template.spec.initContainers.find((c: { name: string }) => c.name === "pick");
        expect(pick.env.find((e: { name: string }) => e.name === "ORIGINS").value).to.equal(JSON.stringify([DEV_JENKINS_RESOURCE]));
    });
});
