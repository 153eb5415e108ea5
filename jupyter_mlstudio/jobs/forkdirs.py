"""The fork server's folders (its socket and log): made private under the extension's
data dir, and those left by a server that died (``kill -9``) cleared at the next start.

Each folder records its owner, the Jupyter server process (pid and kernel start
time, so a reused pid does not count). When the data dir's path is too long for a
Unix socket, the folder goes to the system's temporary folder as
``mlstudio-fs-*``, as older versions made it; such folders are cleared too, but
only this user's and only once their fork server is gone.
"""
from __future__ import annotations

import logging
import os
import shutil
import socket
import time
from pathlib import Path

from ..paths import ensure_private_dir
from ..runfolders import is_own_folder, make_owned_dir, owner_alive, temp_folders

log = logging.getLogger(__name__)
SOCKET_NAME = "fs.sock"
TEMP_PREFIX = "mlstudio-fs-"
SOCKET_PATH_MAX = 107  # sun_path holds 108 bytes, the last one a NUL
#: A folder without socket or owner younger than this may be a fork server starting.
STARTING_GRACE = 60.0


def make_dir(run_dir: Path | None) -> Path:
    """A new private folder for one fork server, owned by this process."""
    if run_dir is not None:
        ensure_private_dir(run_dir)
        folder = make_owned_dir("", run_dir)
        if len(os.fsencode(folder / SOCKET_NAME)) <= SOCKET_PATH_MAX:
            return folder
        shutil.rmtree(folder, ignore_errors=True)
    return make_owned_dir(TEMP_PREFIX)


def _socket_answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        try:
            sock.connect(str(path))
        except OSError:
            return False
    return True


def _is_stale(folder: Path) -> bool:
    """Whether ``folder`` is this user's and its fork server is gone."""
    if not is_own_folder(folder):
        return False
    alive = owner_alive(folder)
    if alive is not None:
        return not alive
    sock = folder / SOCKET_NAME  # made before owners were recorded
    if sock.exists():
        return not _socket_answers(sock)
    return time.time() - folder.lstat().st_mtime > STARTING_GRACE


def clear_stale(run_dir: Path | None) -> list[Path]:
    """Remove the stale fork-server folders under ``run_dir`` and in the temporary
    folder; returns those removed."""
    candidates: list[Path] = []
    if run_dir is not None and run_dir.is_dir():
        candidates += list(run_dir.iterdir())
    candidates += temp_folders(TEMP_PREFIX)
    removed = []
    for folder in candidates:
        if _is_stale(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    if removed:
        log.info("removed %d folder(s) of fork servers that are gone", len(removed))
    return removed
