"""The endpoint router's process, seen from the Jupyter server: start, control, stop.

The router (:mod:`jupyter_mlstudio.serving.router`) is one process serving
``POST /endpoints/<name>/invocations`` for every endpoint; this class starts it and
drives its control API (routing tables, statistics) with a secret token.
"""
from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from ..process import spawn_group, stop_group

CONTROL_TIMEOUT = 10.0


class RouterError(RuntimeError):
    """The router process did not start or refused a control call."""


class RouterProcess:
    """One router process on ``host:port``; its routing tables are pushed by the service."""

    def __init__(self, host: str, port: int, folder: Path, *, python: str = sys.executable,
                 max_payload_mb: int = 6, timeout: int = 60, wait_for_instance: int = 30):
        self.host, self.port, self.folder = host, port, folder
        self.python = python
        self.options = {"--max-payload-mb": max_payload_mb, "--timeout": timeout,
                        "--wait-for-instance": wait_for_instance}
        self._token = secrets.token_urlsafe(24)
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {self._token}"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """The base URL ``sagemaker-runtime`` clients use (``endpoint_url=``)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.folder / "router.log"

    async def start(self, timeout: float = 30.0) -> None:
        """Start the router and wait until it answers ``/ping``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        args = [self.python, "-m", "jupyter_mlstudio.serving.router", "--host", self.host,
                "--port", str(self.port)]
        for flag, value in self.options.items():
            args += [flag, str(value)]
        env = {**os.environ, "MLSTUDIO_ROUTER_TOKEN": self._token, "PYTHONUNBUFFERED": "1"}
        with open(self.log_path, "ab") as log:
            self.proc = spawn_group(args, env=env, stdout=log)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if self.proc.poll() is not None:
                raise RouterError(f"the endpoint router exited with code {self.proc.returncode}"
                                  f" (port {self.port} taken?); see {self.log_path}")
            try:
                ok = await asyncio.to_thread(self._ping)
            except requests.RequestException:
                ok = False
            if ok:
                return
            await asyncio.sleep(0.1)
        raise RouterError(f"the endpoint router did not answer within {timeout:g} s")

    def _ping(self) -> bool:
        return self._session.get(f"{self.url}/ping", timeout=1).status_code == 200

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    async def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            await asyncio.to_thread(stop_group, proc, 10.0)

    # -- control API --------------------------------------------------------------
    def _call(self, method: str, path: str, body: Any = None) -> Any:
        try:
            resp = self._session.request(method, f"{self.url}/_router/{path}", json=body,
                                         timeout=CONTROL_TIMEOUT)
        except requests.RequestException as err:
            raise RouterError(f"the endpoint router did not answer: {err}") from None
        if resp.status_code >= 400:
            raise RouterError(f"the endpoint router refused {method} {path}: "
                              f"{resp.status_code} {resp.text[:200]}")
        return resp.json() if resp.content else None

    async def put_endpoint(self, name: str, variants: list[dict[str, Any]]) -> None:
        """Route ``name`` over ``variants`` ([{name, weight, instances: [{id, url}]}])."""
        await asyncio.to_thread(self._call, "PUT", f"endpoints/{name}", {"variants": variants})

    async def delete_endpoint(self, name: str) -> None:
        await asyncio.to_thread(self._call, "DELETE", f"endpoints/{name}")

    async def stats(self) -> dict[str, Any]:
        """Cumulative counters per endpoint, variant and instance."""
        return (await asyncio.to_thread(self._call, "GET", "stats")) or {"endpoints": {}}
