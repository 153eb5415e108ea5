"""Checkers for the fields of SageMaker-shaped request bodies, shared by every resource.

Resource names are :mod:`.names`' rules; S3 URIs are checked by :mod:`..s3.names`.

Each returns the value (or its default) when it is valid and raises a
:class:`ValidationError` naming the field otherwise.
"""
from __future__ import annotations

import re
from typing import AbstractSet, Any

from .errors import ValidationError

ENV_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]{0,1023}$")


def known_fields(body: dict[str, Any], known: AbstractSet[str],
                 ignored: AbstractSet[str] = frozenset()) -> None:
    """Refuse fields of ``body`` that are neither ``known`` nor ``ignored``."""
    unknown = set(body) - known - ignored
    if unknown:
        raise ValidationError(f"unknown fields: {', '.join(sorted(unknown))}")


def object_field(value: Any, field: str, required: bool = False) -> dict[str, Any]:
    """A JSON object; ``{}`` when it is absent and not ``required``."""
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(f"{field} must be an object")
    return value


def int_field(value: Any, field: str, low: int, high: int, default: int | None = None) -> int:
    """An integer within ``[low, high]``; ``default`` when absent and one is given."""
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"{field} must be an integer between {low} and {high}")
    return value


def string_map_field(value: Any, field: str) -> dict[str, str]:
    """An environment-style map: valid variable names to string values."""
    env = object_field(value, field)
    for key, item in env.items():
        if not ENV_NAME.match(key) or not isinstance(item, str):
            raise ValidationError(f"{field}[{key!r}] must be a valid name with a string value")
    return dict(env)
