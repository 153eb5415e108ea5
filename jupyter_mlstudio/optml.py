"""A private ``/opt/ml`` for each training host, model server and transform instance.

SageMaker's containers find their contract at ``/opt/ml``; here every such process
group gets its own mount namespace in which a folder of its own is bound at
``/opt/ml``, so code that hard-codes ``/opt/ml/...`` works and two jobs never see each
other's files. The rest of the file system (the Python environment, the workspace)
and the network stay shared.

The namespace is made in the child between ``fork`` and ``exec`` (``preexec_fn``):
``unshare(CLONE_NEWNS)`` as root, else ``unshare(CLONE_NEWUSER | CLONE_NEWNS)`` with the
user's own uid and gid mapped to themselves, where the kernel permits unprivileged user
namespaces. No helper program runs, so the process started is the script itself:
its pid, its process group and its signals are what they would be without a namespace.
``/opt/ml`` need not exist on the machine: when it does not, ``/opt`` is covered by a
private tmpfs in which every entry of the real ``/opt`` is bound back and ``ml`` made.

Whether a namespace can be made is probed once per process (:func:`isolation`); where
none can, callers fall back to ``SAGEMAKER_BASE_DIR`` and say why.

    python -m jupyter_mlstudio.optml    # prints the probe's result as JSON
"""
from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import stat
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

OPT_ML = "/opt/ml"
MODES = ("auto", "off")
PROBE_TIMEOUT = 20.0

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUSER = 0x10000000
_MS_RDONLY = 1
_MS_NOSUID = 2
_MS_NODEV = 4
_MS_NOEXEC = 8
_MS_REMOUNT = 32
_MS_NOATIME = 1024
_MS_NODIRATIME = 2048
_MS_BIND = 4096
_MS_REC = 16384
_MS_SLAVE = 1 << 19
_MS_RELATIME = 1 << 21
# statvfs flags a read-only remount must keep (the kernel refuses to drop them in a user
# namespace); they share the MS_* values except relatime.
_KEPT = ((os.ST_NOSUID, _MS_NOSUID), (os.ST_NODEV, _MS_NODEV), (os.ST_NOEXEC, _MS_NOEXEC),
         (os.ST_NOATIME, _MS_NOATIME), (os.ST_NODIRATIME, _MS_NODIRATIME),
         (getattr(os, "ST_RELATIME", 4096), _MS_RELATIME))

_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_libc.unshare.argtypes = [ctypes.c_int]
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                        ctypes.c_char_p]


@dataclass(frozen=True)
class Isolation:
    """How processes see the container contract: at ``/opt/ml`` itself (``private``), or
    under ``SAGEMAKER_BASE_DIR`` because of ``reason``."""

    private: bool
    user_namespace: bool = False
    reason: str = ""

    @property
    def message(self) -> str:
        """One line for the job log and the status route."""
        if self.private:
            how = " (user namespace)" if self.user_namespace else ""
            return f"/opt/ml in a private mount namespace{how}"
        return f"/opt/ml is not private ({self.reason}): the contract is at SAGEMAKER_BASE_DIR"

    def as_dict(self) -> dict[str, Any]:
        return {"private": self.private, "user_namespace": self.user_namespace,
                "reason": self.reason, "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Isolation":
        if not data:
            return cls(False, reason="no namespace was asked for")
        return cls(bool(data.get("private")), bool(data.get("user_namespace")),
                   str(data.get("reason", "")))


@dataclass(frozen=True)
class View:
    """What one process group sees at ``/opt/ml``: ``root`` there, and each
    ``(source, path below /opt/ml, read_only)`` of ``binds`` on top of it (the path must
    exist in ``root``)."""

    root: Path
    binds: tuple[tuple[str, str, bool], ...] = ()


# -- in the child, between fork and exec ----------------------------------------------------
def _fail(what: str) -> None:
    err = ctypes.get_errno()
    raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    if _libc.mount(source and os.fsencode(source), os.fsencode(target),
                   fstype and fstype.encode(), flags, data and data.encode()) != 0:
        _fail(f"mount {source or ''} on {target}")


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _make_mount_point() -> None:
    """Make ``/opt/ml`` a directory, without touching the real ``/opt``: cover ``/opt``
    with a tmpfs holding every entry of the real one (bound back) and ``ml``."""
    try:
        if stat.S_ISDIR(os.lstat(OPT_ML).st_mode):
            return
    except FileNotFoundError:
        pass
    fd = os.open("/opt", os.O_RDONLY | os.O_DIRECTORY)
    try:
        names = [n for n in os.listdir(fd) if n != "ml"]
        _mount("tmpfs", "/opt", "tmpfs", _MS_NOSUID | _MS_NODEV, "mode=0755")
        for name in names:
            old, new = f"/proc/self/fd/{fd}/{name}", f"/opt/{name}"
            mode = os.lstat(old).st_mode
            if stat.S_ISLNK(mode):
                os.symlink(os.readlink(old), new)
                continue
            if stat.S_ISDIR(mode):
                os.mkdir(new)
            else:
                os.close(os.open(new, os.O_WRONLY | os.O_CREAT, 0o600))
            _mount(old, new, None, _MS_BIND | _MS_REC)
    finally:
        os.close(fd)
    os.mkdir(OPT_ML, 0o755)


def _kept_flags(path: str) -> int:
    flags = os.statvfs(path).f_flag
    return sum(ms for st, ms in _KEPT if flags & st)


def enter(view: View, user_namespace: bool) -> None:
    """Move this (single-threaded) process into a new mount namespace showing ``view``
    at ``/opt/ml``. Raises OSError naming the step that failed."""
    uid, gid = os.geteuid(), os.getegid()
    if _libc.unshare(_CLONE_NEWNS | (_CLONE_NEWUSER if user_namespace else 0)) != 0:
        _fail("unshare(CLONE_NEWUSER | CLONE_NEWNS)" if user_namespace
              else "unshare(CLONE_NEWNS)")
    if user_namespace:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    # Nothing mounted here reaches the machine; its own mounts still show here.
    _mount(None, "/", None, _MS_REC | _MS_SLAVE)
    _make_mount_point()
    _mount(str(view.root), OPT_ML, None, _MS_BIND | _MS_REC)
    for source, below, read_only in view.binds:
        target = f"{OPT_ML}/{below}"
        _mount(source, target, None, _MS_BIND | _MS_REC)
        if read_only:
            _mount(None, target, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY | _kept_flags(target))


def preexec(isolation: Isolation, view: View | None) -> Callable[[], None] | None:
    """A ``preexec_fn`` entering ``view``'s namespace, or None when not private."""
    if not isolation.private or view is None:
        return None
    return lambda: enter(view, isolation.user_namespace)


# -- the probe -----------------------------------------------------------------------------------
def _try(user_namespace: bool) -> str | None:
    """None if a namespace showing a folder at /opt/ml can be made here, else why not."""
    with tempfile.TemporaryDirectory(prefix="mlstudio-optml-") as tmp:
        Path(tmp, "probe").write_text("")
        try:
            proc = subprocess.run(["/bin/sh", "-c", f"test -f {OPT_ML}/probe"],
                                  preexec_fn=lambda: enter(View(Path(tmp)), user_namespace),
                                  capture_output=True, timeout=PROBE_TIMEOUT)
        except subprocess.SubprocessError:
            pass
        else:
            return None if proc.returncode == 0 else f"{OPT_ML} did not show the bound folder"
    # The reason, step by step, from a child that reports instead of exec'ing.
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - in the child
        try:
            os.close(read_end)
            enter(View(Path("/")), user_namespace)
            os.write(write_end, b"the namespace worked only on a second try")
        except BaseException as err:  # noqa: B036 - reported to the parent
            os.write(write_end, str(err).encode()[:400])
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        reason = pipe.read().decode("utf-8", "replace")
    os.waitpid(pid, 0)
    return reason or "the namespace could not be made"


def probe() -> Isolation:
    """Whether this process can give its children a private ``/opt/ml``, and how."""
    if not sys.platform.startswith("linux"):
        return Isolation(False, reason="mount namespaces need Linux")
    if not os.path.isdir("/opt"):
        return Isolation(False, reason="there is no /opt to hold /opt/ml")
    as_root = _try(user_namespace=False)
    if as_root is None:
        return Isolation(True)
    as_user = _try(user_namespace=True)
    if as_user is None:
        return Isolation(True, user_namespace=True)
    return Isolation(False, reason=f"no mount namespace: {as_root}; "
                                   f"no user namespace either: {as_user}")


_cache: dict[str, Isolation] = {}
_cache_lock = threading.Lock()


def isolation(mode: str = "auto") -> Isolation:
    """``mode`` ``"off"``: never private; ``"auto"``: private when a namespace can be made
    (probed in a fresh interpreter once per process, so no thread of this one is forked)."""
    if mode == "off":
        return Isolation(False, reason="opt_ml_namespace is 'off'")
    with _cache_lock:
        if mode not in _cache:
            _cache[mode] = _probe_in_subprocess()
        return _cache[mode]


def _probe_in_subprocess() -> Isolation:
    try:
        out = subprocess.run([sys.executable, "-m", "jupyter_mlstudio.optml"],
                             capture_output=True, text=True, timeout=PROBE_TIMEOUT,
                             env={k: v for k, v in os.environ.items()
                                  if k in ("PATH", "PYTHONPATH", "LANG", "HOME")})
        return Isolation.from_dict(json.loads(out.stdout))
    except (OSError, ValueError, subprocess.SubprocessError) as err:
        return Isolation(False, reason=f"the namespace probe failed: {err}")


def main() -> int:
    print(json.dumps(probe().as_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
