"""A job's metrics: ``MetricDefinitions`` checked against SageMaker's limits, and matched
against log lines with RE2 (linear time), in a thread apart from the runner's loop.

Python's ``re`` backtracks: ``(a+)+$`` against a long line of ``a`` runs for ages
holding the interpreter, so a job could outlive its stop and its time limit. RE2
matches in time linear in the line, refuses what needs backtracking
(backreferences, lookaround) when the job is created, and the worker thread plus a
cap on the characters matched per line keep the runner free to stop at any time.
"""
from __future__ import annotations

import json
import math
import queue
import threading
import time
from pathlib import Path
from typing import Any

import re2

from ..sagemaker.errors import ValidationError

MAX_DEFINITIONS = 40  # SageMaker's limits on MetricDefinitions
MAX_NAME = 255
MAX_REGEX = 500
#: Bytes of a line the metric regexes see; the rest of a longer line is not matched.
MATCH_LIMIT = 16 * 1024
_UNSUPPORTED_HINT = ("metric regexes run on RE2, which matches in linear time and has no "
                     "backreferences, lookahead or lookbehind")


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # the error is raised to the caller, not printed
    return options


def compile_regex(regex: str) -> Any:
    """``regex`` compiled with RE2; ``re2.error`` if RE2 cannot run it."""
    return re2.compile(regex, _options())


def _error_text(err: Exception) -> str:
    detail = err.args[0] if err.args else err
    return detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)


def validate_definitions(value: Any) -> list[dict[str, str]]:
    """``MetricDefinitions`` with SageMaker's limits (at most 40; Name 1-255 and Regex
    1-500 characters) and a regex RE2 runs, with a group capturing the value."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_DEFINITIONS:
        raise ValidationError(f"MetricDefinitions must be a list of at most {MAX_DEFINITIONS} "
                              "entries")
    seen: set[str] = set()
    for index, item in enumerate(value):
        if not isinstance(item, dict) or set(item) - {"Name", "Regex"}:
            raise ValidationError(f"MetricDefinitions[{index}] must be an object with a Name "
                                  "and a Regex")
        name, regex = item.get("Name"), item.get("Regex")
        if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME:
            raise ValidationError(f"MetricDefinitions[{index}].Name must be a string of 1 to "
                                  f"{MAX_NAME} characters")
        label = f"MetricDefinitions[{name!r}].Regex"
        if not isinstance(regex, str) or not 1 <= len(regex) <= MAX_REGEX:
            raise ValidationError(f"{label} must be a string of 1 to {MAX_REGEX} characters")
        if name in seen:
            raise ValidationError(f"MetricDefinitions: the name {name!r} appears twice")
        seen.add(name)
        try:
            pattern = compile_regex(regex)
        except re2.error as err:
            raise ValidationError(f"{label} {regex!r} is not supported: {_error_text(err)} "
                                  f"({_UNSUPPORTED_HINT})") from None
        if pattern.groups < 1:
            raise ValidationError(f"{label} needs a group that captures the value")
    return [dict(item) for item in value]


class MetricParser:
    """Turns log lines into metric points (``metrics.jsonl``) with the job's regexes.

    One RE2 set tells in a single pass which regexes match a line at all; only those
    run again to capture the value, so lines without metrics cost one call."""

    def __init__(self, definitions: list[dict[str, str]], path: Path) -> None:
        self.patterns: list[tuple[str, Any]] = []
        self.refused: list[str] = []
        self._set = re2.Set.SearchSet(_options())
        for d in definitions:
            try:
                self.patterns.append((d["Name"], compile_regex(d["Regex"])))
                self._set.Add(d["Regex"])
            except re2.error as err:  # a job created before RE2 checked its regexes
                self.refused.append(f"metric {d['Name']!r} ignored: {_error_text(err)}")
        if self.patterns:
            self._set.Compile()
        self._names = [json.dumps(name) for name, _ in self.patterns]
        self.steps: dict[str, int] = {}
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115

    def feed(self, line: bytes | str) -> None:
        """Record the metric points of one line (its first MATCH_LIMIT bytes).

        SageMaker matches the line as CloudWatch Logs keeps it, a tab written ``#011``
        (its built-in algorithms' regexes say ``#011validation-rmse``); a regex that
        matches only the line as printed counts too."""
        if isinstance(line, str):
            line = line.encode("utf-8", "replace")
        line = line[:MATCH_LIMIT]
        if not self.patterns:
            return
        escaped = line.replace(b"\t", b"#011")
        done: set[int] = set()
        for text in (escaped, line) if escaped != line else (line,):
            for index in sorted(set(self._set.Match(text) or ()) - done):
                if self._record(index, text):
                    done.add(index)

    def _record(self, index: int, line: bytes) -> bool:
        name, pattern = self.patterns[index]
        match = pattern.search(line)
        try:
            value = float(match.group(1))
        except (AttributeError, TypeError, ValueError):
            return False
        step = self.steps.get(name, 0)
        self.steps[name] = step + 1
        number = repr(value) if math.isfinite(value) else json.dumps(value)
        self._file.write(f'{{"name": {self._names[index]}, "value": {number}, '
                         f'"step": {step}, "timestamp": {time.time()!r}}}\n')
        return True

    def flush(self) -> None:
        """Make the points written so far visible to the server."""
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class MetricWorker:
    """Feeds a :class:`MetricParser` from a bounded queue of line batches in a daemon
    thread: the caller's loop only ever waits for queue room, a wait it bounds."""

    def __init__(self, parser: MetricParser, capacity: int = 16) -> None:
        self.parser = parser
        self.error: Exception | None = None  # why matching stopped, if it did
        self._queue: queue.Queue[list[bytes] | None] = queue.Queue(capacity)
        self._thread = threading.Thread(target=self._run, name="metrics", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (lines := self._queue.get()) is not None:
            try:
                if self.error is None:
                    for line in lines:
                        self.parser.feed(line)
                    self.parser.flush()
            except Exception as err:  # e.g. a full disk: metrics stop, the job goes on
                self.error = err
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def put(self, lines: list[bytes], timeout: float) -> bool:
        """Queue a batch of lines; False if no room came within ``timeout`` s."""
        if not self.parser.patterns or not lines or self.error is not None:
            return True
        try:
            self._queue.put(lines, timeout=timeout)
        except queue.Full:
            return False
        return True

    def drained(self, timeout: float) -> bool:
        """Whether every queued line has been matched, waiting up to ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def close(self, timeout: float = 1.0) -> None:
        """Stop the thread; the file is closed once it has ended (else left to exit)."""
        try:
            self._queue.put_nowait(None)
        except queue.Full:
            return
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self.parser.close()
