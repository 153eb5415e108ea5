"""The job engine: one record, status set, queue, log and restart rule for every kind."""
from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from traitlets import Dict, Float, Int, Unicode
from traitlets.config import LoggingConfigurable

from ..db import Database
from ..db.models import Job, utcnow
from .joblog import LOG_PAGE, CappedLog, read_page
from ..sagemaker.statuses import (COMPLETED, FAILED, IN_PROGRESS, PENDING, STOPPED, STOPPING,
                                  TERMINAL)
from ..sagemaker.times import iso, utc
from .bells import Bells
from .context import JobContext, JobFailed
from .follow import long_poll
from .inprocess import InProcessBackend
from .kinds import JobKind
from ..backends.base import JobBackend

log = logging.getLogger(__name__)
POLL = 0.5  # how often a running job's progress is saved; its end is seen at once
MAX_FOLLOW = 30.0  # longest long poll of a job's log, in seconds
REAP_WAIT = 5.0  # how long a runner that has reported its end is given to exit
RESTARTED = "the Jupyter server stopped while it ran"


class JobNotFound(LookupError):
    """No job of that kind has that id."""


class JobExists(ValueError):
    """A job with that id exists already."""


class JobEngine(LoggingConfigurable):
    """Runs and keeps every run of long work (see :mod:`jupyter_mlstudio.engine`)."""

    capacity = Dict(
        key_trait=Unicode(), value_trait=Int(), config=True,
        help="How many jobs of a kind run at once, per queue, e.g. {'kernel-install': 2, "
        "'example-validation': 1}; later ones wait (Pending) in creation order. Kernel "
        "installs queue per installer kind. Kinds not listed use their own default (1).",
    )
    keep_finished = Int(
        200, config=True,
        help="Finished jobs of each kind kept (with their logs); older ones are removed. "
        "A kind's own setting (c.KernelsApp.keep_finished) takes precedence.",
    )
    keep_days = Float(
        30.0, config=True,
        help="Days a finished job (and its log) is kept; 0 keeps them by count alone.",
    )
    max_log_bytes = Int(
        10_000_000, config=True,
        help="Bytes of a job's log kept: past that the log keeps its start and, once the job "
        "ends, its last lines with a notice of what was dropped.",
    )

    def __init__(self, *, db: Database, folder: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.db = db
        self.folder = folder
        self.kinds: dict[str, JobKind] = {}
        self.backends: dict[str, JobBackend] = {}
        self._contexts: dict[str, JobContext] = {}
        self._monitors: dict[str, asyncio.Task] = {}
        self.bells = Bells()
        self._wakeup = asyncio.Event()
        self._pump_task: asyncio.Task | None = None
        # Held while queued jobs start and while a stop decides whether its job still waits.
        self._launching = asyncio.Lock()
        self._closing = False

    @property
    def closing(self) -> bool:
        """The server is stopping: work cancelled now is cut off, not stopped by a user."""
        return self._closing

    # -- set-up -------------------------------------------------------------------------
    def register(self, kind: JobKind) -> None:
        """Make ``kind`` known: its jobs run on its backend, or in this server."""
        self.kinds[kind.name] = kind
        self.backends[kind.name] = kind.backend or InProcessBackend(
            self._runner(kind), parent=self)

    async def start(self) -> None:
        """End the runs an earlier server process left behind, prune, start the queue."""
        def stale() -> list[Job]:
            with self.db.session() as s:
                return list(s.scalars(select(Job).where(
                    Job.kind.in_(list(self.kinds)), Job.started_at.is_not(None),
                    Job.status.in_([IN_PROGRESS, STOPPING]))))

        for job in await asyncio.to_thread(stale):
            self._watch(job.id)  # its backend says at once whether it still runs
        await asyncio.to_thread(self.prune)
        self._wake()

    async def shutdown(self) -> None:
        """Stop what runs in this server (each run cleans up after itself) and say why."""
        self._closing = True
        async with self._launching:  # no job is half started
            if self._pump_task is not None:
                self._pump_task.cancel()
        tasks = [t for backend in self.backends.values()
                 if isinstance(backend, InProcessBackend) for t in backend.running()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=30)
        # their monitors see those ends at once and record them; jobs of other backends
        # keep running, reattached at the next start
        in_process = [m for job_id, m in self._monitors.items() if job_id in self._contexts]
        if in_process:
            await asyncio.wait(in_process, timeout=5)
        monitors = [*self._monitors.values(), *([self._pump_task] if self._pump_task else [])]
        for task in monitors:
            task.cancel()
        await asyncio.gather(*monitors, return_exceptions=True)
        self._monitors.clear()
        for backend in self.backends.values():
            close = getattr(backend, "close", None)
            if close is not None:
                close()

    # -- submit, stop -------------------------------------------------------------------
    async def submit(self, kind: str, name: str, spec: dict[str, Any], *,
                     job_id: str | None = None, backend_state: dict[str, Any] | None = None,
                     progress: dict[str, Any] | None = None) -> dict[str, Any]:
        """Record a job of ``kind`` as waiting; it starts when its queue has room.
        ``job_id`` is a new random id unless given (JobExists if it is taken)."""
        job_kind = self.kinds[kind]
        job_id = job_id or uuid.uuid4().hex[:12]

        def insert() -> None:
            with self.db.session() as s:
                if s.get(Job, job_id) is not None:
                    raise JobExists(job_id)
                s.add(Job(id=job_id, kind=kind, name=name, queue=job_kind.queue(kind, spec),
                          status=job_kind.waiting_status, message="waiting to start",
                          spec=spec, backend=self.backends[kind].name,
                          backend_state=backend_state or {}, progress=progress or {},
                          result={}))

        try:
            await asyncio.to_thread(insert)
        except IntegrityError:  # inserted meanwhile by another request
            raise JobExists(job_id) from None
        self._wake()
        return self.get(kind, job_id)

    async def stop(self, kind: str, job_id: str) -> dict[str, Any]:
        """Stop a job: a waiting one ends Stopped at once, a running one is cancelled and
        ends Stopped when its work has cleaned up. A job that has ended stays as it is."""
        async with self._launching:
            job = await asyncio.to_thread(self._record, kind, job_id)
            if job.status not in TERMINAL and job.started_at is None:  # still waiting
                await self._end(job_id, STOPPED,
                                self._note(kind, "stopped before it started"), None)
            elif job.status == IN_PROGRESS:
                await asyncio.to_thread(self._stopping, job_id, False)
                ctx = self._contexts.get(job_id)
                if ctx is not None:
                    ctx.log("==> stopping\n")
                self.bells.ring(job_id)
                await self.backends[kind].stop(job.backend_state)
        return self.get(kind, job_id)

    async def settle(self, kind: str, job_id: str, timeout: float) -> dict[str, Any]:
        """The job once it has ended, or as it is after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            ticket = self.bells.ticket(job_id)
            job = self.get(kind, job_id)
            remaining = deadline - loop.time()
            if job["status"] in TERMINAL or remaining <= 0:
                return job
            await self.bells.wait(ticket, remaining)

    # -- the queue ------------------------------------------------------------------------
    def _wake(self) -> None:
        if self._closing:
            return
        if self._pump_task is None or self._pump_task.done():
            self._pump_task = asyncio.ensure_future(self._pump())
        self._wakeup.set()

    async def _pump(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            try:
                async with self._launching:
                    await self._start_waiting()
            except Exception:  # keep the queue alive whatever one job does
                log.exception("starting queued jobs failed")

    def capacity_of(self, kind: str) -> int:
        own = self.kinds[kind].capacity
        if own is None:
            backend = self.backends[kind]
            own = 1 if isinstance(backend, InProcessBackend) else backend.capacity()
        return max(1, self.capacity.get(kind, own))

    async def _start_waiting(self) -> None:
        def load() -> tuple[list[Job], Counter]:
            with self.db.session() as s:
                kinds = list(self.kinds)
                waiting = list(s.scalars(select(Job).where(
                    Job.kind.in_(kinds), Job.started_at.is_(None),
                    Job.status.in_([PENDING, IN_PROGRESS])).order_by(Job.created_at)))
                busy = Counter(j.queue for j in s.scalars(select(Job).where(
                    Job.kind.in_(kinds), Job.started_at.is_not(None),
                    Job.status.in_([IN_PROGRESS, STOPPING]))))
            return waiting, busy

        waiting, busy = await asyncio.to_thread(load)
        for job in waiting:
            limit = self.capacity_of(job.kind)
            if busy[job.queue] >= limit:
                await asyncio.to_thread(self._note_waiting, job.id, busy[job.queue], limit)
                continue
            busy[job.queue] += 1
            # InProgress before it starts: a run is never under a record that says Pending
            await asyncio.to_thread(self._update, job.id, status=IN_PROGRESS,
                                    message="running", started_at=utcnow())
            kind = self.kinds[job.kind]
            key = job.id if kind.run is not None else job.name  # a backend's folder name
            try:
                state = await self.backends[job.kind].start(
                    key, kind.reports.plan(job), kind.environment())
            except Exception as err:
                log.exception("cannot start %s %s", job.kind, job.id)
                await self._end(job.id, FAILED, f"cannot start: {err}",
                                f"cannot start: {err}")
                continue
            await asyncio.to_thread(self._update, job.id, backend_state=state)
            self._watch(job.id)

    def _note_waiting(self, job_id: str, in_use: int, limit: int) -> None:
        with self.db.session() as s:
            job = s.get(Job, job_id)
            if job is not None:
                self.kinds[job.kind].reports.waiting(job, in_use, limit)

    def _stopping(self, job_id: str, overdue: bool) -> None:
        with self.db.session() as s:
            job = s.get(Job, job_id)
            if job is not None and job.status == IN_PROGRESS:
                job.status, job.message = STOPPING, "stopping"
                self.kinds[job.kind].reports.stopping(job, overdue)

    # -- running in this server -----------------------------------------------------------
    def _runner(self, kind: JobKind):
        async def run(job_id: str, spec: dict[str, Any]) -> dict[str, Any]:
            job = await asyncio.to_thread(self._record, kind.name, job_id)
            folder = self.job_dir(job)
            folder.mkdir(parents=True, exist_ok=True)
            capped = CappedLog(folder / "log", kind.max_log_bytes or self.max_log_bytes)
            ctx = JobContext(job_id, job.name, spec, capped,
                             lambda: self.bells.ring(job_id))
            ctx.progress.update(job.progress)  # where a resumed run had got to
            ctx.resumed = bool(job.progress)
            self._contexts[job_id] = ctx
            timeout, work = kind.timeout(), kind.run
            assert work is not None  # only kinds that run in the server get a runner
            try:
                message = await (asyncio.wait_for(work(ctx), timeout) if timeout > 0
                                 else work(ctx))
                outcome = {"Status": COMPLETED, "Message": message}
            except asyncio.CancelledError:
                if self._closing and kind.resumable:
                    outcome = {"Status": PENDING}  # taken up again at the next start
                elif self._closing:
                    outcome = {"Status": FAILED,
                               "FailureReason": self._note(kind.name, RESTARTED)}
                else:
                    outcome = {"Status": STOPPED, "Message": self._note(kind.name, "stopped")}
            except asyncio.TimeoutError:
                outcome = {"Status": FAILED, "FailureReason": self._note(
                    kind.name, f"timed out after {timeout:g} s")}
            except JobFailed as err:
                outcome = {"Status": FAILED, "FailureReason": str(err)}
            except Exception as err:  # a bug in the work must not leave its job running
                log.exception("%s %s failed", kind.name, job_id)
                outcome = {"Status": FAILED, "FailureReason": f"{type(err).__name__}: {err}"}
            last = outcome.get("Message") or outcome.get("FailureReason") \
                or "the server is stopping; it resumes at the next start"
            ctx.log(f"==> {outcome['Status']}: {last}\n")
            ctx.close()
            return {**outcome, "Progress": ctx.progress, "Result": ctx.result}

        return run

    def _note(self, kind: str, what: str) -> str:
        note = self.kinds[kind].cleanup_note
        return f"{what}; {note}" if note else what

    # -- watching ---------------------------------------------------------------------------
    def _watch(self, job_id: str) -> None:
        if job_id not in self._monitors:
            self._monitors[job_id] = asyncio.ensure_future(self._monitor(job_id))

    async def _monitor(self, job_id: str) -> None:
        try:
            job = await asyncio.to_thread(self._record, None, job_id)
            if self.kinds[job.kind].run is not None:
                await self._follow_in_process(job)
            else:
                await self._follow_backend(job)
        except Exception:
            log.exception("watching job %s failed", job_id)
        finally:
            self._monitors.pop(job_id, None)
            self._contexts.pop(job_id, None)
            self.bells.ring(job_id)
            self._wake()

    async def _follow_in_process(self, job: Job) -> None:
        backend, state = self.backends[job.kind], job.backend_state
        saved: dict[str, Any] = dict(job.progress)
        while (code := await backend.poll(state)) is None:
            ctx = self._contexts.get(job.id)
            if ctx is not None and ctx.progress != saved:
                saved = dict(ctx.progress)
                await asyncio.to_thread(self._update, job.id, progress=saved)
            await backend.wait(state, POLL)
        report = await backend.status(state)
        await asyncio.to_thread(self._finish, job.id, report, code)

    async def _follow_backend(self, job: Job) -> None:
        """Follow a job its backend runs: its reports into the record until it ends; a
        runner that ends without saying so, or overruns its time, ended by the server."""
        kind, backend, state = self.kinds[job.kind], self.backends[job.kind], job.backend_state
        while True:
            code = await backend.poll(state)
            report = await backend.status(state)
            current = await asyncio.to_thread(self._ingest, job.id, report, state)
            self.bells.ring(job.id)
            if current is None or current.status in TERMINAL:
                if code is None:  # it has reported its end and is exiting: reap it
                    await backend.wait(state, REAP_WAIT)
                    await backend.poll(state)
                return
            if code is not None:
                if current.status == STOPPING:
                    await self._end(job.id, STOPPED, "stopped (its runner was killed)", None)
                else:
                    await self._end(job.id, FAILED, "", "the job's runner exited unexpectedly"
                                    + ("" if code == -1 else f" (code {code})")
                                    + ("; the Jupyter server may have restarted while it ran"
                                       if code == -1 else ""))
                return
            if current.status == IN_PROGRESS and kind.reports.overdue(current):
                await asyncio.to_thread(self._stopping, job.id, True)
                await backend.stop(state)
            await backend.wait(state, POLL)

    def _ingest(self, job_id: str, report: dict[str, Any], state: dict[str, Any]) -> Job | None:
        with self.db.session() as s:
            job = s.get(Job, job_id)
            if job is not None:
                self.kinds[job.kind].reports.ingest(s, job, report, state)
            return job

    def _finish(self, job_id: str, report: dict[str, Any], code: int) -> None:
        with self.db.session() as s:
            job = s.get(Job, job_id)
            if job is None or job.status in TERMINAL:
                return
            status = report.get("Status")
            reason = report.get("FailureReason")
            if status not in TERMINAL and job.status == IN_PROGRESS \
                    and self.kinds[job.kind].resumable:
                job.status, job.message, job.backend_state, job.started_at = (
                    PENDING, "waiting to resume after a server restart", {}, None)
                job.progress = report.get("Progress", job.progress)
                return
            if status not in TERMINAL:  # the backend has lost it
                status = STOPPED if job.status == STOPPING else FAILED
                reason = None if status == STOPPED else self._note(job.kind, RESTARTED) \
                    if code == -1 else f"its work ended unexpectedly (code {code})"
            elif status == FAILED and job.status == STOPPING and "cancelled" in (reason or ""):
                status, reason = STOPPED, None
            job.status = status
            job.message = report.get("Message") or reason or self._note(job.kind, "stopped")
            job.failure_reason = reason if status == FAILED else None
            job.progress = report.get("Progress", job.progress)
            job.result = report.get("Result", job.result)
            job.ended_at = utcnow()
        self.prune(job_kind=job.kind)

    # -- records ---------------------------------------------------------------------------
    def _record(self, kind: str | None, job_id: str) -> Job:
        with self.db.session() as s:
            job = s.get(Job, job_id)
        if job is None or (kind is not None and job.kind != kind):
            raise JobNotFound(job_id)
        return job

    def _update(self, job_id: str, **fields: Any) -> None:
        with self.db.session() as s:
            job = s.get(Job, job_id)
            if job is not None:
                for key, value in fields.items():
                    setattr(job, key, value)

    async def _end(self, job_id: str, status: str, message: str, reason: str | None) -> None:
        """End a job as the server sees it (its work could not say so itself)."""
        def end() -> None:
            with self.db.session() as s:
                job = s.get(Job, job_id)
                if job is None or job.status in TERMINAL:
                    return
                job.status, job.ended_at = status, utcnow()
                self.kinds[job.kind].reports.end(s, job, status, message or reason or "",
                                                 reason if status == FAILED else None)

        await asyncio.to_thread(end)
        self.bells.ring(job_id)

    def record(self, kind: str, job_id: str) -> Job:
        """A job's record, or JobNotFound."""
        return self._record(kind, job_id)

    def job_dir(self, job: Job) -> Path:
        return self.folder / job.kind / job.id

    def get(self, kind: str, job_id: str) -> dict[str, Any]:
        """A job as the API shows it; a running one with its latest progress."""
        return self._view(self._record(kind, job_id))

    def _view(self, job: Job) -> dict[str, Any]:
        ctx = self._contexts.get(job.id)
        log_file = self.job_dir(job) / "log"
        ended = utc(job.ended_at) if job.ended_at else utcnow()
        return {
            "id": job.id, "kind": job.kind, "name": job.name, "status": job.status,
            "message": job.message, "failure_reason": job.failure_reason,
            "spec": job.spec, "progress": dict(ctx.progress) if ctx else job.progress,
            "result": dict(ctx.result) if ctx else job.result,
            "created": iso(job.created_at), "started": iso(job.started_at),
            "ended": iso(job.ended_at),
            "duration": round((ended - utc(job.started_at)).total_seconds(), 2)
            if job.started_at else 0.0,
            "log_size": log_file.stat().st_size if log_file.is_file() else 0,
        }

    def jobs(self, kind: str, name: str | None = None, active_only: bool = False,
             limit: int = 1000) -> list[dict[str, Any]]:
        """Jobs of ``kind`` (named ``name``), newest first."""
        query = select(Job).where(Job.kind == kind)
        if name is not None:
            query = query.where(Job.name == name)
        if active_only:
            query = query.where(Job.status.not_in(list(TERMINAL)))
        with self.db.session() as s:
            jobs = list(s.scalars(query.order_by(Job.created_at.desc()).limit(limit)))
        return [self._view(j) for j in jobs]

    def running(self) -> list[tuple[str, str]]:
        """(kind, name) of every job that has not ended, waiting ones included."""
        with self.db.session() as s:
            return [(j.kind, j.name) for j in s.scalars(select(Job).where(
                Job.kind.in_(list(self.kinds)), Job.status.not_in(list(TERMINAL))))]

    # -- logs -------------------------------------------------------------------------------
    def read_log(self, kind: str, job_id: str, offset: int,
                 limit: int = LOG_PAGE) -> dict[str, Any]:
        """The log from ``offset``; ``complete`` once the job has ended and the page
        reaches the log's end."""
        job = self._record(kind, job_id)
        text, next_offset, at_end = read_page(self.job_dir(job) / "log", max(0, offset), limit)
        return {"text": text, "offset": max(0, offset), "next_offset": next_offset,
                "status": job.status, "complete": job.status in TERMINAL and at_end}

    async def follow_log(self, kind: str, job_id: str, offset: int,
                         timeout: float) -> dict[str, Any]:
        """Like :meth:`read_log`, waiting up to ``timeout`` seconds (at most
        :data:`MAX_FOLLOW`) for new text or the end."""
        return await long_poll(lambda: self.read_log(kind, job_id, offset), self.bells,
                               job_id, min(max(timeout, 0.0), MAX_FOLLOW))

    # -- history ----------------------------------------------------------------------------
    def prune(self, job_kind: str | None = None) -> int:
        """Remove finished jobs beyond each kind's count and age limits; how many went."""
        removed: list[Job] = []
        with self.db.session() as s:
            for kind in [job_kind] if job_kind else list(self.kinds):
                if kind in self.kinds and not self.kinds[kind].pruned:
                    continue
                own = self.kinds[kind].keep_finished if kind in self.kinds else None
                keep = self.keep_finished if own is None else own
                ended = list(s.scalars(select(Job).where(
                    Job.kind == kind, Job.status.in_(list(TERMINAL))).order_by(
                    Job.ended_at.desc(), Job.created_at.desc())))
                cutoff = utcnow() - timedelta(days=self.keep_days) if self.keep_days else None
                for i, job in enumerate(ended):
                    ended_at = utc(job.ended_at) if job.ended_at else None
                    if i >= max(0, keep) or (cutoff and ended_at and ended_at < cutoff):
                        removed.append(job)
                        s.delete(job)
        for job in removed:
            shutil.rmtree(self.job_dir(job), ignore_errors=True)
        return len(removed)
