"""Where the extension keeps its files."""
from __future__ import annotations

import os
from pathlib import Path

from jupyter_core.paths import jupyter_data_dir


def default_data_dir() -> Path:
    """``<jupyter data dir>/mlstudio``: database, embedded store, job folders."""
    return Path(jupyter_data_dir()) / "mlstudio"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by its owner only."""
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def write_private_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically with mode 0600, never exposing it wider."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
