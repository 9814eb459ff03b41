/**
 * LINSTOR's API: TLS with client certificates (the LinstorCluster's apiTLS, the tls provider's certificates in the
 * Secrets the operator reads), a NetworkPolicy that admits only its clients, and the VPC CNI that enforces it.
 */
import { expect } from "chai";
import { controllerNetworkPolicySpec } from "../../../components/linstorCluster/networkPolicy";
import { dependsOn, ofType, one, unsecret } from "../../support/mocks";
import { build } from "./fixtures";

const SECRET = "kubernetes:core/v1:Secret";
const CERT = "tls:index/locallySignedCert:LocallySignedCert";

/**
 * The pods that call LINSTOR's API under piraeus-operator v2.10.8, each with the upstream file that gives it the API
 * endpoint and a client certificate (pkg/resources/cluster/…); written out here, independent of networkPolicy.ts.
 */
const UPSTREAM_API_CLIENTS: Record<string, string> = {
    "piraeus-operator": "the operator itself (internal/controller: LinstorControllerUrl, client certificate from clientSecretName)",
    "linstor-operator": "the LINBIT distribution's operator Deployment (same code as piraeus-operator)",
    "linstor-controller": "patches/api-tls.yaml (client-tls mounted: `linstor` in the controller pod calls its own Service)",
    "linstor-csi-controller": "csi-controller/csi-controller-deployment.yaml LS_CONTROLLERS; patches/api-tls-csi-controller.yaml",
    "linstor-csi-node": "csi-node/csi-node-daemon-set.yaml LS_CONTROLLERS; patches/api-tls-csi-node.yaml",
    "linstor-affinity-controller": "patches/api-tls-affinity-controller.yaml (LS_USER_CERTIFICATE)",
    "linstor-csi-nfs-server": "patches/api-tls-nfs-server.yaml (linstor-wait-node-online LS_USER_CERTIFICATE_FILE)",
};

describe("LinstorCluster: LINSTOR's API", () => {
    before(async () => {
        await build();
    });

    it("turns on apiTLS with our Secrets, one client certificate for every operator component", () => {
        const spec = one("kubernetes:piraeus.io/v1:LinstorCluster").inputs.spec;
        expect(spec.apiTLS).to.deep.equal({
            apiSecretName: "linstor-api-tls",
            clientSecretName: "linstor-client-tls",
            csiControllerSecretName: "linstor-client-tls",
            csiNodeSecretName: "linstor-client-tls",
            affinityControllerSecretName: "linstor-client-tls",
            nfsServerSecretName: "linstor-client-tls",
        });
    });

    it("puts the certificates in kubernetes.io/tls Secrets with the CA, in the LINSTOR namespace, before the LinstorCluster", () => {
        const cr = one("kubernetes:piraeus.io/v1:LinstorCluster");
        for (const name of ["linstor-api-tls", "linstor-client-tls", "linstor-api-client-jobs"]) {
            const secret = ofType(SECRET).find((s) => s.inputs.metadata.name === name)!;
            expect(secret, name).to.not.equal(undefined);
            expect(secret.inputs.metadata.namespace).to.equal("piraeus-datastore");
            expect(secret.inputs.type).to.equal("kubernetes.io/tls");
            const data = unsecret<Record<string, string>>(secret.inputs.stringData);
            expect(Object.keys(data).sort()).to.deep.equal(["ca.crt", "tls.crt", "tls.key"]);
            expect(data["ca.crt"]).to.contain("mock certificate hje-test-linstor-api-ca");
            expect(dependsOn(cr, secret), name).to.equal(true);
        }
        const data = (name: string) =>
            unsecret<Record<string, string>>(ofType(SECRET).find((s) => s.inputs.metadata.name === name)!.inputs.stringData);
        expect(data("linstor-api-tls")["tls.crt"]).to.contain("hje-test-linstor-api-server");
        expect(data("linstor-api-tls")["tls.key"]).to.contain("mock key hje-test-linstor-api-server");
        expect(data("linstor-client-tls")["tls.crt"]).to.contain("hje-test-linstor-api-client");
        expect(data("linstor-api-client-jobs")["tls.crt"]).to.contain("hje-test-linstor-api-jobs");
        // The keys never leave Pulumi's secrets.
        const jobs = ofType(SECRET).find((s) => s.inputs.metadata.name === "linstor-api-client-jobs")!;
        expect(jobs.inputs.stringData).to.have.property("4dabf18193072939515e22adb298388d");
    });

    it("issues a server certificate for every name of the controller's Service, and client-only certificates, from one CA", () => {
        const ca = ofType("tls:index/selfSignedCert:SelfSignedCert").find((c) => c.name === "hje-test-linstor-api-ca")!;
        expect(ca.inputs.isCaCertificate).to.equal(true);
        expect(ca.inputs.allowedUses).to.include("cert_signing");
        // Strict X.509 verification (Python ≥ 3.13) wants key identifiers.
        expect(ca.inputs.setSubjectKeyId).to.equal(true);
        const request = (n: string) => ofType("tls:index/certRequest:CertRequest").find((r) => r.name.endsWith(n))!;
        expect(request("server").inputs.dnsNames).to.deep.equal([
            "linstor-controller",
            "linstor-controller.piraeus-datastore",
            "linstor-controller.piraeus-datastore.svc",
            "linstor-controller.piraeus-datastore.svc.cluster.local",
        ]);
        const cert = (n: string) => ofType(CERT).find((r) => r.name.endsWith(n))!;
        expect(cert("server").inputs.allowedUses).to.include("server_auth").and.not.include("client_auth");
        for (const client of ["client", "jobs"]) {
            expect(cert(client).inputs.allowedUses, client).to.include("client_auth").and.not.include("server_auth");
            expect(cert(client).inputs.caCertPem, client).to.contain("hje-test-linstor-api-ca");
        }
        for (const c of ofType(CERT)) {
            expect(c.inputs.validityPeriodHours).to.equal(5 * 8760);
            expect(c.inputs.earlyRenewalHours, "re-issued by any update in its last year").to.equal(8760);
        }
        for (const key of ofType("tls:index/privateKey:PrivateKey")) expect(key.inputs).to.include({ algorithm: "RSA", rsaBits: 4096 });
    });

    it("rolls every pod holding a certificate when the certificates change (their hash on the pod templates)", () => {
        const spec = one("kubernetes:piraeus.io/v1:LinstorCluster").inputs.spec;
        const hashes = ["controller", "csiController", "csiNode", "affinityController", "nfsServer"].map(
            (c) => spec[c].podTemplate.metadata.annotations["ha-jenkins-eks.io/linstor-api-tls"],
        );
        expect(hashes[0]).to.match(/^[0-9a-f]{16}$/);
        expect(new Set(hashes).size).to.equal(1);
        // The tolerations patch is still there next to it.
        expect(spec.controller.podTemplate.spec.tolerations).to.have.length.greaterThan(0);
    });

    it("admits only LINSTOR's API clients to the controller, on HTTPS, with a NetworkPolicy", () => {
        const policy = ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").find((r) => r.name === "hje-test-linstor-api")!;
        expect(policy.inputs.metadata).to.deep.equal({ name: "linstor-controller-api", namespace: "piraeus-datastore" });
        expect(policy.inputs.spec).to.deep.equal(controllerNetworkPolicySpec());
        const spec = policy.inputs.spec;
        expect(spec.podSelector).to.deep.equal({ matchLabels: { "app.kubernetes.io/component": "linstor-controller" } });
        expect(spec.policyTypes).to.deep.equal(["Ingress"]);
        expect(spec.ingress).to.have.length(1);
        expect(spec.ingress[0].ports).to.deep.equal([{ protocol: "TCP", port: 3371 }]);
        const [components, jobs] = spec.ingress[0].from;
        // Same namespace only: no namespaceSelector, so a build pod elsewhere matches nothing.
        for (const peer of spec.ingress[0].from) expect(peer).to.not.have.property("namespaceSelector");
        // Against the pods that really call the API, not the builder's constant (so dropping one fails here).
        expect([...components.podSelector.matchExpressions[0].values].sort()).to.deep.equal(Object.keys(UPSTREAM_API_CLIENTS).sort());
        expect(components.podSelector.matchExpressions[0].values).to.not.include("ha-controller");
        expect(components.podSelector.matchExpressions[0].values).to.not.include("linstor-satellite");
        expect(jobs.podSelector).to.deep.equal({ matchLabels: { "ha-jenkins-eks.io/linstor-api-client": "true" } });
    });

    it("gives every resync gate Job the client certificate's Secret, and waits for it", () => {
        const jobsSecret = ofType(SECRET).find((s) => s.inputs.metadata.name === "linstor-api-client-jobs")!;
        const gates = ofType("kubernetes:batch/v1:Job");
        expect(gates).to.have.length(3);
        for (const gate of gates) {
            expect(dependsOn(gate, jobsSecret)).to.equal(true);
            expect(gate.inputs.spec.template.spec.volumes[0].secret.secretName).to.equal("linstor-api-client-jobs");
            expect(gate.inputs.spec.template.metadata.labels["ha-jenkins-eks.io/linstor-api-client"]).to.equal("true");
        }
    });

    it("turns on the VPC CNI's network policy enforcement (without it no NetworkPolicy applies)", () => {
        expect(one("eks:index:Cluster").inputs.vpcCniOptions.enableNetworkPolicy).to.equal(true);
    });
});
