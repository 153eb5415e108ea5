"""A real Jupyter server process: CLI, shutdown and crash leave nothing behind."""
from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_mlstudio import __version__
from tests.procs import wait_gone, weed_processes
from tests.servers import JUPYTER, start_server

pytestmark = [pytest.mark.slow]


@pytest.fixture
def live_server(tmp_path):
    server = start_server(tmp_path / "home")
    yield server
    server.stop()


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [JUPYTER, "mlstudio", *args], capture_output=True, text=True, timeout=60, env=env
    )


def test_cli_version():
    result = _cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == __version__


def test_cli_status_finds_the_running_server(live_server):
    result = _cli("status", env=live_server.env())
    assert result.returncode == 0, result.stderr
    assert "healthy" in result.stdout
    assert "(embedded)" in result.stdout
    status = live_server.get("mlstudio/api/status").json()
    assert status["s3"]["endpoint_url"] in result.stdout


def test_cli_status_json_and_bad_token(live_server):
    env = {**live_server.env(), "JUPYTER_MLSTUDIO_URL": live_server.url}
    ok = _cli("status", "--json", f"--token={live_server.token}", env=env)
    assert ok.returncode == 0, ok.stderr
    assert '"embedded": true' in ok.stdout
    bad = _cli("status", "--token=wrong", env=env)
    assert bad.returncode == 1
    assert "check the token" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_cli_status_without_a_server(tmp_path):
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(tmp_path),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    result = _cli("status", env=env)
    assert result.returncode == 1
    assert "no running Jupyter server" in result.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
def test_no_store_process_outlives_the_server(tmp_path, sig):
    server = start_server(tmp_path / "home")
    try:
        (weed,) = weed_processes(server.data_dir / "s3")
        server.stop(sig)
        assert wait_gone(weed.pid, timeout=20), f"weed {weed.pid} outlived the server"
    finally:
        server.stop(signal.SIGKILL)


def test_store_data_survives_a_server_restart(tmp_path):
    home = tmp_path / "home"
    server = start_server(home)
    try:
        _put(server, b"kept")
    finally:
        server.stop()
    again = start_server(home)
    try:
        assert _get(again) == b"kept"
    finally:
        again.stop()


def _put(server, body: bytes) -> None:
    server.s3_client().put_object(Bucket="mlstudio", Key="restart/obj", Body=body)


def _get(server) -> bytes:
    return server.s3_client().get_object(Bucket="mlstudio", Key="restart/obj")["Body"].read()
