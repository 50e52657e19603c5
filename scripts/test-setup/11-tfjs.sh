# The tensorflowjs converter beside TensorFlow (requirements/tfjs.txt), for `tfx-ts export --saved-model`
# and tests/parity/saved-model.test.ts. Cached like the other environments (first install ~4 min).
TFX_TS_VENV_TFJS=$(bash scripts/venv.sh tfjs) || return 1
export TFX_TS_VENV_TFJS
