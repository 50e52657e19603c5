# Kubeflow Pipelines' own Go code as the judge of compiled IR (sourced by scripts/test.sh):
# tools/kfp-check, KFP 2.14.3's spec parser (template.New) and Argo compiler (argocompiler) plus Argo's
# workflow validation. Built once per input digest into the cache (first build: ~1 min of CPU, several
# minutes of wall time on a loaded 2-core machine; later runs only print the path).
# Exports KFP_CHECK_BIN (tests skip the Go checks only when it is unset, and say so).
KFP_CHECK_BIN=$(bash tools/kfp-check/build.sh) || return 1
export KFP_CHECK_BIN
