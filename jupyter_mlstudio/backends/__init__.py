"""Job backends: where training, tuning and transform jobs run.

Backends are found through the ``jupyter_mlstudio.backends`` entry-point group,
the way JupyterHub finds Spawners, so other packages can add their own.
"""
from __future__ import annotations

import logging
from importlib.metadata import entry_points

from .base import Availability, JobBackend

__all__ = [
    "Availability", "JobBackend", "discover_backends", "resolve_backend_class",
    "ENTRY_POINT_GROUP",
]

ENTRY_POINT_GROUP = "jupyter_mlstudio.backends"
log = logging.getLogger(__name__)


def discover_backends() -> dict[str, type[JobBackend]]:
    """The backend classes installed, by entry-point name; broken ones are logged and skipped."""
    found: dict[str, type[JobBackend]] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            cls = ep.load()
        except Exception as err:  # a third-party plugin must not break the server
            log.warning("cannot load job backend %r: %s", ep.name, err)
            continue
        if isinstance(cls, type) and issubclass(cls, JobBackend):
            found[ep.name] = cls
        else:
            log.warning("job backend %r (%s) is not a JobBackend subclass", ep.name, ep.value)
    return found


def resolve_backend_class(value: object) -> type[JobBackend]:
    """A backend class from a class, an entry-point name (``local``) or a dotted path."""
    if isinstance(value, type) and issubclass(value, JobBackend):
        return value
    if isinstance(value, str):
        found = discover_backends()
        if value in found:
            return found[value]
        module, _, attr = value.rpartition(".")
        if module:
            import importlib

            cls = getattr(importlib.import_module(module), attr, None)
            if isinstance(cls, type) and issubclass(cls, JobBackend):
                return cls
    raise ValueError(f"{value!r} is not a job backend (entry points: "
                     f"{', '.join(sorted(discover_backends())) or 'none'})")
