"""Child processes that never outlive the Jupyter server.

Every long-running helper (the embedded S3 store, job processes, model servers)
runs in its own process group, so one signal stops it with all its children,
and on Linux asks the kernel to send it SIGTERM when the server dies, so even a
``kill -9`` of the server leaves no orphan behind.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Callable, Mapping, Sequence

if TYPE_CHECKING:
    import asyncio.subprocess

_PR_SET_PDEATHSIG = 1

# The Jupyter server's own credentials. Helpers (the store, routers, model servers, job
# runners, installers) never need them, and code inside a model or training script
# must not be able to drive the server with them.
SERVER_SECRETS = frozenset({
    "JUPYTER_MLSTUDIO_TOKEN",
    "JUPYTER_TOKEN",
    "JPY_API_TOKEN",
    "JUPYTERHUB_API_TOKEN",
})


def helper_environment(
    extra: Mapping[str, str] | None = None, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``base`` (default: this process's environment) plus ``extra``, without the
    server's own secrets."""
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if k not in SERVER_SECRETS}
    env.update({k: v for k, v in (extra or {}).items() if k not in SERVER_SECRETS})
    return env


def _die_with_parent() -> None:
    """``preexec_fn``: request SIGTERM when the parent exits (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _preparation(umask: int | None,
                 prepare: Callable[[], None] | None) -> Callable[[], None]:
    """The child's ``preexec_fn``: ``umask``, the parent-death signal, then ``prepare``."""
    def run() -> None:
        if umask is not None:
            os.umask(umask)
        _die_with_parent()
        if prepare is not None:
            prepare()

    return run


def spawn_group(
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
    log_path: Path | None = None,
    stdout: int | IO | None = None,
    umask: int | None = None,
    pass_fds: Sequence[int] = (),
    prepare: Callable[[], None] | None = None,
) -> subprocess.Popen:
    """Start ``args`` as the leader of a new process group tied to this process's life.

    The child gets ``env`` (default: this process's environment) without the server's
    secrets. Output goes to ``log_path`` (truncated) when given, else to ``stdout``.
    ``umask``, when given, is the child's (e.g. 0o077: the files and unix sockets it
    makes are its user's alone). ``pass_fds`` stay open in the child under the same
    numbers (e.g. a listening socket). ``prepare``, when given, runs in the child just
    before the program starts (e.g. entering a mount namespace).
    """
    out: int | IO | None = stdout
    log_file = None
    if log_path is not None:
        log_file = open(log_path, "wb")  # noqa: SIM115 - handed to the child
        out = log_file
    try:
        return subprocess.Popen(
            list(args),
            env=helper_environment(base=env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT if out is not None else None,
            start_new_session=True,
            preexec_fn=_preparation(umask, prepare),
            pass_fds=tuple(pass_fds),
        )
    finally:
        if log_file is not None:
            log_file.close()


def signal_group(proc: subprocess.Popen | asyncio.subprocess.Process, sig: int) -> None:
    """Send ``sig`` to the process group led by ``proc``; ignore a group already gone."""
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def stop_group(proc: subprocess.Popen, grace: float = 10.0) -> int | None:
    """SIGTERM the group, wait up to ``grace`` seconds, then SIGKILL it. Returns the exit code."""
    if proc.poll() is None:
        signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    # Children may linger after the leader exits: always sweep the whole group.
    signal_group(proc, signal.SIGKILL)
    try:
        return proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        return None
