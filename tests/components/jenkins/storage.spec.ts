/** HaJenkins' storage: the replica-count guard, the size check, a restored claim, protection and readiness ordering. */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { HaJenkins, validateHaJenkinsArgs } from "../../../components/jenkins";
import { ConfigError } from "../../../components/shared/errors";
import { thrown } from "../../support/fixtures";
import { ofType, one, outputValue, recorded, resetRecords, settle, useStack } from "../../support/mocks";
import { build, PVC, SC, seenOpts, values } from "./fixtures";

describe("HaJenkins", () => {
    // Earlier specs may leave another stack's region behind; the NLB hostname carries the region.
    before(() => useStack("dev", { "aws:region": "us-west-2" }));

    describe("storage", () => {
        it("refuses a class with fewer than 3 replicas unless allowFewerReplicas, naming the caller's key", async () => {
            resetRecords();
            const r2 = { storageClassName: "linstor-csi-lvm-thin-r2", storageClassReplicas: 2 };
            // The caller's own key names through the exported check; the component names its own argument.
            const e = thrown(() => validateHaJenkinsArgs(r2, (f) => `ha-jenkins-eks:jenkins.${f}`));
            expect(e).to.be.instanceOf(ConfigError);
            expect(e.message).to.match(/^Invalid value for ha-jenkins-eks:jenkins\.storageClassReplicas: 2\./);
            expect((thrown(() => new HaJenkins("r2", r2)) as ConfigError).key).to.equal("HaJenkins.storageClassReplicas");
            await settle();
            expect(recorded).to.have.length(0);
            await build({ storageClassName: "linstor-csi-lvm-thin-r2", storageClassReplicas: 2, allowFewerReplicas: true });
            expect(one(PVC).inputs.spec.storageClassName).to.equal("linstor-csi-lvm-thin-r2");
        });

        it("refuses a malformed size", () => {
            for (const storageSize of ["0Gi", "-1Gi", "20 GB"]) {
                const e = thrown(() => new HaJenkins("bad", { storageClassName: SC, storageClassReplicas: 3, storageSize }));
                expect((e as ConfigError).key).to.equal("HaJenkins.storageSize");
            }
        });

        it("uses an existing (restored) claim without creating a volume or the Jenkins namespace (only the agents')", async () => {
            const jenkins = await build({ existingClaim: "jenkins-home-restored", createNamespace: false, storageSize: "50Gi" });
            expect(ofType(PVC)).to.have.length(0);
            expect(ofType("kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata.name)).to.deep.equal(["jenkins-agents"]);
            expect(jenkins.pvc).to.equal(undefined);
            expect(values().persistence).to.deep.equal({ enabled: true, existingClaim: "jenkins-home-restored" });
            expect(await outputValue(jenkins.pvcName)).to.equal("jenkins-home-restored");
        });

        it("lets the caller lift protection, waits for storage readiness before the PVC and the release", async () => {
            const ready = new k8s.core.v1.ConfigMap("storage-ready", {});
            const jenkins = await build({ protect: false }, { dependsOn: [ready] });
            expect(seenOpts["hje-test-jenkins-home"].protect).to.equal(false);
            expect(seenOpts["hje-test-jenkins-home"].retainOnDelete).to.equal(true);
            for (const child of ["hje-test-jenkins-home", "hje-test-jenkins-release"]) {
                expect(seenOpts[child].dependsOn as pulumi.Resource[], child).to.include(ready);
            }
            // The release starts only after its claim exists (the chart creates none).
            expect(seenOpts["hje-test-jenkins-release"].dependsOn as pulumi.Resource[]).to.include(jenkins.pvc);
        });
    });
});
