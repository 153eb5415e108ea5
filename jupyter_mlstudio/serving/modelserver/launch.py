"""Model servers in another Python (a framework environment, a kernel's venv).

The model server is this package's program; another interpreter lacks it and the web
stack it runs on. A folder of links to those packages, as the Jupyter server's Python
has them, goes on that interpreter's path, before its own packages (these are pure
Python and backward compatible; the model's own libraries are not among them).
"""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

# The model server and what starlette and uvicorn import (their required dependencies),
# and uvicorn's compiled loop and parser (used where they import: same Python version).
SERVER_MODULES = ("jupyter_mlstudio", "starlette", "uvicorn", "h11", "click", "anyio",
                  "sniffio", "idna", "typing_extensions", "uvloop", "httptools")
_BOOT = ("import runpy, sys; sys.path.insert(0, sys.argv.pop(1)); "
         "runpy.run_module(sys.argv.pop(1), run_name='__main__', alter_sys=True)")


def link_folder(folder: Path) -> Path:
    """``folder`` holding a link to each of :data:`SERVER_MODULES` (made or refreshed)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in SERVER_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        link = folder / source.name
        if link.is_symlink() and os.readlink(link) == str(source):
            continue
        tmp = folder / f".{source.name}.{os.getpid()}"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(source)
        os.replace(tmp, link)  # atomic: a model server starting meanwhile sees one or other
    return folder


def module_command(python: str, module: str, args: list[str], folder: Path) -> list[str]:
    """``python -m module args``; for another interpreter, with the model server's
    packages from ``folder`` (see :func:`link_folder`) first on its path."""
    # Venvs link to one base interpreter: compare their bin folders, not the targets.
    if os.path.abspath(os.path.dirname(python)) == os.path.dirname(os.path.abspath(
            sys.executable)):
        return [python, "-m", module, *args]
    return [python, "-c", _BOOT, str(link_folder(folder)), module, *args]
