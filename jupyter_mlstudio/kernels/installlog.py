"""An install's log: bounded in memory, read from an offset, waited on for more."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass
class LogChunk:
    text: str
    offset: int  # where ``text`` starts (may be past the asked offset: the start was dropped)
    next_offset: int  # ask for this offset next
    truncated: bool  # characters between the asked offset and ``offset`` were dropped


class InstallLog:
    """Text appended by a running install; only the last ``max_chars`` characters are kept.

    Offsets count characters from the start of the install and never go back, so a
    reader resumes where it stopped even after the start of the log was dropped.
    """

    def __init__(self, max_chars: int = 1_000_000) -> None:
        self.max_chars = max(1000, max_chars)
        self._text = ""
        self._start = 0  # offset of self._text[0]
        self.closed = False
        self._changed = asyncio.Event()

    @property
    def end(self) -> int:
        return self._start + len(self._text)

    def write(self, text: str) -> None:
        if not text or self.closed:
            return
        self._text += text
        excess = len(self._text) - self.max_chars
        if excess > 0:
            self._text = self._text[excess:]
            self._start += excess
        self._notify()

    def close(self) -> None:
        self.closed = True
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def read(self, offset: int = 0, limit: int = 1_000_000) -> LogChunk:
        offset = max(0, offset)
        begin = max(offset, self._start)
        text = self._text[begin - self._start: begin - self._start + limit]
        return LogChunk(text, begin, begin + len(text), begin > offset)

    async def wait(self, offset: int, timeout: float) -> None:
        """Return when the log goes past ``offset``, is closed, or ``timeout`` passes."""
        if timeout <= 0 or self.end > offset or self.closed:
            return
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except asyncio.TimeoutError:
            pass

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self._text.rstrip("\n").splitlines()[-lines:])
