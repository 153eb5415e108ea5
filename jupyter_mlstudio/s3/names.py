"""Validation of the bucket names, keys, prefixes and URIs a user types or a request holds."""
from __future__ import annotations

import re
from typing import Any

from ..sagemaker.errors import ValidationError
from .errors import S3Error

# S3's naming rules for new buckets (AWS S3 user guide, "Bucket naming rules").
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# Existing buckets (legacy us-east-1 names) may hold upper case and underscores.
_EXISTING_BUCKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$")
_IP = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_KEY_BYTES = 1024


def _bad(message: str, reason: str = "InvalidName") -> S3Error:
    return S3Error(400, message, reason)


def check_new_bucket(name: str) -> str:
    """A valid name for a bucket to create, or a 400 saying which rule it breaks."""
    if not isinstance(name, str) or not _BUCKET.match(name):
        raise _bad(
            f"invalid bucket name {name!r}: use 3-63 lower-case letters, digits, dots and "
            "hyphens, starting and ending with a letter or digit",
            "InvalidBucketName",
        )
    if ".." in name or _IP.match(name) or name.startswith("xn--") or name.endswith("-s3alias"):
        raise _bad(f"invalid bucket name {name!r}", "InvalidBucketName")
    return name


def check_bucket(name: str) -> str:
    """A plausible name of an existing bucket (looser than :func:`check_new_bucket`)."""
    if not isinstance(name, str) or not _EXISTING_BUCKET.match(name) or ".." in name:
        raise _bad(f"invalid bucket name {name!r}", "InvalidBucketName")
    return name


def check_key(key: str, *, allow_folder: bool = True) -> str:
    """A key that is safe to show, copy into a workspace and type again.

    Spaces and any unicode are fine; control characters, ``.``/``..`` path
    segments, a leading ``/`` and keys over 1024 UTF-8 bytes are refused.
    """
    if not isinstance(key, str) or not key:
        raise _bad("an object key is required", "InvalidKey")
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise _bad(f"key is longer than {MAX_KEY_BYTES} bytes", "InvalidKey")
    if _CONTROL.search(key):
        raise _bad("key contains control characters", "InvalidKey")
    if key.startswith("/"):
        raise _bad(f"key {key!r} must not start with '/'", "InvalidKey")
    parts = key.split("/")
    if any(p in (".", "..") for p in parts):
        raise _bad(f"key {key!r} contains a '.' or '..' segment", "InvalidKey")
    if not allow_folder and key.endswith("/"):
        raise _bad(f"{key!r} is a folder, not an object", "InvalidKey")
    return key


def check_prefix(prefix: str | None) -> str:
    """A listing prefix: empty, or a valid key (usually ending in ``/``)."""
    if not prefix:
        return ""
    return check_key(prefix)


def parse_uri(uri: str) -> tuple[str, str]:
    """Split ``s3://bucket/key`` into its bucket and key (key may be empty)."""
    if not isinstance(uri, str) or not uri.startswith("s3://"):
        raise _bad(f"{uri!r} is not an s3:// URI", "InvalidURI")
    bucket, _, key = uri[5:].partition("/")
    check_bucket(bucket)
    if key:
        check_key(key)
    return bucket, key


def s3_uri_field(value: Any, field: str) -> str:
    """The ``s3://bucket/key`` URI of a SageMaker request's ``field``; ValidationError
    (SageMaker's, naming the field) when its bucket name or key is not valid."""
    try:
        parse_uri(value)
    except S3Error as err:
        raise ValidationError(f"{field}: {err.message}") from None
    return value
