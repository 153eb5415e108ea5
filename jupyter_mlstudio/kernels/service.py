"""Kernelspecs and install jobs: what the handlers and the CLI call."""
from __future__ import annotations

import asyncio
import json
import logging
import shutil
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager

from .._version import __version__
from .config import KernelsApp
from .context import InstallContext
from .envs import Build, Environments
from .errors import InstallFailed, KernelsError
from ..sagemaker.statuses import COMPLETED, FAILED, IN_PROGRESS, STOPPED, STOPPING
from .install import InstallJob
from .installers import KernelInstaller, installer_classes
from .installlog import InstallLog
from .names import check_kernel_name
from .specs import META_KEY, KernelSpecs

MAX_WAIT = 30.0  # longest long-poll of a log, in seconds


class KernelsService:
    """Lists kernelspecs and installable kinds; runs installs in the background.

    One install runs at a time per kind (later ones wait as Pending); each has a
    time-out and can be cancelled. An install builds its environment and kernelspec
    aside and registers the kernelspec last; a failure or cancel rolls everything back,
    restoring what a ``replace`` install was replacing.
    """

    def __init__(self, config: KernelsApp, manager: KernelSpecManager,
                 log: logging.Logger | None = None) -> None:
        self.config = config
        self.log = log or logging.getLogger(__name__)
        self.specs = KernelSpecs(manager, config.kernel_dir)
        self.envs = Environments(Path(config.env_dir))
        self.installers: dict[str, KernelInstaller] = {
            kind: cls(parent=config)
            for kind, cls in installer_classes(config.installer_classes, self.log).items()
        }
        self.jobs: dict[str, InstallJob] = {}
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    # -- listing ------------------------------------------------------------------
    def kinds(self) -> list[dict[str, Any]]:
        busy = {j.kind for j in self.jobs.values() if not j.finished}
        return [{**inst.describe(), "busy": kind in busy}
                for kind, inst in self.installers.items()]

    def list(self) -> dict[str, Any]:
        return {
            "kernelspecs": self.specs.describe_all(),
            "kinds": self.kinds(),
            "installs": self.installs(),
            "env_dir": str(self.envs.root),
            "kernel_dir": str(self.specs.dir),
        }

    def describe(self, name: str) -> dict[str, Any]:
        return self.specs.describe(name)

    # -- installs -----------------------------------------------------------------
    def start_install(self, body: dict[str, Any]) -> dict[str, Any]:
        """Check the request and start the install in the background; 4xx for bad input."""
        kind = body.get("kind")
        installer = self.installers.get(kind) if isinstance(kind, str) else None
        if installer is None:
            raise KernelsError(400, f"unknown kind {kind!r}: choose one of "
                               f"{', '.join(sorted(self.installers))}", "UnknownKind")
        raw_options = body.get("options")
        raw_options = {} if raw_options is None else raw_options
        if not isinstance(raw_options, dict):
            raise KernelsError(400, "'options' must be an object", "InvalidOption")
        options = installer.validate_options(raw_options)
        name = check_kernel_name(body.get("name") or installer.name_for(options))
        display_name = body.get("display_name") or installer.display_name_for(options)
        if not isinstance(display_name, str) or len(display_name) > 200 \
                or not display_name.isprintable():
            raise KernelsError(400, "'display_name' must be a string of at most 200 printable "
                               "characters", "InvalidArgument")
        replace = body.get("replace", False)
        if not isinstance(replace, bool):
            raise KernelsError(400, "'replace' must be true or false", "InvalidArgument")
        self._check_free(name, replace)
        installer.precheck(options)
        job = InstallJob(kind=kind, name=name, display_name=display_name.strip() or name,
                         options=options, replace=replace,
                         log=InstallLog(self.config.max_log_chars))
        self.jobs[job.id] = job
        self._forget_old()
        job.task = asyncio.ensure_future(self._run(job, installer))
        return job.describe()

    def _check_free(self, name: str, replace: bool) -> None:
        for other in self.jobs.values():
            if other.name == name and not other.finished:
                raise KernelsError(409, f"kernel {name!r} is being installed (install "
                                   f"{other.id})", "InstallInProgress")
        if replace:
            return
        location = self.specs.location(name)
        if location is not None:
            raise KernelsError(409, f"a kernel named {name!r} exists ({location}): choose "
                               "another name or replace it", "KernelExists")
        if self.envs.exists(name):
            raise KernelsError(409, f"an environment named {name!r} exists in "
                               f"{self.envs.root}: choose another name or replace it",
                               "KernelExists")

    def _forget_old(self) -> None:
        finished = [j for j in self.jobs.values() if j.finished]
        for job in finished[: max(0, len(finished) - self.config.keep_finished)]:
            del self.jobs[job.id]

    def job(self, job_id: str) -> InstallJob:
        job = self.jobs.get(job_id)
        if job is None:
            raise KernelsError(404, f"no install {job_id!r}", "NoSuchInstall")
        return job

    def running(self) -> list[str]:
        """Names of the kernels being installed (or waiting to be)."""
        return [j.name for j in self.jobs.values() if not j.finished]

    def installs(self) -> list[dict[str, Any]]:
        return [j.describe() for j in sorted(self.jobs.values(), key=lambda j: -j.created)]

    def describe_install(self, job_id: str) -> dict[str, Any]:
        return self.job(job_id).describe()

    async def read_log(self, job_id: str, offset: int = 0, wait: float = 0.0) -> dict[str, Any]:
        """The log from ``offset``; with ``wait``, first wait up to that long for more."""
        job = self.job(job_id)
        await job.log.wait(offset, min(max(wait, 0.0), MAX_WAIT))
        chunk = job.log.read(offset)
        return {"id": job.id, "text": chunk.text, "offset": chunk.offset,
                "next_offset": chunk.next_offset, "truncated": chunk.truncated,
                "status": job.status, "finished": job.finished and chunk.next_offset >= job.log.end}

    def cancel(self, job_id: str) -> dict[str, Any]:
        job = self.job(job_id)
        if not job.finished and job.task is not None:
            if job.status == IN_PROGRESS:
                job.status = STOPPING
                job.log.write("==> cancelling\n")
            job.task.cancel()
        return job.describe()

    async def _run(self, job: InstallJob, installer: KernelInstaller) -> None:
        try:
            async with self._locks[job.kind]:
                job.status, job.started = IN_PROGRESS, time.time()
                job.phase = "starting"
                await self._install(job, installer)
        except asyncio.CancelledError:
            job.finish(STOPPED, "cancelled; nothing was left behind")
        except asyncio.TimeoutError:
            job.finish(FAILED, f"timed out after {self.config.install_timeout:.0f} s; "
                       "nothing was left behind")
        except InstallFailed as err:
            job.finish(FAILED, str(err))
        except Exception as err:  # an installer's bug must not leave a job InProgress
            self.log.exception("kernel install %s failed", job.id)
            job.finish(FAILED, f"{type(err).__name__}: {err}")
        else:
            job.finish(COMPLETED, f"kernel {job.name!r} installed")

    async def _install(self, job: InstallJob, installer: KernelInstaller) -> None:
        if not job.replace:
            self._check_free_now(job)
        build = self.envs.begin(job.name, job.id)
        work = Path(tempfile.mkdtemp(prefix=f"mlstudio-kernel-{job.name}-"))
        ctx = InstallContext(job, build.env, work / "kernelspec", work, self.envs.cache_dir)
        try:
            await asyncio.wait_for(self._build(ctx, installer, build), self.config.install_timeout)
        except BaseException:
            await asyncio.shield(asyncio.to_thread(self.envs.rollback, build))
            raise
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _check_free_now(self, job: InstallJob) -> None:
        """The name may have been taken while the job waited for its turn."""
        location = self.specs.location(job.name)
        if location is not None or self.envs.exists(job.name):
            raise InstallFailed(f"kernel {job.name!r} was installed meanwhile "
                                f"({location or self.envs.path(job.name)})")

    async def _build(self, ctx: InstallContext, installer: KernelInstaller, build: Build) -> None:
        await installer.install(ctx)
        if not (ctx.spec_dir / "kernel.json").is_file():
            raise InstallFailed(f"the {installer.kind} installer wrote no kernel.json")
        ctx.phase("registering the kernel", 97)
        record = self._finish_spec(ctx)
        self.envs.save(build, record, ctx.spec_dir)
        location = self.specs.register(ctx.spec_dir, ctx.name)
        self.envs.commit(build)
        try:
            ctx.job.kernelspec = self.specs.describe(ctx.name)
        except KernelsError:  # c.KernelsApp.kernel_dir is not on Jupyter's path
            ctx.job.kernelspec = {"name": ctx.name, "location": str(location)}
        ctx.log(f"registered {location}\n")

    def _finish_spec(self, ctx: InstallContext) -> dict[str, Any]:
        """Mark kernel.json as ours; return the environment's record."""
        spec_file = ctx.spec_dir / "kernel.json"
        spec = json.loads(spec_file.read_text("utf-8"))
        record = {
            "kind": ctx.job.kind,
            "name": ctx.name,
            "environment": str(ctx.env),
            "installed": datetime.now(timezone.utc).isoformat(),
            "installed_by": f"jupyter_mlstudio {__version__}",
            "options": ctx.options,
            **ctx.metadata,
        }
        spec.setdefault("metadata", {})[META_KEY] = record
        spec_file.write_text(json.dumps(spec, indent=1), "utf-8")
        return record

    # -- uninstall ----------------------------------------------------------------
    def uninstall(self, name: str) -> dict[str, Any]:
        """Remove a kernelspec and, for kernels we installed, its environment."""
        check_kernel_name(name)
        for job in self.jobs.values():
            if job.name == name and not job.finished:
                raise KernelsError(409, f"kernel {name!r} is being installed (install "
                                   f"{job.id}): cancel it first", "InstallInProgress")
        location = self.specs.location(name)
        record = self.envs.record(name)
        if location is None and record is None:
            raise KernelsError(404, f"no kernel named {name!r}", "NoSuchKernel")
        managed = record is not None
        if location is not None:
            info = self.specs.describe(name)
            managed = info["managed"]
            if not managed and not self.config.uninstall_unmanaged:
                raise KernelsError(403, f"kernel {name!r} ({location}) was not installed by "
                                   "jupyter_mlstudio; remove it with `jupyter kernelspec remove "
                                   f"{name}` (or set c.KernelsApp.uninstall_unmanaged)",
                                   "NotManaged")
            self.specs.remove(name)
        removed_env = None
        if managed and self.envs.exists(name):
            removed_env = str(self.envs.path(name))
            self.envs.remove(name)
        return {"name": name, "location": location, "environment": removed_env}

    # -- server start and stop ----------------------------------------------------------
    def reregister(self) -> list[str]:
        """Clean half-built environments; register complete ones whose kernelspec has gone."""
        for name in self.envs.cleanup_stale():
            self.log.warning("removed the half-built kernel environment %r", name)
        restored = []
        for name, record in self.envs.records():
            saved = self.envs.saved_spec(name)
            if self.specs.location(name) is not None or not (saved / "kernel.json").is_file():
                continue
            try:
                self.specs.register(saved, name)
            except OSError as err:
                self.log.warning("cannot register kernel %r again: %s", name, err)
                continue
            restored.append(name)
            self.log.info("registered the %s kernel %r again from %s", record.get("kind"),
                          name, self.envs.path(name))
        return restored

    async def stop(self) -> None:
        """Cancel running installs (each rolls back) and wait for them."""
        tasks = [j.task for j in self.jobs.values() if j.task and not j.task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=30)
