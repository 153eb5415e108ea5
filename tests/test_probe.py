"""CachedProbe: the first call waits; later calls answer at once and refresh behind."""
from __future__ import annotations

import asyncio
import threading
import time

from jupyter_mlstudio.probe import CachedProbe
from tests.procs import eventually


def test_only_the_first_call_waits_and_stale_answers_refresh_in_the_background():
    answers = iter(["first", "second"])
    release = threading.Event()
    calls = []

    def check() -> str:
        calls.append(time.monotonic())
        if len(calls) == 2:
            release.wait(30)  # a slow second check, until the test lets it end
        return next(answers)

    async def scenario() -> None:
        probe = CachedProbe(check, max_age=0.05)
        assert await probe.get() == "first"
        assert await probe.get() == "first" and len(calls) == 1  # fresh: no new check
        await asyncio.sleep(0.1)  # older than max_age now
        # Stale: answered with the old value while the new check cannot have ended.
        assert await probe.get() == "first"
        await eventually(lambda: len(calls) == 2, 10)  # the refresh started behind
        assert await probe.get() == "first"  # the slow check is still running: no third
        assert not release.is_set() and len(calls) == 2
        release.set()

        async def refreshed():
            return await probe.get() == "second"

        await eventually(refreshed, 10, interval=0.02)
        assert len(calls) == 2

    asyncio.run(scenario())
