import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "chai";
import { controllerApiUrl } from "../../../components/linstorCluster/apiTls";
import { REMOTE_JOB_SCRIPT, remoteJobSpec } from "../../../components/snapshots/remoteJob";
import { type ApiTlsFiles, apiTlsFiles, clientEnv, hasOpenssl } from "../../support/fakes/linstorApiTls";
import { serveOnLoopback } from "../../support/fakes/loopback";

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

/**
 * A fake LINSTOR controller on loopback: GET/POST /v1/remotes/s3, recording every request and the POST bodies; over
 * HTTPS demanding a client certificate of its CA (as with apiTLS) unless `plain`.
 */
async function fakeController(existing: object[], plain = false) {
    const posts: any[] = [];
    const requests: string[] = [];
    const { server, port } = await serveOnLoopback(
        (req, res, body) => {
            requests.push(`${req.method} ${req.url}`);
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
        },
        plain ? undefined : apiTlsFiles().server,
    );
    return { url: `${plain ? "http" : "https"}://127.0.0.1:${port}`, posts, requests, close: () => server.close() };
}

/** Runs the script asynchronously: the fake server lives in this process and must keep answering. */
function runScript(apiUrl: string, client: ApiTlsFiles["client"] = apiTlsFiles().client): Promise<string> {
    const env = {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        LINSTOR_API: apiUrl,
        ...clientEnv(client),
        // A refused certificate fails at once instead of after the Job's five minutes of retries.
        CONNECT_RETRIES: "0",
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
            err ? reject(new Error(`${err.message}\n${stdout}${stderr}`)) : resolve(stdout),
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
        expect(env.LINSTOR_API).to.equal("https://linstor-controller.piraeus-datastore.svc:3371");
        expect([env.LINSTOR_CA, env.LINSTOR_CLIENT_CERT, env.LINSTOR_CLIENT_KEY]).to.deep.equal([
            "/etc/linstor-api-client/ca.crt",
            "/etc/linstor-api-client/tls.crt",
            "/etc/linstor-api-client/tls.key",
        ]);
        expect(spec.template.metadata.labels).to.deep.equal({ "ha-jenkins-eks.io/linstor-api-client": "true" });
        expect(spec.template.spec.volumes).to.deep.equal([
            { name: "linstor-api-client", secret: { secretName: "linstor-api-client-jobs", defaultMode: 0o440 } },
        ]);
        expect(c.volumeMounts).to.deep.equal([{ name: "linstor-api-client", mountPath: "/etc/linstor-api-client", readOnly: true }]);
        expect(env.S3_ENDPOINT).to.equal("https://s3.us-east-1.amazonaws.com");
        expect(env.ACCESS_KEY).to.deep.equal({ secretKeyRef: { name: "linstor-s3-creds-1", key: "access-key" } });
        expect(env.SECRET_KEY).to.deep.equal({ secretKeyRef: { name: "linstor-s3-creds-1", key: "secret-key" } });
        expect(c.securityContext).to.deep.equal({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        expect(spec.template.spec.securityContext.runAsNonRoot).to.equal(true);
        expect(controllerApiUrl("linbit-sds")).to.equal("https://linstor-controller.linbit-sds.svc:3371");
    });

    const withTls = hasCurl && hasOpenssl ? it : it.skip;

    withTls("creates the remote when LINSTOR lacks it, over HTTPS with its client certificate (real sh + curl)", async () => {
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

    withTls("never sends the S3 secret key over plain HTTP, nor to a controller that refuses its certificate", async () => {
        const plain = await fakeController([], true);
        try {
            const err = await runScript(plain.url).then(
                () => "",
                (e: Error) => e.message,
            );
            expect(err).to.contain("refusing to send S3 credentials");
            expect(plain.requests).to.deep.equal([]);
        } finally {
            plain.close();
        }
        const strict = await fakeController([]);
        try {
            const err = await runScript(strict.url, apiTlsFiles().rogue).then(
                () => "",
                (e: Error) => e.message,
            );
            // curl's own failure: the server drops the connection at the handshake (TLS 1.3 reports it as an empty reply).
            expect(err).to.match(/curl: \((35|52|56|58)\)/);
            expect(strict.requests).to.deep.equal([]);
            expect(strict.posts).to.deep.equal([]);
        } finally {
            strict.close();
        }
    });

    withTls("leaves an existing remote alone (idempotent)", async () => {
        const fake = await fakeController([{ remote_name: "s3-us-east-1", bucket: "jenkins-snapshots" }]);
        try {
            expect(await runScript(fake.url)).to.contain("exists; leaving it unchanged");
            expect(fake.posts).to.have.length(0);
        } finally {
            fake.close();
        }
    });
});
