/**
 * LINSTOR's satellite protocol: TLS between controller and satellites (LinstorCluster and LinstorSatelliteConfiguration
 * `spec.internalTLS`, piraeus-operator v2.10.8 docs/how-to/internal-tls.md), and a NetworkPolicy that admits only the
 * controller on it and only satellites on DRBD's ports. Expected values are written out from upstream, not imported.
 */
import { expect } from "chai";
import { dependsOn, ofType, one, unsecret } from "../../support/mocks";
import { build } from "./fixtures";

const SECRET = "kubernetes:core/v1:Secret";
const CLUSTER = "kubernetes:piraeus.io/v1:LinstorCluster";
const SATELLITES = "kubernetes:piraeus.io/v1:LinstorSatelliteConfiguration";
const secret = (name: string) => ofType(SECRET).find((s) => s.inputs.metadata.name === name)!;
const data = (name: string) => unsecret<Record<string, string>>(secret(name).inputs.stringData);

describe("LinstorCluster: controller↔satellite TLS and the satellites' NetworkPolicy", () => {
    before(async () => {
        await build();
    });

    it("sets internalTLS on the LinstorCluster and, one Secret for every node, on the satellite configuration", () => {
        expect(one(CLUSTER).inputs.spec.internalTLS).to.deep.equal({ secretName: "linstor-controller-internal-tls" });
        // Unset, the operator would look for a Secret per node, `<node-name>-tls` (reference: .spec.internalTLS).
        expect(one(SATELLITES).inputs.spec.internalTLS).to.deep.equal({ secretName: "linstor-satellite-internal-tls" });
    });

    it("puts each certificate in a kubernetes.io/tls Secret with tls.crt, tls.key and the internal CA's ca.crt, before the CRs", () => {
        for (const [name, holder, cr] of [
            ["linstor-controller-internal-tls", "controller", CLUSTER],
            ["linstor-satellite-internal-tls", "satellite", SATELLITES],
        ]) {
            const s = secret(name);
            expect(s, name).to.not.equal(undefined);
            expect(s.inputs.metadata.namespace).to.equal("piraeus-datastore");
            expect(s.inputs.type).to.equal("kubernetes.io/tls");
            expect(Object.keys(data(name)).sort()).to.deep.equal(["ca.crt", "tls.crt", "tls.key"]);
            expect(data(name)["tls.crt"]).to.contain(`mock certificate hje-test-linstor-internal-${holder}`);
            expect(data(name)["tls.key"]).to.contain(`mock key hje-test-linstor-internal-${holder}`);
            // Its own CA: an API client certificate is no LINSTOR peer.
            expect(data(name)["ca.crt"]).to.contain("mock certificate hje-test-linstor-internal-ca").and.not.contain("linstor-api-ca");
            expect(dependsOn(one(cr), s), `${cr} waits for ${name}`).to.equal(true);
        }
    });

    it("signs both with the internal CA, for either TLS role (the controller is each satellite's TLS client)", () => {
        const certs = ofType("tls:index/locallySignedCert:LocallySignedCert").filter((c) => c.name.includes("linstor-internal-"));
        expect(certs.map((c) => c.name).sort()).to.deep.equal(["hje-test-linstor-internal-controller", "hje-test-linstor-internal-satellite"]);
        for (const c of certs) {
            expect(c.inputs.caCertPem).to.contain("hje-test-linstor-internal-ca");
            expect(c.inputs.allowedUses).to.include.members(["server_auth", "client_auth"]);
        }
        const ca = ofType("tls:index/selfSignedCert:SelfSignedCert").find((c) => c.name === "hje-test-linstor-internal-ca")!;
        expect(ca.inputs.isCaCertificate).to.equal(true);
    });

    it("rolls the controller and the satellites when the certificates change", () => {
        const key = "ha-jenkins-eks.io/linstor-internal-tls";
        const controller = one(CLUSTER).inputs.spec.controller.podTemplate;
        const satellite = one(SATELLITES).inputs.spec.podTemplate;
        expect(controller.metadata.annotations[key]).to.match(/^[0-9a-f]{16}$/);
        expect(satellite.metadata.annotations[key]).to.equal(controller.metadata.annotations[key]);
        // Next to the API certificates' hash and the tolerations, not instead of them.
        expect(controller.metadata.annotations["ha-jenkins-eks.io/linstor-api-tls"]).to.match(/^[0-9a-f]{16}$/);
        expect(controller.spec.tolerations).to.have.length.greaterThan(0);
        expect(satellite.spec.initContainers[0].name).to.equal("drbd-module-loader");
    });

    it("admits only the controller to the satellite ports and only satellites to DRBD's ports", () => {
        const policy = ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").find((p) => p.inputs.metadata.name === "linstor-satellites")!;
        expect(policy.inputs.metadata.namespace).to.equal("piraeus-datastore");
        // Labels from piraeus-operator pkg/resources/{satellite/satellite/daemonset.yaml,cluster/controller/controller-deployment.yaml};
        // 3366 plain / 3367 SSL (docs/how-to/internal-tls.md "10.116.72.142:3367 (SSL)"); DRBD 7000-7999 (LINSTOR's
        // TcpPortAutoRange default).
        const satellite = { podSelector: { matchLabels: { "app.kubernetes.io/component": "linstor-satellite" } } };
        expect(policy.inputs.spec).to.deep.equal({
            podSelector: satellite.podSelector,
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [{ podSelector: { matchLabels: { "app.kubernetes.io/component": "linstor-controller" } } }],
                    ports: [
                        { protocol: "TCP", port: 3366 },
                        { protocol: "TCP", port: 3367 },
                    ],
                },
                { from: [satellite], ports: [{ protocol: "TCP", port: 7000, endPort: 7999 }] },
            ],
        });
    });

    it("keeps the satellites on the pod network, where a NetworkPolicy applies (hostNetwork pods bypass it)", () => {
        expect(one(SATELLITES).inputs.spec.podTemplate.spec).to.not.have.property("hostNetwork");
        for (const p of ofType(SATELLITES)) expect(JSON.stringify(p.inputs.spec)).to.not.contain("hostNetwork");
    });
});
