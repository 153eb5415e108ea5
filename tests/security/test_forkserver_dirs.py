"""Fork-server folders live under the data dir, and those of dead servers are cleared."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from jupyter_mlstudio.jobs.forkdirs import SOCKET_NAME, clear_stale, make_dir
from jupyter_mlstudio.runfolders import OWNER_NAME
from jupyter_mlstudio.procid import start_time
from tests.procs import wait_for, wait_gone
from tests.servers import start_server

pytestmark = [pytest.mark.slow]


@pytest.fixture
def temp(tmp_path, monkeypatch):
    """A temporary folder of the test's own, standing for /tmp."""
    folder = tmp_path / "t"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _dead_owner() -> str:
    proc = subprocess.Popen(["sleep", "30"])
    identity = f"{proc.pid} {start_time(proc.pid)}"
    proc.kill()
    proc.wait()
    return identity


def _legacy(temp: Path, name: str) -> Path:
    folder = temp / f"mlstudio-fs-{name}"
    folder.mkdir(mode=0o700)
    return folder


def test_only_stale_folders_of_this_user_go(tmp_path, temp):
    run_dir = tmp_path / "jobs" / ".fs"
    mine = make_dir(run_dir)
    assert mine.parent == run_dir and (run_dir.stat().st_mode & 0o777) == 0o700
    dead = make_dir(run_dir)
    (dead / OWNER_NAME).write_text(_dead_owner())
    closed = _legacy(temp, "closed")  # a socket file nobody listens on any more
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(closed / SOCKET_NAME))
    live = _legacy(temp, "live")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(live / SOCKET_NAME))
    listener.listen(1)
    young = _legacy(temp, "young")  # may be a fork server starting right now
    old = _legacy(temp, "old")
    os.utime(old, (time.time() - 600, time.time() - 600))
    (temp / "mlstudio-fs-link").symlink_to(closed)
    foreign = _legacy(temp, "foreign")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(foreign / SOCKET_NAME))
    if os.getuid() == 0:
        os.chown(foreign, 54321, 54321)
    unrelated = temp / "other-dir"
    unrelated.mkdir()
    try:
        removed = set(clear_stale(run_dir))
    finally:
        listener.close()
    assert removed == {dead, closed, old}
    for kept in (mine, live, young, unrelated, temp / "mlstudio-fs-link"):
        assert os.path.lexists(kept), kept
    assert foreign.exists() == (os.getuid() == 0)  # someone else's: never touched


def test_a_data_dir_too_deep_for_a_socket_falls_back_to_temp(tmp_path, temp):
    folder = make_dir(tmp_path / ("d" * 120))
    assert folder.parent == temp and folder.name.startswith("mlstudio-fs-")
    assert (folder / OWNER_NAME).read_text() == f"{os.getpid()} {start_time(os.getpid())}"


def _fork_server_of(pid: int) -> psutil.Process | None:
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if "jupyter_mlstudio.jobs.forkserver" in child.cmdline():
                return child
        except psutil.NoSuchProcess:
            continue
    return None


@pytest.fixture
def server_temp(monkeypatch):
    """A short temporary folder for the servers this test starts (their TMPDIR): a
    server started by a test in another worker clears dead servers' folders in its own
    temporary folder, and must not race this test for the one it leaves."""
    folder = Path(tempfile.mkdtemp(prefix="fsd-", dir="/tmp"))
    monkeypatch.setenv("TMPDIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_kill_9_leftovers_are_cleared_at_the_next_start(tmp_path, server_temp):
    home = tmp_path / "h"
    (home / "work" / "src").mkdir(parents=True)
    (home / "work" / "src" / "train.py").write_text("print('done')")
    server = start_server(home)
    try:
        resp = server.request("POST", "mlstudio/api/training-jobs", json={
            "TrainingJobName": "quick",
            "AlgorithmSpecification": {"TrainingImage": "python"},
            "HyperParameters": {"sagemaker_program": "train.py",
                                "sagemaker_submit_directory": "src"},
            "OutputDataConfig": {"S3OutputPath": "s3://mlstudio/out"}})
        assert resp.status_code == 201, resp.text
        wait_for(lambda: server.get("mlstudio/api/training-jobs/quick").json()[
            "TrainingJobStatus"] == "Completed")
        fork_server = _fork_server_of(server.proc.pid)
        assert fork_server is not None
        folder = Path(fork_server.cmdline()[-1]).parent
        assert folder.is_dir()
    finally:
        server.stop(signal.SIGKILL)
    assert wait_gone(fork_server.pid)  # it dies with the server, its folder stays
    assert folder.is_dir()
    again = start_server(home)
    try:
        assert not folder.exists()
    finally:
        again.stop()
