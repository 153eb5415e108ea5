"""Named S3 connections: the default store plus those the deployer configures."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable

import boto3
from botocore.config import Config

from . import fastlist
from .errors import S3Error
from .store import S3Store


@dataclass
class S3Connection:
    """One S3 endpoint with its credentials (kept server-side) and a shared client."""

    name: str
    endpoint_url: str | None
    region: str | None
    embedded: bool = False
    buckets: list[str] = field(default_factory=list)
    display_name: str = ""
    _make_client: Callable[[], Any] | None = field(default=None, repr=False)
    _client: Any = field(default=None, repr=False)
    #: False when the factory keeps its own cache (the default store's endpoint may move).
    cache_client: bool = True

    def client(self):
        """A shared, thread-safe boto3 S3 client."""
        if self._client is None or not self.cache_client:
            assert self._make_client is not None
            self._client = self._make_client()
        return self._client

    def public(self) -> dict[str, Any]:
        """What the browser may see: never a credential."""
        return {
            "name": self.name,
            "display_name": self.display_name or self.name,
            "endpoint_url": self.endpoint_url,
            "region": self.region,
            "embedded": self.embedded,
        }


def _client_config(timeout: float, max_pool: int, path_style: bool) -> Config:
    return Config(
        connect_timeout=timeout,
        read_timeout=max(timeout, 30.0),
        retries={"max_attempts": 3, "mode": "standard"},
        max_pool_connections=max_pool,
        s3={"addressing_style": "path"} if path_style else {},
    )


def _configured(name: str, spec: dict[str, Any], timeout: float, max_pool: int) -> S3Connection:
    endpoint = spec.get("endpoint_url")

    def make():
        kwargs: dict[str, Any] = {}
        if spec.get("access_key_id_env"):
            try:
                kwargs["aws_access_key_id"] = os.environ[spec["access_key_id_env"]]
                kwargs["aws_secret_access_key"] = os.environ[spec["secret_access_key_env"]]
            except KeyError as err:
                raise S3Error(
                    502, f"connection {name!r}: environment variable {err} is not set",
                    "NoCredentials",
                ) from None
            if spec.get("session_token_env"):
                kwargs["aws_session_token"] = os.environ.get(spec["session_token_env"])
        session = boto3.session.Session(profile_name=spec.get("profile"))
        return fastlist.install(session.client(
            "s3",
            endpoint_url=endpoint,
            region_name=spec.get("region"),
            config=_client_config(timeout, max_pool, bool(endpoint)),
            **kwargs,
        ))

    return S3Connection(
        name=name,
        endpoint_url=endpoint,
        region=spec.get("region"),
        buckets=list(spec.get("buckets", [])),
        display_name=spec.get("display_name", ""),
        _make_client=make,
    )


class ConnectionRegistry:
    """The connections by name; ``default`` is the extension's own store."""

    def __init__(
        self,
        store: S3Store,
        configured: dict[str, dict[str, Any]],
        default_buckets: list[str],
        max_pool: int = 32,
    ) -> None:
        self._store = store
        self._connections: dict[str, S3Connection] = {}
        default = S3Connection(
            name="default",
            endpoint_url=None,
            region=store.region,
            embedded=store.embedded is not None,
            buckets=list(default_buckets) or [store.default_bucket],
            display_name="Embedded store" if store.embedded else "Default",
            _make_client=store.client,
            cache_client=False,
        )
        self._connections["default"] = default
        for name, spec in configured.items():
            self._connections[name] = _configured(name, spec, store.timeout, max_pool)

    def get(self, name: str) -> S3Connection:
        conn = self._connections.get(name)
        if conn is None:
            raise S3Error(404, f"no S3 connection named {name!r}", "NoSuchConnection")
        if name == "default":
            conn.endpoint_url = self._store.endpoint_url  # the embedded store may have moved
        return conn

    def public(self) -> list[dict[str, Any]]:
        return [self.get(name).public() for name in self._connections]
