"""What an installer sees while it builds: its folders, progress, the log, subprocesses."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..engine.context import JobContext
from .errors import InstallFailed
from .runner import clean_environment, run_logged


class InstallContext:
    """One install's working state, handed to :meth:`KernelInstaller.install`.

    ``env`` is the kernel's environment folder (absent at the start; the installer
    creates it); ``spec_dir`` receives ``kernel.json`` and its resources; ``work_dir``
    is scratch space removed afterwards; ``cache_dir`` survives installs (downloads).
    """

    def __init__(self, job: JobContext, env: Path, spec_dir: Path, work_dir: Path,
                 cache_dir: Path) -> None:
        self.job = job
        self.env = env
        self.spec_dir = spec_dir
        self.work_dir = work_dir
        self.cache_dir = cache_dir
        self.metadata: dict[str, Any] = {}  # installer details kept in kernel.json's metadata

    @property
    def name(self) -> str:
        return self.job.spec["name"]

    @property
    def display_name(self) -> str:
        return self.job.spec["display_name"]

    @property
    def options(self) -> dict[str, Any]:
        return self.job.spec["options"]

    @property
    def progress(self) -> float:
        return float(self.job.progress.get("progress", 0.0))

    def phase(self, text: str, progress: float | None = None) -> None:
        """Start a named step; ``progress`` (0-100) is where the whole install stands."""
        self.job.report(phase=text)
        if progress is not None:
            self.job.report(progress=max(self.progress, min(99.0, float(progress))))
        elapsed = time.time() - self.job.started
        self.log(f"==> [{elapsed:6.1f} s] {text}\n")

    def log(self, text: str) -> None:
        self.job.log(text)

    async def run(self, args: Sequence[str | os.PathLike[str]], *, what: str,
                  env: Mapping[str, str] | None = None, cwd: Path | None = None,
                  progress_to: float | None = None) -> str:
        """Run a step; fail the install with ``what`` and the output's end if it fails.

        With ``progress_to``, each line of output moves the progress a little towards it
        (pip's "Collecting …" lines make a fair clock). Returns the output's end.
        """
        code, tail = await self.run_unchecked(args, env=env, cwd=cwd, progress_to=progress_to)
        if code != 0:
            raise InstallFailed(f"{what} failed (exit code {code}):\n{_last_lines(tail)}")
        return tail

    async def run_unchecked(self, args: Sequence[str | os.PathLike[str]], *,
                            env: Mapping[str, str] | None = None, cwd: Path | None = None,
                            progress_to: float | None = None) -> tuple[int, str]:
        self.log("$ " + " ".join(_shown(str(a)) for a in args) + "\n")

        def write(text: str) -> None:
            self.log(text)
            if progress_to is not None:
                progress = self.progress
                for _ in range(text.count("\n")):
                    progress += (progress_to - progress) * 0.08
                self.job.report(progress=progress)

        return await run_logged([str(a) for a in args], write,
                                env=env if env is not None else clean_environment(),
                                cwd=str(cwd) if cwd else None)


def _shown(arg: str) -> str:
    """An argument as the log shows it: scripts passed inline are abbreviated."""
    if "\n" in arg or len(arg) > 200:
        first = arg.strip().splitlines()[0] if arg.strip() else ""
        return f"'{first[:60]} …'"
    return arg if arg and " " not in arg else f"'{arg}'"


def _last_lines(text: str, count: int = 15) -> str:
    lines = [ln for ln in text.rstrip().splitlines() if ln.strip()]
    return "\n".join(lines[-count:])
