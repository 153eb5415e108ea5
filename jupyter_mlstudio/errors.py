"""The error every area raises for a caller's mistake or an unavailable dependency."""
from __future__ import annotations


class MLStudioError(Exception):
    """An error the API answers as JSON ``{"message", "reason"}`` with ``status``."""

    def __init__(self, status: int, message: str, reason: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason
