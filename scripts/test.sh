#!/usr/bin/env bash
# The project's test command (README, CI): prepares everything the tests need on a fresh machine,
# runs every Jest project, and ends with the line "N passed, N failed, N skipped".
# Each prerequisite (Python environments, Go tools, servers on 127.0.0.1) is one script in
# scripts/test-setup/, sourced in name order: a script may export variables for the tests and
# register the PIDs of servers it starts with `stop_at_exit <pid>`.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export TFX_TS_ROOT="$root"
export JUPYTER_PATH="$root/.jupyter-test/share/jupyter"
export JUPYTER_DATA_DIR="$root/.jupyter-test/share/jupyter"
export JUPYTER_CONFIG_DIR="$root/.jupyter-test/etc"
export JUPYTER_RUNTIME_DIR="$root/.jupyter-test/runtime"
mkdir -p "$JUPYTER_RUNTIME_DIR" "$JUPYTER_CONFIG_DIR"

fail_setup() { echo "test setup failed: $1" >&2; echo "0 passed, 1 failed"; exit 1; }
pids_to_stop=()
stop_at_exit() { pids_to_stop+=("$1"); }
cleanup() { for pid in "${pids_to_stop[@]}"; do kill "$pid" 2>/dev/null; done; }
trap cleanup EXIT
# Time each setup step: CI's budget includes first installs.
timed() { local start=$SECONDS; "$@"; local status=$?; echo "test setup: $* took $((SECONDS - start)) s" >&2; return $status; }

# Notebooks and spawned CLIs run the built package: build it from the current sources.
timed npm run build || fail_setup "TypeScript build"
# Debian packages (Jupyter, Chromium, pandas/sklearn for cross-checks) and the tslab kernelspec.
timed node bin/tfx-ts.js setup --prefix .jupyter-test --test-deps || fail_setup "tfx-ts setup --test-deps"
if [ -f lab-extension/scripts/build.sh ]; then
  timed bash lab-extension/scripts/build.sh || fail_setup "lab extension build"
  timed node bin/tfx-ts.js setup --prefix .jupyter-test || fail_setup "tfx-ts setup (extension link)"
fi
for step in scripts/test-setup/*.sh; do
  [ -e "$step" ] || continue
  start=$SECONDS
  # shellcheck source=/dev/null
  source "$step" || fail_setup "$step"
  echo "test setup: $step took $((SECONDS - start)) s" >&2
done

results="$root/.jest-results.json"
rm -f "$results"
npx jest --json --outputFile="$results" --forceExit "$@"
jest_status=$?
node scripts/summarize-jest.js "$results" "$jest_status"
