"""A job's log file: written size-capped, read in chunks from an offset."""
from __future__ import annotations

from collections import deque
from pathlib import Path


class CappedLog:
    """Appends lines up to ``max_bytes``; past that counts what it drops, keeps a tail,
    and writes the tail with a notice when closed, so the end of a huge log (where the
    traceback is) is never lost."""

    def __init__(self, path: Path, max_bytes: int, tail_lines: int = 200) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.written = path.stat().st_size if path.exists() else 0
        self.dropped = 0
        self._tail: deque[str] = deque(maxlen=tail_lines)
        self._file = open(path, "a", encoding="utf-8", errors="replace")  # noqa: SIM115

    def write(self, line: str) -> None:
        if not line.endswith("\n"):
            line += "\n"
        size = len(line.encode("utf-8", "replace"))
        if self.written + size <= self.max_bytes:
            self._file.write(line)
            self._file.flush()
            self.written += size
        else:
            self.dropped += size
            self._tail.append(line)

    def tail(self, lines: int = 30) -> list[str]:
        """The last lines written or dropped."""
        if self._tail:
            return list(self._tail)[-lines:]
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
        return text.splitlines(keepends=True)[-lines:]

    def close(self) -> None:
        if self.dropped:
            self._file.write(f"[log capped at {self.max_bytes} bytes: {self.dropped} bytes "
                             f"dropped; the last {len(self._tail)} lines follow]\n")
            self._file.writelines(self._tail)
        self._file.close()


def read_from(path: Path, offset: int, limit: int) -> tuple[str, int]:
    """Up to ``limit`` bytes of ``path`` from ``offset``, cut at a line end when possible."""
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read(limit)
    except FileNotFoundError:
        return "", offset
    if len(data) == limit and b"\n" in data:
        data = data[: data.rindex(b"\n") + 1]
    return data.decode("utf-8", "replace"), offset + len(data)
