/**
 * Certificates for a fake LINSTOR API over TLS, made once per test process with the openssl CLI (specs skip without it):
 * a CA, a server certificate for 127.0.0.1, a client certificate it signed, and a rogue client certificate from another
 * CA. The extensions are the ones strict X.509 verification wants (Python ≥ 3.13 turns VERIFY_X509_STRICT on in
 * ssl.create_default_context): critical basic constraints and key usage on the CA, subject and authority key IDs.
 *
 * The fake serves them like LINSTOR with apiTLS: HTTPS only, a client certificate signed by its CA required
 * (linstor-server v1.33.3 GrizzlyHttpService: a truststore means setNeedClientAuth(true)).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import type { ServerOptions } from "node:https";
import * as os from "node:os";
import * as path from "node:path";

export const hasOpenssl = (() => {
    try {
        execFileSync("openssl", ["version"]);
        return true;
    } catch {
        return false;
    }
})();

export interface ApiTlsFiles {
    readonly dir: string;
    /** The CA, the client's certificate and key: what our Jobs mount (LINSTOR_CA, LINSTOR_CLIENT_CERT/KEY). */
    readonly client: { readonly ca: string; readonly cert: string; readonly key: string };
    /** A client certificate the server's CA never signed. */
    readonly rogue: { readonly ca: string; readonly cert: string; readonly key: string };
    /** Options for serveOnLoopback: HTTPS demanding a client certificate of the CA. */
    readonly server: ServerOptions;
}

let made: ApiTlsFiles | undefined;

function openssl(dir: string, ...args: string[]): void {
    execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

function ca(dir: string, name: string): void {
    openssl(
        dir,
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"],
        ...["-keyout", `${name}.key`, "-out", `${name}.crt`, "-subj", `/CN=${name}`],
        ...["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        ...["-addext", "subjectKeyIdentifier=hash"],
    );
}

function leaf(dir: string, name: string, caName: string, extensions: string): void {
    openssl(
        dir,
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.csr`,
        "-subj",
        `/CN=${name}`,
    );
    fs.writeFileSync(
        path.join(dir, `${name}.ext`),
        `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n${extensions}\n`,
    );
    openssl(
        dir,
        ...["x509", "-req", "-in", `${name}.csr`, "-CA", `${caName}.crt`, "-CAkey", `${caName}.key`, "-CAcreateserial", "-days", "2"],
        ...["-out", `${name}.crt`, "-extfile", `${name}.ext`],
    );
}

/** The certificates (made on first use). */
export function apiTlsFiles(): ApiTlsFiles {
    if (made) return made;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "linstor-api-tls-"));
    ca(dir, "ca");
    ca(dir, "rogue-ca");
    leaf(dir, "server", "ca", "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost");
    leaf(dir, "client", "ca", "extendedKeyUsage=clientAuth");
    leaf(dir, "rogue", "rogue-ca", "extendedKeyUsage=clientAuth");
    const file = (f: string) => path.join(dir, f);
    made = {
        dir,
        client: { ca: file("ca.crt"), cert: file("client.crt"), key: file("client.key") },
        rogue: { ca: file("ca.crt"), cert: file("rogue.crt"), key: file("rogue.key") },
        server: {
            key: fs.readFileSync(file("server.key")),
            cert: fs.readFileSync(file("server.crt")),
            ca: fs.readFileSync(file("ca.crt")),
            requestCert: true,
            rejectUnauthorized: true,
        },
    };
    return made;
}

/** The Jobs' environment for a client (apiTls.ts apiClientPodParts). */
export function clientEnv(c: ApiTlsFiles["client"]): Record<string, string> {
    return { LINSTOR_CA: c.ca, LINSTOR_CLIENT_CERT: c.cert, LINSTOR_CLIENT_KEY: c.key };
}
