"""A job's ``state.json``: what its runner process tells the server, in one file.

The runner writes it atomically (a reader never sees half a file), under a fresh
temporary name per write: a signal handler may save while the main flow is between
writing its file and renaming it. The server reads it with :func:`read_state`.
"""
from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import Any

STATE_FILE = "state.json"


def read_state(job_dir: Path) -> dict[str, Any]:
    """The state a runner last wrote in ``job_dir``; ``{}`` before its first write."""
    try:
        return json.loads((job_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}


class StateFile:
    """The runner's side: ``data`` kept in memory, :meth:`save` writes it."""

    def __init__(self, job_dir: Path, initial: dict[str, Any]) -> None:
        self.path = job_dir / STATE_FILE
        self.data: dict[str, Any] = read_state(job_dir) or initial
        self._saves = itertools.count()

    def save(self) -> None:
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.{next(self._saves)}.tmp")
        tmp.write_text(json.dumps(self.data))
        os.replace(tmp, self.path)
