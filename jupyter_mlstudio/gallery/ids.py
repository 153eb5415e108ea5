"""Opaque example ids: a source name and a path inside it, never an absolute path."""
from __future__ import annotations

import base64
from pathlib import PurePosixPath

from ..workspace import check_path_lengths
from .errors import GalleryError


def check_relpath(relpath: str) -> str:
    """A normalised relative notebook path inside a source, or a 400."""
    if not isinstance(relpath, str) or not relpath or "\x00" in relpath or "\\" in relpath:
        raise GalleryError(400, "invalid example path", "InvalidPath")
    check_path_lengths(relpath)
    pure = PurePosixPath(relpath)
    if pure.is_absolute() or any(p in ("", ".", "..") for p in relpath.split("/")):
        raise GalleryError(400, f"example path {relpath!r} must stay inside its source",
                           "InvalidPath")
    if pure.suffix != ".ipynb":
        raise GalleryError(400, "examples are .ipynb notebooks", "InvalidPath")
    return str(pure)


def encode_id(source: str, relpath: str) -> str:
    raw = f"{source}\n{relpath}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_id(example_id: str) -> tuple[str, str]:
    """The (source, relative path) an id names; a 400 for anything malformed."""
    try:
        padded = example_id + "=" * (-len(example_id) % 4)
        source, relpath = base64.urlsafe_b64decode(padded.encode()).decode().split("\n", 1)
    except (ValueError, UnicodeError):
        raise GalleryError(400, "malformed example id", "InvalidId") from None
    return source, check_relpath(relpath)
