"""The S3 area's entry point: connections, a thread pool for blocking calls, transfers."""
from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError

from .browser import S3Browser
from .config import S3
from .connections import ConnectionRegistry
from .errors import S3Error, translate
from .localpaths import local_path
from .names import check_bucket, check_key
from .store import S3Store
from .transfer import MultipartUpload, part_size_for
from ..workspace import free_name, relative_to_root, resolve_in_root


class S3Service:
    """Everything the S3 handlers call. Blocking boto3 work runs on the service's own
    thread pool, so transfers never starve the server's default executor."""

    def __init__(self, store: S3Store, config: S3, root_dir: str) -> None:
        self.config = config
        self.root_dir = root_dir
        pool = max(8, config.max_concurrency * 4)
        self.connections = ConnectionRegistry(
            store, config.connections, config.buckets, max_pool=pool
        )
        self._executor = ThreadPoolExecutor(max_workers=pool, thread_name_prefix="mlstudio-s3")

    async def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a blocking call on the S3 thread pool."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    def browser(self, connection: str) -> S3Browser:
        return S3Browser(self.connections.get(connection), self.config.page_size)

    def transfer_config(self) -> TransferConfig:
        return TransferConfig(
            multipart_threshold=self.config.part_size,
            multipart_chunksize=self.config.part_size,
            max_concurrency=self.config.max_concurrency,
        )

    async def call(self, connection: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """Run ``S3Browser.<method>`` for ``connection`` on the thread pool."""
        browser = self.browser(connection)
        return await self.run(getattr(browser, method), *args, **kwargs)

    # -- uploads -----------------------------------------------------------------
    async def start_upload(
        self,
        connection: str,
        bucket: str,
        key: str,
        *,
        size: int | None,
        overwrite: bool,
        content_type: str | None,
    ) -> MultipartUpload:
        """Prepare a streamed upload to ``s3://bucket/key`` (checks, nothing written yet)."""
        check_bucket(bucket)
        check_key(key, allow_folder=False)
        if size is not None and size > self.config.max_upload_size:
            raise S3Error(
                413,
                f"upload of {size} bytes exceeds the limit of {self.config.max_upload_size}",
                "EntityTooLarge",
            )
        client = self.connections.get(connection).client()
        if not overwrite and await self._exists(client, bucket, key):
            raise S3Error(409, f"s3://{bucket}/{key} already exists", "ObjectExists")
        return MultipartUpload(
            client,
            self.run,
            bucket,
            key,
            part_size=part_size_for(size, self.config.part_size),
            max_in_flight=self.config.max_concurrency,
            content_type=content_type,
        )

    async def _exists(self, client: Any, bucket: str, key: str) -> bool:
        try:
            await self.run(client.head_object, Bucket=bucket, Key=key)
            return True
        except ClientError as err:
            error = translate(err, f"s3://{bucket}/{key}")
            if error.status == 404 and error.reason in ("404", "NoSuchKey", "NotFound"):
                return False
            raise error from None
        except BotoCoreError as err:
            raise translate(err, f"s3://{bucket}/{key}") from None

    # -- workspace bridges -------------------------------------------------------------
    async def open_in_workspace(self, connection: str, bucket: str, key: str) -> dict[str, Any]:
        """Copy an object under the workspace folder; reuse an up-to-date earlier copy."""
        browser = self.browser(connection)
        meta = await self.run(browser.head, bucket, key)
        check_key(key, allow_folder=False)
        folder = resolve_in_root(self.root_dir, f"{self.config.workspace_folder}/{bucket}")
        target = local_path(folder, key)
        if target.exists():
            if target.is_file() and target.stat().st_size == meta["size"] and _newer(target, meta):
                return {"path": relative_to_root(self.root_dir, target), "downloaded": False}
            target = free_name(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.part")
        try:
            await self.run(
                browser.client.download_file, bucket, key, str(partial),
                Config=self.transfer_config(),
            )
            partial.replace(target)
        except (ClientError, BotoCoreError) as err:
            raise translate(err, f"download s3://{bucket}/{key}") from None
        finally:
            partial.unlink(missing_ok=True)
        return {"path": relative_to_root(self.root_dir, target), "downloaded": True}

    async def upload_from_workspace(
        self, connection: str, path: str, bucket: str, key: str, overwrite: bool
    ) -> dict[str, Any]:
        """Upload a workspace file to ``s3://bucket/key`` (multipart, bounded memory)."""
        source = resolve_in_root(self.root_dir, path)
        if not source.is_file():
            raise S3Error(404, f"no file {path!r} in the workspace", "NoSuchFile")
        check_bucket(bucket)
        check_key(key, allow_folder=False)
        client = self.connections.get(connection).client()
        if not overwrite and await self._exists(client, bucket, key):
            raise S3Error(409, f"s3://{bucket}/{key} already exists", "ObjectExists")
        size = source.stat().st_size
        try:
            if size < self.config.part_size:  # one request, no transfer threads
                await self.run(client.put_object, Bucket=bucket, Key=key,
                               Body=source.read_bytes())
            else:
                await self.run(client.upload_file, str(source), bucket, key,
                               Config=self.transfer_config())
        except (ClientError, BotoCoreError) as err:
            raise translate(err, f"upload to s3://{bucket}/{key}") from None
        return {"bucket": bucket, "key": key, "size": size}

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _newer(path: Path, meta: dict[str, Any]) -> bool:
    from datetime import datetime

    modified = meta.get("last_modified")
    if not modified:
        return False
    return path.stat().st_mtime >= datetime.fromisoformat(modified).timestamp()
