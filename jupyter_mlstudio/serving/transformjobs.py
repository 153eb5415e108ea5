"""Batch transform jobs: instances of the model plus a runner that streams S3 through them.

A transform job is a job of the engine (kind ``transform``, id ``transform:<name>``),
run in the server: it starts ``TransformResources.InstanceCount`` model-server
instances, then the runner (``python -m jupyter_mlstudio.serving.transform JOB_DIR``),
which reads every input object, sends records to the instances and writes
``<input>.out`` objects, reporting progress in ``state.json``; its output goes to
``output.log``, each line timed as it comes (see :mod:`..engine.joblog`). The
instances stop when the runner ends. Jobs wait for ``c.JobEngine.capacity['transform']``
(default 4) to run at once; a job cut off by a server restart ends Failed with that
reason, and jobs still waiting then start.
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

from ..db import Database
from ..db.models import Job
from ..engine.context import JobContext, JobFailed
from ..engine.engine import JobEngine, JobExists, JobNotFound
from ..engine.follow import long_poll
from ..engine.joblog import LOG_PAGE, ChildLog, JobLogs, TimedLines, read_page
from ..engine.kinds import JobKind
from ..engine.statefile import STATE_FILE, read_state
from ..process import spawn_group, stop_group
from ..sagemaker.arns import arn
from ..sagemaker.errors import ResourceInUse, ResourceNotFound, ValidationError
from ..sagemaker.paging import ListFilter, list_page
from ..sagemaker.rows import named
from ..sagemaker.statuses import COMPLETED, IN_PROGRESS, TERMINAL
from ..sagemaker.times import iso
from .artifacts import ArtifactError, fetch_model
from .environment import serving_environment
from .instances import Instance, InstanceFailed, InstanceOptions
from .resources import Resources
from .specs import validate_transform_job

log = logging.getLogger(__name__)
KIND = "transform"
POLL = 0.5


def job_id(name: str) -> str:
    """The engine's id of the transform job ``name``."""
    return f"{KIND}:{name}"


class TransformJobs:
    """Create, run, stop and describe transform jobs."""

    def __init__(self, db: Database, engine: JobEngine, resources: Resources, folder: Path,
                 s3_client: Callable, environment: Callable[[], dict[str, str]],
                 instance_options: Callable[[dict[str, Any]], InstanceOptions]) -> None:
        self.db = db
        self.engine = engine
        self.resources = resources
        self.folder = folder
        self.s3_client = s3_client
        self.environment = environment
        self.instance_options = instance_options
        engine.register(JobKind(KIND, self._run, capacity=4, waiting_status=IN_PROGRESS,
                                pruned=False))

    def job_dir(self, name: str) -> Path:
        return self.folder / "transform-jobs" / name

    # -- create and run ---------------------------------------------------------------
    async def create(self, body: dict[str, Any], max_instances: int) -> dict[str, Any]:
        """``CreateTransformJob``: recorded InProgress at once, run when there is room."""
        spec = validate_transform_job(body, max_instances)
        name = spec["TransformJobName"]
        await asyncio.to_thread(self.resources.model, spec["ModelName"])
        try:
            await self.engine.submit(KIND, name, spec, job_id=job_id(name))
        except JobExists:
            raise ResourceInUse(f"a transform job named {name!r} already exists") from None
        return {"TransformJobArn": arn(self.resources.region, "transform-job", name)}

    async def settle(self, name: str, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the job to end; the wait stops nothing."""
        await self.engine.settle(KIND, job_id(name), timeout)

    async def _run(self, job: JobContext) -> str:
        spec, name = job.spec, job.name
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
            results = await asyncio.gather(*(i.start() for i in instances),
                                           return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException):
                    raise result
            return await self._run_runner(job, folder, [i.url for i in instances])
        except (ArtifactError, InstanceFailed, ResourceNotFound, ValidationError,
                OSError) as err:
            raise JobFailed(getattr(err, "message", None) or str(err)) from None
        finally:
            await asyncio.gather(*(i.stop(grace=3) for i in instances), return_exceptions=True)

    async def _run_runner(self, job: JobContext, folder: Path, urls: list[str]) -> str:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / STATE_FILE).unlink(missing_ok=True)
        (folder / "spec.json").write_text(json.dumps({**job.spec, "InstanceUrls": urls}))
        env = serving_environment(self.environment(), {"PYTHONUNBUFFERED": "1"})
        output = ChildLog(folder / "output.log", self.engine.max_log_bytes)
        runner = spawn_group([sys.executable, "-m", "jupyter_mlstudio.serving.transform",
                              str(folder)], env=env, cwd=folder, stdout=subprocess.PIPE)
        output.attach(runner, f"transform {job.name}")
        try:
            while True:
                code = runner.poll()
                state = read_state(folder)
                job.report(**state.get("progress", {}))
                if code is not None:
                    break
                await asyncio.sleep(POLL)
        finally:
            if runner.poll() is None:  # stopped: the runner stops before its log closes
                await asyncio.to_thread(stop_group, runner, 10.0)
            await asyncio.to_thread(output.close)
        status = state.get("status")
        if status == COMPLETED:
            return "transform job completed"
        if status in TERMINAL:
            raise JobFailed(state.get("failure_reason") or f"the transform runner {status}")
        raise JobFailed(f"the transform runner exited with code {code}")

    async def stop(self, name: str) -> None:
        """``StopTransformJob``: Stopping now, Stopped once the runner and instances end."""
        job = await asyncio.to_thread(self._get, name)
        if job.status in TERMINAL:
            raise ValidationError(f"transform job {name!r} has already ended ({job.status})")
        await self.engine.stop(KIND, job.id)

    # -- reading ----------------------------------------------------------------------
    def _get(self, name: str) -> Job:
        try:
            return self.engine.record(KIND, job_id(name))
        except JobNotFound:
            raise ResourceNotFound(f"no transform job named {name!r}") from None

    def describe(self, name: str) -> dict[str, Any]:
        """``DescribeTransformJob`` plus ``Progress``."""
        job = self.engine.get(KIND, self._get(name).id)
        reply = {**{k: v for k, v in job["spec"].items() if k != "Tags"},
                 "TransformJobArn": arn(self.resources.region, "transform-job", name),
                 "TransformJobStatus": job["status"],
                 "CreationTime": job["created"],
                 "TransformStartTime": job["started"],
                 "TransformEndTime": job["ended"],
                 "Progress": job["progress"] or {}}
        if job["failure_reason"]:
            reply["FailureReason"] = job["failure_reason"]
        return reply

    def list(self, filters: ListFilter) -> dict[str, Any]:
        with self.db.session() as s:
            rows, token = list_page(s, Job, filters, Job.kind == KIND)
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
        text, nxt, at_end = read_page(self.job_dir(name) / "output.log", offset, LOG_PAGE)
        return {"text": text, "next_offset": nxt, "complete": job.status in TERMINAL and at_end}

    async def follow_logs(self, name: str, offset: int, timeout: float) -> dict[str, Any]:
        """Like ``logs`` but waits up to ``timeout`` seconds for new text (long poll)."""
        return await long_poll(lambda: self.logs(name, offset), self.engine.bells,
                               job_id(name), timeout)

    def timed_logs(self, name: str = "", exact: bool = False) -> builtins.list[JobLogs]:
        """The timed output of each job whose name starts with ``name`` (is ``name`` if
        ``exact``), by instance, in name order: each model-server instance's log, and
        the runner's with the first instance's (SageMaker's data log of it)."""
        with self.db.session() as s:
            rows = list(s.scalars(named(Job, name, exact, Job.kind == KIND)))
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
                row = s.get(Job, job.id)
                if row is not None:
                    s.delete(row)

        await asyncio.to_thread(remove)


def instance_ids(count: int) -> list[str]:
    """The ids of a job's model-server instances."""
    return [f"instance-{i}" for i in range(1, count + 1)]
