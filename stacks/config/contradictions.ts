/**
 * Keys that contradict each other or that the stack would ignore: reported, never resolved silently. Only the reader
 * knows which keys a stack sets (the components see every field filled in), so these checks live here. A key with a
 * default in Pulumi.yaml is always present: for those, "set" means "set to something else than the default".
 *
 * The components check the contradictions they can see themselves (IOPS on a volume type that ignores them, a TLS
 * certificate without a load balancer, source ranges of a ClusterIP Service, …), so library users get them too.
 */
import { JENKINS_DEFAULTS, type JenkinsSettings } from "../../components/jenkins/settings";
import { LINSTOR_CLUSTER_DEFAULTS } from "../../components/linstorCluster/settings";
import { CREATE_BUCKET_DEFAULTS } from "../../components/snapshots/settings";
import { DR_DEFAULTS, DR_ONLY_KEYS, REUSED_JENKINS_SETTINGS } from "./dr";
import { jenkinsConfigKey } from "./jenkins";
import type { ConfigReader } from "./reader";

/** What contradictions need to know besides the reader: the stack's role and the values as read. */
export interface ReadValues {
    readonly role: string;
    readonly linstorDistribution: string;
    readonly drSnapshotsEnabled: boolean;
    readonly jenkins: JenkinsSettings;
}

/** Keys only a DR stack reads (a primary would ignore them). */
const DR_ONLY = DR_ONLY_KEYS;
/** Keys of the bucket a primary creates and of a primary's own restore: a DR stack references the primary's bucket. */
const PRIMARY_ONLY = [
    "snapshotBucketRegion",
    "snapshotBucketName",
    "snapshotBucketObjectLockMode",
    "snapshotBucketObjectLockDays",
    "snapshotBucketExpireCurrentObjectsDays",
    "snapshotBucketAccessLogBucket",
    "restoreFromSnapshot",
] as const;
/** Primary-only keys with a Pulumi.yaml default: "set" when they differ from it. */
const PRIMARY_ONLY_WITH_DEFAULT: Readonly<Record<string, string>> = {
    snapshotBucketNoncurrentVersionDays: String(CREATE_BUCKET_DEFAULTS.noncurrentVersionExpirationDays),
    snapshotBucketAbortMultipartDays: String(CREATE_BUCKET_DEFAULTS.abortIncompleteMultipartUploadDays),
    snapshotBucketAccessLogPrefix: CREATE_BUCKET_DEFAULTS.accessLogPrefix,
};

/** Records (via `r.report`) every contradiction between the keys a stack sets. */
export function reportContradictions(r: ConfigReader, v: ReadValues): void {
    const set = (key: string) => r.isSet(key);
    const changed = (key: string, fallback: string) => set(key) && r.raw(key) !== fallback;
    if (set("azCount") && set("availabilityZones")) {
        r.report(
            "azCount",
            r.raw("azCount"),
            `availabilityZones decides the zones and their number; azCount only says how many to look up when no list is given. Remove one of the two.`,
        );
    }
    if (set("vpcId")) {
        if (set("vpcCidr")) r.report("vpcCidr", r.raw("vpcCidr"), "With vpcId the stack creates no VPC, so this CIDR would be ignored; remove it.");
        if (changed("natGateways", LINSTOR_CLUSTER_DEFAULTS.natGateways)) {
            r.report("natGateways", r.raw("natGateways"), "With vpcId the stack creates no VPC and no NAT gateway; egress is your VPC's. Remove it.");
        }
    } else {
        for (const key of ["privateSubnetIds", "publicSubnetIds"]) {
            if (set(key))
                r.report(
                    key,
                    r.raw(key),
                    "Subnets are used only in an existing VPC: set vpcId too, or remove them (the stack then creates its VPC).",
                );
        }
    }
    // Access logging is on only with a target bucket (components/snapshots/bucket.ts): a prefix alone would be ignored.
    if (changed("snapshotBucketAccessLogPrefix", CREATE_BUCKET_DEFAULTS.accessLogPrefix) && !set("snapshotBucketAccessLogBucket")) {
        r.report(
            "snapshotBucketAccessLogPrefix",
            r.raw("snapshotBucketAccessLogPrefix"),
            "Access logging is off without snapshotBucketAccessLogBucket, so this prefix would be ignored: set that bucket too, or remove it.",
        );
    }
    if (v.linstorDistribution !== "linbit") {
        for (const key of ["drbdIoUsername", "drbdIoPassword"]) {
            if (set(key)) {
                r.report(
                    key,
                    key === "drbdIoPassword" ? "(secret value hidden)" : r.raw(key),
                    "Only the LINBIT distribution (linstorDistribution: linbit) pulls from drbd.io; remove it.",
                );
            }
        }
    }
    if (v.role === "primary") {
        for (const key of DR_ONLY)
            if (set(key)) r.report(key, r.raw(key), "Only a DR stack (role: dr) reads this key; remove it from this primary stack.");
        if (changed("drSnapshotsEnabled", "false"))
            r.report("drSnapshotsEnabled", r.raw("drSnapshotsEnabled"), "Only a DR stack (role: dr) reads this key.");
        if (changed("remoteJobImage", DR_DEFAULTS.remoteJobImage))
            r.report("remoteJobImage", r.raw("remoteJobImage"), "Only a DR stack (role: dr) reads this key.");
    }
    if (v.role === "dr") {
        const why = "A DR stack creates no bucket and restores from the primary's (its outputs): set this on the primary stack, or remove it.";
        for (const key of PRIMARY_ONLY) if (set(key)) r.report(key, r.raw(key), why);
        for (const [key, fallback] of Object.entries(PRIMARY_ONLY_WITH_DEFAULT)) if (changed(key, fallback)) r.report(key, r.raw(key), why);
        if (set("onDemandSnapshotName") && !v.drSnapshotsEnabled) {
            r.report(
                "onDemandSnapshotName",
                r.raw("onDemandSnapshotName"),
                "A DR stack takes snapshots only with drSnapshotsEnabled: true; set that or remove this.",
            );
        }
        // The DR copy runs what the primary runs (stacks/dr.ts drJenkinsConfig): a different value here would be overridden.
        // Without a primary to read, this stack's own jenkins* keys are what runs.
        for (const field of set("primaryStack") ? REUSED_JENKINS_SETTINGS : []) {
            if (JSON.stringify(v.jenkins[field]) !== JSON.stringify((JENKINS_DEFAULTS as unknown as Record<string, unknown>)[field])) {
                r.report(
                    jenkinsConfigKey(field),
                    v.jenkins[field],
                    "A DR stack runs the primary's Jenkins (image, plugins, resources: taken from its outputs); set this on the primary stack, or remove it here.",
                );
            }
        }
    }
}
