"""Names of JSON value types, for messages such as "Tags must be an array, not a string"."""
from __future__ import annotations

from typing import Any


def json_type(value: Any) -> str:
    """``value``'s JSON type with its article: "an object", "a string", "null"…"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"
