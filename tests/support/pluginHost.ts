/**
 * Starts a component package the way pulumi-language-nodejs `RunPlugin` does and asks it for its schema over gRPC.
 * The host runs `node <@pulumi/pulumi/cmd/run-plugin> <pluginDir>` with the working directory set to the CONSUMER's
 * project (sdk/nodejs/cmd/pulumi-language-nodejs/main.go `RunPlugin`: `cmd.Dir = req.Pwd`; read at pulumi/pulumi
 * 1b59498), and run-plugin (cmd/run-plugin/index.js, 3.276.0) compiles TypeScript because it runs under Node, not Bun.
 * The plugin prints its port on the first stdout line (provider/server.js `main`).
 */
import { spawn } from "node:child_process";
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
