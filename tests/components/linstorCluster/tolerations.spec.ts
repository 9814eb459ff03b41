/**
 * The LINSTOR and CSI controller tolerations ADD to the operator's defaults: the podTemplate's list replaces the
 * operator's computed list (strategic merge patch, `PodSpec.tolerations` has no merge key), so the resulting pod spec
 * is modelled here — operator list (piraeus-operator `pkg/utils/tolerations/tolerations.go`, cluster controller
 * `kustomize{Controller,CSIController}Resources`), then the podTemplate patch — and checked in full.
 */
import { expect } from "chai";
import { LinstorCluster } from "../../../components/linstorCluster";
import {
    HA_CONTROLLER_TOLERATIONS,
    LINSTOR_CONTROLLER_TOLERATIONS,
    mergeTolerations,
    operatorTolerations,
    tolerationsAfterPodTemplate,
} from "../../../components/linstorCluster/tolerations";
import { clusterSettings } from "../../support/fixtures";
import { one, outputValue, resetRecords, settle } from "../../support/mocks";

const noExecute = (key: string, seconds: number) => ({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds });
const FORCE_IO_ERROR = { key: "drbd.linbit.com/force-io-error", operator: "Exists", effect: "NoSchedule" };
const LOST_QUORUM = { key: "drbd.linbit.com/lost-quorum", operator: "Exists", effect: "NoSchedule" };

async function specFor(seconds: number) {
    resetRecords();
    const cluster = new LinstorCluster("hje-test", clusterSettings({ linstorControllerTolerationSeconds: seconds }));
    await outputValue(cluster.clusterName);
    await settle();
    return one("kubernetes:piraeus.io/v1:LinstorCluster").inputs.spec;
}

describe("controller tolerations (merged with the operator's, not replacing them)", () => {
    it("models the operator's MergeTolerations: a later match replaces in place, others append", () => {
        expect(
            mergeTolerations(LINSTOR_CONTROLLER_TOLERATIONS, HA_CONTROLLER_TOLERATIONS, [noExecute("node.kubernetes.io/not-ready", 5) as any]),
        ).to.deep.equal([noExecute("node.kubernetes.io/unreachable", 30), noExecute("node.kubernetes.io/not-ready", 5), FORCE_IO_ERROR, LOST_QUORUM]);
        // tolerationSeconds is not part of the match (core/v1 MatchToleration); value and operator are.
        expect(
            mergeTolerations(
                [{ key: "k", operator: "Equal", value: "a", effect: "NoSchedule" }],
                [{ key: "k", operator: "Equal", value: "b", effect: "NoSchedule" }],
            ),
        ).to.have.length(2);
    });

    it("models the strategic merge of a podTemplate: a tolerations list replaces the operator's whole list", () => {
        const computed = operatorTolerations("controller");
        expect(tolerationsAfterPodTemplate(computed, { spec: {} })).to.deep.equal(computed);
        expect(tolerationsAfterPodTemplate(computed, { spec: { tolerations: [noExecute("x", 1) as any] } })).to.deep.equal([noExecute("x", 1)]);
    });

    for (const seconds of [30, 10]) {
        it(`LINSTOR controller (${seconds} s): the deployed list keeps the drbd.linbit.com tolerations`, async () => {
            const spec = await specFor(seconds);
            const result = tolerationsAfterPodTemplate(operatorTolerations("controller"), spec.controller.podTemplate);
            expect(result).to.deep.equal([
                noExecute("node.kubernetes.io/unreachable", seconds),
                noExecute("node.kubernetes.io/not-ready", seconds),
                FORCE_IO_ERROR,
                LOST_QUORUM,
            ]);
        });

        it(`CSI controller (${seconds} s): the operator's HA tolerations plus the short NoExecute ones`, async () => {
            const spec = await specFor(seconds);
            const result = tolerationsAfterPodTemplate(operatorTolerations("csiController"), spec.csiController.podTemplate);
            expect(result).to.deep.equal([
                FORCE_IO_ERROR,
                LOST_QUORUM,
                noExecute("node.kubernetes.io/not-ready", seconds),
                noExecute("node.kubernetes.io/unreachable", seconds),
            ]);
        });
    }

    it("sets no LinstorCluster.spec.tolerations (they would reach the satellites and decide where satellites run)", async () => {
        const spec = await specFor(30);
        expect(spec).to.not.have.property("tolerations");
        expect(spec.highAvailabilityController.podTemplate.spec).to.not.have.property("tolerations");
    });
});
