/** HaJenkins on a claim restored from S3 (the DR stack): no chart ServiceMonitor, a release timeout that waits for the restore. */
import { expect } from "chai";
import { validateHaJenkinsArgs } from "../../../components/jenkins";
import { thrown } from "../../support/fixtures";
import { build, release, SC, values } from "./fixtures";

describe("HaJenkins for a restored claim", () => {
    it("keeps the prometheus plugin without the chart's ServiceMonitor (no wait for the CRDs)", async () => {
        await build({ existingClaim: "jenkins-dr-x", monitoringEnabled: true, chartServiceMonitor: false });
        expect(values().controller.prometheus.enabled).to.equal(false);
        expect(values().controller.installPlugins.some((p: string) => p.startsWith("prometheus:"))).to.equal(true);
        await build({ existingClaim: "jenkins-dr-x", monitoringEnabled: true });
        expect(values().controller.prometheus.enabled).to.equal(true);
    });

    it("adds the restore's time to the release timeout", async () => {
        await build({ existingClaim: "jenkins-dr-x" });
        const base = release().inputs.timeout;
        await build({ existingClaim: "jenkins-dr-x", restoreWaitSeconds: 1560 });
        expect(release().inputs.timeout).to.equal(base + 1560);
    });

    it("refuses a negative wait or a non-boolean switch, naming the field", () => {
        const args = { storageClassName: SC, storageClassReplicas: 3 };
        expect(thrown(() => validateHaJenkinsArgs({ ...args, restoreWaitSeconds: -1 })).message).to.match(
            /^Invalid value for HaJenkins\.restoreWaitSeconds: -1/,
        );
        expect(thrown(() => validateHaJenkinsArgs({ ...args, chartServiceMonitor: "no" as never })).message).to.match(
            /HaJenkins\.chartServiceMonitor/,
        );
    });
});
