"""Paths in the Jupyter workspace (the server's root directory) that users name."""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from .errors import MLStudioError

#: What Linux file systems take: a name of 255 bytes, a path of 4096 (PATH_MAX).
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4096


def check_path_lengths(relative: str, reason: str = "InvalidPath") -> None:
    """A 400 unless every ``/``-separated part of ``relative`` and the whole fit the OS."""
    if len(relative.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        raise MLStudioError(400, f"path is longer than {MAX_PATH_BYTES} bytes", reason)
    for part in relative.replace("\\", "/").split("/"):
        if len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise MLStudioError(400, f"path component {part[:40]!r}... is longer than "
                                f"{MAX_NAME_BYTES} bytes", reason)


def resolve_in_root(root: str | Path, relative: str) -> Path:
    """The absolute path of ``relative`` inside ``root``; a 400 if it would leave it."""
    if not isinstance(relative, str) or not relative.strip():
        raise MLStudioError(400, "a workspace path is required", "InvalidPath")
    if "\x00" in relative:
        raise MLStudioError(400, "invalid workspace path", "InvalidPath")
    check_path_lengths(relative)
    pure = PurePosixPath(relative.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts:
        raise MLStudioError(
            400, f"workspace path {relative!r} must stay inside the workspace",
            "PathOutsideWorkspace",
        )
    root_path = Path(root).resolve()
    target = (root_path / pure).resolve()
    check_path_lengths(str(target))
    if target != root_path and root_path not in target.parents:
        raise MLStudioError(
            400, f"workspace path {relative!r} leaves the workspace", "PathOutsideWorkspace"
        )
    return target


def relative_to_root(root: str | Path, path: Path) -> str:
    """``path`` as the slash-separated path JupyterLab's file browser uses."""
    return Path(os.path.relpath(path, Path(root).resolve())).as_posix()


def free_name(path: Path) -> Path:
    """``path`` if free, else ``name-1.ext``, ``name-2.ext``… (never overwrite a file)."""
    if not path.exists():
        return path
    stem, suffix = path.stem, path.suffix
    n = 1
    while True:
        candidate = path.with_name(f"{stem}-{n}{suffix}")
        if not candidate.exists():
            return candidate
        n += 1
