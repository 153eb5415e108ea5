"""Thin tornado handlers: parse, authorize, call the area's service, answer JSON."""
from __future__ import annotations

from .base import API_PREFIX, NotFoundHandler
from .status import StatusHandler


def core_handlers() -> list[tuple]:
    """Routes of the extension's core; areas add theirs before the catch-all."""
    return [(rf"{API_PREFIX}/status", StatusHandler)]


def fallback_handlers() -> list[tuple]:
    """The catch-all that answers unknown API routes with a JSON 404. Register it last."""
    return [(rf"{API_PREFIX}/(.*)", NotFoundHandler)]
