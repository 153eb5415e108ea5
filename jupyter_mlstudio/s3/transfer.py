"""Streaming transfers in bounded memory: uploads into multipart uploads, ranged downloads."""
from __future__ import annotations

import asyncio
import re
from typing import Any, Awaitable, Callable

from botocore.exceptions import BotoCoreError, ClientError

from .errors import S3Error, translate

Runner = Callable[..., Awaitable[Any]]
MAX_PARTS = 10_000


def part_size_for(total: int | None, minimum: int) -> int:
    """A part size that keeps an upload of ``total`` bytes within S3's 10,000 parts."""
    if not total:
        return minimum
    needed = -(-total // (MAX_PARTS - 1))
    return max(minimum, -(-needed // (1024 * 1024)) * 1024 * 1024)


class MultipartUpload:
    """Feed bytes in order; parts go to S3 concurrently, at most ``max_in_flight`` at a time.

    Memory stays below ``(max_in_flight + 1) * part_size``. An object smaller
    than one part is written with a single PutObject. Until :meth:`complete`
    succeeds nothing is visible at the key, and :meth:`abort` leaves nothing.
    """

    def __init__(
        self,
        client: Any,
        run: Runner,
        bucket: str,
        key: str,
        *,
        part_size: int,
        max_in_flight: int = 4,
        content_type: str | None = None,
    ) -> None:
        self.client = client
        self.run = run
        self.bucket = bucket
        self.key = key
        self.part_size = part_size
        self.max_in_flight = max(1, max_in_flight)
        self.content_type = content_type
        self.size = 0
        self._chunks: list[bytes] = []
        self._buffered = 0
        self._upload_id: str | None = None
        self._parts: dict[int, str] = {}
        self._in_flight: set[asyncio.Task] = set()
        self._next_part = 1
        self._closed = False

    async def write(self, data: bytes) -> None:
        if self._closed:
            raise S3Error(409, "the upload is already finished", "UploadClosed")
        self._chunks.append(data)
        self._buffered += len(data)
        self.size += len(data)
        if self._buffered >= self.part_size:
            await self._send_part(self._take())

    def _take(self) -> bytes:
        """Everything buffered, as one part (parts may exceed part_size by one chunk)."""
        part = b"".join(self._chunks)
        self._chunks.clear()
        self._buffered = 0
        return part

    async def _send_part(self, chunk: bytes) -> None:
        if self._upload_id is None:
            kwargs = {"Bucket": self.bucket, "Key": self.key}
            if self.content_type:
                kwargs["ContentType"] = self.content_type
            reply = await self._s3("start upload", self.client.create_multipart_upload, **kwargs)
            self._upload_id = reply["UploadId"]
        while len(self._in_flight) >= self.max_in_flight:
            done, self._in_flight = await asyncio.wait(
                self._in_flight, return_when=asyncio.FIRST_COMPLETED
            )
            for task in done:
                task.result()  # re-raise a failed part
        number = self._next_part
        self._next_part += 1
        self._in_flight.add(asyncio.ensure_future(self._upload_part(number, chunk)))

    async def _upload_part(self, number: int, chunk: bytes) -> None:
        reply = await self._s3(
            f"upload part {number}",
            self.client.upload_part,
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=chunk,
        )
        self._parts[number] = reply["ETag"]

    async def complete(self) -> dict[str, Any]:
        """Flush the rest and make the object visible. Returns its size and ETag."""
        self._closed = True
        if self._upload_id is None:
            kwargs = {"Bucket": self.bucket, "Key": self.key, "Body": self._take()}
            if self.content_type:
                kwargs["ContentType"] = self.content_type
            reply = await self._s3("upload", self.client.put_object, **kwargs)
            return {"size": self.size, "etag": reply.get("ETag", "").strip('"')}
        if self._buffered:
            await self._send_part(self._take())
        if self._in_flight:
            await asyncio.gather(*self._in_flight)
            self._in_flight.clear()
        parts = [{"PartNumber": n, "ETag": e} for n, e in sorted(self._parts.items())]
        reply = await self._s3(
            "complete upload",
            self.client.complete_multipart_upload,
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self._upload_id,
            MultipartUpload={"Parts": parts},
        )
        self._upload_id = None
        return {"size": self.size, "etag": reply.get("ETag", "").strip('"')}

    async def abort(self) -> None:
        """Give up: cancel parts in flight and abort the multipart upload. Never raises."""
        self._closed = True
        self._chunks.clear()
        self._buffered = 0
        for task in self._in_flight:
            task.cancel()
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        self._in_flight.clear()
        if self._upload_id is not None:
            upload_id, self._upload_id = self._upload_id, None
            try:
                await self.run(
                    self.client.abort_multipart_upload,
                    Bucket=self.bucket,
                    Key=self.key,
                    UploadId=upload_id,
                )
            except (ClientError, BotoCoreError):
                pass

    async def _s3(self, what: str, fn, **kwargs):
        try:
            return await self.run(fn, **kwargs)
        except (ClientError, BotoCoreError) as err:
            raise translate(err, f"{what} s3://{self.bucket}/{self.key}") from None


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive byte window of a single HTTP range (``a-b``, ``a-``, ``-n``) of ``size``."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        raise S3Error(416, f"unsupported Range header {header!r}", "InvalidRange")
    start_s, end_s = match.groups()
    if not start_s:
        start, end = max(size - int(end_s), 0), size - 1
    else:
        start = int(start_s)
        end = min(int(end_s), size - 1) if end_s else size - 1
    if start >= size or end < start:
        raise S3Error(416, f"range {header!r} is outside the object's {size} bytes",
                      "InvalidRange")
    return start, end


async def read_ranges(
    client: Any,
    run: Runner,
    bucket: str,
    key: str,
    etag: str,
    start: int,
    end: int,
    *,
    chunk_size: int,
    concurrency: int,
):
    """Yield bytes ``start..end`` of an object in order, fetching up to ``concurrency``
    ranged GETs ahead. Memory stays below ``concurrency * chunk_size``; ``etag`` pins
    the version, so an object replaced mid-download fails instead of mixing versions."""

    def fetch(lo: int, hi: int) -> bytes:
        reply = client.get_object(Bucket=bucket, Key=key, Range=f"bytes={lo}-{hi}", IfMatch=etag)
        with reply["Body"] as body:
            return body.read()

    windows = [(lo, min(lo + chunk_size, end + 1) - 1) for lo in range(start, end + 1, chunk_size)]
    pending: list[asyncio.Future] = []
    try:
        for lo, hi in windows:
            pending.append(asyncio.ensure_future(run(fetch, lo, hi)))
            if len(pending) >= concurrency:
                yield await _part(pending.pop(0), bucket, key)
        while pending:
            yield await _part(pending.pop(0), bucket, key)
    finally:
        for fut in pending:
            fut.cancel()


async def _part(fut: asyncio.Future, bucket: str, key: str) -> bytes:
    try:
        return await fut
    except (ClientError, BotoCoreError) as err:
        raise translate(err, f"download s3://{bucket}/{key}") from None
