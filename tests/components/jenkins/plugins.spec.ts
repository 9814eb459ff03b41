/**
 * Plugins installed once into JENKINS_HOME, or baked into the image: pod starts in a sandbox that behaves like chart
 * jenkins-5.9.53 (templates/config.yaml apply_config.sh, templates/jenkins-controller-statefulset.yaml) and image
 * jenkins/jenkins:2.568.2 (jenkins.sh, jenkins-support copy_reference_file) — tests/support/fakes/jenkinsPodStart.ts.
 * "online" = the update center is reachable; a fail-over must work offline.
 */

import * as fs from "node:fs";
import { expect } from "chai";
import { GATE_CONTAINER, imagePluginContract, pluginFingerprint, pluginList, requiredPlugins } from "../../../components/jenkins/plugins";
import { type JenkinsSettings, validateJenkinsSettings, withJenkinsDefaults } from "../../../components/jenkins/settings";
import { jenkinsValues } from "../../../components/jenkins/values";
import { ConfigError } from "../../../components/shared/errors";
import { newSandbox, startPod } from "../../support/fakes/jenkinsPodStart";
import { thrown } from "../../support/fixtures";

const key = (f: string) => `T.${f}`;
const BAKED: Partial<JenkinsSettings> = {
    pluginSource: "image",
    imageRegistry: "registry.example.com",
    imageRepository: "ci/jenkins",
    imageTag: "2.568.2-jdk21-p1",
};

function values(overrides: Partial<JenkinsSettings> = {}, monitoringEnabled = false): any {
    const s = withJenkinsDefaults(overrides);
    validateJenkinsSettings(s, key);
    return jenkinsValues({ settings: s, claimName: "jenkins-home", adminSecretName: "admin", monitoringEnabled });
}
const gate = (v: any) => v.controller.customInitContainers.find((c: any) => c.name === GATE_CONTAINER);
const env = (v: any, name: string) => gate(v).env.find((e: any) => e.name === name)?.value;
/** The chart's values before this change: every start installs (initializeOnce false), no gate. */
function everyStartValues(overrides: Partial<JenkinsSettings> = {}): any {
    const v = values(overrides);
    v.controller.initializeOnce = false;
    v.controller.overwritePlugins = false;
    delete v.controller.customInitContainers;
    return v;
}
const DEFAULT_PINS = {
    "configuration-as-code": "2115.vf6de120eef70",
    git: "5.10.1",
    kubernetes: "4540.v612369217f87",
    "workflow-aggregator": "608.v67378e9d3db_1",
};
// One dependency the update center resolves, so "everything" includes plugins nobody listed.
const DEPENDENCIES = { git: ["git-client:6.4.0"] };

describe("Jenkins plugins: installed once, or baked into the image", () => {
    describe("the chart values", () => {
        it("install once: the chart's initializeOnce, a replacing install, JCasC through the reload sidecar, and our gate first", () => {
            const c = values().controller;
            expect(c).to.deep.include({ initializeOnce: true, overwritePlugins: true, overwritePluginsFromImage: true, installLatestPlugins: false });
            // apply_config.sh copies JCasC only without configAutoReload, and initializeOnce skips that script.
            expect(c.sidecars.configAutoReload.enabled).to.equal(true);
            expect(c.customInitContainers).to.have.length(1);
            const g = gate(values());
            expect(g.image).to.equal("docker.io/jenkins/jenkins:2.568.2-jdk21");
            expect(g.command.slice(0, 2)).to.deep.equal(["sh", "-c"]);
            expect(g.command[2]).to.not.contain("{{"); // the chart passes customInitContainers through `tpl`
            expect(g.volumeMounts).to.deep.equal([{ name: "jenkins-home", mountPath: "/var/jenkins_home" }]);
            expect(g.securityContext).to.include({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
            expect(env(values(), "IMAGE_PLUGINS")).to.equal(undefined);
        });

        it("always installs the plugins the program needs, at the chart's pins unless the list pins them", () => {
            expect(requiredPlugins(false)).to.deep.equal(["configuration-as-code", "kubernetes"]);
            expect(values({ plugins: ["git:5.10.1"] }).controller.installPlugins).to.deep.equal([
                "git:5.10.1",
                "configuration-as-code:2115.vf6de120eef70",
                "kubernetes:4540.v612369217f87",
            ]);
            expect(values({ plugins: ["kubernetes:4500.v1"] }, true).controller.installPlugins).to.deep.equal([
                "kubernetes:4500.v1",
                "configuration-as-code:2115.vf6de120eef70",
                "prometheus:852.v317db_5d17a_b_0",
            ]);
            expect(pluginList(withJenkinsDefaults({}), false)).to.have.length(4);
        });

        it("the fingerprint follows the plugin set and the image, and nothing else", () => {
            const fp = (o: Partial<JenkinsSettings> = {}, monitoring = false) => env(values(o, monitoring), "FINGERPRINT");
            expect(fp()).to.match(/^[0-9a-f]{64}$/);
            expect(fp({ cpuRequest: "1", tolerationSeconds: 10, cascConfigScripts: { a: "jenkins: {}" } })).to.equal(fp());
            // Order does not matter; a version, a plugin, monitoring (the prometheus plugin) or the image does.
            expect(fp({ plugins: [...withJenkinsDefaults({}).plugins].reverse() })).to.equal(fp());
            for (const changed of [fp({ plugins: ["git:5.9.0"] }), fp({}, true), fp({ imageTag: "2.568.3-jdk21" })])
                expect(changed).to.not.equal(fp());
            expect(pluginFingerprint("image", "x", ["a:1"])).to.not.equal(pluginFingerprint("install-once", "x", ["a:1"]));
        });

        it("a baked image: installPlugins false (nothing mounted over the image's ref/plugins), the image's plugins checked by name and pin", () => {
            const v = values(BAKED, true);
            expect(v.controller.installPlugins).to.equal(false);
            expect(v.controller.initializeOnce).to.equal(true);
            expect(gate(v).image).to.equal("registry.example.com/ci/jenkins:2.568.2-jdk21-p1");
            expect(env(v, "IMAGE_PLUGINS")).to.equal(
                "kubernetes:4540.v612369217f87 workflow-aggregator:608.v67378e9d3db_1 git:5.10.1 configuration-as-code:2115.vf6de120eef70 prometheus",
            );
            expect(imagePluginContract(withJenkinsDefaults({ plugins: [] }), false)).to.deep.equal(["configuration-as-code", "kubernetes"]);
        });

        it("refuses a baked-image source on the stock image, and an unknown source, naming the field", () => {
            const stock = thrown(() => values({ pluginSource: "image" }));
            expect(stock).to.be.instanceOf(ConfigError);
            expect(stock.message).to.match(/T\.pluginSource.*stock jenkins\/jenkins image has no plugins baked in.*T\.imageRepository/s);
            expect(thrown(() => values({ pluginSource: "every-start" as never })).message).to.match(/T\.pluginSource/);
        });
    });

    describe("install once (the default)", () => {
        it("first start downloads the list and its dependencies once; every later start — a fail-over — downloads nothing and works offline", () => {
            const sb = newSandbox({ dependencies: DEPENDENCIES });
            const v = values();
            const first = startPod(sb, v, { online: true });
            expect(first.jenkinsStarted).to.equal(true);
            expect(first.downloads).to.have.members([...v.controller.installPlugins, "git-client:6.4.0"]);
            expect(first.plugins).to.deep.equal({ ...DEFAULT_PINS, "git-client": "6.4.0" });
            for (let i = 0; i < 3; i++) {
                const failover = startPod(sb, v, { online: false });
                expect(failover.jenkinsStarted, failover.steps.map((s) => s.out).join("\n")).to.equal(true);
                expect(failover.downloads).to.deep.equal([]);
                expect(failover.plugins).to.deep.equal(first.plugins);
                expect(failover.steps.find((s) => s.name === "init")!.out).to.contain(
                    "controller was previously initialized, refusing to re-initialize",
                );
            }
        });

        it("the chart's old behaviour, for contrast: every start downloads, so a fail-over without the update center never starts Jenkins", () => {
            const sb = newSandbox();
            expect(startPod(sb, everyStartValues(), { online: true }).jenkinsStarted).to.equal(true);
            const failover = startPod(sb, everyStartValues(), { online: false });
            expect(failover.jenkinsStarted).to.equal(false);
            expect(failover.steps.find((s) => s.name === "init")!.out).to.contain("UnknownHostException: updates.jenkins.io");
        });

        it("a changed list is applied on the next start: new versions, removed plugins gone (no leftovers, downgrades too), then offline again", () => {
            const sb = newSandbox({ dependencies: DEPENDENCIES });
            startPod(sb, values(), { online: true });
            const changed = values({
                plugins: ["kubernetes:4540.v612369217f87", "configuration-as-code:2115.vf6de120eef70", "git:5.9.0", "matrix-auth:3.2.6"],
            });
            const upgrade = startPod(sb, changed, { online: true });
            expect(upgrade.jenkinsStarted).to.equal(true);
            expect(upgrade.steps[0].out).to.contain("the chart's initialization runs once");
            // git downgraded to the pin (copy_reference_file alone would keep the newer 5.10.1); workflow-aggregator removed.
            expect(upgrade.plugins).to.deep.equal({
                "configuration-as-code": "2115.vf6de120eef70",
                git: "5.9.0",
                "git-client": "6.4.0",
                kubernetes: "4540.v612369217f87",
                "matrix-auth": "3.2.6",
            });
            const failover = startPod(sb, changed, { online: false });
            expect(failover.jenkinsStarted).to.equal(true);
            expect(failover.downloads).to.deep.equal([]);
            expect(failover.plugins).to.deep.equal(upgrade.plugins);
        });

        it("a new image (another jenkins.war) installs once more; JCasC changes never need it: the reload init container brings them on every start", () => {
            const sb = newSandbox();
            startPod(sb, values(), { online: true });
            const jcasc = values({ cascConfigScripts: { welcome: "jenkins:\n  systemMessage: hi" } });
            const offline = startPod(sb, jcasc, { online: false });
            expect(offline.jenkinsStarted).to.equal(true);
            expect(offline.casc["welcome.yaml"]).to.equal("jenkins:\n  systemMessage: hi");
            const newImage = startPod(sb, values({ imageTag: "2.568.3-jdk21" }), { online: true });
            expect(newImage.downloads).to.have.length(4);
            expect(newImage.steps.find((s) => s.name === "init")!.out).to.not.contain("refusing to re-initialize");
        });

        it("why JCasC must come from the reload sidecar: with it off, initializeOnce would keep the first start's JCasC forever", () => {
            const sb = newSandbox();
            const off = (o: Partial<JenkinsSettings>) => {
                const v = values(o);
                v.controller.sidecars.configAutoReload.enabled = false;
                return v;
            };
            startPod(sb, off({ cascConfigScripts: { welcome: "jenkins:\n  systemMessage: one" } }), { online: true });
            const second = startPod(sb, off({ cascConfigScripts: { welcome: "jenkins:\n  systemMessage: two" } }), { online: false });
            expect(second.casc["welcome.yaml"]).to.equal("jenkins:\n  systemMessage: one");
        });

        it("a changed list while the update center is unreachable: the start fails loudly (Helm's wait fails the update), and the next online start completes it", () => {
            const sb = newSandbox();
            startPod(sb, values(), { online: true });
            const changed = values({ plugins: ["git:5.9.0"] });
            const blocked = startPod(sb, changed, { online: false });
            expect(blocked.jenkinsStarted).to.equal(false);
            expect(blocked.steps.find((s) => s.name === "init")!.code).to.not.equal(0);
            // Still not installed: a second offline start tries again instead of starting a half-installed Jenkins.
            expect(startPod(sb, changed, { online: false }).jenkinsStarted).to.equal(false);
            const fixed = startPod(sb, changed, { online: true });
            expect(fixed.jenkinsStarted).to.equal(true);
            expect(fixed.plugins.git).to.equal("5.9.0");
            expect(startPod(sb, changed, { online: false }).jenkinsStarted).to.equal(true);
        });

        for (const [when, kill] of [
            ["after the chart's init wrote its marker, before any plugin reached JENKINS_HOME", { killAfterInit: true }],
            ["half-way through the entrypoint's copy", { killAfterFiles: 2 }],
        ] as const) {
            it(`a pod killed ${when} never leaves a marker that skips a missing install`, () => {
                const sb = newSandbox({ dependencies: DEPENDENCIES });
                const v = values();
                const killed = startPod(sb, v, { online: true, ...kill });
                expect(killed.jenkinsStarted).to.equal(false);
                expect(Object.keys(killed.plugins).length).to.be.lessThan(5);
                // The chart alone would now skip its init for good (its marker exists) and start Jenkins without plugins.
                // The gate sees that no copy finished since it asked for the install, and asks again.
                const offline = startPod(sb, v, { online: false });
                expect(offline.jenkinsStarted).to.equal(false);
                expect(offline.steps[0].out).to.contain("the chart's initialization runs once");
                const online = startPod(sb, v, { online: true });
                expect(online.jenkinsStarted).to.equal(true);
                expect(online.plugins).to.deep.equal({ ...DEFAULT_PINS, "git-client": "6.4.0" });
                expect(startPod(sb, v, { online: false }).jenkinsStarted).to.equal(true);
            });
        }

        it("a JENKINS_HOME from before this change (plugins, no marker, no state) installs once more, then never again", () => {
            const sb = newSandbox();
            expect(startPod(sb, everyStartValues(), { online: true }).jenkinsStarted).to.equal(true);
            const migrated = startPod(sb, values(), { online: true });
            expect(migrated.downloads).to.have.length(4);
            expect(startPod(sb, values(), { online: false }).jenkinsStarted).to.equal(true);
        });

        it("a JENKINS_HOME restored from a snapshot (DR) brings its plugins and state: the same settings download nothing", () => {
            const primary = newSandbox();
            startPod(primary, values(), { online: true });
            const dr = newSandbox();
            fs.cpSync(primary.home, dr.home, { recursive: true });
            const restored = startPod(dr, values(), { online: false });
            expect(restored.jenkinsStarted).to.equal(true);
            expect(restored.plugins).to.deep.equal(DEFAULT_PINS);
        });
    });

    describe("baked into the image", () => {
        const IMAGE_PLUGINS = { ...DEFAULT_PINS, prometheus: "852.v317db_5d17a_b_0", "git-client": "6.4.0" };

        it("never downloads, not even on the first start; the image's plugins reach JENKINS_HOME through its entrypoint", () => {
            const sb = newSandbox({ imagePlugins: IMAGE_PLUGINS });
            for (const online of [false, false]) {
                const start = startPod(sb, values(BAKED, true), { online });
                expect(start.jenkinsStarted, start.steps.map((s) => s.out).join("\n")).to.equal(true);
                expect(start.downloads).to.deep.equal([]);
                expect(start.plugins).to.deep.equal(IMAGE_PLUGINS);
            }
        });

        it("refuses to start an image that lacks a required plugin or a listed pin, naming them", () => {
            const { kubernetes: _k, ...noKubernetes } = IMAGE_PLUGINS;
            const missing = startPod(newSandbox({ imagePlugins: noKubernetes }), values(BAKED, true), { online: true });
            expect(missing.jenkinsStarted).to.equal(false);
            expect(missing.steps[0].code).to.equal(1);
            expect(missing.steps[0].out).to.match(/lacks plugins it must carry in \S+: kubernetes$/m);
            const older = startPod(newSandbox({ imagePlugins: { ...IMAGE_PLUGINS, git: "5.9.0" } }), values(BAKED, true), { online: true });
            expect(older.steps[0].out).to.contain("git:5.10.1(image has 5.9.0)");
            // A required plugin the list does not pin is checked by name only: its version is the image's business.
            const own = startPod(newSandbox({ imagePlugins: { ...IMAGE_PLUGINS, prometheus: "819.v50953a_c560dd" } }), values(BAKED, true), {
                online: true,
            });
            expect(own.jenkinsStarted).to.equal(true);
            const noPrometheus = startPod(newSandbox({ imagePlugins: { ...DEFAULT_PINS } }), values(BAKED, true), { online: true });
            expect(noPrometheus.steps[0].out).to.match(/must carry in \S+: prometheus$/m);
        });

        it("a new image replaces the plugins with exactly the image's (a plugin dropped from the image does not linger)", () => {
            const sb = newSandbox({ imagePlugins: { ...IMAGE_PLUGINS, "matrix-auth": "3.2.6" } });
            startPod(sb, values(BAKED, true), { online: false });
            fs.rmSync(`${sb.imageRef}/plugins/matrix-auth.jpi`);
            const next = startPod(sb, values({ ...BAKED, imageTag: "2.568.2-jdk21-p2" }, true), { online: false });
            expect(next.jenkinsStarted).to.equal(true);
            expect(next.plugins).to.deep.equal(IMAGE_PLUGINS);
        });
    });
});
