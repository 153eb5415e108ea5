"""What the engine needs to know about one kind of long work."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable

from .context import JobContext


def _no_time_limit() -> float:
    return 0.0


def _one_queue(kind: str, spec: dict[str, Any]) -> str:
    return kind


@dataclass
class JobKind:
    """A kind of work the engine runs in this server (``run``), with its limits.

    ``run`` does the work and returns the line that closes its log; it raises
    :class:`JobFailed` for a failure its user can act on. ``queue`` names the queue a
    job waits in (its kind by default; kernel installs queue per installer). The
    engine's ``c.JobEngine.capacity`` overrides ``capacity``.
    """

    name: str
    run: Callable[[JobContext], Awaitable[str]]
    timeout: Callable[[], float] = _no_time_limit
    queue: Callable[[str, dict[str, Any]], str] = _one_queue
    capacity: int = 1
    keep_finished: int | None = None
    max_log_bytes: int | None = None
    #: said after "stopped" / "timed out" / "the server stopped while it ran"
    cleanup_note: str = ""
    #: a run cut off by a server restart starts again (its work picks up from its
    #: progress) instead of ending Failed
    resumable: bool = False
