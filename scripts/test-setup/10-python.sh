# Python environments for the tests (sourced by scripts/test.sh): JupyterLab + kfp SDK, and real TFX.
# Cached in the user's cache directory by requirements digest (scripts/venv.sh); linked as .venv/<name>.
TFX_TS_VENV_LAB=$(bash scripts/venv.sh lab) || return 1
TFX_TS_VENV_TFX=$(bash scripts/venv.sh tfx) || return 1
export TFX_TS_VENV_LAB TFX_TS_VENV_TFX
