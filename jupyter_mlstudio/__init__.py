"""jupyter_mlstudio: SageMaker-style data, training and deployment tools for JupyterLab."""
from __future__ import annotations

from typing import Any

from ._version import __version__

__all__ = ["__version__"]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .app import MLStudioApp

    return [{"module": "jupyter_mlstudio.app", "app": MLStudioApp}]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext jupyter_mlstudio``: register the magics."""
    from .magics import load_ipython_extension as load

    load(ipython)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "jupyter-mlstudio"}]
