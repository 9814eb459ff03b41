/** What the HaJenkins component specs share: a fresh component under the shared mock, the options its children saw. */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { HaJenkins, type HaJenkinsArgs } from "../../../components/jenkins";
import { one, outputValue, resetRecords, settle } from "../../support/mocks";

export const RELEASE = "kubernetes:helm.sh/v3:Release";
export const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
export const SECRET = "kubernetes:core/v1:Secret";
export const SERVICE = "kubernetes:core/v1:Service";
export const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
export const SC = "linstor-csi-lvm-thin-r3";
export const ARN = "arn:aws:acm:us-west-2:123456789012:certificate/12345678-90ab-cdef-1234-567890abcdef";
export const LB: Partial<HaJenkinsArgs> = { serviceType: "LoadBalancer", loadBalancerSourceRanges: ["10.0.0.0/16"] };

/** Resource options as the SDK saw them (mocks receive no `protect`), captured by a transformation; reset by `build`. */
export const seenOpts: Record<string, pulumi.CustomResourceOptions> = {};

/** A fresh HaJenkins on the 3-replica class under the shared mock, its registrations settled. */
export async function build(overrides: Partial<HaJenkinsArgs> = {}, extraOpts: pulumi.ComponentResourceOptions = {}) {
    resetRecords();
    for (const name of Object.keys(seenOpts)) delete seenOpts[name];
    const provider = new k8s.Provider("test-k8s", { kubeconfig: "{}" });
    const jenkins = new HaJenkins(
        "hje-test-jenkins",
        { storageClassName: SC, storageClassReplicas: 3, ...overrides },
        {
            provider,
            transformations: [
                (a) => {
                    seenOpts[a.name] = a.opts;
                    return undefined;
                },
            ],
            ...extraOpts,
        },
    );
    await outputValue(jenkins.url);
    await settle();
    return jenkins;
}

export const release = () => one(RELEASE);
export const values = () => release().inputs.values;
