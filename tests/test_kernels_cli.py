"""`jupyter mlstudio kernels …` against a real server; kernels outlive a lost kernelspec."""
from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import requests

from tests.servers import JUPYTER, LiveServer, launch_server

pytestmark = [pytest.mark.slow]


def start(home) -> LiveServer:
    server = launch_server(home, "server", "--MLStudioApp.embedded_s3=False",
                           f"--KernelsApp.env_dir={home / 'envs'}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(server.log_path.read_text()[-3000:])
        try:
            if server.get("mlstudio/api/kernels").ok:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.25)
    server.stop()
    raise TimeoutError(server.log_path.read_text()[-3000:])


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


def cli(server: LiveServer, *args: str) -> subprocess.CompletedProcess:
    env = {**server.env(), "JUPYTER_MLSTUDIO_URL": server.url,
           "JUPYTER_MLSTUDIO_TOKEN": server.token}
    return subprocess.run([JUPYTER, "mlstudio", "kernels", *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_installs_lists_and_uninstalls_and_kernels_survive_a_lost_kernelspec(home):
    server = start(home)
    try:
        done = cli(server, "install", "r", "--name", "r-cli", "--display-name", "R (cli)")
        assert done.returncode == 0, done.stderr + done.stdout
        assert "checking R" in done.stdout and "Completed: kernel 'r-cli' installed" in done.stdout
        listing = cli(server, "list")
        assert listing.returncode == 0, listing.stderr
        line = next(ln for ln in listing.stdout.splitlines() if ln.startswith("r-cli "))
        assert "R (cli)" in line and str(home / "envs" / "r-cli") in line
        assert "scala" in listing.stdout and "python" in listing.stdout

        again = cli(server, "install", "r", "--name", "r-cli")
        assert again.returncode == 1 and "exists" in again.stderr
        unknown = cli(server, "install", "fortran")
        assert unknown.returncode == 1 and "unknown kind 'fortran'" in unknown.stderr
        bad = cli(server, "install", "r", "--name", "Not Valid")
        assert bad.returncode == 1 and "invalid kernel name" in bad.stderr
        refused = cli(server, "uninstall", "python3")
        assert refused.returncode == 1 and "not installed by jupyter_mlstudio" in refused.stderr

        gone = cli(server, "uninstall", "r-cli")
        assert gone.returncode == 0 and "uninstalled r-cli" in gone.stdout, gone.stderr
        assert cli(server, "install", "r", "--name", "r-keep").returncode == 0
    finally:
        server.stop()

    shutil.rmtree(home / "data" / "kernels" / "r-keep")  # a new home folder, the envs kept
    server = start(home)
    try:
        specs = {k["name"]: k for k in server.get("mlstudio/api/kernels").json()["kernelspecs"]}
        assert "r-cli" not in specs
        assert specs["r-keep"]["managed"] and specs["r-keep"]["kind"] == "r"
    finally:
        server.stop()
