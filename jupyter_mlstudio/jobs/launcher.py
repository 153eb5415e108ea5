"""The server's side of the fork server (``jobs/forkserver.py``)."""
from __future__ import annotations

import asyncio
import json
import logging
import shutil
import socket
import sys
import time
from pathlib import Path

from ..process import spawn_group, stop_group
from .forkdirs import SOCKET_NAME, make_dir

log = logging.getLogger(__name__)
READY_TIMEOUT = 20.0


class ForkServer:
    """Starts the fork server on first use (it dies with the Jupyter server) and asks it
    for runners. Any failure makes ``launch`` return None: the caller then starts the
    runner the slow way."""

    def __init__(self, run_dir: Path | None = None) -> None:
        self._dir = make_dir(run_dir)
        self.path = str(self._dir / SOCKET_NAME)
        self._proc = spawn_group(
            [sys.executable, "-m", "jupyter_mlstudio.jobs.forkserver", self.path],
            log_path=self._dir / "forkserver.log",
        )
        self._started = time.monotonic()
        self._lock = asyncio.Lock()

    def _request(self, job_dir: str, env: dict[str, str]) -> int | None:
        deadline = self._started + READY_TIMEOUT
        while not Path(self.path).exists():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                return None
            time.sleep(0.02)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(10)
            sock.connect(self.path)
            with sock.makefile("rwb") as stream:
                stream.write(json.dumps({"job_dir": job_dir, "env": env}).encode() + b"\n")
                stream.flush()
                reply = json.loads(stream.readline() or b"{}")
        return reply.get("pid")

    async def launch(self, job_dir: str, env: dict[str, str]) -> int | None:
        async with self._lock:
            try:
                return await asyncio.to_thread(self._request, job_dir, env)
            except (OSError, ValueError) as err:
                log.warning("fork server unavailable (%s); starting the runner directly", err)
                return None

    def close(self) -> None:
        stop_group(self._proc, grace=2.0)
        shutil.rmtree(self._dir, ignore_errors=True)
