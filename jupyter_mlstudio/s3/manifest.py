"""S3 manifest files (``S3DataType: ManifestFile``), as SageMaker reads them.

A manifest is a JSON list: first ``{"prefix": "s3://bucket/prefix/"}``, then the keys
relative to that prefix. Training channels and transform jobs both take one.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_MANIFEST = 64 * 1024 * 1024
SHAPE = '[{"prefix": "s3://..."}, "relative/key", ...]'


class ManifestError(ValueError):
    """The manifest cannot be used; the message names it and says why."""


@dataclass(frozen=True)
class Manifest:
    """The objects a manifest names: ``bucket``, ``prefix`` and keys relative to it."""

    bucket: str
    prefix: str
    relative_keys: list[str]

    def keys(self) -> list[str]:
        return [self.prefix + rel for rel in self.relative_keys]


def parse_manifest(body: bytes, where: str) -> Manifest:
    """The manifest in ``body`` (read from ``where``); ManifestError if it is not one."""
    try:
        items: Any = json.loads(body)
    except ValueError as err:
        raise ManifestError(f"manifest {where} is not JSON: {err}") from None
    if (not isinstance(items, list) or not items or not isinstance(items[0], dict)
            or not str(items[0].get("prefix", "")).startswith("s3://")
            or not all(isinstance(i, str) and i for i in items[1:])):
        raise ManifestError(f"manifest {where} must be a JSON list: {SHAPE}")
    bucket, _, prefix = items[0]["prefix"][5:].partition("/")
    if not bucket:
        raise ManifestError(f"manifest {where}: the prefix names no bucket")
    return Manifest(bucket, prefix, list(items[1:]))


def read_manifest(s3: Any, uri: str) -> Manifest:
    """Fetch and parse the manifest at ``uri`` with the boto3 client ``s3`` (its errors
    pass through); ManifestError if it is too large or not a manifest."""
    bucket, _, key = uri[5:].partition("/")
    if s3.head_object(Bucket=bucket, Key=key)["ContentLength"] > MAX_MANIFEST:
        raise ManifestError(f"manifest {uri} is larger than {MAX_MANIFEST // 2**20} MB")
    return parse_manifest(s3.get_object(Bucket=bucket, Key=key)["Body"].read(), uri)
