/**
 * Plugins installed once into JENKINS_HOME (or baked into the image), so a fail-over downloads nothing.
 * Pure builders: the plugin list, its fingerprint and the init container that decides whether the chart's
 * initialization runs. README "Plugins: installed once, or baked into an image" explains the design.
 *
 * Upstream behaviour relied on (jenkinsci/helm-charts, charts/jenkins at tag jenkins-5.9.53):
 * - templates/config.yaml, `apply_config.sh` (the chart's `init` container): with `controller.initializeOnce` it
 *   exits at once when `$JENKINS_HOME/initialization-completed` exists and touches that marker as its last step;
 *   otherwise it writes the setup-wizard state, wipes `$JENKINS_HOME/plugins/*` (`overwritePlugins`), runs
 *   `jenkins-plugin-cli` into `$REF/plugins` and copies the result into the `plugin-dir` emptyDir. It copies JCasC
 *   files only when `sidecars.configAutoReload.enabled` is false.
 * - templates/jenkins-controller-statefulset.yaml: `customInitContainers` run first, then `config-reload-init`
 *   (JCasC, from the ConfigMaps), then `init`; the controller container mounts `plugin-dir` over `$REF/plugins`.
 * - The image's entrypoint (jenkinsci/docker tag 2.568.2, `jenkins.sh` and `jenkins-support` copy_reference_file)
 *   copies `$REF/plugins/*.jpi` into `$JENKINS_HOME/plugins` (a missing plugin, or a newer one from the image), and
 *   only then appends `--- Copied files finished` to `$JENKINS_HOME/copy_reference_file.log` (since jenkinsci/docker
 *   #1905, 2024-07). So the chart's marker is written BEFORE the plugins reach JENKINS_HOME: a pod killed in between
 *   would leave the marker without the plugins, which is why the gate below also waits for that log line.
 */
import { createHash } from "node:crypto";
import type { JenkinsSettings } from "./settings";
import { CHART_DEFAULT_PLUGINS } from "./settings";

/** The chart's `controller.jenkinsHome` and `controller.jenkinsRef` (values.yaml at jenkins-5.9.53; we keep them). */
export const JENKINS_HOME_PATH = "/var/jenkins_home";
export const JENKINS_REF_PATH = "/usr/share/jenkins/ref";
/** The chart's JENKINS_HOME volume name (templates/jenkins-controller-statefulset.yaml). */
export const HOME_VOLUME = "jenkins-home";
/** The chart's initializeOnce marker (templates/config.yaml). */
export const INIT_MARKER = "initialization-completed";
/** Our state next to it: `installed` (fingerprint whose plugins reached JENKINS_HOME) and `pending`. */
export const GATE_STATE_DIR = ".ha-jenkins-eks";
/** Name of our init container (runs before the chart's `config-reload-init` and `init`). */
export const GATE_CONTAINER = "plugins-install-once";

/**
 * Plugins the program cannot run without, whatever the list says:
 * - configuration-as-code: the chart's default JCasC (admin user, security realm) and the config-reload sidecar's
 *   reload endpoint (charts/jenkins `_helpers.tpl` jenkins.casc.defaults, jenkins.configReloadContainer);
 * - kubernetes: the chart's default JCasC declares the `kubernetes` cloud (agent.enabled defaults to true), and JCasC
 *   refuses a configuration whose configurator is missing;
 * - prometheus, with monitoring: the ServiceMonitor scrapes /prometheus.
 */
export function requiredPlugins(monitoringEnabled: boolean): string[] {
    return ["configuration-as-code", "kubernetes", ...(monitoringEnabled ? ["prometheus"] : [])];
}

const nameOf = (spec: string): string => spec.split(":")[0];

/** The pin a required plugin gets when the list has none: the chart's own pin, or prometheusPluginVersion. */
function defaultPin(name: string, s: Pick<JenkinsSettings, "prometheusPluginVersion">): string {
    if (name === "prometheus") return `prometheus:${s.prometheusPluginVersion}`;
    const pin = CHART_DEFAULT_PLUGINS.find((p) => nameOf(p) === name);
    if (pin === undefined) throw new Error(`no default pin for required plugin ${name}`);
    return pin;
}

/**
 * The pinned list to install (`install-once`): the configured plugins, plus each required plugin the list does not
 * pin, at the chart's pin (the prometheus plugin at prometheusPluginVersion). A version the list pins wins; nothing
 * is listed twice (the chart's template fails on a duplicate name).
 */
export function pluginList(s: Pick<JenkinsSettings, "plugins" | "prometheusPluginVersion">, monitoringEnabled: boolean): string[] {
    const listed = new Set(s.plugins.map(nameOf));
    return [
        ...s.plugins,
        ...requiredPlugins(monitoringEnabled)
            .filter((n) => !listed.has(n))
            .map((n) => defaultPin(n, s)),
    ];
}

/**
 * What a baked image must contain (`image`): every listed plugin at its pinned version (`name:version`) and every
 * required plugin the list does not pin, by name only (`name`): its version is the image builder's choice.
 */
export function imagePluginContract(s: Pick<JenkinsSettings, "plugins">, monitoringEnabled: boolean): string[] {
    const listed = new Set(s.plugins.map(nameOf));
    return [...s.plugins, ...requiredPlugins(monitoringEnabled).filter((n) => !listed.has(n))];
}

/**
 * Identifies a plugin set: the source, the controller image (its jenkins.war decides what jenkins-plugin-cli accepts
 * and which version the setup-wizard state records) and the list, order-insensitive. A change of any of them makes
 * the chart's initialization run once more; nothing else does.
 */
export function pluginFingerprint(source: JenkinsSettings["pluginSource"], image: string, plugins: readonly string[]): string {
    const text = ["ha-jenkins-eks plugins v1", source, image, ...[...plugins].sort()].join("\n");
    return createHash("sha256").update(text).digest("hex");
}

/**
 * The gate, POSIX sh (the image's /bin/sh is dash). Input env: JENKINS_HOME, REF, FINGERPRINT and, with a baked
 * image, IMAGE_PLUGINS (space-separated `name:version` or `name`).
 *
 * 1. Baked image: every plugin of IMAGE_PLUGINS must be in `$REF/plugins/<name>.jpi`, at the pinned version when one
 *    is given (read from the archive's manifest like jenkins-support `get_plugin_version`); else fail with the list.
 * 2. A `pending` fingerprint becomes `installed` once the image's entrypoint has finished a copy after it was written
 *    (one more `--- Copied files finished` line in copy_reference_file.log than when it was written).
 * 3. `installed` = FINGERPRINT and the chart's marker present → nothing to do: the chart's init exits at its first
 *    line and nothing is downloaded (a fail-over).
 * 4. Otherwise remove the chart's marker, so its init runs once more (wipes the plugins, installs the list), and
 *    record FINGERPRINT as `pending` with the current count of finished copies.
 */
export const GATE_SCRIPT = `set -eu
state="$JENKINS_HOME/${GATE_STATE_DIR}"
marker="$JENKINS_HOME/${INIT_MARKER}"
log="$JENKINS_HOME/copy_reference_file.log"
if [ -n "\${IMAGE_PLUGINS:-}" ]; then
  missing=""
  for spec in $IMAGE_PLUGINS; do
    name=\${spec%%:*}
    want=\${spec#"$name"}
    want=\${want#:}
    jpi="$REF/plugins/$name.jpi"
    if [ ! -f "$jpi" ]; then
      missing="$missing $name"
    elif [ -n "$want" ]; then
      have=$(unzip -p "$jpi" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\\r' | sed -n 's/^Plugin-Version: //p')
      if [ "$have" != "$want" ]; then missing="$missing $name:$want(image has \${have:-no version})"; fi
    fi
  done
  if [ -n "$missing" ]; then
    echo "The controller image lacks plugins it must carry in $REF/plugins:$missing" >&2
    echo "Bake them in, or list the plugins the image really has (HaJenkins plugins, stack key jenkinsPlugins)." >&2
    exit 1
  fi
fi
mkdir -p "$state"
finished=$(grep -c '^--- Copied files finished' "$log" 2>/dev/null || true)
finished=\${finished:-0}
if [ -f "$state/pending" ]; then
  pending=$(cat "$state/pending")
  if [ "$finished" -gt "\${pending#* }" ]; then
    echo "\${pending%% *}" > "$state/installed"
    rm -f "$state/pending"
  fi
fi
installed=$(cat "$state/installed" 2>/dev/null || true)
if [ "$installed" = "$FINGERPRINT" ] && [ -f "$marker" ]; then
  echo "Plugins $FINGERPRINT are in JENKINS_HOME: the chart's initialization is skipped, nothing is downloaded."
  exit 0
fi
echo "Plugin set \${installed:-none} -> $FINGERPRINT: the chart's initialization runs once (plugins are replaced)."
rm -f "$marker" "$state/installed"
echo "$FINGERPRINT $finished" > "$state/pending"
`;

/** The chart's `customInitContainers` entry running GATE_SCRIPT with the controller image (already on the node). */
export function gateInitContainer(a: {
    /** The controller image (values.ts controllerImage: the reference the chart renders). */
    readonly image: string;
    readonly fingerprint: string;
    /** The baked image's contract (imagePluginContract); undefined with install-once. */
    readonly imagePlugins?: readonly string[];
}): Record<string, unknown> {
    return {
        name: GATE_CONTAINER,
        // The controller's own image: already on the node (pre-pulled), so the gate pulls nothing.
        image: a.image,
        imagePullPolicy: "IfNotPresent",
        command: ["sh", "-c", GATE_SCRIPT],
        env: [
            { name: "JENKINS_HOME", value: JENKINS_HOME_PATH },
            { name: "REF", value: JENKINS_REF_PATH },
            { name: "FINGERPRINT", value: a.fingerprint },
            ...(a.imagePlugins !== undefined ? [{ name: "IMAGE_PLUGINS", value: a.imagePlugins.join(" ") }] : []),
        ],
        securityContext: {
            runAsUser: 1000,
            runAsGroup: 1000,
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        volumeMounts: [{ name: HOME_VOLUME, mountPath: JENKINS_HOME_PATH }],
    };
}
