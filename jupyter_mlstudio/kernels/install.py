"""An install job: the request, its status, progress and log, as the API shows it."""
from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .installlog import InstallLog

from ..sagemaker.statuses import COMPLETED, FAILED, PENDING, STOPPED, TERMINAL


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat() if ts else None


@dataclass
class InstallJob:
    kind: str
    name: str
    display_name: str
    options: dict[str, Any]
    replace: bool
    log: InstallLog
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    status: str = PENDING
    phase: str = "waiting for other installs of this kind"
    progress: float = 0.0
    message: str = ""
    created: float = field(default_factory=time.time)
    started: float | None = None
    ended: float | None = None
    kernelspec: dict[str, Any] | None = None
    task: asyncio.Task | None = None

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL

    def finish(self, status: str, message: str) -> None:
        self.status = status
        self.message = message
        self.ended = time.time()
        if status == COMPLETED:
            self.progress = 100.0
        self.phase = {COMPLETED: "done", FAILED: "failed", STOPPED: "cancelled"}[status]
        self.log.write(f"==> {self.phase}: {message}\n")
        self.log.close()

    def describe(self) -> dict[str, Any]:
        end = self.ended or time.time()
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "display_name": self.display_name,
            "options": self.options,
            "replace": self.replace,
            "status": self.status,
            "phase": self.phase,
            "progress": round(self.progress, 1),
            "message": self.message,
            "created": _iso(self.created),
            "started": _iso(self.started),
            "ended": _iso(self.ended),
            "duration": round(end - self.started, 2) if self.started else 0.0,
            "log_size": self.log.end,
            "kernelspec": self.kernelspec,
        }
