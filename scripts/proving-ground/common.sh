# Shared settings for the proving-ground scripts. Sourced, never run.
# Everything installed lives under KELP_CACHE (outside the repository) so a second run is fast;
# everything running lives under KELP_RUN (throwaway data, logs, pid files).
KELP_CACHE="${KELP_CACHE:-$HOME/.cache/kelp}"
KELP_RUN="${KELP_RUN:-${TMPDIR:-/tmp}/kelp-proving-ground}"
KELP_BIN="$KELP_CACHE/bin"
mkdir -p "$KELP_CACHE" "$KELP_BIN" "$KELP_RUN"

# Pinned versions: bump here, and the caches key on them.
K8S_VERSION="${K8S_VERSION:-1.34.4}"
ETCD_VERSION="${ETCD_VERSION:-3.6.16}"
HELM_VERSION="${HELM_VERSION:-3.19.5}"
SEAWEEDFS_VERSION="${SEAWEEDFS_VERSION:-4.48}"
CASSANDRA_VERSION="${CASSANDRA_VERSION:-5.0.9}"

# Loopback ports; override to run two proving grounds side by side.
PG_PORT="${KELP_PG_PORT:-15432}"
# Not KELP_S3_PORT: an agent would read that as kelp.s3.port (its own S3 endpoint).
S3_PORT="${KELP_WEED_S3_PORT:-18333}"
WEED_MASTER_PORT="${KELP_WEED_MASTER_PORT:-19333}"
WEED_VOLUME_PORT="${KELP_WEED_VOLUME_PORT:-18080}"
WEED_FILER_PORT="${KELP_WEED_FILER_PORT:-18888}"
CASSANDRA_PORT="${KELP_CASSANDRA_PORT:-19042}"
CASSANDRA_STORAGE_PORT="${KELP_CASSANDRA_STORAGE_PORT:-17000}"
ETCD_PORT="${KELP_ETCD_PORT:-12379}"
ETCD_PEER_PORT="${KELP_ETCD_PEER_PORT:-12380}"
APISERVER_PORT="${KELP_APISERVER_PORT:-16443}"

S3_ACCESS_KEY="${KELP_S3_ACCESS_KEY:-kelp-test-access}"
S3_SECRET_KEY="${KELP_S3_SECRET_KEY:-kelp-test-secret-0123456789}"

log() { printf '[proving-ground] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# wait_for NAME SECONDS CMD...: polls CMD every 0.2 s until it succeeds or time runs out.
wait_for() {
  local name=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < deadline )) || { log "$name not healthy after ${secs}s"; return 1; }
    sleep 0.2
  done
  log "$name is healthy"
}

# pid_alive FILE: true when FILE names a running process.
pid_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pid NAME FILE [SECONDS]: SIGTERM, wait, then SIGKILL.
stop_pid() {
  local name=$1 file=$2 secs=${3:-20}
  pid_alive "$file" || { rm -f "$file"; return 0; }
  local pid; pid=$(cat "$file")
  kill "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + secs))
  while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$file"
  log "$name stopped"
}
