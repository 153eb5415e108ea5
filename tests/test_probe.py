"""CachedProbe: the first call waits; later calls answer at once and refresh behind."""
from __future__ import annotations

import asyncio
import threading
import time

from jupyter_mlstudio.probe import CachedProbe


def test_only_the_first_call_waits_and_stale_answers_refresh_in_the_background():
    answers = iter(["first", "second"])
    release = threading.Event()
    calls = []

    def check() -> str:
        calls.append(time.monotonic())
        if len(calls) == 2:
            release.wait(5)  # a slow second check
        return next(answers)

    async def scenario() -> None:
        probe = CachedProbe(check, max_age=0.05)
        assert await probe.get() == "first"
        assert await probe.get() == "first" and len(calls) == 1  # fresh: no new check
        await asyncio.sleep(0.1)
        t0 = time.monotonic()
        assert await probe.get() == "first"  # stale: answered at once, check started
        assert time.monotonic() - t0 < 0.5
        await asyncio.sleep(0.05)
        assert len(calls) == 2
        assert await probe.get() == "first"  # the slow check is still running: no third
        release.set()
        for _ in range(100):
            if await probe.get() == "second":
                break
            await asyncio.sleep(0.02)
        assert await probe.get() == "second" and len(calls) == 2

    asyncio.run(scenario())
