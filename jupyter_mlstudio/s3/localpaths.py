"""Where an S3 key lands on local disk: inside the chosen folder, or nowhere.

Real S3 accepts keys such as ``data/../../x``, ``/abs`` or ``a//b``. Every place that
turns a key into a local path (training channels, ``%s3 cp``, the S3 browser's
copies into the workspace) goes through :func:`local_path`, which refuses such a key
with a message naming it instead of rewriting it, so nothing is ever written outside
the target folder.
"""
from __future__ import annotations

import os
import posixpath
from pathlib import Path

from .errors import S3Error


class UnsafeKey(S3Error):
    """A key that would not stay inside the folder it is copied into."""

    def __init__(self, key: str, why: str) -> None:
        super().__init__(400, f"key {key!r} {why}: refusing to copy it to disk", "UnsafeKey")
        self.key = key


def relative_key(key: str, prefix: str) -> str:
    """The part of ``key`` below ``prefix``, by SageMaker's channel rule: the prefix
    removed and a leading ``/`` stripped; an object named by the prefix itself keeps
    its last segment."""
    if key == prefix:
        return posixpath.basename(key)
    rel = key[len(prefix):] if key.startswith(prefix) else key
    return rel[1:] if rel.startswith("/") else rel


def check_relative(rel: str, key: str) -> str:
    """``rel`` if it is a plain relative path (no empty, ``.`` or ``..`` segment, by
    ``/`` or by ``\\``); else :class:`UnsafeKey` naming ``key``."""
    if not rel:
        raise UnsafeKey(key, "names no file")
    if "\x00" in rel:
        raise UnsafeKey(key, "contains a NUL character")
    if rel.startswith("/"):
        raise UnsafeKey(key, "is an absolute path")
    for segment in rel.split("/"):
        if segment == "":
            raise UnsafeKey(key, "has an empty path segment ('//')")
        if segment in (".", "..") or any(p in (".", "..") for p in segment.split("\\")):
            raise UnsafeKey(key, "has a '.' or '..' path segment")
    return rel


def local_path(folder: Path | str, rel: str, key: str | None = None) -> Path:
    """``folder/rel``, checked to stay inside ``folder`` (symbolic links included).

    ``key`` is the full S3 key the message names (default ``rel``). Raises
    :class:`UnsafeKey`; never creates anything.
    """
    key = rel if key is None else key
    check_relative(rel, key)
    base = Path(os.path.realpath(folder))
    target = Path(folder) / rel
    real = Path(os.path.realpath(target))
    if base not in real.parents:
        raise UnsafeKey(key, f"leads outside {folder} (through a symbolic link)")
    return target
