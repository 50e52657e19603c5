#!/usr/bin/env bash
# Creates (or reuses) a cached Python virtual environment for one requirements file and links it
# into the project as .venv/<name>. Usage: scripts/venv.sh <name>   (reads requirements/<name>.txt)
# The environment lives in the user's cache, keyed by the file's digest, so a fresh clone on the
# same machine reuses it and a changed requirements file gets a new one. Prints the venv's path.
set -euo pipefail
cd "$(dirname "$0")/.."
name="$1"
req="requirements/$name.txt"
[ -f "$req" ] || { echo "scripts/venv.sh: no $req" >&2; exit 2; }
cache="${TFX_TS_CACHE:-$HOME/.cache/tfx-ts}"
# A "# python: 3.10" line picks the interpreter (pyenv's versions on these machines), else python3.
want=$(sed -n 's/^# python: *\([0-9.]*\).*/\1/p' "$req" | head -n 1)
py=python3
if [ -n "$want" ]; then
  # pyenv's own interpreter first: its shims on PATH refuse versions that are not selected.
  py=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$want".*/bin/python3 2>/dev/null | sort -V | tail -n 1)
  [ -n "$py" ] || py=$(command -v "/usr/bin/python$want" || true)
  [ -n "$py" ] || { echo "scripts/venv.sh: $req needs Python $want; install it (pyenv install $want)" >&2; exit 2; }
fi
digest=$( (cat "$req"; "$py" -c 'import sys; print(sys.version)') | sha256sum | cut -c1-16)
venv="$cache/venv-$name-$digest"
if [ ! -f "$venv/.complete" ]; then
  # Installed in place (entry-point scripts carry absolute paths); .complete marks a finished install,
  # so an interrupted one is started over.
  rm -rf "$venv"
  mkdir -p "$cache"
  start=$(date +%s)
  "$py" -m venv "$venv" >&2
  "$venv/bin/pip" install --disable-pip-version-check -q -r "$req" >&2
  touch "$venv/.complete"
  echo "scripts/venv.sh: $name environment installed in $(( $(date +%s) - start )) s" >&2
fi
mkdir -p .venv
ln -sfn "$venv" ".venv/$name"
echo "$PWD/.venv/$name"
