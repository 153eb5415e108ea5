"""Times as the API reports them."""
from __future__ import annotations

from datetime import datetime, timezone


def iso(value: datetime | None) -> str | None:
    """``value`` in ISO 8601, in UTC (a naive time is taken as UTC); None stays None."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()


def parse_time(value: object) -> datetime | None:
    """A request's time: epoch seconds (what botocore sends) or ISO 8601 text; None if
    absent, ValueError if neither."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value), timezone.utc)
    text = str(value)
    try:
        return datetime.fromtimestamp(float(text), timezone.utc)
    except ValueError:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def utc(value: datetime) -> datetime:
    """``value`` with its zone: a naive time (what SQLite gives back) is taken as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
