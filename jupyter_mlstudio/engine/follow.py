"""Long-polling a job's log: the one way every log route waits for more."""
from __future__ import annotations

import asyncio
from typing import Any, Callable

from .bells import Bells


async def long_poll(read: Callable[[], dict[str, Any]], bells: Bells, key: str,
                    timeout: float) -> dict[str, Any]:
    """``read()``, a log page with ``text`` and ``complete``, once it has text or the job
    has ended; until then read again at each ring of ``key``'s bell, for up to ``timeout``
    seconds. ``read`` blocks (files, the database), so it runs in a thread."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        ticket = bells.ticket(key)
        page = await asyncio.to_thread(read)
        remaining = deadline - loop.time()
        if page["text"] or page["complete"] or remaining <= 0:
            return page
        await bells.wait(ticket, remaining)
