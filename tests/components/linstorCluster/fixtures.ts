/** What the LinstorCluster component specs share: a fresh component under the shared mock, its node user data. */
import { LinstorCluster } from "../../../components/linstorCluster";
import type { LinstorClusterSettings } from "../../../components/linstorCluster/settings";
import { clusterSettings } from "../../support/fixtures";
import { one, outputValue, resetRecords, settle } from "../../support/mocks";

/** Existing private subnets, one per AZ of the default settings. */
export const SUBNETS = ["subnet-0aaaa000000000001", "subnet-0aaaa000000000002", "subnet-0aaaa000000000003"];

/** A fresh LinstorCluster with the documented defaults and `overrides`, its registrations settled. */
export async function build(overrides: Partial<LinstorClusterSettings> = {}) {
    resetRecords();
    const cluster = new LinstorCluster("hje-test", clusterSettings(overrides));
    await outputValue(cluster.clusterName);
    await settle();
    return cluster;
}

/** The storage nodes' launch template user data, decoded. */
export function decodedUserData(): string {
    const lt = one("aws:ec2/launchTemplate:LaunchTemplate");
    return Buffer.from(lt.inputs.userData, "base64").toString("utf8");
}
