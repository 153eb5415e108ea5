"""Keeps the embedded store running: notices its exit at once and restarts it.

The store is one ``weed`` process; if it dies (a crash, the OOM killer, a stray
``kill``), every S3 call of the server, its kernels and its jobs fails. The
supervisor waits on the process's exit (a pidfd, so without polling), records why
it ended, and starts it again on the same ports — the endpoint kernels and jobs
were given stays valid — with a growing pause between attempts.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from typing import Callable

from .embedded import EmbeddedS3Error, EmbeddedS3Server

log = logging.getLogger(__name__)

_FIRST_BACKOFF = 1.0
_MAX_BACKOFF = 30.0
# A store that served this long before dying is restarted without delay again.
_STABLE_AFTER = 60.0


@dataclass
class SupervisorState:
    """What the status reports about the store's process."""

    restarts: int = 0
    last_exit: str | None = None
    last_exit_at: float | None = None
    restarting: bool = False
    last_error: str | None = None


class StoreSupervisor:
    """Restarts ``store`` whenever its process exits, until ``close``."""

    def __init__(
        self,
        store: EmbeddedS3Server,
        *,
        on_restart: Callable[[bool], None] | None = None,
        ready_timeout: float = 30.0,
    ) -> None:
        self.store = store
        # Called after each restart with whether the store had to take other ports.
        self.on_restart = on_restart
        self.ready_timeout = ready_timeout
        self.state = SupervisorState()
        self._task: asyncio.Future | None = None
        self._closed = False

    def start(self) -> None:
        """Begin watching (the store must have been started)."""
        if self._task is None and not self._closed:
            self._task = asyncio.ensure_future(self._watch())

    def close(self) -> None:
        """Stop watching, before the caller stops the store itself."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def describe(self) -> str | None:
        """A sentence on the process's trouble, or None when it has had none."""
        st = self.state
        if st.last_exit is None:
            return None
        when = time.strftime("%H:%M:%S", time.localtime(st.last_exit_at or 0))
        text = f"store process {st.last_exit} at {when}"
        if st.restarting:
            text += f"; restarting (attempt {st.restarts + 1})"
            if st.last_error:
                text += f", last attempt failed: {st.last_error}"
        else:
            text += f"; restarted ({st.restarts} restart{'s' if st.restarts != 1 else ''})"
        return text

    async def _watch(self) -> None:
        backoff = _FIRST_BACKOFF
        while True:
            started = time.monotonic()
            await self._wait_exit()
            self.state.last_exit = self.store.exit_description() or "exited"
            self.state.last_exit_at = time.time()
            self.state.restarting = True
            log.error("embedded S3 store %s; restarting it", self.state.last_exit)
            if time.monotonic() - started > _STABLE_AFTER:
                backoff = _FIRST_BACKOFF
            while True:
                try:
                    moved = await asyncio.to_thread(self._restart)
                    break
                except (EmbeddedS3Error, OSError) as err:
                    self.state.last_error = str(err).splitlines()[0]
                    log.error("embedded S3 store did not restart: %s; retrying in %.0f s",
                              err, backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, _MAX_BACKOFF)
            self.state.restarts += 1
            self.state.restarting = False
            self.state.last_error = None
            log.info("embedded S3 store restarted on %s", self.store.endpoint_url)
            if self.on_restart is not None:
                self.on_restart(moved)

    def _restart(self) -> bool:
        if self._closed:
            raise asyncio.CancelledError
        self.store.stop(grace=2.0)  # reap it and sweep anything left in its group
        self.store.spawn()
        return self.store.wait_until_serving(self.ready_timeout)

    async def _wait_exit(self) -> None:
        """Return when the store's process has exited."""
        pid = self.store.pid
        if pid is None:
            return
        try:
            fd = os.pidfd_open(pid)
        except OSError:  # no pidfd (old kernel): look once a second
            while self.store.is_running():
                await asyncio.sleep(1.0)
            return
        loop = asyncio.get_running_loop()
        exited = loop.create_future()

        def wake() -> None:
            if not exited.done():
                exited.set_result(None)

        loop.add_reader(fd, wake)
        try:
            if self.store.is_running():
                await exited
        finally:
            loop.remove_reader(fd)
            os.close(fd)
