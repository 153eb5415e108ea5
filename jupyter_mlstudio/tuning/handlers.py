"""REST routes of hyperparameter tuning jobs under ``/mlstudio/api/tuning-jobs``."""
from __future__ import annotations

from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..handlers.base import API_PREFIX, AUTH_RESOURCES, MLStudioHandler
from .service import TuningService

_NAME = r"(?P<name>[a-zA-Z0-9-]{1,32})"


class TuningHandler(MLStudioHandler):
    auth_resource = AUTH_RESOURCES["tuning"]

    @property
    def tuning(self) -> TuningService:
        return self.mlstudio.tuning_service


class TuningJobsHandler(TuningHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        """``ListHyperParameterTuningJobs``."""
        self.write_json(await self.in_thread(self.tuning.list, self.list_filter()))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        """``CreateHyperParameterTuningJob``."""
        self.write_json(await self.tuning.create(self.json_body()), status=201)


class TuningJobHandler(TuningHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        """``DescribeHyperParameterTuningJob``."""
        self.write_json(await self.in_thread(self.tuning.describe, name))


class StopHandler(TuningHandler):
    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        """``StopHyperParameterTuningJob``."""
        await self.tuning.stop(name)
        self.write_json({})


class TrainingJobsHandler(TuningHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        """``ListTrainingJobsForHyperParameterTuningJob``."""
        params: dict[str, Any] = {n: self.get_argument(n, "") for n in
                                  ("StatusEquals", "SortBy", "SortOrder", "NextToken")}
        params["MaxResults"] = self.int_argument("MaxResults", 50, low=1)
        filters = self.tuning.trial_filter(params)
        self.write_json(await self.in_thread(self.tuning.training_jobs, name, filters))


class LogHandler(TuningHandler):
    """The tuning job's log from ``offset``; with ``follow=1`` waits up to ``timeout`` s."""

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        offset = self.int_argument("offset", 0, low=0)
        timeout = self.int_argument("timeout", 20, low=0, high=60)
        self.write_json(await self.tuning.log(name, offset, self.bool_argument("follow"),
                                              timeout))


class CurvesHandler(TuningHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        """Each training job's objective metric by step."""
        self.write_json(await self.in_thread(self.tuning.curves, name))


def tuning_handlers() -> list[tuple]:
    base = rf"{API_PREFIX}/tuning-jobs"
    return [
        (base, TuningJobsHandler),
        (rf"{base}/{_NAME}", TuningJobHandler),
        (rf"{base}/{_NAME}/stop", StopHandler),
        (rf"{base}/{_NAME}/training-jobs", TrainingJobsHandler),
        (rf"{base}/{_NAME}/curves", CurvesHandler),
        (rf"{base}/{_NAME}/log", LogHandler),
    ]
