"""The local backend: each job is a runner process group on this machine."""
from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable

from jupyter_core.paths import jupyter_data_dir
from traitlets import Bool, Dict, Enum, Float, Int, List, Unicode, default

from .. import optml
from ..jobs import framework_envs, interpreters
from ..jobs.forkdirs import clear_stale
from ..engine.statefile import read_state
from ..jobs.launcher import ForkServer
from ..procid import start_time
from ..process import helper_environment
from ..sagemaker.errors import ValidationError
from .base import Availability, JobBackend


def _cpu_count() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class LocalBackend(JobBackend):
    """Runs jobs as process groups on the Jupyter server's machine.

    Each job gets a folder ``<data_dir>/jobs/<name>`` holding the SageMaker
    container layout of each host, the log and the state the runner reports. Each
    host's script sees its folder at ``/opt/ml`` in a mount namespace of its own (see
    ``opt_ml_namespace``). Runners are not tied to the server's life: a restarted
    server reattaches.
    """

    name = "local"

    max_concurrent_jobs = Int(
        config=True,
        help="Jobs that may run at once; more wait with 'waiting for capacity'. "
        "Default: the number of CPUs.",
    )

    @default("max_concurrent_jobs")
    def _default_max_concurrent_jobs(self) -> int:
        return _cpu_count()

    python = Unicode(
        sys.executable,
        config=True,
        help="Interpreter for jobs whose image names no framework or kernel.",
    )
    framework_environments = Dict(
        config=True,
        help="""Interpreter per SageMaker framework, by kernelspec name or Python path,
        e.g. {"pytorch": "torch-env", "sklearn": "/opt/envs/sk/bin/python"}. Frameworks
        not listed run with `python`.""",
    )
    build_framework_environments = Bool(
        True,
        config=True,
        help="""Give a job whose image is a SageMaker framework image of one of
        framework_env_frameworks a venv with that framework at the version in the image's
        tag, SageMaker's toolkits and what the image carries besides, built on first use
        (its progress in the job's log) and reused. Not for frameworks in
        framework_environments, nor where the server's own Python has the version.
        False: such jobs run with `python`.""",
    )
    framework_env_frameworks = List(
        Unicode(),
        ["sklearn", "xgboost"],
        config=True,
        help="The frameworks whose images get a built environment. PyTorch, TensorFlow, "
        "Hugging Face and MXNet are left out by default: their PyPI wheels are builds of "
        "several GB (CUDA), so their images run with `python` unless listed here "
        "(e.g. [\"sklearn\", \"xgboost\", \"pytorch\"]).",
    )
    framework_env_dir = Unicode(
        config=True,
        help="Folder of the built framework environments, shared by every server of this "
        "user. Default: <Jupyter data dir>/mlstudio/framework-envs.",
    )

    @default("framework_env_dir")
    def _default_framework_env_dir(self) -> str:
        return str(Path(jupyter_data_dir()) / "mlstudio" / "framework-envs")

    framework_pip_options = List(
        Unicode(),
        config=True,
        help="Extra arguments for pip when it builds a framework environment, e.g. "
        "['--index-url', 'https://mirror/simple'].",
    )
    stop_grace = Float(
        10.0, config=True, help="Seconds between SIGTERM and SIGKILL when a job is stopped."
    )
    stop_timeout = Float(
        120.0,
        config=True,
        help="Seconds a runner gets, after StopTrainingJob, to stop its hosts (within "
        "stop_grace) and upload what the model folder holds; a runner still there "
        "then is killed with its hosts, and the job ends Stopped.",
    )
    max_log_bytes = Int(
        10 * 1024 * 1024, config=True, help="A job's log is capped at this size (its tail kept)."
    )
    jobs_dir = Unicode(config=True, help="Folder of the job folders. Default: <data_dir>/jobs.")

    opt_ml_namespace = Enum(
        list(optml.MODES),
        "auto",
        config=True,
        help="'auto': every training host, model server and transform instance sees its "
        "own folder at /opt/ml, in a private mount namespace (as root, or as another user "
        "where the kernel allows user namespaces); where none can be made, and with "
        "'off', the contract is at the folder SAGEMAKER_BASE_DIR names, and the job log "
        "and the status route say why.",
    )
    checkpoint_interval = Float(
        10.0,
        config=True,
        help="Seconds between uploads of what changed in a job's CheckpointConfig.LocalPath "
        "while it trains (a last upload follows when it ends).",
    )

    use_fork_server = Bool(
        True,
        config=True,
        help="Start runners from a warm fork server (boto3 already imported): jobs start "
        "and finish hundreds of milliseconds sooner. False: a fresh Python per job.",
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._children: dict[int, subprocess.Popen] = {}  # runners started by this server
        self._fork_server: ForkServer | None = None
        self._reapers: set[asyncio.Task] = set()
        clear_stale(self._fork_server_dir())  # left by a server that was killed

    def _fork_server_dir(self) -> Path | None:
        """Where fork servers keep their socket: ``<jobs_dir>/.fs`` (no job name starts
        with a dot)."""
        return Path(self.jobs_dir) / ".fs" if self.jobs_dir else None

    @classmethod
    def availability(cls) -> Availability:
        return Availability(True, f"{_cpu_count()} CPUs on this machine")

    def isolation(self) -> optml.Isolation:
        """Whether jobs get a private /opt/ml (probed once per server), and why not."""
        return optml.isolation(self.opt_ml_namespace)

    def environment_to_build(self, image: str | None,
                             default_python: str) -> framework_envs.ImageFramework | None:
        """The framework environment ``image`` runs in, if one is built for it."""
        return interpreters.environment_to_build(
            image, default_python, self.framework_environments,
            self.framework_env_frameworks if self.build_framework_environments else ())

    def interpreter(self, image: str | None, default_python: str,
                    say: Callable[[str], None]) -> str:
        """The Python for ``image`` (blocking: builds its framework environment on first
        use, telling ``say``); a 400 naming the image when none can be built."""
        wanted = self.environment_to_build(image, default_python)
        if wanted is None:
            return interpreters.resolve(image, default_python, self.framework_environments)
        try:
            return framework_envs.ensure(Path(self.framework_env_dir), wanted, say,
                                         pip_options=tuple(self.framework_pip_options))
        except framework_envs.FrameworkEnvError as err:
            raise ValidationError(f"no environment can be built for the image {image}: "
                                  f"{err}") from None

    def capacity(self) -> int:
        return max(1, self.max_concurrent_jobs)

    def job_dir(self, job_name: str) -> Path:
        return Path(self.jobs_dir) / job_name

    async def start(
        self, job_name: str, plan: dict[str, Any], env: dict[str, str]
    ) -> dict[str, Any]:
        job_dir = self.job_dir(job_name)
        if job_dir.exists():
            shutil.rmtree(job_dir)
        job_dir.mkdir(parents=True)
        isolation = await asyncio.to_thread(self.isolation)
        plan = {**plan, "stop_grace": self.stop_grace, "max_log_bytes": self.max_log_bytes,
                "opt_ml": isolation.as_dict(), "checkpoint_interval": self.checkpoint_interval}
        (job_dir / "plan.json").write_text(json.dumps(plan))
        if self.use_fork_server:
            if self._fork_server is None:
                self._fork_server = ForkServer(self._fork_server_dir())
            pid = await self._fork_server.launch(str(job_dir), env)
            if pid is not None:
                return {"pid": pid, "job_dir": str(job_dir), "start_time": start_time(pid)}
        # Not tied to the server (no parent-death signal): jobs outlive a server restart.
        with open(job_dir / "runner.log", "wb") as runner_log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "jupyter_mlstudio.jobs.runner", str(job_dir)],
                cwd=job_dir, env=helper_environment(env),
                stdin=subprocess.DEVNULL, stdout=runner_log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._children[proc.pid] = proc
        return {"pid": proc.pid, "job_dir": str(job_dir), "start_time": start_time(proc.pid)}

    async def poll(self, state: dict[str, Any]) -> int | None:
        pid = state.get("pid")
        if not pid:
            return -1
        child = self._children.get(pid)
        if child is not None:  # started by this server: reap it
            code = child.poll()
            if code is not None:
                self._children.pop(pid, None)
            return code
        return None if _is_runner(pid, state) else -1

    async def wait(self, state: dict[str, Any], timeout: float) -> None:
        """Wake at once when the runner exits (a pidfd becomes readable), else after
        ``timeout``: jobs are seen to end without polling delay."""
        pid = state.get("pid")
        try:
            fd = os.pidfd_open(pid) if pid else None
        except (OSError, AttributeError):
            fd = None
        if fd is None:
            await asyncio.sleep(timeout)
            return
        loop = asyncio.get_running_loop()
        exited = loop.create_future()

        def wake() -> None:
            if not exited.done():
                exited.set_result(None)

        loop.add_reader(fd, wake)
        try:
            await asyncio.wait_for(exited, timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            loop.remove_reader(fd)
            os.close(fd)

    async def status(self, state: dict[str, Any]) -> dict[str, Any]:
        return await asyncio.to_thread(read_state, Path(state["job_dir"]))

    async def stop(self, state: dict[str, Any]) -> None:
        pid = state.get("pid")
        if pid and await self.poll(state) is None:
            try:
                os.kill(pid, signal.SIGTERM)  # the runner stops its hosts, then reports
            except ProcessLookupError:
                return
            task = asyncio.ensure_future(self._kill_if_stuck(state))
            self._reapers.add(task)
            task.add_done_callback(self._reapers.discard)

    async def _kill_if_stuck(self, state: dict[str, Any]) -> None:
        """Whatever the runner is doing, a stop ends within ``stop_timeout``: a runner
        still alive by then is killed, with its hosts' process groups."""
        deadline = asyncio.get_running_loop().time() + max(self.stop_timeout, self.stop_grace)
        while await self.poll(state) is None:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            await self.wait(state, min(remaining, 1.0))
        else:
            return
        report = await self.status(state)
        self.log.warning("runner of %s did not stop within %.0f s: killing it",
                         Path(state["job_dir"]).name, self.stop_timeout)
        for host_pid in (report.get("host_pids") or {}).values():
            try:
                os.killpg(host_pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            os.kill(state["pid"], signal.SIGKILL)
        except ProcessLookupError:
            pass

    def log_path(self, state: dict[str, Any]) -> Path | None:
        return Path(state["job_dir"]) / "output.log" if state.get("job_dir") else None

    def metrics_path(self, state: dict[str, Any]) -> Path | None:
        return Path(state["job_dir"]) / "metrics.jsonl" if state.get("job_dir") else None

    def close(self) -> None:
        for task in self._reapers:
            task.cancel()
        for proc in self._children.values():  # runners outlive the server: reaped if they
            threading.Thread(target=proc.wait, daemon=True).start()  # end before it exits
        self._children.clear()
        if self._fork_server is not None:
            self._fork_server.close()

    async def remove(self, state: dict[str, Any]) -> None:
        if state.get("job_dir"):
            await asyncio.to_thread(shutil.rmtree, state["job_dir"], True)


def _is_runner(pid: int, state: dict[str, Any]) -> bool:
    """Whether ``pid`` is alive and is this job's runner (not a recycled pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    recorded = state.get("start_time")
    return recorded is None or recorded == start_time(pid)
