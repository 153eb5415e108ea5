"""What work running in the server sees: its spec, a log to write, progress to report."""
from __future__ import annotations

import time
from typing import Any, Callable

from .joblog import CappedLog, LineBuffer


class JobFailed(Exception):
    """The work failed for a reason its user can act on; the message says which."""


class JobContext:
    """One run of in-process work, handed to :attr:`JobKind.run`.

    ``progress`` and ``result`` are plain dicts the work fills in (kept in the job's
    record); text given to :meth:`log` goes to the job's capped log line by line.
    """

    def __init__(self, job_id: str, name: str, spec: dict[str, Any], log: CappedLog,
                 on_change: Callable[[], None]) -> None:
        self.id = job_id
        self.name = name
        self.spec = spec
        self.progress: dict[str, Any] = {}
        self.result: dict[str, Any] = {}
        #: a run of a resumable kind taken up again after a server restart (``progress``
        #: holds what the earlier run reported)
        self.resumed = False
        self.started = time.time()
        self._log = log
        self._lines = LineBuffer()
        self._on_change = on_change

    def log(self, text: str) -> None:
        """Append ``text`` (complete lines reach readers; a partial line waits for its end)."""
        for raw in self._lines.feed(text.encode("utf-8", "replace")):
            self._log.write(raw.decode("utf-8", "replace"))
        self._on_change()

    def report(self, **progress: Any) -> None:
        """Merge ``progress`` into what the job's record shows while it runs."""
        self.progress.update(progress)
        self._on_change()

    def tail(self, lines: int = 20) -> str:
        return "".join(self._log.tail(lines))

    def close(self) -> None:
        for raw in self._lines.close():
            self._log.write(raw.decode("utf-8", "replace"))
        self._log.close()
        self._on_change()
