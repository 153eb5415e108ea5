"""Finding and waiting for real processes (and other slow things) in tests."""
from __future__ import annotations

import time

import psutil


def weed_processes(data_dir) -> list[psutil.Process]:
    """The ``weed`` processes serving the store under ``data_dir``."""
    marker = f"-dir={data_dir}"
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info.get("cmdline") or []
        if cmdline and cmdline[0].endswith("weed") and any(a.startswith(marker) for a in cmdline):
            found.append(proc)
    return found


def wait_gone(pid: int, timeout: float = 20.0) -> bool:
    """Wait until ``pid`` no longer exists (or is a zombie); True if it went."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


def wait_for(predicate, timeout: float = 60.0):
    """Call ``predicate`` until it returns something true (then returned) or the
    deadline passes (AssertionError)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError("timed out")
