"""Job backends: where training, tuning and transform jobs run.

Backends are found through the ``jupyter_mlstudio.backends`` entry-point group, the way
JupyterHub finds Spawners, so other packages can add their own; ``c.MLStudioApp.default_backend``
(an :class:`~jupyter_mlstudio.plugins.EntryPointType`) picks the one that runs jobs.
"""
from __future__ import annotations

import logging

from ..plugins import load_installed
from .base import Availability, JobBackend

__all__ = ["Availability", "JobBackend", "discover_backends", "ENTRY_POINT_GROUP"]

ENTRY_POINT_GROUP = "jupyter_mlstudio.backends"
log = logging.getLogger(__name__)


def discover_backends() -> dict[str, type[JobBackend]]:
    """The backend classes installed, by entry-point name; broken ones are logged and skipped."""
    return load_installed(ENTRY_POINT_GROUP, JobBackend, log)
