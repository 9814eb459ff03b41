/**
 * The monthly cost of the backup path and of DRBD's own replication traffic (pure): S3 storage (kept backups and the
 * noncurrent versions pruning leaves behind), S3 requests, inter-region transfer, NAT gateway data processing, and
 * inter-AZ transfer (DRBD replicating every write; a single NAT gateway reached across zones).
 *
 * Where the shipping traffic flows: LINSTOR's satellite ships from a storage node in a private subnet to
 * `https://s3.<bucket region>.amazonaws.com` (schedule.ts s3Endpoint). A VPC the stack creates has an S3 gateway
 * endpoint (linstorCluster/index.ts), but "A gateway endpoint is available only in the Region where you created it"
 * (docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html, Considerations): the primary's shipping to the
 * bucket in another region leaves through the node's NAT gateway (data processing) and crosses regions (transfer
 * out); a stack beside its bucket (a live DR copy shipping, a standby's checks and a restore downloading) goes through
 * the endpoint, no NAT. An existing VPC's routes are unknown: NAT assumed. Upper bounds: a full ships the whole claim.
 */
import type { RetentionFootprint } from "../snapshots/retention";

/**
 * AWS list prices assumed (USD, on-demand, early 2026, us-east-1 / us-east-2 / us-west-2; not a quote: check the AWS
 * pricing calculator for your regions). Sources: aws.amazon.com/s3/pricing (Storage, Requests & data retrievals),
 * aws.amazon.com/vpc/pricing (NAT gateway data processed), aws.amazon.com/ec2/pricing/on-demand (Data Transfer:
 * "to another AWS Region" and "across Availability Zones … in each direction").
 */
export const AWS_PRICES = {
    /** S3 Standard, first 50 TB, per GB-month. */
    s3StandardPerGbMonth: 0.023,
    /** S3 Standard PUT, COPY, POST and LIST requests, per 1,000. */
    s3PutListPer1000: 0.005,
    /** NAT gateway, per GB processed (either direction). */
    natProcessingPerGb: 0.045,
    /** EC2 data transfer out to another region (from US regions; other source regions cost more). */
    interRegionPerGb: 0.02,
    /** EC2 data transfer between availability zones, charged on each side (out and in). */
    interAzPerGbEachDirection: 0.01,
} as const;

/** Hours in a month, as AWS bills. */
export const HOURS_PER_MONTH = 730;
/**
 * Requests per shipment besides the data parts (estimates from linstor-server 1.33.3): PUTs: initiate and complete the
 * multipart upload, the `.meta` object (BackupToS3.java, BackupShippingS3Service.preCtrlNotifyBackupShipped); LISTs:
 * LINSTOR lists the bucket to choose the incremental base (CtrlBackupCreateApiCallHandler.getIncrementalBase),
 * linstor-csi lists backups to bound the chain, to report readiness and to prune (pkg/client/linstor.go).
 */
export const S3_REQUESTS_PER_SHIPMENT = { puts: 3, lists: 4 } as const;
/** S3 objects per backup (the data of the volume and its `.meta`), for the pages a listing reads (1,000 keys each). */
export const S3_OBJECTS_PER_BACKUP = 2;

export interface CostInputs {
    /** The Jenkins claim: a full backup ships at most this. */
    readonly claimGiB: number;
    readonly churnGiBPerHour: number;
    readonly retention: RetentionFootprint;
    /** Scheduled snapshots per day. */
    readonly runsPerDay: number;
    /** Hours between fulls (0: every backup is a full). */
    readonly fullAfterHours: number;
    /** Days a pruned backup stays as a noncurrent version (snapshotBucketNoncurrentVersionDays). */
    readonly noncurrentVersionDays: number;
    /** Replicas of the Jenkins claim: DRBD sends every write to the others, each in another zone. */
    readonly jenkinsReplicas: number;
    /** How the nodes reach the internet: `OnePerAz`, `Single` (one zone's gateway for all), or `existing` (unknown VPC). */
    readonly natGateways: "OnePerAz" | "Single" | "existing";
    readonly zones: number;
    /** The bucket is in another region than the cluster (always, for a bucket this program creates). */
    readonly crossRegion: boolean;
}

export interface CostLine {
    readonly item: string;
    readonly usdPerMonth: number;
    readonly basis: string;
}

export interface MonthlyCost {
    readonly lines: readonly CostLine[];
    readonly totalUsd: number;
    /** GiB shipped to the bucket per month. */
    readonly shippedGiBPerMonth: number;
}

const money = (n: number) => Math.round(n * 100) / 100;
const gb = (n: number) => Math.round(n);

/** The monthly cost of the backups and of DRBD's replication traffic, line by line with their basis. */
export function monthlyBackupCost(i: CostInputs): MonthlyCost {
    const p = AWS_PRICES;
    const days = HOURS_PER_MONTH / 24;
    const fullsPerDay = i.fullAfterHours === 0 ? i.runsPerDay : Math.min(i.runsPerDay, 24 / i.fullAfterHours);
    const shippedPerDay = fullsPerDay * i.claimGiB + (i.runsPerDay - fullsPerDay) * i.retention.incrementGiB;
    const shipped = shippedPerDay * days;
    const noncurrent = shippedPerDay * i.noncurrentVersionDays;
    // LINSTOR's part size: ≥ 5 MiB, a thousandth of the volume (BackupToS3.putObjectMultipart).
    const partGiB = Math.max(5 / 1024, i.claimGiB / 1000);
    const partsPerDay = fullsPerDay * Math.ceil(i.claimGiB / partGiB) + (i.runsPerDay - fullsPerDay) * Math.ceil(i.retention.incrementGiB / partGiB);
    const puts = (i.runsPerDay * S3_REQUESTS_PER_SHIPMENT.puts + partsPerDay) * days;
    const pages = Math.max(1, Math.ceil((i.retention.snapshots * S3_OBJECTS_PER_BACKUP) / 1000));
    const lists = i.runsPerDay * S3_REQUESTS_PER_SHIPMENT.lists * pages * days;
    const replicated = i.churnGiBPerHour * HOURS_PER_MONTH * Math.max(0, i.jenkinsReplicas - 1);
    const lines: CostLine[] = [
        {
            item: "S3 storage",
            usdPerMonth: (i.retention.s3GiB + noncurrent) * p.s3StandardPerGbMonth,
            basis:
                `${gb(i.retention.s3GiB)} GB of kept backups (${i.retention.fulls} fulls of ≤ ${i.claimGiB} GiB, increments of ${money(i.retention.incrementGiB)} GiB) ` +
                `+ ${gb(noncurrent)} GB of pruned ones kept ${i.noncurrentVersionDays} days as noncurrent versions, at $${p.s3StandardPerGbMonth}/GB-month`,
        },
        {
            item: "S3 requests",
            usdPerMonth: ((puts + lists) / 1000) * p.s3PutListPer1000,
            basis: `${gb(puts)} PUTs and ${gb(lists)} LISTs (${S3_REQUESTS_PER_SHIPMENT.lists} listings of ${pages} page(s) per shipment, estimate) at $${p.s3PutListPer1000}/1,000`,
        },
        {
            item: "inter-region transfer",
            usdPerMonth: i.crossRegion ? shipped * p.interRegionPerGb : 0,
            basis: i.crossRegion
                ? `${gb(shipped)} GB shipped (${money(fullsPerDay)} fulls of ≤ ${i.claimGiB} GiB and ${money(i.runsPerDay - fullsPerDay)} increments a day) at $${p.interRegionPerGb}/GB`
                : "the bucket is in the cluster's region",
        },
        natLine(i, shipped),
        {
            item: "inter-AZ DRBD replication",
            usdPerMonth: replicated * 2 * p.interAzPerGbEachDirection,
            basis:
                `every write to JENKINS_HOME goes to ${i.jenkinsReplicas - 1} replicas in other zones: ${gb(replicated)} GB (${i.churnGiBPerHour} GiB/h churn, ` +
                `a lower bound of the writes) × $${p.interAzPerGbEachDirection}/GB out and in; Prometheus' replica and resyncs not included`,
        },
    ].map((l) => ({ ...l, usdPerMonth: money(l.usdPerMonth) }));
    return { lines, totalUsd: money(lines.reduce((t, l) => t + l.usdPerMonth, 0)), shippedGiBPerMonth: gb(shipped) };
}

function natLine(i: CostInputs, shipped: number): CostLine {
    const p = AWS_PRICES;
    if (i.natGateways === "existing") {
        return {
            item: "NAT data processing",
            usdPerMonth: shipped * p.natProcessingPerGb,
            basis: `assumed: an existing VPC's route to S3 is unknown; through a NAT gateway ${gb(shipped)} GB × $${p.natProcessingPerGb}/GB`,
        };
    }
    if (!i.crossRegion) {
        return {
            item: "NAT data processing",
            usdPerMonth: 0,
            basis: "none: the VPC's S3 gateway endpoint carries the traffic to the bucket in the cluster's region (restores and checks too)",
        };
    }
    // With one gateway, nodes in the other zones reach it across zones.
    const crossAz = i.natGateways === "Single" ? shipped * (1 - 1 / i.zones) * 2 * p.interAzPerGbEachDirection : 0;
    return {
        item: "NAT data processing",
        usdPerMonth: shipped * p.natProcessingPerGb + crossAz,
        basis:
            `${gb(shipped)} GB through the NAT gateway (no S3 gateway endpoint serves a bucket in another region) at $${p.natProcessingPerGb}/GB` +
            (crossAz > 0 ? ` + $${money(crossAz)} inter-AZ to the single gateway` : ""),
    };
}

/** The cost as text, for the offline plan. */
export function formatMonthlyCost(c: MonthlyCost): string {
    const lines = [`Backup and replication traffic, monthly (AWS list prices, components/rto/cost.ts AWS_PRICES): $${c.totalUsd.toFixed(2)}`];
    for (const l of c.lines) lines.push(`    ${l.item.padEnd(26)} ${`$${l.usdPerMonth.toFixed(2)}`.padStart(9)}  ${l.basis}`);
    return lines.join("\n");
}
