"""Installer classes by kind: built-in, entry points, then ``c.KernelsApp.installer_classes``."""
from __future__ import annotations

from typing import Any

from ...plugins import load_installed
from .base import Availability, KernelInstaller, Option
from .python import PythonKernelInstaller
from .r import RKernelInstaller
from .scala import ScalaKernelInstaller

ENTRY_POINT_GROUP = "jupyter_mlstudio.kernel_installers"
BUILTIN: dict[str, type[KernelInstaller]] = {
    "r": RKernelInstaller,
    "scala": ScalaKernelInstaller,
    "python": PythonKernelInstaller,
}

__all__ = ["Availability", "KernelInstaller", "Option", "installer_classes", "BUILTIN",
           "PythonKernelInstaller", "RKernelInstaller", "ScalaKernelInstaller"]


def installer_classes(configured: dict[str, Any], log: Any = None) -> dict[str, type]:
    """Kind -> class. Entry points add kinds or replace built-in ones; configuration wins,
    and a kind configured as None is left out."""
    classes: dict[str, Any] = dict(BUILTIN)
    classes.update(load_installed(ENTRY_POINT_GROUP, KernelInstaller, log))
    classes.update(configured)
    return {kind: cls for kind, cls in classes.items() if cls is not None}
