#!/usr/bin/env bash
# The S3 clients the agent's S3 endpoint is tested with (agent/src/test/java/dev/kelp/agent/s3):
# Debian's awscli, python3-boto3, rclone and s3cmd, real clients nobody here wrote.
#   s3-clients.sh install   installs the ones missing (idempotent: skips what is present)
#   s3-clients.sh check     exits non-zero unless all four are usable
# boto3 lands in Debian's own python (/usr/bin/python3), not in a pyenv python on PATH.
set -euo pipefail

have_all() {
  [[ -x /usr/bin/aws && -x /usr/bin/rclone && -x /usr/bin/s3cmd ]] && /usr/bin/python3 -c 'import boto3' 2>/dev/null
}

case "${1:-install}" in
  install)
    if have_all; then
      echo "[s3-clients] awscli, boto3, rclone and s3cmd already installed" >&2
      exit 0
    fi
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo=sudo
    export DEBIAN_FRONTEND=noninteractive
    # Another apt run on the machine holds the lock for a while: wait for it rather than fail.
    $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
    $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends awscli python3-boto3 rclone s3cmd >/dev/null
    have_all || { echo "[s3-clients] install finished but a client is still missing" >&2; exit 1; }
    echo "[s3-clients] installed awscli, python3-boto3, rclone, s3cmd" >&2
    ;;
  check)
    have_all
    ;;
  *)
    echo "usage: $0 install|check" >&2
    exit 2
    ;;
esac
