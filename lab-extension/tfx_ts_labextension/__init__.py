"""The tfx-ts JupyterLab extension (prebuilt), installed into share/jupyter/labextensions by pip."""

__version__ = "0.1.0"


def _jupyter_labextension_paths():
    # Where JupyterLab finds the prebuilt extension when the package is installed in develop mode.
    return [{"src": "labextension", "dest": "tfx-ts-labextension"}]
