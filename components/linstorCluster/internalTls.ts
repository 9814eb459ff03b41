/**
 * TLS between the LINSTOR controller and its satellites (port 3367 instead of plain 3366), the way piraeus-operator
 * v2.10.8 documents it with manually created Secrets (docs/how-to/internal-tls.md, "Provision Keys and Certificates
 * Using openssl"; docs/reference/linstorsatelliteconfiguration.md `.spec.internalTLS`).
 *
 * Why: without it a satellite takes any peer that connects as its controller (linstor-server v1.33.3
 * StltApiCallHandler: "In the absence of any means of identification, assume the identity of the privileged API
 * context"), and the controller sends the master key and the encrypted S3 keys over that channel. With TLS each side
 * demands a certificate signed by the `ca.crt` of its own Secret: only a holder of one of these keys is a peer.
 *
 * One certificate for every satellite: satellites come and go with the nodes, and the satellite configuration's
 * `secretName` is "setting it for all nodes" (the reference's example; the how-to signs one `linstor-satellite`
 * key for all of them). Unset, it would default to a Secret per node (`<node-name>-tls`), which only a controller in
 * the cluster (cert-manager) could create for nodes Pulumi never sees. The names carry no host: LINSTOR checks the
 * chain, not the name (the how-to's certificates have only a CN and serve every node's address). A separate CA from
 * the REST API's (apiTls.ts): an API client certificate is no satellite or controller here, nor the reverse.
 */
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type ApiTlsContext, privateCa } from "./apiTls";

/** The Secrets in the LINSTOR namespace (names as upstream's how-to). */
export const INTERNAL_TLS_SECRETS = {
    controller: "linstor-controller-internal-tls",
    satellite: "linstor-satellite-internal-tls",
} as const;

/** Satellite ports: plain without internalTLS, SSL with it (piraeus-operator linstorsatellite_controller.go; satellite patches/internal-tls.yaml). */
export const SATELLITE_PORTS = { plain: 3366, ssl: 3367 } as const;

/** Annotation on the controller's and the satellites' pod templates: new certificates roll them. */
export const INTERNAL_TLS_HASH_ANNOTATION = "ha-jenkins-eks.io/linstor-internal-tls";

/** LinstorCluster `spec.internalTLS` (the controller's Secret). */
export function controllerInternalTlsSpec(): Record<string, string> {
    return { secretName: INTERNAL_TLS_SECRETS.controller };
}

/** LinstorSatelliteConfiguration `spec.internalTLS` (one Secret for every satellite). */
export function satelliteInternalTlsSpec(): Record<string, string> {
    return { secretName: INTERNAL_TLS_SECRETS.satellite };
}

export interface InternalTlsSecrets {
    readonly secrets: k8s.core.v1.Secret[];
    /** Hash of the CA and both certificates, for the pods' templates. */
    readonly hash: pulumi.Output<string>;
}

/**
 * The CA and two certificates. Each gets both TLS usages: the controller is the TLS client of each satellite's
 * server, and the how-to's certificates carry no extended key usage at all (so either role is accepted by Java).
 */
export function linstorInternalCertificates(p: string, ctx: ApiTlsContext): InternalTlsSecrets {
    const name = (n: string) => `${p}-linstor-internal-${n}`;
    const { ca, issue: issueCert } = privateCa(name, `${p} linstor-internal-ca`, { parent: ctx.parent });
    const issue = (which: keyof typeof INTERNAL_TLS_SECRETS) => {
        const { key, cert } = issueCert(which, `linstor-${which}`, ["digital_signature", "key_encipherment", "server_auth", "client_auth"]);
        const secret = new k8s.core.v1.Secret(
            name(`${which}-secret`),
            {
                metadata: {
                    name: INTERNAL_TLS_SECRETS[which],
                    namespace: ctx.namespaceName,
                    labels: { "app.kubernetes.io/part-of": "ha-jenkins-eks" },
                },
                type: "kubernetes.io/tls",
                stringData: pulumi.secret(
                    pulumi
                        .all([cert.certPem, key.privateKeyPem, ca.certPem])
                        .apply(([crt, k, caCrt]) => ({ "tls.crt": crt, "tls.key": k, "ca.crt": caCrt })),
                ),
            },
            { parent: ctx.parent, provider: ctx.provider, dependsOn: [ctx.namespace] },
        );
        return { cert, secret };
    };
    const controller = issue("controller");
    const satellite = issue("satellite");
    const hash = pulumi
        .all([ca.certPem, controller.cert.certPem, satellite.cert.certPem])
        .apply((pems) => createHash("sha256").update(pems.join("\n")).digest("hex").slice(0, 16));
    return { secrets: [controller.secret, satellite.secret], hash: pulumi.unsecret(hash) };
}
