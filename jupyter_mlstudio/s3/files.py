"""S3 file operations for notebooks: ``ls``, ``cp``, ``rm``, ``presign``.

Runs inside the kernel with boto3 and the environment the server gave the
kernel (``AWS_ENDPOINT_URL_S3`` and credentials), so it needs no setup there.
The ``%s3`` magics are a thin layer over these functions.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .errors import S3Error, translate
from .localpaths import local_path, relative_key
from .names import check_key, parse_uri

_TRANSFER = TransferConfig(multipart_chunksize=16 * 1024 * 1024, max_concurrency=6)


@dataclass(frozen=True)
class Entry:
    """One line of a listing: a folder (``size`` None) or an object."""

    uri: str
    name: str
    size: int | None
    last_modified: datetime | None

    @property
    def is_folder(self) -> bool:
        return self.size is None


def client() -> Any:
    """A boto3 S3 client configured from the environment (path-style for custom endpoints)."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    # Keys from the environment are passed explicitly: boto3's default session would
    # otherwise keep the first credentials it resolved for the life of the process.
    keys = {}
    if os.environ.get("AWS_ACCESS_KEY_ID") and os.environ.get("AWS_SECRET_ACCESS_KEY"):
        keys = {"aws_access_key_id": os.environ["AWS_ACCESS_KEY_ID"],
                "aws_secret_access_key": os.environ["AWS_SECRET_ACCESS_KEY"],
                "aws_session_token": os.environ.get("AWS_SESSION_TOKEN")}
    config = Config(s3={"addressing_style": "path"} if endpoint else {})
    return boto3.client("s3", endpoint_url=endpoint, config=config, **keys)


def _wrap(what: str, fn: Callable, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except (ClientError, BotoCoreError) as err:
        raise translate(err, what) from None


def ls(uri: str, recursive: bool = False, s3: Any = None) -> list[Entry]:
    """Folders and objects one level under ``uri`` (every object below it if ``recursive``)."""
    s3 = s3 or client()
    bucket, prefix = parse_uri(uri)
    if prefix and not prefix.endswith("/") and not recursive:
        # `ls s3://b/dir` means the folder, as in the AWS CLI, unless an object has that key.
        prefix += "/"
    kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    if not recursive:
        kwargs["Delimiter"] = "/"
    entries: list[Entry] = []
    pages = s3.get_paginator("list_objects_v2").paginate(**kwargs)
    try:
        for page in pages:
            for p in page.get("CommonPrefixes", []):
                name = p["Prefix"][len(prefix):]
                entries.append(Entry(f"s3://{bucket}/{p['Prefix']}", name, None, None))
            for o in page.get("Contents", []):
                if o["Key"] == prefix:
                    continue
                name = o["Key"][len(prefix):]
                entries.append(
                    Entry(f"s3://{bucket}/{o['Key']}", name, o["Size"], o["LastModified"])
                )
    except (ClientError, BotoCoreError) as err:
        raise translate(err, f"ls {uri}") from None
    return entries


def _keys(s3: Any, bucket: str, prefix: str) -> Iterator[tuple[str, int]]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    try:
        for page in pages:
            for o in page.get("Contents", []):
                if not o["Key"].endswith("/"):
                    yield o["Key"], o["Size"]
    except (ClientError, BotoCoreError) as err:
        raise translate(err, f"list s3://{bucket}/{prefix}") from None


Progress = Callable[[str, int], Callable[[int], None]]


def cp(
    src: str,
    dst: str,
    recursive: bool = False,
    progress: Progress | None = None,
    s3: Any = None,
) -> list[tuple[str, str]]:
    """Copy local↔S3 or S3↔S3, a single file or (``recursive``) a whole folder / prefix.

    ``progress(label, total_bytes)`` may return a callback fed with byte counts.
    Returns the (source, destination) pairs copied.
    """
    s3 = s3 or client()
    src_s3, dst_s3 = src.startswith("s3://"), dst.startswith("s3://")
    if not src_s3 and not dst_s3:
        raise S3Error(400, "one side of cp must be an s3:// URI", "InvalidURI")
    pairs = list(_plan(s3, src, dst, recursive))
    if not pairs:
        raise S3Error(404, f"nothing to copy at {src}", "NoSuchKey")
    for source, target, size in pairs:
        callback = progress(source, size) if progress else None
        if source.startswith("s3://") and target.startswith("s3://"):
            sb, sk = parse_uri(source)
            tb, tk = parse_uri(target)
            _wrap(f"cp {source}", s3.copy, {"Bucket": sb, "Key": sk}, tb, tk,
                  Callback=callback, Config=_TRANSFER)
        elif source.startswith("s3://"):
            sb, sk = parse_uri(source)
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            _wrap(f"download {source}", s3.download_file, sb, sk, target,
                  Callback=callback, Config=_TRANSFER)
        else:
            tb, tk = parse_uri(target)
            _wrap(f"upload {source}", s3.upload_file, source, tb, tk,
                  Callback=callback, Config=_TRANSFER)
    return [(s, t) for s, t, _ in pairs]


def _plan(s3: Any, src: str, dst: str, recursive: bool) -> Iterator[tuple[str, str, int]]:
    """The (source, target, size) of every file a copy moves."""
    if src.startswith("s3://"):
        bucket, key = parse_uri(src)
        if recursive:
            prefix = key if not key or key.endswith("/") else key + "/"
            for k, size in _keys(s3, bucket, prefix):
                yield f"s3://{bucket}/{k}", _join(dst, relative_key(k, prefix), k), size
            return
        if not key or key.endswith("/"):
            raise S3Error(400, f"{src} is a folder: use --recursive", "InvalidKey")
        head = _wrap(f"cp {src}", s3.head_object, Bucket=bucket, Key=key)
        target = _join(dst, key.rsplit("/", 1)[-1], key) if _is_dir_target(dst) else dst
        yield src, target, head["ContentLength"]
        return
    path = Path(src)
    if recursive:
        if not path.is_dir():
            raise S3Error(404, f"no folder {src}", "NoSuchFile")
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            rel = file.relative_to(path).as_posix()
            yield str(file), _join(dst, rel), file.stat().st_size
        return
    if not path.is_file():
        raise S3Error(404, f"no file {src}" + (" (a folder: use --recursive)" if path.is_dir()
                                               else ""), "NoSuchFile")
    target = _join(dst, path.name) if _is_dir_target(dst) else dst
    yield str(path), target, path.stat().st_size


def _is_dir_target(dst: str) -> bool:
    if dst.startswith("s3://"):
        return dst.endswith("/") or "/" not in dst[5:]
    return dst.endswith("/") or Path(dst).is_dir()


def _join(base: str, rel: str, key: str | None = None) -> str:
    """``rel`` under ``base``: an S3 prefix, or a local folder it must stay inside
    (``key``, the object's full key, is named when it would not)."""
    if base.startswith("s3://"):
        joined = base if base.endswith("/") else base + "/"
        if "/" not in base[5:]:
            joined = base + "/"
        check_key(rel)
        return joined + rel
    return str(local_path(base, rel, key))


def rm(uri: str, recursive: bool = False, s3: Any = None) -> int:
    """Delete an object, or every object under a prefix with ``recursive``. Returns the count."""
    s3 = s3 or client()
    bucket, key = parse_uri(uri)
    if not recursive:
        if not key or key.endswith("/"):
            raise S3Error(400, f"{uri} is a folder: use --recursive", "InvalidKey")
        _wrap(f"rm {uri}", s3.head_object, Bucket=bucket, Key=key)
        _wrap(f"rm {uri}", s3.delete_object, Bucket=bucket, Key=key)
        return 1
    prefix = key if not key or key.endswith("/") else key + "/"
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    count = 0
    try:
        for page in pages:
            batch = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if batch:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
                count += len(batch)
    except (ClientError, BotoCoreError) as err:
        raise translate(err, f"rm {uri}") from None
    return count


def presign(uri: str, expires_in: int = 3600, s3: Any = None) -> str:
    """A GET link to the object that expires after ``expires_in`` seconds (max 7 days)."""
    s3 = s3 or client()
    bucket, key = parse_uri(uri)
    if not key or key.endswith("/"):
        raise S3Error(400, f"{uri} is not an object", "InvalidKey")
    if not 1 <= expires_in <= 7 * 24 * 3600:
        raise S3Error(400, "expires_in must be between 1 second and 7 days", "InvalidExpiry")
    _wrap(f"presign {uri}", s3.head_object, Bucket=bucket, Key=key)
    return s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_in
    )
