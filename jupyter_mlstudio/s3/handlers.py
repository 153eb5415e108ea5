"""REST routes of the S3 browser under ``/mlstudio/api/s3``."""
from __future__ import annotations

import asyncio
import mimetypes
from datetime import datetime
from typing import Any, cast
from urllib.parse import quote

from jupyter_server.auth.decorator import authorized
from tornado import web
from tornado.http1connection import HTTP1Connection
from tornado.iostream import StreamClosedError

from ..handlers.base import API_PREFIX, AUTH_RESOURCES, MLStudioHandler
from .errors import S3Error
from .service import S3Service
from .names import check_key, check_prefix
from .transfer import MultipartUpload, parse_range, read_ranges

DOWNLOAD_CHUNK = 4 * 1024 * 1024
_CONN = r"(?P<connection>[A-Za-z0-9_.-]+)"
_BUCKET = r"(?P<bucket>[^/]+)"


class S3Handler(MLStudioHandler):
    """Base of the S3 routes: the service, and typed access to arguments."""

    auth_resource = AUTH_RESOURCES["s3"]

    @property
    def s3(self) -> S3Service:
        return self.mlstudio.s3_service

    def text_argument(self, name: str) -> str | None:
        """A query argument exactly as sent: tornado's own accessors turn control
        characters into spaces and strip whitespace, which would change a key."""
        values = self.request.query_arguments.get(name)
        if not values:
            return None
        try:
            return values[-1].decode("utf-8")
        except UnicodeDecodeError:
            raise S3Error(400, f"the '{name}' query argument is not UTF-8",
                          "InvalidArgument") from None

    def key_argument(self, name: str = "key") -> str:
        """A required object key from the query, checked as S3 names are."""
        value = self.text_argument(name)
        if not value:
            raise S3Error(400, f"the '{name}' query argument is required", "MissingArgument")
        return check_key(value)

    def prefix_argument(self, name: str = "prefix") -> str:
        return check_prefix(self.text_argument(name))


def _invalid(name: str, expected: str) -> S3Error:
    return S3Error(400, f"'{name}' must be {expected}", "InvalidArgument")


def _body_str(body: dict[str, Any], name: str, required: bool = True) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise _invalid(name, "a non-empty string")
    return value


def _body_key(body: dict[str, Any], name: str) -> str:
    """An object key (or folder prefix) from the body, checked as S3 names are."""
    return check_key(_body_str(body, name))


def _body_str_list(body: dict[str, Any], name: str) -> list[str]:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _invalid(name, "a list of strings")
    return [check_key(v) for v in value]


def _body_bool(body: dict[str, Any], name: str, default: bool = False) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise _invalid(name, "true or false")
    return value


def _body_int(body: dict[str, Any], name: str, default: int) -> int:
    """An integer (a JSON boolean is not one, though Python's ``bool`` is an ``int``)."""
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(name, "an integer")
    return value


class ConnectionsHandler(S3Handler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.write_json({"connections": self.s3.connections.public()})


class BucketsHandler(S3Handler):
    @web.authenticated
    @authorized
    async def get(self, connection: str) -> None:
        self.write_json(await self.s3.call(connection, "list_buckets"))

    @web.authenticated
    @authorized
    async def post(self, connection: str) -> None:
        name = _body_str(self.json_body(), "name")
        self.write_json(await self.s3.call(connection, "create_bucket", name), status=201)


class ObjectsHandler(S3Handler):
    @web.authenticated
    @authorized
    async def get(self, connection: str, bucket: str) -> None:
        self.write_json(
            await self.s3.call(
                connection,
                "list_objects",
                bucket,
                self.prefix_argument(),
                self.get_argument("continuation_token", None),
                self.int_argument("page_size", low=1),
                self.bool_argument("recursive"),
            )
        )


class ObjectHandler(S3Handler):
    @web.authenticated
    @authorized
    async def get(self, connection: str, bucket: str) -> None:
        self.write_json(await self.s3.call(connection, "head", bucket, self.key_argument()))


class PresignHandler(S3Handler):
    @web.authenticated
    @authorized
    async def post(self, connection: str, bucket: str) -> None:
        body = self.json_body()
        expires = _body_int(body, "expires_in", 3600)
        self.write_json(
            await self.s3.call(
                connection, "presign", bucket, _body_key(body, "key"), expires,
                self.s3.config.presign_max_expiry,
            )
        )


class FoldersHandler(S3Handler):
    @web.authenticated
    @authorized
    async def post(self, connection: str, bucket: str) -> None:
        prefix = _body_key(self.json_body(), "prefix")
        self.write_json(await self.s3.call(connection, "create_folder", bucket, prefix), 201)


class DeleteHandler(S3Handler):
    @web.authenticated
    @authorized
    async def post(self, connection: str, bucket: str) -> None:
        body = self.json_body()
        keys, prefixes = _body_str_list(body, "keys"), _body_str_list(body, "prefixes")
        if not keys and not prefixes:
            raise S3Error(400, "nothing to delete: give 'keys' or 'prefixes'", "InvalidArgument")
        self.write_json(await self.s3.call(connection, "delete", bucket, keys, prefixes))


class CopyHandler(S3Handler):
    @web.authenticated
    @authorized
    async def post(self, connection: str, bucket: str) -> None:
        body = self.json_body()
        self.write_json(
            await self.s3.call(
                connection,
                "copy",
                bucket,
                _body_key(body, "source"),
                body.get("dest_bucket") or bucket,
                _body_key(body, "dest"),
                move=_body_bool(body, "move"),
            )
        )


class OpenHandler(S3Handler):
    """Copy an object into the workspace so JupyterLab can open it."""

    @web.authenticated
    @authorized
    async def post(self, connection: str, bucket: str) -> None:
        key = _body_key(self.json_body(), "key")
        self.write_json(await self.s3.open_in_workspace(connection, bucket, key))


class WorkspaceUploadHandler(S3Handler):
    """Upload a file of the workspace (JupyterLab's file browser) to S3."""

    @web.authenticated
    @authorized
    async def post(self, connection: str, bucket: str) -> None:
        body = self.json_body()
        self.write_json(
            await self.s3.upload_from_workspace(
                connection,
                _body_str(body, "path"),
                bucket,
                _body_key(body, "key"),
                _body_bool(body, "overwrite"),
            ),
            status=201,
        )


class DownloadHandler(S3Handler):
    """Stream an object in bounded memory, with HTTP Range and Content-Disposition.

    Parts are fetched with parallel ranged GETs (as boto3's download_file does)
    and written in order, so one browser download runs at S3's full speed.
    """

    @web.authenticated
    @authorized
    async def get(self, connection: str, bucket: str) -> None:
        key = self.key_argument()
        meta = await self.s3.call(connection, "head", bucket, key)
        check_key(key, allow_folder=False)
        size = meta["size"]
        window = parse_range(self.request.headers.get("Range"), size)
        start, end = window if window else (0, size - 1)
        content_type = self._write_headers(key, meta, start, end, partial=window is not None)
        if size == 0:
            self.finish(set_content_type=content_type)
            return
        client = self.s3.connections.get(connection).client()
        config = self.s3.config
        chunks = read_ranges(
            client, self.s3.run, bucket, key, f'"{meta["etag"]}"', start, end,
            chunk_size=config.part_size, concurrency=config.max_concurrency,
        )
        try:
            async for chunk in chunks:
                self.write(chunk)
                await self.flush()
        except StreamClosedError:
            pass  # the browser went away: stop fetching
        finally:
            await chunks.aclose()
        if not self._finished:
            self.finish(set_content_type=content_type)

    def _write_headers(
        self, key: str, meta: dict[str, Any], start: int, end: int, partial: bool
    ) -> str:
        """Set the response headers; returns the Content-Type."""
        name = key.rsplit("/", 1)[-1]
        content_type = meta.get("content_type")
        if not content_type or content_type == "binary/octet-stream":
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        inline = self.bool_argument("inline")
        disposition = "inline" if inline else "attachment"
        ascii_name = name.encode("ascii", "replace").decode().replace('"', "")
        self.set_header("Content-Type", content_type)
        self.set_header(
            "Content-Disposition",
            f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
        )
        self.set_header("Content-Length", str(max(end - start + 1, 0)))
        self.set_header("Accept-Ranges", "bytes")
        self.set_header("X-Content-Type-Options", "nosniff")
        if inline:
            # Previewed objects must never run script in the Jupyter origin.
            self.set_header("Content-Security-Policy", "sandbox; default-src 'none'; "
                            "img-src 'self' data:; style-src 'unsafe-inline'")
        self.set_header("ETag", f'"{meta["etag"]}"')
        if meta.get("last_modified"):
            self.set_header("Last-Modified", datetime.fromisoformat(meta["last_modified"]))
        if partial:
            self.set_status(206)
            self.set_header("Content-Range", f"bytes {start}-{end}/{meta['size']}")
        return content_type


@web.stream_request_body
class UploadHandler(S3Handler):
    """``PUT …/upload?key=K[&overwrite=1]``: the request body streams into a multipart upload.

    Nothing appears at the key until the whole body arrived; a cut connection
    aborts the multipart upload.
    """

    upload: MultipartUpload | None = None
    failure: BaseException | None = None

    # APIHandler.prepare drops JupyterHandler.prepare's keyword; jupyter_server ignores the same.
    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()  # authenticates (sets current_user)
        if self.request.method != "PUT":
            return
        if not self.current_user:
            raise web.HTTPError(403)
        if not self.authorizer.is_authorized(self, self.current_user, "write", self.auth_resource):
            raise web.HTTPError(403, "not authorized to upload")
        length = self.request.headers.get("Content-Length")
        size = int(length) if length and length.isdigit() else None
        # Typed as the HTTPConnection interface; tornado's server connections are HTTP/1.
        connection = cast(HTTP1Connection, self.request.connection)
        connection.set_max_body_size(self.s3.config.max_upload_size)
        try:
            self.upload = await self.s3.start_upload(
                self.path_kwargs["connection"],
                self.path_kwargs["bucket"],
                self.key_argument(),
                size=size,
                overwrite=self.bool_argument("overwrite", True),
                content_type=self.request.headers.get("X-Object-Content-Type")
                or mimetypes.guess_type(self.key_argument())[0],
            )
        except S3Error as err:
            # Answer before the body arrives; the client sees the error at once.
            self.set_status(err.status, reason=err.reason)
            self.write_json({"message": err.message, "reason": err.reason}, err.status)

    async def data_received(self, chunk: bytes) -> None:
        if self.upload is None or self.failure is not None:
            return
        try:
            await self.upload.write(chunk)
        except Exception as err:  # keep the error for put(); stop writing
            self.failure = err
            await self.upload.abort()

    @web.authenticated
    @authorized
    async def put(self, connection: str, bucket: str) -> None:
        if self.upload is None:
            raise S3Error(500, "upload was not started", "UploadNotStarted")
        if self.failure is not None:
            raise self.failure
        try:
            result = await self.upload.complete()
        except BaseException:
            await self.upload.abort()
            raise
        self.write_json(
            {"bucket": bucket, "key": self.upload.key, **result}, status=201
        )

    def on_connection_close(self) -> None:
        if self.upload is not None and not self._finished:
            asyncio.ensure_future(self.upload.abort())
        super().on_connection_close()


def s3_handlers() -> list[tuple]:
    base = rf"{API_PREFIX}/s3"
    objects = rf"{base}/{_CONN}/buckets/{_BUCKET}"
    return [
        (rf"{base}/connections", ConnectionsHandler),
        (rf"{base}/{_CONN}/buckets", BucketsHandler),
        (rf"{objects}/objects", ObjectsHandler),
        (rf"{objects}/object", ObjectHandler),
        (rf"{objects}/download", DownloadHandler),
        (rf"{objects}/upload", UploadHandler),
        (rf"{objects}/presign", PresignHandler),
        (rf"{objects}/folders", FoldersHandler),
        (rf"{objects}/delete", DeleteHandler),
        (rf"{objects}/copy", CopyHandler),
        (rf"{objects}/open", OpenHandler),
        (rf"{objects}/upload-from-workspace", WorkspaceUploadHandler),
    ]
