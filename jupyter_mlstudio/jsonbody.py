"""Parsing of JSON request bodies: strict JSON, bounded in size and depth.

Every route of the extension reads its body through :func:`parse_json_object`, so
hostile bodies (too deep, too large, not UTF-8, ``NaN``, lone surrogates, not an
object) are refused once, here, with a 400 (413 for size) naming the problem.
Nothing here recurses, and the nesting is measured before the parser runs, so no
body can exhaust the interpreter's stack.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from .errors import MLStudioError
from .jsontypes import json_type

#: Largest JSON body any route takes; bulk data goes through S3 uploads instead.
MAX_BODY_BYTES = 16 * 1024 * 1024
#: Deepest nesting of arrays and objects; SageMaker's request documents are far shallower.
MAX_DEPTH = 64

# A JSON string, or the rest of the text after an unterminated quote (linear: never fails).
_STRING = re.compile(rb'"(?:[^"\\]+|\\.)*"?', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPENING = frozenset(b"[{")


def _bad(message: str) -> MLStudioError:
    return MLStudioError(400, message, "BadJSON")


def _refuse_constant(name: str) -> Any:
    raise _bad(f"request body is not valid JSON: {name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _bad(f"request body holds a number too large for a float: {text[:40]}")
    return value


def nests_deeper(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text ``raw`` nests arrays / objects more than ``limit`` levels.

    Brackets inside strings do not count (UTF-8 never puts ``"``, ``\\`` or a bracket
    inside a multi-byte character, so bytes are scanned as they are).
    """
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    if brackets.count(b"[") + brackets.count(b"{") <= limit:
        return False
    depth = 0
    for byte in brackets:
        if byte in _OPENING:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _check_strings(value: Any) -> None:
    """Refuse strings that cannot be stored or written as UTF-8 (lone surrogates)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise _bad("request body is not valid JSON: a string holds an unpaired "
                           "UTF-16 surrogate (\\ud800-\\udfff)") from None


def parse_json(raw: bytes, max_bytes: int = MAX_BODY_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON document in ``raw`` (UTF-8), or a 400 / 413 saying what is wrong."""
    if len(raw) > max_bytes:
        raise MLStudioError(413, f"request body is larger than {max_bytes} bytes",
                            "BodyTooLarge")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _bad(f"request body is not UTF-8: invalid byte at position {err.start}") from None
    if nests_deeper(raw, max_depth):
        raise _bad(f"request body nests arrays / objects deeper than {max_depth} levels")
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except ValueError as err:
        raise _bad(f"request body is not valid JSON: {err}") from None
    _check_strings(value)
    return value


def parse_json_object(raw: bytes, max_bytes: int = MAX_BODY_BYTES,
                      max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """Like :func:`parse_json`, for routes whose body is one JSON object (empty: ``{}``)."""
    if not raw.strip():
        return {}
    value = parse_json(raw, max_bytes, max_depth)
    if not isinstance(value, dict):
        raise _bad(f"request body must be a JSON object, not {json_type(value)}")
    return value
