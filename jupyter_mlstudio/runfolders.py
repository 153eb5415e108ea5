"""Private folders of helper processes, tagged with the server that made them.

Helpers need short-lived private folders (for unix sockets, which must have short
paths, often in the system's temporary folder). A server killed with ``kill -9`` cannot
remove its own; the next start does, knowing them by the owner recorded inside:
the Jupyter server's pid with its kernel start time, so a reused pid does not count.
"""
from __future__ import annotations

import logging
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Iterable

from .procid import start_time

log = logging.getLogger(__name__)
OWNER_NAME = "owner"


def make_owned_dir(prefix: str, parent: Path | None = None) -> Path:
    """A new 0700 folder (in ``parent``, else the temporary folder) owned by this process."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    pid = os.getpid()
    (folder / OWNER_NAME).write_text(f"{pid} {start_time(pid)}")
    return folder


def owner_alive(folder: Path) -> bool | None:
    """Whether the process that made ``folder`` still runs; None if none is recorded."""
    try:
        pid_text, _, started = (folder / OWNER_NAME).read_text().partition(" ")
        pid = int(pid_text)
    except (OSError, ValueError):
        return None
    return str(start_time(pid)) == started.strip()


def is_own_folder(folder: Path) -> bool:
    """Whether ``folder`` is a real directory (not a link) of this user."""
    try:
        info = folder.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()


def temp_folders(prefix: str) -> list[Path]:
    """The entries of the temporary folder whose names start with ``prefix``."""
    try:
        return [p for p in Path(tempfile.gettempdir()).iterdir() if p.name.startswith(prefix)]
    except OSError:
        return []


def remove_orphans(candidates: Iterable[Path]) -> list[Path]:
    """Remove those of ``candidates`` that are this user's and whose recorded owner is
    gone; returns the folders removed."""
    removed = []
    for folder in candidates:
        if is_own_folder(folder) and owner_alive(folder) is False:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    if removed:
        log.info("removed %d folder(s) left by a server that is gone", len(removed))
    return removed
