/**
 * Every LINSTOR/DRBD property and linstor-csi parameter the component registers is in the table
 * (components/linstorCluster/linstorProperties.ts) and valid for the LINSTOR / linstor-csi that the pinned operator
 * deploys (2.10.7) and the next patch release (2.10.8): operatorReleases.ts `OPERATOR_BUNDLED_IMAGES`.
 */
import { expect } from "chai";
import { LinstorCluster } from "../../../components/linstorCluster";
import {
    LINSTOR_CSI_PARAMETER_KEYS_1_11,
    LINSTOR_PROPERTIES,
    type LinstorObject,
    linstorPropertyProblem,
    RETIRED_LINSTOR_PROPERTIES,
} from "../../../components/linstorCluster/linstorProperties";
import { OPERATOR_BUNDLED_IMAGES } from "../../../components/linstorCluster/operatorReleases";
import { LINSTOR_CLUSTER_DEFAULTS, type LinstorClusterSettings } from "../../../components/linstorCluster/settings";
import { PROPERTY_PREFIX } from "../../../components/linstorCluster/storageClasses";
import { clusterSettings } from "../../support/fixtures";
import { linstorClasses, one, outputValue, resetRecords, settle } from "../../support/mocks";

const CSI_PREFIX = "linstor.csi.linbit.com/";

interface Emitted {
    key: string;
    value: string;
    object: LinstorObject;
    where: string;
}

/** What the component writes into LINSTOR: LinstorCluster/LinstorSatelliteConfiguration properties, StorageClass `property.` keys. */
async function emitted(overrides: Partial<LinstorClusterSettings>): Promise<{ props: Emitted[]; csiKeys: string[] }> {
    resetRecords();
    const cluster = new LinstorCluster("hje-test", clusterSettings(overrides));
    await outputValue(cluster.clusterName);
    await settle();
    const props: Emitted[] = [];
    const lc = one("kubernetes:piraeus.io/v1:LinstorCluster").inputs.spec;
    for (const p of lc.properties ?? []) props.push({ key: p.name, value: p.value, object: "controller", where: "LinstorCluster.spec.properties" });
    const sat = one("kubernetes:piraeus.io/v1:LinstorSatelliteConfiguration").inputs.spec;
    // Satellite and storage-pool properties are node/pool properties: the table has none, so any would fail below.
    for (const p of [...(sat.properties ?? []), ...(sat.storagePools ?? []).flatMap((sp: any) => sp.properties ?? [])]) {
        props.push({ key: p.name, value: p.value, object: "node" as LinstorObject, where: "LinstorSatelliteConfiguration" });
    }
    const csiKeys: string[] = [];
    for (const sc of linstorClasses()) {
        for (const [k, v] of Object.entries<string>(sc.inputs.parameters)) {
            if (k.startsWith(PROPERTY_PREFIX))
                props.push({ key: k.slice(PROPERTY_PREFIX.length), value: v, object: "resource-group", where: sc.inputs.metadata.name });
            else if (k.startsWith(CSI_PREFIX)) csiKeys.push(k.slice(CSI_PREFIX.length));
            // linstor-csi also takes bare `DrbdOptions/...` keys as properties (parameter.go); the program must not use them.
            else throw new Error(`${sc.inputs.metadata.name}: parameter ${k} outside the linstor-csi namespaces`);
        }
    }
    return { props, csiKeys };
}

describe("LINSTOR properties the program writes", () => {
    const variants: [string, Partial<LinstorClusterSettings>][] = [
        ["defaults", {}],
        ["every optional property", { drbdDisableFlushes: true, drbdPeerSlots: 3, drbdMaxBuffers: 131072, storageClassReplicas: [1, 2, 3] }],
    ];

    for (const [name, overrides] of variants) {
        for (const [operator, images] of Object.entries(OPERATOR_BUNDLED_IMAGES)) {
            it(`${name}: each is in the table and valid for LINSTOR ${images.linstor} (operator ${operator})`, async () => {
                const { props } = await emitted(overrides);
                expect(props.length).to.be.greaterThan(0);
                const problems = props
                    .map((p) => [p, linstorPropertyProblem(p.key, p.value, p.object, images.linstor)] as const)
                    .filter(([, problem]) => problem !== undefined)
                    .map(([p, problem]) => `${p.where}: ${problem}`);
                expect(problems).to.deep.equal([]);
            });
        }
    }

    it("the pinned operator is in the table of bundled versions", () => {
        expect(OPERATOR_BUNDLED_IMAGES).to.have.property(LINSTOR_CLUSTER_DEFAULTS.piraeusOperatorChartVersion);
    });

    it("every StorageClass parameter in linstor-csi's own namespace is one it parses (v1.11.2/v1.11.3)", async () => {
        const { csiKeys } = await emitted({ drbdDisableFlushes: true });
        expect(csiKeys.length).to.be.greaterThan(0);
        for (const k of csiKeys) expect(LINSTOR_CSI_PARAMETER_KEYS_1_11, k).to.include(k.toLowerCase());
    });

    it("the 3-replica class really sets majority quorum with suspend-io, and no retired key", async () => {
        const { props } = await emitted({});
        const r3 = Object.fromEntries(props.filter((p) => p.where.endsWith("-r3")).map((p) => [p.key, p.value]));
        expect(r3).to.include({
            "DrbdOptions/Resource/quorum": "majority",
            "DrbdOptions/Resource/on-no-quorum": "suspend-io",
            "DrbdOptions/Resource/on-suspended-primary-outdated": "force-secondary",
        });
        for (const retired of RETIRED_LINSTOR_PROPERTIES) expect(props.map((p) => p.key)).to.not.include(retired.key);
    });

    it("the table refuses what LINSTOR 1.33.3 would: retired keys, unknown keys, bad values, wrong objects, newer keys", () => {
        expect(linstorPropertyProblem("DrbdOptions/auto-quorum", "disabled", "resource-group", "1.33.3")).to.match(/retired: no effect from 1.31.0/);
        expect(linstorPropertyProblem("DrbdOptions/Resource/quorum", "most", "resource-group", "1.33.3")).to.match(/not a valid value/);
        expect(linstorPropertyProblem("DrbdOptions/Disk/disk-flushes", "false", "resource-group", "1.33.3")).to.match(/yes \| no/);
        expect(linstorPropertyProblem("DrbdOptions/Net/max-buffers", "131073", "resource-group", "1.33.3")).to.match(/32–131072/);
        expect(linstorPropertyProblem("PeerSlotsNewResource", "3", "resource-group", "1.33.3")).to.match(/not written on the resource-group/);
        expect(linstorPropertyProblem("DrbdOptions/Resource/on-suspended-primary-outdated", "force-secondary", "resource-group", "1.18.2")).to.match(
            /needs LINSTOR 1.19.0/,
        );
        expect(linstorPropertyProblem("DrbdOptions/Net/rr-conflict", "retry-connect", "resource-group", "1.33.3")).to.match(/not in the table/);
        for (const rule of LINSTOR_PROPERTIES) expect(rule.source, rule.key).to.match(/linstor-common/);
    });
});
