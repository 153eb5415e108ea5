"""Training jobs: create, list, describe, stop, logs, metrics, on the one job engine.

A training job is a job of the engine (kind ``training``, id ``training:<name>``) run by
the job backend; :class:`TrainingReports` turns the runner's reports into the record
DescribeTrainingJob shows: status, secondary status transitions, metrics, artifacts.
"""
from __future__ import annotations

import asyncio
import builtins
import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from traitlets import Float, Int
from traitlets.config import LoggingConfigurable

from ..algorithms.catalog import algorithm_for
from ..backends import ENTRY_POINT_GROUP as BACKENDS
from ..backends.base import JobBackend
from ..db import Database
from ..db.models import Job, JobMetric, utcnow
from ..engine.engine import JobEngine, JobExists, JobNotFound
from ..engine.follow import long_poll
from ..engine.joblog import LOG_PAGE, JobLogs, TimedLines, read_from, read_page
from ..engine.kinds import JobKind, Reports
from ..errors import MLStudioError
from ..plugins import EntryPointType
from ..sagemaker.arns import arn
from ..sagemaker.errors import ResourceInUse, ResourceNotFound, ValidationError
from ..sagemaker.paging import ListFilter, list_page
from ..sagemaker.rows import named
from ..sagemaker.statuses import FAILED, STOPPED, TERMINAL
from ..sagemaker.times import iso, utc
from ..workspace import resolve_in_root
from . import container, interpreters
from .sourcedir import UnsafeSourceLink, source_files
from .spec import decode_hyperparameter, validate_training_job

log = logging.getLogger(__name__)
KIND = "training"


def job_id(name: str) -> str:
    """The engine's id of the training job ``name``."""
    return f"{KIND}:{name}"


def _parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def final_metrics(session: Session, job: Job) -> list[dict[str, Any]]:
    """The last value of each metric, as FinalMetricDataList gives them."""
    last = {}
    for m in session.scalars(select(JobMetric).where(JobMetric.job_id == job.id)
                             .order_by(JobMetric.id)):
        last[m.name] = m
    return [{"MetricName": m.name, "Value": m.value,
             "Timestamp": datetime.fromtimestamp(m.timestamp, timezone.utc).isoformat()}
            for m in last.values()]


class TrainingReports(Reports):
    """A training job's record: the runner's ``state.json`` reports and metric points in,
    SageMaker's secondary statuses and transitions out."""

    def __init__(self, backend: JobBackend, overdue_slack: Callable[[], float]) -> None:
        self.backend = backend
        self.overdue_slack = overdue_slack

    def plan(self, job: Job) -> dict[str, Any]:
        return job.backend_state["plan"]

    def waiting(self, job: Job, in_use: int, limit: int) -> None:
        message = f"Waiting for capacity: {in_use} of {limit} job slots in use"
        transitions = job.progress.get("SecondaryStatusTransitions", [])
        if transitions and transitions[-1].get("StatusMessage") != message:
            job.progress = {**job.progress, "SecondaryStatusTransitions": [
                *transitions[:-1], {**transitions[-1], "StatusMessage": message}]}
            job.message = message

    def stopping(self, job: Job, overdue: bool) -> None:
        job.progress = {**job.progress,
                        "SecondaryStatus": "MaxRuntimeExceeded" if overdue else "Stopping"}

    def overdue(self, job: Job) -> bool:
        """Well past MaxRuntimeInSeconds: the runner stops a job at that time; this is the
        server's backstop for a runner that did not."""
        if job.started_at is None:
            return False
        slack = float(getattr(self.backend, "stop_grace", 10.0)) + self.overdue_slack()
        limit = job.spec["StoppingCondition"]["MaxRuntimeInSeconds"] + slack
        return (utcnow() - utc(job.started_at)).total_seconds() > limit

    def end(self, session: Session, job: Job, status: str, message: str,
            reason: str | None) -> None:
        progress = dict(job.progress)
        if status == STOPPED:
            secondary = "MaxRuntimeExceeded" if progress.get("SecondaryStatus") == \
                "MaxRuntimeExceeded" else "Stopped"
            message = "Training job stopped" + (
                " (its runner was killed)" if "killed" in message else "")
        else:
            secondary, message = FAILED, "Training job failed"
        stamp = iso(utcnow())
        transitions = [dict(t) for t in progress.get("SecondaryStatusTransitions", [])]
        if transitions and "EndTime" not in transitions[-1]:
            transitions[-1]["EndTime"] = stamp
        transitions.append({"Status": secondary, "StartTime": stamp, "EndTime": stamp,
                            "StatusMessage": message})
        job.progress = {**progress, "SecondaryStatus": secondary,
                        "SecondaryStatusTransitions": transitions}
        job.message = message
        if reason:
            job.failure_reason = reason if reason.startswith("ClientError") \
                else f"ClientError: {reason}"
        session.flush()
        job.result = {**job.result, "FinalMetricDataList": final_metrics(session, job)}

    def ingest(self, session: Session, job: Job, report: dict[str, Any],
               state: dict[str, Any]) -> None:
        """Copy the runner's report and new metric points into the record."""
        progress, result = dict(job.progress), dict(job.result)
        path = self.backend.metrics_path(state)
        if path is not None:
            text, offset = read_from(Path(path), progress.get("MetricsOffset", 0), LOG_PAGE)
            for line in text.splitlines():
                try:
                    p = json.loads(line)
                except ValueError:
                    continue
                session.add(JobMetric(job_id=job.id, name=p["name"], step=p["step"],
                                      value=p["value"], timestamp=p["timestamp"]))
            progress["MetricsOffset"] = offset
        if report:
            if report.get("SecondaryStatusTransitions"):
                first, *_ = progress.get("SecondaryStatusTransitions") or [{}]
                if "EndTime" not in first:
                    first = {**first, "EndTime": report["SecondaryStatusTransitions"][0][
                        "StartTime"]}
                progress["SecondaryStatusTransitions"] = [
                    first, *report["SecondaryStatusTransitions"]]
                job.message = report["SecondaryStatusTransitions"][-1].get(
                    "StatusMessage", job.message)
            status = report.get("TrainingJobStatus", job.status)
            if job.status == "Stopping" and status == "InProgress":
                status = "Stopping"  # asked to stop; the runner has not said so yet
            else:
                progress["SecondaryStatus"] = report.get("SecondaryStatus",
                                                         progress.get("SecondaryStatus"))
            job.status = status
            if report.get("FailureReason"):
                job.failure_reason = report["FailureReason"]
            if report.get("ModelArtifacts"):
                result["ModelArtifacts"] = report["ModelArtifacts"]["S3ModelArtifacts"]
            if report.get("TrainingStartTime"):
                job.started_at = _parse_time(report["TrainingStartTime"])
        job.progress, job.result = progress, result
        if job.status in TERMINAL:
            job.ended_at = _parse_time(report.get("TrainingEndTime")) or utcnow()
            session.flush()
            job.result = {**result, "FinalMetricDataList": final_metrics(session, job)}


class TrainingService(LoggingConfigurable):
    """CreateTrainingJob and the calls that read and change training jobs."""

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
        engine: JobEngine,
        root_dir: str,
        region: str,
        environment: Callable[[], dict[str, str]],
        backend: type[JobBackend],
        backend_config: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.db = db
        self.engine = engine
        if self.backend_class is not None:
            self.log.warning("c.TrainingService.backend_class is deprecated: set "
                             "c.MLStudioApp.default_backend instead (%s runs jobs)",
                             self.backend_class.__name__)
            backend = self.backend_class
        self.backend: JobBackend = backend(parent=self, **(backend_config or {}))
        self.root_dir = root_dir
        self.region = region
        engine.register(JobKind(
            KIND, backend=self.backend, environment=environment,
            reports=TrainingReports(self.backend, lambda: self.overdue_slack),
            waiting_status="InProgress", pruned=False))

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
        algorithm = algorithm_for(spec["AlgorithmSpecification"], spec["HyperParameters"])
        if algorithm is not None:  # its own program is the job's code
            plan.update(code_dir=str(algorithm.folder), workspace_root=str(algorithm.folder),
                        program=algorithm.program, algorithm=algorithm.name)
            return plan
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

    def check(self, body: dict[str, Any]) -> None:
        """Refuse, as ``create`` would, a request that could not start (no job is made)."""
        self._plan(validate_training_job(body, self.max_instances))

    async def create(self, body: dict[str, Any],
                     tuning_job_arn: str | None = None) -> dict[str, Any]:
        """``CreateTrainingJob``: validate, record, and queue for the backend. A tuning
        job's trial names its tuning job."""
        spec = validate_training_job(body, self.max_instances)
        plan = await asyncio.to_thread(self._plan, spec)
        if tuning_job_arn:
            spec["TuningJobArn"] = tuning_job_arn
        name = spec["TrainingJobName"]
        try:
            await self.engine.submit(KIND, name, spec, job_id=job_id(name),
                                     backend_state={"plan": plan}, progress={
                                         "SecondaryStatus": "Starting", "MetricsOffset": 0,
                                         "SecondaryStatusTransitions": [{
                                             "Status": "Starting", "StartTime": iso(utcnow()),
                                             "StatusMessage": "Preparing the instances for "
                                                              "training"}]})
        except JobExists:
            raise ResourceInUse(f"a training job named {name!r} already exists") from None
        return {"TrainingJobArn": self.arn(name)}

    def arn(self, name: str) -> str:
        return arn(self.region, "training-job", name)

    async def settle(self, name: str, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the job to end; the wait stops nothing."""
        await self.engine.settle(KIND, job_id(name), timeout)

    def _get(self, name: str) -> Job:
        try:
            return self.engine.record(KIND, job_id(name))
        except JobNotFound:
            raise ResourceNotFound(f"no training job named {name!r}") from None

    def record(self, name: str) -> Job:
        """The engine's record of training job ``name``, or ResourceNotFound."""
        return self._get(name)

    @staticmethod
    def job_id(name: str) -> str:
        return job_id(name)

    # -- reading -----------------------------------------------------------------------
    def describe(self, name: str) -> dict[str, Any]:
        """``DescribeTrainingJob``."""
        job = self._get(name)
        spec, progress, result = job.spec, job.progress, job.result
        reply: dict[str, Any] = {
            "TrainingJobName": job.name,
            "TrainingJobArn": self.arn(job.name),
            "TrainingJobStatus": job.status,
            "SecondaryStatus": progress.get("SecondaryStatus", job.status),
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
            "SecondaryStatusTransitions": progress.get("SecondaryStatusTransitions", []),
            "FinalMetricDataList": result.get("FinalMetricDataList", []),
            "Backend": job.backend,
        }
        if result.get("ModelArtifacts"):
            reply["ModelArtifacts"] = {"S3ModelArtifacts": result["ModelArtifacts"]}
        if job.started_at and job.ended_at:
            seconds = int((utc(job.ended_at) - utc(job.started_at)).total_seconds())
            reply["TrainingTimeInSeconds"] = reply["BillableTimeInSeconds"] = max(seconds, 0)
        if spec.get("RoleArn"):
            reply["RoleArn"] = spec["RoleArn"]
        if spec.get("CheckpointConfig"):
            reply["CheckpointConfig"] = spec["CheckpointConfig"]
        if spec.get("TuningJobArn"):
            reply["TuningJobArn"] = spec["TuningJobArn"]
        return reply

    def list(self, filters: ListFilter) -> dict[str, Any]:
        """``ListTrainingJobs``: newest first by default, paginated with NextToken."""
        with self.db.session() as s:
            jobs, next_token = list_page(s, Job, filters, Job.kind == KIND)
        summaries = [{
            "TrainingJobName": j.name,
            "TrainingJobArn": self.arn(j.name),
            "CreationTime": iso(j.created_at),
            "TrainingEndTime": iso(j.ended_at),
            "LastModifiedTime": iso(j.updated_at),
            "TrainingJobStatus": j.status,
            "SecondaryStatus": j.progress.get("SecondaryStatus", j.status),
            "TrainingStartTime": iso(j.started_at),
        } for j in jobs]
        return {"TrainingJobSummaries": summaries, "NextToken": next_token}

    def logs(self, name: str, offset: int) -> dict[str, Any]:
        job = self._get(name)
        path = self.backend.log_path(job.backend_state)
        text, next_offset, at_end = read_page(Path(path), offset, LOG_PAGE) if path \
            else ("", offset, True)
        return {"text": text, "next_offset": next_offset,
                "complete": job.status in TERMINAL and at_end}

    def timed_logs(self, name: str = "", exact: bool = False) -> builtins.list[JobLogs]:
        """The timed log of each job whose name starts with ``name`` (is ``name`` if
        ``exact``), by host, in name order; jobs that have not started have none yet.
        The runner's own lines are the first host's."""
        with self.db.session() as s:
            jobs = list(s.scalars(named(Job, name, exact, Job.kind == KIND)))
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
        return await long_poll(lambda: self.logs(name, offset), self.engine.bells,
                               job_id(name), timeout)

    def metrics(self, name: str, after: int = 0) -> dict[str, Any]:
        """Metric points with ids above ``after``, grouped by metric name."""
        job = self._get(name)
        with self.db.session() as s:
            rows = list(s.scalars(select(JobMetric).where(
                JobMetric.job_id == job.id, JobMetric.id > after).order_by(JobMetric.id)))
        series: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            series.setdefault(r.name, []).append(
                {"step": r.step, "value": r.value, "timestamp": r.timestamp})
        return {"metrics": series, "last_id": rows[-1].id if rows else after}

    # -- changes -----------------------------------------------------------------------
    async def stop(self, name: str) -> None:
        """``StopTrainingJob``: Stopping now, Stopped once the runner has stopped (a job
        still waiting for capacity is Stopped at once)."""
        job = await asyncio.to_thread(self._get, name)
        if job.status in TERMINAL:
            raise ValidationError(f"training job {name!r} has already ended ({job.status})")
        await self.engine.stop(KIND, job.id)

    async def delete(self, name: str) -> None:
        job = await asyncio.to_thread(self._get, name)
        if job.status not in TERMINAL:
            raise ResourceInUse(f"training job {name!r} is {job.status}: stop it first")

        def remove() -> None:
            with self.db.session() as s:
                s.execute(delete(JobMetric).where(JobMetric.job_id == job.id))
                row = s.get(Job, job.id)
                if row is not None:
                    s.delete(row)

        await asyncio.to_thread(remove)
        await self.backend.remove(job.backend_state)
