"""Batch transform jobs: instances of the model plus a runner that streams S3 through them.

A job starts ``TransformResources.InstanceCount`` model-server instances, then the
runner (``python -m jupyter_mlstudio.serving.transform JOB_DIR``), which reads every
input object, sends records to the instances and writes ``<input>.out`` objects,
reporting progress in ``state.json``; its output goes to ``output.log``, each line timed
as it comes (see :mod:`..engine.joblog`). The instances stop when the runner ends.
"""
from __future__ import annotations

import asyncio
import builtins
import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import select

from ..db import Database
from ..engine.bells import Bells
from ..engine.follow import long_poll
from ..db.models import TransformJob, utcnow
from ..sagemaker.paging import ListFilter, list_page
from ..sagemaker.rows import named, require
from ..sagemaker.errors import ResourceInUse, ResourceNotFound, ValidationError
from ..engine.statefile import STATE_FILE, read_state
from ..engine.joblog import ChildLog, JobLogs, TimedLines, read_page
from ..sagemaker.statuses import TERMINAL
from ..process import spawn_group, stop_group
from ..sagemaker.times import iso
from .artifacts import ArtifactError, fetch_model
from .environment import serving_environment
from .instances import Instance, InstanceFailed, InstanceOptions
from ..sagemaker.arns import arn
from .resources import Resources
from .specs import validate_transform_job

log = logging.getLogger(__name__)
POLL = 0.5


class TransformJobs:
    """Create, watch, stop and describe transform jobs."""

    def __init__(self, db: Database, resources: Resources, folder: Path,
                 s3_client: Callable, environment: Callable[[], dict[str, str]],
                 instance_options: Callable[[dict[str, Any]], InstanceOptions]) -> None:
        self.db = db
        self.resources = resources
        self.folder = folder
        self.s3_client = s3_client
        self.environment = environment
        self.instance_options = instance_options
        self._tasks: dict[str, asyncio.Task] = {}
        self._runners: dict[str, Any] = {}
        self._bells = Bells()  # rung at each look at a running job and at its end

    async def start(self) -> None:
        """Jobs that were running when the server stopped did not finish: say so."""
        def orphaned() -> None:
            with self.db.session() as s:
                for job in s.scalars(select(TransformJob).where(
                        TransformJob.status.in_(["InProgress", "Stopping"]))):
                    job.status = "Failed" if job.status == "InProgress" else "Stopped"
                    if job.status == "Failed":
                        job.failure_reason = "the Jupyter server stopped while the job ran"
                    job.ended_at = utcnow()

        await asyncio.to_thread(orphaned)

    async def shutdown(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    def running(self) -> list[str]:
        return list(self._tasks)

    def job_dir(self, name: str) -> Path:
        return self.folder / "transform-jobs" / name

    # -- create and run ---------------------------------------------------------------
    async def create(self, body: dict[str, Any], max_instances: int) -> dict[str, Any]:
        """``CreateTransformJob``: recorded InProgress at once, run in the background."""
        spec = validate_transform_job(body, max_instances)
        name = spec["TransformJobName"]
        await asyncio.to_thread(self.resources.model, spec["ModelName"])

        def insert() -> None:
            with self.db.session() as s:
                if s.get(TransformJob, name) is not None:
                    raise ResourceInUse(f"a transform job named {name!r} already exists")
                s.add(TransformJob(name=name, status="InProgress", spec=spec, progress={}))

        await asyncio.to_thread(insert)
        task = asyncio.ensure_future(self._run(name, spec))
        self._tasks[name] = task
        task.add_done_callback(lambda _t: self._tasks.pop(name, None))
        return {"TransformJobArn": arn(self.resources.region, "transform-job", name)}

    async def settle(self, name: str, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the job to end; the wait stops nothing."""
        task = self._tasks.get(name)
        if task is not None and timeout > 0:
            await asyncio.wait({task}, timeout=timeout)

    async def _run(self, name: str, spec: dict[str, Any]) -> None:
        folder = self.job_dir(name)
        instances: list[Instance] = []
        try:
            model = await asyncio.to_thread(self.resources.model, spec["ModelName"])
            container = model.spec["PrimaryContainer"]
            files = await asyncio.to_thread(fetch_model, self.s3_client(), container,
                                            self.folder / "models")
            # SAGEMAKER_BATCH: what SageMaker tells a container serving a transform job.
            options = await asyncio.to_thread(self.instance_options, {
                **container, "Environment": {**container.get("Environment", {}),
                                             **spec["Environment"], "SAGEMAKER_BATCH": "true"}})
            count = spec["TransformResources"]["InstanceCount"]
            instances = [Instance(iid, files, folder / "instances", options)
                         for iid in instance_ids(count)]
            await asyncio.to_thread(self._update, name, started_at=utcnow())
            results = await asyncio.gather(*(i.start() for i in instances),
                                           return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException):
                    raise result
            await self._run_runner(name, spec, folder, [i.url for i in instances])
        except (ArtifactError, InstanceFailed, ResourceNotFound, ValidationError,
                OSError) as err:
            reason = getattr(err, "message", None) or str(err)
            await self._end(name, "Failed", reason)
        except asyncio.CancelledError:
            await self._end(name, "Stopped", None)
            raise
        finally:
            await asyncio.gather(*(i.stop(grace=3) for i in instances), return_exceptions=True)

    async def _run_runner(self, name: str, spec: dict[str, Any], folder: Path,
                          urls: list[str]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / STATE_FILE).unlink(missing_ok=True)
        (folder / "spec.json").write_text(json.dumps({**spec, "InstanceUrls": urls}))
        env = serving_environment(self.environment(), {"PYTHONUNBUFFERED": "1"})
        output = ChildLog(folder / "output.log")
        runner = spawn_group([sys.executable, "-m", "jupyter_mlstudio.serving.transform",
                              str(folder)], env=env, cwd=folder, stdout=subprocess.PIPE)
        output.attach(runner, f"transform {name}")
        self._runners[name] = runner
        try:
            while True:
                code = runner.poll()
                state = read_state(folder)
                await asyncio.to_thread(self._update, name, progress=state.get("progress", {}))
                self._bells.ring(name)
                if code is not None:
                    break
                await asyncio.sleep(POLL)
        finally:
            self._runners.pop(name, None)
            if runner.poll() is None:  # cancelled: the runner stops before its log closes
                await asyncio.to_thread(stop_group, runner, 10.0)
            await asyncio.to_thread(output.close)
        status = state.get("status")
        reason: str | None
        if status not in TERMINAL:
            status, reason = "Failed", f"the transform runner exited with code {code}"
        else:
            reason = state.get("failure_reason")
        await self._end(name, status, reason)

    def _update(self, name: str, **fields: Any) -> None:
        with self.db.session() as s:
            job = s.get(TransformJob, name)
            if job is not None:
                for key, value in fields.items():
                    setattr(job, key, value)

    async def _end(self, name: str, status: str, reason: str | None) -> None:
        await asyncio.to_thread(self._finish, name, status, reason)
        self._bells.ring(name)

    def _finish(self, name: str, status: str, reason: str | None) -> None:
        with self.db.session() as s:
            job = s.get(TransformJob, name)
            if job is None or job.status in TERMINAL:
                return
            job.status, job.failure_reason, job.ended_at = status, reason, utcnow()

    async def stop(self, name: str) -> None:
        """``StopTransformJob``: Stopping now, Stopped once the runner and instances end."""
        job = await asyncio.to_thread(self._get, name)
        if job.status in TERMINAL:
            raise ValidationError(f"transform job {name!r} has already ended ({job.status})")
        await asyncio.to_thread(self._update, name, status="Stopping")
        runner = self._runners.get(name)
        if runner is not None:
            await asyncio.to_thread(stop_group, runner, 10.0)  # the runner reports Stopped
        else:
            task = self._tasks.get(name)
            if task is not None:
                task.cancel()
        await asyncio.to_thread(self._finish_stopping, name)
        self._bells.ring(name)

    def _finish_stopping(self, name: str) -> None:
        with self.db.session() as s:
            job = s.get(TransformJob, name)
            if job is not None and job.status == "Stopping":
                job.status, job.ended_at = "Stopped", utcnow()

    # -- reading ----------------------------------------------------------------------
    def _get(self, name: str) -> TransformJob:
        with self.db.session() as s:
            return require(s, TransformJob, name, f"no transform job named {name!r}")

    def describe(self, name: str) -> dict[str, Any]:
        """``DescribeTransformJob`` plus ``Progress``."""
        job = self._get(name)
        reply = {**{k: v for k, v in job.spec.items() if k != "Tags"},
                 "TransformJobArn": arn(self.resources.region, "transform-job", name),
                 "TransformJobStatus": job.status,
                 "CreationTime": iso(job.created_at),
                 "TransformStartTime": iso(job.started_at),
                 "TransformEndTime": iso(job.ended_at),
                 "Progress": job.progress or {}}
        if job.failure_reason:
            reply["FailureReason"] = job.failure_reason
        return reply

    def list(self, filters: ListFilter) -> dict[str, Any]:
        with self.db.session() as s:
            rows, token = list_page(s, TransformJob, filters)
        return {"TransformJobSummaries": [{
            "TransformJobName": r.name,
            "TransformJobArn": arn(self.resources.region, "transform-job", r.name),
            "TransformJobStatus": r.status,
            "CreationTime": iso(r.created_at),
            "TransformEndTime": iso(r.ended_at),
            "Progress": r.progress or {},
            **({"FailureReason": r.failure_reason} if r.failure_reason else {}),
        } for r in rows], "NextToken": token}

    def logs(self, name: str, offset: int) -> dict[str, Any]:
        job = self._get(name)
        text, nxt, at_end = read_page(self.job_dir(name) / "output.log", offset, 256 * 1024)
        return {"text": text, "next_offset": nxt, "complete": job.status in TERMINAL and at_end}

    async def follow_logs(self, name: str, offset: int, timeout: float) -> dict[str, Any]:
        """Like ``logs`` but waits up to ``timeout`` seconds for new text (long poll)."""
        return await long_poll(lambda: self.logs(name, offset), self._bells, name, timeout)

    def timed_logs(self, name: str = "", exact: bool = False) -> builtins.list[JobLogs]:
        """The timed output of each job whose name starts with ``name`` (is ``name`` if
        ``exact``), by instance, in name order: each model-server instance's log, and
        the runner's with the first instance's (SageMaker's data log of it)."""
        with self.db.session() as s:
            rows = list(s.scalars(named(TransformJob, name, exact)))
        found = []
        for row in rows:
            folder = self.job_dir(row.name)
            if not folder.is_dir():
                continue
            ids = instance_ids(row.spec["TransformResources"]["InstanceCount"])
            found.append(JobLogs(row.name, row.created_at, {
                iid: [TimedLines(folder / "instances" / f"{iid}.log")]
                + ([TimedLines(folder / "output.log")] if iid == ids[0] else [])
                for iid in ids}))
        return found

    async def delete(self, name: str) -> None:
        job = await asyncio.to_thread(self._get, name)
        if job.status not in TERMINAL:
            raise ResourceInUse(f"transform job {name!r} is {job.status}: stop it first")

        def remove() -> None:
            with self.db.session() as s:
                s.delete(s.get(TransformJob, name))

        await asyncio.to_thread(remove)


def instance_ids(count: int) -> list[str]:
    """The ids of a job's model-server instances."""
    return [f"instance-{i}" for i in range(1, count + 1)]
