"""The job runner: what a SageMaker training container's agent does, on this machine.

    python -m jupyter_mlstudio.jobs.runner JOB_DIR

Reads ``JOB_DIR/plan.json`` (written by the backend), then: downloads the code, the
input channels and the checkpoints (Downloading), runs the entry point on every host
(Training), each host in its own mount namespace whose ``/opt/ml`` is the host's folder
(see :mod:`jupyter_mlstudio.optml`; else at ``SAGEMAKER_BASE_DIR``), packs and
uploads ``model.tar.gz`` / ``output.tar.gz`` and the checkpoints (Uploading) and ends
Completed, Failed (with SageMaker's FailureReason) or Stopped. Progress goes to
``state.json`` (atomically), the script's output to ``output.log`` (capped; each host's
lines timed in its own index, see :mod:`.joblog`) and metric points to ``metrics.jsonl``.
It runs in its own process group and outlives a restart of the Jupyter server,
which reattaches to it through these files. SIGTERM stops the job.
"""
from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import deque
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Callable, TypeVar, cast

from botocore.exceptions import ClientError

from .. import optml
from ..process import helper_environment, signal_group
from ..s3.localpaths import UnsafeKey, local_path, relative_key
from ..s3.manifest import ManifestError, read_manifest
from . import container, framework_envs
from .checkpoints import CheckpointSync, list_keys
from ..engine.joblog import CappedLog, LineBuffer
from .metrics import MATCH_LIMIT, MetricParser, MetricWorker
from .sourcedir import source_files
from ..engine.statefile import StateFile
from .spec import decode_hyperparameter, user_hyperparameters

FAILURE_LIMIT = 1024
SMALL_UPLOAD = 8 * 1024 * 1024
STDERR_TAIL = 40  # lines of each host's stderr kept for the FailureReason
_T = TypeVar("_T")


def now() -> str:
    return datetime.now(timezone.utc).isoformat()


class StopRequested(Exception):
    pass


class JobState(StateFile):
    """``state.json`` of a training job: status, secondary status transitions, failure
    reason, artifacts (SageMaker's names)."""

    def __init__(self, job_dir: Path) -> None:
        super().__init__(job_dir, {"TrainingJobStatus": "InProgress",
                                   "SecondaryStatusTransitions": []})
        self.data["runner_pid"] = os.getpid()
        #: the end is being written: a stop arriving now changes nothing
        self.ending = False

    def secondary(self, status: str, message: str, save: bool = True) -> None:
        stamp = now()
        transitions = self.data["SecondaryStatusTransitions"]
        if transitions and "EndTime" not in transitions[-1]:
            transitions[-1]["EndTime"] = stamp
        transitions.append({"Status": status, "StartTime": stamp, "StatusMessage": message})
        self.data["SecondaryStatus"] = status
        if save:
            self.save()

    def finish(self, status: str, secondary: str, message: str,
               failure: str | None = None) -> None:
        """The job's end, in one write: the server stops reading at a final status, so
        it must come with everything else."""
        self.ending = True
        self.data["TrainingJobStatus"] = status
        if failure:
            self.data["FailureReason"] = failure[:FAILURE_LIMIT]
        self.data["TrainingEndTime"] = now()
        self.secondary(secondary, message, save=False)
        self.data["SecondaryStatusTransitions"][-1]["EndTime"] = self.data["TrainingEndTime"]
        self.save()


class Runner:
    @classmethod
    def from_job_dir(cls, job_dir: str) -> "Runner":
        return cls(Path(job_dir))

    def __init__(self, job_dir: Path) -> None:
        self.job_dir = job_dir
        self.plan = json.loads((job_dir / "plan.json").read_text())
        self.spec = self.plan["spec"]
        self.name = self.spec["TrainingJobName"]
        self.state = JobState(job_dir)
        self.hosts = container.host_names(self.spec["ResourceConfig"]["InstanceCount"])
        # The runner's own lines are the first host's, as a single-host job's always were.
        self.log = CappedLog(job_dir / "output.log", self.plan["max_log_bytes"],
                             stream=self.hosts[0])
        self.metrics = MetricWorker(MetricParser(
            self.spec["AlgorithmSpecification"]["MetricDefinitions"], job_dir / "metrics.jsonl"))
        self._long_line_noted = False
        self.deadline = time.monotonic() + self.spec["StoppingCondition"]["MaxRuntimeInSeconds"]
        self.stop_reason: str | None = None
        self.procs: dict[str, subprocess.Popen] = {}
        self.commands: dict[str, list[str]] = {}
        self.stderr_tail: dict[str, deque[str]] = {
            h: deque(maxlen=STDERR_TAIL) for h in self.hosts}
        self.isolation = optml.Isolation.from_dict(self.plan.get("opt_ml"))
        self.checkpoints: CheckpointSync | None = None
        self._s3 = None
        self._s3_lock = threading.Lock()
        self._s3_ready = threading.Thread(target=lambda: self.s3, daemon=True)

    # -- signals -------------------------------------------------------------------
    def on_sigterm(self, *_: Any) -> None:
        if self.stop_reason is None and not self.state.ending:
            self.stop_reason = "Stopped"
            self.state.data["TrainingJobStatus"] = "Stopping"
            self.state.secondary("Stopping", "Stopping the training job")

    def check_stop(self) -> None:
        if self.stop_reason is None and time.monotonic() > self.deadline:
            self.stop_reason = "MaxRuntimeExceeded"
            self.state.data["TrainingJobStatus"] = "Stopping"
            self.state.secondary("Stopping", "Training job reached its MaxRuntimeInSeconds")
        if self.stop_reason:
            raise StopRequested()

    @property
    def s3(self):
        with self._s3_lock:
            if self._s3 is None:
                from ..s3.files import client

                self._s3 = client()
        return self._s3

    def say(self, message: str) -> None:
        self.log.write(f"[{datetime.now().strftime('%H:%M:%S')}] {message}")

    # -- stages --------------------------------------------------------------------
    def framework_python(self, settings: dict[str, Any]) -> str:
        """The Python of the image's framework environment, built now on first use."""
        image = settings["image"]
        wanted = framework_envs.image_framework(image)
        assert wanted is not None  # the server planned it from the same image
        try:
            return framework_envs.ensure(
                Path(settings["root"]), wanted, self.say,
                should_stop=lambda: bool(self.stop_reason) or time.monotonic() > self.deadline,
                pip_options=tuple(settings.get("pip_options") or ()))
        except framework_envs.FrameworkEnvError as err:
            self.check_stop()
            raise RuntimeError(f"ClientError: no environment can be built for the image "
                               f"{image}: {err}") from None

    def fetch_code(self) -> Path:
        code = self.job_dir / "code"
        source = decode_hyperparameter(
            self.spec["HyperParameters"].get("sagemaker_submit_directory", '""'))
        if code.exists():
            shutil.rmtree(code)
        if isinstance(source, str) and source.startswith("s3://"):
            bucket, key = source[5:].split("/", 1)
            with tempfile.TemporaryFile() as tmp:
                self.s3.download_fileobj(bucket, key, tmp)
                tmp.seek(0)
                with tarfile.open(fileobj=tmp, mode="r:*") as tar:
                    tar.extractall(code, filter="data")
        elif self.plan.get("code_dir"):
            # Checked again here: the folder may have changed since the job was created.
            root = self.plan.get("workspace_root") or self.plan["code_dir"]
            for rel, real in source_files(self.plan["code_dir"], root):
                (code / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(real, code / rel)
            code.mkdir(exist_ok=True)
        else:
            code.mkdir()
        return code

    def download_channels(self) -> dict[str, dict[str, Path]]:
        """Fill each host's ``input/data/<channel>``: a shared copy, or shards by key.

        Every key's local path is checked before the first byte is fetched: a key that
        would land outside its channel folder fails the job, naming the key."""
        per_host: dict[str, dict[str, Path]] = {h: {} for h in self.hosts}
        for ch in self.spec["InputDataConfig"]:
            name = ch["ChannelName"]
            source = ch["DataSource"]["S3DataSource"]
            bucket, _, prefix = source["S3Uri"][5:].partition("/")
            if source["S3DataType"] == "ManifestFile":
                try:
                    manifest = read_manifest(self.s3, source["S3Uri"])
                except (ManifestError, ClientError) as err:
                    raise RuntimeError(f"ClientError: channel {name}: manifest "
                                       f"{source['S3Uri']}: {err}") from None
                bucket, prefix, keys = manifest.bucket, manifest.prefix, manifest.keys()
            else:
                keys = self._keys(bucket, prefix)
            if not keys:
                raise RuntimeError(
                    f'ClientError: Data download failed:No S3 objects found under S3 URL '
                    f'"{source["S3Uri"]}" given in input data source. Please ensure that the '
                    f'bucket exists in the selected region, that objects exist under that S3 '
                    f'prefix, and that the role has "s3:ListBucket" permissions on bucket '
                    f'"{bucket}".')
            sharded = source["S3DataDistributionType"] == "ShardedByS3Key"
            targets = {h: self.job_dir / "data" / (f"{name}-{h}" if sharded else name)
                       for h in self.hosts}
            copies: list[tuple[str, Path]] = []
            for index, key in enumerate(keys):
                hosts = [self.hosts[index % len(self.hosts)]] if sharded else self.hosts[:1]
                try:
                    copies += [(key, local_path(targets[host], relative_key(key, prefix), key))
                               for host in hosts]
                except UnsafeKey as err:
                    raise RuntimeError(f"ClientError: channel {name}: {err.message}") from None
            for key, dest in copies:
                self.check_stop()
                dest.parent.mkdir(parents=True, exist_ok=True)
                self.s3.download_file(bucket, key, str(dest))
            for host in self.hosts:
                target = targets[host] if sharded else targets[self.hosts[0]]
                target.mkdir(parents=True, exist_ok=True)
                per_host[host][name] = target
            self.say(f"channel {name}: {len(keys)} object(s) from {source['S3Uri']}")
        return per_host

    def _keys(self, bucket: str, prefix: str) -> list[str]:
        return list_keys(self.s3, bucket, prefix)

    def restore_checkpoints(self) -> None:
        """Fill every host's checkpoint folder from ``CheckpointConfig.S3Uri``."""
        folders: list[Path] = []
        for h in self.hosts:
            folder = container.checkpoint_dir(container.base_dir(self.job_dir, h), self.spec)
            if folder is None:  # no CheckpointConfig
                return
            folders.append(folder)
        self.checkpoints = CheckpointSync(
            lambda: self.s3, self.spec["CheckpointConfig"]["S3Uri"], folders,
            float(self.plan.get("checkpoint_interval", 10.0)), self.say)
        self.checkpoints.restore()

    def entry_command(self, code: Path, program: str) -> list[str]:
        """How the entry point runs: a Python script with the job's interpreter; another
        program with a ``#!`` line (a container's ``train``) by itself, as SageMaker's
        toolkit runs a command entry point."""
        path = code / program
        if not program.endswith(".py"):
            with open(path, "rb") as f:
                if f.read(2) == b"#!":
                    path.chmod(path.stat().st_mode | 0o100)  # the job's own copy
                    return [str(path)]
        return [self.plan["python"], str(path)]

    def host_command(self, code: Path) -> tuple[list[str], str]:
        """(what every host runs, the script-mode entry point or ``""``): the
        ``ContainerEntrypoint`` with its ``ContainerArguments``, else the entry point
        script with the hyperparameters as arguments."""
        algorithm = self.spec["AlgorithmSpecification"]
        entrypoint = algorithm.get("ContainerEntrypoint")
        if entrypoint:
            if not self.isolation.private:
                raise RuntimeError("ClientError: a ContainerEntrypoint program opens /opt/ml by "
                                   "its absolute path, and /opt/ml cannot be private here: "
                                   f"{self.isolation.message}")
            return list(entrypoint) + list(algorithm.get("ContainerArguments") or []), ""
        if self.plan.get("algorithm"):  # a built-in algorithm reads hyperparameters.json
            return [self.plan["python"], str(code / self.plan["program"])], ""
        program = decode_hyperparameter(self.spec["HyperParameters"]["sagemaker_program"])
        if not (code / program).is_file():
            raise RuntimeError(f"entry point {program!r} not found in the source directory")
        hps = container.command_line_args(user_hyperparameters(self.spec["HyperParameters"]))
        return self.entry_command(code, program) + hps, program

    def start_hosts(self, code: Path, channels: dict[str, dict[str, Path]]) -> None:
        from ..s3.ports import free_ports

        command, program = self.host_command(code)
        (master_port,) = free_ports(1)
        num_cpus = os.cpu_count() or 1
        # The job's interpreter comes first on PATH, as a framework container's python.
        python_dir = os.path.dirname(self.plan["python"])
        self.say(self.isolation.message)
        for host in self.hosts:
            base = container.base_dir(self.job_dir, host)
            paths = container.make_layout(base)
            if paths["code"].exists() or paths["code"].is_symlink():
                paths["code"].unlink()
            paths["code"].symlink_to(code, target_is_directory=True)
            for name, directory in channels[host].items():
                link = paths["data"] / name
                if not link.exists():
                    link.symlink_to(directory, target_is_directory=True)
            checkpoints = container.checkpoint_dir(base, self.spec)
            if checkpoints is not None:
                checkpoints.mkdir(parents=True, exist_ok=True)
            container.write_config(paths, self.spec, self.hosts, host)
            # What the script is told: /opt/ml itself in its own namespace, else its folder.
            seen = container.layout(Path(optml.OPT_ML)) if self.isolation.private else paths
            env = helper_environment(container.environment(
                self.spec, seen, self.hosts, host, program, num_cpus, master_port))
            env["PATH"] = python_dir + os.pathsep + env.get("PATH", os.defpath)
            self.commands[host] = command
            try:
                self.procs[host] = subprocess.Popen(
                    command, cwd=code, env=env, stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                    preexec_fn=optml.preexec(self.isolation, optml.View(base)),
                )
            except subprocess.SubprocessError:
                raise RuntimeError(f"ClientError: {host}: the private /opt/ml could not be "
                                   "made (its mount namespace failed)") from None
        self.state.data["host_pids"] = {h: p.pid for h, p in self.procs.items()}
        self.state.save()

    def pump_output(self) -> None:
        """Copy every host's output to the log and the metric matcher until all exit.

        Metric matching runs in its own thread: this loop, which notices a stop or the
        time limit, only waits for room in its queue, and never longer than 0.2 s."""
        selector = selectors.DefaultSelector()
        for host, proc in self.procs.items():
            for stream in (proc.stdout, proc.stderr):
                assert stream is not None  # started with both piped
                os.set_blocking(stream.fileno(), False)
                selector.register(stream, selectors.EVENT_READ, (host, stream is proc.stderr))
        several = len(self.hosts) > 1
        buffers = {(h, err): LineBuffer() for h in self.procs for err in (False, True)}
        while selector.get_map():
            for key, _ in selector.select(timeout=0.2):
                host, is_stderr = source = key.data
                chunk = cast(IO[bytes], key.fileobj).read(65536)  # registered above
                if chunk:
                    lines = buffers[source].feed(chunk)
                else:
                    selector.unregister(key.fileobj)
                    lines = buffers[source].close()
                for raw in lines:
                    line = raw.decode("utf-8", "replace")
                    self.log.write(line, stream=host, prefix=f"[{host}] " if several else "")
                    if is_stderr:
                        self.stderr_tail[host].append(line)
                self.match_metrics(lines)
            self.check_stop()
        for proc in self.procs.values():
            proc.wait()

    def match_metrics(self, lines: list[bytes]) -> None:
        """Hand ``lines`` to the metric matcher, checking for a stop while it is busy."""
        if not self._long_line_noted and any(len(raw) > MATCH_LIMIT for raw in lines):
            self._long_line_noted = True
            self.say(f"metric regexes see the first {MATCH_LIMIT} bytes of a line; "
                     "longer lines are cut for matching")
        while not self.metrics.put(lines, timeout=0.2):
            self.check_stop()

    def drain_metrics(self) -> None:
        """Wait until every line has been matched (or a stop / the time limit comes)."""
        while not self.metrics.drained(timeout=0.2):
            self.check_stop()

    def stop_hosts(self) -> None:
        for proc in self.procs.values():
            signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + self.plan["stop_grace"]
        while time.monotonic() < deadline and any(p.poll() is None for p in self.procs.values()):
            time.sleep(0.05)
        for proc in self.procs.values():
            signal_group(proc, signal.SIGKILL)
            proc.wait()

    def failure_reason(self) -> str | None:
        """SageMaker's FailureReason for the first host that exited non-zero: what it
        wrote to ``/opt/ml/output/failure``, else the toolkit's ExecuteUserScriptError
        (exit code, the end of its stderr, the command)."""
        for host, proc in self.procs.items():
            if proc.returncode == 0:
                continue
            failure = container.layout(container.base_dir(self.job_dir, host))["failure"]
            text = failure.read_text(errors="replace").strip() if failure.is_file() else ""
            if not text:
                text = container.execute_user_script_error(
                    self.commands[host], proc.returncode, list(self.stderr_tail[host]))
            return f"AlgorithmError: {text}"
        return None

    def upload_artifacts(self, model: bool = True) -> None:
        """``output/data`` of every host as ``output.tar.gz`` and (unless ``model`` is
        False: the job failed) ``model/`` as ``model.tar.gz``, beside each other under
        ``<S3OutputPath>/<job>/output/``; what several hosts wrote is merged, a later
        host's file winning, as SageMaker aggregates them."""
        output = self.spec["OutputDataConfig"]["S3OutputPath"].rstrip("/")
        bucket, _, prefix = output[5:].partition("/")
        base = f"{prefix}/{self.name}/output" if prefix else f"{self.name}/output"
        layouts = [container.layout(container.base_dir(self.job_dir, h)) for h in self.hosts]
        for key, name in (("model", "model.tar.gz"), ("output_data", "output.tar.gz")):
            if key == "model" and not model:
                continue
            archive = self.job_dir / name
            with tarfile.open(archive, "w:gz") as tar:
                for arcname, item in _merged([paths[key] for paths in layouts]):
                    tar.add(item, arcname=arcname, recursive=False)
            if archive.stat().st_size < SMALL_UPLOAD:  # one request, no transfer threads
                self.s3.put_object(Bucket=bucket, Key=f"{base}/{name}",
                                   Body=archive.read_bytes())
            else:
                self.s3.upload_file(str(archive), bucket, f"{base}/{name}")
            archive.unlink()
        if model:
            self.state.data["ModelArtifacts"] = {
                "S3ModelArtifacts": f"s3://{bucket}/{base}/model.tar.gz"}
        self.state.data["OutputArtifacts"] = f"s3://{bucket}/{base}/output.tar.gz"
        self.state.save()

    def retry_while_unreachable(self, action: Callable[[], _T], patience: float = 120.0) -> _T:
        """Run ``action``, retrying while the S3 endpoint does not answer: the embedded
        store is briefly away while the Jupyter server restarts, and comes back on the
        same port."""
        from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

        deadline = time.monotonic() + patience
        while True:
            try:
                return action()
            except (EndpointConnectionError, ConnectTimeoutError):
                if time.monotonic() > deadline:
                    raise
                self.say("S3 endpoint unreachable; retrying")
                time.sleep(2.0)

    def upload(self, failure: str | None) -> str | None:
        """Upload what the hosts left (after a script failure too, all but the model:
        ``output/data`` and the checkpoints); the failure, or why uploading failed."""
        if not self.procs and failure is not None:
            return failure  # nothing ran
        self.state.secondary("Uploading", "Uploading generated training model")
        keep_model = failure is None or self.stop_reason is not None
        steps: list[Callable[[], object]] = [lambda: self.upload_artifacts(model=keep_model)]
        if self.checkpoints is not None:
            steps.insert(0, self.checkpoints.finish)
        for step in steps:
            try:
                self.retry_while_unreachable(step)
            except Exception as err:
                failure = failure or f"ClientError: uploading the job's output failed: {err}"
        return failure

    # -- the whole job -------------------------------------------------------------------
    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.on_sigterm)
        self.state.data.setdefault("TrainingStartTime", now())
        failure = None
        for note in self.metrics.parser.refused:
            self.say(note)
        try:
            if self.plan.get("framework_env"):
                self.plan["python"] = self.framework_python(self.plan["framework_env"])
            self.state.secondary("Downloading", "Downloading input data")
            code = self.fetch_code()
            channels = self.download_channels()
            self.restore_checkpoints()
            self.check_stop()
            self.state.secondary("Training", "Training in progress")
            self.start_hosts(code, channels)
            if self.checkpoints is not None:
                self.checkpoints.start()
            if self._s3 is None:
                self._s3_ready.start()  # load boto3 while the script runs, not after
            try:
                self.pump_output()
                self.drain_metrics()
            except StopRequested:
                self.stop_hosts()
                raise
            failure = self.failure_reason()
        except StopRequested:
            pass
        except Exception as err:  # anything else fails the job with a reason
            failure = f"ClientError: {err}" if not isinstance(err, RuntimeError) else str(err)
            if any(p.poll() is None for p in self.procs.values()):
                self.stop_hosts()  # e.g. the second host could not start
        failure = self.upload(failure)
        self.metrics.close(timeout=0 if self.stop_reason else 1.0)
        if self.metrics.error is not None:
            self.say(f"metrics were no longer recorded after an error: {self.metrics.error}")
        self.log.close()
        if self.stop_reason and failure is None:
            message = ("Training job stopped: it reached MaxRuntimeInSeconds"
                       if self.stop_reason == "MaxRuntimeExceeded" else "Training job stopped")
            self.state.finish("Stopped", self.stop_reason, message)
        elif failure:
            self.state.finish("Failed", "Failed", "Training job failed", failure)
        else:
            self.state.finish("Completed", "Completed", "Training job completed")
        return 0


def _merged(folders: list[Path]) -> list[tuple[str, Path]]:
    """Every file and folder below ``folders`` by relative path (a later folder's entry
    replacing an earlier one's), sorted: the members of one archive."""
    entries: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for root, dirs, files in os.walk(folder):
            for name in dirs + files:
                path = Path(root, name)
                entries[path.relative_to(folder).as_posix()] = path
    return sorted(entries.items())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m jupyter_mlstudio.jobs.runner JOB_DIR", file=sys.stderr)
        return 2
    return Runner(Path(argv[0])).run()


if __name__ == "__main__":
    sys.exit(main())
