#!/usr/bin/env bash
# Installs (cached) and starts every proving-ground service, waits until each is healthy,
# and prints the `export` lines tests read:   eval "$(scripts/proving-ground/up.sh)"
# KELP_SERVICES picks a subset, e.g. KELP_SERVICES="postgres seaweedfs".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

read -r -a services <<< "${KELP_SERVICES:-kube seaweedfs postgres cassandra}"

# Start them side by side: Cassandra's JVM start dominates, the rest hide behind it.
declare -A pids
for s in "${services[@]}"; do
  bash "$here/$s.sh" start >"$KELP_RUN/$s-up.log" 2>&1 &
  pids[$s]=$!
done
failed=()
for s in "${services[@]}"; do
  if wait "${pids[$s]}"; then log "$s up"; else failed+=("$s"); fi
done
if ((${#failed[@]})); then
  for s in "${failed[@]}"; do log "$s failed to start:"; tail -n 40 "$KELP_RUN/$s-up.log" >&2; done
  exit 1
fi
for s in "${services[@]}"; do bash "$here/$s.sh" env; done
