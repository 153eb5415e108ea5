"""Model-server socket folders left by a killed server are removed at the next start."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from jupyter_mlstudio.procid import start_time
from jupyter_mlstudio.runfolders import OWNER_NAME
from jupyter_mlstudio.serving.instances import SOCKET_FOLDER_PREFIX


def _folder(owner: str | None) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=SOCKET_FOLDER_PREFIX))
    (folder / "1.sock").write_bytes(b"")
    if owner is not None:
        (folder / OWNER_NAME).write_text(owner)
    return folder


@pytest.fixture
def socket_folders():
    """Folders as a killed server, a running one and an unknown maker leave them."""
    proc = subprocess.Popen(["sleep", "30"])
    dead = f"{proc.pid} {start_time(proc.pid)}"
    proc.kill()
    proc.wait()
    folders = {"dead": _folder(dead),
               "alive": _folder(f"{os.getpid()} {start_time(os.getpid())}"),
               "unknown": _folder(None)}
    yield folders
    for folder in folders.values():
        shutil.rmtree(folder, ignore_errors=True)


def test_start_removes_only_folders_of_servers_that_are_gone(socket_folders, mlstudio_app):
    assert not socket_folders["dead"].exists()
    assert socket_folders["alive"].exists()  # this very server's (or a live one's)
    assert socket_folders["unknown"].exists()  # nobody recorded: not ours to judge
