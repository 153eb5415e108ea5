"""Finding real processes, and waiting for processes and states in tests.

The one home of the tests' waits: each polls a condition until it holds (returning at
once when it does) or its deadline passes (a failure), never sleep-then-assert.
"""
from __future__ import annotations

import asyncio
import inspect
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


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.1,
             message: str = "condition not met in time"):
    """Call ``predicate`` until it returns something true (then returned) or the
    deadline passes (AssertionError with ``message``)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{message} (within {timeout:g} s)")
        time.sleep(interval)


async def eventually(check, timeout: float = 60.0, interval: float = 0.1,
                     message: str = "condition not met in time"):
    """:func:`wait_for` inside an event loop: ``check`` may be a plain function or a
    coroutine function; the loop keeps running between calls."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{message} (within {timeout:g} s)")
        await asyncio.sleep(interval)
