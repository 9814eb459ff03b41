/**
 * Without a Kubernetes provider in their options the four Kubernetes components would deploy through the default
 * provider, i.e. the ambient kubeconfig's cluster; they refuse before registering anything (componentOptions.ts).
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { HaJenkins } from "../../../components/jenkins";
import { LinstorDbBackup } from "../../../components/linstorDbBackup";
import { DrbdMonitoring } from "../../../components/monitoring";
import { providesPackage } from "../../../components/shared/componentOptions";
import { ConfigError } from "../../../components/shared/errors";
import { S3SnapshotShipping } from "../../../components/snapshots";
import { thrown } from "../../support/fixtures";
import { recorded, resetRecords, settle } from "../../support/mocks";
import { SC } from "../jenkins/fixtures";
import { args as backupArgs } from "../linstorDbBackup/fixtures";
import { args as monitoringArgs } from "../monitoring/fixtures";
import { args as snapshotArgs } from "../snapshots/fixtures";

const COMPONENTS: [string, (opts?: pulumi.ComponentResourceOptions) => unknown][] = [
    ["HaJenkins", (opts) => new HaJenkins("x", { storageClassName: SC, storageClassReplicas: 3 }, opts)],
    ["S3SnapshotShipping", (opts) => new S3SnapshotShipping("x", snapshotArgs(), opts)],
    ["DrbdMonitoring", (opts) => new DrbdMonitoring("x", monitoringArgs(), opts)],
    ["LinstorDbBackup", (opts) => new LinstorDbBackup("x", backupArgs(), opts)],
];

describe("the Kubernetes components without a Kubernetes provider", () => {
    for (const [name, build] of COMPONENTS) {
        it(`${name}: refuses (naming the option and what was given) and registers nothing`, async () => {
            const awsOnly = new aws.Provider("no-k8s-aws", { region: "us-west-2" });
            await settle();
            resetRecords();
            for (const opts of [undefined, {}, { providers: [awsOnly] }, { provider: awsOnly }]) {
                const e = thrown(() => build(opts));
                expect(e).to.be.instanceOf(ConfigError);
                expect((e as ConfigError).key).to.equal(`${name} resource option providers`);
                expect(e.message).to.contain("Pass a Kubernetes provider in `providers`");
                expect(e.message).to.contain(opts === undefined || Object.keys(opts).length === 0 ? ": []" : '["aws"]');
            }
            await settle();
            expect(recorded.map((r) => r.type)).to.deep.equal([]);
        });
    }

    it("accepts one in provider, in providers as a list or as construct's map, or held by the parent", () => {
        const kube = new k8s.Provider("with-k8s", { kubeconfig: "{}" });
        const awsProvider = new aws.Provider("with-aws", { region: "us-west-2" });
        const parent = new pulumi.ComponentResource("test:index:Parent", "with-parent", {}, { providers: [kube] });
        const bare = new pulumi.ComponentResource("test:index:Parent", "bare-parent", {});
        expect(providesPackage({ provider: kube }, "kubernetes")).to.equal(true);
        expect(providesPackage({ providers: [awsProvider, kube] }, "kubernetes")).to.equal(true);
        expect(providesPackage({ providers: { kubernetes: kube } }, "kubernetes")).to.equal(true);
        expect(providesPackage({ parent }, "kubernetes")).to.equal(true);
        expect(providesPackage({ parent: bare }, "kubernetes")).to.equal(false);
        expect(providesPackage({ providers: { aws: awsProvider } }, "kubernetes")).to.equal(false);
    });
});
