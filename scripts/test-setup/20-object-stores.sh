# Object stores on 127.0.0.1 for the storage, code package and Kubeflow tests (sourced by scripts/test.sh):
# SeaweedFS (S3 API; MinIO is AGPL) and fake-gcs-server (GCS JSON API), both Go programs built once
# into the tool cache and reused while the binary for that version is there.
TFX_TS_GO_BIN="${TFX_TS_CACHE:-$HOME/.cache/tfx-ts}/go-bin"
export TFX_TS_GO_BIN
seaweedfs_version=v0.0.0-20261109003541-7506e5f91cd6
fake_gcs_version=v1.56.1
mkdir -p "$TFX_TS_GO_BIN"
if [ ! -x "$TFX_TS_GO_BIN/fake-gcs-server-$fake_gcs_version" ]; then
  GOBIN="$TFX_TS_GO_BIN" go install "github.com/fsouza/fake-gcs-server@$fake_gcs_version" || return 1
  mv "$TFX_TS_GO_BIN/fake-gcs-server" "$TFX_TS_GO_BIN/fake-gcs-server-$fake_gcs_version" || return 1
fi
ln -sf "fake-gcs-server-$fake_gcs_version" "$TFX_TS_GO_BIN/fake-gcs-server"
if [ ! -x "$TFX_TS_GO_BIN/weed-$seaweedfs_version" ]; then
  # SeaweedFS's go.mod has replace directives, which `go install pkg@version` refuses: build inside
  # the downloaded module instead (the module cache is read-only, the build cache is not).
  seaweedfs_dir=$(go mod download -json "github.com/seaweedfs/seaweedfs@$seaweedfs_version" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))') || return 1
  (cd "$seaweedfs_dir" && go build -o "$TFX_TS_GO_BIN/weed-$seaweedfs_version" ./weed) || return 1
fi
ln -sf "weed-$seaweedfs_version" "$TFX_TS_GO_BIN/weed"
store_dir=$(mktemp -d "${TMPDIR:-/tmp}/tfx-ts-stores-XXXXXX")
# Each server has its own readiness deadline (SeaweedFS 120 s, fake-gcs-server 60 s, then it is
# killed and its log tail printed); `timeout` bounds the whole start so a stuck step cannot hang the run.
store_env=$(timeout 240 node -r tsx/cjs src/testing/object-stores.ts "$store_dir") || {
  echo "object stores: SeaweedFS and fake-gcs-server did not both start within their deadlines (logs in $store_dir); see the error above" >&2
  return 1
}
eval "$store_env"
for pid in $TFX_TS_TEST_STORE_PIDS; do stop_at_exit "$pid"; done
echo "object stores: S3 (SeaweedFS) $TFX_TS_TEST_S3_ENDPOINT, GCS (fake-gcs-server) $TFX_TS_TEST_GCS_ENDPOINT" >&2
