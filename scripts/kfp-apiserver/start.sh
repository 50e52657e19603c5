#!/usr/bin/env bash
# Starts Kubeflow Pipelines 2.14.3's own API server (built by tools/kfp-check/build.sh) on 127.0.0.1
# without Kubernetes: MariaDB (Debian's mariadb-server) in a fresh data directory, the API server with
# the database pipeline store, and a kubeconfig naming an unreachable cluster (the server only builds
# its Argo, ScheduledWorkflow and core clients at start; runs would need them, pipelines, versions and
# experiments do not). At start the server also checks that its bucket exists; bucket.js answers that
# check (nothing in the pipeline and experiment API reads the object store: specs live in the database).
#
# Usage: start.sh <state dir>. Prints "KFP_API_SERVER_URL=<url>" and, one per line, "PID=<pid>" for
# each process to stop. The RPC port listens on all interfaces: the server's HTTP gateway dials
# "localhost" + the RPC flag, so the flag cannot name an address.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
state=$1
bin_dir=$(dirname "$(bash "$here/../../tools/kfp-check/build.sh")")
command -v mariadbd >/dev/null || { echo "kfp-apiserver: mariadbd not found: install Debian's mariadb-server (tfx-ts setup --test-deps)" >&2; exit 1; }
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
rm -rf "$state" && mkdir -p "$state/config"
db_port=$(free_port); http_port=$(free_port); rpc_port=$(free_port); bucket_port=$(free_port)

mariadb-install-db --user="$(id -un)" --datadir="$state/db" --auth-root-authentication-method=normal --skip-test-db > "$state/db-install.log" 2>&1
mariadbd --user="$(id -un)" --datadir="$state/db" --socket="$state/db.sock" --port="$db_port" --bind-address=127.0.0.1 \
  --pid-file="$state/db.pid" --log-error="$state/db.log" > /dev/null 2>&1 &
echo "PID=$!"
for _ in $(seq 1 100); do mariadb -S "$state/db.sock" -uroot -e 'SELECT 1' > /dev/null 2>&1 && break; sleep 0.2; done
mariadb -S "$state/db.sock" -uroot -e "CREATE DATABASE mlpipeline; CREATE USER 'kfp'@'127.0.0.1' IDENTIFIED BY 'kfp'; GRANT ALL ON mlpipeline.* TO 'kfp'@'127.0.0.1';"

node "$here/bucket.js" "$bucket_port" > "$state/bucket.log" 2>&1 &
echo "PID=$!"
for _ in $(seq 1 100); do curl -sf -I "http://127.0.0.1:$bucket_port/mlpipeline/" > /dev/null 2>&1 && break; sleep 0.2; done

cat > "$state/config/config.json" <<JSON
{
  "DBConfig": {"MySQLConfig": {"Host": "127.0.0.1", "Port": "$db_port", "User": "kfp", "Password": "kfp", "DBName": "mlpipeline", "GroupConcatMaxLen": "4194304"}, "ConMaxLifeTime": "120s"},
  "ObjectStoreConfig": {"Host": "127.0.0.1", "Port": "$bucket_port", "AccessKey": "minio", "SecretAccessKey": "minio123", "BucketName": "mlpipeline", "PipelinePath": "pipelines"},
  "DBDriverName": "mysql",
  "InitConnectionTimeout": "20s",
  "DEFAULTPIPELINERUNNERSERVICEACCOUNT": "pipeline-runner",
  "CacheEnabled": "true"
}
JSON
cat > "$state/kubeconfig" <<YAML
apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "http://127.0.0.1:1"}}]
contexts: [{name: none, context: {cluster: none, user: none, namespace: kubeflow}}]
current-context: none
users: [{name: none, user: {}}]
YAML
# The server stops only on a second SIGTERM (controller-runtime's signal handler cancels a context
# on the first), so it runs under a shell that turns the one TERM of the test script into a KILL.
KUBECONFIG="$state/kubeconfig" POD_NAMESPACE=kubeflow \
ML_PIPELINE_VISUALIZATIONSERVER_SERVICE_HOST=127.0.0.1 ML_PIPELINE_VISUALIZATIONSERVER_SERVICE_PORT=1 \
  bash -c '"$@" & child=$!; trap "kill -9 $child" TERM; wait $child' kfp-apiserver \
  "$bin_dir/kfp-apiserver" --config="$state/config" --sampleconfig= --httpPortFlag="127.0.0.1:$http_port" \
  --rpcPortFlag=":$rpc_port" --logtostderr=true > "$state/apiserver.log" 2>&1 &
echo "PID=$!"
url="http://127.0.0.1:$http_port"
for _ in $(seq 1 150); do
  curl -sf "$url/apis/v2beta1/experiments" > /dev/null 2>&1 && { echo "KFP_API_SERVER_URL=$url"; exit 0; }
  sleep 0.2
done
echo "kfp-apiserver: no answer from $url; see $state/apiserver.log:" >&2
tail -5 "$state/apiserver.log" >&2
exit 1
