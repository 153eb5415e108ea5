"""The interface every job backend implements, shaped like JupyterHub's Spawner."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, AsyncGenerator

from traitlets.config import LoggingConfigurable


@dataclass(frozen=True)
class Availability:
    """Whether a backend can run jobs here, and a human explanation."""

    available: bool
    message: str


class JobBackend(LoggingConfigurable):
    """A place where jobs run (this machine, a Ray cluster, the SageMaker service).

    A job is started from a *plan* (the validated spec plus what the backend needs)
    and afterwards known only by the JSON-able *state* ``start`` returned, which the
    service keeps in the database: after a server restart ``poll`` / ``status`` /
    ``stop`` work from the stored state alone, so running jobs are reattached.
    Every method has a bounded duration; none blocks the event loop.
    """

    #: Short name shown in the UI and stored in job records.
    name: str = ""

    @classmethod
    def availability(cls) -> Availability:
        """Whether this backend can be used on this server, checked without side effects."""
        raise NotImplementedError

    async def start(
        self, job_name: str, plan: dict[str, Any], env: dict[str, str]
    ) -> dict[str, Any]:
        """Start the job with ``env`` added to its environment (the S3 connection: never
        written to disk or the database); return the state needed to find it again."""
        raise NotImplementedError

    async def poll(self, state: dict[str, Any]) -> int | None:
        """None while the job's process runs, else its exit code (-1 if unknown)."""
        raise NotImplementedError

    async def wait(self, state: dict[str, Any], timeout: float) -> None:
        """Return when the job's process exits or ``timeout`` passes, whichever is first."""
        await asyncio.sleep(timeout)

    async def status(self, state: dict[str, Any]) -> dict[str, Any]:
        """The job's own report: DescribeTrainingJob fields it knows (status, transitions,
        failure reason, artifacts)."""
        raise NotImplementedError

    async def progress(self, state: dict[str, Any], interval: float
                       ) -> AsyncGenerator[tuple[int | None, dict[str, Any]], None]:
        """The job's reports as it runs, as JupyterHub's ``Spawner.progress()`` streams a
        start: ``(None, report)`` at least every ``interval`` s (sooner when its process
        ends), then ``(exit code, last report)`` once the process has exited."""
        while True:
            code = await self.poll(state)
            yield code, await self.status(state)
            if code is not None:
                return
            await self.wait(state, interval)

    async def stop(self, state: dict[str, Any]) -> None:
        """Ask the job to stop; it reports Stopped through ``status`` when it has."""
        raise NotImplementedError

    def log_path(self, state: dict[str, Any]) -> Any:
        """Where the job's log can be read from this server (a Path), if anywhere."""
        return None

    def metrics_path(self, state: dict[str, Any]) -> Any:
        return None

    def capacity(self) -> int:
        """How many jobs may run at once."""
        return 1

    async def remove(self, state: dict[str, Any]) -> None:
        """Delete what the job left on the backend (its folder); it has ended."""
