"""Wake-ups for readers waiting on a job: its log grew, its progress moved, it ended."""
from __future__ import annotations

import asyncio
import weakref


class Bells:
    """One bell per job. A reader takes a :meth:`ticket` *before* it looks at the job and
    waits on it after; a :meth:`ring` in between is not lost (the ticket is already
    punched), so a reader never sleeps through a job's end."""

    def __init__(self) -> None:
        # only readers holding a ticket keep its event alive
        self._events: weakref.WeakValueDictionary[str, asyncio.Event] = \
            weakref.WeakValueDictionary()

    def ticket(self, key: str) -> asyncio.Event:
        event = self._events.get(key)
        if event is None:
            event = self._events[key] = asyncio.Event()
        return event

    def ring(self, key: str) -> None:
        event = self._events.pop(key, None)
        if event is not None:
            event.set()

    @staticmethod
    async def wait(ticket: asyncio.Event, timeout: float) -> None:
        """Return once ``ticket``'s bell has rung (perhaps already) or after ``timeout`` s."""
        if timeout <= 0 or ticket.is_set():
            return
        try:
            await asyncio.wait_for(ticket.wait(), timeout)
        except asyncio.TimeoutError:
            pass

    @staticmethod
    async def wait_any(tickets: list[asyncio.Event], timeout: float) -> None:
        """Return once any of ``tickets``' bells has rung or after ``timeout`` s."""
        if timeout <= 0 or any(t.is_set() for t in tickets):
            return
        if not tickets:
            await asyncio.sleep(timeout)
            return
        waiters = [asyncio.ensure_future(t.wait()) for t in tickets]
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
