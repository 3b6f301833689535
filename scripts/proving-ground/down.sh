#!/usr/bin/env bash
# Stops every proving-ground service (data stays until `<service>.sh reset`).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
read -r -a services <<< "${KELP_SERVICES:-kube seaweedfs postgres cassandra}"
for s in "${services[@]}"; do bash "$here/$s.sh" stop & done
wait
