"""The local backend: jobs run as processes on this machine."""
from __future__ import annotations

import os

from .base import Availability, JobBackend


class LocalBackend(JobBackend):
    """Runs jobs as process groups on the Jupyter server's machine."""

    name = "local"

    @classmethod
    def availability(cls) -> Availability:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        return Availability(True, f"{cpus} CPUs on this machine")
