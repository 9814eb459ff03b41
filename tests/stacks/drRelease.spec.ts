/**
 * The DR stack's release of the downloaded chain (components/snapshots/releaseChain.ts): built after Jenkins runs on
 * the restored claim, once per restore, never on the run that turns a standby into a restore, and never making the
 * restore objects again.
 */
import type * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { backupNameKey } from "../../components/snapshots/backupCatalog";
import { DEV_JENKINS_RESOURCE, primaryBucket } from "../support/fakes/fakeLinstorBucket";
import { dependsOn, mocks, ofType, one, type Recorded } from "../support/mocks";
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
        // Not awaited: it may wait for the standby's schedules, which only the end of a successful `up` deletes. A
        // refusal, or a wait cut short, is checked again by the next `up` (a Job not Complete is replaced).
        expect(job.inputs.metadata.annotations).to.include({ "pulumi.com/replaceUnready": "true", "pulumi.com/skipAwait": "true" });
    });

    it("is watched: the stack's alerts select this Job by its namespace and name (a refusal is not silent)", () => {
        const rules = one("kubernetes:monitoring.coreos.com/v1:PrometheusRule").inputs.spec.groups.flatMap((g: any) => g.rules);
        const failed = rules.find((r: any) => r.alert === "ReleaseChainFailed");
        expect(failed, "ReleaseChainFailed").to.not.equal(undefined);
        const { name, namespace } = job.inputs.metadata;
        expect(failed.expr).to.contain(`namespace="${namespace}"`);
        const re = /job_name=~"([^"]*)"/.exec(failed.expr)![1];
        expect(new RegExp(`^(?:${re})$`).test(name), `${re} selects ${name}`).to.equal(true);
        expect(rules.map((r: any) => r.alert)).to.include("ReleaseChainNotFinished");
    });

    it("may read the one claim, its one PV and the standby's two schedules by name, nothing else", () => {
        const role = ofType("kubernetes:rbac.authorization.k8s.io/v1:Role").find((r) => r.name.includes("release-chain")) as Recorded;
        expect(role.inputs.metadata.namespace).to.equal("jenkins");
        expect(role.inputs.rules).to.deep.equal([
            { apiGroups: [""], resources: ["persistentvolumeclaims"], resourceNames: [outputs.restoredClaimName], verbs: ["get"] },
        ]);
        const clusterRole = ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").find((r) => r.name.includes("release-chain")) as Recorded;
        expect(clusterRole.inputs.rules).to.deep.equal([
            { apiGroups: [""], resources: ["persistentvolumes"], resourceNames: [outputs.jenkinsLinstorResource], verbs: ["get"] },
        ]);
        const schedules = ofType("kubernetes:rbac.authorization.k8s.io/v1:Role").find((r) => r.name.endsWith("-schedules")) as Recorded;
        expect(schedules.inputs.metadata.namespace).to.equal("piraeus-datastore");
        expect(schedules.inputs.rules).to.deep.equal([
            { apiGroups: ["batch"], resources: ["cronjobs"], resourceNames: ["restore-download", "restore-check"], verbs: ["get"] },
        ]);
        const binding = ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").find((r) => r.name.endsWith("-schedules")) as Recorded;
        expect(binding.inputs.roleRef.name).to.equal(schedules.inputs.metadata.name);
        expect(binding.inputs.subjects).to.deep.equal([{ kind: "ServiceAccount", name: job.inputs.metadata.name, namespace: "piraeus-datastore" }]);
        expect(dependsOn(job, binding), "the Job starts once it may read them").to.equal(true);
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

    for (const [how, overrides] of [
        ["ClusterIP", {}],
        [
            "an NLB",
            {
                "ha-jenkins-eks:jenkinsServiceType": "LoadBalancer",
                "ha-jenkins-eks:jenkinsLoadBalancerSourceRanges": '["10.0.0.0/16"]',
            },
        ],
    ] as const) {
        it(`a fail-over whose Jenkins release fails still records its choice (${how}); the re-run neither chooses again nor releases early`, async function () {
            this.timeout(60000);
            const standby = await evaluateDr({ "ha-jenkins-eks:drMode": "standby" });
            const schedules = ofType("kubernetes:batch/v1:CronJob")
                .map((c) => c.inputs.metadata)
                .filter((m) => m.namespace === "piraeus-datastore" && /^restore-/.test(m.name))
                .map((m) => m.name)
                .sort();
            expect(schedules).to.deep.equal(["restore-check", "restore-download"]);
            // The fail-over `up`: the Jenkins release never finishes. The engine keeps a failed update's stack outputs
            // if the program registered them (pulumi/pulumi#15754); Node registers them once every one resolved.
            let released = false;
            let open: () => void = () => undefined;
            const held = new Promise<void>((r) => {
                open = () => {
                    released = true;
                    r();
                };
            });
            const newResource = mocks.newResource;
            mocks.newResource = async (args: pulumi.runtime.MockResourceArgs) => {
                if (args.type === "kubernetes:helm.sh/v3:Release" && args.inputs.chart === "jenkins") await held;
                return newResource.call(mocks, args);
            };
            let resolvedWhileHeld = false;
            // Only a hang opens it (outputs that wait for the release): a bound, not a race with a loaded machine.
            const timer = setTimeout(() => open(), this.timeout() - 10_000);
            let failed: Record<string, unknown>;
            try {
                failed = await evaluateDr(overrides, {
                    own: standby,
                    afterOutputs: () => {
                        resolvedWhileHeld = !released;
                        open();
                    },
                });
            } finally {
                clearTimeout(timer);
                mocks.newResource = newResource;
            }
            expect(resolvedWhileHeld, "every output resolved while the Jenkins release was still pending").to.equal(true);
            expect(failed.drMode).to.equal("restore");
            expect(failed.restoredBackup).to.not.equal(undefined);
            expect(releaseJob(), "no release on the fail-over run").to.equal(undefined);
            const urns = restoreUrns();
            // The re-run works from what the failed run recorded, a newer backup in the bucket meanwhile.
            const dev = await devOutputs();
            const { bucket } = primaryBucket(dev.snapshotBucketName as string);
            bucket.ship({
                resource: DEV_JENKINS_RESOURCE,
                pvcNamespace: "jenkins",
                pvcName: "jenkins-home",
                snapshot: "snapshot-later",
                start: new Date("2026-07-02T01:00:00Z"),
            });
            const rerun = await evaluateDr(overrides, { own: failed, bucket });
            expect(rerun.restoredBackup, "no new choice").to.deep.equal(failed.restoredBackup);
            expect(restoreUrns(), "the same restore objects").to.deep.equal(urns);
            expect(
                ofType(JOB).filter((j) => j.name.includes("restore-gate")),
                "no download again",
            ).to.deep.equal([]);
            // The recorded drMode says restore, so the release is declared; the Job itself waits for the standby's
            // schedules, which that failed run left behind, and refuses while they stay (releaseChain.spec.ts).
            const job = releaseJob() as Recorded;
            expect(job, "release Job").to.not.equal(undefined);
            const claimStep = envOf(job.inputs.spec.template.spec.initContainers[0]);
            expect(claimStep.STANDBY_SCHEDULES.split(" ").sort()).to.deep.equal(schedules);
            expect(claimStep.LINSTOR_NAMESPACE).to.equal("piraeus-datastore");
            expect(job.inputs.metadata.annotations).to.include({ "pulumi.com/skipAwait": "true" });
        });
    }

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
