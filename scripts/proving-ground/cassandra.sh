#!/usr/bin/env bash
# Cassandra for the proving ground: one node of cassandra-all (from Maven Central) on loopback,
# launched straight from its jars: no registry ships a runnable Cassandra distribution.
# Usage: cassandra.sh install|start|health|stop|kill|reset|env
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/common.sh"

LIB="$KELP_CACHE/cassandra-$CASSANDRA_VERSION/lib"
# Cassandra 5.0 runs on 11 or 17 only: on 24+ it dies calling setSecurityManager.
CASSANDRA_JAVA_HOME="${KELP_CASSANDRA_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
CASSANDRA_JMX_PORT="${KELP_CASSANDRA_JMX_PORT:-17199}"   # loopback only; for nodetool
CASSANDRA_HEAP="${KELP_CASSANDRA_HEAP:-768m}"
CASSANDRA_DC=datacenter1                                   # SimpleSnitch's name for it
DIR="$KELP_RUN/cassandra"
DATA="$DIR/data"
CONF="$DIR/conf"
PID="$DIR/cassandra.pid"
LOG="$DIR/cassandra.log"

install() {
  [[ -x $CASSANDRA_JAVA_HOME/bin/java ]] || {
    log "installing openjdk-17-jdk-headless"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q openjdk-17-jdk-headless >/dev/null ||
      { apt-get update -q >/dev/null && apt-get install -y -q openjdk-17-jdk-headless >/dev/null; }
  }
  # The marker is written last, so a half-copied classpath is fetched again, not trusted.
  [[ -f $LIB/.installed ]] && return 0
  command -v mvn >/dev/null || die "mvn is needed to fetch cassandra-all"
  log "fetching cassandra-all $CASSANDRA_VERSION and its dependencies into $LIB"
  rm -rf "$LIB"; mkdir -p "$LIB"
  # Output to a file: even -B -q prints colour escapes to stdout under Maven 3.8.
  mvn -B -q -Dstyle.color=never -f "$HERE/cassandra/pom.xml" dependency:copy-dependencies \
    -Dcassandra.version="$CASSANDRA_VERSION" -DoutputDirectory="$LIB" >"$LIB/../mvn.log" 2>&1 ||
    { tail -n 30 "$LIB/../mvn.log" >&2; die "could not fetch cassandra-all $CASSANDRA_VERSION"; }
  touch "$LIB/.installed"
}

running() { pid_alive "$PID" && [[ $(ps -o stat= -p "$(cat "$PID")" 2>/dev/null) != Z* ]]; }

# A real native-protocol exchange, not just an open port: an OPTIONS request (v4 header:
# version 04, flags 00, stream 0000, opcode 05, length 0) must get SUPPORTED back (84 00 0000 06).
# The port opens only once Cassandra logs "Starting listening for CQL clients".
healthy() {
  local reply
  reply=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "\x04\x00\x00\x00\x05\x00\x00\x00\x00" >&3 &&
    head -c 5 <&3 | od -An -tx1' _ "$CASSANDRA_PORT" 2>/dev/null) || return 1
  [[ ${reply//[[:space:]]/} == 8400000006 ]]
}

render_conf() {
  mkdir -p "$CONF" "$DATA"
  sed -e "s|@RUN@|$DIR|g" -e "s|@NATIVE_PORT@|$CASSANDRA_PORT|g" \
      -e "s|@STORAGE_PORT@|$CASSANDRA_STORAGE_PORT|g" \
      "$HERE/cassandra/cassandra.yaml.in" > "$CONF/cassandra.yaml"
  cp "$HERE/cassandra/logback.xml" "$CONF/logback.xml"
}

launch() {
  local jamm=("$LIB"/jamm-*.jar)
  local opts=(
    # Exit on OOM rather than limp on (Cassandra's own advice: it can corrupt data otherwise).
    "-Xms256m" "-Xmx$CASSANDRA_HEAP" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -XX:+PerfDisableSharedMem
    -Djava.net.preferIPv4Stack=true
    -Dcassandra-foreground=yes
    "-Dcassandra.config=file://$CONF/cassandra.yaml"
    "-Dcassandra.storagedir=$DATA" "-Dcassandra.logdir=$DIR"
    "-Dlogback.configurationFile=$CONF/logback.xml"
    # Cassandra only opens JMX when told a port; local = bound to loopback. The RMI objects go on
    # the same port, not on a random one.
    "-Dcassandra.jmx.local.port=$CASSANDRA_JMX_PORT"
    "-Dcom.sun.management.jmxremote.rmi.port=$CASSANDRA_JMX_PORT"
    # One node, its own seed: there is no gossip to wait for.
    -Dcassandra.skip_wait_for_gossip_to_settle=0
    # jamm measures object sizes for memtable accounting; it needs the agent and self-attach.
    "-javaagent:${jamm[0]}" -Djdk.attach.allowAttachSelf=true
    # From Cassandra 5.0's conf/jvm17-server.options. Without them it exits with code 3:
    # "unable to access required classes ... sun.nio.ch.DirectBuffer".
    --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
    --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
    --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED
    --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED
    --add-exports java.sql/java.sql=ALL-UNNAMED
    --add-exports java.base/java.lang.ref=ALL-UNNAMED
    --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED
    --add-exports jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
    --add-exports jdk.attach/sun.tools.attach=ALL-UNNAMED
    --add-opens java.base/java.lang.module=ALL-UNNAMED
    --add-opens java.base/jdk.internal.loader=ALL-UNNAMED
    --add-opens java.base/jdk.internal.ref=ALL-UNNAMED
    --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED
    --add-opens java.base/jdk.internal.math=ALL-UNNAMED
    --add-opens java.base/jdk.internal.module=ALL-UNNAMED
    --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens java.base/java.io=ALL-UNNAMED
    --add-opens java.base/java.lang.reflect=ALL-UNNAMED
    --add-opens jdk.compiler/com.sun.tools.javac=ALL-UNNAMED
    --add-opens java.base/java.lang=ALL-UNNAMED
    --add-opens java.base/java.util=ALL-UNNAMED
    -Dio.netty.tryReflectionSetAccessible=true
    -Dio.netty.allocator.useCacheForAllThreads=true -Dio.netty.allocator.maxOrder=11
  )
  printf '=== %s cassandra.sh: starting CassandraDaemon\n' "$(date -Is)" >>"$LOG"
  (cd "$DIR" && exec setsid "$CASSANDRA_JAVA_HOME/bin/java" "${opts[@]}" -cp "$CONF:$LIB/*" \
    org.apache.cassandra.service.CassandraDaemon >>"$LOG" 2>&1 </dev/null) &
  echo $! > "$PID"
}

# This run's errors: a failed startup still flushes and logs for seconds after the cause.
errors() {
  awk '/^=== /{e=""} /^ERROR|^Caused by|^[A-Za-z.$]+(Exception|Error)/{e=e $0 "\n"} END{printf "%s", e}' "$LOG" |
    tail -n 12 || true
  tail -n 5 "$LOG" || true
}

start() {
  install
  render_conf
  if running; then
    healthy && { log "cassandra already running"; return 0; }
    log "cassandra process $(cat "$PID") is up but not serving CQL yet; waiting"
  else
    log "starting cassandra on 127.0.0.1:$CASSANDRA_PORT (log: $LOG)"
    launch
  fi
  # ~8 s on an idle machine; much more beside a busy test suite on 2 cores.
  local deadline=$((SECONDS + 120))
  until healthy; do
    running || { errors >&2; die "cassandra exited during startup; log: $LOG"; }
    (( SECONDS < deadline )) || {
      errors >&2; stop_pid cassandra "$PID" 10
      die "cassandra not serving CQL after 120 s; log: $LOG"; }
    sleep 0.5
  done
  log "cassandra is healthy"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  health) healthy ;;
  # SIGTERM runs Cassandra's shutdown hook (drain, flush): ~6.5 s.
  stop) stop_pid cassandra "$PID" 30 ;;
  kill)
    if running; then
      kill -9 "$(cat "$PID")"; log "cassandra killed (-9)"
      # No grace: just let the kernel free the ports so a start right after can bind them.
      for _ in {1..50}; do running || break; sleep 0.1; done
    fi
    rm -f "$PID" ;;
  reset) stop_pid cassandra "$PID" 30; rm -rf "$DATA"; log "cassandra data wiped" ;;
  env)
    printf 'export %s=%q\n' KELP_CASSANDRA_CONTACT_POINT "127.0.0.1:$CASSANDRA_PORT" \
      KELP_CASSANDRA_DATACENTER "$CASSANDRA_DC" ;;
  *) die "usage: $0 install|start|health|stop|kill|reset|env" ;;
esac
