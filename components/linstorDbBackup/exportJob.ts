/**
 * The export Job of LinstorDbBackup: the script, the CronJob spec, the RBAC rules and the IAM upload policy.
 * Pure builders, tested without mocks.
 *
 * With Piraeus Operator v2 LINSTOR keeps its database in cluster-scoped custom resources of the API group
 * `internal.linstor.linbit.com` (LINBIT/linstor-server: controller/generated-resources/com/linbit/linstor/
 * dbcp/k8s/crd/). The operator only backs it up into a Secret before a schema migration
 * (piraeusdatastore/piraeus: dockerfiles/piraeus-server/entry.sh run_migration); this job adds a daily
 * off-cluster copy in the same layout, so upstream's restore procedure applies to it unchanged.
 */
import type { types } from "@pulumi/kubernetes";
import { kubeApiTokenVolume, NONROOT_POD, RESTRICTED_CONTAINER } from "../shared/podSecurity";
import type { PolicyDocument } from "../snapshots/iamPolicies";
import { BACKUP_NAME, backupKeyPrefix } from "./settings";

export const LINSTOR_DB_API_GROUP = "internal.linstor.linbit.com";

/**
 * Every resource LINSTOR's k8s database has used from 1.19.1 to 1.33.1 (the union of the generated CRDs,
 * plus LinstorVersion and Rollback from controller/src/main/resources/.../k8s/crd/). The job's RBAC names
 * exactly these; the script refuses to run when LINSTOR serves one that is not listed, instead of writing an
 * incomplete backup.
 */
export const LINSTOR_DB_RESOURCES: readonly string[] = [
    "authtokens",
    "ebsremotes",
    "files",
    "keyvaluestore",
    "layerbcachevolumes",
    "layercachevolumes",
    "layerdrbdresourcedefinitions",
    "layerdrbdresources",
    "layerdrbdvolumedefinitions",
    "layerdrbdvolumes",
    "layerluksvolumes",
    "layeropenflexresourcedefinitions",
    "layeropenflexvolumes",
    "layerresourceids",
    "layerstoragevolumes",
    "layerwritecachevolumes",
    "linstorremotes",
    "linstorversion",
    "nodeconnections",
    "nodenetinterfaces",
    "nodes",
    "nodestorpool",
    "propscontainers",
    "resourceconnections",
    "resourcedefinitions",
    "resourcegroups",
    "resources",
    "rollback",
    "s3remotes",
    "satellitescapacity",
    "schedules",
    "secaccesstypes",
    "secaclmap",
    "secconfiguration",
    "secdfltroles",
    "secidentities",
    "secidrolemap",
    "secobjectprotection",
    "secroles",
    "sectyperules",
    "sectypes",
    "spacehistory",
    "storpooldefinitions",
    "trackingdate",
    "volumeconnections",
    "volumedefinitions",
    "volumegroups",
    "volumes",
];

export const BACKUP_LABELS = { "app.kubernetes.io/name": BACKUP_NAME, "app.kubernetes.io/part-of": "ha-jenkins-eks" };
/** Format tag in every archive's manifest.json; the restore script refuses other formats. */
export const BACKUP_FORMAT = "ha-jenkins-eks/linstor-db-backup/v1";
export const WORK_DIR = "/work";
const API_TOKEN = kubeApiTokenVolume("api-token");

export interface UploadPolicyArgs {
    readonly bucketArn: string;
    readonly bucketRegion: string;
    readonly kmsKeyArn: string;
    readonly clusterName: string;
}

/**
 * Write-only access to this cluster's backup prefix: no read, list or delete anywhere (retention is the
 * bucket's lifecycle rule). SSE-KMS uploads need kms:GenerateDataKey, and multipart completion
 * kms:Decrypt (AWS S3 "Multipart upload API and permissions"); both only through S3 in the bucket region.
 */
export function linstorDbBackupUserPolicy(a: UploadPolicyArgs): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "UploadLinstorDbBackups",
                Effect: "Allow",
                Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
                Resource: `${a.bucketArn}/${backupKeyPrefix(a.clusterName)}*`,
            },
            {
                Sid: "EncryptWithBucketKeyThroughS3",
                Effect: "Allow",
                Action: ["kms:GenerateDataKey", "kms:Decrypt"],
                Resource: a.kmsKeyArn,
                Condition: { StringEquals: { "kms:ViaService": `s3.${a.bucketRegion}.amazonaws.com` } },
            },
        ],
    };
}

/** Cluster-wide rules: list the database resources (no get, watch or writes) and read their CRDs by name. */
export function linstorDbClusterRules() {
    return [
        { apiGroups: [LINSTOR_DB_API_GROUP], resources: [...LINSTOR_DB_RESOURCES], verbs: ["list"] },
        {
            apiGroups: ["apiextensions.k8s.io"],
            resources: ["customresourcedefinitions"],
            verbs: ["get"],
            resourceNames: LINSTOR_DB_RESOURCES.map((r) => `${r}.${LINSTOR_DB_API_GROUP}`),
        },
    ];
}

/** Rules in the LINSTOR namespace: read the master-passphrase Secret, nothing else. */
export function linstorDbNamespaceRules(passphraseSecretName: string) {
    return [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: [passphraseSecretName] }];
}

/**
 * Exports the database into `$WORK_DIR/out/<UTC stamp>.tar.gz` (+ `.sha256`). Resources are enumerated like
 * upstream's migration backup (`kubectl api-resources --api-group=…`). Every list is read at one etcd
 * revision (resourceVersionMatch=Exact) so the archive is a point-in-time copy although the controller keeps
 * writing: LINSTOR's transactions span several resources. Archive layout:
 *   manifest.json             format, time, cluster, revision, DB schema version, per-resource kind/count/sha256
 *   db/crds.json              the CustomResourceDefinitions (List)
 *   db/<plural>.<group>.json  every object of one resource (List, apiVersion/kind on each item)
 *   passphrase-secret.json    the master-passphrase Secret without server-set metadata
 * `kubectl create -f db/<file>` restores each file, as in upstream's restore how-to.
 */
export const EXPORT_SCRIPT = `set -euo pipefail
umask 077
log() { printf '%s %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
fail() { log "ERROR: $*"; exit 1; }
created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
stamp="\${created//[-:]/}"
stage="\${WORK_DIR}/stage"
out="\${WORK_DIR}/out"
index="\${WORK_DIR}/index.tsv"
rm -rf "\${stage}" "\${out}" "\${index}"
mkdir -p "\${stage}/db" "\${out}"

listing="$(kubectl api-resources --api-group="\${API_GROUP}" -o name)"
mapfile -t names < <(printf '%s\\n' "\${listing}" | sed '/^$/d' | sort)
[ "\${#names[@]}" -gt 0 ] || fail "the API serves no \${API_GROUP} resources: is LINSTOR using its k8s database?"
for name in "\${names[@]}"; do
  case " \${ALLOWED_RESOURCES} " in
    *" \${name%%.*} "*) ;;
    *) fail "LINSTOR serves \${name}, which this job's RBAC does not cover; update ha-jenkins-eks before trusting these backups" ;;
  esac
done
log "backing up \${#names[@]} resources of \${API_GROUP}"

crds="$(kubectl get crd "\${names[@]}" -o json)"
jq '{apiVersion: "v1", kind: "List", items: (if .kind == "List" then .items else [.] end)}' <<<"\${crds}" > "\${stage}/db/crds.json"
# name, plural, kind, and the version to read: the storage version if served, else the first served one.
table="$(jq -r '.items[] | [.metadata.name, .spec.names.plural, .spec.names.kind,
  ([.spec.versions[] | select(.served and .storage)] + [.spec.versions[] | select(.served)])[0].name] | @tsv' "\${stage}/db/crds.json")"
[ "$(printf '%s\\n' "\${table}" | sed '/^$/d' | wc -l)" -eq "\${#names[@]}" ] || fail "got \${#names[@]} resources but not as many CRDs"

read -r _ plural _ version <<<"$(printf '%s\\n' "\${table}" | head -n 1)"
revision="$(kubectl get --raw "/apis/\${API_GROUP}/\${version}/\${plural}?limit=1" | jq -r '.metadata.resourceVersion // empty')"
[[ "\${revision}" =~ ^[0-9]+$ ]] || fail "no list resourceVersion from \${plural}"
log "reading every list at resourceVersion \${revision}"

while IFS=$'\\t' read -r name plural kind version; do
  [ -n "\${name}" ] || continue
  file="\${stage}/db/\${name}.json"
  kubectl get --raw "/apis/\${API_GROUP}/\${version}/\${plural}?resourceVersion=\${revision}&resourceVersionMatch=Exact" |
    jq --arg av "\${API_GROUP}/\${version}" --arg kind "\${kind}" \\
      '{apiVersion: "v1", kind: "List", items: [.items[] | {apiVersion: $av, kind: $kind} + .]}' > "\${file}"
  count="$(jq '.items | length' "\${file}")"
  printf '%s\\t%s\\t%s\\t%s\\t%s\\n' "\${name}" "\${kind}" "\${version}" "\${count}" "$(sha256sum "\${file}" | cut -d' ' -f1)" >> "\${index}"
  log "\${kind}: \${count}"
done <<<"\${table}"

kubectl -n "\${NAMESPACE}" get secret "\${PASSPHRASE_SECRET}" -o json |
  jq 'del(.metadata.uid, .metadata.resourceVersion, .metadata.creationTimestamp, .metadata.managedFields, .metadata.selfLink, .metadata.generation, .metadata.ownerReferences)' \\
  > "\${stage}/passphrase-secret.json"
jq -e --arg k "\${PASSPHRASE_KEY}" '(.data[$k] // "") | length > 0' "\${stage}/passphrase-secret.json" > /dev/null ||
  fail "Secret \${NAMESPACE}/\${PASSPHRASE_SECRET} has no \${PASSPHRASE_KEY}"

schema="null"
if [ -f "\${stage}/db/linstorversion.\${API_GROUP}.json" ]; then
  schema="$(jq '.items[0].spec.version // null' "\${stage}/db/linstorversion.\${API_GROUP}.json")"
fi
jq -n --arg format "\${FORMAT}" --arg createdAt "\${created}" --arg cluster "\${CLUSTER_NAME}" --arg namespace "\${NAMESPACE}" \\
  --arg apiGroup "\${API_GROUP}" --arg revision "\${revision}" --argjson schema "\${schema}" --rawfile index "\${index}" \\
  --arg crdSha "$(sha256sum "\${stage}/db/crds.json" | cut -d' ' -f1)" --argjson crdCount "$(jq '.items | length' "\${stage}/db/crds.json")" \\
  --arg secret "\${PASSPHRASE_SECRET}" --arg secretKey "\${PASSPHRASE_KEY}" \\
  --arg secretSha "$(sha256sum "\${stage}/passphrase-secret.json" | cut -d' ' -f1)" '{
    format: $format, createdAt: $createdAt, cluster: $cluster, namespace: $namespace, apiGroup: $apiGroup,
    resourceVersion: $revision, linstorDbSchemaVersion: $schema,
    crds: {file: "db/crds.json", count: $crdCount, sha256: $crdSha},
    resources: [$index | split("\\n")[] | select(. != "") | split("\\t")
      | {name: .[0], kind: .[1], version: .[2], count: (.[3] | tonumber), file: ("db/" + .[0] + ".json"), sha256: .[4]}],
    passphraseSecret: {name: $secret, key: $secretKey, file: "passphrase-secret.json", sha256: $secretSha}
  } | .counts = (.resources | map({(.kind): .count}) | add)' > "\${stage}/manifest.json"

tar -C "\${stage}" -czf "\${out}/\${stamp}.tar.gz" manifest.json passphrase-secret.json db
(cd "\${out}" && sha256sum "\${stamp}.tar.gz" > "\${stamp}.tar.gz.sha256")
rm -rf "\${stage}" "\${index}"
log "packed \${stamp}.tar.gz ($(wc -c < "\${out}/\${stamp}.tar.gz") bytes) for s3://\${BUCKET}/\${KEY_PREFIX}"
`;

export interface BackupCronJobArgs {
    readonly schedule: string;
    readonly kubectlImage: string;
    readonly awsCliImage: string;
    readonly namespace: string;
    readonly serviceAccountName: string;
    readonly passphraseSecretName: string;
    readonly passphraseKey: string;
    readonly clusterName: string;
    readonly bucket: string;
    readonly bucketRegion: string;
    readonly kmsKeyArn: string;
    /** Secret with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY of the current key generation. */
    readonly credentialsSecretName: string;
}

/** The `aws` arguments of the upload container: both files, SSE-KMS with the bucket's key, in the bucket region. */
export function uploadArgs(a: Pick<BackupCronJobArgs, "bucket" | "bucketRegion" | "kmsKeyArn" | "clusterName">): string[] {
    return [
        "s3",
        "cp",
        `${WORK_DIR}/out/`,
        `s3://${a.bucket}/${backupKeyPrefix(a.clusterName)}`,
        "--recursive",
        // Named explicitly: `--sse aws:kms` alone lets S3 fall back to the AWS-managed aws/s3 key.
        "--sse",
        "aws:kms",
        "--sse-kms-key-id",
        a.kmsKeyArn,
        "--region",
        a.bucketRegion,
        "--no-progress",
    ];
}

/**
 * spec of the batch/v1 CronJob. An init container (kubectl, the only one with an API token) writes the
 * archive to an emptyDir; the main container (AWS CLI, no token) uploads it. One run at a time.
 */
export function linstorDbBackupCronJobSpec(a: BackupCronJobArgs): types.input.batch.v1.CronJobSpec {
    const exportEnv: Record<string, string> = {
        API_GROUP: LINSTOR_DB_API_GROUP,
        ALLOWED_RESOURCES: LINSTOR_DB_RESOURCES.join(" "),
        NAMESPACE: a.namespace,
        PASSPHRASE_SECRET: a.passphraseSecretName,
        PASSPHRASE_KEY: a.passphraseKey,
        CLUSTER_NAME: a.clusterName,
        BUCKET: a.bucket,
        KEY_PREFIX: backupKeyPrefix(a.clusterName),
        FORMAT: BACKUP_FORMAT,
        WORK_DIR,
        // kubectl caches discovery under $HOME; the root filesystem is read-only.
        HOME: "/tmp",
    };
    const secretEnv = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: a.credentialsSecretName, key } } });
    return {
        schedule: a.schedule,
        timeZone: "Etc/UTC",
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
            metadata: { labels: BACKUP_LABELS },
            spec: {
                backoffLimit: 2,
                activeDeadlineSeconds: 1800,
                template: {
                    metadata: { labels: BACKUP_LABELS },
                    spec: {
                        serviceAccountName: a.serviceAccountName,
                        automountServiceAccountToken: false,
                        restartPolicy: "Never",
                        securityContext: NONROOT_POD,
                        initContainers: [
                            {
                                name: "export",
                                image: a.kubectlImage,
                                // The image's entrypoint is kubectl itself.
                                command: ["/bin/bash", "-c", EXPORT_SCRIPT],
                                env: Object.entries(exportEnv).map(([name, value]) => ({ name, value })),
                                securityContext: RESTRICTED_CONTAINER,
                                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "512Mi" } },
                                volumeMounts: [{ name: "work", mountPath: WORK_DIR }, { name: "tmp", mountPath: "/tmp" }, API_TOKEN.volumeMount],
                            },
                        ],
                        containers: [
                            {
                                name: "upload",
                                image: a.awsCliImage,
                                command: ["aws"],
                                args: uploadArgs(a),
                                env: [
                                    secretEnv("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"),
                                    secretEnv("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"),
                                    // Never fall back to the node role if the static key is missing.
                                    { name: "AWS_EC2_METADATA_DISABLED", value: "true" },
                                    { name: "HOME", value: "/tmp" },
                                ],
                                securityContext: RESTRICTED_CONTAINER,
                                resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
                                volumeMounts: [
                                    { name: "work", mountPath: WORK_DIR, readOnly: true },
                                    { name: "tmp", mountPath: "/tmp" },
                                ],
                            },
                        ],
                        volumes: [
                            { name: "work", emptyDir: { sizeLimit: "1Gi" } },
                            { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                            // What automounting would provide, but only for the export container.
                            API_TOKEN.volume,
                        ],
                    },
                },
            },
        },
    };
}
