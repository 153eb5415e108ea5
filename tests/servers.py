"""Real ``jupyter lab`` / ``jupyter server`` processes for end-to-end tests."""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from jupyter_mlstudio.s3.ports import free_ports

JUPYTER = str(Path(sys.executable).parent / "jupyter")


@dataclass
class LiveServer:
    """A Jupyter server process started by a test, stopped by its own pid."""

    proc: subprocess.Popen
    url: str
    token: str
    home: Path
    log_path: Path

    @property
    def data_dir(self) -> Path:
        return self.home / "data" / "mlstudio"

    def env(self) -> dict[str, str]:
        return {**os.environ, **_jupyter_env(self.home)}

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        """An authenticated request to ``<server>/<path>``."""
        kwargs.setdefault("timeout", 30)
        headers = {"Authorization": f"token {self.token}", **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.url}{path}", headers=headers, **kwargs)

    def s3_environment(self) -> dict[str, str]:
        """What the server's kernels get: the embedded store's endpoint and credentials."""
        import json

        endpoint = self.get("mlstudio/api/status").json()["s3"]["endpoint_url"]
        ids = json.loads((self.data_dir / "s3-identities.json").read_text())
        cred = ids["identities"][0]["credentials"][0]
        return {"AWS_ENDPOINT_URL_S3": endpoint, "AWS_ACCESS_KEY_ID": cred["accessKey"],
                "AWS_SECRET_ACCESS_KEY": cred["secretKey"], "AWS_DEFAULT_REGION": "us-east-1"}

    def s3_client(self):
        """A boto3 client for the server's embedded store, with its generated credentials."""
        import boto3

        env = self.s3_environment()
        return boto3.client(
            "s3",
            endpoint_url=env["AWS_ENDPOINT_URL_S3"],
            region_name="us-east-1",
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        )

    def wait_healthy(self, timeout: float = 60.0) -> dict:
        """Wait until the status route reports every part healthy; return the status."""
        deadline = time.monotonic() + timeout
        last: dict | str = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                resp = self.get("mlstudio/api/status")
                last = resp.json() if resp.ok else resp.text
                if resp.ok and last["healthy"]:
                    return last
            except (requests.RequestException, ValueError) as err:
                last = str(err)
            time.sleep(0.25)
        raise TimeoutError(f"server not healthy after {timeout} s: {last}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def _jupyter_env(home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


# Jobs on framework images run on the test process's own Python unless a test asks for
# framework environments (tests/test_framework_envs.py): building one takes a minute.
TEST_CONFIG = {"LocalBackend": {"build_framework_environments": False}}


def write_test_config(config_dir: Path) -> None:
    """The suite's defaults, as a server config file (command-line options override it)."""
    import json

    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "jupyter_server_config.json"
    if not path.exists():
        path.write_text(json.dumps(TEST_CONFIG))


def start_server(home: Path, app: str = "server", *args: str) -> LiveServer:
    """Start ``jupyter <app>`` with its own HOME and Jupyter dirs; wait until it is healthy.
    A port taken meanwhile (by a test in another worker) is retried on another."""
    for attempt in range(3):
        server = launch_server(home, app, *args)
        try:
            server.wait_healthy()
            return server
        except Exception:
            server.stop()  # never leave a server behind a failed start
            log = server.log_path.read_text(errors="replace")
            if attempt == 2 or "is already in use" not in log:
                raise
    raise AssertionError("unreachable")


def launch_server(home: Path, app: str = "server", *args: str) -> LiveServer:
    """Start ``jupyter <app>`` with its own HOME and Jupyter dirs, without waiting."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "work").mkdir(exist_ok=True)
    token = secrets.token_hex(16)
    (port,) = free_ports(1)
    log_path = home / f"jupyter-{app}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "JUPYTER_"))}
    env.update(_jupyter_env(home))
    write_test_config(home / "config")
    cmd = [
        JUPYTER,
        app,
        "--no-browser",
        "--allow-root",
        f"--port={port}",
        "--ServerApp.port_retries=0",  # the port asked for, or exit (see start_server)
        "--ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={home / 'work'}",
        *args,
    ]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    return LiveServer(proc, f"http://127.0.0.1:{port}/", token, home, log_path)
