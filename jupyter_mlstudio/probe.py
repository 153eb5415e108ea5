"""Health probes that never hold up the caller once they have an answer."""
from __future__ import annotations

import asyncio
import time
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class CachedProbe(Generic[T]):
    """A blocking check run in a thread at most every ``max_age`` seconds.

    Only the first call waits for the check. Later calls get the last answer at once
    and, when it is older than ``max_age``, start a fresh check for the calls after
    them, so a slow store or a busy server never slows the status route down.
    """

    def __init__(self, check: Callable[[], T], max_age: float) -> None:
        self.check = check
        self.max_age = max_age
        self._value: T | None = None
        # Never checked: stale whatever the clock (monotonic time starts at boot).
        self._checked_at = float("-inf")
        self._task: asyncio.Future[T] | None = None

    def _run(self) -> T:
        value = self.check()
        self._value, self._checked_at = value, time.monotonic()
        return value

    def invalidate(self) -> None:
        """Make the next ``get`` start a fresh check (the state it probes has changed)."""
        self._checked_at = float("-inf")

    async def get(self) -> T:
        """The latest answer (waiting only for the very first one)."""
        stale = time.monotonic() - self._checked_at > self.max_age
        task = self._task
        if stale and (task is None or task.done()):
            task = self._task = asyncio.ensure_future(asyncio.to_thread(self._run))
        if self._value is None:
            assert task is not None  # no answer yet: the check is still stale
            return await asyncio.shield(task)
        return self._value
