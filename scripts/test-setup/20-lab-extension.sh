# The JupyterLab the UI tests run (sourced by scripts/test.sh after 10-python.sh): the lab extension
# pip-installed from its Python package into a fresh environment beside the cached `lab` one.
TFX_TS_VENV_LAB_UI=$(bash scripts/lab-ui-env.sh "$PWD/.venv/lab-ui") || return 1
export TFX_TS_VENV_LAB_UI
