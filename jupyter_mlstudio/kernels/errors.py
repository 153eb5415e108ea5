"""Errors of the kernels area."""
from __future__ import annotations

from ..engine.context import JobFailed
from ..errors import MLStudioError


class KernelsError(MLStudioError):
    """A kernels request failed; ``status`` is the HTTP status the API answers with."""


class InstallFailed(JobFailed):
    """A step of an install failed; the message is what the user reads (the job's message)."""
