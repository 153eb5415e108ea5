"""What a request may hand to pip: requirements only, never pip options or local files.

Both the ``packages`` option (one requirement per item) and the ``requirements`` option
(the text of a requirements.txt) of the Python installer go through
:func:`check_requirements`. pip would otherwise read ``-r /any/file`` (and echo it into
the install log), install from local paths or ``file:`` URLs, expand ``${VARIABLES}``
from the server's environment, or take index and build options from the request.
"""
from __future__ import annotations

import re
from typing import Iterable

from ..errors import KernelsError

# What pip treats as local archives when no URL is given.
_ARCHIVES = (".whl", ".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz")
# Remote schemes a direct reference (``name @ URL``) or a bare URL may use.
_REMOTE_URL = re.compile(r"(?:(?:git|hg|svn|bzr)\+)?(?:https?|ssh|git)://\S+", re.IGNORECASE)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_COMMENT = re.compile(r"(?:^|\s)#.*$")
_HASH_OPTION = re.compile(r"--hash(?:=\S+)?")


def _refused(option: str, number: int, line: str, why: str) -> KernelsError:
    where = f"option '{option}'" + (f" line {number}" if number else "")
    return KernelsError(400, f"{where}: {line.strip()!r} is not allowed: {why}", "InvalidOption")


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """pip's view of a requirements file: continuation lines joined, comments dropped."""
    lines: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, line in enumerate(text.splitlines(), 1):
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        lines.append((start, _COMMENT.sub("", pending + line)))
        pending = ""
    if pending:
        lines.append((start, _COMMENT.sub("", pending)))
    return [(n, line) for n, line in lines if line.strip()]


def check_requirement(line: str, option: str, number: int = 0) -> str:
    """``line`` if it is a requirement pip fetches from an index or a remote URL, else a 400."""
    text = line.strip()
    if "\x00" in line or any(ord(c) < 32 and c != "\t" for c in line):
        raise _refused(option, number, line, "it contains control characters")
    if text.startswith("-"):
        raise _refused(option, number, line, "pip options (-r, -c, -e, --index-url, …) cannot "
                       "be given here; use the installer's own options (index_url)")
    if "${" in text:
        raise _refused(option, number, line, "environment variables are not expanded here")
    if "file:" in text.lower():
        raise _refused(option, number, line, "file: URLs name files on the server")
    tokens = text.split()
    for token in tokens[1:]:
        if token.startswith("-") and not _HASH_OPTION.fullmatch(token):
            raise _refused(option, number, line, "per-requirement pip options other than "
                           "--hash cannot be given here")
    first = tokens[0]
    if _URL.match(first) and not _REMOTE_URL.fullmatch(first):
        raise _refused(option, number, line, "only http(s), ssh and VCS URLs can be installed")
    requirement = text.split("@", 1)[0] if not _URL.match(first) else ""
    if requirement and (requirement.lstrip().startswith((".", "~"))
                        or "/" in requirement or "\\" in requirement
                        or first.lower().endswith(_ARCHIVES)):
        raise _refused(option, number, line, "local paths and archives name files on the "
                       "server; give a package name, or name @ https://…")
    if "@" in text and not _URL.match(first):
        url = text.split("@", 1)[1].split(";", 1)[0].strip()
        if not _REMOTE_URL.fullmatch(url):
            raise _refused(option, number, line, "a direct reference must be name @ an "
                           "http(s), ssh or VCS URL")
    return line


def check_requirements(items: Iterable[str], option: str) -> None:
    """Check each item of a list option (one requirement each)."""
    for item in items:
        check_requirement(item, option)


def check_requirements_text(text: str, option: str) -> None:
    """Check every logical line of the text of a requirements.txt."""
    for number, line in _logical_lines(text):
        check_requirement(line, option, number)
