"""Job and model-server logs: written line by line with a time per line, read back as text
from an offset (the REST log routes) or as timed lines of one stream (CloudWatch Logs).

The log itself stays plain text, byte for byte what it always was; the time of each
line is kept beside it, in an index per stream: ``<log>.idx`` for a log with one stream,
``<log>.<stream>.idx`` (``output.log.algo-2.idx``) where several hosts share one file.
An index is a run of fixed-size records, one per line: the byte offset in the log where
the line's message starts and its time in epoch milliseconds.

Why a sidecar index rather than times inside the log or a database table:

* readers of the log (the REST routes' offset-based chunks and long polls, the front
  end, ``failure_reason``'s tail) see the same bytes as before: nothing changes for them;
* record *n* is line *n* of the stream: a CloudWatch token is a record number and
  reading a page from it is one seek; times never go backwards within an index (the
  writer keeps its clock monotonic), so a ``startTime`` is found by binary search. A
  page costs O(page + log n) however long the log is;
* a multi-host job keeps writing one file with ``[algo-N]`` prefixes (what the REST log
  shows); each host's index points past the prefix, so the per-host streams need no
  parsing and a script printing ``[algo-2]`` cannot fool them;
* the runner, which outlives a restart of the Jupyter server, writes it without the
  server or its database; a line is flushed before its record, so a reader that finds
  a record finds the whole line.

An empty line gets no record (CloudWatch has no empty events). A log written before
indexes existed still reads as one stream, every line at the file's modification time.
"""
from __future__ import annotations

import os
import struct
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

#: One index record: the offset of the line's message in the log, its time (epoch ms).
RECORD = struct.Struct("<Qq")
MAX_LINE = 1024 * 1024  # a longer run of output without a newline is logged in pieces
MAX_MESSAGE = 256 * 1024  # longer lines are cut when read back as timed lines
LOG_PAGE = 256 * 1024  # bytes of a log the log routes return per page


def index_path(log: Path, stream: str = "") -> Path:
    """Where the times of ``stream``'s lines in ``log`` are kept."""
    return log.with_name(f"{log.name}.{stream}.idx" if stream else f"{log.name}.idx")


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class TimedLog:
    """Appends lines to a log file and, for each, a record to its stream's index.

    Thread-safe; times are non-decreasing across every stream of the log."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = open(path, "ab")  # noqa: SIM115 - kept open while lines come
        self.size = os.fstat(self._file.fileno()).st_size
        self._indexes: dict[str, IO[bytes]] = {}
        self._last = 0
        self._lock = threading.Lock()

    def _index(self, stream: str) -> IO[bytes]:
        index = self._indexes.get(stream)
        if index is None:
            path = index_path(self.path, stream)
            index = self._indexes[stream] = open(path, "ab")  # noqa: SIM115
            size = os.fstat(index.fileno()).st_size
            whole = size - size % RECORD.size
            if whole != size:  # a record cut short by a crash
                index.truncate(whole)
            if whole:
                self._last = max(self._last, _record_at(path, whole // RECORD.size - 1)[1])
        return index

    def stamp(self) -> int:
        """The time of a line written now (never before an earlier line's)."""
        with self._lock:
            self._last = max(now_ms(), self._last)
            return self._last

    def write(self, message: str, stream: str = "", prefix: str = "",
              at: int | None = None) -> int:
        """Append the line ``prefix + message`` (one line: no newline inside) as
        ``stream``'s; ``at`` is its time if it was taken earlier (see :meth:`stamp`).
        Returns the line's time."""
        head = prefix.encode("utf-8", "replace")
        body = message.encode("utf-8", "replace")
        with self._lock:
            index = self._index(stream)
            self._last = max(now_ms() if at is None else at, self._last)
            self._file.write(head + body + b"\n")
            self._file.flush()
            if body:
                index.write(RECORD.pack(self.size + len(head), self._last))
                index.flush()
            self.size += len(head) + len(body) + 1
            return self._last

    def close(self) -> None:
        with self._lock:
            for index in self._indexes.values():
                index.close()
            self._file.close()


class CappedLog:
    """Appends lines up to ``max_bytes``; past that counts what it drops, keeps a tail,
    and writes the tail with a notice when closed, so the end of a huge log (where the
    traceback is) is never lost. Every line keeps the time it was written (or dropped)
    at; the notice goes to ``stream``, the log's main stream."""

    def __init__(self, path: Path, max_bytes: int, tail_lines: int = 200,
                 stream: str = "") -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.stream = stream
        self._log = TimedLog(path)
        self.written = self._log.size
        self.dropped = 0
        # (stream, prefix, message, time) of the lines past the cap
        self._tail: deque[tuple[str, str, str, int]] = deque(maxlen=tail_lines)

    def write(self, line: str, stream: str | None = None, prefix: str = "") -> None:
        line = line[:-1] if line.endswith("\n") else line
        stream = self.stream if stream is None else stream
        size = len((prefix + line).encode("utf-8", "replace")) + 1
        if self.written + size <= self.max_bytes:
            self._log.write(line, stream, prefix)
            self.written += size
        else:
            self.dropped += size
            self._tail.append((stream, prefix, line, self._log.stamp()))

    def tail(self, lines: int = 30) -> list[str]:
        """The last lines written or dropped."""
        if self._tail:
            return [f"{prefix}{line}\n" for _, prefix, line, _ in list(self._tail)[-lines:]]
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
        return text.splitlines(keepends=True)[-lines:]

    def close(self) -> None:
        if self.dropped:
            first = self._tail[0][3] if self._tail else None
            self._log.write(f"[log capped at {self.max_bytes} bytes: {self.dropped} bytes "
                            f"dropped; the last {len(self._tail)} lines follow]",
                            self.stream, at=first)
            for stream, prefix, line, at in self._tail:
                self._log.write(line, stream, prefix, at=at)
        self._log.close()


class LineBuffer:
    """Bytes of a process's output in, whole lines out (without their newlines); a run
    longer than ``max_line`` without a newline comes out in pieces."""

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self.max_line = max_line
        self._partial = b""

    def feed(self, chunk: bytes) -> list[bytes]:
        *lines, self._partial = (self._partial + chunk).split(b"\n")
        if len(self._partial) > self.max_line:
            lines.append(self._partial)
            self._partial = b""
        return lines

    def close(self) -> list[bytes]:
        """What is left once the output has ended."""
        rest, self._partial = self._partial, b""
        return [rest] if rest else []


def pump_lines(pipe: IO[bytes], log: TimedLog | CappedLog, name: str) -> threading.Thread:
    """Copy a child's output from ``pipe`` to ``log`` line by line (each line timed as it
    arrives), in a thread that ends when the output does; ``pipe`` is closed then."""

    def run() -> None:
        buffer = LineBuffer()
        try:
            while chunk := pipe.read1(65536):  # type: ignore[attr-defined]
                for raw in buffer.feed(chunk):
                    log.write(raw.decode("utf-8", "replace"))
            for raw in buffer.close():
                log.write(raw.decode("utf-8", "replace"))
        except (OSError, ValueError):  # the log was closed under us: the child is gone
            pass
        finally:
            pipe.close()

    thread = threading.Thread(target=run, name=f"log {name}", daemon=True)
    thread.start()
    return thread


class ChildLog:
    """A child process's output, timed line by line into a log file.

    ``attach`` the child (started with ``stdout=PIPE``); ``close`` once it has ended
    waits for the last lines and closes the log. The same log takes the next child
    (a restarted instance appends to its log). With ``max_bytes`` the log is capped as
    :class:`CappedLog` caps it (its tail written when it is closed)."""

    def __init__(self, path: Path, max_bytes: int | None = None) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._log: TimedLog | CappedLog | None = None
        self._pump: threading.Thread | None = None

    def _open(self) -> TimedLog | CappedLog:
        return CappedLog(self.path, self.max_bytes) if self.max_bytes else TimedLog(self.path)

    def attach(self, proc: subprocess.Popen, name: str) -> None:
        if self._log is None:
            self._log = self._open()
        assert proc.stdout is not None  # started with its output piped
        self._pump = pump_lines(proc.stdout, self._log, name)

    def write(self, line: str) -> None:
        """A line of the server's own about the next child, timed like the child's; call
        it before ``attach``."""
        if self._log is None:
            self._log = self._open()
        self._log.write(line)

    def close(self, timeout: float = 5.0) -> None:
        """Wait (up to ``timeout`` s) for the ended child's last lines; close the log."""
        pump, self._pump = self._pump, None
        if pump is not None:
            pump.join(timeout)
        log, self._log = self._log, None
        if log is not None:
            log.close()


def _record_at(path: Path, n: int) -> tuple[int, int]:
    with open(path, "rb") as f:
        f.seek(n * RECORD.size)
        return RECORD.unpack(f.read(RECORD.size))


class TimedLines:
    """The timed lines of one stream of a log, read back through its index.

    ``unindexed``: this stream owns the lines of a log that has no index at all (one
    written before indexes existed): each line is then a record at the file's time.
    """

    def __init__(self, log: Path, stream: str = "", unindexed: bool = False) -> None:
        self.log = log
        self.stream = stream
        self.index = index_path(log, stream)
        self._memory: list[tuple[int, int]] | None = None
        if unindexed and not self.index.exists() and not any(
                log.parent.glob(f"{log.name}*.idx")) and log.is_file():
            self._memory = _unindexed_records(log)

    def exists(self) -> bool:
        return self.log.is_file()

    def __len__(self) -> int:
        if self._memory is not None:
            return len(self._memory)
        try:
            return self.index.stat().st_size // RECORD.size
        except OSError:
            return 0

    def records(self, start: int, stop: int) -> list[tuple[int, int]]:
        """Records ``start`` to ``stop`` (exclusive): (message offset, time in ms)."""
        start, stop = max(start, 0), min(stop, len(self))
        if start >= stop:
            return []
        if self._memory is not None:
            return self._memory[start:stop]
        with open(self.index, "rb") as f:
            f.seek(start * RECORD.size)
            data = f.read((stop - start) * RECORD.size)
        return list(RECORD.iter_unpack(data[:len(data) - len(data) % RECORD.size]))

    def time_at(self, n: int) -> int:
        return self.records(n, n + 1)[0][1]

    def bisect(self, ms: int) -> int:
        """The number of the first record at ``ms`` or later (``len`` if none)."""
        low, high = 0, len(self)
        while low < high:
            mid = (low + high) // 2
            if self.time_at(mid) < ms:
                low = mid + 1
            else:
                high = mid
        return low

    def messages(self, records: list[tuple[int, int]]) -> list[str]:
        """The text of each record's line (without its newline, cut at MAX_MESSAGE)."""
        out = []
        with open(self.log, "rb") as f:
            for offset, _ in records:
                f.seek(offset)
                out.append(f.readline(MAX_MESSAGE).rstrip(b"\n").decode("utf-8", "replace"))
        return out


@dataclass(frozen=True)
class JobLogs:
    """A job's timed output, by host (or instance): each one's lines, from one or more
    logs (an instance's own, and the job runner's beside it)."""

    name: str
    created: datetime
    hosts: dict[str, list[TimedLines]]


def _unindexed_records(log: Path) -> list[tuple[int, int]]:
    stamp = int(log.stat().st_mtime * 1000)
    records, offset = [], 0
    with open(log, "rb") as f:
        for line in f:
            if line.strip(b"\n"):
                records.append((offset, stamp))
            offset += len(line)
    return records


def read_page(path: Path, offset: int, limit: int) -> tuple[str, int, bool]:
    """``read_from``, and whether the page reaches the end of the file as it is now (a
    finished job's log is complete once a page reaches its end)."""
    text, next_offset = read_from(path, offset, limit)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        size = 0
    return text, next_offset, next_offset >= size


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
