#!/usr/bin/env bash
# A real control plane without Docker or a kubelet: etcd + kube-apiserver on loopback,
# started the way envtest starts them, with an admin client certificate for tests.
# Usage: kube.sh install|start|health|stop|kill|reset|env
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

dir="$KELP_RUN/kube"
pki="$dir/pki"
kubeconfig="$dir/kubeconfig"
bin() { bash "$here/install-kube.sh" 2>/dev/null | tail -n 1; }

# One CA signs the serving certificate and the admin client certificate; the service-account
# key pair signs tokens. Made once per data dir, so a restart keeps clients' trust.
make_pki() {
  [[ -f $pki/admin.crt ]] && return 0
  mkdir -p "$pki"; cd "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=kelp-proving-ground-ca" \
    -keyout ca.key -out ca.crt 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout apiserver.key -out apiserver.csr 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:10.0.0.1\n' > san.ext
  openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
    -extfile san.ext -out apiserver.crt 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=kelp-admin" -keyout admin.key -out admin.csr 2>/dev/null
  openssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -out admin.crt 2>/dev/null
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  cd - >/dev/null
}

write_kubeconfig() {
  cat > "$kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: proving-ground
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 "$pki/ca.crt")
users:
- name: kelp-admin
  user:
    client-certificate-data: $(base64 -w0 "$pki/admin.crt")
    client-key-data: $(base64 -w0 "$pki/admin.key")
contexts:
- name: proving-ground
  context: {cluster: proving-ground, user: kelp-admin}
current-context: proving-ground
KC
}

etcd_healthy() { curl -fsS "http://127.0.0.1:$ETCD_PORT/health" | grep -q '"health":"true"'; }
apiserver_healthy() {
  curl -fsS --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "https://127.0.0.1:$APISERVER_PORT/readyz" | grep -q '^ok$'
}
health() { etcd_healthy && apiserver_healthy; }

start() {
  local b; b=$(bin)
  [[ -x $b/kube-apiserver ]] || die "kube binaries missing; run $here/install-kube.sh"
  if pid_alive "$dir/etcd.pid" && pid_alive "$dir/apiserver.pid" && health; then
    log "kube-apiserver already running"; return 0
  fi
  mkdir -p "$dir/etcd-data"
  make_pki
  write_kubeconfig
  if ! pid_alive "$dir/etcd.pid"; then
    # --unsafe-no-fsync: a throwaway test store; fsync only slows the suite down.
    "$b/etcd" --name proving-ground --data-dir "$dir/etcd-data" \
      --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
      --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
      --initial-cluster "proving-ground=http://127.0.0.1:$ETCD_PEER_PORT" \
      --unsafe-no-fsync --log-level warn >"$dir/etcd.log" 2>&1 &
    echo $! > "$dir/etcd.pid"
    wait_for etcd 30 etcd_healthy || { tail -n 30 "$dir/etcd.log" >&2; exit 1; }
  fi
  if ! pid_alive "$dir/apiserver.pid"; then
    # No controller-manager runs here, so nothing creates the default ServiceAccount that
    # the ServiceAccount admission plugin would demand of every pod: envtest disables it too.
    "$b/kube-apiserver" \
      --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
      --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$APISERVER_PORT" \
      --cert-dir "$dir/certs" --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
      --client-ca-file "$pki/ca.crt" \
      --service-account-issuer "https://kubernetes.default.svc" \
      --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
      --service-cluster-ip-range 10.0.0.0/24 \
      --authorization-mode RBAC --allow-privileged=true \
      --disable-admission-plugins ServiceAccount \
      --v 1 >"$dir/apiserver.log" 2>&1 &
    echo $! > "$dir/apiserver.pid"
  fi
  wait_for kube-apiserver 90 apiserver_healthy || { tail -n 40 "$dir/apiserver.log" >&2; exit 1; }
}

stop() {
  stop_pid kube-apiserver "$dir/apiserver.pid" 30
  stop_pid etcd "$dir/etcd.pid" 30
}

case "${1:-}" in
  install) bin >/dev/null ;;
  start) start ;;
  health) health ;;
  stop) stop ;;
  kill)
    for f in apiserver etcd; do pid_alive "$dir/$f.pid" && kill -9 "$(cat "$dir/$f.pid")" || true; rm -f "$dir/$f.pid"; done ;;
  reset) stop; rm -rf "$dir" ;;
  env)
    b=$(bin)
    echo "export KUBECONFIG=$kubeconfig"
    echo "export KELP_KUBE_BIN=$b"
    echo "export PATH=$b:\$PATH" ;;
  *) echo "usage: $0 install|start|health|stop|kill|reset|env" >&2; exit 2 ;;
esac
