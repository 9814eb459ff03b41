import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { controllerApiUrl, REMOTE_JOB_SCRIPT, remoteJobSpec } from "../../../components/snapshots/remoteJob";

const args = {
    linstorNamespace: "piraeus-datastore",
    remoteName: "s3-us-east-1",
    bucket: "jenkins-snapshots",
    region: "us-east-1",
    endpoint: "https://s3.us-east-1.amazonaws.com",
    usePathStyle: false,
    credentialsSecretName: "linstor-s3-creds-1",
    image: "docker.io/curlimages/curl:8.16.0",
};

/** A fake LINSTOR controller on loopback: GET/POST /v1/remotes/s3, recording POST bodies. */
function fakeController(existing: object[]) {
    const posts: any[] = [];
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c) => {
            body += c;
        });
        req.on("end", () => {
            if (req.url === "/v1/remotes/s3" && req.method === "GET") {
                res.setHeader("Content-Type", "application/json");
                res.end(JSON.stringify(existing));
            } else if (req.url === "/v1/remotes/s3" && req.method === "POST") {
                posts.push(JSON.parse(body));
                res.statusCode = 201;
                res.end("[]");
            } else {
                res.statusCode = 404;
                res.end();
            }
        });
    });
    return new Promise<{ url: string; posts: any[]; close: () => void }>((resolve) => {
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as { port: number }).port;
            resolve({ url: `http://127.0.0.1:${port}`, posts, close: () => server.close() });
        });
    });
}

/** Runs the script asynchronously: the fake server lives in this process and must keep answering. */
function runScript(apiUrl: string): Promise<string> {
    const env = {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        LINSTOR_API: apiUrl,
        REMOTE_NAME: args.remoteName,
        S3_ENDPOINT: args.endpoint,
        S3_BUCKET: args.bucket,
        S3_REGION: args.region,
        USE_PATH_STYLE: "false",
        ACCESS_KEY: "AKIAEXAMPLE",
        SECRET_KEY: "secret/with+chars",
    };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "remote-job-")), "run.sh");
    fs.writeFileSync(file, REMOTE_JOB_SCRIPT);
    return new Promise((resolve, reject) => {
        execFile("/bin/sh", [file], { env, encoding: "utf8", timeout: 15000 }, (err, stdout, stderr) =>
            err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
        );
    });
}

const hasCurl = (() => {
    try {
        execFileSync("curl", ["--version"]);
        return true;
    } catch {
        return false;
    }
})();

describe("LINSTOR S3 remote Job", () => {
    it("targets the controller's REST API and reads keys from the credentials secret", () => {
        const spec: any = remoteJobSpec(args);
        const c = spec.template.spec.containers[0];
        expect(c.image).to.equal("docker.io/curlimages/curl:8.16.0");
        const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
        expect(env.LINSTOR_API).to.equal("http://linstor-controller.piraeus-datastore.svc:3370");
        expect(env.S3_ENDPOINT).to.equal("https://s3.us-east-1.amazonaws.com");
        expect(env.ACCESS_KEY).to.deep.equal({ secretKeyRef: { name: "linstor-s3-creds-1", key: "access-key" } });
        expect(env.SECRET_KEY).to.deep.equal({ secretKeyRef: { name: "linstor-s3-creds-1", key: "secret-key" } });
        expect(c.securityContext).to.deep.equal({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        expect(spec.template.spec.securityContext.runAsNonRoot).to.equal(true);
        expect(controllerApiUrl("linbit-sds")).to.equal("http://linstor-controller.linbit-sds.svc:3370");
    });

    (hasCurl ? it : it.skip)("creates the remote when LINSTOR lacks it (real sh + curl against a local fake)", async () => {
        const fake = await fakeController([{ remote_name: "other", bucket: "x" }]);
        try {
            const out = await runScript(fake.url);
            expect(out).to.contain("created LINSTOR S3 remote s3-us-east-1");
            expect(fake.posts).to.deep.equal([
                {
                    remote_name: "s3-us-east-1",
                    endpoint: "https://s3.us-east-1.amazonaws.com",
                    bucket: "jenkins-snapshots",
                    region: "us-east-1",
                    access_key: "AKIAEXAMPLE",
                    secret_key: "secret/with+chars",
                    use_path_style: false,
                },
            ]);
        } finally {
            fake.close();
        }
    });

    (hasCurl ? it : it.skip)("leaves an existing remote alone (idempotent)", async () => {
        const fake = await fakeController([{ remote_name: "s3-us-east-1", bucket: "jenkins-snapshots" }]);
        try {
            expect(await runScript(fake.url)).to.contain("exists; leaving it unchanged");
            expect(fake.posts).to.have.length(0);
        } finally {
            fake.close();
        }
    });
});
