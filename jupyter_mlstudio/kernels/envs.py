"""The environments folder: one folder per installed kernel, built safely and kept.

``<env_dir>/<name>/`` holds what the kernel runs on (a venv, an R library, the Scala
runtime) and ``.mlstudio/`` with ``env.json`` (written last: the build is complete)
and a copy of the kernelspec, from which a lost kernelspec is registered again.
While an install runs, ``<env_dir>/.<name>.building`` names its process, and a
replaced environment waits as ``.<name>.old-<job>`` until the new one is complete.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

RECORD_DIR = ".mlstudio"


@dataclass
class Build:
    """An environment being built: undone by :meth:`Environments.rollback`."""

    name: str
    env: Path
    marker: Path
    backup: Path | None


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    """Delete a folder: renamed aside at once (atomic), removed by a background thread.

    A venv takes seconds to delete; the server's event loop must not wait for it. A
    leftover ``.<name>.trash-*`` (the server stopped meanwhile) goes at the next start.
    """
    if not path.exists() and not path.is_symlink():
        return
    trash = path.with_name(f".{path.name}.trash-{uuid.uuid4().hex[:8]}")
    os.rename(path, trash)
    threading.Thread(target=shutil.rmtree, args=(trash,), kwargs={"ignore_errors": True},
                     name="mlstudio-env-remove", daemon=True).start()


class Environments:
    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def cache_dir(self) -> Path:
        return self.root / ".cache"

    def path(self, name: str) -> Path:
        return self.root / name

    def exists(self, name: str) -> bool:
        return self.path(name).exists()

    def record(self, name: str) -> dict[str, Any] | None:
        """The completed environment's record, or None (absent or half-built)."""
        try:
            return json.loads((self.path(name) / RECORD_DIR / "env.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None

    def saved_spec(self, name: str) -> Path:
        return self.path(name) / RECORD_DIR / "kernelspec"

    def records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        if not self.root.is_dir():
            return
        for child in sorted(self.root.iterdir()):
            if child.name.startswith(".") or not child.is_dir():
                continue
            record = self.record(child.name)
            if record is not None:
                yield child.name, record

    # -- building -------------------------------------------------------------
    def begin(self, name: str, job_id: str) -> Build:
        """Mark ``name`` as being built; move an existing environment aside (replace)."""
        self.root.mkdir(parents=True, exist_ok=True)
        env = self.path(name)
        marker = self.root / f".{name}.building"
        backup = None
        marker.write_text(json.dumps({"pid": os.getpid(), "job": job_id}), "utf-8")
        if env.exists():
            backup = self.root / f".{name}.old-{job_id}"
            os.rename(env, backup)
        return Build(name, env, marker, backup)

    def save(self, build: Build, record: dict[str, Any], spec_dir: Path) -> None:
        """Keep the kernelspec and the record in the environment: the build is complete."""
        folder = build.env / RECORD_DIR
        folder.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(folder / "kernelspec", ignore_errors=True)
        shutil.copytree(spec_dir, folder / "kernelspec")
        tmp = folder / "env.json.tmp"
        tmp.write_text(json.dumps(record, indent=1), "utf-8")
        os.replace(tmp, folder / "env.json")

    def commit(self, build: Build) -> None:
        if build.backup is not None:
            _remove(build.backup)
        build.marker.unlink(missing_ok=True)

    def rollback(self, build: Build) -> None:
        """Remove what the build made and put back the environment it replaced."""
        _remove(build.env)
        if build.backup is not None and build.backup.exists():
            os.rename(build.backup, build.env)
        build.marker.unlink(missing_ok=True)

    def remove(self, name: str) -> None:
        _remove(self.path(name))

    def cleanup_stale(self) -> list[str]:
        """Roll back builds whose process is gone (a crash mid-install). Returns their names."""
        if not self.root.is_dir():
            return []
        cleaned = []
        for marker in self.root.glob(".*.building"):
            try:
                info = json.loads(marker.read_text("utf-8"))
            except (OSError, ValueError):
                info = {}
            if _pid_alive(int(info.get("pid", 0))) and info.get("pid") != os.getpid():
                continue  # another server is building it right now
            name = marker.name[1:-len(".building")]
            job = info.get("job", "")
            backup = self.root / f".{name}.old-{job}"
            self.rollback(Build(name, self.path(name), marker,
                                backup if job and backup.exists() else None))
            cleaned.append(name)
        for trash in self.root.glob(".*.trash-*"):
            shutil.rmtree(trash, ignore_errors=True)
        return cleaned
