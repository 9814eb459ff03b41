/**
 * TLS on LINSTOR's REST API, the way piraeus-operator v2.10.8 documents it with manually created Secrets
 * (docs/how-to/api-tls.md; LinstorCluster `spec.apiTLS` in the 2.10.8 chart's charts/piraeus/templates/crds.yaml):
 * - With `apiTLS` the controller serves HTTPS on 3371 and demands a client certificate signed by the CA in its API
 *   Secret's `ca.crt`: the image's entry.sh builds a truststore from /etc/linstor/https-pem/ca.crt
 *   (piraeusdatastore/piraeus dockerfiles/piraeus-server/entry.sh), and a truststore means `setNeedClientAuth(true)`
 *   (linstor-server v1.33.3 GrizzlyHttpService.initGrizzly). So TLS is also the API's authentication.
 * - Its plain port 3370 stays open but only redirects `/v1` to HTTPS (HTTPSForwarder) and still serves `/metrics`
 *   (unless the controller property DisableHttpMetrics is set): Prometheus keeps scraping it over HTTP.
 * - The operator, the CSI controller and nodes, the affinity controller and the NFS server read the client Secrets the
 *   spec names (keys tls.crt, tls.key, ca.crt: pkg/resources/cluster/patches/api-tls-*.yaml) and call
 *   https://linstor-controller:3371 (internal/controller LinstorControllerUrl).
 *
 * The certificates are made here with the Pulumi tls provider, their keys kept in the stack's encrypted state, instead of
 * with cert-manager: no extra controller, webhook or CRDs in the cluster. Each is re-issued by the first `pulumi up` of
 * its last year (earlyRenewalHours); a hash of the certificates on the LINSTOR pods' templates rolls them onto new ones.
 */
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

/** The controller's ports (pkg/resources/cluster/controller/controller-service.yaml; patches/api-tls.yaml). */
export const LINSTOR_API_PORTS = { http: 3370, https: 3371 } as const;

/** Secrets in the LINSTOR namespace: the server's, the operator components' client, and our Jobs' client. */
export const API_TLS_SECRETS = {
    server: "linstor-api-tls",
    client: "linstor-client-tls",
    jobs: "linstor-api-client-jobs",
} as const;

/** Pod label of our own Jobs that call the API (the controller's NetworkPolicy admits it in the LINSTOR namespace). */
export const API_CLIENT_LABEL = { key: "ha-jenkins-eks.io/linstor-api-client", value: "true" } as const;

/** Where our Jobs mount their client Secret. */
export const API_CLIENT_MOUNT = "/etc/linstor-api-client";

/** Annotation on the LINSTOR pods' templates: its change (new certificates) rolls them. */
export const API_TLS_HASH_ANNOTATION = "ha-jenkins-eks.io/linstor-api-tls";

/** Validity: the CA ten years, each certificate five; re-issued by any `pulumi up` in the last year. */
export const API_TLS_VALIDITY = { caHours: 10 * 8760, certHours: 5 * 8760, earlyRenewalHours: 8760 } as const;

/** The in-cluster HTTPS endpoint of the controller (the Service `linstor-controller`; its certificate names it). */
export function controllerApiUrl(namespace: string): string {
    return `https://linstor-controller.${namespace}.svc:${LINSTOR_API_PORTS.https}`;
}

/** Every name a client may use for the controller (the operator uses the short one). */
export function controllerDnsNames(namespace: string): string[] {
    const svc = "linstor-controller";
    return [svc, `${svc}.${namespace}`, `${svc}.${namespace}.svc`, `${svc}.${namespace}.svc.cluster.local`];
}

/** LinstorCluster `spec.apiTLS`: our Secrets, one client certificate for every operator component (as upstream's example). */
export function apiTlsSpec(): Record<string, string> {
    return {
        apiSecretName: API_TLS_SECRETS.server,
        clientSecretName: API_TLS_SECRETS.client,
        csiControllerSecretName: API_TLS_SECRETS.client,
        csiNodeSecretName: API_TLS_SECRETS.client,
        affinityControllerSecretName: API_TLS_SECRETS.client,
        nfsServerSecretName: API_TLS_SECRETS.client,
    };
}

/** What a Job's pod adds to call the API: its client Secret as files, and where they are. */
export function apiClientPodParts() {
    return {
        labels: { [API_CLIENT_LABEL.key]: API_CLIENT_LABEL.value },
        // Read-only to the pod's group only (fsGroup below): the key never sits world-readable.
        volume: { name: "linstor-api-client", secret: { secretName: API_TLS_SECRETS.jobs, defaultMode: 0o440 } },
        volumeMount: { name: "linstor-api-client", mountPath: API_CLIENT_MOUNT, readOnly: true },
        env: [
            { name: "LINSTOR_CA", value: `${API_CLIENT_MOUNT}/ca.crt` },
            { name: "LINSTOR_CLIENT_CERT", value: `${API_CLIENT_MOUNT}/tls.crt` },
            { name: "LINSTOR_CLIENT_KEY", value: `${API_CLIENT_MOUNT}/tls.key` },
        ],
    };
}

/** What creates the certificates' Secrets. */
export interface ApiTlsContext {
    readonly parent: pulumi.Resource;
    readonly provider: k8s.Provider;
    /** The LINSTOR namespace (resource and name). */
    readonly namespace: k8s.core.v1.Namespace;
    readonly namespaceName: string;
}

export interface ApiTlsSecrets {
    /** Every Secret (the LinstorCluster waits for them). */
    readonly secrets: k8s.core.v1.Secret[];
    /** Our Jobs' client Secret (the resync gates and the ensure-remote Job mount it). */
    readonly jobs: k8s.core.v1.Secret;
    /** Hash of the CA and every certificate, for the pods' templates. */
    readonly hash: pulumi.Output<string>;
}

/** RFC 5280 usages as the tls provider spells them (terraform-provider-tls: snake_case names). */
const SERVER_USES = ["digital_signature", "key_encipherment", "server_auth"];
const CLIENT_USES = ["digital_signature", "key_encipherment", "client_auth"];

/**
 * A private CA (RSA 4096) and the certificates it issues, each resource named `resourceName(<part>)`; the LINSTOR API's
 * and the controller↔satellite CAs share it.
 */
export function privateCa(resourceName: (part: string) => string, commonName: string, opts: pulumi.CustomResourceOptions) {
    const rsa = (part: string) => new tls.PrivateKey(resourceName(part), { algorithm: "RSA", rsaBits: 4096 }, opts);
    const caKey = rsa("ca");
    const ca = new tls.SelfSignedCert(
        resourceName("ca"),
        {
            privateKeyPem: caKey.privateKeyPem,
            subject: { commonName },
            isCaCertificate: true,
            allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
            // Key identifiers: strict X.509 verification (Python ≥ 3.13's default context) refuses a chain without them.
            setSubjectKeyId: true,
            validityPeriodHours: API_TLS_VALIDITY.caHours,
            earlyRenewalHours: API_TLS_VALIDITY.earlyRenewalHours,
        },
        opts,
    );
    const issue = (part: string, subjectName: string, allowedUses: string[], dnsNames?: string[]) => {
        const key = rsa(part);
        const request = new tls.CertRequest(
            resourceName(part),
            { privateKeyPem: key.privateKeyPem, subject: { commonName: subjectName }, ...(dnsNames ? { dnsNames } : {}) },
            opts,
        );
        const cert = new tls.LocallySignedCert(
            resourceName(part),
            {
                certRequestPem: request.certRequestPem,
                caPrivateKeyPem: caKey.privateKeyPem,
                caCertPem: ca.certPem,
                allowedUses,
                setSubjectKeyId: true,
                validityPeriodHours: API_TLS_VALIDITY.certHours,
                earlyRenewalHours: API_TLS_VALIDITY.earlyRenewalHours,
            },
            opts,
        );
        return { key, cert };
    };
    return { ca, issue };
}

/** The CA, the server certificate and two client certificates, each in a `kubernetes.io/tls` Secret with `ca.crt`. */
export function linstorApiCertificates(p: string, ctx: ApiTlsContext): ApiTlsSecrets {
    const { ca, issue } = privateCa((n) => `${p}-linstor-api-${n}`, `${p} linstor-api-ca`, { parent: ctx.parent });
    const issued = {
        server: issue("server", "linstor-controller", SERVER_USES, controllerDnsNames(ctx.namespaceName)),
        client: issue("client", "linstor-client", CLIENT_USES),
        jobs: issue("jobs", "ha-jenkins-eks-jobs", CLIENT_USES),
    };
    const secret = (which: keyof typeof issued) =>
        new k8s.core.v1.Secret(
            `${p}-${API_TLS_SECRETS[which]}`,
            {
                metadata: { name: API_TLS_SECRETS[which], namespace: ctx.namespaceName, labels: { "app.kubernetes.io/part-of": "ha-jenkins-eks" } },
                type: "kubernetes.io/tls",
                stringData: pulumi.secret(
                    pulumi.all([issued[which].cert.certPem, issued[which].key.privateKeyPem, ca.certPem]).apply(([crt, key, caCrt]) => ({
                        "tls.crt": crt,
                        "tls.key": key,
                        "ca.crt": caCrt,
                    })),
                ),
            },
            { parent: ctx.parent, provider: ctx.provider, dependsOn: [ctx.namespace] },
        );
    const secrets = { server: secret("server"), client: secret("client"), jobs: secret("jobs") };
    // Certificates are public: their hash is not secret, and a new key always comes with a new certificate.
    const hash = pulumi
        .all([ca.certPem, issued.server.cert.certPem, issued.client.cert.certPem])
        .apply((pems) => createHash("sha256").update(pems.join("\n")).digest("hex").slice(0, 16));
    return { secrets: [secrets.server, secrets.client, secrets.jobs], jobs: secrets.jobs, hash: pulumi.unsecret(hash) };
}
