"""``CheckpointConfig``: checkpoints restored from S3 before training, uploaded while and
after it runs, as SageMaker syncs ``LocalPath`` (default ``/opt/ml/checkpoints``).

Before the script starts, every object below ``S3Uri`` is copied into each host's
checkpoint folder. While it runs, a thread uploads every file that is new or changed
(size or modification time) each ``interval`` seconds; a last pass runs when the hosts
have exited (completed, failed or stopped). Files are never deleted from S3, as in
SageMaker. Every host uploads to the same prefix: scripts of several hosts name their
files apart (or write them on one host only), as SageMaker asks.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Any, Callable

from ..s3.localpaths import UnsafeKey, local_path, relative_key


def list_keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    """Every object key below ``prefix`` (folder markers left out)."""
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [o["Key"] for o in page.get("Contents", []) if not o["Key"].endswith("/")]
    return keys


def split_uri(uri: str) -> tuple[str, str]:
    bucket, _, prefix = uri[len("s3://"):].partition("/")
    return bucket, prefix


class CheckpointSync:
    """Keeps the hosts' checkpoint ``folders`` and ``uri`` in step."""

    def __init__(self, s3: Callable[[], Any], uri: str, folders: list[Path],
                 interval: float, say: Callable[[str], None]) -> None:
        self._s3 = s3
        self.uri = uri
        self.bucket, prefix = split_uri(uri)
        self.prefix = prefix.rstrip("/") + "/" if prefix.rstrip("/") else ""
        self.folders = folders
        self.interval = interval
        self.say = say
        self._sent: dict[str, tuple[int, int]] = {}  # key -> (size, mtime_ns) uploaded
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one pass at a time
        self._noted_error = False

    def restore(self) -> int:
        """Copy what ``uri`` holds into every folder; the number of objects."""
        for folder in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
        keys = list_keys(self._s3(), self.bucket, self.prefix)
        first, *others = self.folders
        for key in keys:
            try:
                dest = local_path(first, relative_key(key, self.prefix), key)
            except UnsafeKey as err:
                raise RuntimeError(f"ClientError: CheckpointConfig: {err.message}") from None
            dest.parent.mkdir(parents=True, exist_ok=True)
            self._s3().download_file(self.bucket, key, str(dest))
            stat = dest.stat()
            self._sent[key] = (stat.st_size, stat.st_mtime_ns)
        for folder in others:
            shutil.copytree(first, folder, dirs_exist_ok=True)
        if keys:
            self.say(f"checkpoints: {len(keys)} object(s) restored from {self.uri}")
        return len(keys)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="checkpoints", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.upload_changed()
            except Exception as err:  # the next pass (and the last one) tries again
                if not self._noted_error:
                    self._noted_error = True
                    self.say(f"checkpoints: uploading failed ({err}); retrying")

    def finish(self) -> int:
        """Stop the thread and upload what changed since its last pass."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return self.upload_changed()

    def upload_changed(self) -> int:
        """Upload every new or changed file of every folder; the number uploaded."""
        with self._lock:
            count = 0
            for folder in self.folders:
                for root, _dirs, files in os.walk(folder):
                    for name in sorted(files):
                        path = Path(root, name)
                        try:
                            stat = path.stat()
                        except FileNotFoundError:  # removed while walking
                            continue
                        key = self.prefix + path.relative_to(folder).as_posix()
                        mark = (stat.st_size, stat.st_mtime_ns)
                        if self._sent.get(key) == mark:
                            continue
                        self._s3().upload_file(str(path), self.bucket, key)
                        self._sent[key] = mark
                        count += 1
            return count
