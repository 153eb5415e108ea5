"""Kernelspecs and install jobs: what the handlers and the CLI call."""
from __future__ import annotations

import asyncio
import builtins
import json
import logging
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager

from .._version import __version__
from ..engine.context import JobContext, JobFailed
from ..engine.engine import JobEngine, JobNotFound
from ..engine.kinds import JobKind
from ..sagemaker.statuses import COMPLETED, FAILED, PENDING, STOPPED, TERMINAL
from .config import KernelsApp
from .context import InstallContext
from .envs import Build, Environments
from .errors import InstallFailed, KernelsError
from .installers import KernelInstaller, installer_classes
from .names import check_kernel_name
from .specs import META_KEY, KernelSpecs

KIND = "kernel-install"
PHASES = {PENDING: "waiting for other installs of this kind", COMPLETED: "done",
          FAILED: "failed", STOPPED: "cancelled"}


class KernelsService:
    """Lists kernelspecs and installable kinds; runs installs as jobs of the engine.

    One install runs at a time per kind (later ones wait as Pending); each has a
    time-out and can be cancelled. An install builds its environment and kernelspec
    aside and registers the kernelspec last; a failure or cancel rolls everything back,
    restoring what a ``replace`` install was replacing.
    """

    def __init__(self, config: KernelsApp, manager: KernelSpecManager, engine: JobEngine,
                 log: logging.Logger | None = None) -> None:
        self.config = config
        self.log = log or logging.getLogger(__name__)
        self.specs = KernelSpecs(manager, config.kernel_dir)
        self.envs = Environments(Path(config.env_dir))
        self.installers: dict[str, KernelInstaller] = {
            kind: cls(parent=config)
            for kind, cls in installer_classes(config.installer_classes, self.log).items()
        }
        self.engine = engine
        self._submitting = asyncio.Lock()
        engine.register(JobKind(
            KIND, self._run,
            timeout=lambda: self.config.install_timeout,
            queue=lambda kind, spec: f"{kind}/{spec['kind']}",
            keep_finished=config.keep_finished,
            max_log_bytes=config.max_log_chars,
            cleanup_note="nothing was left behind",
        ))

    # -- listing ------------------------------------------------------------------
    def kinds(self) -> list[dict[str, Any]]:
        busy = {j["spec"]["kind"] for j in self.engine.jobs(KIND, active_only=True)}
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
    async def start_install(self, body: dict[str, Any]) -> dict[str, Any]:
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
        async with self._submitting:  # two requests for one name: the second is refused
            self._check_free(name, replace)
            installer.precheck(options)
            job = await self.engine.submit(KIND, name, {
                "kind": kind, "name": name, "display_name": display_name.strip() or name,
                "options": options, "replace": replace})
        return _install_view(job)

    def _check_free(self, name: str, replace: bool) -> None:
        for other in self.engine.jobs(KIND, name=name, active_only=True):
            raise KernelsError(409, f"kernel {name!r} is being installed (install "
                               f"{other['id']})", "InstallInProgress")
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

    def _job(self, job_id: str) -> dict[str, Any]:
        try:
            return self.engine.get(KIND, job_id)
        except JobNotFound:
            raise KernelsError(404, f"no install {job_id!r}", "NoSuchInstall") from None

    def running(self) -> builtins.list[str]:
        """Names of the kernels being installed (or waiting to be)."""
        return [j["name"] for j in self.engine.jobs(KIND, active_only=True)]

    def installs(self) -> builtins.list[dict[str, Any]]:
        return [_install_view(j) for j in self.engine.jobs(KIND)]

    def describe_install(self, job_id: str) -> dict[str, Any]:
        return _install_view(self._job(job_id))

    async def read_log(self, job_id: str, offset: int = 0, wait: float = 0.0) -> dict[str, Any]:
        """The log from ``offset``; with ``wait``, first wait up to that long for more."""
        self._job(job_id)
        page = await self.engine.follow_log(KIND, job_id, offset, wait)
        return {"id": job_id, "text": page["text"], "offset": page["offset"],
                "next_offset": page["next_offset"], "truncated": False,
                "status": page["status"], "finished": page["complete"]}

    async def cancel(self, job_id: str) -> dict[str, Any]:
        self._job(job_id)
        return _install_view(await self.engine.stop(KIND, job_id))

    async def _run(self, job: JobContext) -> str:
        installer = self.installers.get(job.spec["kind"])
        if installer is None:
            raise JobFailed(f"the {job.spec['kind']!r} installer is no longer configured")
        job.report(phase="starting", progress=0.0)
        await self._install(job, installer)
        return f"kernel {job.spec['name']!r} installed"

    async def _install(self, job: JobContext, installer: KernelInstaller) -> None:
        name = job.spec["name"]
        if not job.spec["replace"]:
            self._check_free_now(name)
        build = self.envs.begin(name, job.id)
        work = Path(tempfile.mkdtemp(prefix=f"mlstudio-kernel-{name}-"))
        ctx = InstallContext(job, build.env, work / "kernelspec", work, self.envs.cache_dir)
        try:
            await self._build(ctx, installer, build)
        except BaseException:
            await asyncio.shield(asyncio.to_thread(self.envs.rollback, build))
            raise
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _check_free_now(self, name: str) -> None:
        """The name may have been taken while the job waited for its turn."""
        location = self.specs.location(name)
        if location is not None or self.envs.exists(name):
            raise InstallFailed(f"kernel {name!r} was installed meanwhile "
                                f"({location or self.envs.path(name)})")

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
            ctx.job.result["kernelspec"] = self.specs.describe(ctx.name)
        except KernelsError:  # c.KernelsApp.kernel_dir is not on Jupyter's path
            ctx.job.result["kernelspec"] = {"name": ctx.name, "location": str(location)}
        ctx.log(f"registered {location}\n")

    def _finish_spec(self, ctx: InstallContext) -> dict[str, Any]:
        """Mark kernel.json as ours; return the environment's record."""
        spec_file = ctx.spec_dir / "kernel.json"
        spec = json.loads(spec_file.read_text("utf-8"))
        record = {
            "kind": ctx.job.spec["kind"],
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
        for job in self.engine.jobs(KIND, name=name, active_only=True):
            raise KernelsError(409, f"kernel {name!r} is being installed (install "
                               f"{job['id']}): cancel it first", "InstallInProgress")
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
    def reregister(self) -> builtins.list[str]:
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


def _install_view(job: dict[str, Any]) -> dict[str, Any]:
    """An install job as the kernels API has always shown it."""
    spec, progress, status = job["spec"], job["progress"], job["status"]
    return {
        "id": job["id"],
        "kind": spec["kind"],
        "name": spec["name"],
        "display_name": spec["display_name"],
        "options": spec["options"],
        "replace": spec["replace"],
        "status": status,
        "phase": PHASES[status] if status in TERMINAL or status == PENDING
        else progress.get("phase", "starting"),
        "progress": 100.0 if status == COMPLETED else round(progress.get("progress", 0.0), 1),
        "message": job["failure_reason"] or job["message"] if status in TERMINAL else "",
        "created": job["created"],
        "started": job["started"],
        "ended": job["ended"],
        "duration": job["duration"],
        "log_size": job["log_size"],
        "kernelspec": job["result"].get("kernelspec"),
    }
