#!/usr/bin/env bash
# Build the tfx-ts JupyterLab extension the way JupyterLab extensions are built: TypeScript -> lib/,
# then the real `jupyter labextension build` (JupyterLab 4.6 from PyPI, in the project's `lab`
# virtual environment, scripts/venv.sh) -> lab-extension/tfx_ts_labextension/labextension, the
# prebuilt extension that both the Python package (pyproject.toml) and `tfx-ts setup` install.
# Also registers the tslab kernelspec in the repository's test Jupyter path (.jupyter-test).
# Idempotent: steps whose inputs did not change are skipped.
#
#   bash lab-extension/scripts/build.sh           # build what is out of date
#   bash lab-extension/scripts/build.sh --force   # rebuild everything (npm install only if needed)
#
# Needs: node + npm (npm registry reachable for the first install), python3 + PyPI for the first
# creation of the `lab` environment.
set -euo pipefail

FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

EXT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(cd "$EXT_DIR/.." && pwd)
OUT_DIR=$EXT_DIR/tfx_ts_labextension/labextension
PREFIX=$REPO/.jupyter-test
DATA_DIR=$PREFIX/share/jupyter
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

step_start=0
step() { step_start=$(date +%s); echo "==> $*"; }
done_step() { echo "    ($(( $(date +%s) - step_start )) s)"; }

# True when $1 is missing or any file under the other arguments is newer.
stale() {
  local target=$1; shift
  [ "$FORCE" = 1 ] && return 0
  [ -e "$target" ] || return 0
  [ -n "$(find "$@" -newer "$target" -type f -print -quit 2>/dev/null)" ]
}

# 1. The extension's own dependencies (package-lock.json pins them).
if [ ! -f "$EXT_DIR/node_modules/.package-lock.json" ] || [ "$EXT_DIR/package-lock.json" -nt "$EXT_DIR/node_modules/.package-lock.json" ]; then
  step "npm ci (lab-extension)"
  (cd "$EXT_DIR" && npm ci --no-audit --no-fund)
  done_step
fi

# 2. TypeScript -> lib/ (the extension's sources and the kernel<->lab protocol module it imports).
if stale "$EXT_DIR/lib/.built" "$EXT_DIR/src" "$REPO/src/protocol" "$EXT_DIR/tsconfig.json" "$EXT_DIR/package.json"; then
  step "tsc (lab-extension)"
  (cd "$EXT_DIR" && rm -rf lib tsconfig.tsbuildinfo && node node_modules/typescript/bin/tsc -b)
  touch "$EXT_DIR/lib/.built"
  done_step
fi

# 3. The prebuilt extension, with JupyterLab's own builder against the installed JupyterLab's core.
if stale "$OUT_DIR/package.json" "$EXT_DIR/lib" "$EXT_DIR/schema" "$REPO/style" "$EXT_DIR/package.json"; then
  VENV=$(bash "$REPO/scripts/venv.sh" lab)
  step "jupyter labextension build (JupyterLab $("$VENV/bin/jupyter" lab --version))"
  # In JupyterLab 4.6 `jupyter labextension build` hands over to `jupyter-builder build` (same venv).
  (cd "$EXT_DIR" && PATH="$VENV/bin:$PATH" jupyter labextension build . > "$EXT_DIR/.build-labextension.log" 2>&1) \
    || { cat "$EXT_DIR/.build-labextension.log" >&2; exit 1; }
  grep -E -e 'compiled' -e 'ERROR' "$EXT_DIR/.build-labextension.log" | sed 's/^/    /' || true
  [ -f "$OUT_DIR/package.json" ] && grep -q '"_build"' "$OUT_DIR/package.json" \
    || { echo "jupyter labextension build did not produce $OUT_DIR/package.json" >&2; exit 1; }
  touch "$OUT_DIR/package.json"
  done_step
fi

# 4. The tslab kernelspec (from the root's node_modules) in the test Jupyter path.
TSLAB=$REPO/node_modules/.bin/tslab
KERNEL_JSON=$DATA_DIR/kernels/tslab/kernel.json
if [ -x "$TSLAB" ]; then
  if [ ! -f "$KERNEL_JSON" ] || ! grep -qF "\"$TSLAB\"" "$KERNEL_JSON"; then
    step "tslab kernelspec -> $DATA_DIR/kernels"
    # tslab's installer needs a Python with jupyter_client: the `lab` environment has one.
    "$TSLAB" install --python "$(bash "$REPO/scripts/venv.sh" lab)/bin/python" --binary "$TSLAB" --prefix "$PREFIX"
    done_step
  fi
else
  echo "warning: $TSLAB not found (run npm install in the repository root); UI tests that run a kernel need it." >&2
fi

echo "lab extension: lab-extension/tfx_ts_labextension/labextension"
