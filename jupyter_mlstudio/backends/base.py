"""The interface every job backend implements."""
from __future__ import annotations

from dataclasses import dataclass

from traitlets.config import LoggingConfigurable


@dataclass(frozen=True)
class Availability:
    """Whether a backend can run jobs here, and a human explanation."""

    available: bool
    message: str


class JobBackend(LoggingConfigurable):
    """A place where jobs run (this machine, a Ray cluster, the SageMaker service)."""

    #: Short name shown in the UI and used in job records.
    name: str = ""

    @classmethod
    def availability(cls) -> Availability:
        """Whether this backend can be used on this server, checked without side effects."""
        raise NotImplementedError
