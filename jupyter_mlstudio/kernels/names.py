"""Kernel names: what Jupyter accepts as a kernelspec folder, minus surprises."""
from __future__ import annotations

import re
from typing import Any

from .errors import KernelsError

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
RESERVED = frozenset({"installs"})  # a route under /kernels


def check_kernel_name(name: Any) -> str:
    """``name`` if it is a valid kernel name, else a 400.

    Jupyter allows ``[a-zA-Z0-9._-]+``; we also ask for lower case (names are folder names
    and case-insensitive file systems exist), a letter or digit first (no hidden folders,
    nothing that looks like a command-line option) and at most 64 characters.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name) or name in RESERVED:
        reserved = " ('installs' is reserved)" if name in RESERVED else ""
        raise KernelsError(
            400,
            f"invalid kernel name {name!r}: use 1-64 characters from a-z, 0-9, '.', '_' and "
            f"'-', starting with a letter or digit{reserved}",
            "InvalidName",
        )
    return name
