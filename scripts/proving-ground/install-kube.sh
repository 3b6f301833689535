#!/usr/bin/env bash
# Builds kube-apiserver, kubectl, etcd and helm from the Go module proxy (no registry ships
# them as binaries) into $KELP_CACHE/kube/<versions>/bin. Idempotent: a second run with the
# same versions returns at once. A cold build takes a while on 2 cores; GOMODCACHE and
# GOCACHE keep a rebuild after a version bump short.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

out="$KELP_CACHE/kube/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-helm-$HELM_VERSION"
bin="$out/bin"
if [[ -x $bin/kube-apiserver && -x $bin/kubectl && -x $bin/etcd && -x $bin/helm ]]; then
  log "kube binaries cached in $bin"; echo "$bin"; exit 0
fi
mkdir -p "$bin"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0

# A wrapper module per tool: k8s.io/kubernetes replaces its staging modules with local paths,
# which only apply inside its own repo, so the wrapper pins each one at the matching v0.x.y.
build_kubernetes() {
  local w="$out/src/kubernetes"; mkdir -p "$w"; cd "$w"
  [[ -f go.mod ]] || go mod init kelp.dev/provingground/kubernetes >/dev/null 2>&1
  local gomod; gomod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [[ -f $gomod ]] || die "could not download k8s.io/kubernetes@v$K8S_VERSION"
  local staging="v0.${K8S_VERSION#1.}"
  go mod edit -require="k8s.io/kubernetes@v$K8S_VERSION"
  grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging' "$gomod" | awk '{print $1}' | while read -r m; do
    go mod edit -replace="$m=$m@$staging"
  done
  cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubectl/pkg/cmd"
)
GO
  cat > main.go <<'GO'
package main

func main() {}
GO
  go mod tidy >/dev/null
  local v="k8s.io/component-base/version" c="k8s.io/client-go/pkg/version"
  local major=${K8S_VERSION%%.*} minor; minor=${K8S_VERSION#*.}; minor=${minor%%.*}
  local ld="-s -w"
  for p in $v $c; do
    ld+=" -X $p.gitVersion=v$K8S_VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean"
  done
  log "building kube-apiserver v$K8S_VERSION (slow the first time)"
  go build -trimpath -ldflags "$ld" -o "$bin/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
  log "building kubectl v$K8S_VERSION"
  go build -trimpath -ldflags "$ld" -o "$bin/kubectl" k8s.io/kubernetes/cmd/kubectl
}

build_etcd() {
  local w="$out/src/etcd"; mkdir -p "$w"; cd "$w"
  [[ -f go.mod ]] || go mod init kelp.dev/provingground/etcd >/dev/null 2>&1
  cat > tools.go <<'GO'
//go:build tools

package tools

import _ "go.etcd.io/etcd/server/v3"
GO
  printf 'package main\n\nfunc main() {}\n' > main.go
  go mod edit -require="go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
  go mod tidy >/dev/null
  log "building etcd v$ETCD_VERSION"
  go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3
}

build_helm() {
  local w="$out/src/helm"; mkdir -p "$w"; cd "$w"
  [[ -f go.mod ]] || go mod init kelp.dev/provingground/helm >/dev/null 2>&1
  cat > tools.go <<'GO'
//go:build tools

package tools

import _ "helm.sh/helm/v3/cmd/helm"
GO
  printf 'package main\n\nfunc main() {}\n' > main.go
  go mod edit -require="helm.sh/helm/v3@v$HELM_VERSION"
  go mod tidy >/dev/null
  log "building helm v$HELM_VERSION"
  go build -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION" -o "$bin/helm" helm.sh/helm/v3/cmd/helm
}

[[ -x $bin/etcd ]] || build_etcd
[[ -x $bin/helm ]] || build_helm
[[ -x $bin/kube-apiserver && -x $bin/kubectl ]] || build_kubernetes
log "kube binaries ready in $bin"
echo "$bin"
