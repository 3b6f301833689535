#!/usr/bin/env bash
# PostgreSQL for the proving ground: a throwaway cluster of Debian's PostgreSQL on loopback.
# Usage: postgres.sh install|start|health|stop|kill|reset|env
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

DIR="$KELP_RUN/postgres"     # owned by postgres: also the unix socket directory
DATA="$DIR/data"
PID="$DIR/postgres.pid"
LOG="$DIR/postgres.log"
PG_DB=kelp PG_USER=kelp PG_PASSWORD=kelp

# Debian installs each major version side by side; take the newest (15 on bookworm).
pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n $d && -x $d/postgres ]] && echo "$d"
}

install() {
  pg_bin >/dev/null && id postgres >/dev/null 2>&1 && return 0
  log "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine's package lists may be empty or stale: update only when install fails.
  apt-get install -y -q postgresql >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null; }
  pg_bin >/dev/null || die "postgresql installed but no /usr/lib/postgresql/*/bin/postgres"
}

# initdb refuses root, and the server must own its data dir: everything runs as postgres, from /
# (postgres may not enter the caller's cwd, e.g. /root).
as_pg() { (cd / && runuser -u postgres -- "$@"); }
psql_admin() { as_pg "$(pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$PG_PORT" -U postgres -d postgres "$@"; }

postmaster_pid() { [[ -f $DATA/postmaster.pid ]] && head -n 1 "$DATA/postmaster.pid"; }
running() {
  local p; p=$(postmaster_pid) || return 1
  kill -0 "$p" 2>/dev/null && [[ $(ps -o stat= -p "$p" 2>/dev/null) != Z* ]]
}
healthy() { "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres; }

# After kill -9 of the postmaster its children linger for a moment (they notice the death on
# their next wait); while any is attached to the old shared memory a new postmaster refuses with
# "pre-existing shared memory block is still in use". They all have the data dir as cwd (a
# zombie has none: it holds nothing any more).
orphans() {
  local p
  for p in /proc/[0-9]*; do
    [[ $(readlink "$p/cwd" 2>/dev/null) == "$DATA" ]] && echo "${p#/proc/}"
  done
  return 0
}
no_orphans() { [[ -z $(orphans) ]]; }
# A backend busy in a long query only notices the postmaster's death when the query ends, which
# can be minutes: give them 5 s, then kill them (they belong to the dead server).
reap_orphans() {
  no_orphans && return 0
  wait_for "exit of killed postgres' children" 5 no_orphans && return 0
  local o; mapfile -t o < <(orphans)
  (( ${#o[@]} == 0 )) || { log "killing orphaned postgres processes: ${o[*]}"; kill -9 "${o[@]}" 2>/dev/null || true; }
  wait_for "exit of killed postgres' children" 10 no_orphans
}

init_cluster() {
  mkdir -p "$DIR"
  touch "$LOG"   # pg_ctl -l opens it as postgres
  chown postgres: "$DIR" "$LOG"; chmod 700 "$DIR"
  as_pg test -x "$DIR" || die "user postgres cannot reach $DIR (set KELP_RUN to a world-traversable dir)"
  [[ -f $DATA/PG_VERSION ]] && return 0
  log "initdb $DATA"
  rm -rf "$DATA"   # what an interrupted initdb left: it refuses a non-empty directory
  # Local (socket) connections trust, for provisioning as postgres; TCP needs the password
  # (scram), so the tests really exercise KELP_PG_PASSWORD. --no-sync: throwaway data.
  as_pg "$(pg_bin)/initdb" -D "$DATA" -U postgres -E UTF8 --no-locale --no-sync \
    --auth-local=trust --auth-host=scram-sha-256 >>"$LOG" 2>&1 || { tail -n 20 "$LOG" >&2; die "initdb failed"; }
}

provision() {
  [[ $(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'") == 1 ]] ||
    psql_admin -c "CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD'"
  [[ $(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'") == 1 ]] ||
    psql_admin -c "CREATE DATABASE $PG_DB OWNER $PG_USER"
}

start() {
  install
  init_cluster
  if running; then
    if healthy; then log "postgres already running"; postmaster_pid > "$PID"; return 0; fi
    wait_for postgres 60 healthy || die "postgres process $(postmaster_pid) is not answering; log: $LOG"
  else
    if [[ -f $DATA/postmaster.pid ]]; then
      reap_orphans || die "orphaned postgres processes still hold $DATA"
      # Stale lock files of a killed postmaster. Postgres would clear them itself once the pid is
      # gone, but a just-killed postmaster lingers as a zombie until reaped, and kill -0 still
      # sees it: "lock file .s.PGSQL.<port>.lock already exists".
      rm -f "$DATA/postmaster.pid" "$DIR/.s.PGSQL.$PG_PORT.lock"
    fi
    log "starting postgres on 127.0.0.1:$PG_PORT (log: $LOG)"
    # pg_ctl daemonizes the postmaster in its own session and waits until it accepts connections
    # (after crash recovery, when the last stop was a kill -9).
    if ! as_pg "$(pg_bin)/pg_ctl" start -D "$DATA" -l "$LOG" -w -t 120 -s \
        -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories='$DIR'"; then
      tail -n 40 "$LOG" >&2 || true
      die "postgres did not start; log: $LOG"
    fi
    wait_for postgres 30 healthy || { tail -n 40 "$LOG" >&2; die "postgres not ready; log: $LOG"; }
  fi
  postmaster_pid > "$PID"
  provision
}

stop() {
  if running; then
    # Fast mode (SIGINT), not SIGTERM: SIGTERM is "smart" shutdown, which waits for every
    # client to hang up, and the tests' connection pools may never do so.
    as_pg "$(pg_bin)/pg_ctl" stop -D "$DATA" -m fast -w -t 30 -s ||
      { log "postgres did not stop in 30 s; SIGKILL"; kill -9 "$(postmaster_pid)" 2>/dev/null || true; }
    log "postgres stopped"
  fi
  rm -f "$PID"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  health) healthy ;;
  stop) stop ;;
  kill)
    if running; then
      # The postmaster and its children at once, like a crashed pod: a lone SIGKILL to the
      # postmaster leaves busy backends running on (start would clean them up, slower).
      p=$(postmaster_pid); mapfile -t kids < <(pgrep -P "$p" || true)
      kill -9 "$p" "${kids[@]}" 2>/dev/null || true
      log "postgres postmaster $p and its children killed (-9)"
      # No grace: just let the kernel finish tearing it down so a start right after sees it gone.
      for _ in {1..50}; do running || break; sleep 0.1; done
    fi
    rm -f "$PID" ;;
  reset)
    stop
    reap_orphans || true
    rm -rf "$DATA"; log "postgres data wiped" ;;
  env)
    printf 'export %s=%q\n' KELP_PG_URL "jdbc:postgresql://127.0.0.1:$PG_PORT/$PG_DB" \
      KELP_PG_USER "$PG_USER" KELP_PG_PASSWORD "$PG_PASSWORD" ;;
  *) die "usage: $0 install|start|health|stop|kill|reset|env" ;;
esac
