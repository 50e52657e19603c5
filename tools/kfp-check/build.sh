#!/usr/bin/env bash
# Builds kfp-check (Kubeflow Pipelines 2.14.3's own spec parser and Argo compiler, see main.go) and,
# beside it, kfp-apiserver (KFP 2.14.3's API server, backend/src/apiserver, run by the tests with
# MariaDB), and prints kfp-check's path. Cached in ${TFX_TS_CACHE:-~/.cache/tfx-ts}/kfp-check/<digest
# of the inputs>: a second call with the same go.mod, go.sum, sources and patches only prints the path.
#
# Why more than `go build`: KFP's backend module is built upstream with its go.mod replacing
# github.com/kubeflow/pipelines/api and .../kubernetes_platform by the directories of the same commit,
# and the versions it requires instead are older than the code that uses them (argocompiler needs
# WorkspaceConfig). The module proxy serves only those older versions, so this script takes them,
# applies the upstream 2.14.3 changes to their .proto files (the two *.patch files, from KFP's git
# history) and regenerates the Go code with protoc + protoc-gen-go as KFP's Makefiles do.
# Needs: go, protoc (Debian protobuf-compiler), patch; network: the Go module proxy.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
api_version=v0.0.0-20250102152816-873e9dedd766
platform_version=v0.0.0-20240725205754-d911c8b73b49
protoc_gen_go_version=v1.36.6 # google.golang.org/protobuf in KFP 2.14.3's go.mod

digest=$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" "$here/tools.go" "$here"/*.patch "$0" | sha256sum | cut -c1-16)
out=${TFX_TS_CACHE:-$HOME/.cache/tfx-ts}/kfp-check/$digest
if [ -x "$out/bin/kfp-check" ] && [ -x "$out/bin/kfp-apiserver" ]; then
  echo "$out/bin/kfp-check"
  exit 0
fi
command -v protoc >/dev/null || { echo "kfp-check: protoc not found: install Debian's protobuf-compiler (tfx-ts setup --test-deps)" >&2; exit 1; }

export GONOSUMDB=github.com/kubeflow/pipelines # the checksum database has no entry for these pseudo-versions
export GOFLAGS=-mod=mod
work=$(mktemp -d "${TMPDIR:-/tmp}/kfp-check-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$out/bin" "$work/rpc/google/rpc"
cp "$here/go.mod" "$here/go.sum" "$here/main.go" "$here/tools.go" "$work/"
cd "$work"
modcache=$(go env GOMODCACHE)
go mod download "github.com/kubeflow/pipelines/api@$api_version" "github.com/kubeflow/pipelines/kubernetes_platform@$platform_version"
rm -rf "$out/api" "$out/kubernetes_platform"
cp -r "$modcache/github.com/kubeflow/pipelines/api@$api_version" "$out/api"
cp -r "$modcache/github.com/kubeflow/pipelines/kubernetes_platform@$platform_version" "$out/kubernetes_platform"
chmod -R u+w "$out/api" "$out/kubernetes_platform"
(cd "$out/api" && patch -s -p1 < "$here/api-2.14.3.patch")
(cd "$out/kubernetes_platform" && patch -s -p1 < "$here/kubernetes_platform-2.14.3.patch")

# google/rpc/status.proto is only imported (its Go code is google.golang.org/genproto's); KFP's Makefile
# downloads it from googleapis, here the message is declared for protoc to resolve the import.
cat > "$work/rpc/google/rpc/status.proto" <<'EOF'
syntax = "proto3";
package google.rpc;
import "google/protobuf/any.proto";
option go_package = "google.golang.org/genproto/googleapis/rpc/status;status";
message Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
EOF
GOBIN="$work/bin" go install "google.golang.org/protobuf/cmd/protoc-gen-go@$protoc_gen_go_version"
export PATH="$work/bin:$PATH"
(cd "$out/api/v2alpha1" && protoc -I=. -I="$work/rpc" -I=/usr/include --go_out=go/pipelinespec --go_opt=paths=source_relative pipeline_spec.proto)
(cd "$out/kubernetes_platform/proto" && protoc -I=. -I=../../api/v2alpha1 -I="$work/rpc" -I=/usr/include \
  --go_out=../go/kubernetesplatform --go_opt=paths=source_relative kubernetes_executor_config.proto)

go mod edit -replace "github.com/kubeflow/pipelines/api=$out/api" -replace "github.com/kubeflow/pipelines/kubernetes_platform=$out/kubernetes_platform"
go build -o "$out/bin/kfp-apiserver.tmp" github.com/kubeflow/pipelines/backend/src/apiserver
mv "$out/bin/kfp-apiserver.tmp" "$out/bin/kfp-apiserver"
go build -o "$out/bin/kfp-check.tmp" .
mv "$out/bin/kfp-check.tmp" "$out/bin/kfp-check"
echo "$out/bin/kfp-check"
