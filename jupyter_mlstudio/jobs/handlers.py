"""REST routes of training jobs under ``/mlstudio/api/training-jobs``."""
from __future__ import annotations


from jupyter_server.auth.decorator import authorized
from tornado import web

from ..handlers.base import AUTH_RESOURCES, API_PREFIX, MLStudioHandler
from .service import TrainingService

_NAME = r"(?P<name>[a-zA-Z0-9-]{1,63})"


class TrainingHandler(MLStudioHandler):
    auth_resource = AUTH_RESOURCES["training"]

    @property
    def training(self) -> TrainingService:
        return self.mlstudio.training_service


class TrainingJobsHandler(TrainingHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        """``ListTrainingJobs``."""
        self.write_json(await self.in_thread(self.training.list, self.list_filter()))

    @web.authenticated
    @authorized
    async def post(self) -> None:
        """``CreateTrainingJob``."""
        self.write_json(await self.training.create(self.json_body()), status=201)


class TrainingJobHandler(TrainingHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        """``DescribeTrainingJob``."""
        self.write_json(await self.in_thread(self.training.describe, name))

    @web.authenticated
    @authorized
    async def delete(self, name: str) -> None:
        await self.training.delete(name)
        self.set_status(204)
        self.finish()


class StopHandler(TrainingHandler):
    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        """``StopTrainingJob``."""
        await self.training.stop(name)
        self.write_json({})


class LogsHandler(TrainingHandler):
    """The log from ``offset``; with ``follow=1`` waits up to ``timeout`` s for new text."""

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        offset = self.int_argument("offset", 0, low=0)
        if self.bool_argument("follow"):
            timeout = min(self.int_argument("timeout", 20, low=0), 60)
            self.write_json(await self.training.follow_logs(name, offset, timeout))
        else:
            self.write_json(await self.in_thread(self.training.logs, name, offset))


class MetricsHandler(TrainingHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        after = self.int_argument("after", 0, low=0)
        self.write_json(await self.in_thread(self.training.metrics, name, after))


def training_handlers() -> list[tuple]:
    base = rf"{API_PREFIX}/training-jobs"
    return [
        (base, TrainingJobsHandler),
        (rf"{base}/{_NAME}", TrainingJobHandler),
        (rf"{base}/{_NAME}/stop", StopHandler),
        (rf"{base}/{_NAME}/logs", LogsHandler),
        (rf"{base}/{_NAME}/metrics", MetricsHandler),
    ]
