/**
 * The components as a Pulumi component package (components/PulumiPlugin.yaml): the plugin's entry serves exactly the
 * five components, its package.json carries what `pulumi package add` installs, and Pulumi's own schema inference
 * (ComponentProvider.getSchema from @pulumi/pulumi provider/experimental: the TypeScript analyzer over
 * components/tsconfig.json, as `pulumi package get-schema` runs it) accepts every Args and output with the types
 * asserted here. Offline: no CLI, no engine. One inference takes about 10 s (two busy cores), so it runs once; the
 * plugin's answer is remembered by the content of components/ and the lockfile (support/pluginHost.ts), never under CI.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { expect } from "chai";
import * as yaml from "js-yaml";
import { HaJenkins } from "../../components/jenkins";
import { LinstorCluster } from "../../components/linstorCluster";
import { LinstorDbBackup } from "../../components/linstorDbBackup";
import { DrbdMonitoring } from "../../components/monitoring";
import { S3SnapshotShipping } from "../../components/snapshots";
import { dependsOn, one, outputValue, recorded, resetRecords, settle, useStack } from "../support/mocks";
import { cachedSchemaFromPlugin } from "../support/pluginHost";

const DIR = path.join(__dirname, "..", "..", "components");
const PKG = "ha-jenkins-eks";
const FIVE = [LinstorCluster, HaJenkins, S3SnapshotShipping, DrbdMonitoring, LinstorDbBackup];
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));

type Prop = { type?: string; $ref?: string; plain?: boolean; items?: Prop; additionalProperties?: Prop; description?: string };
type Resource = {
    isComponent: boolean;
    inputProperties: Record<string, Prop>;
    requiredInputs: string[];
    properties: Record<string, Prop>;
    required: string[];
};
interface Schema {
    name: string;
    resources: Record<string, Resource>;
    types: Record<string, { type: string; enum?: { name: string; value: string }[]; properties?: Record<string, Prop>; required?: string[] }>;
    dependencies: { name: string; version: string }[];
}

const typeRef = (name: string) => `#/types/${PKG}:index:${name}`;

describe("the component package (components/PulumiPlugin.yaml)", () => {
    let provider: ComponentProvider;
    let schema: Schema;
    const resource = (name: string) => schema.resources[`${PKG}:index:${name}`];
    const type = (name: string) => schema.types[`${PKG}:index:${name}`];
    const enumValues = (name: string) => type(name).enum?.map((m) => m.value);

    before(async function () {
        this.timeout(120_000);
        provider = new ComponentProvider({ components: FIVE, dirname: DIR, name: PKG });
        // The schema as a consumer's `pulumi package add` / `pulumi up` gets it: the plugin started by the language
        // host from the consumer's project directory (here an empty one: a Python or YAML project has no tsconfig.json).
        const consumer = fs.mkdtempSync(path.join(os.tmpdir(), "consumer-"));
        try {
            schema = JSON.parse(await cachedSchemaFromPlugin(DIR, consumer, 110_000));
        } finally {
            fs.rmSync(consumer, { recursive: true, force: true });
        }
        // `construct` infers the schema in this process first (ComponentProvider.construct: getSchema when it has no
        // component definitions yet): seconds of CPU, a multiple of that on a loaded machine. Done here, under this
        // hook's timeout, so the construct case below measures only the construction.
        await provider.getSchema();
    });

    describe("the plugin", () => {
        it("is a nodejs plugin whose package is named like the components' type tokens", () => {
            expect(yaml.load(fs.readFileSync(path.join(DIR, "PulumiPlugin.yaml"), "utf8"))).to.deep.equal({ runtime: "nodejs" });
            const pkg = readJson(path.join(DIR, "package.json"));
            expect(pkg.name).to.equal(PKG);
            // A JS entry that compiles the package with its own tsconfig.json, whatever the working directory; the
            // analyzer maps it to provider.ts (analyzer.js findProgramEntryPoint).
            expect(pkg.main).to.equal("provider.js");
            // Each component registers as `<package>:index:<Class>`, the token the engine constructs.
            expect(FIVE.map((c) => `${PKG}:index:${c.name}`).sort()).to.deep.equal(Object.keys(schema.resources).sort());
        });

        it("its entry exports the five components and no other ComponentResource (the host serves every one)", () => {
            // The nodejs host's discovery (cmd/run-plugin/run.js) applied to what `main` exports.
            const served = getPulumiComponents(require(path.join(DIR, "provider.ts"))).map((c) => c.name);
            expect(served.sort()).to.deep.equal(["DrbdMonitoring", "HaJenkins", "LinstorCluster", "LinstorDbBackup", "S3SnapshotShipping"]);
        });

        it("its package.json has every module the components import, at the program's versions, and the TypeScript toolchain", () => {
            // `pulumi package add` runs `npm install` in components/ alone (the root is no npm workspace).
            const deps: Record<string, string> = readJson(path.join(DIR, "package.json")).dependencies;
            const root = readJson(path.join(DIR, "..", "package.json"));
            const rootDeps: Record<string, string> = { ...root.dependencies, ...root.devDependencies };
            const sources = (dir: string): string[] =>
                fs
                    .readdirSync(dir, { withFileTypes: true })
                    .flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
            const imported = new Set(
                sources(DIR).flatMap((f) => [...fs.readFileSync(f, "utf8").matchAll(/from "((?:@[^/"]+\/)?[^./"][^/"]*)[^"]*"/g)].map((m) => m[1])),
            );
            expect([...imported].filter((m) => !m.startsWith("node:") && deps[m] === undefined)).to.deep.equal([]);
            // The plugin loads the TypeScript sources through ts-node (type-checked), with the types they need.
            for (const m of [...imported, "typescript", "ts-node", "@types/node"].filter((m) => !m.startsWith("node:"))) {
                expect(deps[m], m).to.equal(rootDeps[m]);
            }
        });
    });

    it("constructs a component as the engine asks the provider to: providers as a map, dependsOn, every output back", async () => {
        useStack("dev", { "aws:region": "us-west-2" });
        resetRecords();
        const kube = new k8s.Provider("package-k8s", { kubeconfig: "{}" });
        const ready = new k8s.core.v1.ConfigMap("package-ready", {}, { provider: kube });
        const inputs = { storageClassName: "linstor-csi-lvm-thin-r3", storageClassReplicas: 3 };
        // What provider/server.js hands construct: the inputs, and the options with `providers` keyed by package.
        const built = await provider.construct("pkg-jenkins", `${PKG}:index:HaJenkins`, inputs, {
            providers: { kubernetes: kube },
            dependsOn: [ready],
        });
        expect(Object.keys(built.state).sort()).to.deep.equal(Object.keys(resource("HaJenkins").properties).sort());
        expect(await outputValue(built.state.serviceName as never)).to.equal("jenkins");
        await settle();
        const release = one("kubernetes:helm.sh/v3:Release", "pkg-jenkins-release");
        for (const r of recorded.filter((r) => r.type.startsWith("kubernetes:") && r.name.startsWith("pkg-jenkins"))) {
            expect(r.provider, r.name).to.contain("pulumi:providers:kubernetes::package-k8s::");
        }
        expect(dependsOn(release, one("kubernetes:core/v1:ConfigMap", "package-ready"))).to.equal(true);
    });

    describe("the README's programs (Python and YAML)", () => {
        const readme = fs.readFileSync(path.join(DIR, "..", "README.md"), "utf8");
        const block = (lang: string) => readme.match(new RegExp(`\`\`\`${lang}\n([\\s\\S]*?)\`\`\``))?.[1] ?? "";
        const camel = (snake: string) => snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
        const expectValid = (type: string, given: string[]) => {
            const spec = schema.resources[type];
            expect(spec, type).to.not.equal(undefined);
            expect(
                given.filter((k) => !(k in spec.inputProperties)),
                `${type}: unknown inputs`,
            ).to.deep.equal([]);
            expect(
                spec.requiredInputs.filter((k) => !given.includes(k)),
                `${type}: missing inputs`,
            ).to.deep.equal([]);
        };

        it("YAML: every component gets its required inputs and no others; Jenkins the provider built from kubeconfig", () => {
            type YamlResource = { type: string; properties: Record<string, unknown>; options?: { providers?: string[] } };
            const program = yaml.load(block("yaml")) as { resources: Record<string, YamlResource> };
            const ours = Object.values(program.resources).filter((r) => r.type.startsWith(`${PKG}:index:`));
            expect(ours.map((r) => r.type)).to.include.members([`${PKG}:index:LinstorCluster`, `${PKG}:index:HaJenkins`]);
            for (const r of ours) expectValid(r.type, Object.keys(r.properties));
            const jenkins = ours.find((r) => r.type.endsWith(":HaJenkins")) as YamlResource;
            const provider = program.resources[(jenkins.options?.providers?.[0] ?? "").replace(/^\$\{(.*)\}$/, "$1")];
            expect(provider?.type).to.equal("pulumi:providers:kubernetes");
            expect(provider.properties.kubeconfig).to.match(/^\$\{\w+\.kubeconfig\}$/);
        });

        it("Python: every component call passes its required inputs (snake_case) and no others, the provider in opts", () => {
            const py = block("python");
            const calls = [...py.matchAll(/hje\.(\w+)\(("[^"]*",[\s\S]*?)\)\n(?=\S|$)/g)];
            expect(calls.map((c) => c[1])).to.include.members(["LinstorCluster", "HaJenkins"]);
            for (const [, component, args] of calls) {
                const kwargs = args.replace(/opts=pulumi\.ResourceOptions\([^)]*\)/, "");
                expectValid(
                    `${PKG}:index:${component}`,
                    [...kwargs.matchAll(/(\w+)=/g)].map((m) => camel(m[1])),
                );
            }
            expect(py).to.match(/k8s\.Provider\([^)]*kubeconfig=\w+\.kubeconfig/);
            expect(py).to.match(/hje\.HaJenkins\([\s\S]*opts=pulumi\.ResourceOptions\(providers=\[\w+\]/);
        });
    });

    describe("the inferred schema", () => {
        it("lists the five components and nothing but plain data: no Any, no provider objects, every type defined", () => {
            expect(Object.keys(schema.resources).sort()).to.deep.equal(
                ["DrbdMonitoring", "HaJenkins", "LinstorCluster", "LinstorDbBackup", "S3SnapshotShipping"].map((c) => `${PKG}:index:${c}`),
            );
            for (const r of Object.values(schema.resources)) expect(r.isComponent).to.equal(true);
            const refs = [...JSON.stringify(schema).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]);
            // Mapped types (Partial<…>, Omit<…>) reach the analyzer as Any; provider classes as a bogus resource.
            expect(refs.filter((r) => r.includes("pulumi.json#/Any"))).to.deep.equal([]);
            expect(refs.filter((r) => /#\/resources\/(kubernetes|aws)$/.test(r))).to.deep.equal([]);
            const local = refs.filter((r) => r.startsWith("#/types/")).map((r) => r.slice("#/types/".length));
            expect(local.filter((t) => schema.types[t] === undefined)).to.deep.equal([]);
            expect(schema.dependencies).to.deep.include({ name: "kubernetes", version: "4.34.2" });
        });

        it("LinstorCluster: its settings with their types, the defaulted ones optional; kubeconfig and class names out, no provider", () => {
            const r = resource("LinstorCluster");
            const inp = r.inputProperties;
            expect(inp.namePrefix).to.include({ type: "string", plain: true });
            expect(inp.availabilityZones).to.deep.include({ type: "array", items: { type: "string", plain: true } });
            expect(inp.nodesPerAz).to.include({ type: "number" });
            expect(inp.dataVolumeType.$ref).to.equal(typeRef("EbsVolumeType"));
            expect(enumValues("EbsVolumeType")).to.deep.equal(["gp3", "gp2", "io1", "io2"]);
            expect(enumValues("LinstorDistribution")).to.deep.equal(["piraeus", "linbit"]);
            expect(enumValues("SatelliteDeletionPolicy")).to.deep.equal(["Evacuate", "Retain", "Delete"]);
            expect(inp.tags).to.deep.include({ type: "object", additionalProperties: { type: "string", plain: true } });
            // A secret may arrive as an Output: not plain.
            expect(inp.drbdIoPassword).to.deep.include({ type: "string" }).and.not.have.property("plain");
            expect(inp.nodesPerAz.description).to.contain("Default 1");
            expect(r.requiredInputs.sort()).to.deep.equal(
                [
                    "apiPrivateAccessCidrs",
                    "apiPrivateAccessSecurityGroupIds",
                    "apiPublicAccessCidrs",
                    "availabilityZones",
                    "clusterAdminRoleArns",
                    "namePrefix",
                    "region",
                    "tags",
                ].sort(),
            );
            expect(r.properties.kubeconfig).to.deep.include({ type: "string" });
            expect(r.properties.storageClassNames).to.deep.include({ type: "object", additionalProperties: { type: "string" } });
            expect(r.properties).to.include.keys("clusterName", "linstorNamespace", "passphraseSecretName", "vpcId", "linstorCsiVersion");
            expect(r.properties).to.not.have.any.keys("provider", "storageReady");
        });

        it("HaJenkins: every setting optional, placement required, the enums; the claim as a Kubernetes resource", () => {
            const r = resource("HaJenkins");
            expect(r.requiredInputs.sort()).to.deep.equal(["storageClassName", "storageClassReplicas"]);
            expect(r.inputProperties.serviceType.$ref).to.equal(typeRef("ServiceType"));
            expect(enumValues("ServiceType")).to.deep.equal(["ClusterIP", "LoadBalancer"]);
            expect(type("LoadBalancerController").enum).to.deep.include({ name: "AwsLoadBalancerController", value: "aws-load-balancer-controller" });
            expect(enumValues("PluginSource")).to.deep.equal(["install-once", "image"]);
            expect(r.inputProperties.plugins).to.deep.include({ type: "array", items: { type: "string", plain: true } });
            expect(r.inputProperties.adminPassword).to.deep.include({ type: "string" }).and.not.have.property("plain");
            expect(r.inputProperties).to.not.have.any.keys("dependsOn", "keyOf");
            expect(r.properties.url).to.deep.include({ type: "string" });
            expect(r.required).to.include.members(["url", "adminPassword", "pvcName", "serviceName"]);
            expect(r.properties.pvc.$ref).to.equal("/kubernetes/v4.34.2/schema.json#/resources/kubernetes:core%2Fv1:PersistentVolumeClaim");
            expect(r.properties).to.not.have.property("settings");
        });

        it("S3SnapshotShipping: the bucket as create-or-existing data, nested types and enums; no providers or handles", () => {
            const r = resource("S3SnapshotShipping");
            expect(r.requiredInputs).to.include.members([
                "bucket",
                "clusterRegion",
                "linstorNamespace",
                "namePrefix",
                "passphraseSecretName",
                "tags",
            ]);
            expect(r.requiredInputs).to.not.include("snapshotSchedule");
            expect(r.inputProperties.bucket.$ref).to.equal(typeRef("BucketSourceInput"));
            const source = type("BucketSourceInput");
            expect(source.properties?.create.$ref).to.equal(typeRef("CreateBucketInput"));
            expect(source.properties?.existing.$ref).to.equal(typeRef("ExistingBucket"));
            expect(source.required).to.deep.equal([]);
            const create = type("CreateBucketInput");
            expect(create.required).to.deep.equal(["region"]);
            expect(create.properties?.objectLock.$ref).to.equal(typeRef("ObjectLockSettings"));
            expect(type("ObjectLockSettings").properties?.mode.$ref).to.equal(typeRef("ObjectLockMode"));
            expect(enumValues("ObjectLockMode")).to.deep.equal(["GOVERNANCE", "COMPLIANCE"]);
            expect(create.properties?.prefixRules).to.deep.include({ type: "array" });
            expect(enumValues("BucketAccess")).to.deep.equal(["readWrite", "restoreOnly"]);
            expect(r.inputProperties.jenkins.$ref).to.equal(typeRef("JenkinsVolume"));
            expect(type("JenkinsVolume").properties?.claimUid).to.deep.include({ type: "string" });
            expect(r.inputProperties).to.not.have.any.keys("k8sProvider", "bucketProvider", "storageReady", "keyOf");
            expect(r.properties.snapshotClassParameters).to.deep.include({ type: "object", additionalProperties: { type: "string" } });
            expect(r.properties.watchedSchedule.$ref).to.equal(typeRef("ScheduledJob"));
            expect(r.properties).to.include.keys("bucketName", "bucketArn", "kmsKeyArn", "currentAccessKeyId", "latestSnapshotHandle");
            expect(r.properties).to.not.have.any.keys("snapshotClass", "restore", "remoteReady");
        });

        it("describes every output of the five components (what an SDK user reads in the generated docs)", () => {
            const bare = Object.entries(schema.resources).flatMap(([token, r]) =>
                Object.entries(r.properties)
                    .filter(([, p]) => !p.description)
                    .map(([name]) => `${token.split(":")[2]}.${name}`),
            );
            expect(bare).to.deep.equal([]);
        });

        it("DrbdMonitoring: class names by replica count, the watched schedules, the Services to port-forward to", () => {
            const r = resource("DrbdMonitoring");
            expect(r.requiredInputs.sort()).to.deep.equal(["grafanaLoadBalancerSourceRanges", "linstorNamespace", "namePrefix", "storageClassNames"]);
            expect(r.inputProperties.storageClassNames).to.deep.include({ type: "object", additionalProperties: { type: "string", plain: true } });
            // Its own type: ScheduledJob is first met as an output (LinstorDbBackup.watchedSchedule), without `plain`.
            expect(r.inputProperties.schedules).to.deep.include({ type: "array", items: { $ref: typeRef("WatchedScheduleInput"), plain: true } });
            for (const field of Object.values(type("WatchedScheduleInput").properties ?? {})) expect(field.plain).to.equal(true);
            expect(type("WatchedScheduleInput").properties?.intervalSeconds).to.deep.include({ type: "number", plain: true });
            expect(r.inputProperties.jenkins.$ref).to.equal(typeRef("JenkinsScrapeArgs"));
            expect(enumValues("GrafanaServiceType")).to.deep.equal(["ClusterIP", "LoadBalancer"]);
            expect(r.inputProperties.alertSlackWebhookUrl).to.not.have.property("plain");
            expect(r.inputProperties).to.not.have.any.keys("dependsOn", "keyOf");
            expect(r.properties.services.$ref).to.equal(typeRef("MonitoringServices"));
            expect(type("MonitoringServices").properties?.grafana.$ref).to.equal(typeRef("ServicePort"));
            expect(type("ServicePort").properties?.port).to.deep.include({ type: "number" });
            expect(r.properties).to.not.have.property("ready");
        });

        it("LinstorDbBackup: the bucket's coordinates (outputs of S3SnapshotShipping may feed them), its schedule out", () => {
            const r = resource("LinstorDbBackup");
            expect(r.requiredInputs.sort()).to.deep.equal(["bucket", "clusterName", "linstorNamespace", "namePrefix", "passphraseSecretName"]);
            const bucket = type("LinstorDbBackupBucket");
            expect(bucket.properties?.name).to.deep.include({ type: "string" }).and.not.have.property("plain");
            expect(bucket.properties?.region).to.include({ type: "string", plain: true });
            expect(r.inputProperties.linstorDbBackupRetentionDays).to.deep.include({ type: "number", plain: true });
            expect(r.inputProperties).to.not.have.any.keys("k8sProvider", "storageReady", "keyOf");
            expect(r.properties.location).to.deep.include({ type: "string" });
            expect(r.properties.watchedSchedule.$ref).to.equal(typeRef("ScheduledJob"));
        });
    });
});
