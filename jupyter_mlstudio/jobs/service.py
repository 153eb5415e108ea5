"""Training jobs: create, list, describe, stop, logs, metrics; capacity and reattachment."""
from __future__ import annotations

import asyncio
import builtins
import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import delete, select
from traitlets import Float, Int
from traitlets.config import LoggingConfigurable

from ..backends import ENTRY_POINT_GROUP as BACKENDS
from ..backends.base import JobBackend
from ..db import Database
from ..sagemaker.paging import ListFilter, list_page
from ..db.models import TrainingJob, TrainingMetric, utcnow
from ..sagemaker.rows import named, require
from ..engine.bells import Bells
from ..engine.follow import long_poll
from ..errors import MLStudioError
from ..plugins import EntryPointType
from ..workspace import resolve_in_root
from ..sagemaker.times import iso
from . import container, interpreters
from ..sagemaker.arns import arn
from ..sagemaker.errors import ResourceInUse, ValidationError
from ..sagemaker.statuses import TERMINAL
from ..engine.joblog import JobLogs, TimedLines, read_from, read_page
from .sourcedir import UnsafeSourceLink, source_files
from .spec import decode_hyperparameter, validate_training_job

log = logging.getLogger(__name__)
POLL_INTERVAL = 0.5  # progress refresh; the end of a job is seen at once (backend.wait)
SETTLE_POLL = 0.1  # while a job created on the SageMaker API waits in the queue
LOG_CHUNK = 256 * 1024


def _parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class TrainingService(LoggingConfigurable):
    """Keeps every job in the database and each running one watched by a monitor task."""

    backend_class = EntryPointType(
        None,
        klass=JobBackend,
        group=BACKENDS,
        allow_none=True,
        config=True,
        help="Deprecated: set c.MLStudioApp.default_backend. When set, it is used instead "
        "(with a warning).",
    )
    max_instances = Int(16, config=True, help="Largest ResourceConfig.InstanceCount accepted.")
    overdue_slack = Float(10.0, config=True,
                          help="Seconds past MaxRuntimeInSeconds (and the backend's stop "
                          "grace) after which the server stops a job whose runner did not "
                          "stop it itself (a frozen runner).")

    def __init__(
        self,
        *,
        db: Database,
        root_dir: str,
        region: str,
        environment: Callable[[], dict[str, str]],
        backend: type[JobBackend],
        backend_config: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.db = db
        if self.backend_class is not None:
            self.log.warning("c.TrainingService.backend_class is deprecated: set "
                             "c.MLStudioApp.default_backend instead (%s runs jobs)",
                             self.backend_class.__name__)
            backend = self.backend_class
        self.backend: JobBackend = backend(parent=self, **(backend_config or {}))
        self.root_dir = root_dir
        self.region = region
        self.environment = environment
        self._monitors: dict[str, asyncio.Task] = {}
        self._bells = Bells()  # rung by a job's monitor at each look and at its end
        self._wakeup = asyncio.Event()
        self._pump_task: asyncio.Task | None = None
        # Held while queued jobs are launched and while a stop decides whether its job is
        # still queued: a job is either stopped before it starts or stopped as it runs.
        self._launching = asyncio.Lock()

    # -- lifecycle -------------------------------------------------------------------
    async def start(self) -> None:
        """Reattach to jobs that were running before a restart, then start the queue."""
        with self.db.session() as s:
            running = list(s.scalars(select(TrainingJob).where(
                TrainingJob.status.in_(["InProgress", "Stopping"]))))
        for job in running:
            if job.backend_state:
                self._watch(job.name)
        self._ensure_pump()

    def _ensure_pump(self) -> None:
        if self._pump_task is None or self._pump_task.done():
            self._pump_task = asyncio.ensure_future(self._pump())
        self._wakeup.set()

    async def shutdown(self) -> None:
        """Stop watching (jobs keep running and are reattached at the next start)."""
        tasks = [*self._monitors.values(), *([self._pump_task] if self._pump_task else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._monitors.clear()
        close = getattr(self.backend, "close", None)
        if close is not None:
            close()

    def running(self) -> list[str]:
        return list(self._monitors)

    # -- create ----------------------------------------------------------------------
    def _plan(self, spec: dict[str, Any]) -> dict[str, Any]:
        """What the backend needs besides the spec: interpreter, code folder, environment."""
        python = interpreters.resolve(
            spec["AlgorithmSpecification"].get("TrainingImage"),
            getattr(self.backend, "python", ""),
            getattr(self.backend, "framework_environments", {}),
        )
        plan: dict[str, Any] = {"spec": spec, "python": python}
        to_build = getattr(self.backend, "environment_to_build", None)
        wanted = to_build(spec["AlgorithmSpecification"].get("TrainingImage"), python) \
            if to_build else None
        if wanted is not None:  # the runner builds it (or finds it built) and runs on it
            plan["framework_env"] = {"image": wanted.image,
                                     "root": getattr(self.backend, "framework_env_dir"),
                                     "pip_options": list(getattr(self.backend,
                                                                 "framework_pip_options"))}
        submit = decode_hyperparameter(spec["HyperParameters"].get(
            "sagemaker_submit_directory", '""'))
        if not isinstance(submit, str):
            raise ValidationError("sagemaker_submit_directory must be a string")
        if submit and not submit.startswith("s3://"):
            folder = submit[len("file://"):] if submit.startswith("file://") else submit
            root = Path(self.root_dir).resolve()
            if folder.startswith("/"):
                try:
                    folder = str(Path(folder).resolve().relative_to(root))
                except ValueError:
                    raise ValidationError("sagemaker_submit_directory must be inside the "
                                          "workspace") from None
            try:
                code_dir = resolve_in_root(self.root_dir, folder)
            except MLStudioError as err:
                raise ValidationError(f"sagemaker_submit_directory: {err.message}") from None
            if not code_dir.is_dir():
                raise ValidationError(f"sagemaker_submit_directory {submit!r} is not a folder")
            program = decode_hyperparameter(
                spec["HyperParameters"].get("sagemaker_program", '""'))
            if program and not (code_dir / program).is_file():
                raise ValidationError(f"entry point {program!r} not found in {submit!r}")
            try:
                source_files(code_dir, root)
            except UnsafeSourceLink as err:
                raise ValidationError(f"sagemaker_submit_directory: {err.message}") from None
            plan["code_dir"] = str(code_dir)
            plan["workspace_root"] = str(root)
        elif not submit and not spec["AlgorithmSpecification"].get("ContainerEntrypoint"):
            raise ValidationError("HyperParameters.sagemaker_submit_directory must name the "
                                  "source: an s3:// sourcedir.tar.gz or a workspace folder")
        return plan

    async def create(self, body: dict[str, Any]) -> dict[str, Any]:
        """``CreateTrainingJob``: validate, record, and queue for the backend."""
        spec = validate_training_job(body, self.max_instances)
        plan = await asyncio.to_thread(self._plan, spec)
        name = spec["TrainingJobName"]

        def insert() -> None:
            with self.db.session() as s:
                if s.get(TrainingJob, name) is not None:
                    raise ResourceInUse(f"a training job named {name!r} already exists")
                s.add(TrainingJob(
                    name=name, status="InProgress", secondary_status="Starting", spec=spec,
                    backend=self.backend.name, backend_state={"plan": plan},
                    transitions=[{"Status": "Starting", "StartTime": iso(utcnow()),
                                  "StatusMessage": "Preparing the instances for training"}],
                    final_metrics=[],
                ))

        await asyncio.to_thread(insert)
        self._ensure_pump()
        return {"TrainingJobArn": self.arn(name)}

    def arn(self, name: str) -> str:
        return arn(self.region, "training-job", name)

    async def settle(self, name: str, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the job to end; the wait stops nothing."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (remaining := deadline - loop.time()) > 0:
            monitor = self._monitors.get(name)
            if monitor is not None:
                await asyncio.wait({monitor}, timeout=remaining)
                return
            if (await asyncio.to_thread(self._get, name)).status in TERMINAL:
                return
            await asyncio.sleep(min(SETTLE_POLL, remaining))  # queued: not watched yet

    # -- the queue -------------------------------------------------------------------
    async def _pump(self) -> None:
        """Start waiting jobs, oldest first, while the backend has capacity."""
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            try:
                async with self._launching:
                    await self._start_waiting()
            except Exception:  # keep the queue alive whatever one job does
                log.exception("starting queued training jobs failed")

    async def _start_waiting(self) -> None:
        def waiting() -> list[TrainingJob]:
            with self.db.session() as s:
                return list(s.scalars(select(TrainingJob).where(
                    TrainingJob.status == "InProgress").order_by(TrainingJob.created_at)))

        jobs = [j for j in await asyncio.to_thread(waiting) if "pid" not in j.backend_state]
        free = self.backend.capacity() - len(self._monitors)
        for job in jobs[:max(free, 0)]:
            plan = job.backend_state["plan"]
            try:
                state = await self.backend.start(job.name, plan, self.environment())
            except Exception as err:
                await asyncio.to_thread(self._fail, job.name, f"ClientError: cannot start: {err}")
                continue
            await asyncio.to_thread(self._update, job.name, backend_state=state,
                                    started_at=utcnow())
            self._watch(job.name)
        for job in jobs[max(free, 0):]:
            await asyncio.to_thread(self._note_waiting, job.name, len(self._monitors))

    def _note_waiting(self, name: str, in_use: int) -> None:
        message = (f"Waiting for capacity: {in_use} of {self.backend.capacity()} job slots "
                   "in use")
        with self.db.session() as s:
            job = s.get(TrainingJob, name)
            if job is not None and job.transitions and \
                    job.transitions[-1].get("StatusMessage") != message:
                job.transitions = [*job.transitions[:-1], {**job.transitions[-1],
                                                           "StatusMessage": message}]

    def _update(self, name: str, **fields: Any) -> None:
        with self.db.session() as s:
            job = s.get(TrainingJob, name)
            for key, value in fields.items():
                setattr(job, key, value)

    def _fail(self, name: str, reason: str) -> None:
        self._end(name, "Failed", "Failed", "Training job failed", reason)

    def _end(self, name: str, status: str, secondary: str, message: str,
             reason: str | None = None) -> None:
        """End the job as the server sees it (its runner could not report)."""
        with self.db.session() as s:
            job = s.get_one(TrainingJob, name)
            stamp = iso(utcnow())
            transitions = [dict(t) for t in job.transitions]
            if transitions and "EndTime" not in transitions[-1]:
                transitions[-1]["EndTime"] = stamp
            transitions.append({"Status": secondary, "StartTime": stamp, "EndTime": stamp,
                                "StatusMessage": message})
            job.status, job.secondary_status = status, secondary
            job.transitions, job.ended_at = transitions, utcnow()
            if reason:
                job.failure_reason = reason
            s.flush()
            job.final_metrics = self._final_metrics(s, name)

    # -- monitoring ------------------------------------------------------------------
    def _watch(self, name: str) -> None:
        if name not in self._monitors:
            self._monitors[name] = asyncio.ensure_future(self._monitor(name))

    async def _monitor(self, name: str) -> None:
        try:
            while True:
                job = await asyncio.to_thread(self._get, name)
                state = job.backend_state
                exit_code = await self.backend.poll(state)
                report = await self.backend.status(state)
                await asyncio.to_thread(self._ingest, name, report, state)
                if report.get("TrainingJobStatus") in TERMINAL:
                    break
                if exit_code is not None and (
                        now := await asyncio.to_thread(self._get, name)).status == "Stopping":
                    secondary = ("MaxRuntimeExceeded" if now.secondary_status ==
                                 "MaxRuntimeExceeded" else "Stopped")
                    await asyncio.to_thread(self._end, name, "Stopped", secondary,
                                            "Training job stopped (its runner was killed)")
                    break
                if exit_code is None and self._overdue(job):
                    await asyncio.to_thread(self._update, name, status="Stopping",
                                            secondary_status="MaxRuntimeExceeded")
                    await self.backend.stop(state)
                if exit_code is not None:
                    await asyncio.to_thread(
                        self._fail, name,
                        "ClientError: the job's runner exited unexpectedly"
                        + ("" if exit_code == -1 else f" (code {exit_code})")
                        + ("; the Jupyter server may have restarted while it ran"
                           if exit_code == -1 else ""))
                    break
                self._bells.ring(name)
                await self.backend.wait(state, POLL_INTERVAL)
        finally:
            self._monitors.pop(name, None)
            self._bells.ring(name)
            self._ensure_pump()

    def _overdue(self, job: TrainingJob) -> bool:
        """Whether a running job is well past MaxRuntimeInSeconds (its runner stops it at
        that time; this is the server's backstop for a runner that did not)."""
        if job.status != "InProgress" or job.started_at is None:
            return False
        slack = float(getattr(self.backend, "stop_grace", 10.0)) + self.overdue_slack
        limit = job.spec["StoppingCondition"]["MaxRuntimeInSeconds"] + slack
        started = job.started_at if job.started_at.tzinfo else \
            job.started_at.replace(tzinfo=timezone.utc)
        return (utcnow() - started).total_seconds() > limit

    def _get(self, name: str) -> TrainingJob:
        with self.db.session() as s:
            return require(s, TrainingJob, name, f"no training job named {name!r}")

    def _ingest(self, name: str, report: dict[str, Any], state: dict[str, Any]) -> None:
        """Copy the runner's report and new metric points into the database."""
        with self.db.session() as s:
            job = s.get_one(TrainingJob, name)
            path = self.backend.metrics_path(state)
            if path is not None:
                text, offset = read_from(Path(path), job.metrics_offset, LOG_CHUNK)
                for line in text.splitlines():
                    try:
                        p = json.loads(line)
                    except ValueError:
                        continue
                    s.add(TrainingMetric(job_name=name, name=p["name"], step=p["step"],
                                         value=p["value"], timestamp=p["timestamp"]))
                job.metrics_offset = offset
            if not report:
                return
            if report.get("SecondaryStatusTransitions"):
                job.transitions = job.transitions[:1] + report["SecondaryStatusTransitions"]
                if "EndTime" not in job.transitions[0]:
                    job.transitions[0] = {**job.transitions[0],
                                          "EndTime": report["SecondaryStatusTransitions"][0][
                                              "StartTime"]}
            status = report.get("TrainingJobStatus", job.status)
            if job.status == "Stopping" and status == "InProgress":
                status = "Stopping"  # asked to stop; the runner has not said so yet
            else:
                job.secondary_status = report.get("SecondaryStatus", job.secondary_status)
            job.status = status
            if report.get("FailureReason"):
                job.failure_reason = report["FailureReason"]
            if report.get("ModelArtifacts"):
                job.model_artifacts = report["ModelArtifacts"]["S3ModelArtifacts"]
            if report.get("TrainingStartTime"):
                job.started_at = _parse_time(report["TrainingStartTime"])
            if status in TERMINAL:
                job.ended_at = _parse_time(report.get("TrainingEndTime")) or utcnow()
                s.flush()
                job.final_metrics = self._final_metrics(s, name)

    @staticmethod
    def _final_metrics(s, name: str) -> list[dict[str, Any]]:
        last = {}
        for m in s.scalars(select(TrainingMetric).where(TrainingMetric.job_name == name)
                           .order_by(TrainingMetric.id)):
            last[m.name] = m
        return [{"MetricName": m.name, "Value": m.value,
                 "Timestamp": datetime.fromtimestamp(m.timestamp, timezone.utc).isoformat()}
                for m in last.values()]

    # -- reading -----------------------------------------------------------------------
    def describe(self, name: str) -> dict[str, Any]:
        """``DescribeTrainingJob``."""
        job = self._get(name)
        spec = job.spec
        reply: dict[str, Any] = {
            "TrainingJobName": job.name,
            "TrainingJobArn": self.arn(job.name),
            "TrainingJobStatus": job.status,
            "SecondaryStatus": job.secondary_status,
            **({"FailureReason": job.failure_reason} if job.failure_reason else {}),
            "HyperParameters": spec["HyperParameters"],
            "AlgorithmSpecification": spec["AlgorithmSpecification"],
            "InputDataConfig": spec["InputDataConfig"],
            "OutputDataConfig": spec["OutputDataConfig"],
            "ResourceConfig": spec["ResourceConfig"],
            "StoppingCondition": spec["StoppingCondition"],
            "Environment": spec.get("Environment", {}),
            "Tags": spec.get("Tags", []),
            "CreationTime": iso(job.created_at),
            "TrainingStartTime": iso(job.started_at),
            "TrainingEndTime": iso(job.ended_at),
            "LastModifiedTime": iso(job.updated_at),
            "SecondaryStatusTransitions": job.transitions,
            "FinalMetricDataList": job.final_metrics,
            "Backend": job.backend,
        }
        if job.model_artifacts:
            reply["ModelArtifacts"] = {"S3ModelArtifacts": job.model_artifacts}
        if job.started_at and job.ended_at:
            seconds = int((job.ended_at - job.started_at).total_seconds())
            reply["TrainingTimeInSeconds"] = reply["BillableTimeInSeconds"] = max(seconds, 0)
        if spec.get("RoleArn"):
            reply["RoleArn"] = spec["RoleArn"]
        if spec.get("CheckpointConfig"):
            reply["CheckpointConfig"] = spec["CheckpointConfig"]
        return reply

    def list(self, filters: ListFilter) -> dict[str, Any]:
        """``ListTrainingJobs``: newest first by default, paginated with NextToken."""
        with self.db.session() as s:
            jobs, next_token = list_page(s, TrainingJob, filters)
        summaries = [{
            "TrainingJobName": j.name,
            "TrainingJobArn": self.arn(j.name),
            "CreationTime": iso(j.created_at),
            "TrainingEndTime": iso(j.ended_at),
            "LastModifiedTime": iso(j.updated_at),
            "TrainingJobStatus": j.status,
            "SecondaryStatus": j.secondary_status,
            "TrainingStartTime": iso(j.started_at),
        } for j in jobs]
        return {"TrainingJobSummaries": summaries, "NextToken": next_token}

    def logs(self, name: str, offset: int) -> dict[str, Any]:
        job = self._get(name)
        path = self.backend.log_path(job.backend_state)
        text, next_offset, at_end = read_page(Path(path), offset, LOG_CHUNK) if path \
            else ("", offset, True)
        return {"text": text, "next_offset": next_offset,
                "complete": job.status in TERMINAL and at_end}

    def timed_logs(self, name: str = "", exact: bool = False) -> builtins.list[JobLogs]:
        """The timed log of each job whose name starts with ``name`` (is ``name`` if
        ``exact``), by host, in name order; jobs that have not started have none yet.
        The runner's own lines are the first host's."""
        with self.db.session() as s:
            jobs = list(s.scalars(named(TrainingJob, name, exact)))
        found = []
        for job in jobs:
            path = self.backend.log_path(job.backend_state)
            if path is None or not Path(path).is_file():
                continue
            hosts = container.host_names(job.spec["ResourceConfig"]["InstanceCount"])
            found.append(JobLogs(job.name, job.created_at, {
                host: [TimedLines(Path(path), host, unindexed=i == 0)]
                for i, host in enumerate(hosts)}))
        return found

    async def follow_logs(self, name: str, offset: int, timeout: float) -> dict[str, Any]:
        """Like ``logs`` but waits up to ``timeout`` seconds for new text (long poll)."""
        return await long_poll(lambda: self.logs(name, offset), self._bells, name, timeout)

    def metrics(self, name: str, after: int = 0) -> dict[str, Any]:
        """Metric points with ids above ``after``, grouped by metric name."""
        self._get(name)
        with self.db.session() as s:
            rows = list(s.scalars(select(TrainingMetric).where(
                TrainingMetric.job_name == name, TrainingMetric.id > after)
                .order_by(TrainingMetric.id)))
        series: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            series.setdefault(r.name, []).append(
                {"step": r.step, "value": r.value, "timestamp": r.timestamp})
        return {"metrics": series, "last_id": rows[-1].id if rows else after}

    # -- changes -----------------------------------------------------------------------
    async def stop(self, name: str) -> None:
        """``StopTrainingJob``: Stopping now, Stopped once the runner has stopped."""
        async with self._launching:
            await self._stop(name)

    async def _stop(self, name: str) -> None:
        job = await asyncio.to_thread(self._get, name)
        if job.status in TERMINAL:
            raise ValidationError(f"training job {name!r} has already ended ({job.status})")
        if "pid" not in job.backend_state:  # still queued: nothing runs yet
            def stop_queued() -> None:
                with self.db.session() as s:
                    j = s.get_one(TrainingJob, name)
                    stamp = iso(utcnow())
                    j.transitions = [*j.transitions[:-1], {**j.transitions[-1],
                                                           "EndTime": stamp},
                                     {"Status": "Stopped", "StartTime": stamp, "EndTime": stamp,
                                      "StatusMessage": "Training job stopped"}]
                    j.status = j.secondary_status = "Stopped"
                    j.ended_at = utcnow()

            await asyncio.to_thread(stop_queued)
            self._bells.ring(name)
            return
        await asyncio.to_thread(self._update, name, status="Stopping",
                                secondary_status="Stopping")
        await self.backend.stop(job.backend_state)

    async def delete(self, name: str) -> None:
        job = await asyncio.to_thread(self._get, name)
        if job.status not in TERMINAL:
            raise ResourceInUse(f"training job {name!r} is {job.status}: stop it first")

        def remove() -> None:
            with self.db.session() as s:
                s.execute(delete(TrainingMetric).where(
                    TrainingMetric.job_name == name))
                s.delete(s.get(TrainingJob, name))

        await asyncio.to_thread(remove)
        await self.backend.remove(job.backend_state)
