"""The batch transform runner: SageMaker's ``CreateTransformJob``, on this machine.

    python -m jupyter_mlstudio.serving.transform JOB_DIR

Reads ``JOB_DIR/spec.json`` (the CreateTransformJob body plus ``InstanceUrls``, the
model servers to call), streams every input object from S3, sends its records to
``POST /invocations`` (at most ``MaxConcurrentTransforms`` at a time, spread over the
instances) and writes ``<S3OutputPath>/<name>.out`` per input, in input order. Each
output object appears only once complete. Progress goes to ``JOB_DIR/state.json``
(atomically, at least every half second while it changes), readable lines to stdout.
Exit status 0 when Completed or Stopped (SIGTERM), 1 when Failed.
"""
from __future__ import annotations

import concurrent.futures
import ctypes
import ctypes.util
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Generator

from ...engine.statefile import StateFile
from .invoke import Instances
from .io import InputFile, ObjectStream, OutputWriter, list_inputs
from .pool import WorkerPool
from .records import assemble, batches, join_input
from .spec import MiB, TransformError, TransformSpec, parse_spec

log = logging.getLogger("jupyter_mlstudio.serving.transform")

SAVE_EVERY = 0.4
LOG_EVERY = 5.0
WAIT_STEP = 0.25
IN_FLIGHT_BYTES = 32 * MiB
FAILURE_LIMIT = 1024
_M_MMAP_THRESHOLD = -3  # mallopt parameters (glibc malloc.h)
_M_ARENA_MAX = -8


def now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _call(fn: Any, *args: Any) -> Any:
    return fn(*args)


class Stopped(Exception):
    """SIGTERM arrived: the job ends as Stopped."""


class JobState(StateFile):
    """``state.json`` of a transform job: status, failure reason, progress, outputs, start
    and end times."""

    def __init__(self, job_dir: Path) -> None:
        super().__init__(job_dir, {})
        self.data = {  # a new run starts afresh
            "status": "InProgress", "failure_reason": None,
            "progress": {"files_total": 0, "files_done": 0, "records_done": 0,
                         "bytes_total": 0, "bytes_done": 0},
            "outputs": [], "started": now(), "ended": None, "pid": os.getpid(),
        }
        self._saved = 0.0

    @property
    def progress(self) -> dict[str, int]:
        return self.data["progress"]

    def save(self) -> None:
        super().save()
        self._saved = time.monotonic()

    def tick(self) -> None:
        """Save if the last save is older than :data:`SAVE_EVERY`."""
        if time.monotonic() - self._saved >= SAVE_EVERY:
            self.save()

    def finish(self, status: str, reason: str | None = None) -> None:
        self.data["status"] = status
        self.data["failure_reason"] = reason[:FAILURE_LIMIT] if reason else None
        self.data["ended"] = now()
        self.save()


@dataclass
class _Step:
    """One thing to do in input order: open an output, write a batch, close it, or fail."""

    kind: str  # "start" | "batch" | "end" | "error"
    item: InputFile
    payload: bytes = b""
    records: int = 0
    offset: int = 0
    future: concurrent.futures.Future | None = None
    error: TransformError | None = None


class TransformRunner:
    """Runs one transform job; :meth:`run` returns the final status."""

    def __init__(self, spec: TransformSpec, state: JobState, s3: Any,
                 stop: threading.Event) -> None:
        self.spec = spec
        self.state = state
        self.s3 = s3
        self.stop = stop
        self.instances = Instances(spec.instance_urls, content_type=spec.content_type,
                                   accept=spec.accept, timeout=spec.timeout,
                                   retries=spec.retries)
        self.window = max(spec.concurrency + 1,
                          min(2 * spec.concurrency, IN_FLIGHT_BYTES // spec.max_payload))
        self.writer: OutputWriter | None = None
        self.uploads = WorkerPool(1, _call, "upload")
        self._bytes_before = 0  # stored bytes of the files already done
        self._file_started = 0.0
        self._file_records = 0
        self._logged = time.monotonic()
        self._started = time.monotonic()

    # -- reading ---------------------------------------------------------------------
    def _steps(self, inputs: list[InputFile]) -> Generator[_Step, None, None]:
        spec = self.spec
        for item in inputs:
            yield _Step("start", item)
            stream = ObjectStream(self.s3, item, gzip=spec.gzip)
            try:
                for payload, records in batches(stream.chunks(), spec.split_type,
                                                spec.batch_strategy, spec.max_payload,
                                                item.uri):
                    yield _Step("batch", item, payload, records, stream.offset)
            except TransformError as err:
                yield _Step("error", item, error=err)
                return
            yield _Step("end", item)

    # -- writing ---------------------------------------------------------------------
    def _shape(self, step: _Step, response: bytes) -> bytes:
        spec = self.spec
        if spec.join_input:
            return join_input(step.payload, response, split_type=spec.split_type,
                              content_type=spec.content_type, accept=spec.accept,
                              what=step.item.uri)
        return assemble(response, spec.assemble_with)

    def _apply(self, step: _Step, response: bytes | None) -> None:
        item, progress = step.item, self.state.progress
        if step.kind == "start":
            self.writer = OutputWriter(self.s3, item.out_bucket, item.out_key, self.spec.accept,
                                       uploads=self.uploads)
            self._file_started = time.monotonic()
            self._file_records = 0
        elif step.kind == "batch":
            assert self.writer is not None and response is not None
            self.writer.write(self._shape(step, response))
            self._file_records += step.records
            progress["records_done"] += step.records
            progress["bytes_done"] = self._bytes_before + step.offset
        elif step.kind == "end":
            assert self.writer is not None
            self.writer.close()
            self.writer = None
            self._bytes_before += item.size
            progress["bytes_done"] = self._bytes_before
            progress["files_done"] += 1
            self.state.data["outputs"].append(item.out_uri)
            took = time.monotonic() - self._file_started
            log.info("%s -> %s: %d records in %.1f s", item.uri, item.out_uri,
                     self._file_records, took)
            self.state.save()
        elif step.error is not None:
            raise step.error

    # -- the loop --------------------------------------------------------------------
    def _check(self) -> None:
        if self.stop.is_set():
            raise Stopped()
        self.state.tick()
        if time.monotonic() - self._logged >= LOG_EVERY:
            self._logged = time.monotonic()
            p = self.state.progress
            log.info("progress: %d/%d files, %d records, %.1f/%.1f MB", p["files_done"],
                     p["files_total"], p["records_done"], p["bytes_done"] / MiB,
                     p["bytes_total"] / MiB)

    def _pump(self, inputs: list[InputFile], pool: WorkerPool) -> None:
        """Read ahead up to ``window`` batches in flight; apply steps in input order."""
        steps = self._steps(inputs)
        pending: deque[_Step] = deque()
        in_flight = 0
        exhausted = False
        try:
            while True:
                self._check()
                while not exhausted and in_flight < self.window:
                    step = next(steps, None)
                    if step is None or step.kind == "error":
                        exhausted = True
                    if step is None:
                        break
                    if step.kind == "batch":
                        step.future = pool.submit(step.payload, step.item.uri)
                        in_flight += 1
                        if not self.spec.join_input:
                            step.payload = b""  # only the request needs it now
                    pending.append(step)
                    self._check()
                if not pending:
                    return
                head = pending[0]
                response = None
                if head.future is not None:
                    try:
                        response = head.future.result(timeout=WAIT_STEP)
                    except concurrent.futures.TimeoutError:
                        continue
                    in_flight -= 1
                pending.popleft()
                self._apply(head, response)
        finally:
            steps.close()
            for step in pending:
                if step.future is not None:
                    step.future.cancel()

    def run(self) -> str:
        """Transform every input; the final status (Completed, Failed or Stopped)."""
        spec, progress = self.spec, self.state.progress
        status, reason = "Completed", None
        try:
            inputs = list_inputs(self.s3, spec)
            if not inputs:
                raise TransformError(f"no input objects under {spec.input_uri}")
            progress["files_total"] = len(inputs)
            progress["bytes_total"] = sum(i.size for i in inputs)
            self.state.save()
            log.info("transform job %s: %d input objects (%.1f MB) under %s -> %s; "
                     "%s/%s, MaxPayloadInMB %d, %d concurrent over %d instance(s)",
                     spec.name, len(inputs), progress["bytes_total"] / MiB, spec.input_uri,
                     spec.output_path, spec.split_type, spec.batch_strategy,
                     spec.max_payload_mb, spec.concurrency, len(spec.instance_urls))
            self._pump(inputs, WorkerPool(spec.concurrency, self.instances.invoke, "invoke"))
        except Stopped:
            status = "Stopped"
        except TransformError as err:
            status, reason = "Failed", str(err)
        except Exception as err:  # a bug or an unexpected failure: still a clear end
            traceback.print_exc(file=sys.stdout)
            status, reason = "Failed", f"internal error: {type(err).__name__}: {err}"
        finally:
            if self.writer is not None:
                self.writer.abort()
                self.writer = None
        took = time.monotonic() - self._started
        log.info("%s after %.1f s: %d/%d files, %d records (%.0f records/s, %.1f MB/s)%s",
                 status, took, progress["files_done"], progress["files_total"],
                 progress["records_done"], progress["records_done"] / max(took, 1e-3),
                 progress["bytes_done"] / MiB / max(took, 1e-3),
                 f": {reason}" if reason else "")
        self.state.finish(status, reason)
        return status


def _s3_client() -> Any:
    from ...s3.files import client

    return client()


def _return_big_buffers() -> None:
    """Have glibc map each large buffer on its own, so freeing one gives the memory back.

    Payloads and responses are megabytes each; with glibc's default (a threshold that
    rises after the first frees, and an arena per thread) freed buffers stay in the
    heap and the process's RSS drifts far above the data it holds.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, 256 * 1024)
        libc.mallopt(_M_ARENA_MAX, 2)
    except (OSError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the job in ``JOB_DIR``; 0 for Completed or Stopped, 1 for Failed."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m jupyter_mlstudio.serving.transform JOB_DIR", file=sys.stderr)
        return 2
    # The job log shows this package's lines; libraries only their warnings.
    logging.basicConfig(stream=sys.stdout, level=logging.WARNING,
                        format="%(asctime)s %(message)s", datefmt="%Y-%m-%dT%H:%M:%S")
    logging.getLogger("jupyter_mlstudio").setLevel(logging.INFO)
    _return_big_buffers()
    job_dir = Path(args[0])
    state = JobState(job_dir)
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("received signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        spec = parse_spec(json.loads((job_dir / "spec.json").read_text()))
    except (OSError, ValueError, TransformError) as err:
        reason = f"invalid job spec: {err}"
        log.info("Failed: %s", reason)
        state.finish("Failed", reason)
        return 1
    state.save()
    status = TransformRunner(spec, state, _s3_client(), stop).run()
    sys.stdout.flush()
    return 1 if status == "Failed" else 0
