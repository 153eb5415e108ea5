"""What the engine needs to know about one kind of long work."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from sqlalchemy.orm import Session

from ..backends.base import JobBackend
from ..db.models import Job
from ..sagemaker.statuses import PENDING
from .context import JobContext


def _no_time_limit() -> float:
    return 0.0


def _one_queue(kind: str, spec: dict[str, Any]) -> str:
    return kind


def _no_environment() -> dict[str, str]:
    return {}


class Reports:
    """How a kind's record follows its backend: what a backend's job is started from,
    how its reports and the ends the server decides are written into the record. The
    defaults suit work whose backend reports ``{"Status", "FailureReason", "Message",
    "Progress", "Result"}``; a kind with a richer record (a training job's status
    transitions and metrics) overrides them."""

    def plan(self, job: Job) -> dict[str, Any]:
        """What the backend's ``start`` gets."""
        return job.spec

    def ingest(self, session: Session, job: Job, report: dict[str, Any],
               state: dict[str, Any]) -> None:
        """Copy the backend's report of a running job into its record."""
        if report.get("Progress") is not None:
            job.progress = report["Progress"]

    def waiting(self, job: Job, in_use: int, limit: int) -> None:
        """The job waits for its queue, where ``in_use`` of ``limit`` runs are taken."""
        job.message = f"waiting: {in_use} of {limit} {'run' if limit == 1 else 'runs'} " \
            "of its queue in use"

    def stopping(self, job: Job, overdue: bool) -> None:
        """The job is asked to stop (by a user, or as it ran past its time limit)."""

    def end(self, session: Session, job: Job, status: str, message: str,
            reason: str | None) -> None:
        """Record an end the server decided (a stop before the start, a lost runner)."""
        job.message = message
        job.failure_reason = reason

    def overdue(self, job: Job) -> bool:
        """Whether a running job is past its time limit and the server must stop it."""
        return False


@dataclass
class JobKind:
    """A kind of work: done in this server (``run``) or by a ``backend`` elsewhere.

    ``run`` does the work and returns the line that closes its log; it raises
    :class:`JobFailed` for a failure its user can act on. A ``backend`` kind's jobs are
    processes its :class:`JobBackend` starts from ``reports.plan(job)`` with
    ``environment()`` added (never stored), followed through ``reports``. ``queue``
    names the queue a job waits in (its kind by default; kernel installs queue per
    installer). ``c.JobEngine.capacity`` overrides ``capacity``, which defaults to the
    backend's own (1 for work in the server).
    """

    name: str
    run: Callable[[JobContext], Awaitable[str]] | None = None
    backend: JobBackend | None = None
    reports: Reports = field(default_factory=Reports)
    environment: Callable[[], dict[str, str]] = _no_environment
    timeout: Callable[[], float] = _no_time_limit
    queue: Callable[[str, dict[str, Any]], str] = _one_queue
    capacity: int | None = None
    #: the status of a job waiting for its queue (SageMaker shows a queued training
    #: job as InProgress)
    waiting_status: str = PENDING
    keep_finished: int | None = None
    #: finished jobs are removed by age and count (a SageMaker resource stays until
    #: its user deletes it)
    pruned: bool = True
    max_log_bytes: int | None = None
    #: said after "stopped" / "timed out" / "the server stopped while it ran"
    cleanup_note: str = ""
    #: a run cut off by a server restart starts again (its work picks up from its
    #: progress) instead of ending Failed
    resumable: bool = False
