#!/usr/bin/env bash
# Restores the LINSTOR database (the internal.linstor.linbit.com resources) from an archive written by the
# LinstorDbBackup CronJob, following piraeusdatastore/piraeus-operator docs/how-to/restore-linstor-db.md:
# stop the operator, then the controller; export the current state; delete the database CRDs; create the
# backup; start the operator and the controller again. Restores the master-passphrase Secret if it is gone.
#
# Dry run by default: downloads and verifies the archive and reads the cluster, but only prints the steps that
# change anything. --apply executes them (after a confirmation, or --yes).
#
# Fails closed: it acts only on the cluster the backup was taken from (the EKS cluster the kube context's
# credentials are issued for must be the archive's), a kubectl that fails is never read as "nothing there", and the
# archive and everything extracted from it (it holds the master passphrase) are removed on every exit.
set -euo pipefail
# The archive holds the master passphrase: keep everything written here private.
umask 077

API_GROUP=internal.linstor.linbit.com
FORMAT=ha-jenkins-eks/linstor-db-backup/v1
OPERATOR_SELECTOR='app.kubernetes.io/component in (piraeus-operator,linstor-operator)'
POLL_SECONDS=${POLL_SECONDS:-5}

usage() {
  cat <<'EOF'
Usage: restoreLinstorDb.sh (--bucket B --region R (--key K | --prefix P --latest) | --archive FILE) [options]

Source of the archive (one of):
  --bucket NAME --region REGION --key linstor-db/<cluster>/<stamp>.tar.gz   a given archive in S3
  --bucket NAME --region REGION --prefix linstor-db/<cluster>/ --latest     the newest archive under the prefix
  --archive FILE                  a local archive (FILE.sha256 must sit next to it)

Options:
  --namespace NS                  LINSTOR namespace (default piraeus-datastore; LINBIT SDS: linbit-sds)
  --operator-deployment NAME      operator Deployment (default: the one labelled as the Piraeus/LINBIT operator)
  --controller-deployment NAME    LINSTOR controller Deployment (default linstor-controller)
  --passphrase-secret NAME        master-passphrase Secret (default linstor-passphrase)
  --context NAME                  kubectl context
  --work-dir DIR                  where the archive and the pre-restore export go (default: a new temp dir)
  --timeout DURATION              for rollouts, waits and deletions, whole seconds (default 600s)
  --dry-run                       print the changing steps without running them (default)
  --apply                         run them
  --yes                           do not ask for confirmation with --apply
Environment: POLL_SECONDS (whole seconds between checks of the waits, default 5).
EOF
}

mode=dry-run bucket="" region="" key="" prefix="" latest=false archive="" namespace=piraeus-datastore
operator="" controller=linstor-controller passphrase=linstor-passphrase context="" work="" timeout=600s yes=false
while [ $# -gt 0 ]; do
  case "$1" in
    --bucket|--region|--key|--prefix|--archive|--namespace|--operator-deployment|--controller-deployment|\
    --passphrase-secret|--context|--work-dir|--timeout)
      { [ $# -ge 2 ] && [ -n "$2" ]; } || { echo "$1 needs a value" >&2; exit 2; } ;;&
    --bucket) bucket="$2"; shift 2 ;;
    --region) region="$2"; shift 2 ;;
    --key) key="$2"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    --latest) latest=true; shift ;;
    --archive) archive="$2"; shift 2 ;;
    --namespace) namespace="$2"; shift 2 ;;
    --operator-deployment) operator="$2"; shift 2 ;;
    --controller-deployment) controller="$2"; shift 2 ;;
    --passphrase-secret) passphrase="$2"; shift 2 ;;
    --context) context="$2"; shift 2 ;;
    --work-dir) work="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    --dry-run) mode=dry-run; shift ;;
    --apply) mode=apply; shift ;;
    --yes) yes=true; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

log() { printf '==> %s\n' "$*" >&2; }
fail() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
kc() { if [ -n "${context}" ]; then kubectl --context "${context}" "$@"; else kubectl "$@"; fi; }
{ [[ "${POLL_SECONDS}" =~ ^[0-9]+$ ]] && [ "${#POLL_SECONDS}" -le 4 ]; } || fail "POLL_SECONDS must be a whole number of seconds (0-9999), got '${POLL_SECONDS}'"
# A step that changes the cluster: printed in a dry run, printed and run with --apply.
run() {
  if [ "${mode}" = apply ]; then
    printf '+ %s\n' "$*" >&2
    "$@"
  else
    printf '[dry-run] would run: %s\n' "$*" >&2
  fi
}
# The same for a shell function, described in words.
run_fn() {
  local description="$1"
  shift
  if [ "${mode}" = apply ]; then
    printf '+ %s\n' "${description}" >&2
    "$@"
  else
    printf '[dry-run] would %s\n' "${description}" >&2
  fi
}

if [ -n "${archive}" ]; then
  { [ -z "${bucket}${key}${prefix}" ] && [ "${latest}" = false ]; } || fail "--archive excludes --bucket/--key/--prefix/--latest"
else
  { [ -n "${bucket}" ] && [ -n "${region}" ]; } || fail "give --bucket and --region (or --archive)"
  if [ "${latest}" = true ]; then
    { [ -n "${prefix}" ] && [ -z "${key}" ]; } || fail "--latest needs --prefix and excludes --key"
  else
    [ -n "${key}" ] || fail "give --key, or --prefix with --latest"
  fi
fi
[[ "${timeout}" =~ ^[1-9][0-9]{0,5}s$ ]] || fail "--timeout takes whole seconds from 1s to 999999s, such as 600s; got '${timeout}'"
for tool in kubectl jq tar sha256sum; do command -v "${tool}" > /dev/null || fail "${tool} is not on PATH"; done
[ -n "${archive}" ] || command -v aws > /dev/null || fail "aws is not on PATH"

work="${work:-$(mktemp -d -t linstor-db-restore.XXXXXX)}"
mkdir -p "${work}"
log "mode: ${mode}; working directory: ${work}"
# A second run must not overwrite the first one's export: it may be the only copy of the database before it.
if [ "${mode}" = apply ] && [ -e "${work}/pre-restore" ]; then
  fail "${work}/pre-restore exists from an earlier run and may be the only copy of the database before it; move it away or give another --work-dir"
fi

# On every exit (success, failure, Ctrl-C, kill): remove the archive this run downloaded and everything extracted
# from it (they hold the master passphrase); after a failure half-way, say how to undo.
changing=false downloaded="" extract="${work}/extracted" operator_replicas=1 controller_replicas=1
pods_file="${work}/pods.txt"
on_exit() {
  local status=$?
  rm -rf "${extract}" "${pods_file}"
  if [ -n "${downloaded}" ]; then rm -f "${downloaded}" "${downloaded}.sha256"; fi
  if [ "${changing}" = true ] && [ "${status}" -ne 0 ]; then
    cat >&2 <<EOF

ERROR: the restore stopped half-way; the operator and the controller may be scaled to 0.
The database as it was before is in ${work}/pre-restore (kubectl create -f each file there to go back);
to restore the backup again, run this script again with another --work-dir. Then start them again:
    kubectl -n ${namespace} scale deployment ${operator:-<operator>} --replicas ${operator_replicas}
    kubectl -n ${namespace} scale deployment ${controller} --replicas ${controller_replicas}
EOF
  fi
}
trap on_exit EXIT
# A signal ends the script through exit, so the EXIT trap runs (bash runs no EXIT trap when a signal kills it).
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. Fetch the archive and its checksum (read-only, also in a dry run).
if [ -z "${archive}" ]; then
  if [ "${latest}" = true ]; then
    prefix="${prefix%/}/"
    listing="$(aws s3 ls "s3://${bucket}/${prefix}" --region "${region}")"
    key="$(printf '%s\n' "${listing}" | awk '{print $NF}' | grep -E '^[0-9]{8}T[0-9]{6}Z\.tar\.gz$' | sort | tail -n 1 || true)"
    [ -n "${key}" ] || fail "no archive under s3://${bucket}/${prefix}"
    key="${prefix}${key}"
  fi
  log "downloading s3://${bucket}/${key}"
  archive="${work}/${key##*/}"
  downloaded="${archive}"
  aws s3 cp "s3://${bucket}/${key}" "${work}/" --region "${region}"
  aws s3 cp "s3://${bucket}/${key}.sha256" "${work}/" --region "${region}"
fi
[ -f "${archive}" ] || fail "no archive at ${archive}"
[ -f "${archive}.sha256" ] || fail "no checksum file ${archive}.sha256"

# 2. Verify: archive checksum, format, every file's checksum and item count against the manifest.
(cd "$(dirname "${archive}")" && sha256sum --check --status "$(basename "${archive}").sha256") ||
  fail "checksum mismatch for ${archive}"
rm -rf "${extract}" && mkdir -p "${extract}"
tar -xzf "${archive}" -C "${extract}"
manifest="${extract}/manifest.json"
[ -f "${manifest}" ] || fail "the archive has no manifest.json"
# One jq start-up reads every field of the manifest, each as `jq -r <field>` prints it ("" where jq cannot read it),
# as shell assignments (@sh quotes them); an unreadable manifest leaves them all empty.
manifest_format="" crds_file="" crds_sha256="" crds_count="" resources_tsv="" resources_listing="" secret_entry=""
secret_sha256="" secret_key="" backup_cluster="" created_at="" schema_version=""
manifest_fields="$(jq -r 'def field(f): try (f | if type == "string" then . else tojson end) catch "";
  {manifest_format: field(.format), crds_file: field(.crds.file), crds_sha256: field(.crds.sha256),
   crds_count: field(.crds.count), resources_tsv: field([.resources[] | [.file, .sha256, .count] | @tsv] | join("\n")),
   resources_listing: field([.resources[] | select(.count > 0) | "    \(.kind): \(.count)"] | join("\n")),
   secret_entry: field(.passphraseSecret.file), secret_sha256: field(.passphraseSecret.sha256),
   secret_key: field(.passphraseSecret.key), backup_cluster: field(.cluster // ""), created_at: field(.createdAt),
   schema_version: field(.linstorDbSchemaVersion)} | to_entries[] | "\(.key)=\(.value | @sh)"' "${manifest}")" ||
  manifest_fields=""
eval "${manifest_fields}"
[ "${manifest_format}" = "${FORMAT}" ] || fail "unknown archive format ${manifest_format}"
verify_file() { # file sha256 [count]
  [ -f "${extract}/$1" ] || fail "the archive lacks $1"
  [ "$(sha256sum "${extract}/$1" | cut -d' ' -f1)" = "$2" ] || fail "checksum mismatch for $1"
  if [ $# -gt 2 ]; then
    [ "$(jq '.items | length' "${extract}/$1")" = "$3" ] || fail "$1 does not hold $3 items"
  fi
}
verify_file "${crds_file}" "${crds_sha256}" "${crds_count}"
# A resources list jq cannot read is empty here, so this refuses it.
{ [ "$(printf '%s\n' "${resources_tsv}" | sed '/^$/d' | wc -l)" -eq "${crds_count}" ] &&
  [ "${crds_count}" -gt 0 ]; } || fail "the manifest lists not one resource file per CRD"
while IFS=$'\t' read -r file sha count; do
  verify_file "${file}" "${sha}" "${count}"
done <<<"${resources_tsv}"
verify_file "${secret_entry}" "${secret_sha256}"
secret_file="${extract}/${secret_entry}"
backup_passphrase="$(jq -r --arg k "${secret_key}" '.data[$k] // empty' "${secret_file}")"
[ -n "${backup_passphrase}" ] || fail "the archived Secret has no ${secret_key}"
[ "$(jq -r .metadata.name "${secret_file}")" = "${passphrase}" ] ||
  fail "the archived passphrase Secret is $(jq -r .metadata.name "${secret_file}"), not ${passphrase}"
[ -n "${backup_cluster}" ] || fail "the manifest names no cluster"
log "archive OK: cluster ${backup_cluster}, taken ${created_at}, DB schema ${schema_version}"
[ -z "${resources_listing}" ] || printf '%s\n' "${resources_listing}" >&2

# 3a. Prove the kube context reaches the cluster the backup was taken from: EKS accepts a token only for the cluster
# named when it was issued (`aws eks get-token --cluster-name`, as in the stack's kubeconfig output and
# `aws eks update-kubeconfig`). Without that proof, refuse: a wrong context would lose another cluster's database.
kubeconfig_json="$(kc config view --minify -o json)" || fail "kubectl cannot read the kube context"
context_cluster="$(jq -r '[.users[0].user.exec.args // [] | . as $a | range(length - 1)
  | select($a[.] == "--cluster-name" or $a[.] == "--cluster-id" or $a[.] == "-i") | $a[. + 1]] | first // empty' <<<"${kubeconfig_json}")"
context_server="$(jq -r '.clusters[0].cluster.server // empty' <<<"${kubeconfig_json}")"
[ -n "${context_cluster}" ] ||
  fail "cannot prove that the kube context (server ${context_server:-unknown}) is cluster ${backup_cluster}: its credentials name no EKS cluster; use the stack's kubeconfig (pulumi stack output kubeconfig --show-secrets) or aws eks update-kubeconfig --name ${backup_cluster}"
[ "${context_cluster}" = "${backup_cluster}" ] ||
  fail "the kube context is cluster ${context_cluster} (${context_server:-unknown server}), the backup is of ${backup_cluster}: refusing"
log "kube context: cluster ${context_cluster} at ${context_server:-unknown server}, the backup's cluster"

# 3. Read the cluster (read-only): namespace, deployments and their replicas, passphrase, current database.
kc get namespace "${namespace}" > /dev/null || fail "no namespace ${namespace}"
if [ -z "${operator}" ]; then
  found="$(kc -n "${namespace}" get deployment -l "${OPERATOR_SELECTOR}" -o name)"
  [ "$(printf '%s\n' "${found}" | sed '/^$/d' | wc -l)" -eq 1 ] ||
    fail "found operator deployments '${found//$'\n'/ }'; name it with --operator-deployment"
  operator="${found#*/}"
fi
# Replicas and the pod selector of a Deployment (matchLabels; apps/v1 requires a selector).
deployment_json() { kc -n "${namespace}" get deployment "$1" -o json; }
replicas_of() { jq -r '.spec.replicas // 1' <<<"$1"; }
selector_of() { jq -r '.spec.selector.matchLabels // {} | to_entries | map("\(.key)=\(.value)") | join(",")' <<<"$1"; }
operator_json="$(deployment_json "${operator}")" || fail "cannot read deployment ${operator}"
controller_json="$(deployment_json "${controller}")" || fail "cannot read deployment ${controller}"
operator_replicas="$(replicas_of "${operator_json}")"
controller_replicas="$(replicas_of "${controller_json}")"
operator_selector="$(selector_of "${operator_json}")"
controller_selector="$(selector_of "${controller_json}")"
{ [[ "${operator_replicas}" =~ ^[0-9]+$ ]] && [[ "${controller_replicas}" =~ ^[0-9]+$ ]]; } ||
  fail "unreadable replica counts '${operator_replicas}' and '${controller_replicas}'"
{ [ -n "${operator_selector}" ] && [ -n "${controller_selector}" ]; } ||
  fail "deployments ${operator} and ${controller} need spec.selector.matchLabels to find their pods"
# Someone may have stopped them already (an earlier, interrupted run): start with one each.
[ "${operator_replicas}" -gt 0 ] || operator_replicas=1
[ "${controller_replicas}" -gt 0 ] || controller_replicas=1
log "operator ${operator} (${operator_replicas} replicas), controller ${controller} (${controller_replicas} replicas)"

restore_passphrase=false
# --ignore-not-found: a missing Secret prints nothing and succeeds, any other failure fails (kubectl
# pkg/cmd/get/get.go, printGeneric), so an unreachable API is never taken for a missing Secret.
current="$(kc -n "${namespace}" get secret "${passphrase}" --ignore-not-found -o json)" ||
  fail "cannot read Secret ${namespace}/${passphrase}"
if [ -n "${current}" ]; then
  # A database encrypted under another passphrase would leave LINSTOR unable to read its remotes' secrets.
  [ "$(jq -r --arg k "${secret_key}" '.data[$k] // empty' <<<"${current}")" = "${backup_passphrase}" ] ||
    fail "Secret ${namespace}/${passphrase} holds another passphrase than the backup; resolve that first (see README)"
  log "passphrase Secret present and equal to the backup's"
else
  restore_passphrase=true
  log "passphrase Secret ${namespace}/${passphrase} is missing; it will be restored from the backup"
fi
unset current
served="$(kc api-resources --api-group="${API_GROUP}" -o name)" || fail "cannot list the ${API_GROUP} resources"
mapfile -t current_crds <<<"$(printf '%s\n' "${served}" | sed '/^$/d')"
[ -n "${current_crds[0]:-}" ] || current_crds=()
backup_names="$(jq -r '.items[].metadata.name' "${extract}/db/crds.json")"
mapfile -t backup_crds <<<"${backup_names}"
{ [ -n "${backup_names}" ] && [ "${#backup_crds[@]}" -eq "${crds_count}" ]; } || fail "cannot read the backup's CRD names"
log "the cluster serves ${#current_crds[@]} ${API_GROUP} resources; the backup has ${#backup_crds[@]}"

if [ "${mode}" = apply ] && [ "${yes}" != true ]; then
  [ -t 0 ] || fail "--apply without --yes needs a terminal to confirm"
  printf 'This replaces the LINSTOR database of namespace %s with the backup from %s. Type "restore" to go on: ' \
    "${namespace}" "${created_at}" >&2
  read -r answer
  [ "${answer}" = restore ] || fail "not confirmed"
fi

if [ "${mode}" = apply ]; then changing=true; fi

# 4. Stop the operator first and wait until its pods are gone (it would scale the controller back up), then the
# controller. Only an answer listing no pod counts as stopped: a failing kubectl stops the restore here, before
# anything is deleted.
# No command substitution from here on: bash drops a SIGINT that arrives while it reaps one (bash 5.2 jobs.c
# wait_for: a command substitution has no job, so set_job_status_and_cleanup never runs the INT trap), and the
# restore would go on. A SIGINT during a foreground command (kubectl > file, sleep) runs the trap.
wait_pods_gone() { # what selector
  local deadline now pods=()
  printf -v now '%(%s)T' -1
  deadline=$(( now + ${timeout%s} ))
  while :; do
    kc -n "${namespace}" get pods -l "$2" -o name > "${pods_file}" ||
      fail "kubectl could not list the $1 pods (-l $2), so they may still run; stopped before deleting anything"
    mapfile -t pods < "${pods_file}"
    [ -n "${pods[*]}" ] || return 0
    printf -v now '%(%s)T' -1
    [ "${now}" -lt "${deadline}" ] || fail "the $1 pods did not stop within ${timeout}: ${pods[*]}"
    sleep "${POLL_SECONDS}"
  done
}
run kc -n "${namespace}" scale deployment "${operator}" --replicas 0
run_fn "wait until no pod matches ${operator_selector} (at most ${timeout})" wait_pods_gone operator "${operator_selector}"
run kc -n "${namespace}" scale deployment "${controller}" --replicas 0
run_fn "wait until no pod matches ${controller_selector} (at most ${timeout})" wait_pods_gone controller "${controller_selector}"

# 5. Export the current database, as upstream does, so the restore can be undone.
export_current() {
  mkdir -p "${work}/pre-restore"
  [ "${#current_crds[@]}" -gt 0 ] || return 0
  kc get crds "${current_crds[@]}" -o yaml > "${work}/pre-restore/crds.yaml"
  for crd in "${current_crds[@]}"; do kc get "${crd}" -o yaml > "${work}/pre-restore/${crd}.yaml"; done
}
run_fn "export the current database to ${work}/pre-restore (crds.yaml and one file per resource)" export_current

# 6. Delete the database CRDs (and with them every object), then create the backup's CRDs and objects.
if [ "${#current_crds[@]}" -gt 0 ]; then
  run kc delete crds "${current_crds[@]}" --timeout "${timeout}"
fi
run kc create -f "${extract}/db/crds.json"
crd_refs=()
for crd in "${backup_crds[@]}"; do crd_refs+=("crd/${crd}"); done
run kc wait --for condition=established --timeout "${timeout}" "${crd_refs[@]}"
while IFS=$'\t' read -r file _ count; do
  # kubectl refuses an empty List.
  [ "${count}" -gt 0 ] || continue
  run kc create -f "${extract}/${file}"
done <<<"${resources_tsv}"
if [ "${restore_passphrase}" = true ]; then
  run kc -n "${namespace}" create -f "${secret_file}"
fi

# 7. Start the operator and the controller again, as they were.
run kc -n "${namespace}" scale deployment "${operator}" --replicas "${operator_replicas}"
run kc -n "${namespace}" scale deployment "${controller}" --replicas "${controller_replicas}"
run kc -n "${namespace}" rollout status deployment "${operator}" --timeout "${timeout}"
run kc -n "${namespace}" rollout status deployment "${controller}" --timeout "${timeout}"
changing=false

cat >&2 <<EOF
==> ${mode} finished. Check LINSTOR:
    kubectl -n ${namespace} exec deploy/${controller} -- linstor node list
    kubectl -n ${namespace} exec deploy/${controller} -- linstor resource list
    kubectl -n ${namespace} exec deploy/${controller} -- linstor remote list
EOF
if [ "${restore_passphrase}" = true ]; then
  echo "    The passphrase Secret was restored outside Pulumi: run 'pulumi refresh' before the next 'pulumi up'." >&2
fi
