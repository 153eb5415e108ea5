"""The files of a training source folder, refusing symbolic links that leave a root.

A job's source folder is copied (a workspace folder) or packed (the Estimator's
``source_dir``) file by file. A symbolic link in it may point anywhere; one that
leads out of the root (the workspace, or the source folder itself) would copy a
file the user never meant to share into the job, so it is refused, naming the link.
Links that stay inside the root are followed: their content is copied.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import MLStudioError

#: Folders never copied into a job: caches and version control.
SKIPPED = frozenset({"__pycache__", ".ipynb_checkpoints", ".git"})


class UnsafeSourceLink(MLStudioError):
    """A symbolic link in a source folder that leads out of the root, or loops."""

    def __init__(self, message: str) -> None:
        super().__init__(400, message, "ValidationException")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def real_inside(path: Path | str, rel: str, root: Path | str) -> str:
    """The real path of ``path`` (named ``rel`` in messages), refused if it is outside
    ``root``."""
    real = os.path.realpath(path)
    if not _inside(real, os.path.realpath(root)):
        raise UnsafeSourceLink(
            f"the symbolic link {rel!r} in the source folder leads to {real}, outside "
            f"{root}: copy the file in, or link inside {root}")
    return real


def source_files(folder: Path | str, root: Path | str) -> list[tuple[str, Path]]:
    """Every file below ``folder`` as (slash-separated relative path, real path), links
    inside ``root`` followed; :class:`UnsafeSourceLink` for the first link that leaves
    ``root`` or leads back into a folder it is in."""
    real_root = os.path.realpath(root)
    top = os.path.realpath(folder)
    if not _inside(top, real_root):
        raise UnsafeSourceLink(f"source folder {folder} is outside {root}")
    found: list[tuple[str, Path]] = []

    def walk(real_dir: str, rel_dir: str, ancestors: frozenset[str]) -> None:
        with os.scandir(real_dir) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name in SKIPPED:
                    continue
                rel = f"{rel_dir}{entry.name}"
                real = real_inside(entry.path, rel, real_root)
                if entry.is_symlink() and not os.path.exists(real):
                    continue  # a dangling link has nothing to copy
                if os.path.isdir(real):
                    if real in ancestors:
                        raise UnsafeSourceLink(f"the symbolic link {rel!r} in the source "
                                               "folder loops back to a folder it is in")
                    walk(real, rel + "/", ancestors | {real})
                elif os.path.isfile(real):
                    found.append((rel, Path(real)))

    walk(top, "", frozenset({top}))
    return found
