"""A small pool of daemon worker threads whose results come back as futures."""
from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import Any, Callable


class WorkerPool:
    """``size`` daemon threads running ``fn`` on submitted work; results as futures.

    Daemon threads let the runner exit at once on stop, abandoning calls in flight.
    """

    def __init__(self, size: int, fn: Callable[..., Any], name: str = "worker") -> None:
        self._fn = fn
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        for i in range(size):
            threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True).start()

    def submit(self, *args: Any) -> Future:
        """Queue ``fn(*args)``; the returned future gets its result or exception."""
        future: Future = Future()
        self._queue.put((future, args))
        return future

    def _work(self) -> None:
        while True:
            future, args = self._queue.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(self._fn(*args))
            except BaseException as err:  # noqa: B036 - handed to the waiting thread
                future.set_exception(err)
