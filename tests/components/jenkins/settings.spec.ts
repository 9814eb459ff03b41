import { expect } from "chai";
import { HaJenkins, type HaJenkinsArgs } from "../../../components/jenkins";
import { JENKINS_DEFAULTS, JENKINS_RULES } from "../../../components/jenkins/settings";
import { ConfigError } from "../../../components/shared/errors";
import { thrown } from "../../support/fixtures";
import { withKube } from "../../support/kubeProvider";
import { recorded, resetRecords, settle } from "../../support/mocks";

const SC = "linstor-csi-lvm-thin-r3";

/** The error a library user gets: arguments built in code, no stack config, the component's default KeyOf. */
async function libraryError(overrides: Partial<HaJenkinsArgs>): Promise<ConfigError> {
    resetRecords();
    const e = thrown(() => new HaJenkins("lib", { storageClassName: SC, storageClassReplicas: 3, ...overrides }));
    expect(e).to.be.instanceOf(ConfigError);
    await settle();
    expect(recorded, "nothing registered").to.have.length(0);
    return e as ConfigError;
}

describe("HaJenkins settings (library use, no stack config)", () => {
    it("has a rule for every settings field (the compiler insists; this guards the runtime list the naming test reads)", () => {
        for (const field of Object.keys(JENKINS_DEFAULTS)) expect(JENKINS_RULES, field).to.have.property(field);
    });

    const refusals: [Partial<HaJenkinsArgs>, string, RegExp][] = [
        // Range checked only when read from stack config before.
        [{ storageClassReplicas: 7 }, "storageClassReplicas", /Must be an integer from 1 to 6/],
        // The image check had drifted from the other images': these passed.
        [{ imageTag: "lts" }, "imageTag", /can move to another image/],
        [{ imageTag: "lts-jdk17" }, "imageTag", /can move/],
        [{ imageTag: "latest-jdk21" }, "imageTag", /can move/],
        [{ imageTag: "jdk21" }, "imageTag", /can move/],
        [{ imageRegistry: "localhost:5000" }, "imageRegistry", /fully qualified host name/],
        [{ imageRegistry: "registry" }, "imageRegistry", /fully qualified host name/],
        // Arguments besides the settings.
        [{ storageClassName: "Linstor_r3" }, "storageClassName", /Kubernetes object name/],
        [{ existingClaim: "-claim" }, "existingClaim", /Kubernetes object name/],
        [{ releaseName: "j".repeat(54) }, "releaseName", /at most 53 .*Helm release name/],
        [{ protect: "yes" as never }, "protect", /true or false/],
        [{ prePullImage: 1 as never }, "prePullImage", /true or false/],
        [{ cpuRequest: "1Gi" }, "cpuRequest", /quantity such as "500m" \(plain or m\)/],
    ];
    for (const [overrides, field, message] of refusals) {
        it(`refuses ${JSON.stringify(overrides)}, naming HaJenkins.${field}`, async () => {
            const e = await libraryError(overrides);
            expect(e.key).to.equal(`HaJenkins.${field}`);
            expect(e.message).to.match(message);
        });
    }

    it("accepts pinned images by version or digest", async () => {
        for (const imageTag of ["2.568.2-jdk21", "2.569", `lts@sha256:${"0".repeat(64)}`]) {
            resetRecords();
            new HaJenkins("lib", { storageClassName: SC, storageClassReplicas: 3, imageTag }, withKube());
            await settle();
            expect(recorded.length, imageTag).to.be.greaterThan(0);
        }
    });
});
