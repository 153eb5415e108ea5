"""The S3 store the extension uses: an external endpoint / AWS, or the embedded one."""
from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from ..probe import CachedProbe
from . import fastlist
from .embedded import EmbeddedS3Error, EmbeddedS3Server
from .supervisor import StoreSupervisor

log = logging.getLogger(__name__)

EmbeddedMode = Literal["auto"] | bool
_ENDPOINT_ENV = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
_AUTH_ERRORS = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken"}


def endpoint_from_environment() -> str | None:
    """The S3 endpoint named by the environment, if any."""
    for name in _ENDPOINT_ENV:
        if os.environ.get(name):
            return os.environ[name]
    return None


def aws_credentials_found() -> bool:
    """Whether boto3's standard credential chain finds any credentials."""
    try:
        return boto3.Session().get_credentials() is not None
    except BotoCoreError:
        return False


def use_embedded(mode: EmbeddedMode, endpoint_url: str | None) -> bool:
    """Decide whether to run the embedded store (``auto``: only when nothing is configured)."""
    if mode is True or mode is False:
        return mode
    return not endpoint_url and not aws_credentials_found()


@dataclass
class Health:
    """The health of one part, as the status route reports it."""

    healthy: bool
    message: str
    checked_at: float = 0.0


class S3Store:
    """Connection settings, the embedded server when used, clients and health."""

    def __init__(
        self,
        *,
        data_dir: Path,
        mode: EmbeddedMode = "auto",
        endpoint_url: str | None = None,
        region: str | None = None,
        default_bucket: str = "mlstudio",
        weed_path: str | None = None,
        timeout: float = 3.0,
    ) -> None:
        self.timeout = timeout
        self.default_bucket = default_bucket
        configured = endpoint_url or endpoint_from_environment()
        self.embedded: EmbeddedS3Server | None = None
        self.startup_error: str | None = None
        if use_embedded(mode, configured):
            self.embedded = EmbeddedS3Server(
                data_dir, bucket=default_bucket, weed_path=weed_path, region=region or "us-east-1"
            )
            self._external_endpoint = None
        else:
            self._external_endpoint = configured
        self.region = region or os.environ.get("AWS_REGION") or os.environ.get(
            "AWS_DEFAULT_REGION"
        ) or ("us-east-1" if self.embedded else None)
        self._ready: asyncio.Future | None = None
        self.supervisor: StoreSupervisor | None = None
        # Called when a restarted embedded store had to take other ports.
        self.on_endpoint_change: Callable[[], None] | None = None
        self._client = None
        self._client_endpoint: str | None = None
        self._probe = CachedProbe(self._check, max_age=5.0)

    # -- settings --------------------------------------------------------
    @property
    def endpoint_url(self) -> str | None:
        """The S3 endpoint in use (None: AWS's default endpoints)."""
        return self.embedded.endpoint_url if self.embedded else self._external_endpoint

    def kernel_environment(self) -> dict[str, str]:
        """What kernels (and other child processes) need to reach this store."""
        env: dict[str, str] = {}
        if self.endpoint_url:
            env["AWS_ENDPOINT_URL_S3"] = self.endpoint_url
        # A region the user set wins; either way the environment names one (the SDK
        # refuses to start without it).
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") \
            or self.region
        if region:
            env["AWS_DEFAULT_REGION"] = region
        if self.embedded:
            env["AWS_ACCESS_KEY_ID"] = self.embedded.credentials.access_key_id
            env["AWS_SECRET_ACCESS_KEY"] = self.embedded.credentials.secret_access_key
            env["MLSTUDIO_DEFAULT_BUCKET"] = self.default_bucket
        return env

    # -- lifecycle -------------------------------------------------------
    def start(self) -> None:
        """Spawn the embedded store (if used) without waiting; ``ensure_ready`` waits."""
        if self.embedded is None:
            return
        try:
            self.embedded.spawn()
        except EmbeddedS3Error as err:
            self.startup_error = str(err)
            log.error("%s", err)

    async def ensure_ready(self) -> bool:
        """Wait (once, shared by all callers) until the embedded store serves. True if usable."""
        if self.embedded is None:
            return True
        if self.startup_error:
            return False
        if self._ready is None:
            self._ready = asyncio.ensure_future(asyncio.to_thread(self._wait_embedded))
        try:
            await asyncio.shield(self._ready)
        except EmbeddedS3Error as err:
            self.startup_error = str(err)
            log.error("%s", err)
            return False
        if self.supervisor is None:
            self.supervisor = StoreSupervisor(self.embedded, on_restart=self._store_restarted)
            self.supervisor.start()
        return True

    def _store_restarted(self, moved: bool) -> None:
        self._probe.invalidate()
        if moved and self.on_endpoint_change is not None:
            self.on_endpoint_change()

    def _wait_embedded(self) -> bool:
        assert self.embedded is not None
        moved = self.embedded.wait_until_serving()
        log.info("embedded S3 store ready at %s", self.embedded.endpoint_url)
        return moved

    def stop(self) -> None:
        if self.supervisor is not None:
            self.supervisor.close()
        if self.embedded is not None:
            self.embedded.stop()

    # -- clients ---------------------------------------------------------
    def client(self):
        """A shared, thread-safe boto3 S3 client for the store in use."""
        if self._client is None or self._client_endpoint != self.endpoint_url:
            kwargs = {}
            if self.embedded:
                kwargs = {
                    "aws_access_key_id": self.embedded.credentials.access_key_id,
                    "aws_secret_access_key": self.embedded.credentials.secret_access_key,
                }
            self._client = fastlist.install(boto3.session.Session().client(
                "s3",
                endpoint_url=self.endpoint_url,
                region_name=self.region,
                config=Config(
                    connect_timeout=self.timeout,
                    read_timeout=max(self.timeout, 10.0),
                    retries={"max_attempts": 2, "mode": "standard"},
                    max_pool_connections=32,
                    s3={"addressing_style": "path"} if self.endpoint_url else {},
                ),
                **kwargs,
            ))
            self._client_endpoint = self.endpoint_url
        return self._client

    # -- health ----------------------------------------------------------
    async def health(self) -> Health:
        """The store's health, re-checked in the background at most every 5 seconds."""
        if self.startup_error:
            return Health(False, self.startup_error, time.time())
        if self.embedded and (self._ready is None or not self._ready.done()):
            if self._ready is None:
                asyncio.ensure_future(self.ensure_ready())
            return Health(False, "embedded store starting", time.time())
        trouble = self.supervisor.describe() if self.supervisor else None
        if trouble and self.supervisor and self.supervisor.state.restarting:
            return Health(False, trouble, time.time())
        health = await self._probe.get()
        if trouble:
            return Health(health.healthy, f"{health.message}; {trouble}", health.checked_at)
        return health

    def _check(self) -> Health:
        """Probe the store with one cheap signed request."""
        client = self.client()
        where = self.endpoint_url or "AWS S3"
        try:
            if self.embedded:
                client.head_bucket(Bucket=self.default_bucket)
            else:
                client.list_buckets()
            return Health(True, "reachable", time.time())
        except (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError):
            return Health(
                False, f"endpoint {where} did not answer within {self.timeout:.0f} s", time.time()
            )
        except NoCredentialsError:
            return Health(False, "no AWS credentials found", time.time())
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "")
            if code in _AUTH_ERRORS:
                return Health(False, f"{where} rejected the credentials ({code})", time.time())
            # The endpoint answered: it is reachable even if this call is not allowed.
            return Health(True, f"reachable ({code or 'error'} on probe)", time.time())
        except BotoCoreError as err:
            return Health(False, f"{where}: {err}", time.time())
