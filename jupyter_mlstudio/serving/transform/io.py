"""S3 side of batch transform: which objects go in, streaming them, writing ``.out`` objects."""
from __future__ import annotations

import concurrent.futures
import logging
import posixpath
import time
import zlib
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Iterator

import urllib3
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    IncompleteReadError,
    ReadTimeoutError,
    ResponseStreamingError,
)

from ...s3.errors import translate
from ...s3.manifest import ManifestError, read_manifest
from .pool import WorkerPool
from .spec import MiB, TransformError, TransformSpec

log = logging.getLogger(__name__)

READ_CHUNK = MiB
PART_SIZE = 8 * MiB
READ_RETRIES = 3
_STREAM_ERRORS = (ResponseStreamingError, ReadTimeoutError, IncompleteReadError,
                  urllib3.exceptions.HTTPError, ConnectionError)


def split_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` → ``(bucket, key)``."""
    bucket, _, key = uri[5:].partition("/")
    if not bucket:
        raise TransformError(f"{uri!r} names no bucket")
    return bucket, key


def s3_call(what: str, fn: Any, **kwargs: Any) -> Any:
    """Call a boto3 method, turning its failure into a :class:`TransformError` about ``what``."""
    try:
        return fn(**kwargs)
    except (ClientError, BotoCoreError) as err:
        raise TransformError(translate(err, what).message) from None


@dataclass(frozen=True)
class InputFile:
    """One input object and the output object it becomes."""

    bucket: str
    key: str
    size: int
    out_bucket: str
    out_key: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @property
    def out_uri(self) -> str:
        return f"s3://{self.out_bucket}/{self.out_key}"


def relative_name(prefix: str, key: str) -> str:
    """The part of ``key`` that names the output under ``S3OutputPath`` (SageMaker's rule)."""
    if key == prefix:
        return posixpath.basename(key)
    if prefix.endswith("/") or key.startswith(prefix + "/"):
        return key[len(prefix):].lstrip("/")
    # A prefix that ends mid-name ("data" matching "data-1.csv"): keep the last segment.
    parent = prefix.rpartition("/")[0]
    return key[len(parent) + 1:] if parent else key


def _output_key(spec: TransformSpec, rel: str) -> tuple[str, str]:
    bucket, base = split_uri(spec.output_path)
    base = base.strip("/")
    return bucket, f"{base}/{rel}.out" if base else f"{rel}.out"


def list_inputs(s3: Any, spec: TransformSpec) -> list[InputFile]:
    """Every input object of the job, in key (or manifest) order."""
    if spec.data_type == "ManifestFile":
        return _manifest_inputs(s3, spec)
    bucket, prefix = split_uri(spec.input_uri)
    found: list[InputFile] = []
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    try:
        for page in pages:
            for obj in page.get("Contents", []):
                if obj["Key"].endswith("/"):
                    continue
                rel = relative_name(prefix, obj["Key"])
                found.append(InputFile(bucket, obj["Key"], obj["Size"],
                                       *_output_key(spec, rel)))
    except (ClientError, BotoCoreError) as err:
        raise TransformError(translate(err, f"listing {spec.input_uri}").message) from None
    return found


def _manifest_inputs(s3: Any, spec: TransformSpec) -> list[InputFile]:
    """Objects named by a manifest: ``[{"prefix": "s3://b/p/"}, "rel1", "rel2", ...]``."""
    try:
        manifest = s3_call(f"manifest {spec.input_uri}", read_manifest, s3=s3,
                           uri=spec.input_uri)
    except ManifestError as err:
        raise TransformError(str(err)) from None
    in_bucket, prefix = manifest.bucket, manifest.prefix
    found = []
    for rel in manifest.relative_keys:
        obj_key = prefix + rel
        meta = s3_call(f"s3://{in_bucket}/{obj_key}", s3.head_object,
                       Bucket=in_bucket, Key=obj_key)
        found.append(InputFile(in_bucket, obj_key, meta["ContentLength"],
                               *_output_key(spec, rel.lstrip("/"))))
    return found


class ObjectStream:
    """An object's body as chunks of at most ``chunk`` bytes, gunzipped if asked.

    Never holds more than a chunk; a dropped connection resumes at the same offset
    (a ranged GET pinned to the object's ETag). ``offset`` counts stored bytes read.
    """

    def __init__(self, s3: Any, item: InputFile, *, gzip: bool,
                 chunk: int = READ_CHUNK) -> None:
        self.s3 = s3
        self.item = item
        self.gzip = gzip
        self.chunk = chunk
        self.offset = 0

    def _raw(self) -> Iterator[bytes]:
        body = None
        etag = None
        failures = 0
        item = self.item
        try:
            while self.offset < item.size or body is not None:
                if body is None:
                    kwargs: dict[str, Any] = {"Bucket": item.bucket, "Key": item.key}
                    if self.offset:
                        kwargs["Range"] = f"bytes={self.offset}-"
                    if etag:
                        kwargs["IfMatch"] = etag
                    resp = s3_call(item.uri, self.s3.get_object, **kwargs)
                    etag = resp.get("ETag")
                    body = resp["Body"]
                try:
                    data = body.read(self.chunk)
                except _STREAM_ERRORS as err:
                    body.close()
                    body = None
                    failures += 1
                    if failures > READ_RETRIES:
                        raise TransformError(f"{item.uri}: reading failed: {err}") from None
                    time.sleep(0.2 * failures)
                    continue
                if not data:
                    return
                self.offset += len(data)
                yield data
        finally:
            if body is not None:
                body.close()

    def chunks(self) -> Iterator[bytes]:
        """The (decompressed) content, chunk by chunk."""
        if not self.gzip:
            yield from self._raw()
            return
        unzip = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = False  # a gzip member has begun and not ended
        try:
            for raw in self._raw():
                data = raw
                while True:
                    pending = pending or bool(data)
                    out = unzip.decompress(data, self.chunk)
                    if out:
                        yield out
                    if unzip.eof:  # concatenated members are one stream, as gunzip reads them
                        data = unzip.unused_data
                        unzip = zlib.decompressobj(16 + zlib.MAX_WBITS)
                        pending = False
                        if not data:
                            break
                        continue
                    data = unzip.unconsumed_tail
                    if not data and len(out) < self.chunk:
                        break  # all input taken and no output held back
        except zlib.error as err:
            raise TransformError(f"{self.item.uri}: not valid gzip data ({err})") from None
        if pending:
            raise TransformError(f"{self.item.uri}: gzip data ends early (truncated file)")


class OutputWriter:
    """Writes one output object that appears only once complete.

    Small outputs are one PutObject at :meth:`close`; larger ones a multipart upload
    whose parts go up as data arrives (one at a time on ``uploads``, a pool running
    ``fn(*args)``, while the next part fills) and which :meth:`abort` removes.
    """

    def __init__(self, s3: Any, bucket: str, key: str, content_type: str | None,
                 part_size: int = PART_SIZE, uploads: WorkerPool | None = None) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.key = key
        self.content_type = content_type
        self.part_size = part_size
        self.uploads = uploads
        self.uri = f"s3://{bucket}/{key}"
        self._buffer: list[bytes] = []
        self._buffered = 0
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self._numbered = 0
        self._in_flight: Future | None = None

    def _extra(self) -> dict[str, Any]:
        return {"ContentType": self.content_type} if self.content_type else {}

    def write(self, data: bytes) -> None:
        """Append ``data``; starts a part upload once enough is buffered."""
        if not data:
            return
        self._buffer.append(data)
        self._buffered += len(data)
        # Parts grow with the object so that 10,000 of them reach past 5 TB.
        if self._buffered >= self.part_size * (1 + self._numbered // 1000):
            self._flush_part()

    def _upload_part(self, number: int, body: bytes) -> dict[str, Any]:
        resp = s3_call(self.uri, self.s3.upload_part, Bucket=self.bucket, Key=self.key,
                       UploadId=self._upload_id, PartNumber=number, Body=body)
        return {"PartNumber": number, "ETag": resp["ETag"]}

    def _wait_part(self) -> None:
        if self._in_flight is not None:
            future, self._in_flight = self._in_flight, None
            self._parts.append(future.result())

    def _flush_part(self) -> None:
        if self._upload_id is None:
            resp = s3_call(self.uri, self.s3.create_multipart_upload,
                           Bucket=self.bucket, Key=self.key, **self._extra())
            self._upload_id = resp["UploadId"]
            log.info("%s: writing in parts (multipart upload)", self.uri)
        body = b"".join(self._buffer)
        self._buffer, self._buffered = [], 0
        self._numbered += 1
        self._wait_part()
        if self.uploads is None:
            self._parts.append(self._upload_part(self._numbered, body))
        else:
            self._in_flight = self.uploads.submit(self._upload_part, self._numbered, body)

    def close(self) -> None:
        """Make the object appear (PutObject, or complete the multipart upload)."""
        if self._upload_id is None:
            body = b"".join(self._buffer)
            self._buffer, self._buffered = [], 0
            s3_call(self.uri, self.s3.put_object, Bucket=self.bucket, Key=self.key,
                    Body=body, **self._extra())
            return
        try:
            if self._buffered:
                self._flush_part()
            self._wait_part()
            s3_call(self.uri, self.s3.complete_multipart_upload, Bucket=self.bucket,
                    Key=self.key, UploadId=self._upload_id,
                    MultipartUpload={"Parts": self._parts})
        except TransformError:
            self.abort()
            raise
        self._upload_id = None

    def abort(self) -> None:
        """Drop what was written; no object and no upload is left behind."""
        self._buffer, self._buffered = [], 0
        if self._in_flight is not None:
            # A part still going up could land after the abort and keep the upload alive.
            concurrent.futures.wait([self._in_flight], timeout=60)
            self._in_flight = None
        if self._upload_id is None:
            return
        upload_id, self._upload_id = self._upload_id, None
        try:
            self.s3.abort_multipart_upload(Bucket=self.bucket, Key=self.key,
                                           UploadId=upload_id)
        except (ClientError, BotoCoreError):
            pass
