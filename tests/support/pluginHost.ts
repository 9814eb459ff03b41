/**
 * Starts a component package the way pulumi-language-nodejs `RunPlugin` does and asks it for its schema over gRPC.
 * The host runs `node <@pulumi/pulumi/cmd/run-plugin> <pluginDir>` with the working directory set to the CONSUMER's
 * project (sdk/nodejs/cmd/pulumi-language-nodejs/main.go `RunPlugin`: `cmd.Dir = req.Pwd`; read at pulumi/pulumi
 * 1b59498), and run-plugin (cmd/run-plugin/index.js, 3.276.0) compiles TypeScript because it runs under Node, not Bun.
 * The plugin prints its port on the first stdout line (provider/server.js `main`).
 */
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

// The SDK's own gRPC, resolved from @pulumi/pulumi (a dependency of it, not of this repository).
const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const grpc: any = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));

const providerGrpc: any = require("@pulumi/pulumi/proto/provider_grpc_pb.js");
const providerProto: any = require("@pulumi/pulumi/proto/provider_pb.js");

/** The schema the plugin in `pluginDir` serves when the host starts it in `cwd`; rejects with its stderr on failure. */
export function schemaFromPlugin(pluginDir: string, cwd: string, timeoutMs: number): Promise<string> {
    const runPlugin = require.resolve("@pulumi/pulumi/cmd/run-plugin");
    // Without this test run's TS_NODE_* settings (TS_NODE_TRANSPILE_ONLY would make run-plugin's ts-node skip the
    // type-check that fails in a consumer's directory).
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TS_NODE_")));
    const child = spawn(process.execPath, [runPlugin, pluginDir], { cwd, env });
    let stdout = "";
    let stderr = "";
    return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no schema after ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
        const finish = (err: Error | undefined, schema?: string) => {
            clearTimeout(timer);
            child.removeAllListeners("exit");
            child.kill();
            err ? reject(err) : resolve(schema as string);
        };
        child.stderr.on("data", (d) => {
            stderr += d;
        });
        child.on("exit", (code) => finish(new Error(`the plugin exited with ${code}; stderr:\n${stderr}\nstdout:\n${stdout}`)));
        child.stdout.on("data", (d) => {
            const asked = /^\d+\n/.test(stdout);
            stdout += d;
            const port = stdout.match(/^(\d+)\n/)?.[1];
            if (asked || port === undefined) return;
            const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
            const request = new providerProto.GetSchemaRequest();
            request.setVersion(0);
            client.getSchema(request, (err: Error | null, res: { getSchema(): string }) => {
                client.close();
                err ? finish(new Error(`GetSchema failed: ${err.message}; stderr:\n${stderr}`)) : finish(undefined, res.getSchema());
            });
        });
    });
}

/**
 * `schemaFromPlugin`, remembered on disk (node_modules/.cache/hje/plugin-schema, git-ignored; `npm ci` starts without
 * it) by the content of everything the answer depends on: every file of `pluginDir` (its sources, package.json,
 * tsconfig.json, entry), package-lock.json (the SDK, TypeScript and the providers' types it reads), Node's version and
 * this file. Any edit there starts the plugin again, so a broken component still fails. The plugin takes about 8 s of
 * CPU (3 s to load, 6 s of inference). Never under CI (`CI` set) or `HJE_NO_TEST_CACHE=1`: those always start it.
 */
export async function cachedSchemaFromPlugin(pluginDir: string, cwd: string, timeoutMs: number): Promise<string> {
    if (process.env.CI || process.env.HJE_NO_TEST_CACHE === "1") return schemaFromPlugin(pluginDir, cwd, timeoutMs);
    const root = path.join(__dirname, "..", "..");
    const files = (dir: string): string[] =>
        fs
            .readdirSync(dir, { withFileTypes: true })
            .filter((e) => e.name !== "node_modules")
            .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]))
            .sort();
    const hash = crypto.createHash("sha256").update(`${process.version}\0`);
    for (const f of [...files(pluginDir), path.join(root, "package-lock.json"), __filename]) {
        hash.update(`${path.relative(root, f)}\0`)
            .update(fs.readFileSync(f))
            .update("\0");
    }
    const dir = path.join(root, "node_modules", ".cache", "hje", "plugin-schema");
    const file = path.join(dir, `${hash.digest("hex")}.json`);
    if (fs.existsSync(file)) return fs.readFileSync(file, "utf8");
    const schema = await schemaFromPlugin(pluginDir, cwd, timeoutMs);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(`${file}.${process.pid}.tmp`, schema);
    fs.renameSync(`${file}.${process.pid}.tmp`, file);
    return schema;
}
