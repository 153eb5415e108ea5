"""Kernelspecs as the API shows them, and their atomic registration and removal."""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager

from .errors import KernelsError

META_KEY = "mlstudio"  # kernel.json's metadata.mlstudio marks the kernels we installed


def kernel_environment(interpreter: str | None) -> str | None:
    """The venv or conda env an interpreter path belongs to, if any."""
    if not interpreter or not os.path.isabs(interpreter):
        return None
    prefix = Path(interpreter).parent.parent  # <env>/bin/python, never resolved (a symlink)
    if (prefix / "pyvenv.cfg").is_file() or (prefix / "conda-meta").is_dir():
        return str(prefix)
    return None


def describe_spec(name: str, resource_dir: str, spec: dict[str, Any]) -> dict[str, Any]:
    meta = (spec.get("metadata") or {}).get(META_KEY) or {}
    argv = list(spec.get("argv") or [])
    interpreter = argv[0] if argv else None
    if interpreter and not os.path.isabs(interpreter):
        interpreter = shutil.which(interpreter) or interpreter
    return {
        "name": name,
        "display_name": spec.get("display_name", name),
        "language": spec.get("language", ""),
        "location": resource_dir,
        "argv": argv,
        "interpreter": interpreter,
        "environment": meta.get("environment") or kernel_environment(interpreter),
        "managed": bool(meta),
        "kind": meta.get("kind"),
        "backend": meta.get("backend"),
        "installed": meta.get("installed"),
        "writable": os.access(os.path.dirname(resource_dir) or ".", os.W_OK),
    }


class KernelSpecs:
    """The kernelspecs the server sees (its KernelSpecManager), and the folder we write to."""

    def __init__(self, manager: KernelSpecManager, kernel_dir: str = "") -> None:
        self.manager = manager
        self.kernel_dir = kernel_dir

    @property
    def dir(self) -> Path:
        return Path(self.kernel_dir or self.manager.user_kernel_dir)

    def all(self) -> dict[str, dict[str, Any]]:
        """``{name: {"resource_dir", "spec"}}`` for every kernelspec the server can start."""
        return self.manager.get_all_specs()

    def describe_all(self) -> list[dict[str, Any]]:
        specs = self.all()
        return [describe_spec(name, info["resource_dir"], info["spec"])
                for name, info in sorted(specs.items())]

    def describe(self, name: str) -> dict[str, Any]:
        info = self.all().get(name)
        if info is None:
            raise KernelsError(404, f"no kernel named {name!r}", "NoSuchKernel")
        return describe_spec(name, info["resource_dir"], info["spec"])

    def location(self, name: str) -> str | None:
        return self.manager.find_kernel_specs().get(name)

    def register(self, source: Path, name: str) -> Path:
        """Copy the kernelspec folder ``source`` to ``<dir>/<name>``, replacing one there.

        The new folder is copied beside the target and renamed into place, so Jupyter
        never sees a half-written kernelspec.
        """
        self.dir.mkdir(parents=True, exist_ok=True)
        target = self.dir / name
        tag = uuid.uuid4().hex[:8]
        staged = self.dir / f".{name}.new-{tag}"
        shutil.copytree(source, staged)
        old = None
        if target.exists():
            old = self.dir / f".{name}.old-{tag}"
            os.rename(target, old)
        try:
            os.rename(staged, target)
        except OSError:
            if old is not None:
                os.rename(old, target)
            shutil.rmtree(staged, ignore_errors=True)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return target

    def remove(self, name: str) -> str:
        """Delete the kernelspec folder the server would use for ``name``; return its path."""
        location = self.location(name)
        if location is None:
            raise KernelsError(404, f"no kernel named {name!r}", "NoSuchKernel")
        if not os.access(os.path.dirname(location), os.W_OK):
            raise KernelsError(403, f"kernel {name!r} is in {location}, which this server "
                               "cannot write to", "NotWritable")
        shutil.rmtree(location)
        return location
