/**
 * A Jenkins controller pod start in a sandbox, step by step as the pinned chart and image do it, driven by the Helm
 * values HaJenkins renders. JENKINS_HOME is a directory that survives starts (the PVC); every start gets fresh
 * emptyDirs. What runs, in the chart's order (jenkinsci/helm-charts charts/jenkins at tag jenkins-5.9.53,
 * templates/jenkins-controller-statefulset.yaml):
 *
 * 1. `customInitContainers`: the real commands from the values, under dash (the image's /bin/sh), with only
 *    JENKINS_HOME mounted (asserted) and the image's own /usr/share/jenkins/ref.
 * 2. `config-reload-init` when `sidecars.configAutoReload.enabled`: writes the JCasC documents of the current values
 *    into the `sc-config-volume` emptyDir mounted over JENKINS_HOME/casc_configs (the real one lists the ConfigMaps).
 * 3. `init`: `apply_config.sh` rendered from templates/config.yaml for the values (renderApplyConfig below keeps the
 *    template's blocks and conditions), run under dash; its `$REF/plugins` is the `plugins` emptyDir when
 *    `installPlugins` and `overwritePluginsFromImage`, and `/var/jenkins_plugins` is the `plugin-dir` emptyDir.
 *    `jenkins-plugin-cli` is a stub that "downloads" from a local update center, or fails like a node without
 *    internet (UnknownHostException) — and logs every download.
 * 4. The controller container's entrypoint (jenkinsci/docker tag 2.568.2, `jenkins.sh` + `jenkins-support`
 *    copy_reference_file): copies `$REF` into JENKINS_HOME — `$REF/plugins` is `plugin-dir` when `installPlugins`,
 *    else the image's — a plugin when it is missing or the image's is newer, with the `--- Copying files at` /
 *    `--- Copied files finished at` lines in copy_reference_file.log. A pod can be killed after the init or in the
 *    middle of this copy.
 *
 * A plugin archive here is its manifest as text; `unzip -p <jpi> META-INF/MANIFEST.MF` is a stub that prints it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { JENKINS_HOME_PATH, JENKINS_REF_PATH } from "../../../components/jenkins/plugins";

export const JENKINS_VERSION = "2.568.2";

export interface Sandbox {
    readonly root: string;
    /** The JENKINS_HOME volume: survives pod starts. */
    readonly home: string;
    /** The image's /usr/share/jenkins/ref (with `plugins/` when the image has plugins baked in). */
    readonly imageRef: string;
    readonly war: string;
    readonly bin: string;
    readonly downloadLog: string;
    /** Dependencies jenkins-plugin-cli resolves from the update center: name → `name:version` it pulls in. */
    readonly dependencies: Record<string, string[]>;
}

const manifest = (version: string) => `Manifest-Version: 1.0\r\nPlugin-Version: ${version}\r\n`;

export function newSandbox(opts: { imagePlugins?: Record<string, string>; dependencies?: Record<string, string[]> } = {}): Sandbox {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "jenkins-pod-"));
    const sb: Sandbox = {
        root,
        home: path.join(root, "pvc"),
        imageRef: path.join(root, "image-ref"),
        war: path.join(root, "jenkins.war"),
        bin: path.join(root, "bin"),
        downloadLog: path.join(root, "downloads.log"),
        dependencies: opts.dependencies ?? {},
    };
    for (const d of [sb.home, sb.imageRef, sb.bin]) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(sb.war, "war");
    // A file of the image's ref that is not a plugin (the stock image ships none; models one a user bakes in).
    fs.writeFileSync(path.join(sb.imageRef, "jenkins.install.marker"), "from image");
    for (const [name, version] of Object.entries(opts.imagePlugins ?? {})) {
        fs.mkdirSync(path.join(sb.imageRef, "plugins"), { recursive: true });
        fs.writeFileSync(path.join(sb.imageRef, "plugins", `${name}.jpi`), manifest(version));
    }
    fs.writeFileSync(
        path.join(sb.bin, "unzip"),
        '#!/bin/sh\n[ "$1" = -p ] && [ "$3" = META-INF/MANIFEST.MF ] && exec cat "$2"\necho "unzip stub: $*" >&2; exit 2\n',
        { mode: 0o755 },
    );
    // jenkins-plugin-cli (plugin-installation-manager-tool): downloads each plugin of --plugin-file, with its
    // dependencies, into the plugin directory; without internet it cannot read the update center and fails.
    fs.writeFileSync(
        path.join(sb.bin, "jenkins-plugin-cli"),
        [
            "#!/bin/sh",
            'if [ "$1" = --version ]; then echo 2.13.2; exit 0; fi',
            'if [ "$FAKE_ONLINE" != 1 ]; then',
            '  echo "Unable to retrieve JSON from https://updates.jenkins.io/update-center.json: java.net.UnknownHostException: updates.jenkins.io" >&2',
            "  exit 1",
            "fi",
            'file=""; while [ $# -gt 0 ]; do [ "$1" = --plugin-file ] && file="$2"; shift; done',
            'get() { name=${1%%:*}; version=${1#*:}; printf "Manifest-Version: 1.0\\r\\nPlugin-Version: %s\\r\\n" "$version" > "$FAKE_PLUGIN_DIR/$name.jpi"; echo "$1" >> "$FAKE_DOWNLOAD_LOG"; }',
            'while read -r spec || [ -n "$spec" ]; do',
            '  [ -z "$spec" ] && continue',
            '  get "$spec"',
            '  for dep in $(printf "%s" "$FAKE_DEPENDENCIES" | sed -n "s/^${spec%%:*}=//p"); do get "$dep"; done',
            'done < "$file"',
            "",
        ].join("\n"),
        { mode: 0o755 },
    );
    return sb;
}

/**
 * templates/config.yaml `apply_config.sh` (jenkins-5.9.53) for the given values, with the pod's paths. Each block
 * keeps the template's condition; JCasC overwriteConfiguration (false, never set by us) is left out.
 */
export function renderApplyConfig(c: any, p: { home: string; ref: string; pluginDir: string; config: string; war: string }): string {
    const lines = ["set -e"];
    if (c.initializeOnce) {
        lines.push(
            `if [ -f ${p.home}/initialization-completed ]; then`,
            '  echo "controller was previously initialized, refusing to re-initialize"',
            "  exit 0",
            "fi",
        );
    }
    lines.push(
        'echo "disable Setup Wizard"',
        `echo $JENKINS_VERSION > ${p.home}/jenkins.install.UpgradeWizard.state`,
        `echo $JENKINS_VERSION > ${p.home}/jenkins.install.InstallUtil.lastExecVersion`,
    );
    if (c.overwritePlugins) lines.push('echo "remove all plugins from shared volume"', `rm -rf ${p.home}/plugins/*`);
    if (c.installPlugins) {
        lines.push(
            'echo "download plugins"',
            `cp ${p.config}/plugins.txt ${p.home};`,
            `rm -rf ${p.ref}/plugins/*.lock`,
            `version () { echo "$@" | awk -F. '{ printf("%d%03d%03d%03d\\n", $1,$2,$3,$4); }'; }`,
            `if [ -f "${p.war}" ] && [ -n "$(command -v jenkins-plugin-cli)" 2>/dev/null ] && [ $(version $(jenkins-plugin-cli --version)) -ge $(version "2.1.1") ]; then`,
            `  jenkins-plugin-cli --verbose --war "${p.war}" --plugin-file "${p.home}/plugins.txt" --latest ${c.installLatestPlugins}${c.installLatestSpecifiedPlugins ? " --latest-specified" : ""};`,
            "else",
            `  /usr/local/bin/install-plugins.sh \`echo $(cat ${p.home}/plugins.txt)\`;`,
            "fi",
            'echo "copy plugins to shared volume"',
            `yes n | cp -i ${p.ref}/plugins/* ${p.pluginDir}/;`,
        );
    }
    if (!c.sidecars?.configAutoReload?.enabled) {
        lines.push(
            'echo "copy configuration as code files"',
            `mkdir -p ${p.home}/casc_configs;`,
            `rm -rf ${p.home}/casc_configs/*`,
            `cp -v ${p.config}/*.yaml ${p.home}/casc_configs`,
        );
    }
    lines.push('echo "finished initialization"');
    if (c.initializeOnce) lines.push(`touch ${p.home}/initialization-completed`);
    lines.push("");
    return lines.join("\n");
}

/** jenkins.sh's copy step with jenkins-support copy_reference_file for plugins (no manual upgrades here). */
const ENTRYPOINT_COPY = `set -e
log="$JENKINS_HOME/copy_reference_file.log"
echo "--- Copying files at $(date)" >> "$log"
n=0
for f in $(find "$REF" \\( -type f -o -type l \\) | sort); do
  if [ -n "$KILL_AFTER_FILES" ] && [ "$n" -ge "$KILL_AFTER_FILES" ]; then exit 137; fi
  n=$((n + 1))
  rel=\${f#"$REF/"}
  case "$rel" in
    plugins/*.jpi)
      image_version=$(unzip -p "$f" META-INF/MANIFEST.MF | tr -d '\\r' | sed -n 's/^Plugin-Version: //p')
      action=""
      if [ -e "$JENKINS_HOME/$rel" ]; then
        container_version=$(unzip -p "$JENKINS_HOME/$rel" META-INF/MANIFEST.MF | tr -d '\\r' | sed -n 's/^Plugin-Version: //p')
        if [ "$image_version" != "$container_version" ] && [ "$(printf '%s\\n%s\\n' "$container_version" "$image_version" | sort -V | head -n1)" = "$container_version" ]; then
          action=UPGRADED
        fi
      fi
      if [ ! -e "$JENKINS_HOME/$rel" ] || [ "$action" = UPGRADED ]; then
        mkdir -p "$JENKINS_HOME/plugins"
        cp -p "$f" "$JENKINS_HOME/$rel"
        touch "$JENKINS_HOME/$rel.pinned"
        echo "$image_version" > "$JENKINS_HOME/$rel.version_from_image"
        echo "\${action:-INSTALLED} $rel : $image_version" >> "$log"
      fi ;;
    *)
      if [ ! -e "$JENKINS_HOME/$rel" ]; then mkdir -p "$(dirname "$JENKINS_HOME/$rel")"; cp -p "$f" "$JENKINS_HOME/$rel"; fi ;;
  esac
done
echo "--- Copied files finished at $(date)" >> "$log"
`;

export interface PodStart {
    /** The init containers that ran, with their exit codes and output. */
    readonly steps: { name: string; code: number | null; out: string }[];
    /** Jenkins (the JVM) was started: every init container succeeded and the entrypoint finished its copy. */
    readonly jenkinsStarted: boolean;
    /** Plugins downloaded during this start (`name:version`). */
    readonly downloads: string[];
    /** Plugins in JENKINS_HOME/plugins when Jenkins started (or when the pod died): name → version. */
    readonly plugins: Record<string, string>;
    /** The JCasC documents Jenkins reads (CASC_JENKINS_CONFIG): name → text. */
    readonly casc: Record<string, string>;
}

function run(sb: Sandbox, script: string, env: Record<string, string>): { code: number | null; out: string } {
    const r = spawnSync("/bin/sh", ["-c", script], {
        env: { PATH: `${sb.bin}:/usr/bin:/bin`, ...env },
        encoding: "utf8",
        timeout: 20000,
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function pluginsIn(dir: string): Record<string, string> {
    if (!fs.existsSync(dir)) return {};
    return Object.fromEntries(
        fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".jpi"))
            .sort()
            .map((f) => [f.slice(0, -4), /Plugin-Version: (\S+)/.exec(fs.readFileSync(path.join(dir, f), "utf8"))![1]]),
    );
}

/** One start of the controller pod with `values` (HaJenkins' chart values). */
export function startPod(
    sb: Sandbox,
    values: any,
    opts: {
        online: boolean;
        /** The pod is killed once the chart's init has finished (before the entrypoint copies the plugins). */
        killAfterInit?: boolean;
        /** The pod is killed after the entrypoint copied this many files. */
        killAfterFiles?: number;
    },
): PodStart {
    const c = values.controller;
    const start = fs.mkdtempSync(path.join(sb.root, "start-"));
    const dirs = {
        pluginDir: path.join(start, "plugin-dir"),
        initRef: path.join(start, "init-ref"),
        config: path.join(start, "jenkins-config"),
        casc: path.join(start, "sc-config-volume"),
    };
    for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(sb.downloadLog, "");
    const steps: PodStart["steps"] = [];
    const done = (jenkinsStarted: boolean, casc: Record<string, string> = {}): PodStart => ({
        steps,
        jenkinsStarted,
        casc,
        plugins: pluginsIn(path.join(sb.home, "plugins")),
        downloads: fs
            .readFileSync(sb.downloadLog, "utf8")
            .split("\n")
            .filter((l) => l !== ""),
    });
    const mapPath = (v: string) => v.replace(JENKINS_HOME_PATH, sb.home).replace(JENKINS_REF_PATH, sb.imageRef);

    // 1. customInitContainers.
    for (const ic of c.customInitContainers ?? []) {
        const mounts = (ic.volumeMounts ?? []).map((m: any) => `${m.name}:${m.mountPath}`);
        if (JSON.stringify(mounts) !== JSON.stringify([`jenkins-home:${JENKINS_HOME_PATH}`])) throw new Error(`unexpected mounts ${mounts}`);
        if (ic.command[0] !== "sh" || ic.command[1] !== "-c") throw new Error("the fake runs `sh -c <script>` init containers only");
        const env = Object.fromEntries((ic.env ?? []).map((e: any) => [e.name, mapPath(e.value)]));
        const r = run(sb, ic.command[2], env);
        steps.push({ name: ic.name, ...r });
        if (r.code !== 0) return done(false);
    }

    // 2. config-reload-init (only with configAutoReload): the current JCasC documents, fresh on every start.
    const documents: Record<string, string> = { "jcasc-default-config.yaml": "jenkins: {}\n" };
    for (const [name, text] of Object.entries(c.JCasC?.configScripts ?? {})) documents[`${name}.yaml`] = String(text);
    const reload = c.sidecars?.configAutoReload?.enabled !== false;
    if (reload) for (const [f, text] of Object.entries(documents)) fs.writeFileSync(path.join(dirs.casc, f), text);

    // 3. init: apply_config.sh with the ConfigMap's files (plugins.txt; the JCasC files only without configAutoReload).
    const plugins: string[] = c.installPlugins === false ? [] : (c.installPlugins ?? []);
    fs.writeFileSync(path.join(dirs.config, "plugins.txt"), [...plugins, ...(c.additionalPlugins ?? [])].join("\n"));
    if (!reload) for (const [f, text] of Object.entries(documents)) fs.writeFileSync(path.join(dirs.config, f), text);
    // The init container's $REF: the image's, with the `plugins` emptyDir over ref/plugins (installPlugins + overwritePluginsFromImage).
    fs.cpSync(sb.imageRef, dirs.initRef, { recursive: true });
    const emptyPlugins = c.installPlugins !== false && c.overwritePluginsFromImage !== false;
    if (emptyPlugins) fs.rmSync(path.join(dirs.initRef, "plugins"), { recursive: true, force: true });
    fs.mkdirSync(path.join(dirs.initRef, "plugins"), { recursive: true });
    const script = renderApplyConfig(c, { home: sb.home, ref: dirs.initRef, pluginDir: dirs.pluginDir, config: dirs.config, war: sb.war });
    const deps = Object.entries(sb.dependencies)
        .map(([n, d]) => `${n}=${d.join(" ")}`)
        .join("\n");
    const init = run(sb, script, {
        JENKINS_VERSION,
        FAKE_ONLINE: opts.online ? "1" : "0",
        FAKE_PLUGIN_DIR: path.join(dirs.initRef, "plugins"),
        FAKE_DOWNLOAD_LOG: sb.downloadLog,
        FAKE_DEPENDENCIES: deps,
    });
    steps.push({ name: "init", ...init });
    if (init.code !== 0 || opts.killAfterInit) return done(false);

    // 4. The controller's entrypoint copies $REF into JENKINS_HOME; plugin-dir is mounted over $REF/plugins.
    const controllerRef = path.join(start, "controller-ref");
    fs.cpSync(sb.imageRef, controllerRef, { recursive: true });
    if (c.installPlugins !== false) {
        fs.rmSync(path.join(controllerRef, "plugins"), { recursive: true, force: true });
        fs.cpSync(dirs.pluginDir, path.join(controllerRef, "plugins"), { recursive: true });
    }
    const copy = run(sb, ENTRYPOINT_COPY, {
        JENKINS_HOME: sb.home,
        REF: controllerRef,
        KILL_AFTER_FILES: opts.killAfterFiles === undefined ? "" : String(opts.killAfterFiles),
    });
    steps.push({ name: "jenkins (entrypoint copy)", ...copy });
    if (copy.code !== 0) return done(false);
    // CASC_JENKINS_CONFIG: the sc-config-volume emptyDir over JENKINS_HOME/casc_configs, else the PVC's casc_configs.
    const cascDir = reload ? dirs.casc : path.join(sb.home, "casc_configs");
    const casc = fs.existsSync(cascDir)
        ? Object.fromEntries(
              fs
                  .readdirSync(cascDir)
                  .sort()
                  .map((f) => [f, fs.readFileSync(path.join(cascDir, f), "utf8")]),
          )
        : {};
    return done(true, casc);
}
