"""The endpoint router's process, seen from the Jupyter server: start, watch, control, stop.

The router (:mod:`jupyter_mlstudio.serving.router`) is one process serving
``POST /endpoints/<name>/invocations`` for every endpoint; this class starts it, drives
its control API (routing tables, the keyring, statistics) with a secret token, and
restarts it as soon as it exits (the exit is seen at once, through a pidfd of the child).
After every start, ``on_start`` gives the new process everything (keyring, tables); the
router holds invocations until then. The listening socket is bound
here and inherited by each router process: it stays open across a restart, so no other
program can take the port meanwhile, and clients that connect then wait in its backlog.
"""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Awaitable, Callable

import requests

from ...aws.credentials import Keyring
from ...paths import write_private_file
from ...process import spawn_group, stop_group
from ..environment import serving_environment

log = logging.getLogger(__name__)
CONTROL_TIMEOUT = 10.0
RESTART_BACKOFF = (0.0, 0.5, 1, 2, 5, 10)
UP_WAIT = 30.0  # how long a control call waits for a restarting router


class RouterError(RuntimeError):
    """The router process did not start or refused a control call."""


class RouterProcess:
    """One router process on ``host:port``; its routing tables are pushed by the service."""

    def __init__(self, host: str, port: int, folder: Path, *, python: str = sys.executable,
                 max_payload_mb: int = 6, timeout: int = 60, wait_for_instance: int = 30,
                 allowed_hosts: tuple[str, ...] = (),
                 on_start: Callable[[], Awaitable[None]] | None = None):
        self.host, self.port, self.folder = host, port, folder
        self.python = python
        self.options = {"--max-payload-mb": max_payload_mb, "--timeout": timeout,
                        "--wait-for-instance": wait_for_instance}
        self.allowed_hosts = allowed_hosts
        self.on_start = on_start
        self._token = ""
        self._session = requests.Session()
        self.proc: subprocess.Popen | None = None
        self.restarts = 0
        self._up = threading.Event()  # set while a started router answers
        self._stopping = False
        self._restarting: asyncio.Task | None = None
        self._listener: socket.socket | None = None

    @property
    def url(self) -> str:
        """The base URL ``sagemaker-runtime`` clients use (``endpoint_url=``)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.folder / "router.log"

    @property
    def authorization(self) -> str:
        """The header value that lets the Jupyter server itself invoke through the router
        (its authenticated ``…/invocations`` route). Never log it."""
        return f"Bearer {self._token}"

    def _listen(self) -> socket.socket:
        """The router's listening socket, bound once; RouterError if the port is taken."""
        if self._listener is not None and self._listener.getsockname()[1] != self.port:
            self._listener.close()  # the service moved the router to another port
            self._listener = None
        if self._listener is None:
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((self.host, self.port))
                sock.listen(1024)
            except OSError as err:
                sock.close()
                raise RouterError(f"the endpoint router cannot listen on "
                                  f"{self.host}:{self.port}: {err}") from None
            self._listener = sock
        return self._listener

    def _command(self, token_file: Path, fd: int) -> list[str]:
        args = [self.python, "-m", "jupyter_mlstudio.serving.router", "--host", self.host,
                "--port", str(self.port), "--fd", str(fd), "--token-file", str(token_file),
                "--wait-ready"]
        for flag, value in self.options.items():
            args += [flag, str(value)]
        for name in self.allowed_hosts:
            args += ["--allow-host", name]
        return args

    async def start(self, timeout: float = 30.0) -> None:
        """Start the router, give it everything (``on_start``) and let it route; watch it."""
        await self._spawn(timeout)
        try:
            if self.on_start is not None:
                await self.on_start()
        finally:  # without its tables it would only hold requests: let it refuse them
            await asyncio.to_thread(self._call, "POST", "ready")

    async def _spawn(self, timeout: float) -> None:
        """Start the router process and wait until it answers ``/ping``; then watch it."""
        self._stopping = False
        self.folder.mkdir(parents=True, exist_ok=True)
        listener = self._listen()
        # A fresh token per process, handed over in a private file the router deletes.
        self._token = secrets.token_urlsafe(24)
        self._session.headers["Authorization"] = self.authorization
        token_file = self.folder / f".router-token-{os.getpid()}"
        write_private_file(token_file, self._token)
        env = serving_environment({"PYTHONUNBUFFERED": "1"}, aws=False)
        with open(self.log_path, "ab") as out:
            proc = self.proc = spawn_group(self._command(token_file, listener.fileno()),
                                           env=env, stdout=out, pass_fds=[listener.fileno()])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while loop.time() < deadline:
                if proc.poll() is not None:
                    raise RouterError(f"the endpoint router exited with code {proc.returncode}"
                                      f"; see {self.log_path}")
                try:
                    ok = await asyncio.to_thread(self._ping)
                except requests.RequestException:
                    ok = False
                if ok:
                    self._up.set()
                    self._watch(proc)
                    return
                await asyncio.sleep(0.1)
            raise RouterError(f"the endpoint router did not answer within {timeout:g} s")
        except BaseException:
            self.proc = None
            await asyncio.to_thread(stop_group, proc, 1.0)
            raise
        finally:
            token_file.unlink(missing_ok=True)

    def _ping(self) -> bool:
        return self._session.get(f"{self.url}/ping", timeout=1).status_code == 200

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    async def stop(self) -> None:
        self._stopping = True
        self._up.clear()
        if self._restarting is not None:
            self._restarting.cancel()
            await asyncio.gather(self._restarting, return_exceptions=True)
        proc, self.proc = self.proc, None
        if proc is not None:
            await asyncio.to_thread(stop_group, proc, 10.0)
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    # -- watching -------------------------------------------------------------------
    def _watch(self, proc: subprocess.Popen) -> None:
        """Call :meth:`_exited` as soon as ``proc`` ends (pidfd; a waiting thread else)."""
        loop = asyncio.get_running_loop()
        try:
            fd = os.pidfd_open(proc.pid)
        except (AttributeError, OSError):
            def wait() -> None:
                proc.wait()
                loop.call_soon_threadsafe(self._exited, proc)

            threading.Thread(target=wait, name="router-watch", daemon=True).start()
            return

        def readable() -> None:
            loop.remove_reader(fd)
            os.close(fd)
            self._exited(proc)

        loop.add_reader(fd, readable)

    def _exited(self, proc: subprocess.Popen) -> None:
        if proc is not self.proc or self._stopping:
            return  # stopped on purpose, or already replaced
        self._up.clear()
        code = proc.poll()
        log.warning("the endpoint router exited (code %s); restarting it on port %d",
                    code, self.port)
        self._restarting = asyncio.ensure_future(self._restart(proc))

    async def _restart(self, old: subprocess.Popen) -> None:
        # Sweep what is left of the old group (children, a zombie leader).
        await asyncio.to_thread(stop_group, old, 0.5)
        attempt = 0
        while not self._stopping:
            await asyncio.sleep(RESTART_BACKOFF[min(attempt, len(RESTART_BACKOFF) - 1)])
            attempt += 1
            if self._stopping:
                return
            try:
                await self.start()
            except RouterError as err:
                log.warning("restarting the endpoint router (attempt %d): %s", attempt, err)
                continue
            except Exception:  # the next publish (or restart) tries again
                log.exception("republishing to the restarted endpoint router failed")
            self.restarts += 1
            return

    # -- control API --------------------------------------------------------------
    def _call(self, method: str, path: str, body: Any = None) -> Any:
        if self._stopping or not self._up.wait(UP_WAIT):
            raise RouterError("the endpoint router is not running")
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

    async def put_credentials(self, keyring: Keyring) -> None:
        """Accept SigV4 signatures by exactly the keys of ``keyring``."""
        await asyncio.to_thread(self._call, "PUT", "credentials", keyring.to_wire())

    async def stats(self) -> dict[str, Any]:
        """Cumulative counters per endpoint, variant and instance."""
        return (await asyncio.to_thread(self._call, "GET", "stats")) or {"endpoints": {}}
