/**
 * A sandbox for the LinstorDbBackup scripts: fake `kubectl` and `aws` on PATH serving a small LINSTOR k8s database
 * (four CRDs, served versions as LINSTOR 1.33 generates them) and an S3 store in a temporary directory. The export
 * runs as the CronJob's init container would, the upload with the upload container's argv, the restore script as
 * an operator would. Used by exportScript.spec.ts and restoreScript.spec.ts.
 */

import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { EXPORT_SCRIPT, linstorDbBackupCronJobSpec, uploadArgs } from "../../../components/linstorDbBackup/exportJob";
import { BUCKET, cronArgs } from "./fixtures";

/** The export script needs jq, tar and sha256sum; specs skip, saying so, without them. */
const hasTools = spawnSync("bash", ["-c", "command -v jq && command -v tar && command -v sha256sum"]).status === 0;

let dir = "";

/** Creates the sandbox with its fake tools (skips the suite without jq, tar or sha256sum); returns its directory. */
export function setUpSandbox(ctx: Mocha.Context): string {
    if (!hasTools) ctx.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "linstor-db-backup-"));
    fs.mkdirSync(path.join(dir, "bin"));
    fs.writeFileSync(path.join(dir, "bin", "kubectl"), fakeKubectl, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, "bin", "aws"), fakeAws, { mode: 0o755 });
    return dir;
}

export function tearDownSandbox(): void {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = "";
}

const sandboxEnv = (env: Record<string, string>) => ({
    PATH: `${dir}/bin:${process.env.PATH}`,
    STATE: dir,
    STORE: `${dir}/s3`,
    HOME: dir,
    POLL_SECONDS: "0",
    ...env,
});
const run = (cmd: string, argv: string[], env: Record<string, string>, input?: string) => {
    const r = spawnSync(cmd, argv, {
        env: sandboxEnv(env),
        encoding: "utf8",
        input,
    });
    return { status: r.status, stderr: r.stderr, stdout: r.stdout };
};
export const lines = (file: string) =>
    fs.existsSync(file)
        ? fs
              .readFileSync(file, "utf8")
              .trim()
              .split("\n")
              .filter((l) => l)
        : [];
export const write = (file: string, content: unknown) =>
    fs.writeFileSync(path.join(dir, file), typeof content === "string" ? content : JSON.stringify(content));

const crd = (plural: string, kind: string, versions: object[]) => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.internal.linstor.linbit.com`, uid: "u", resourceVersion: "7" },
    spec: { group: "internal.linstor.linbit.com", names: { plural, kind }, scope: "Cluster", versions },
});
const current = [
    { name: "v1-31-1", served: true, storage: false },
    { name: "v1-33-1", served: true, storage: true },
];
export const crds = {
    apiVersion: "v1",
    kind: "List",
    items: [
        crd("linstorversion", "LinstorVersion", [{ name: "v1", served: true, storage: true }]),
        crd("nodes", "Nodes", current),
        crd("resourcedefinitions", "ResourceDefinitions", current),
        crd("s3remotes", "S3Remotes", current),
    ],
};
const raw: Record<string, object> = {
    linstorversion: { kind: "LinstorVersionList", items: [{ metadata: { name: "version" }, spec: { version: 42 } }] },
    nodes: {
        kind: "NodesList",
        items: [
            { metadata: { name: "n1", resourceVersion: "100" }, spec: { node_name: "N1" } },
            { metadata: { name: "n2", resourceVersion: "101" }, spec: { node_name: "N2" } },
        ],
    },
    resourcedefinitions: { kind: "ResourceDefinitionsList", items: [{ metadata: { name: "pvc-1" }, spec: { resource_name: "PVC-1" } }] },
    s3remotes: { kind: "S3RemotesList", items: [] },
};
/** `kubectl config view --minify -o json` of a context built like the stack's kubeconfig output (aws eks get-token). */
export const kubeconfigOf = (cluster: string, execArgs = ["--region", "eu-central-1", "eks", "get-token", "--cluster-name", cluster]) => ({
    apiVersion: "v1",
    kind: "Config",
    "current-context": cluster,
    clusters: [
        { name: cluster, cluster: { server: `https://${cluster}.gr7.eu-central-1.eks.amazonaws.com`, "certificate-authority-data": "DATA+OMITTED" } },
    ],
    contexts: [{ name: cluster, context: { cluster, user: cluster } }],
    users: [{ name: cluster, user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: execArgs } } }],
});
export const passphrase = Buffer.from("correct horse battery staple").toString("base64");
export const secret = {
    apiVersion: "v1",
    kind: "Secret",
    immutable: true,
    type: "Opaque",
    data: { MASTER_PASSPHRASE: passphrase },
    metadata: {
        name: "linstor-passphrase",
        namespace: "piraeus-datastore",
        uid: "abc",
        resourceVersion: "55",
        creationTimestamp: "2026-01-01T00:00:00Z",
        managedFields: [{ manager: "pulumi" }],
        labels: { keep: "me" },
    },
};
/**
 * kubectl as the restore and export scripts call it. Deployment selectors as upstream sets them (piraeus-operator
 * v2 pkg/resources/cluster/controller/controller-deployment.yaml: matchLabels app.kubernetes.io/component:
 * linstor-controller; the chart's operator Deployment: its selectorLabels). `--ignore-not-found` prints nothing for
 * a missing object and exits 0 (kubernetes/kubectl pkg/cmd/get/get.go, printGeneric). A file `fail-<what>` in the
 * state directory makes that call fail as an unreachable API does (exit 1, message on stderr, nothing on stdout).
 */
const fakeKubectl = `#!/usr/bin/env bash
echo "$*" >> "$STATE/kubectl.log"
ns="-n piraeus-datastore"
unreachable() { if [ -f "$STATE/fail-$1" ]; then echo 'The connection to the server was refused' >&2; exit 1; fi; }
case "$*" in
  "config view --minify -o json") unreachable config; cat "$STATE/kubeconfig.json" ;;
  "api-resources --api-group=internal.linstor.linbit.com -o name") cat "$STATE/served.txt" ;;
  "get crd "*" -o json") cat "$STATE/crds.json" ;;
  "get --raw /apis/internal.linstor.linbit.com/"*"?limit=1") echo '{"kind":"x","metadata":{"resourceVersion":"4242"},"items":[]}' ;;
  "get --raw /apis/internal.linstor.linbit.com/"*) p="\${3%%\\?*}"; cat "$STATE/raw/\${p##*/}.json" ;;
  "$ns get secret linstor-passphrase -o json")
    if [ -f "$STATE/secret.json" ]; then cat "$STATE/secret.json"; else echo 'Error from server (NotFound)' >&2; exit 1; fi ;;
  "$ns get secret linstor-passphrase --ignore-not-found -o json") unreachable secret; [ ! -f "$STATE/secret.json" ] || cat "$STATE/secret.json" ;;
  "get namespace piraeus-datastore") echo namespace/piraeus-datastore ;;
  "$ns get deployment -l app.kubernetes.io/component in (piraeus-operator,linstor-operator) -o name")
    echo deployment.apps/linstor-operator-piraeus-controller-manager ;;
  "$ns get deployment linstor-operator-piraeus-controller-manager -o json")
    echo '{"spec":{"replicas":2,"selector":{"matchLabels":{"app.kubernetes.io/component":"piraeus-operator","app.kubernetes.io/instance":"linstor-operator"}}}}' ;;
  "$ns get deployment linstor-controller -o json")
    echo '{"spec":{"replicas":1,"selector":{"matchLabels":{"app.kubernetes.io/component":"linstor-controller"}}}}' ;;
  "$ns get pods -l "*" -o name")
    unreachable pods
    # pods-left holds n: a pod is still listed for the next n calls (a controller that takes a while to stop).
    if [ -f "$STATE/pods-left" ] && [ "$(cat "$STATE/pods-left")" -gt 0 ]; then
      echo $(( $(cat "$STATE/pods-left") - 1 )) > "$STATE/pods-left"; echo pod/linstor-controller-abc
    fi ;;
  "get crds "*" -o yaml"|"get "*".internal.linstor.linbit.com -o yaml") echo "kind: List" ;;
  "$ns scale deployment "*|"delete crds "*|"create -f "*|"$ns create -f "*|"wait --for condition=established "*|"$ns rollout status deployment "*) ;;
  *) echo "unexpected kubectl $*" >&2; exit 3 ;;
esac
`;
const fakeAws = `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$STATE/aws.log"
case "$1 $2" in
  "s3 ls") p="\${3#s3://}"; for f in "$STORE/$p"*; do echo "2026-01-01 02:30:05 100 \${f##*/}"; done ;;
  "s3 cp")
    case "$3" in
      s3://*) cp "$STORE/\${3#s3://}" "$4" ;;
      *) [ "$5" = --recursive ] || exit 4; mkdir -p "$STORE/\${4#s3://}"; cp "$3"* "$STORE/\${4#s3://}" ;;
    esac ;;
  *) echo "unexpected aws $*" >&2; exit 3 ;;
esac
`;
const exportEnv = () => {
    const spec = linstorDbBackupCronJobSpec(cronArgs) as any;
    const base = Object.fromEntries(spec.jobTemplate.spec.template.spec.initContainers[0].env.map((e: any) => [e.name, e.value]));
    return { ...base, WORK_DIR: `${dir}/work` };
};
export const reset = () => {
    for (const f of ["kubectl.log", "aws.log", "fail-config", "fail-secret", "fail-pods", "pods-left"]) fs.rmSync(path.join(dir, f), { force: true });
    for (const d of ["work", "s3", "restore"]) fs.rmSync(path.join(dir, d), { recursive: true, force: true });
    write("served.txt", `${crds.items.map((i) => i.metadata.name).join("\n")}\n`);
    write("crds.json", crds);
    write("secret.json", secret);
    write("kubeconfig.json", kubeconfigOf("hje-test"));
    fs.mkdirSync(path.join(dir, "raw"), { recursive: true });
    for (const [plural, list] of Object.entries(raw)) write(`raw/${plural}.json`, list);
};
/** Runs the export container's script, then the upload container's argv, as the CronJob would. */
export const backup = () => {
    const exported = run("bash", ["-c", EXPORT_SCRIPT], exportEnv());
    if (exported.status !== 0) return { exported, archive: undefined };
    const argv = uploadArgs(cronArgs).map((a) => a.replace(/^\/work\//, `${dir}/work/`));
    const uploaded = run("aws", argv, {});
    const stored = path.join(dir, "s3", BUCKET, "linstor-db", "hje-test");
    const archive = fs.readdirSync(stored).find((f) => f.endsWith(".tar.gz"));
    return { exported, uploaded, archive, stored };
};
export const extract = (archive: string) => {
    const to = path.join(dir, "x");
    fs.rmSync(to, { recursive: true, force: true });
    fs.mkdirSync(to);
    expect(spawnSync("tar", ["-xzf", archive, "-C", to]).status).to.equal(0);
    const json = (f: string) => JSON.parse(fs.readFileSync(path.join(to, f), "utf8"));
    return { files: spawnSync("tar", ["-tzf", archive], { encoding: "utf8" }).stdout.trim().split("\n").sort(), json };
};
const restoreArgv = (extra: string[]) => [
    path.resolve(__dirname, "../../../components/linstorDbBackup/restoreLinstorDb.sh"),
    "--bucket",
    BUCKET,
    "--region",
    "eu-central-1",
    "--prefix",
    "linstor-db/hje-test/",
    "--latest",
    "--work-dir",
    path.join(dir, "restore"),
    ...extra,
];
export const restore = (extra: string[], env: Record<string, string> = {}) => run("bash", restoreArgv(extra), env);
/** The restore script as a child process the spec can signal; resolves with its exit code or signal. */
export const restoreAsync = (extra: string[], env: Record<string, string> = {}) => {
    const child = spawn("bash", restoreArgv(extra), { env: sandboxEnv(env), stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => {
        stderr += String(d);
    });
    const done = new Promise<{ status: number | null; stderr: string }>((resolve) => child.on("close", (status) => resolve({ status, stderr })));
    return { child, done };
};
export const MUTATING = /^(-n \S+ )?(scale|delete|create|wait|rollout)\b/;
