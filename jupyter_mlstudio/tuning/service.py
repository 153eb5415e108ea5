"""Hyperparameter tuning jobs: create, list, describe, stop, and their training jobs.

A tuning job is a job of the engine (kind ``tuning``, id ``tuning:<name>``) run in the
server by :class:`.run.TuningRun`; it is resumable, so a server restart takes it up
where it was. Its trials are ordinary training jobs, named as SageMaker names them
(``<tuning job>-<NNN>-<8 hex>``) and carrying ``TuningJobArn``.
"""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from traitlets import Int
from traitlets.config import LoggingConfigurable

from ..db import Database
from ..db.models import Job, JobMetric
from ..engine.context import JobContext
from ..engine.engine import JobEngine, JobExists, JobNotFound
from ..engine.kinds import JobKind
from ..sagemaker.arns import arn
from ..sagemaker.errors import ResourceInUse, ResourceNotFound, ValidationError
from ..sagemaker.paging import ListFilter, list_page, page_of
from ..sagemaker.statuses import COMPLETED, FAILED, IN_PROGRESS, STOPPED, STOPPING, TERMINAL
from ..sagemaker.times import iso, utc
from .run import TuningRun
from .spec import objective_metrics, validate_tuning_job
from .study import Studies

KIND = "tuning"
_SORT_TRIALS = ("Name", "CreationTime", "Status", "FinalObjectiveMetricValue")


def job_id(name: str) -> str:
    """The engine's id of the tuning job ``name``."""
    return f"{KIND}:{name}"


def _stamp(seconds: float | None) -> str | None:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat() if seconds else None


class TuningService(LoggingConfigurable):
    """CreateHyperParameterTuningJob and the calls that read and stop tuning jobs."""

    concurrent_jobs = Int(16, config=True,
                          help="Tuning jobs running at once (later ones wait). Each only "
                          "directs its trials; the training backend's capacity decides how "
                          "many trials train at once.")

    def __init__(self, *, db: Database, engine: JobEngine, training: Any, region: str,
                 default_role: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.default_role = default_role
        self.db = db
        self.engine = engine
        self.training = training
        self.region = region
        self.studies = Studies(db.url)
        engine.register(JobKind(KIND, run=self._run, capacity=self.concurrent_jobs,
                                waiting_status=IN_PROGRESS, pruned=False, resumable=True))

    def arn(self, name: str) -> str:
        return arn(self.region, "hyper-parameter-tuning-job", name)

    def close(self) -> None:
        """Release the studies' database connections (after the engine has stopped)."""
        self.studies.close()

    async def _run(self, ctx: JobContext) -> str:
        return await TuningRun(ctx, self.training, self.studies, self.engine,
                               self.arn(ctx.name)).run()

    # -- create ----------------------------------------------------------------------------
    async def create(self, body: dict[str, Any]) -> dict[str, Any]:
        """``CreateHyperParameterTuningJob``: validate, record, and queue."""
        spec = await asyncio.to_thread(validate_tuning_job, body, self.training.check,
                                       self.default_role)
        name = spec["HyperParameterTuningJobName"]
        for parent in (spec.get("WarmStartConfig") or {}).get(
                "ParentHyperParameterTuningJobs", []):
            job = await asyncio.to_thread(self._get, parent["HyperParameterTuningJobName"])
            if job.status not in TERMINAL:
                raise ValidationError(f"parent tuning job {job.name!r} is {job.status}: a warm "
                                      "start's parents must have ended")
        try:
            await self.engine.submit(KIND, name, spec, job_id=job_id(name))
        except JobExists:
            raise ResourceInUse(f"a hyperparameter tuning job named {name!r} already "
                                "exists") from None
        return {"HyperParameterTuningJobArn": self.arn(name)}

    def _get(self, name: str) -> Job:
        try:
            return self.engine.record(KIND, job_id(name))
        except JobNotFound:
            raise ResourceNotFound(f"no hyperparameter tuning job named {name!r}") from None

    async def settle(self, name: str, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the tuning job to end; the wait stops nothing."""
        await self.engine.settle(KIND, job_id(name), timeout)

    async def stop(self, name: str) -> None:
        """``StopHyperParameterTuningJob``: Stopping while its trials stop, then Stopped."""
        job = await asyncio.to_thread(self._get, name)
        if job.status in TERMINAL:
            raise ValidationError(f"hyperparameter tuning job {name!r} has already ended "
                                  f"({job.status})")
        await self.engine.stop(KIND, job.id)

    # -- reading ---------------------------------------------------------------------------
    async def log(self, name: str, offset: int, follow: bool, timeout: float
                  ) -> dict[str, Any]:
        """The tuning job's own log (its trials' starts and ends, its decisions) from
        ``offset``; with ``follow``, waiting up to ``timeout`` s for more."""
        job = await asyncio.to_thread(self._get, name)
        if follow:
            return await self.engine.follow_log(KIND, job.id, offset, timeout)
        return await asyncio.to_thread(self.engine.read_log, KIND, job.id, offset)

    def _view(self, job: Job) -> dict[str, Any]:
        """The job's progress as its run last saved it (the live one while it runs)."""
        return self.engine.get(KIND, job.id)["progress"]

    def _trial_jobs(self, trials: list[dict[str, Any]]) -> dict[str, Job]:
        ids = [self.training.job_id(t["TrainingJobName"]) for t in trials]
        with self.db.session() as s:
            return {j.name: j for j in s.scalars(select(Job).where(Job.id.in_(ids)))}

    def _summary(self, spec: dict[str, Any], t: dict[str, Any], job: Job | None
                 ) -> dict[str, Any]:
        """A trial as ``HyperParameterTrainingJobSummary``."""
        definition = next(d for d in spec["Definitions"]
                          if (d.get("DefinitionName") or "") == t["DefinitionName"])
        objective = definition["TuningObjective"]
        summary: dict[str, Any] = {
            "TrainingJobName": t["TrainingJobName"],
            "TrainingJobArn": self.training.arn(t["TrainingJobName"]),
            "TuningJobName": spec["HyperParameterTuningJobName"],
            "CreationTime": iso(job.created_at) if job else None,
            "TrainingStartTime": iso(job.started_at) if job else None,
            "TrainingEndTime": iso(job.ended_at) if job else None,
            "TrainingJobStatus": job.status if job else FAILED,
            "TunedHyperParameters": t["TunedHyperParameters"],
            "ObjectiveStatus": t["ObjectiveStatus"],
        }
        if t["DefinitionName"]:
            summary["TrainingJobDefinitionName"] = t["DefinitionName"]
        reason = t.get("FailureReason") or (job.failure_reason if job is not None else None)
        if reason:
            summary["FailureReason"] = reason
        if t["Objective"] is not None:
            summary["FinalHyperParameterTuningJobObjectiveMetric"] = {
                "Type": objective["Type"], "MetricName": objective["MetricName"],
                "Value": t["Objective"]}
        return {k: v for k, v in summary.items() if v is not None}

    @staticmethod
    def _counters(trials: list[dict[str, Any]], jobs: dict[str, Job]) -> dict[str, Any]:
        status = {"Completed": 0, "InProgress": 0, "RetryableError": 0,
                  "NonRetryableError": 0, "Stopped": 0}
        objective = {"Succeeded": 0, "Pending": 0, "Failed": 0}
        for t in trials:
            job = jobs.get(t["TrainingJobName"])
            state = job.status if job is not None else FAILED
            key = {COMPLETED: "Completed", STOPPED: "Stopped", FAILED: "NonRetryableError",
                   STOPPING: "InProgress"}.get(state, "InProgress")
            status[key] += 1
            objective[t["ObjectiveStatus"]] += 1
        return {"TrainingJobStatusCounters": status, "ObjectiveStatusCounters": objective}

    @staticmethod
    def _status(job: Job) -> str:
        return job.status if job.status in (COMPLETED, FAILED, STOPPED, STOPPING) \
            else IN_PROGRESS

    def _best(self, job: Job, progress: dict[str, Any], jobs: dict[str, Job]
              ) -> dict[str, Any] | None:
        trial = next((t for t in progress.get("Trials", [])
                      if t["TrainingJobName"] == progress.get("Best")), None)
        if trial is None:
            return None
        return self._summary(job.spec, trial, jobs.get(trial["TrainingJobName"]))

    def _overall_best(self, job: Job, own: dict[str, Any] | None, depth: int = 0
                      ) -> dict[str, Any] | None:
        """The best training job of this tuning job and its warm start's parents."""
        found = [own] if own else []
        parents = (job.spec.get("WarmStartConfig") or {}).get(
            "ParentHyperParameterTuningJobs", [])
        for parent in parents if depth < 5 else []:
            try:
                record = self._get(parent["HyperParameterTuningJobName"])
            except ResourceNotFound:
                continue
            progress = self._view(record)
            jobs = self._trial_jobs(progress.get("Trials", []))
            best = self._overall_best(record, self._best(record, progress, jobs), depth + 1)
            if best:
                found.append(best)
        if not found:
            return None
        maximize = job.spec["Definitions"][0]["TuningObjective"]["Type"] == "Maximize"
        value = (lambda s: s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
        return (max if maximize else min)(found, key=value)

    def describe(self, name: str) -> dict[str, Any]:
        """``DescribeHyperParameterTuningJob``."""
        job = self._get(name)
        spec, progress = job.spec, self._view(job)
        trials = progress.get("Trials", [])
        jobs = self._trial_jobs(trials)
        config = spec["HyperParameterTuningJobConfig"]
        reply: dict[str, Any] = {
            "HyperParameterTuningJobName": job.name,
            "HyperParameterTuningJobArn": self.arn(job.name),
            "HyperParameterTuningJobConfig": config,
            "HyperParameterTuningJobStatus": self._status(job),
            "CreationTime": iso(job.created_at),
            "HyperParameterTuningEndTime": iso(job.ended_at),
            "LastModifiedTime": iso(job.updated_at),
            **self._counters(trials, jobs),
        }
        if spec["Single"]:
            reply["TrainingJobDefinition"] = {
                k: v for k, v in spec["Definitions"][0].items()
                if k not in ("TuningObjective", "HyperParameterRanges")}
        else:
            reply["TrainingJobDefinitions"] = spec["Definitions"]
        best = self._best(job, progress, jobs)
        if best:
            reply["BestTrainingJob"] = best
        if spec.get("WarmStartConfig"):
            reply["WarmStartConfig"] = spec["WarmStartConfig"]
            overall = self._overall_best(job, best)
            if overall:
                reply["OverallBestTrainingJob"] = overall
        if job.status == FAILED and job.failure_reason:
            reply["FailureReason"] = job.failure_reason
        reply["TuningJobCompletionDetails"] = {
            "NumberOfTrainingJobsObjectiveNotImproving": progress.get("NotImproving", 0),
            **({"ConvergenceDetectedTime": _stamp(progress["ConvergenceDetectedTime"])}
               if progress.get("ConvergenceDetectedTime") else {})}
        started = progress.get("StartedAt")
        if started:
            end = utc(job.ended_at).timestamp() if job.ended_at else time.time()
            reply["ConsumedResources"] = {"RuntimeInSeconds": max(0, int(end - started))}
        if spec.get("Tags"):
            reply["Tags"] = spec["Tags"]
        return {k: v for k, v in reply.items() if v is not None}

    def list(self, filters: ListFilter) -> dict[str, Any]:
        """``ListHyperParameterTuningJobs``: newest first by default, with NextToken."""
        with self.db.session() as s:
            rows, next_token = list_page(s, Job, filters, Job.kind == KIND)
        # the trials of the whole page, read at once
        jobs = self._trial_jobs([t for job in rows for t in job.progress.get("Trials", [])])
        summaries = []
        for job in rows:
            trials = job.progress.get("Trials", [])
            config = job.spec["HyperParameterTuningJobConfig"]
            summaries.append({
                "HyperParameterTuningJobName": job.name,
                "HyperParameterTuningJobArn": self.arn(job.name),
                "HyperParameterTuningJobStatus": self._status(job),
                "Strategy": config["Strategy"],
                "CreationTime": iso(job.created_at),
                **({"HyperParameterTuningEndTime": iso(job.ended_at)} if job.ended_at
                   else {}),
                "LastModifiedTime": iso(job.updated_at),
                **self._counters(trials, jobs),
                "ResourceLimits": config["ResourceLimits"],
            })
        return {"HyperParameterTuningJobSummaries": summaries, "NextToken": next_token}

    @staticmethod
    def trial_filter(params: dict[str, Any]) -> ListFilter:
        """A ListTrainingJobsForHyperParameterTuningJob request's filter: by Name,
        ascending, unless it says otherwise."""
        return ListFilter.from_request({"SortBy": "Name", "SortOrder": "Ascending",
                                        **{k: v for k, v in params.items() if v}})

    def training_jobs(self, name: str, filters: ListFilter) -> dict[str, Any]:
        """``ListTrainingJobsForHyperParameterTuningJob``: sorted by Name (default),
        CreationTime, Status or FinalObjectiveMetricValue (which lists only training jobs
        with an objective, best first by default), with NextToken."""
        job = self._get(name)
        progress = self._view(job)
        trials = progress.get("Trials", [])
        jobs = self._trial_jobs(trials)
        summaries = [self._summary(job.spec, t, jobs.get(t["TrainingJobName"]))
                     for t in trials]
        if filters.status:
            summaries = [s for s in summaries if s["TrainingJobStatus"] == filters.status]
        if filters.sort_by not in _SORT_TRIALS:
            raise ValidationError(f"SortBy must be one of {', '.join(_SORT_TRIALS)}")
        if filters.sort_order not in ("Ascending", "Descending"):
            raise ValidationError("SortOrder must be Ascending or Descending")
        descending = filters.sort_order == "Descending"
        if filters.sort_by == "FinalObjectiveMetricValue":
            summaries = [s for s in summaries
                         if "FinalHyperParameterTuningJobObjectiveMetric" in s]
            key: Any = (lambda s: s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
        else:
            field = {"Name": "TrainingJobName", "CreationTime": "CreationTime",
                     "Status": "TrainingJobStatus"}[filters.sort_by]
            key = (lambda s: (s.get(field) or "", s["TrainingJobName"]))
        summaries.sort(key=key, reverse=descending)
        page, next_token = page_of(summaries, filters.next_token, filters.max_results)
        return {"TrainingJobSummaries": page, "NextToken": next_token}

    def curves(self, name: str) -> dict[str, Any]:
        """Each trial's objective metric by step: what early stopping and Hyperband judge."""
        job = self._get(name)
        trials = self._view(job).get("Trials", [])
        jobs = self._trial_jobs(trials)
        metric = objective_metrics(job.spec)
        ids = {self.training.job_id(t["TrainingJobName"]): t for t in trials}
        points: dict[str, list[dict[str, Any]]] = {t["TrainingJobName"]: [] for t in trials}
        with self.db.session() as s:
            for row in s.scalars(select(JobMetric).where(JobMetric.job_id.in_(list(ids)))
                                 .order_by(JobMetric.id)):
                t = ids[row.job_id]
                if row.name == metric[t["DefinitionName"]]:
                    series = points[t["TrainingJobName"]]
                    series.append({"step": len(series) + 1, "value": row.value,
                                   "timestamp": row.timestamp})
        return {"MetricName": next(iter(metric.values())), "Curves": [{
            "TrainingJobName": t["TrainingJobName"],
            "TrainingJobStatus": jobs[t["TrainingJobName"]].status
            if t["TrainingJobName"] in jobs else FAILED,
            "EarlyStopped": t["EarlyStopped"],
            "ObjectiveStatus": t["ObjectiveStatus"],
            "Points": points[t["TrainingJobName"]]} for t in trials]}
