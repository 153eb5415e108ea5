"""CloudWatch Logs filter patterns for unstructured log events.

Supported, as CloudWatch reads them (case-sensitive):

* ``ERROR Exception`` — every term appears in the message;
* ``"Out of memory"`` — a quoted phrase is one term (``\\"`` inside quotes is a quote);
* ``?ERROR ?WARN`` — at least one of the ``?`` terms appears;
* ``ERROR -Retrying`` — a ``-`` term must not appear;
* ``%ab[0-9]+%`` — a regular expression found anywhere in the message;
* an empty pattern matches every event.

JSON (``{ $.level = ... }``) and space-delimited (``[ip, user, ...]``) patterns are refused
with a ValueError that says what is supported.
"""
from __future__ import annotations

import re
from typing import Callable

_TERM = re.compile(r'([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))')

Matcher = Callable[[str], bool]


def compile_pattern(pattern: str | None) -> Matcher:
    """A test of a message against ``pattern``; ValueError if it is not supported."""
    text = (pattern or "").strip()
    if not text:
        return lambda message: True
    if len(text) >= 2 and text[0] == text[-1] == "%":
        try:
            regex = re.compile(text[1:-1])
        except re.error as err:
            raise ValueError(f"Invalid regular expression in the filter pattern: {err}") \
                from None
        return lambda message: regex.search(message) is not None
    if text[0] in "{[":
        raise ValueError("JSON and space-delimited filter patterns are not supported here; "
                         'use terms, "quoted phrases", ?any-of terms, -excluded terms or '
                         "%regular expression%.")
    required: list[str] = []
    any_of: list[str] = []
    excluded: list[str] = []
    for sign, quoted, bare in _TERM.findall(text):
        term = re.sub(r"\\(.)", r"\1", quoted) if quoted else bare
        {"?": any_of, "-": excluded}.get(sign, required).append(term)

    def match(message: str) -> bool:
        return (all(t in message for t in required)
                and not any(t in message for t in excluded)
                and (not any_of or any(t in message for t in any_of)))

    return match
