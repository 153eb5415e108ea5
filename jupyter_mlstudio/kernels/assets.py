"""Where the kernel assets (the repo's ``kernels/`` folder) are."""
from __future__ import annotations

from pathlib import Path


def assets_dir() -> Path:
    """``jupyter_mlstudio/kernel_assets`` in the wheel, or the repo's ``kernels/`` in a checkout."""
    installed = Path(__file__).resolve().parents[1] / "kernel_assets"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "kernels"
