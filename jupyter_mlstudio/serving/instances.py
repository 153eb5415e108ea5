"""One model-server instance: a process on a private unix socket, started, watched, stopped.

The process runs ``python -m jupyter_mlstudio.serving.modelserver`` in its own process
group (see :mod:`jupyter_mlstudio.process`); it writes a status file that says when the
model is loaded or why loading failed, and answers ``GET /ping``. Its output goes to
``<id>.log``, each line timed as it comes (see :mod:`..engine.joblog`). It listens on a unix
socket in a folder only this user can open (see :class:`SocketFolder`): no other local
account and no web page can reach it, only the router and the transform runner.

Where a private mount namespace can be made (see :mod:`jupyter_mlstudio.optml`), the
process sees a folder of its own at ``/opt/ml``, with the model at ``/opt/ml/model`` and
the ``SAGEMAKER_SUBMIT_DIRECTORY`` source at ``/opt/ml/code`` (both read-only: instances
share them), as in a SageMaker inference container.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from .. import optml
from ..engine.joblog import ChildLog
from ..process import spawn_group, stop_group
from ..runfolders import make_owned_dir
from .artifacts import ModelFiles
from .router.upstream import UNIX_SCHEME
from .modelserver.launch import module_command

READY_POLL = 0.1
_SOCKETS = itertools.count(1)


class InstanceFailed(RuntimeError):
    """The instance could not load its model; the message is the model server's reason,
    ``instance`` the instance's id (``<variant>-<n>``) where known."""

    def __init__(self, message: str, instance: str = "") -> None:
        super().__init__(message)
        self.instance = instance

    @property
    def variant(self) -> str:
        return self.instance.rpartition("-")[0]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


SOCKET_FOLDER_PREFIX = "mlstudio-serving-"


class SocketFolder:
    """A folder (mode 0700, short path) for the model servers' sockets, made on first use."""

    def __init__(self) -> None:
        self._path: Path | None = None

    @property
    def path(self) -> Path:
        if self._path is None or not self._path.is_dir():
            # 0700 under a fresh name, tagged with this server (the next start removes it
            # if the server is killed); a unix socket path must stay under ~100 bytes,
            # which rules out the (possibly deep) data folder.
            self._path = make_owned_dir(SOCKET_FOLDER_PREFIX)
        return self._path

    def new_socket(self) -> Path:
        """A fresh socket path in the folder."""
        return self.path / f"{next(_SOCKETS)}.sock"

    def remove(self) -> None:
        if self._path is not None:
            shutil.rmtree(self._path, ignore_errors=True)
            self._path = None


def socket_url(path: Path) -> str:
    """The URL the router and the transform runner use for a socket."""
    return f"{UNIX_SCHEME}://{quote(str(path), safe='')}"


@dataclass
class InstanceOptions:
    """How model servers run: interpreter, workers, limits, environment."""

    python: str
    framework: str | None = None  # whose container defaults serve (flavours.flavour_for)
    workers: int = 1
    max_payload_mb: int = 6
    timeout: int = 60
    start_timeout: float = 120.0
    environment: dict[str, str] = field(default_factory=dict)
    sockets: SocketFolder = field(default_factory=SocketFolder)
    isolation: optml.Isolation = field(
        default_factory=lambda: optml.Isolation(False, reason="not asked for"))
    #: Links to the model server's own packages, for a ``python`` other than the server's
    #: (default: beside the instance's folder, which is private to the server's user).
    server_path: Path | None = None


class Instance:
    """A model server process serving one variant of an endpoint (or a transform job)."""

    def __init__(self, instance_id: str, files: ModelFiles, folder: Path,
                 options: InstanceOptions) -> None:
        self.id = instance_id
        self.files = files
        self.folder = folder
        self.options = options
        self.socket: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.restarts = 0
        self.status = "Pending"
        self._output = ChildLog(self.log_path)

    @property
    def url(self) -> str:
        return socket_url(self.socket) if self.socket else ""

    @property
    def log_path(self) -> Path:
        return self.folder / f"{self.id}.log"

    @property
    def status_path(self) -> Path:
        return self.folder / f"{self.id}.status.json"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def _has_code(self) -> bool:
        return bool(self.files.code_dir and self.files.program)

    def _view(self) -> optml.View:
        """The instance's own ``/opt/ml``: a folder holding the mount points of the model
        and the code, bound read-only."""
        root = self.folder / f"{self.id}.opt-ml"
        binds = [(str(self.files.model_dir), "model", True)]
        if self._has_code:
            binds.append((str(self.files.code_dir), "code", True))
        for _source, below, _read_only in binds:
            (root / below).mkdir(parents=True, exist_ok=True)
        return optml.View(root, tuple(binds))

    def _command(self, private: bool) -> list[str]:
        o = self.options
        model_dir, code_dir = (f"{optml.OPT_ML}/model", f"{optml.OPT_ML}/code") if private \
            else (str(self.files.model_dir), str(self.files.code_dir))
        args = ["--model-dir", model_dir, "--uds", str(self.socket),
                "--workers", str(o.workers),
                "--max-payload-mb", str(o.max_payload_mb), "--timeout", str(o.timeout),
                "--status-file", str(self.status_path)]
        if o.framework:
            args += ["--framework", o.framework]
        program = self.files.program
        if self._has_code and program is not None:
            args += ["--code-dir", code_dir, "--program", program]
        return module_command(o.python, "jupyter_mlstudio.serving.modelserver", args,
                              o.server_path or self.folder.parent / "server-path")

    def spawn(self) -> None:
        """Start the process on a fresh socket (the log of an earlier run is kept, appended)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.status_path.unlink(missing_ok=True)
        self.socket = self.options.sockets.new_socket()
        env = {**self.options.environment, "PYTHONUNBUFFERED": "1"}
        isolation = self.options.isolation
        view = self._view() if isolation.private else None
        self._output.write(f"[mlstudio] {isolation.message}")
        self.proc = spawn_group(self._command(view is not None), env=env, cwd=self.folder,
                                stdout=subprocess.PIPE, prepare=optml.preexec(isolation, view))
        self._output.attach(self.proc, self.id)
        self.status = "Pending"

    def exited(self) -> int | None:
        """The exit code once the process has ended, else None."""
        return self.proc.poll() if self.proc else -1

    def _reported(self) -> dict:
        try:
            return json.loads(self.status_path.read_text())
        except (OSError, ValueError):
            return {}

    async def wait_ready(self) -> None:
        """Wait until the model server says the model is loaded; raise InstanceFailed if not."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.start_timeout
        while loop.time() < deadline:
            report = self._reported()
            if report.get("status") == "ready":
                self.status = "InService"
                return
            code = self.exited()
            if report.get("status") == "failed" or code is not None:
                self.status = "Failed"
                reason = report.get("reason") or f"the model server exited with code {code}; " \
                    f"see {self.log_path.name}"
                raise InstanceFailed(reason, self.id)
            await asyncio.sleep(READY_POLL)
        self.status = "Failed"
        raise InstanceFailed(f"the model server did not load the model within "
                             f"{self.options.start_timeout:g} s", self.id)

    async def start(self) -> None:
        """Spawn and wait for the model to load; a failed start leaves no process behind."""
        self.spawn()
        try:
            await self.wait_ready()
        except BaseException:
            await self.stop()
            raise

    async def stop(self, grace: float = 10.0) -> None:
        """SIGTERM (in-flight requests finish), then SIGKILL after ``grace`` seconds.

        The stop runs in a worker thread that a cancelled caller (a server shutting down)
        does not cut short: the process is reaped and its log closed all the same."""
        proc, self.proc = self.proc, None
        await asyncio.shield(asyncio.ensure_future(asyncio.to_thread(self._stop, proc, grace)))

    def _stop(self, proc: subprocess.Popen | None, grace: float) -> None:
        if proc is not None:
            stop_group(proc, grace)
        self._output.close()
        if self.socket is not None:
            self.socket.unlink(missing_ok=True)
        self.status = "Stopped"

    def log_tail(self, max_bytes: int = 64 * 1024) -> str:
        """The end of the instance's log."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(0, 2)
                size = f.tell()
                f.seek(max(size - max_bytes, 0))
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""
