#!/usr/bin/env bash
# Makes the environment the UI tests run JupyterLab from: a fresh virtual environment (no system
# site-packages) that sees the cached `lab` environment's packages (JupyterLab 4.6 from PyPI,
# hatchling, hatch-jupyter-builder) through a .pth file, with the lab extension pip-installed from
# its Python package (lab-extension/pyproject.toml) -- the way a user installs it. Offline: no index,
# no build isolation, the prebuilt extension from lab-extension/scripts/build.sh.
#   scripts/lab-ui-env.sh <dir>     prints <dir>
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$1"
lab=$(bash scripts/venv.sh lab)
[ -f lab-extension/tfx_ts_labextension/labextension/package.json ] \
  || { echo "scripts/lab-ui-env.sh: build the extension first (bash lab-extension/scripts/build.sh)" >&2; exit 2; }
rm -rf "$dir"
"$lab/bin/python" -m venv --without-pip "$dir" >&2
site=$("$dir/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
"$lab/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' > "$site/tfx-ts-lab.pth"
# A .pth file brings the packages but not the data files pip installed beside them in the lab
# environment's prefix: the server-extension switches in etc/jupyter (jupyterlab, jupyter_lsp,
# jupyter_server_terminals, notebook_shim -- without jupyter_lsp's, JupyterLab's LSP plugin gets a
# 404 from /lsp/status) and share/jupyter (JupyterLab's app directory, other prebuilt extensions,
# the python3 kernelspec). Copy the switches and link the data, so this prefix looks like one pip
# install of jupyterlab; only our extension is then installed here by pip itself.
mkdir -p "$dir/etc" "$dir/share/jupyter/labextensions"
cp -R "$lab/etc/jupyter" "$dir/etc/"
for entry in "$lab"/share/jupyter/*; do
  [ "$(basename "$entry")" = labextensions ] || ln -s "$entry" "$dir/share/jupyter/"
done
for entry in "$lab"/share/jupyter/labextensions/*; do
  [ "$(basename "$entry")" = tfx-ts-labextension ] || ln -s "$entry" "$dir/share/jupyter/labextensions/"
done
# pip builds the wheel in a copy of the sources' listed files; hatch-jupyter-builder skips npm
# because the prebuilt extension is there (skip-if-exists in pyproject.toml).
"$lab/bin/python" -m pip --python "$dir/bin/python" install --disable-pip-version-check -q \
  --no-index --no-deps --no-build-isolation ./lab-extension >&2
echo "$dir"
