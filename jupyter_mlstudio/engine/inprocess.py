"""The backend of work that runs inside this Jupyter server, as asyncio tasks.

It has the :class:`JobBackend` shape so the engine treats it like any other; its
state names the server process a run belongs to, so after a restart a run of an
earlier process is known to be gone (``poll`` says -1) rather than looked for.
"""
from __future__ import annotations

import asyncio
import uuid
from typing import Any, Awaitable, Callable

from ..backends.base import Availability, JobBackend
from ..sagemaker.statuses import COMPLETED, FAILED, IN_PROGRESS

#: This server process; a state from another one belongs to a run that has gone.
SERVER_RUN = uuid.uuid4().hex


class InProcessBackend(JobBackend):
    """Runs ``work(job_id, spec)``, which returns an outcome ``{"Status": …}``."""

    name = "in-process"

    def __init__(self, work: Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]],
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._work = work
        self._tasks: dict[str, asyncio.Task] = {}

    @classmethod
    def availability(cls) -> Availability:
        return Availability(True, "runs in the Jupyter server")

    def capacity(self) -> int:
        return 1 << 30  # the engine's queues decide

    async def start(self, job_name: str, plan: dict[str, Any],
                    env: dict[str, str]) -> dict[str, Any]:
        self._tasks[job_name] = asyncio.ensure_future(self._work(job_name, plan))
        return {"server": SERVER_RUN, "run": job_name}

    def _task(self, state: dict[str, Any]) -> asyncio.Task | None:
        if state.get("server") != SERVER_RUN:
            return None
        return self._tasks.get(state.get("run", ""))

    async def poll(self, state: dict[str, Any]) -> int | None:
        task = self._task(state)
        if task is None:
            return -1
        if not task.done():
            return None
        return 0 if not task.cancelled() and task.exception() is None else 1

    async def wait(self, state: dict[str, Any], timeout: float) -> None:
        task = self._task(state)
        if task is not None and not task.done():
            await asyncio.wait({task}, timeout=timeout)

    async def status(self, state: dict[str, Any]) -> dict[str, Any]:
        task = self._task(state)
        if task is None:
            return {}
        if not task.done():
            return {"Status": IN_PROGRESS}
        if task.cancelled():
            return {"Status": FAILED, "FailureReason": "its task was cancelled"}
        if task.exception() is not None:
            return {"Status": FAILED, "FailureReason": repr(task.exception())}
        self._tasks.pop(state["run"], None)
        return task.result() or {"Status": COMPLETED}

    async def stop(self, state: dict[str, Any]) -> None:
        task = self._task(state)
        if task is not None:
            task.cancel()

    def running(self) -> list[asyncio.Task]:
        return [t for t in self._tasks.values() if not t.done()]
