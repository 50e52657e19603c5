# Kubeflow Pipelines' real API server (KFP 2.14.3, built with tools/kfp-check) with MariaDB, on
# 127.0.0.1, for the client tests on pipelines, versions and experiments (sourced by scripts/test.sh).
# Exports KFP_API_SERVER_URL. Start: ~5 s once built (the build is shared with 40-kfp-check.sh).
kfp_apiserver_out=$(bash scripts/kfp-apiserver/start.sh "${TMPDIR:-/tmp}/tfx-ts-kfp-apiserver.$$") || { echo "$kfp_apiserver_out"; return 1; }
for kfp_apiserver_pid in $(printf '%s\n' "$kfp_apiserver_out" | sed -n 's/^PID=//p'); do stop_at_exit "$kfp_apiserver_pid"; done
KFP_API_SERVER_URL=$(printf '%s\n' "$kfp_apiserver_out" | sed -n 's/^KFP_API_SERVER_URL=//p')
export KFP_API_SERVER_URL
