"""Bucket and object operations behind the S3 browser. Blocking: callers run them in threads."""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any, Iterator

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError

from ..sagemaker.times import iso
from .connections import S3Connection
from .errors import S3Error, translate
from .names import check_bucket, check_key, check_new_bucket, check_prefix

DELETE_BATCH = 1000  # DeleteObjects takes at most 1000 keys
_COPY_CONFIG = TransferConfig(multipart_threshold=5 * 1024**3, multipart_chunksize=512 * 1024**2)


def _call(what: str, fn, **kwargs):
    try:
        return fn(**kwargs)
    except (ClientError, BotoCoreError) as err:
        raise translate(err, what) from None


class S3Browser:
    """Operations on one connection, in the shapes the REST API answers with."""

    def __init__(self, conn: S3Connection, page_size: int = 1000) -> None:
        self.conn = conn
        self.client = conn.client()
        self.page_size = page_size

    # -- listing -----------------------------------------------------------------
    def list_buckets(self) -> dict[str, Any]:
        """Buckets from ListBuckets plus the connection's configured ones; only the
        configured ones when ListBuckets is denied (credentials scoped to some buckets)."""
        configured = [{"name": b, "created": None, "configured": True}
                      for b in self.conn.buckets]
        try:
            reply = self.client.list_buckets()
        except ClientError as err:
            error = translate(err, "list buckets")
            if error.status != 403 or not configured:
                raise error from None
            return {
                "buckets": configured,
                "source": "configured",
                "message": "ListBuckets is not allowed for these credentials; "
                "showing the configured buckets",
            }
        except BotoCoreError as err:
            raise translate(err, "list buckets") from None
        listed = [{"name": b["Name"], "created": iso(b.get("CreationDate")), "configured": False}
                  for b in reply.get("Buckets", [])]
        names = {b["name"] for b in listed}
        extra = [b for b in configured if b["name"] not in names]
        return {"buckets": listed + extra, "source": "ListBuckets" if not extra else "both"}

    def list_objects(
        self,
        bucket: str,
        prefix: str = "",
        token: str | None = None,
        page_size: int | None = None,
        recursive: bool = False,
    ) -> dict[str, Any]:
        """One page of one level under ``prefix`` (or every key below it when ``recursive``).

        Folders come from CommonPrefixes; no object is HEADed.
        """
        check_bucket(bucket)
        prefix = check_prefix(prefix)
        kwargs: dict[str, Any] = {
            "Bucket": bucket,
            "Prefix": prefix,
            "MaxKeys": min(page_size or self.page_size, 1000),
        }
        if not recursive:
            kwargs["Delimiter"] = "/"
        if token:
            kwargs["ContinuationToken"] = token
        reply = _call(f"list s3://{bucket}/{prefix}", self.client.list_objects_v2, **kwargs)
        cut = len(prefix)
        folders = [
            {"name": p["Prefix"][cut:], "prefix": p["Prefix"]}
            for p in reply.get("CommonPrefixes", [])
        ]
        objects = [
            {
                "name": o["Key"][cut:],
                "key": o["Key"],
                "size": o.get("Size", 0),
                "last_modified": iso(o.get("LastModified")),
                "storage_class": o.get("StorageClass", "STANDARD"),
                "etag": o.get("ETag", "").strip('"'),
            }
            for o in reply.get("Contents", [])
            if o["Key"] != prefix  # the folder marker object itself
        ]
        return {
            "bucket": bucket,
            "prefix": prefix,
            "folders": folders,
            "objects": objects,
            "next_token": reply.get("NextContinuationToken"),
            "truncated": bool(reply.get("IsTruncated")),
        }

    def iter_keys(self, bucket: str, prefix: str) -> Iterator[str]:
        """Every key under ``prefix``, page by page."""
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
                for obj in page.get("Contents", []):
                    yield obj["Key"]
        except (ClientError, BotoCoreError) as err:
            raise translate(err, f"list s3://{bucket}/{prefix}") from None

    # -- objects -----------------------------------------------------------------
    def head(self, bucket: str, key: str) -> dict[str, Any]:
        """Metadata of one object."""
        check_bucket(bucket)
        check_key(key)
        reply = _call(f"s3://{bucket}/{key}", self.client.head_object, Bucket=bucket, Key=key)
        return {
            "bucket": bucket,
            "key": key,
            "size": reply.get("ContentLength", 0),
            "last_modified": iso(reply.get("LastModified")),
            "content_type": reply.get("ContentType"),
            "etag": reply.get("ETag", "").strip('"'),
            "storage_class": reply.get("StorageClass", "STANDARD"),
            "metadata": reply.get("Metadata", {}),
            "version_id": reply.get("VersionId"),
        }

    def get_object(self, bucket: str, key: str, byte_range: str | None = None) -> dict[str, Any]:
        """The GetObject reply, whose ``Body`` the caller streams and closes."""
        check_bucket(bucket)
        check_key(key, allow_folder=False)
        kwargs: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if byte_range:
            kwargs["Range"] = byte_range
        return _call(f"s3://{bucket}/{key}", self.client.get_object, **kwargs)

    def presign(self, bucket: str, key: str, expires_in: int, max_expiry: int) -> dict[str, Any]:
        """A GET link to the object that expires after ``expires_in`` seconds."""
        check_bucket(bucket)
        check_key(key, allow_folder=False)
        if not isinstance(expires_in, int) or not 1 <= expires_in <= max_expiry:
            raise S3Error(
                400, f"expires_in must be between 1 and {max_expiry} seconds", "InvalidExpiry"
            )
        self.head(bucket, key)  # a link to nothing helps nobody
        url = _call(
            "presign",
            self.client.generate_presigned_url,
            ClientMethod="get_object",
            Params={"Bucket": bucket, "Key": key},
            ExpiresIn=expires_in,
        )
        expires_at = datetime.fromtimestamp(time.time() + expires_in, timezone.utc)
        return {"url": url, "expires_in": expires_in, "expires_at": expires_at.isoformat()}

    def create_bucket(self, name: str) -> dict[str, Any]:
        check_new_bucket(name)
        kwargs: dict[str, Any] = {"Bucket": name}
        region = self.conn.region
        if region and region != "us-east-1" and not self.conn.embedded:
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        _call(f"create bucket {name}", self.client.create_bucket, **kwargs)
        return {"name": name}

    def create_folder(self, bucket: str, prefix: str) -> dict[str, Any]:
        """An empty ``prefix/`` marker object, as the S3 console makes."""
        check_bucket(bucket)
        prefix = check_key(prefix.rstrip("/") + "/")
        _call(
            f"create folder {prefix}", self.client.put_object, Bucket=bucket, Key=prefix, Body=b""
        )
        return {"bucket": bucket, "prefix": prefix}

    def delete(self, bucket: str, keys: list[str], prefixes: list[str]) -> dict[str, Any]:
        """Delete objects and everything under whole prefixes, in batched DeleteObjects calls."""
        check_bucket(bucket)
        targets = [check_key(k) for k in keys]
        for prefix in prefixes:
            check_key(prefix)
            if not prefix.endswith("/"):
                raise S3Error(400, f"prefix {prefix!r} must end with '/'", "InvalidKey")
            targets.extend(self.iter_keys(bucket, prefix))
        deleted = 0
        errors: list[dict[str, Any]] = []
        if self.conn.embedded and prefixes:
            # SeaweedFS keeps a directory after its last object goes: remove the folder
            # keys too, deepest first, so deleted folders vanish from listings.
            folders = {prefix for prefix in prefixes}
            for key in targets:
                for prefix in prefixes:
                    if key.startswith(prefix):
                        parts = key[len(prefix):].split("/")[:-1]
                        folders.update(prefix + "/".join(parts[:i]) + "/"
                                       for i in range(1, len(parts) + 1))
            folder_keys = sorted(folders - set(targets), key=lambda k: -k.count("/"))
        else:
            folder_keys = []
        for start in range(0, len(targets), DELETE_BATCH):
            batch = targets[start : start + DELETE_BATCH]
            reply = _call(
                "delete",
                self.client.delete_objects,
                Bucket=bucket,
                Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
            )
            errors.extend(
                {"key": e.get("Key"), "code": e.get("Code"), "message": e.get("Message")}
                for e in reply.get("Errors", [])
            )
            deleted += len(batch) - len(reply.get("Errors", []))
        for start in range(0, len(folder_keys), DELETE_BATCH):
            self.client.delete_objects(Bucket=bucket, Delete={
                "Objects": [{"Key": k} for k in folder_keys[start:start + DELETE_BATCH]],
                "Quiet": True})
        return {"deleted": deleted, "errors": errors}

    def copy(
        self,
        bucket: str,
        source: str,
        dest_bucket: str,
        dest: str,
        *,
        move: bool = False,
    ) -> dict[str, Any]:
        """Copy (or move) an object or a whole prefix server-side.

        A prefix (ending in ``/``) is copied object by object; with ``move`` the
        sources are deleted only once every copy succeeded.
        """
        check_bucket(bucket)
        check_bucket(dest_bucket)
        check_key(source)
        check_key(dest)
        if source.endswith("/") != dest.endswith("/"):
            raise S3Error(400, "copy a folder to a folder (both ending in '/')", "InvalidKey")
        if (bucket, source) == (dest_bucket, dest):
            raise S3Error(400, "source and destination are the same", "InvalidKey")
        if source.endswith("/"):
            if dest_bucket == bucket and dest.startswith(source):
                raise S3Error(400, "cannot copy a folder into itself", "InvalidKey")
            pairs = [(k, dest + k[len(source):]) for k in self.iter_keys(bucket, source)]
            if not pairs:
                raise S3Error(404, f"nothing under s3://{bucket}/{source}", "NoSuchKey")
        else:
            self.head(bucket, source)
            pairs = [(source, dest)]
        for src, dst in pairs:
            _call(
                f"copy {src}",
                self.client.copy,
                CopySource={"Bucket": bucket, "Key": src},
                Bucket=dest_bucket,
                Key=dst,
                Config=_COPY_CONFIG,
            )
        if move:
            self.delete(bucket, [src for src, _ in pairs], [])
        return {"copied": len(pairs), "moved": move, "dest_bucket": dest_bucket, "dest": dest}
